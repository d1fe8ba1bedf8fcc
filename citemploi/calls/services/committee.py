"""The steering committee (Copil) session: files ranked by score, envelope scenarios, decisions, lock."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from citemploi.calls import machines, scoring
from citemploi.calls.enums import ApplicationStatus, DecisionOutcome, ReviewStatus, SessionStatus
from citemploi.calls.models import (
    Application,
    Call,
    CommitteeSession,
    Decision,
    Review,
    Scenario,
    ScenarioLine,
)
from citemploi.calls.services.applications import parse_amount
from citemploi.calls.services.common import IllegalState, require_in_cite
from citemploi.core import audit
from citemploi.core.context import ActingContext

OUTCOME_TO_STATUS = {
    DecisionOutcome.SELECTED: ApplicationStatus.SELECTED,
    DecisionOutcome.POSTPONED: ApplicationStatus.POSTPONED,
    DecisionOutcome.REFUSED: ApplicationStatus.REFUSED,
}


@dataclass(frozen=True)
class Envelope:
    envelope: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.committed


def envelope_of(call: Call, exclude_session: CommitteeSession | None = None) -> Envelope:
    """The call's envelope and what locked sessions already awarded."""
    qs = Decision.objects.filter(
        session__call=call, session__status=SessionStatus.LOCKED, outcome=DecisionOutcome.SELECTED
    )
    if exclude_session is not None:
        qs = qs.exclude(session=exclude_session)
    committed = qs.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Envelope(call.envelope, committed)


def _decide(ctx: ActingContext, session: CommitteeSession) -> None:
    require_in_cite(ctx, "committee.decide", session.call.cite_id)


def _open(session: CommitteeSession) -> None:
    if session.status == SessionStatus.LOCKED:
        raise IllegalState("La séance est close : ses décisions sont verrouillées.")


def _proposed_not_scheduled(call: Call) -> list[Application]:
    return list(
        Application.objects.filter(call=call, status=ApplicationStatus.PROPOSED)
        .exclude(decisions__session__status=SessionStatus.PREPARING)
        .order_by("reference")
    )


@transaction.atomic
def create_session(
    *, ctx: ActingContext, call: Call, held_on: date, title: str = "", place: str = "", attendees: str = ""
) -> CommitteeSession:
    """A session of the committee, with every file proposed and not yet on another open session's agenda."""
    require_in_cite(ctx, "committee.decide", call.cite_id)
    session = CommitteeSession.objects.create(
        call=call,
        held_on=held_on,
        title=title.strip() or "Comité de pilotage",
        place=place,
        attendees=attendees,
    )
    Decision.objects.bulk_create(
        Decision(session=session, application=a) for a in _proposed_not_scheduled(call)
    )
    audit.log(ctx, "committee.create", session, changes={"held_on": [None, held_on.isoformat()]})
    return session


@transaction.atomic
def refresh_agenda(*, ctx: ActingContext, session: CommitteeSession) -> int:
    """Add the files proposed since the session was created; returns how many were added."""
    _decide(ctx, session)
    _open(session)
    added = _proposed_not_scheduled(session.call)
    Decision.objects.bulk_create(Decision(session=session, application=a) for a in added)
    if added:
        audit.log(ctx, "committee.agenda", session, changes={"added": [a.reference for a in added]})
    return len(added)


@transaction.atomic
def update_session(
    *, ctx: ActingContext, session: CommitteeSession, data: dict[str, Any]
) -> CommitteeSession:
    _decide(ctx, session)
    _open(session)
    fields: list[str] = [k for k in ("title", "held_on", "place", "attendees", "minutes") if k in data]
    before = audit.snapshot(session, fields)
    for k in fields:
        setattr(session, k, data[k])
    session.full_clean(exclude=["call", "locked_by"])
    changes = audit.diff(session, before, fields)
    if changes:
        session.save(update_fields=fields)
        audit.log(ctx, "committee.update", session, changes=changes)
    return session


@transaction.atomic
def save_decision(
    *,
    ctx: ActingContext,
    decision: Decision,
    outcome: str,
    amount: Any = None,
    conditions: str = "",
    reason: str = "",
) -> Decision:
    """Record the committee's decision on a file (until the session is locked)."""
    session = CommitteeSession.objects.select_for_update().select_related("call").get(pk=decision.session_id)
    _decide(ctx, session)
    _open(session)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": "Décision inconnue."})
    app = decision.application
    value = parse_amount(amount, "Montant") if amount not in (None, "") else None
    if outcome == DecisionOutcome.SELECTED:
        if value is None or value <= 0:
            raise ValidationError({"amount": "Indiquez le montant attribué."})
        if value > app.requested_amount:
            raise ValidationError({"amount": "Le montant attribué dépasse la subvention demandée."})
    else:
        value = None
    if outcome in (DecisionOutcome.REFUSED, DecisionOutcome.POSTPONED) and not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la décision."})
    before = {
        "outcome": decision.outcome,
        "amount": str(decision.amount) if decision.amount is not None else None,
    }
    decision.outcome, decision.amount = outcome, value
    decision.conditions, decision.reason = conditions.strip(), reason.strip()
    decision.save(update_fields=["outcome", "amount", "conditions", "reason"])
    after = {"outcome": decision.outcome, "amount": str(value) if value is not None else None}
    audit.log(ctx, "committee.decision", app, changes={"decision": [before, after]})
    return decision


@transaction.atomic
def save_scenario(
    *,
    ctx: ActingContext,
    session: CommitteeSession,
    name: str,
    amounts: dict[int, Any],
    scenario: Scenario | None = None,
) -> Scenario:
    """A named set of amounts for the session's files, compared with the remaining envelope."""
    _decide(ctx, session)
    _open(session)
    if not name.strip():
        raise ValidationError({"name": "Nommez le scénario."})
    on_agenda = {d.application_id: d.application for d in session.decisions.select_related("application")}
    lines = []
    for app_id, raw in amounts.items():
        if app_id not in on_agenda:
            raise ValidationError("Un dossier du scénario n'est pas à l'ordre du jour de la séance.")
        value = parse_amount(raw, on_agenda[app_id].reference)
        if value > on_agenda[app_id].requested_amount:
            raise ValidationError(
                f"{on_agenda[app_id].reference} : le montant dépasse la subvention demandée."
            )
        lines.append((app_id, value))
    target = scenario or Scenario(session=session)
    target.name = name.strip()[:120]
    target.save()
    target.lines.all().delete()
    ScenarioLine.objects.bulk_create(
        ScenarioLine(scenario=target, application_id=a, amount=v) for a, v in lines
    )
    audit.log(
        ctx,
        "committee.scenario",
        session,
        changes={"scenario": target.name, "amounts": {str(a): str(v) for a, v in lines}},
    )
    return target


@transaction.atomic
def apply_scenario(*, ctx: ActingContext, scenario: Scenario) -> int:
    """Copy a scenario's amounts into the decisions: a positive amount selects the file with that amount."""
    session = scenario.session
    _decide(ctx, session)
    _open(session)
    amounts = {line.application_id: line.amount for line in scenario.lines.all()}
    changed = 0
    for decision in session.decisions.select_related("application"):
        amount = amounts.get(decision.application_id)
        if amount is not None and amount > 0:
            decision.outcome, decision.amount = DecisionOutcome.SELECTED, amount
            decision.save(update_fields=["outcome", "amount"])
            changed += 1
    audit.log(
        ctx, "committee.scenario_apply", session, changes={"scenario": scenario.name, "selected": changed}
    )
    return changed


@transaction.atomic
def lock_session(*, ctx: ActingContext, session: CommitteeSession) -> CommitteeSession:
    """Close the session: every file decided, the selected amounts within the envelope; the files move to
    « retenu », « ajourné » or « refusé » and the decisions no longer change."""
    from django.utils import timezone

    locked = CommitteeSession.objects.select_for_update().select_related("call").get(pk=session.pk)
    _decide(ctx, locked)
    _open(locked)
    decisions = list(locked.decisions.select_related("application").order_by("id"))
    if not decisions:
        raise ValidationError("La séance n'a aucun dossier à l'ordre du jour.")
    pending = [d.application.reference for d in decisions if d.outcome == DecisionOutcome.PENDING]
    if pending:
        raise ValidationError("Décision manquante pour : " + ", ".join(pending) + ".")
    awarded = sum(
        (d.amount or Decimal(0) for d in decisions if d.outcome == DecisionOutcome.SELECTED), Decimal(0)
    )
    env = envelope_of(locked.call, exclude_session=locked)
    if awarded > env.remaining:
        from citemploi.calls.formatting import euros

        raise ValidationError(
            f"Les montants retenus ({euros(awarded)}) dépassent l'enveloppe restante ({euros(env.remaining)})."
        )
    for n, d in enumerate(decisions, 1):
        d.reference = f"{locked.call.year}-COPIL{locked.pk}-{n:02d}"
        d.save(update_fields=["reference"])
        status = OUTCOME_TO_STATUS[DecisionOutcome(d.outcome)]
        extra: dict[str, Any] = {}
        if d.outcome == DecisionOutcome.SELECTED:
            extra = {"awarded_amount": d.amount, "decision_conditions": d.conditions}
        machines.move(
            ctx,
            d.application,
            machines.APPLICATION,
            status,
            reason=d.reason or f"Décision du {locked}",
            details={"session": locked.pk, "amount": str(d.amount) if d.amount is not None else None},
            extra_fields=extra,
        )
    locked.status = SessionStatus.LOCKED
    locked.locked_at = timezone.now()
    locked.locked_by = ctx.user
    locked.save(update_fields=["status", "locked_at", "locked_by"])
    audit.log(ctx, "committee.lock", locked, changes={"decisions": len(decisions), "awarded": str(awarded)})
    return locked


@transaction.atomic
def repropose(*, ctx: ActingContext, app: Application, reason: str = "") -> Application:
    """A postponed file goes back on the agenda of a later session."""
    require_in_cite(ctx, "committee.decide", app.call.cite_id)
    return machines.move(
        ctx, app, machines.APPLICATION, ApplicationStatus.PROPOSED, reason=reason or "Nouvel examen"
    )


@dataclass(frozen=True)
class RankedFile:
    decision: Decision
    application: Application
    agreement: scoring.FileAgreement
    rank: int


def ranking(session: CommitteeSession) -> list[RankedFile]:
    """The session's files, best mean score first (files without a review last)."""
    decisions = list(
        session.decisions.select_related("application__holder").order_by("application__reference")
    )
    criteria = [
        scoring.CriterionSpec(c.pk, c.label, c.weight, c.max_score, c.is_bonus)
        for c in session.call.criteria.all()
    ]
    reviews = (
        Review.objects.filter(
            assignment__application_id__in=[d.application_id for d in decisions],
            status=ReviewStatus.SUBMITTED,
        )
        .select_related("assignment")
        .prefetch_related("scores")
    )
    by_app: dict[int, list[dict[int, int]]] = {}
    for r in reviews:
        by_app.setdefault(r.assignment.application_id, []).append(
            {s.criterion_id: s.score for s in r.scores.all()}
        )
    rows = [
        (
            d,
            scoring.agreement(
                criteria,
                by_app.get(d.application_id, []),
                spread_threshold=session.call.disagreement_points,
                gap_threshold=session.call.criterion_gap,
            ),
        )
        for d in decisions
    ]
    rows.sort(key=lambda r: (r[1].mean is None, -(r[1].mean or 0), r[0].application.reference))
    return [RankedFile(d, d.application, a, n) for n, (d, a) in enumerate(rows, 1)]
