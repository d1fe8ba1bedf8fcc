"""The reports due at the end of a funded action: qualitative (per objective, narrative, the call's
indicators) and financial (CERFA n° 15059: planned against actual per budget line)."""

from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.enums import ReportStatus
from citemploi.calls.models.application import Activity, Application, Objective
from citemploi.calls.models.base import TransitionLog


class Report(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.TO_PRODUCE)
    due_on = models.DateField("à remettre avant le")
    narrative = models.TextField("bilan qualitatif", blank=True)
    # The call's indicators (Amiens 2023: « modalité d'évaluation à fournir à l'issue »)
    qpv_residents = models.PositiveIntegerField("résident·es des QPV touché·es", null=True, blank=True)
    young = models.PositiveIntegerField("dont jeunes", null=True, blank=True)
    women = models.PositiveIntegerField("dont femmes", null=True, blank=True)
    seniors = models.PositiveIntegerField("dont seniors", null=True, blank=True)
    people_in_training_or_employment = models.PositiveIntegerField(
        "personnes accédant ou maintenues en formation ou en emploi", null=True, blank=True
    )
    coordination_hours = models.DecimalField(
        "heures de coordination avec les partenaires",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    correction_request = models.TextField("corrections demandées", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    last_reminder_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bilan"

    def __str__(self) -> str:
        return f"bilan {self.application_id}"


class ReportTransition(TransitionLog):
    statuses = ReportStatus

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")


class ObjectiveResult(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="objective_results")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    achieved = models.DecimalField(
        "réalisé", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        ordering = ["objective__position", "objective_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "objective"], name="unique_objective_result")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id}: {self.achieved}"


class ActivityResult(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="activity_results")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    hours_delivered = models.DecimalField(
        "heures réalisées",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["activity__position", "activity_id"]
        constraints = [models.UniqueConstraint(fields=["report", "activity"], name="unique_activity_result")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.hours_delivered}"


class FinancialLine(models.Model):
    """A line of the final financial report: planned (from the budget) against actual."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="financial_lines")
    line = models.CharField("ligne", max_length=20)
    label = models.CharField("précision", max_length=200, blank=True)
    planned = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, default=0)
    actual = models.DecimalField(
        "réalisé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    explanation = models.TextField("explication de l'écart", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.label}: {self.planned} / {self.actual}"
