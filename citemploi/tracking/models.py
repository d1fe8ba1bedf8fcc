"""Models of the tracking domain: the journal of a pathway, outcomes (sorties) and their follow-up checks,
and the per-cité settings of the dropping-out risk.

Reads outside this package go through `queries.py` (private notes never leave their author), writes through
`services.py`.
"""

from django.conf import settings
from django.db import models

from citemploi.partners.models import Membership, Structure
from citemploi.people.models import Beneficiary
from citemploi.territory.models import Cite
from citemploi.tracking import enums

#: default number of days without contact after which a person is at risk of dropping out
DEFAULT_DAYS_WITHOUT_CONTACT = 30


class TrackingSettings(models.Model):
    """A cité's settings of the tracking domain, created with the defaults the first time they are read."""

    cite = models.OneToOneField(Cite, on_delete=models.CASCADE, related_name="tracking_settings")
    days_without_contact = models.PositiveSmallIntegerField(
        "jours sans contact avant un risque de décrochage",
        default=DEFAULT_DAYS_WITHOUT_CONTACT,
        help_text="Une personne sans contact, rendez-vous ni étape au journal depuis ce nombre de jours "
        "est signalée à son·sa référent·e.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "paramètres du suivi"
        verbose_name_plural = "paramètres du suivi"

    def __str__(self) -> str:
        return f"paramètres du suivi de {self.cite_id}"


class JournalEntry(models.Model):
    """A dated entry of a person's pathway. Never deleted: a mistake is corrected by a correcting entry."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="journal_entries")
    kind = models.CharField("type", max_length=20, choices=enums.EntryKind.choices)
    occurred_on = models.DateField("date")
    text = models.TextField("compte rendu", max_length=5000)
    #: visible to its author only: never shown, exported or returned to anyone else
    private_note = models.TextField("note privée", max_length=2000, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrige l'entrée",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sensitive_confirmed = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "entrées du journal"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["beneficiary", "kind", "occurred_on"]),
            # a person's latest entries, newest first, without sorting the whole journal (the file's panel)
            models.Index(fields=["beneficiary", "occurred_on", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.occurred_on:%d/%m/%Y}"


class Outcome(models.Model):
    """A person's exit from the pathway (sortie) on a date, with what they went to."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="outcomes")
    type = models.CharField("type de sortie", max_length=30, choices=enums.OutcomeType.choices)
    outcome_on = models.DateField("date de sortie")
    employer = models.CharField("employeur ou organisme de formation", max_length=200, blank=True)
    contract_type = models.CharField(
        "type de contrat", max_length=30, choices=enums.ContractType.choices, blank=True
    )
    contract_months = models.PositiveSmallIntegerField(
        "durée du contrat ou de la formation (mois)", null=True, blank=True
    )
    weekly_hours = models.DecimalField(
        "heures par semaine", max_digits=4, decimal_places=1, null=True, blank=True
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        ordering = ["-outcome_on", "-id"]
        indexes = [models.Index(fields=["beneficiary", "outcome_on"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} le {self.outcome_on:%d/%m/%Y}"

    @property
    def is_checked(self) -> bool:
        return self.type in enums.CHECKED_TYPES


class FollowUpCheck(models.Model):
    """The check, 3, 6 or 12 months after a job or training outcome, that the person is still in it."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="checks")
    months = models.PositiveSmallIntegerField("échéance (mois)")
    due_on = models.DateField("à faire le")
    recorded_on = models.DateField("fait le", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    still_in_job_or_training = models.BooleanField("toujours en emploi ou en formation", null=True)
    situation = models.CharField("situation", max_length=20, choices=enums.CheckSituation.choices, blank=True)
    comment = models.TextField("commentaire", max_length=2000, blank=True)
    #: when the responsible référent was told by e-mail that the check fell due (once per check)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "point de suivi"
        verbose_name_plural = "points de suivi"
        ordering = ["due_on", "months", "id"]
        constraints = [models.UniqueConstraint(fields=["outcome", "months"], name="unique_check_per_month")]
        indexes = [
            models.Index(fields=["recorded_on", "due_on"]),
            # the checks due of one person's outcomes (risk signal on the référent's home page)
            models.Index(fields=["outcome", "recorded_on", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"point à {self.months} mois ({self.due_on:%d/%m/%Y})"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_on is not None
