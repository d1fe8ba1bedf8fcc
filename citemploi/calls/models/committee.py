"""The steering committee (Copil) session that decides on the files of a call."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.enums import DecisionOutcome, SessionStatus
from citemploi.calls.models.application import Application
from citemploi.calls.models.call import Call


class CommitteeSession(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField("intitulé", max_length=200, default="Comité de pilotage")
    held_on = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=200, blank=True)
    attendees = models.TextField("présent·es", blank=True)
    minutes = models.TextField("relevé des échanges", blank=True)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.PREPARING)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "séance du comité de pilotage"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} du {self.held_on:%d/%m/%Y}"

    @property
    def locked(self) -> bool:
        return self.status == SessionStatus.LOCKED


class Decision(models.Model):
    """The committee's decision on one file: outcome, amount, conditions."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(
        "décision", max_length=20, choices=DecisionOutcome.choices, default=DecisionOutcome.PENDING
    )
    amount = models.DecimalField(
        "montant (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    conditions = models.TextField("conditions", blank=True)
    reason = models.TextField("motif", blank=True)
    reference = models.CharField("référence de la décision", max_length=60, blank=True)

    class Meta:
        verbose_name = "décision"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "application"], name="unique_decision")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


class Scenario(models.Model):
    """An envelope scenario: amounts tried for the files, compared to the envelope."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField("nom du scénario", max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "scénario"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ScenarioLine(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="lines")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "application"], name="unique_scenario_line")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount}"
