"""The budget of an application (CERFA n° 12156): one row per amount of a catalogue line."""

from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.models.application import Application


class BudgetEntry(models.Model):
    """An amount on a line of citemploi.calls.budget_lines; for line 74 the label names the funder."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget")
    line = models.CharField("ligne", max_length=20)
    label = models.CharField("précision (financeur pour la ligne 74)", max_length=200, blank=True)
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "ligne de budget"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.label} {self.amount}"
