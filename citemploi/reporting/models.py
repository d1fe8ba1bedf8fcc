"""Models of the reporting domain: the national quarterly questionnaire (questionnaire trimestriel ANCT)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class QuestionnaireState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé par la coordination"


class QuarterlyReport(models.Model):
    """A cité's answers to the national quarterly questionnaire.

    `values` holds one item per indicator figure: {"<code>:<category>": {"label", "indicator", "unit",
    "computed", "value", "comment", "adjusted_by", "adjusted_at"}}. It is pre-filled from the indicators;
    the coordinator may adjust a value (with a comment) while it is a draft, then validates it. Once validated
    it no longer changes, and the national animator sees it in aggregate with the other cités'.
    """

    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField("année")
    quarter = models.PositiveSmallIntegerField("trimestre")
    values = models.JSONField("valeurs", default=dict)
    state = models.CharField(
        "état", max_length=10, choices=QuestionnaireState.choices, default=QuestionnaireState.DRAFT
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_by_label = models.CharField("validé par", max_length=300, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    computed_at = models.DateTimeField("pré-rempli le")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "questionnaire trimestriel"
        verbose_name_plural = "questionnaires trimestriels"
        ordering = ["-year", "-quarter", "cite_id"]
        constraints = [
            models.UniqueConstraint(fields=["cite", "year", "quarter"], name="unique_quarterly_report"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_1_to_4"),
        ]
        indexes = [models.Index(fields=["year", "quarter", "state"])]

    def __str__(self) -> str:
        return f"Questionnaire T{self.quarter} {self.year}"

    @property
    def is_draft(self) -> bool:
        return self.state == QuestionnaireState.DRAFT

    @property
    def label(self) -> str:
        return f"{'1er' if self.quarter == 1 else f'{self.quarter}e'} trimestre {self.year}"


class DataVersion(models.Model):
    """How many committed changes a cité's data (scope = the cité's id) or any data (scope 0) has seen.

    Cached indicator results are keyed by these versions (see citemploi.reporting.freshness): a change
    makes the next dashboard compute afresh. `epoch` is drawn at random when the row is created and again
    when a backup is restored, so that results cached for another database never match.
    """

    scope = models.PositiveBigIntegerField(primary_key=True)
    version = models.PositiveBigIntegerField(default=0)
    epoch = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "version des données"
        verbose_name_plural = "versions des données"

    def __str__(self) -> str:
        return f"{self.scope}: {self.version}"
