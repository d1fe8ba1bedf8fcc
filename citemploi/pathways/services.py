"""Writes of the pathways domain. Screens, the API, commands and the demo all go through here.

Each service checks the policy for the acting context and the person, writes in one transaction with its audit
row and a transition log for every change of state, and refuses stale edits (version fields). Sensitive
barriers (health, disability, justice, addiction) are written only by those who may edit the person's
sensitive data; their audit rows do not carry their details.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.accounts.models import User
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.offer.referentials import BARRIERS_BY_CODE
from citemploi.partners.models import Membership, Structure
from citemploi.pathways import enums
from citemploi.pathways.enums import BarrierState, PlanActionStatus, PlanObjectiveStatus
from citemploi.pathways.models import (
    ActionTransition,
    BarrierRecord,
    BarrierTransition,
    HandOver,
    Objective,
    ObjectiveTransition,
    PlanAction,
    Situation,
)
from citemploi.people import handover as people_handover
from citemploi.people import queries as people_queries
from citemploi.people.enums import ConsentMethod
from citemploi.people.models import Beneficiary

SENSITIVE_REFUSED = (
    "Seul·e le·la référent·e responsable de la personne peut enregistrer un frein de santé, de handicap, "
    "de justice ou d'addiction."
)
STALE_MESSAGE = (
    "Cet élément a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert. "
    "Rechargez la page ; votre saisie n'a pas été enregistrée."
)
MIN_DATE = date(2000, 1, 1)
MAX_DUE_DATE = date(2100, 12, 31)


def _check_person(ctx: ActingContext, beneficiary: Beneficiary, action: str = "pathway.edit") -> None:
    require(ctx, action)
    if not people_queries.can(ctx, action, beneficiary):
        raise PermissionDenied("Vous ne pouvez pas modifier le parcours de cette personne.")


def _check_sensitive(ctx: ActingContext, beneficiary: Beneficiary, sensitive: bool) -> None:
    if sensitive and not people_queries.can(ctx, "beneficiary.edit_sensitive", beneficiary):
        raise PermissionDenied(SENSITIVE_REFUSED)


def _past_date(value: date | None, field: str, label: str) -> date:
    today = timezone.localdate()
    value = value or today
    if value > today:
        raise ValidationError({field: f"La date {label} ne peut pas être dans le futur."})
    if value < MIN_DATE:
        raise ValidationError({field: f"La date {label} est trop ancienne."})
    return value


def _record_changes(record: BarrierRecord, fields: dict[str, Any]) -> dict[str, Any]:
    """Audit changes of a barrier record: for a sensitive one, only that it is sensitive."""
    if record.sensitive:
        return {"sensitive": True, "fields": sorted(fields)}
    return fields


def _situation(barrier: str, situation: Situation | None) -> Situation | None:
    if situation is not None and (situation.barrier != barrier or not situation.active):
        raise ValidationError({"situation": "Cette situation ne correspond pas au frein choisi."})
    return situation


# --- Barriers ---------------------------------------------------------------------------------------------


@transaction.atomic
def add_barrier(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    barrier: str,
    situation: Situation | None = None,
    severity: str = enums.BarrierSeverity.MEDIUM,
    source: str = enums.BarrierSource.INTERVIEW,
    comment: str = "",
    identified_on: date | None = None,
) -> BarrierRecord:
    """Record a barrier of the person's diagnostic, identified by the acting user and structure."""
    _check_person(ctx, beneficiary)
    if barrier not in BARRIERS_BY_CODE:
        raise ValidationError({"barrier": "Frein inconnu : choisissez l'un des 11 freins du référentiel."})
    situation = _situation(barrier, situation)
    sensitive = BARRIERS_BY_CODE[barrier].sensitive or bool(situation and situation.sensitive)
    _check_sensitive(ctx, beneficiary, sensitive)
    if severity not in enums.BarrierSeverity.values:
        raise ValidationError({"severity": "Sévérité inconnue."})
    if source not in enums.BarrierSource.values:
        raise ValidationError({"source": "Source inconnue."})
    identified_on = _past_date(identified_on, "identified_on", "d'identification")
    # One open record per barrier and situation: lock the person so that two users do not add it twice.
    Beneficiary.objects.select_for_update().filter(pk=beneficiary.pk).first()
    duplicate = BarrierRecord.objects.filter(
        beneficiary=beneficiary,
        barrier=barrier,
        situation=situation,
        state__in=enums.OPEN_BARRIER_STATES,
    ).exists()
    if duplicate:
        raise ValidationError(
            {
                "barrier": "Ce frein (avec cette situation) est déjà ouvert pour cette personne : mettez-le à jour."
            }
        )
    now = timezone.now()
    record = BarrierRecord.objects.create(
        beneficiary=beneficiary,
        cite_id=beneficiary.cite_id,
        barrier=barrier,
        situation=situation,
        sensitive=sensitive,
        severity=severity,
        source=source,
        comment=comment.strip(),
        identified_on=identified_on,
        identified_by=ctx.user if ctx.user.pk else None,
        identified_by_membership=ctx.membership,
        identified_by_structure_id=ctx.structure_id,
        state=BarrierState.IDENTIFIED,
        state_changed_at=now,
    )
    BarrierTransition.objects.create(
        record=record,
        from_state="",
        to_state=BarrierState.IDENTIFIED,
        reason="Frein identifié",
        by=record.identified_by,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.barrier_add",
        record,
        beneficiary_id=beneficiary.pk,
        changes=_record_changes(
            record,
            {
                "barrier": [None, barrier],
                "situation": [None, situation.code if situation else None],
                "severity": [None, severity],
                "source": [None, source],
            },
        ),
    )
    return record


def _lock_record(ctx: ActingContext, record: BarrierRecord, expected_version: int | None) -> BarrierRecord:
    _check_person(ctx, record.beneficiary)
    locked = BarrierRecord.objects.select_for_update().get(pk=record.pk)
    _check_sensitive(ctx, record.beneficiary, locked.sensitive)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    return locked


@transaction.atomic
def update_barrier(
    *,
    ctx: ActingContext,
    record: BarrierRecord,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> BarrierRecord:
    """Change the situation, severity, source or comment of a barrier (not its state: see transition_barrier)."""
    allowed = {"situation", "severity", "source", "comment"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    locked = _lock_record(ctx, record, expected_version)
    if "situation" in data:
        data["situation"] = _situation(locked.barrier, data["situation"])
        becomes_sensitive = BARRIERS_BY_CODE[locked.barrier].sensitive or bool(
            data["situation"] and data["situation"].sensitive
        )
        _check_sensitive(ctx, locked.beneficiary, becomes_sensitive)
        locked.sensitive = becomes_sensitive
    if "severity" in data and data["severity"] not in enums.BarrierSeverity.values:
        raise ValidationError({"severity": "Sévérité inconnue."})
    if "source" in data and data["source"] not in enums.BarrierSource.values:
        raise ValidationError({"source": "Source inconnue."})
    if "comment" in data:
        data["comment"] = (data["comment"] or "").strip()
    fields = list(data)
    before = audit.snapshot(locked, fields)
    for name, value in data.items():
        setattr(locked, name, value)
    changes = audit.diff(locked, before, fields)
    if not changes:
        return locked
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=[*changes, "sensitive", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(
        ctx,
        "pathway.barrier_update",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes=_record_changes(locked, changes),
    )
    return locked


def _set_barrier_state(ctx: ActingContext, locked: BarrierRecord, to_state: str, reason: str) -> None:
    from_state = locked.state
    locked.state = to_state
    locked.state_changed_at = timezone.now()
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=["state", "state_changed_at", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    BarrierTransition.objects.create(
        record=locked,
        from_state=from_state,
        to_state=to_state,
        reason=reason[:500],
        by=ctx.user if ctx.user.pk else None,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.barrier_state",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes=_record_changes(locked, {"state": [from_state, to_state]}),
    )


@transaction.atomic
def transition_barrier(
    *,
    ctx: ActingContext,
    record: BarrierRecord,
    to_state: str,
    reason: str = "",
    expected_version: int | None = None,
) -> BarrierRecord:
    """Move a barrier along its life cycle. A barrier marked not addressed needs a reason."""
    locked = _lock_record(ctx, record, expected_version)
    allowed = enums.BARRIER_TRANSITIONS.get(locked.state, ())
    if to_state not in allowed:
        labels = ", ".join(f"« {BarrierState(s).label} »" for s in allowed)
        raise ValidationError(
            {"to_state": f"Un frein « {locked.get_state_display()} » ne peut passer qu'à l'état : {labels}."}
        )
    reason = (reason or "").strip()
    if to_state == BarrierState.NOT_ADDRESSED and not reason:
        raise ValidationError({"reason": "Indiquez pourquoi le frein n'est pas traité."})
    _set_barrier_state(ctx, locked, to_state, reason)
    return locked


# --- Plan ---------------------------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "L'intitulé est obligatoire."})
    if len(title) > 200:
        raise ValidationError({"title": "L'intitulé ne doit pas dépasser 200 caractères."})
    return title


@transaction.atomic
def add_objective(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    title: str,
    barriers: list[BarrierRecord] | None = None,
) -> Objective:
    """An objective of the plan, linked to barriers of the same person."""
    _check_person(ctx, beneficiary)
    title = _clean_title(title)
    barriers = list(barriers or [])
    if any(r.beneficiary_id != beneficiary.pk for r in barriers):
        raise ValidationError({"barriers": "Ces freins ne sont pas ceux de cette personne."})
    sensitive = any(r.sensitive for r in barriers)
    _check_sensitive(ctx, beneficiary, sensitive)
    objective = Objective.objects.create(
        beneficiary=beneficiary,
        cite_id=beneficiary.cite_id,
        title=title,
        sensitive=sensitive,
        created_by=ctx.user if ctx.user.pk else None,
    )
    objective.barriers.set(barriers)
    ObjectiveTransition.objects.create(
        objective=objective,
        from_state="",
        to_state=PlanObjectiveStatus.OPEN,
        reason="Objectif créé",
        by=objective.created_by,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.objective_add",
        objective,
        beneficiary_id=beneficiary.pk,
        changes={"sensitive": True}
        if sensitive
        else {"title": [None, title], "barriers": [r.pk for r in barriers]},
    )
    return objective


@transaction.atomic
def transition_objective(
    *,
    ctx: ActingContext,
    objective: Objective,
    to_status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Objective:
    _check_person(ctx, objective.beneficiary)
    locked = Objective.objects.select_for_update().get(pk=objective.pk)
    _check_sensitive(ctx, objective.beneficiary, locked.sensitive)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    allowed = enums.OBJECTIVE_TRANSITIONS.get(locked.status, ())
    if to_status not in allowed:
        raise ValidationError(
            {"to_status": f"Un objectif « {locked.get_status_display()} » ne peut pas passer à cet état."}
        )
    from_status = locked.status
    locked.status = to_status
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=["status", "version"])
    locked.refresh_from_db(fields=["version"])
    ObjectiveTransition.objects.create(
        objective=locked,
        from_state=from_status,
        to_state=to_status,
        reason=(reason or "").strip()[:500],
        by=ctx.user if ctx.user.pk else None,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.objective_status",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes={"status": [from_status, to_status]},
    )
    return locked


def _owner(
    beneficiary: Beneficiary, membership: Membership | None, structure: Structure | None
) -> tuple[Membership | None, Structure | None]:
    """The owner of an action: an active member of the cité (with their structure), or a partner structure."""
    if membership is not None:
        if not membership.is_active or membership.cite_id != beneficiary.cite_id:
            raise ValidationError({"owner_membership": "Cette personne n'est pas membre de la cité."})
        if structure is not None and membership.structure_id not in (None, structure.pk):
            raise ValidationError({"owner_structure": "Cette personne n'est pas membre de cette structure."})
        return membership, structure or membership.structure
    if structure is None:
        raise ValidationError(
            {"owner_structure": "Indiquez qui porte l'action : une personne ou une structure."}
        )
    if not structure.partnerships.filter(cite_id=beneficiary.cite_id).exists():
        raise ValidationError({"owner_structure": "Cette structure n'est pas partenaire de la cité."})
    return None, structure


@transaction.atomic
def add_action(
    *,
    ctx: ActingContext,
    objective: Objective,
    title: str,
    owner_membership: Membership | None = None,
    owner_structure: Structure | None = None,
    due_on: date | None = None,
) -> PlanAction:
    """An action of the plan under an open objective. Its objective's barriers still waiting for an action
    ("identified", "persisting", "not addressed") move to "action engaged"."""
    beneficiary = objective.beneficiary
    _check_person(ctx, beneficiary)
    _check_sensitive(ctx, beneficiary, objective.sensitive)
    title = _clean_title(title)
    if objective.status != PlanObjectiveStatus.OPEN:
        raise ValidationError(
            {"objective": "Cet objectif n'est plus en cours : rouvrez-le pour y ajouter une action."}
        )
    membership, structure = _owner(beneficiary, owner_membership, owner_structure)
    if due_on is not None and not (MIN_DATE <= due_on <= MAX_DUE_DATE):
        raise ValidationError({"due_on": "Échéance invalide."})
    action = PlanAction.objects.create(
        objective=objective,
        beneficiary=beneficiary,
        title=title,
        owner_membership=membership,
        owner_structure=structure,
        due_on=due_on,
        status=PlanActionStatus.TODO,
        status_changed_at=timezone.now(),
        created_by=ctx.user if ctx.user.pk else None,
    )
    ActionTransition.objects.create(
        action=action,
        from_state="",
        to_state=PlanActionStatus.TODO,
        reason="Action créée",
        by=action.created_by,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.action_add",
        action,
        beneficiary_id=beneficiary.pk,
        changes={"sensitive": True}
        if objective.sensitive
        else {
            "title": [None, title],
            "due_on": [None, due_on],
            "owner": [None, str(structure or membership)],
        },
    )
    waiting = (BarrierState.IDENTIFIED, BarrierState.PERSISTING, BarrierState.NOT_ADDRESSED)
    for record in objective.barriers.select_for_update().filter(state__in=waiting).order_by("id"):
        _set_barrier_state(ctx, record, BarrierState.ACTION_ENGAGED, f"Action « {title} » ajoutée au plan")
    return action


@transaction.atomic
def transition_action(
    *,
    ctx: ActingContext,
    action: PlanAction,
    to_status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> PlanAction:
    _check_person(ctx, action.beneficiary)
    locked = PlanAction.objects.select_for_update(of=("self",)).select_related("objective").get(pk=action.pk)
    _check_sensitive(ctx, action.beneficiary, locked.objective.sensitive)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    allowed = enums.ACTION_TRANSITIONS.get(locked.status, ())
    if to_status not in allowed:
        raise ValidationError(
            {"to_status": f"Une action « {locked.get_status_display()} » ne peut pas passer à cet état."}
        )
    reason = (reason or "").strip()
    if to_status == PlanActionStatus.CANCELLED and not reason:
        raise ValidationError({"reason": "Indiquez pourquoi l'action est annulée."})
    from_status = locked.status
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=["status", "status_changed_at", "version"])
    locked.refresh_from_db(fields=["version"])
    ActionTransition.objects.create(
        action=locked,
        from_state=from_status,
        to_state=to_status,
        reason=reason[:500],
        by=ctx.user if ctx.user.pk else None,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.action_status",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes={"status": [from_status, to_status]},
    )
    return locked


# --- Hand-over ----------------------------------------------------------------------------------------------


@transaction.atomic
def hand_over(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    to_structure: Structure,
    to_referent: User | None = None,
    reason: str,
    consent_given_on: date | None,
    consent_method: str,
    keep_in_followup: bool = False,
    expected_version: int | None = None,
) -> HandOver:
    """Hand the person over to another structure of the cité (or another référent of the same structure).

    The person's consent to the hand-over is required (date and method). The history stays: the former
    structure and référent are kept on the hand-over row. The former structure loses access to the person
    unless it stays in the follow-up group (`keep_in_followup`, and only while the person consents to sharing).
    """
    _check_person(ctx, beneficiary, "pathway.handover")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Indiquez le motif du passage de relais."
    elif len(reason) > 500:
        errors["reason"] = "Le motif ne doit pas dépasser 500 caractères."
    if consent_given_on is None:
        errors["consent_given_on"] = "Le consentement de la personne au passage de relais est obligatoire."
    elif consent_given_on > timezone.localdate():
        errors["consent_given_on"] = "La date du consentement ne peut pas être dans le futur."
    elif consent_given_on < MIN_DATE:
        errors["consent_given_on"] = "La date du consentement est trop ancienne."
    if consent_method not in ConsentMethod.values:
        errors["consent_method"] = "Indiquez comment le consentement a été recueilli."
    if errors:
        raise ValidationError(errors)
    from_structure = beneficiary.responsible_structure
    from_referent = beneficiary.referent
    kept = keep_in_followup and to_structure.pk != from_structure.pk
    people_handover.change_responsibility(
        ctx=ctx,
        beneficiary=beneficiary,
        structure=to_structure,
        referent=to_referent,
        action="pathway.handover",
        expected_version=expected_version,
        keep_former_in_followup=kept,
    )
    handover = HandOver.objects.create(
        beneficiary=beneficiary,
        cite_id=beneficiary.cite_id,
        from_structure=from_structure,
        from_referent=from_referent,
        to_structure=to_structure,
        to_referent=to_referent,
        reason=reason,
        consent_given_on=consent_given_on,
        consent_method=consent_method,
        kept_in_followup=kept,
        by=ctx.user if ctx.user.pk else None,
        by_structure_id=ctx.structure_id,
    )
    audit.log(
        ctx,
        "pathway.handover",
        handover,
        beneficiary_id=beneficiary.pk,
        changes={
            "from_structure": [from_structure.name, to_structure.name],
            "consent": [None, f"{consent_method} {consent_given_on}"],
            "kept_in_followup": kept,
        },
    )
    return handover
