"""Models of the secrecy domain: thresholds per cité and audience, and the log of suppressions."""

from django.db import models

DEFAULT_THRESHOLD = 11


class Audience(models.TextChoices):
    """Who a figure leaving the cité is published for."""

    NATIONAL = "national", "Animation nationale"
    FUNDERS = "funders", "Financeurs"
    PUBLIC = "public", "Public"
    STEERING = "steering", "Comité de pilotage"


class SecrecySettings(models.Model):
    """The threshold a cité applies to one audience (absent: the cité's default threshold, 11 unless set)."""

    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="secrecy_settings")
    audience = models.CharField("public destinataire", max_length=20, choices=Audience.choices)
    threshold = models.PositiveSmallIntegerField("seuil", default=DEFAULT_THRESHOLD)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "seuil de secret statistique"
        constraints = [
            models.UniqueConstraint(fields=["cite", "audience"], name="secrecy_one_threshold_per_audience"),
            models.CheckConstraint(condition=models.Q(threshold__gte=1), name="secrecy_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.cite_id} · {self.get_audience_display()} : {self.threshold}"


class SuppressionRule(models.TextChoices):
    PRIMARY = "primary", "Primaire (effectif sous le seuil)"
    COMPLEMENTARY = "complementary", "Complémentaire (empêche le recalcul)"
    RATE = "rate", "Taux (dénominateur sous le seuil)"


class SuppressionLog(models.Model):
    """One figure hidden from a published table: which indicator, which cell, why, for whom, when."""

    cite = models.ForeignKey(
        "territory.Cite", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    indicator = models.CharField("indicateur", max_length=120)
    cell_key = models.JSONField("cellule")
    rule = models.CharField("règle", max_length=20, choices=SuppressionRule.choices)
    audience = models.CharField("public destinataire", max_length=20, choices=Audience.choices)
    threshold = models.PositiveSmallIntegerField("seuil")
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "figure masquée"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cite", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.cell_key} ({self.rule})"
