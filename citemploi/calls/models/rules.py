"""The eligibility rules of a call: instances of the rule types of citemploi.calls.eligibility."""

from django.db import models

from citemploi.calls.enums import Severity
from citemploi.calls.models.call import Call


class EligibilityRule(models.Model):
    """A rule of a call: a rule type of the catalogue, its parameters, its severity and its message."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rules")
    rule_type = models.CharField("type de règle", max_length=50)
    params = models.JSONField("paramètres", default=dict, blank=True)
    severity = models.CharField("gravité", max_length=10, choices=Severity.choices, default=Severity.BLOCKING)
    message = models.TextField(
        "message au porteur",
        blank=True,
        help_text="Affiché quand la règle n'est pas respectée, en plus du détail calculé.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "règle d'éligibilité"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.rule_type} ({self.get_severity_display()})"
