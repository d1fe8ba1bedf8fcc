"""Models of the cohorts domain: cohorts, their candidates (with a transition log) and the commission.

States are changed by citemploi.cohorts.services only (see `machine.py`); nothing else writes `state`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from citemploi.cohorts import enums
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Membership, Structure
from citemploi.people.enums import AgeBand, Gender
from citemploi.people.models import Beneficiary
from citemploi.territory.models import Cite


class Cohort(models.Model):
    """A group of people with common traits, followed together with a dedicated engineering."""

    cite = models.ForeignKey(Cite, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField("nom", max_length=200)
    target_public = models.TextField("public visé")
    # Structured criteria (all optional): what a coordinator filters a public on.
    age_band = models.CharField("tranche d'âge", max_length=10, choices=AgeBand.choices, blank=True)
    gender = models.CharField("genre", max_length=1, choices=Gender.choices, blank=True)
    qpv_residents_only = models.BooleanField("résident·es des QPV uniquement", default=True)
    schemes = models.JSONField("dispositifs", default=list, blank=True)
    followed_by_kind = models.CharField(
        "suivi·es par une structure de type", max_length=30, choices=StructureKind.choices, blank=True
    )
    criteria_text = models.TextField("autres critères", blank=True)
    target_size = models.PositiveIntegerField("effectif visé")
    start_date = models.DateField("date de début")
    end_date = models.DateField("date de fin", null=True, blank=True)
    referent_structures = models.ManyToManyField(
        Structure, related_name="referent_of_cohorts", verbose_name="structures référentes", blank=True
    )
    state = models.CharField(
        "état", max_length=10, choices=enums.CohortState.choices, default=enums.CohortState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "cohorte"
        ordering = ["-start_date", "name", "id"]
        indexes = [models.Index(fields=["cite", "state"])]

    def __str__(self) -> str:
        return self.name

    def scheme_labels(self) -> list[str]:
        return [str(enums.Scheme(s).label) for s in self.schemes if s in enums.Scheme.values]


class CohortMember(models.Model):
    """A person proposed for a cohort by a partner structure, and where they are in its life cycle.

    The proposing structure keeps responsibility for the person: nothing here changes their file.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="members")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="cohort_memberships")
    proposing_structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="cohort_proposals", verbose_name="structure"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposal_reason = models.TextField("motif de la proposition")
    proposed_on = models.DateField("date de la proposition")
    state = models.CharField(
        "état", max_length=15, choices=enums.MemberState.choices, default=enums.MemberState.PROPOSED
    )
    not_retained_reason = models.CharField(
        "motif de non-retenue", max_length=20, choices=enums.NotRetainedReason.choices, blank=True
    )
    integrated_on = models.DateField("date d'intégration", null=True, blank=True)
    exit_reason = models.CharField(
        "motif de sortie", max_length=20, choices=enums.ExitReason.choices, blank=True
    )
    exited_on = models.DateField("date de sortie", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "candidat·e"
        ordering = ["proposed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "beneficiary"],
                condition=Q(state__in=sorted(enums.ACTIVE_STATES)),
                name="one_active_membership_per_cohort",
            )
        ]
        indexes = [models.Index(fields=["cohort", "state"])]

    def __str__(self) -> str:
        return f"{self.cohort_id}/{self.beneficiary_id}: {self.state}"


class MemberTransition(models.Model):
    """The transition log of a candidate: who, when, from, to, why (and the session that decided)."""

    member = models.ForeignKey(CohortMember, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=15, blank=True)
    to_state = models.CharField(max_length=15)
    #: the date the fact happened (the session's date for a decision): the figures count on it
    effective_on = models.DateField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    session = models.ForeignKey(
        "CommissionSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["to_state", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_state} → {self.to_state}"


class CommissionSession(models.Model):
    """A (monthly) session of the commission that examines the candidates of one or more cohorts."""

    cite = models.ForeignKey(Cite, on_delete=models.PROTECT, related_name="commission_sessions")
    title = models.CharField("intitulé", max_length=200, default="Commission des cohortes")
    held_on = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=200, blank=True)
    cohorts = models.ManyToManyField(Cohort, related_name="sessions", verbose_name="cohortes examinées")
    chair = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="présidence de séance",
    )
    status = models.CharField(
        max_length=12, choices=enums.SessionStatus.choices, default=enums.SessionStatus.PREPARING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "séance de commission"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["cite", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.title} du {self.held_on:%d/%m/%Y}"

    @property
    def locked(self) -> bool:
        return self.status == enums.SessionStatus.CLOSED


class SessionAttendee(models.Model):
    """A membership convened to a session, and whether it was present."""

    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="attendees")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField("présent·e", default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="unique_attendee")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.membership_id}"


class AgendaItem(models.Model):
    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="agenda")
    member = models.ForeignKey(CohortMember, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="unique_agenda_item")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.member_id}"


class Recusal(models.Model):
    """A present member whose own structure proposed the candidate takes no part in that decision."""

    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="recusals")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(CohortMember, on_delete=models.CASCADE, related_name="recusals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "membership", "member"], name="unique_recusal")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.membership_id} récusé·e pour {self.member_id}"


class Decision(models.Model):
    """The commission's decision on one candidate of its agenda; locked when the session is closed."""

    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="decisions")
    member = models.ForeignKey(CohortMember, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField("décision", max_length=15, choices=enums.CommissionOutcome.choices)
    not_retained_reason = models.CharField(
        "motif de non-retenue", max_length=20, choices=enums.NotRetainedReason.choices, blank=True
    )
    reason = models.TextField("motif", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="unique_cohort_decision")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.member_id}: {self.outcome}"
