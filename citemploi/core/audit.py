"""Writing audit rows. Called by services (changes) and access helpers (reads), in the same transaction."""

from typing import Any

from django.db import models

from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    changes = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def build(
    ctx: ActingContext | None,
    code: str,
    obj: models.Model | None = None,
    *,
    beneficiary_id: int | None = None,
    changes: dict[str, Any] | None = None,
    cite_id: int | None = None,
) -> AuditEvent:
    """An unsaved audit row (bulk writers insert many at once; `log` saves one)."""
    user = ctx.user if ctx else None
    return AuditEvent(
        cite_id=cite_id if cite_id is not None else (ctx.cite_id if ctx else None),
        actor=user if user and user.pk else None,
        actor_label=str(user) if user else "système",
        actor_structure_id=ctx.structure_id if ctx else None,
        actor_role=(ctx.role or "") if ctx else "",
        code=code,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        beneficiary_id=beneficiary_id,
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
        via=ctx.via if ctx else "task",
    )


def log(
    ctx: ActingContext | None,
    code: str,
    obj: models.Model | None = None,
    *,
    beneficiary_id: int | None = None,
    changes: dict[str, Any] | None = None,
    cite_id: int | None = None,
) -> AuditEvent:
    event = build(ctx, code, obj, beneficiary_id=beneficiary_id, changes=changes, cite_id=cite_id)
    event.save()
    return event
