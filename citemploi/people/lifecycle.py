"""Extension point: what each domain holds about a person, for the right of access, retention and erasure.

The people app does not import the pathway, tracking, orientation, cohort or partnership domains. Each of
them registers a `PersonalDataHandler` in its own `personal_data.py` module, which the people app imports
from its AppConfig.ready() for every installed `citemploi.<app>` (autodiscovery).

A handler gives three functions, each called inside the caller's transaction:

- `export(ctx, beneficiary)`: the domain's data about the person for their right-of-access file (a
  dict of lists of plain values). Private notes are never included.
- `anonymise(beneficiary)`: delete the free texts and anything identifying, keep the anonymous facts the
  statistics count (dates, states, codes). Returns the number of rows changed.
- `erase(beneficiary)`: delete the domain's rows about the person, or detach the anonymous statistic
  rows from them (aggregated figures survive). Returns the number of rows deleted or detached.

and, for the retention job, three optional functions over a queryset of people, each returning a date per
person id (people absent from the dict have nothing of the kind in the domain):

- `activity(people)`: the date of the person's latest follow-up activity in the domain;
- `exits(people)`: the date of the person's latest exit (sortie) recorded in the domain;
- `declined(people)`: for people whose every proposal in the domain was declined, the date of the last
  refusal (people proposed but not retained).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.people.models import Beneficiary

DatesByPerson = Callable[[QuerySet[Beneficiary]], dict[int, date]]


@dataclass(frozen=True)
class PersonalDataHandler:
    key: str
    #: French title of the domain's part in the right-of-access file
    label: str
    export: Callable[[ActingContext, Beneficiary], dict[str, Any]]
    anonymise: Callable[[Beneficiary], int]
    erase: Callable[[Beneficiary], int]
    activity: "DatesByPerson | None" = None
    exits: "DatesByPerson | None" = None
    declined: "DatesByPerson | None" = None


_HANDLERS: dict[str, PersonalDataHandler] = {}


def register_personal_data(handler: PersonalDataHandler) -> None:
    _HANDLERS[handler.key] = handler


def registered_handlers() -> list[PersonalDataHandler]:
    return sorted(_HANDLERS.values(), key=lambda h: h.key)


def autodiscover() -> list[str]:
    """Import `personal_data` of every installed citemploi app; returns the modules imported."""
    imported = []
    for config in apps.get_app_configs():
        if not config.name.startswith("citemploi."):
            continue
        module = f"{config.name}.personal_data"
        if find_spec(module) is not None:
            import_module(module)
            imported.append(module)
    return imported


def export_all(ctx: ActingContext, beneficiary: Beneficiary) -> dict[str, dict[str, Any]]:
    return {h.key: {"label": h.label, "data": h.export(ctx, beneficiary)} for h in registered_handlers()}


def anonymise_all(beneficiary: Beneficiary) -> dict[str, int]:
    return {h.key: h.anonymise(beneficiary) for h in registered_handlers()}


def erase_all(beneficiary: Beneficiary) -> dict[str, int]:
    return {h.key: h.erase(beneficiary) for h in registered_handlers()}


def as_date(value: date | datetime) -> date:
    """A date from a date or an aware datetime (in local time)."""
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def latest_dates(rows: Iterable[tuple[int, date | datetime | None]]) -> dict[int, date]:
    """The latest date per person of (person id, date or datetime) pairs; None dates are ignored."""
    latest: dict[int, date] = {}
    for pk, value in rows:
        if value is None:
            continue
        day = as_date(value)
        if pk not in latest or day > latest[pk]:
            latest[pk] = day
    return latest


def merged(people: QuerySet[Beneficiary], hook: str) -> dict[int, date]:
    """The latest date per person over every handler's `hook` (activity, exits or declined)."""
    result: dict[int, date] = {}
    for handler in registered_handlers():
        function = getattr(handler, hook)
        if function is None:
            continue
        for pk, day in function(people).items():
            if pk not in result or day > result[pk]:
                result[pk] = day
    return result
