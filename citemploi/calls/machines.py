"""The state machines of calls, applications and reports, and the one function that moves them.

Each machine lists, for every status, the statuses it may go to. `move()` locks the row, checks the
transition, saves the new status, writes the transition log (who, when, from, to, why) and an audit row,
all in the caller's transaction. Nothing else writes a `status` field.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from citemploi.calls.enums import ApplicationStatus as A
from citemploi.calls.enums import CallStatus as C
from citemploi.calls.enums import ReportStatus as R
from citemploi.core import audit
from citemploi.core.context import ActingContext


class TransitionRefused(Exception):
    """The object cannot go to that status from its current one (or the reason is missing)."""


@dataclass(frozen=True)
class Machine:
    name: str
    labels: type[models.TextChoices]
    edges: dict[str, frozenset[str]]
    #: transitions that need a reason (refusals, requests for more)
    reason_required: frozenset[tuple[str, str]] = frozenset()

    def targets(self, status: str) -> frozenset[str]:
        return self.edges.get(status, frozenset())

    def allows(self, source: str, target: str) -> bool:
        return target in self.targets(source)

    def label(self, status: str) -> str:
        try:
            return str(self.labels(status).label)
        except ValueError:
            return status

    def check(self, source: str, target: str, reason: str) -> None:
        if not self.allows(source, target):
            raise TransitionRefused(
                f"Passage impossible de « {self.label(source)} » à « {self.label(target)} »."
            )
        if (source, target) in self.reason_required and not reason.strip():
            raise TransitionRefused(f"Indiquez le motif du passage à « {self.label(target)} ».")


def _f(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


CALL = Machine(
    name="call",
    labels=C,
    edges={
        C.DRAFT: _f(C.PUBLISHED),
        C.PUBLISHED: _f(C.CLOSED),
        C.CLOSED: _f(C.PUBLISHED, C.ARCHIVED),
        C.ARCHIVED: _f(),
    },
    reason_required=frozenset({(C.CLOSED, C.PUBLISHED)}),
)

APPLICATION = Machine(
    name="application",
    labels=A,
    edges={
        A.DRAFT: _f(A.SUBMITTED, A.WITHDRAWN),
        A.SUBMITTED: _f(A.TO_COMPLETE, A.ADMISSIBLE, A.NOT_ADMISSIBLE, A.WITHDRAWN),
        A.TO_COMPLETE: _f(A.SUBMITTED, A.NOT_ADMISSIBLE, A.WITHDRAWN),
        A.ADMISSIBLE: _f(A.UNDER_REVIEW, A.WITHDRAWN),
        A.NOT_ADMISSIBLE: _f(),
        A.UNDER_REVIEW: _f(A.PROPOSED, A.WITHDRAWN),
        A.PROPOSED: _f(A.SELECTED, A.POSTPONED, A.REFUSED, A.WITHDRAWN),
        A.POSTPONED: _f(A.PROPOSED, A.WITHDRAWN),
        A.SELECTED: _f(A.AGREEMENT_SIGNED, A.WITHDRAWN),
        A.REFUSED: _f(),
        A.AGREEMENT_SIGNED: _f(A.RUNNING, A.REIMBURSEMENT_REQUESTED),
        A.RUNNING: _f(A.REPORT_DUE, A.REIMBURSEMENT_REQUESTED),
        A.REPORT_DUE: _f(A.REPORT_SUBMITTED, A.REIMBURSEMENT_REQUESTED),
        A.REPORT_SUBMITTED: _f(A.REPORT_TO_CORRECT, A.CLOSED, A.REIMBURSEMENT_REQUESTED),
        A.REPORT_TO_CORRECT: _f(A.REPORT_SUBMITTED, A.REIMBURSEMENT_REQUESTED),
        A.CLOSED: _f(),
        A.REIMBURSEMENT_REQUESTED: _f(),
        A.WITHDRAWN: _f(),
    },
    reason_required=frozenset(
        {
            (A.SUBMITTED, A.TO_COMPLETE),
            (A.SUBMITTED, A.NOT_ADMISSIBLE),
            (A.TO_COMPLETE, A.NOT_ADMISSIBLE),
            (A.PROPOSED, A.REFUSED),
            (A.PROPOSED, A.POSTPONED),
            (A.REPORT_SUBMITTED, A.REPORT_TO_CORRECT),
        }
        | {(s, A.REIMBURSEMENT_REQUESTED) for s in A}
    ),
)

REPORT = Machine(
    name="report",
    labels=R,
    edges={
        R.TO_PRODUCE: _f(R.SUBMITTED),
        R.SUBMITTED: _f(R.TO_CORRECT, R.VALIDATED),
        R.TO_CORRECT: _f(R.SUBMITTED),
        R.VALIDATED: _f(),
    },
    reason_required=frozenset({(R.SUBMITTED, R.TO_CORRECT)}),
)


def actor_label(ctx: ActingContext | None) -> str:
    if ctx is None:
        return "système (tâche automatique)"
    return str(ctx.user)


def move(
    ctx: ActingContext | None,
    obj: Any,
    machine: Machine,
    target: str,
    *,
    reason: str = "",
    details: dict | None = None,
    extra_fields: dict[str, Any] | None = None,
    cite_id: int | None = None,
) -> Any:
    """Move `obj` (a Call, Application or Report) to `target`; returns the locked, updated row.

    `extra_fields` are saved with the status (e.g. `complete_by` with « à compléter »).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() must run inside a transaction")
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    source = locked.status
    machine.check(source, target, reason)
    locked.status = target
    fields = ["status"]
    for name, value in (extra_fields or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    if hasattr(locked, "updated_at"):
        fields.append("updated_at")
    locked.save(update_fields=fields)
    log_model = locked.transitions.model
    log_model.objects.create(
        **{machine.name: locked},
        from_status=source,
        to_status=target,
        actor=ctx.user if ctx and ctx.user.pk else None,
        actor_label=actor_label(ctx),
        reason=reason.strip(),
        details=details or {},
    )
    changes: dict[str, Any] = {"status": [source, target]}
    if reason.strip():
        changes["reason"] = reason.strip()
    audit.log(ctx, f"{machine.name}.{target}", locked, changes=changes, cite_id=cite_id)
    obj.status = target
    for name, value in (extra_fields or {}).items():
        setattr(obj, name, value)
    return locked
