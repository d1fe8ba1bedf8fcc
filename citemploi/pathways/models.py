"""Models of the pathways domain: a person's diagnostic (barriers), plan (objectives → actions) and hand-overs.

Everything here is personal data of a person followed by the cité: reads go through `queries.py`, writes
through `services.py`. A barrier record of barrier 8 (health, disability) or whose situation is about justice
or addiction is *sensitive*: only those who may see the person's sensitive data see it (or learn it exists).
"""

from django.conf import settings
from django.db import models

from citemploi.offer.referentials import BARRIERS_BY_CODE, Barrier, BarrierCode
from citemploi.partners.models import Membership, Structure
from citemploi.pathways import enums
from citemploi.people.enums import ConsentMethod
from citemploi.people.models import Beneficiary
from citemploi.territory.models import Cite


class Situation(models.Model):
    """A detail of a barrier from a referential of situations ("Enfant de moins de 3 ans sans mode de garde")."""

    code = models.CharField("code", max_length=120, unique=True)
    label = models.CharField("libellé", max_length=250)
    barrier = models.CharField("frein", max_length=40, choices=BarrierCode.choices, db_index=True)
    sensitive = models.BooleanField(
        "sensible",
        default=False,
        help_text="Santé, handicap, justice ou addiction : réservé au·à la référent·e responsable.",
    )
    source = models.CharField("source", max_length=100, default="citemploi")
    active = models.BooleanField("proposée dans les formulaires", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "situation"
        ordering = ["barrier", "label", "id"]

    def __str__(self) -> str:
        return self.label


class BarrierRecord(models.Model):
    """One barrier of a person's diagnostic, with its life cycle (see enums.BARRIER_TRANSITIONS)."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="barrier_records")
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    barrier = models.CharField("frein", max_length=40, choices=BarrierCode.choices)
    situation = models.ForeignKey(
        Situation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name="situation",
    )
    #: barrier 8, or a situation about justice or addiction (kept on the row so that lists filter on it)
    sensitive = models.BooleanField(default=False, editable=False)
    severity = models.CharField(
        "sévérité", max_length=10, choices=enums.BarrierSeverity.choices, default=enums.BarrierSeverity.MEDIUM
    )
    source = models.CharField(
        "source", max_length=20, choices=enums.BarrierSource.choices, default=enums.BarrierSource.INTERVIEW
    )
    comment = models.TextField("commentaire", blank=True)
    identified_on = models.DateField("identifié le")
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identified_by_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identified_by_structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        "état", max_length=20, choices=enums.BarrierState.choices, default=enums.BarrierState.IDENTIFIED
    )
    state_changed_at = models.DateTimeField("dernier changement d'état")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "frein identifié"
        verbose_name_plural = "freins identifiés"
        ordering = ["identified_on", "id"]
        indexes = [
            models.Index(fields=["beneficiary", "state"]),
            # indicators: a cité's records identified up to a date, by barrier, from the index alone
            models.Index(fields=["cite", "identified_on", "barrier"]),
            models.Index(fields=["state", "identified_on"]),
        ]

    def __str__(self) -> str:
        return self.barrier_label

    @property
    def barrier_def(self) -> Barrier:
        return BARRIERS_BY_CODE[self.barrier]

    @property
    def barrier_label(self) -> str:
        b = BARRIERS_BY_CODE.get(self.barrier)
        return f"{b.number}. {b.label}" if b else self.barrier

    @property
    def is_open(self) -> bool:
        return self.state in enums.OPEN_BARRIER_STATES

    @property
    def allowed_transitions(self) -> list[tuple[str, str]]:
        return [(s, enums.BarrierState(s).label) for s in enums.BARRIER_TRANSITIONS.get(self.state, ())]


class Transition(models.Model):
    """Who changed a state, when, from what to what, and why."""

    from_state = models.CharField("de", max_length=20, blank=True)
    to_state = models.CharField("vers", max_length=20)
    reason = models.CharField("motif", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_structure = models.ForeignKey(Structure, on_delete=models.SET_NULL, null=True, related_name="+")

    #: the choices of the states this log records
    STATES: type[models.TextChoices] = enums.BarrierState

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @property
    def from_label(self) -> str:
        return self._label(self.from_state)

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)

    def _label(self, state: str) -> str:
        return str(dict(self.STATES.choices).get(state, state)) if state else ""


class BarrierTransition(Transition):
    record = models.ForeignKey(BarrierRecord, on_delete=models.CASCADE, related_name="transitions")

    class Meta(Transition.Meta):
        # the state of a record on a date (its last transition before it): one seek, no sort, the state read
        # from the index; the records moved to a state in a period (the barriers lifted in it): one range,
        # the record read from the index
        indexes = [
            models.Index(fields=["record", "at", "id", "to_state"]),
            models.Index(fields=["to_state", "at", "record"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Objective(models.Model):
    """An objective of a person's plan, linked to the barriers it works on."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="objectives")
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("intitulé", max_length=200)
    barriers = models.ManyToManyField(
        BarrierRecord, blank=True, related_name="objectives", verbose_name="freins liés"
    )
    #: linked to a sensitive barrier: hidden with it
    sensitive = models.BooleanField(default=False, editable=False)
    status = models.CharField(
        "statut",
        max_length=20,
        choices=enums.PlanObjectiveStatus.choices,
        default=enums.PlanObjectiveStatus.OPEN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "objectif"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def allowed_transitions(self) -> list[tuple[str, str]]:
        return [
            (s, enums.PlanObjectiveStatus(s).label) for s in enums.OBJECTIVE_TRANSITIONS.get(self.status, ())
        ]


class ObjectiveTransition(Transition):
    STATES = enums.PlanObjectiveStatus
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class PlanAction(models.Model):
    """An action of the plan: what is to be done, by whom (a person or a structure of the cité), by when."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="plan_actions")
    title = models.CharField("intitulé", max_length=200)
    owner_membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="porteur (personne)",
    )
    owner_structure = models.ForeignKey(
        Structure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="porteur (structure)",
    )
    due_on = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=enums.PlanActionStatus.choices, default=enums.PlanActionStatus.TODO
    )
    status_changed_at = models.DateTimeField("dernier changement de statut")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "action du plan"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["beneficiary", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def allowed_transitions(self) -> list[tuple[str, str]]:
        return [(s, enums.PlanActionStatus(s).label) for s in enums.ACTION_TRANSITIONS.get(self.status, ())]

    def is_overdue(self, today) -> bool:  # type: ignore[no-untyped-def]
        return (
            self.status in enums.PENDING_ACTION_STATUSES and self.due_on is not None and self.due_on < today
        )


class ActionTransition(Transition):
    STATES = enums.PlanActionStatus
    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class HandOver(models.Model):
    """A person handed over from one structure (or référent) to another, with the person's consent."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="handovers")
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="+")
    from_structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    from_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    to_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField("motif", max_length=500)
    consent_given_on = models.DateField("consentement donné le")
    consent_method = models.CharField("recueil du consentement", max_length=12, choices=ConsentMethod.choices)
    kept_in_followup = models.BooleanField(
        "structure d'origine gardée dans le groupe de suivi", default=False
    )
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "passage de relais"
        verbose_name_plural = "passages de relais"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"passage de relais #{self.beneficiary_id}"
