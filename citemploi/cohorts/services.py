"""Writes of the cohorts domain. Screens, the API and the demo all go through here.

Each service checks the policy for the acting context, writes in one transaction with its audit row, and
refuses stale edits (optimistic concurrency on `version`) and changes to a closed session.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from citemploi.cohorts import machine, queries
from citemploi.cohorts.enums import (
    ACTIVE_STATES,
    AGENDA_STATES,
    CohortState,
    CommissionOutcome,
    ExitReason,
    MemberState,
    NotRetainedReason,
    Scheme,
    SessionStatus,
)
from citemploi.cohorts.machine import TransitionRefused  # noqa: F401 - re-exported for callers
from citemploi.cohorts.models import (
    AgendaItem,
    Cohort,
    CohortMember,
    CommissionSession,
    Decision,
    Recusal,
    SessionAttendee,
)
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.partners.models import Membership, Structure
from citemploi.people import queries as people_queries
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary

COHORT_FIELDS = [
    "name",
    "target_public",
    "age_band",
    "gender",
    "qpv_residents_only",
    "schemes",
    "followed_by_kind",
    "criteria_text",
    "target_size",
    "start_date",
    "end_date",
]

#: roles a session may convene: commission members, référents of partner structures, the coordination
CONVENABLE_ROLES = (Role.COMMISSION_MEMBER, Role.REFERENT, Role.COORDINATOR)


class SessionLocked(Exception):
    """The session is closed: its decisions can no longer change (a correction is a later decision)."""

    def __init__(self) -> None:
        super().__init__(
            "La séance est clôturée : ses décisions sont verrouillées. Pour corriger une décision, "
            "inscrivez la personne à l'ordre du jour d'une prochaine séance."
        )


class Recused(Exception):
    """The acting member is recused for this candidate: their structure proposed them."""

    def __init__(self) -> None:
        super().__init__(
            "Vous êtes récusé·e pour cette candidature : votre structure l'a proposée. "
            "La décision doit être enregistrée par un autre membre de la commission."
        )


# --- Cohorts ------------------------------------------------------------------------------------------------


def _check_cohort(ctx: ActingContext, cohort: Cohort, structures: Iterable[Structure]) -> None:
    errors: dict[str, str] = {}
    if cohort.end_date and cohort.start_date and cohort.end_date < cohort.start_date:
        errors["end_date"] = "La date de fin doit suivre la date de début."
    unknown = [s for s in cohort.schemes if s not in Scheme.values]
    if unknown:
        errors["schemes"] = f"Dispositifs inconnus : {', '.join(map(str, unknown))}."
    partner_ids = set(
        Structure.objects.filter(partnerships__cite_id=ctx.cite_id).values_list("pk", flat=True)
    )
    if any(s.pk not in partner_ids for s in structures):
        errors["referent_structures"] = "Les structures référentes doivent être partenaires de la cité."
    if errors:
        raise ValidationError(errors)
    cohort.full_clean(exclude=["cite", "created_by", "referent_structures"])


@transaction.atomic
def create_cohort(
    *, ctx: ActingContext, data: dict[str, Any], referent_structures: Iterable[Structure] = ()
) -> Cohort:
    """Create a cohort of the acting cité (a draft until it is opened)."""
    require(ctx, "cohort.manage")
    unknown = set(data) - set(COHORT_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    structures = list(referent_structures)
    cohort = Cohort(cite_id=ctx.cite_id, created_by=ctx.user, **data)
    _check_cohort(ctx, cohort, structures)
    cohort.save()
    cohort.referent_structures.set(structures)
    audit.log(
        ctx,
        "cohort.create",
        cohort,
        changes={f: [None, getattr(cohort, f)] for f in COHORT_FIELDS}
        | {"referent_structures": [s.name for s in structures]},
    )
    return cohort


@transaction.atomic
def update_cohort(
    *,
    ctx: ActingContext,
    cohort: Cohort,
    data: dict[str, Any],
    referent_structures: Iterable[Structure],
    expected_version: int | None = None,
) -> Cohort:
    require(ctx, "cohort.manage")
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk, cite_id=ctx.cite_id)
    if expected_version is not None and expected_version != locked.version:
        raise StaleEdit(
            "La cohorte a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : "
            "rechargez la page et refaites vos changements."
        )
    before = audit.snapshot(locked, COHORT_FIELDS)
    for name, value in data.items():
        if name not in COHORT_FIELDS:
            raise ValidationError(f"Champ inconnu : {name}")
        setattr(locked, name, value)
    structures = list(referent_structures)
    _check_cohort(ctx, locked, structures)
    locked.version = F("version") + 1
    locked.save(update_fields=[*data.keys(), "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    locked.referent_structures.set(structures)
    audit.log(ctx, "cohort.update", locked, changes=audit.diff(locked, before, COHORT_FIELDS))
    return locked


COHORT_EDGES: dict[str, set[str]] = {
    CohortState.DRAFT: {CohortState.OPEN},
    CohortState.OPEN: {CohortState.CLOSED},
    CohortState.CLOSED: {CohortState.OPEN},
}


@transaction.atomic
def set_cohort_state(*, ctx: ActingContext, cohort: Cohort, state: str) -> Cohort:
    """Open a draft (partners may then propose people), close a cohort, or reopen it."""
    require(ctx, "cohort.manage")
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk, cite_id=ctx.cite_id)
    if state not in COHORT_EDGES.get(locked.state, set()):
        raise ValidationError(
            f"Passage impossible de « {locked.get_state_display()} » à « {CohortState(state).label} »."
        )
    source = locked.state
    locked.state = state
    locked.save(update_fields=["state", "updated_at"])
    audit.log(ctx, f"cohort.{state}", locked, changes={"state": [source, state]})
    cohort.state = state
    return locked


# --- Candidates ---------------------------------------------------------------------------------------------


@transaction.atomic
def propose(
    *,
    ctx: ActingContext,
    cohort: Cohort,
    beneficiary: Beneficiary,
    reason: str,
    proposed_on: date | None = None,
) -> CohortMember:
    """A référent proposes a person their structure follows for a cohort.

    The person must have consented to be presented in commission; the cohort must be open; the acting
    structure must be one of the cohort's référent structures (when it has some). The proposing structure
    keeps responsibility for the person: their file is not changed.
    """
    require(ctx, "cohort.propose")
    if ctx.structure_id is None:
        raise PermissionDenied("Choisissez la structure pour laquelle vous agissez.")
    if cohort.cite_id != ctx.cite_id or not people_queries.can(ctx, "cohort.propose", beneficiary):
        raise PermissionDenied("Vous ne pouvez proposer que des personnes suivies par votre structure.")
    errors: dict[str, str] = {}
    if cohort.state != CohortState.OPEN:
        errors["cohort"] = "Cette cohorte n'est pas ouverte aux propositions."
    elif (
        cohort.referent_structures.exists()
        and not cohort.referent_structures.filter(pk=ctx.structure_id).exists()
    ):
        errors["cohort"] = "Votre structure n'est pas référente de cette cohorte."
    if not reason.strip():
        errors["reason"] = "Indiquez le motif de la proposition."
    if not people_queries.has_active_consent(beneficiary, ConsentScope.COMMISSION):
        errors["beneficiary"] = (
            "La personne n'a pas donné son accord pour être présentée en commission : enregistrez d'abord "
            "son consentement « Présentation en commission de cohorte » sur sa fiche."
        )
    if CohortMember.objects.filter(cohort=cohort, beneficiary=beneficiary, state__in=ACTIVE_STATES).exists():
        errors["beneficiary"] = "Cette personne est déjà candidate ou membre de cette cohorte."
    today = timezone.localdate()
    if proposed_on is not None and proposed_on > today:
        errors["proposed_on"] = "La date de la proposition ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    today = proposed_on or today
    try:
        with transaction.atomic():
            member = CohortMember.objects.create(
                cohort=cohort,
                beneficiary=beneficiary,
                proposing_structure_id=ctx.structure_id,
                proposed_by=ctx.user,
                proposal_reason=reason.strip(),
                proposed_on=today,
            )
    except IntegrityError as exc:  # a concurrent proposal of the same person
        raise ValidationError({"beneficiary": "Cette personne est déjà candidate de cette cohorte."}) from exc
    machine.log_transition(ctx, member, "", MemberState.PROPOSED, effective_on=today, reason=reason)
    audit.log(
        ctx,
        "cohort_member.proposed",
        member,
        beneficiary_id=beneficiary.pk,
        changes={"cohort": cohort.name, "reason": reason.strip()},
    )
    return member


@transaction.atomic
def exit_member(
    *, ctx: ActingContext, member: CohortMember, reason: str, details: str = "", exited_on: date | None = None
) -> CohortMember:
    """An integrated person leaves the cohort, with a reason from the list (and details)."""
    require(ctx, "cohort.exit")
    if not people_queries.can(ctx, "cohort.exit", member.beneficiary):
        raise PermissionDenied(
            "Seule la structure responsable de la personne ou la coordination peut la faire sortir."
        )
    exited_on = exited_on or timezone.localdate()
    errors: dict[str, str] = {}
    if reason not in ExitReason.values:
        errors["reason"] = "Choisissez le motif de sortie dans la liste."
    elif reason == ExitReason.OTHER and not details.strip():
        errors["details"] = "Précisez le motif de sortie."
    if exited_on > timezone.localdate():
        errors["exited_on"] = "La date de sortie ne peut pas être dans le futur."
    elif member.integrated_on and exited_on < member.integrated_on:
        errors["exited_on"] = "La date de sortie ne peut pas précéder la date d'intégration."
    if errors:
        raise ValidationError(errors)
    text = str(ExitReason(reason).label) + (f" — {details.strip()}" if details.strip() else "")
    return machine.move(
        ctx,
        member,
        MemberState.EXITED,
        effective_on=exited_on,
        reason=text,
        extra_fields={"exit_reason": reason, "exited_on": exited_on},
    )


# --- Commission sessions ------------------------------------------------------------------------------------


def convenable_memberships(cite_id: int | None):  # noqa: ANN201 - a QuerySet of Membership
    return (
        Membership.objects.filter(cite_id=cite_id, role__in=CONVENABLE_ROLES, is_active=True)
        .select_related("user", "structure")
        .order_by("role", "structure__name", "user__last_name", "id")
    )


def agenda_candidates(cite_id: int | None, session: CommissionSession | None = None):  # noqa: ANN201
    """Candidates that may go on an agenda: proposed or waiting, in a cohort that is not a draft (and those
    already on `session`'s agenda, whatever their state now)."""
    condition = Q(cohort__cite_id=cite_id, state__in=AGENDA_STATES) & ~Q(cohort__state=CohortState.DRAFT)
    if session is not None:
        condition |= Q(agenda_items__session=session)
    return (
        CohortMember.objects.filter(condition)
        .select_related("beneficiary", "proposing_structure", "cohort")
        .distinct()
        .order_by("cohort__name", "proposed_on", "id")
    )


def _refresh_recusals(session: CommissionSession) -> int:
    """A present member whose own structure proposed a candidate of the agenda is recused for them."""
    session.recusals.all().delete()
    present = [a.membership for a in session.attendees.filter(present=True).select_related("membership")]
    rows = []
    for item in session.agenda.select_related("member"):
        for m in present:
            if m.structure_id and m.structure_id == item.member.proposing_structure_id:
                rows.append(Recusal(session=session, membership=m, member=item.member))
    Recusal.objects.bulk_create(rows)
    return len(rows)


def _write_session(
    ctx: ActingContext,
    session: CommissionSession,
    *,
    cohorts: list[Cohort],
    convened: list[Membership],
    present: list[Membership],
    agenda: list[CohortMember],
) -> None:
    errors: dict[str, str] = {}
    if not cohorts:
        errors["cohorts"] = "Choisissez au moins une cohorte examinée."
    if any(c.cite_id != ctx.cite_id or c.state == CohortState.DRAFT for c in cohorts):
        errors["cohorts"] = "Les cohortes examinées doivent être des cohortes ouvertes de la cité."
    allowed = set(convenable_memberships(ctx.cite_id).values_list("pk", flat=True))
    if any(m.pk not in allowed for m in convened):
        errors["convened"] = (
            "Seuls les membres de la commission, les référent·es et la coordination de la cité peuvent être convoqué·es."
        )
    convened_ids = {m.pk for m in convened}
    if any(m.pk not in convened_ids for m in present):
        errors["present"] = "Une personne présente doit avoir été convoquée."
    if session.chair_id and session.chair_id not in convened_ids:
        errors["chair"] = "La présidence de séance revient à une personne convoquée."
    cohort_ids = {c.pk for c in cohorts}
    already = set(session.agenda.values_list("member_id", flat=True)) if session.pk else set()
    for m in agenda:
        if m.cohort_id not in cohort_ids:
            errors["agenda"] = "Chaque candidature de l'ordre du jour doit relever d'une cohorte examinée."
        elif m.state not in AGENDA_STATES and m.pk not in already:
            errors["agenda"] = (
                "Seules les personnes proposées ou en attente peuvent être inscrites à l'ordre du jour."
            )
    if errors:
        raise ValidationError(errors)
    session.full_clean(exclude=["cite", "chair", "closed_by", "created_by"])
    session.save()
    session.cohorts.set(cohorts)
    present_ids = {m.pk for m in present}
    session.attendees.exclude(membership_id__in=convened_ids).delete()
    existing = {a.membership_id: a for a in session.attendees.all()}
    for person in convened:
        a = existing.get(person.pk)
        if a is None:
            SessionAttendee.objects.create(
                session=session, membership=person, present=person.pk in present_ids
            )
        elif a.present != (person.pk in present_ids):
            a.present = person.pk in present_ids
            a.save(update_fields=["present"])
    agenda_ids = [m.pk for m in agenda]
    removed = session.agenda.exclude(member_id__in=agenda_ids)
    session.decisions.filter(member_id__in=removed.values("member_id")).delete()
    removed.delete()
    kept = set(session.agenda.values_list("member_id", flat=True))
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(session=session, member_id=pk, position=n)
            for n, pk in enumerate(agenda_ids)
            if pk not in kept
        ]
    )
    for n, pk in enumerate(agenda_ids):
        session.agenda.filter(member_id=pk).exclude(position=n).update(position=n)
    _refresh_recusals(session)


SESSION_FIELDS = ["title", "held_on", "place", "chair"]


@transaction.atomic
def create_session(
    *,
    ctx: ActingContext,
    data: dict[str, Any],
    cohorts: list[Cohort],
    convened: list[Membership],
    present: list[Membership] | None = None,
    agenda: list[CohortMember] | None = None,
) -> CommissionSession:
    """Plan a session: date, cohorts examined, members convened (and present), agenda of candidates.
    Recusals follow automatically from presence and agenda."""
    require(ctx, "commission.manage")
    session = CommissionSession(cite_id=ctx.cite_id, created_by=ctx.user, **data)
    _write_session(
        ctx, session, cohorts=cohorts, convened=convened, present=present or [], agenda=agenda or []
    )
    audit.log(
        ctx,
        "commission.create",
        session,
        changes={
            "held_on": session.held_on,
            "cohorts": [c.name for c in cohorts],
            "convened": len(convened),
            "agenda": len(agenda or []),
        },
    )
    return session


@transaction.atomic
def update_session(
    *,
    ctx: ActingContext,
    session: CommissionSession,
    data: dict[str, Any],
    cohorts: list[Cohort],
    convened: list[Membership],
    present: list[Membership],
    agenda: list[CohortMember],
    expected_version: int | None = None,
) -> CommissionSession:
    require(ctx, "commission.manage")
    locked = CommissionSession.objects.select_for_update().get(pk=session.pk, cite_id=ctx.cite_id)
    if locked.locked:
        raise SessionLocked()
    if expected_version is not None and expected_version != locked.version:
        raise StaleEdit(
            "La séance a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : "
            "rechargez la page et refaites vos changements."
        )
    before = audit.snapshot(locked, SESSION_FIELDS)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.version += 1
    _write_session(ctx, locked, cohorts=cohorts, convened=convened, present=present, agenda=agenda)
    audit.log(
        ctx,
        "commission.update",
        locked,
        changes=audit.diff(locked, before, SESSION_FIELDS) | {"present": len(present), "agenda": len(agenda)},
    )
    return locked


@transaction.atomic
def record_decision(
    *,
    ctx: ActingContext,
    session: CommissionSession,
    member: CohortMember,
    outcome: str,
    not_retained_reason: str = "",
    reason: str = "",
) -> Decision:
    """The commission's decision on a candidate of the agenda, recorded by the coordination or the chair.

    Refused when the session is closed (SessionLocked) or when the acting member is recused for this
    candidate (Recused). A not retained candidate needs a reason from the list.
    """
    require(ctx, "commission.decide")
    locked = CommissionSession.objects.select_for_update().get(pk=session.pk, cite_id=ctx.cite_id)
    if not queries.can_decide(ctx, locked):
        raise PermissionDenied("Seule la coordination ou la présidence de séance enregistre les décisions.")
    if locked.locked:
        raise SessionLocked()
    if not locked.agenda.filter(member=member).exists():
        raise ValidationError({"member": "Cette personne n'est pas inscrite à l'ordre du jour de la séance."})
    if (
        ctx.membership is not None
        and locked.recusals.filter(membership=ctx.membership, member=member).exists()
    ):
        raise Recused()
    errors: dict[str, str] = {}
    if outcome not in CommissionOutcome.values:
        errors["outcome"] = "Choisissez la décision : intégré·e, en attente ou non retenu·e."
    elif outcome == CommissionOutcome.NOT_RETAINED:
        if not_retained_reason not in NotRetainedReason.values:
            errors["not_retained_reason"] = "Choisissez le motif de non-retenue dans la liste."
        elif not_retained_reason == NotRetainedReason.OTHER and not reason.strip():
            errors["reason"] = "Précisez le motif de non-retenue."
    if errors:
        raise ValidationError(errors)
    if outcome != CommissionOutcome.NOT_RETAINED:
        not_retained_reason = ""
    decision, created = Decision.objects.update_or_create(
        session=locked,
        member=member,
        defaults={
            "outcome": outcome,
            "not_retained_reason": not_retained_reason,
            "reason": reason.strip(),
            "recorded_by": ctx.user,
        },
    )
    audit.log(
        ctx,
        "commission.decision",
        decision,
        beneficiary_id=member.beneficiary_id,
        changes={"outcome": outcome, "not_retained_reason": not_retained_reason, "reason": reason.strip()},
    )
    return decision


@transaction.atomic
def close_session(*, ctx: ActingContext, session: CommissionSession) -> CommissionSession:
    """Close the session: its decisions are locked and applied to the candidates (examined, then
    integrated / waiting / not retained, dated the session's day). Undecided candidates stay as they were
    and may come back on a later agenda."""
    require(ctx, "commission.decide")
    locked = CommissionSession.objects.select_for_update().get(pk=session.pk, cite_id=ctx.cite_id)
    if not queries.can_decide(ctx, locked):
        raise PermissionDenied("Seule la coordination ou la présidence de séance clôt la séance.")
    if locked.locked:
        raise SessionLocked()
    decisions = list(locked.decisions.select_related("member").order_by("id"))
    for d in decisions:
        member = d.member
        text = d.get_outcome_display()
        if d.outcome == CommissionOutcome.NOT_RETAINED:
            text = f"{NotRetainedReason(d.not_retained_reason).label}" + (
                f" — {d.reason}" if d.reason else ""
            )
        elif d.reason:
            text = f"{text} — {d.reason}"
        if member.state not in AGENDA_STATES:
            raise TransitionRefused(
                f"La candidature n°{member.pk} n'est plus proposée ni en attente : retirez-la de l'ordre du jour."
            )
        machine.move(ctx, member, MemberState.EXAMINED, effective_on=locked.held_on, session=locked)
        extra: dict[str, Any] = {}
        if d.outcome == CommissionOutcome.INTEGRATED:
            extra = {"integrated_on": locked.held_on}
        elif d.outcome == CommissionOutcome.NOT_RETAINED:
            extra = {"not_retained_reason": d.not_retained_reason}
        machine.move(
            ctx,
            member,
            d.outcome,
            effective_on=locked.held_on,
            reason=text,
            session=locked,
            extra_fields=extra,
        )
    locked.status = SessionStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = ctx.user
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    audit.log(ctx, "commission.close", locked, changes={"decisions": len(decisions)})
    session.status = locked.status
    return locked
