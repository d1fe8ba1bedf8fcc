"""Spreadsheet of events with their figures (no name: counted and named participants as numbers), for the
reports the cité owes its funders and the ANCT."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from citemploi.core.spreadsheets import table_response
from citemploi.partnership import figures
from citemploi.partnership.models import Event
from citemploi.partnership.queries.events import organisers_of, partners_of

COLUMNS: list[tuple[str, Callable[[Event, figures.ParticipantFigures], Any]]] = [
    ("Date", lambda e, f: e.date),
    ("Action", lambda e, f: e.title),
    ("Type", lambda e, f: e.get_kind_display()),
    ("Lieu", lambda e, f: e.place),
    ("QPV", lambda e, f: e.qpv.code if e.qpv else ""),
    ("Organisée par", lambda e, f: ", ".join(s.name for s in organisers_of(e))),
    ("Partenaires", lambda e, f: ", ".join(s.name for s in partners_of(e))),
    ("Participant·es (total)", lambda e, f: f.get("total")),
    ("dont jeunes", lambda e, f: f.get("young")),
    ("dont femmes", lambda e, f: f.get("women")),
    ("dont seniors", lambda e, f: f.get("seniors")),
    ("dont résident·es QPV", lambda e, f: f.get("qpv")),
    ("dont nommé·es", lambda e, f: f.named["total"]),
    ("Heures d'action", lambda e, f: float(e.hours_delivered)),
    ("Heures de coordination", lambda e, f: float(e.coordination_hours)),
    ("Personnes repérées", lambda e, f: e.found_count),
    ("Personnes raccrochées", lambda e, f: e.hooked_count),
    ("Personnes en emploi", lambda e, f: e.employed_count),
]


def events_response(events: list[Event], fmt: str) -> HttpResponse:
    """The events (loaded with `with_named_figures` and `with_structures`) as CSV or XLSX."""
    header = [label for label, _ in COLUMNS]
    rows = []
    for event in events:
        result = figures.event_figures(event)
        rows.append([fn(event, result) for _, fn in COLUMNS])
    return table_response(f"actions-{timezone.localdate().isoformat()}", fmt, header, rows)
