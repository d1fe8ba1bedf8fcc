"""The state machine of an orientation, and the one function that moves it.

sent → accepted | refused (reason from a list) | expired (no answer by the deadline) | withdrawn (by the sender)
accepted → started | abandoned (the person never came)
started → completed (with its outcome) | abandoned

`move()` locks the row (the first of two concurrent answers wins), checks the transition, saves the status
with the fields that go with it, writes the transition log and an audit row, in the caller's transaction.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.orientations.enums import Channel
from citemploi.orientations.enums import Status as S
from citemploi.orientations.models import Orientation, OrientationTransition

EDGES: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACCEPTED, S.REFUSED, S.EXPIRED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.STARTED, S.ABANDONED}),
    S.STARTED: frozenset({S.COMPLETED, S.ABANDONED}),
    S.REFUSED: frozenset(),
    S.EXPIRED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.COMPLETED: frozenset(),
    S.ABANDONED: frozenset(),
}

#: transitions made by the receiving structure (the others: the sender withdraws, the task expires)
RECEIVER_TARGETS = frozenset({S.ACCEPTED, S.REFUSED, S.STARTED, S.COMPLETED, S.ABANDONED})
SENDER_TARGETS = frozenset({S.WITHDRAWN})
SYSTEM_TARGETS = frozenset({S.EXPIRED})
#: what a single-use link may do
LINK_TARGETS = frozenset({S.ACCEPTED, S.REFUSED})

LINK_ACTOR_LABEL = "lien à usage unique"
SYSTEM_ACTOR_LABEL = "tâche automatique"

#: French verb of each target, for messages and e-mails ("Votre orientation n° 12 a été acceptée")
DONE_LABELS: dict[str, str] = {
    S.ACCEPTED: "acceptée",
    S.REFUSED: "refusée",
    S.EXPIRED: "expirée sans réponse",
    S.WITHDRAWN: "retirée",
    S.STARTED: "commencée",
    S.COMPLETED: "terminée",
    S.ABANDONED: "abandonnée",
}


class TransitionRefused(Exception):
    """The transition is not allowed from the current status, or a required detail is missing."""


class TransitionConflict(TransitionRefused):
    """The orientation changed since the user read it (another answer came first)."""


def label(status: str) -> str:
    try:
        return str(S(status).label)
    except ValueError:
        return status


def allows(source: str, target: str) -> bool:
    return target in EDGES.get(source, frozenset())


def check(source: str, target: str) -> None:
    if not allows(source, target):
        raise TransitionRefused(
            f"Passage impossible de « {label(source).lower()} » à « {label(target).lower()} »."
        )


@dataclass(frozen=True)
class Actor:
    """Who moves the orientation: a user acting in a context, the single-use link, or the periodic task."""

    ctx: ActingContext | None
    channel: str

    @property
    def label(self) -> str:
        if self.channel == Channel.LINK:
            return LINK_ACTOR_LABEL
        if self.ctx is None:
            return SYSTEM_ACTOR_LABEL
        return str(self.ctx.user)


def move(
    actor: Actor,
    orientation: Orientation,
    target: str,
    *,
    reason: str = "",
    expected_status: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Orientation:
    """Move the orientation to `target`; returns the locked, updated row.

    `expected_status` is the status the user saw: if another answer came first, TransitionConflict says so.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() must run inside a transaction")
    locked = Orientation.objects.select_for_update().get(pk=orientation.pk)
    source = locked.status
    if expected_status and source != expected_status:
        raise TransitionConflict(
            f"L'orientation n° {locked.pk} a changé entre-temps : elle est maintenant "
            f"« {label(source).lower()} ». Votre action n'a pas été enregistrée."
        )
    if source == target:
        raise TransitionConflict(f"L'orientation n° {locked.pk} est déjà « {label(source).lower()} ».")
    check(source, target)
    now = timezone.now()
    locked.status = target
    changed = ["status", "version", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        changed.append(name)
    if target in (S.ACCEPTED, S.REFUSED):
        locked.answered_at = now
        changed.append("answered_at")
    if target == S.STARTED:
        locked.started_at = now
        changed.append("started_at")
    if target in (S.REFUSED, S.EXPIRED, S.WITHDRAWN, S.COMPLETED, S.ABANDONED):
        locked.closed_at = now
        changed.append("closed_at")
    locked.version += 1
    locked.save(update_fields=changed)
    ctx = actor.ctx
    OrientationTransition.objects.create(
        orientation=locked,
        at=now,
        actor=ctx.user if ctx is not None and ctx.user.pk else None,
        actor_label=actor.label,
        actor_structure_id=ctx.structure_id if ctx is not None else None,
        source=source,
        target=target,
        reason=reason,
        channel=actor.channel,
    )
    event = audit.build(
        ctx,
        f"orientation.{target}",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes={"status": [source, target], **({"reason": reason} if reason else {})},
        cite_id=locked.cite_id,
    )
    if ctx is None:
        event.actor_label = actor.label
        event.via = actor.channel
    event.save()
    return locked
