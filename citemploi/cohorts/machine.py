"""The state machine of a candidate in a cohort, and the one function that moves it.

proposé → examiné en commission → intégré / en attente (dans le viseur) / non retenu; en attente →
examiné again at a later session; intégré → sorti. Each move writes the transition log (who, when, from,
to, why, the session) and an audit row, in the caller's transaction.
"""

from datetime import date

from django.db import transaction

from citemploi.cohorts.enums import MemberState as S
from citemploi.cohorts.models import CohortMember, CommissionSession, MemberTransition
from citemploi.core import audit
from citemploi.core.context import ActingContext

EDGES: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.EXAMINED}),
    S.WAITING: frozenset({S.EXAMINED}),
    S.EXAMINED: frozenset({S.INTEGRATED, S.WAITING, S.NOT_RETAINED}),
    S.INTEGRATED: frozenset({S.EXITED}),
    S.NOT_RETAINED: frozenset(),
    S.EXITED: frozenset(),
}


class TransitionRefused(Exception):
    """The candidate cannot go to that state from its current one."""


def label(state: str) -> str:
    try:
        return str(S(state).label)
    except ValueError:
        return state


def check(source: str, target: str) -> None:
    if target not in EDGES.get(source, frozenset()):
        raise TransitionRefused(f"Passage impossible de « {label(source)} » à « {label(target)} ».")


def log_transition(
    ctx: ActingContext | None,
    member: CohortMember,
    source: str,
    target: str,
    *,
    effective_on: date,
    reason: str = "",
    session: CommissionSession | None = None,
) -> MemberTransition:
    return MemberTransition.objects.create(
        member=member,
        from_state=source,
        to_state=target,
        effective_on=effective_on,
        actor=ctx.user if ctx and ctx.user.pk else None,
        actor_label=str(ctx.user) if ctx else "système",
        reason=reason.strip(),
        session=session,
    )


def move(
    ctx: ActingContext | None,
    member: CohortMember,
    target: str,
    *,
    effective_on: date,
    reason: str = "",
    session: CommissionSession | None = None,
    extra_fields: dict | None = None,
) -> CohortMember:
    """Lock the candidate's row, check the transition, save the state and log it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() must run inside a transaction")
    locked = CohortMember.objects.select_for_update().get(pk=member.pk)
    source = locked.state
    check(source, target)
    locked.state = target
    fields = ["state", "updated_at"]
    for name, value in (extra_fields or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    locked.save(update_fields=fields)
    log_transition(ctx, locked, source, target, effective_on=effective_on, reason=reason, session=session)
    changes: dict[str, object] = {"state": [source, target]}
    if reason.strip():
        changes["reason"] = reason.strip()
    audit.log(ctx, f"cohort_member.{target}", locked, beneficiary_id=locked.beneficiary_id, changes=changes)
    member.state = target
    for name, value in (extra_fields or {}).items():
        setattr(member, name, value)
    return locked
