"""The cité's roadmap (feuille de route): objectives per stake, their indicators, and the actions serving them."""

from django.conf import settings
from django.db import models

from citemploi.partnership.enums import ActionStatus, Stake


class Objective(models.Model):
    """An objective of the roadmap, under one of the three stakes, owned by a partner structure."""

    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="roadmap_objectives")
    stake = models.CharField("enjeu", max_length=20, choices=Stake.choices)
    title = models.CharField("objectif", max_length=250)
    description = models.TextField("description", blank=True)
    owner = models.ForeignKey(
        "partners.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_objectives",
        verbose_name="pilote",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "objectif de la feuille de route"
        ordering = ["stake", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """How an objective is measured: a target and the value reached so far."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField("indicateur", max_length=250)
    unit = models.CharField("unité", max_length=40, blank=True, help_text="personnes, %, réunions…")
    baseline = models.DecimalField("valeur de départ", max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("cible", max_digits=12, decimal_places=2)
    current = models.DecimalField("valeur atteinte", max_digits=12, decimal_places=2, null=True, blank=True)
    target_date = models.DateField("échéance", null=True, blank=True)
    measured_on = models.DateField("mesurée le", null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label

    @property
    def progress_percent(self) -> int | None:
        """Share of the way from the baseline (0 by default) to the target, bounded to 0–100."""
        if self.current is None:
            return None
        start = self.baseline or 0
        span = self.target - start
        if span == 0:
            return 100 if self.current >= self.target else 0
        share = float((self.current - start) / span * 100)
        return int(max(0.0, min(100.0, share)))


class RoadmapAction(models.Model):
    """An action of the roadmap serving an objective. Its status moves through explicit transitions."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("action", max_length=250)
    description = models.TextField("description", blank=True)
    owner = models.ForeignKey(
        "partners.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_roadmap_actions",
        verbose_name="pilote",
    )
    starts_on = models.DateField("début prévu", null=True, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED, editable=False
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "action de la feuille de route"
        ordering = ["objective", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ActionTransition(models.Model):
    """The transition log of a roadmap action: who moved it, when, from which status to which, and why."""

    action = models.ForeignKey(RoadmapAction, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    to_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    reason = models.TextField("motif", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
