"""Closed-loop orientations: a référent orients a person to a service of another structure of the cité.

The receiving structure reads only the `snapshot` taken at sending (what the person consented to share and the
sender chose to share), never the live file. Every change of status goes through `machine.move()`, which writes
an `OrientationTransition` row (who, when, from, to, why, through which channel).
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from citemploi.offer.models import Service
from citemploi.orientations.enums import Channel, RefusalReason, Status
from citemploi.partners.models import Structure
from citemploi.people.models import Beneficiary
from citemploi.territory.models import Cite

DEFAULT_ANSWER_DELAY_DAYS = 10
DEFAULT_REMINDER_DAYS = 2


class OrientationSettings(models.Model):
    """The cité's rules for orientations, edited by its coordinators."""

    cite = models.OneToOneField(Cite, on_delete=models.CASCADE, related_name="orientation_settings")
    answer_delay_days = models.PositiveSmallIntegerField(
        "délai de réponse (jours)",
        default=DEFAULT_ANSWER_DELAY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Sans réponse à l'échéance, l'orientation expire.",
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "relance (jours avant l'échéance)",
        default=DEFAULT_REMINDER_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
        help_text="La structure destinataire est relancée une fois, ce nombre de jours avant l'échéance "
        "(0 : pas de relance).",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "paramètres des orientations"

    def __str__(self) -> str:
        return f"orientations de {self.cite_id}"

    @property
    def answer_delay(self) -> timedelta:
        return timedelta(days=self.answer_delay_days)


class Orientation(models.Model):
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="orientations")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="orientations")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="orientations"
    )
    #: kept so that the orientation still reads right if the service is deleted
    service_name = models.CharField("service", max_length=150)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="orientations_sent"
    )
    #: null when a coordinator without structure sends it
    sender_structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="orientations_sent"
    )
    receiving_structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="orientations_received"
    )
    message = models.TextField("motif de l'orientation")
    shared_groups = models.JSONField("informations partagées", default=list)
    #: what the receiving structure reads: {"name": str, "rows": [{"group", "label", "value"}]}
    snapshot = models.JSONField(default=dict)
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField("envoyée le")
    deadline = models.DateTimeField("réponse attendue avant le")
    answered_at = models.DateTimeField("réponse le", null=True, blank=True)
    started_at = models.DateTimeField("commencée le", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    refusal_reason = models.CharField(
        "motif du refus", max_length=20, choices=RefusalReason.choices, blank=True
    )
    refusal_details = models.TextField("précisions sur le refus", blank=True)
    outcome = models.TextField("résultat", blank=True)
    reminded_at = models.DateTimeField("relancée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "orientation"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["cite", "-sent_at"]),
            models.Index(fields=["receiving_structure", "status", "-sent_at"]),
            models.Index(fields=["sender_structure", "-sent_at"]),
            models.Index(fields=["status", "deadline"]),
            # one person's orientations: unanswered ones (risk signal), the newest first (file panel)
            models.Index(fields=["beneficiary", "status", "deadline"]),
            models.Index(fields=["beneficiary", "-sent_at"]),
            # indicators: the orientations sent in a period, what became of them and their delays, read
            # from the index alone (no table lookup per orientation)
            models.Index(fields=["cite", "sent_at", "status", "answered_at", "started_at"]),
            # indicators: the refused orientations sent in a period, by reason, from the index alone
            models.Index(fields=["cite", "status", "sent_at", "refusal_reason"]),
            # indicators: whether a person had an orientation answered or started in a period (one seek per
            # person, the service read from the index, no table lookup per orientation)
            models.Index(fields=["beneficiary", "service", "status", "answered_at", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"Orientation n° {self.pk}"

    @property
    def person_name(self) -> str:
        return str(self.snapshot.get("name", ""))


class OrientationTransition(models.Model):
    """One change of status: who (or « lien à usage unique »), when, from, to, why, through which channel."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField("le")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("par", max_length=200)
    actor_structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField("de", max_length=12, choices=Status.choices, blank=True)
    target = models.CharField("à", max_length=12, choices=Status.choices)
    reason = models.TextField("motif", blank=True)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.orientation_id}: {self.source} → {self.target}"


class AnswerLink(models.Model):
    """A single-use link e-mailed to a receiving structure: only the SHA-256 of its token is stored."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    recipient = models.EmailField("destinataire")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    #: a newer link (reminder) replaces this one
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"lien de l'orientation {self.orientation_id}"
