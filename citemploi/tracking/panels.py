"""The tracking panel of a person's file: last journal entries, outcomes and their checks."""

from typing import Any

from django.utils import timezone

from citemploi.core.context import ActingContext
from citemploi.people import queries as people_queries
from citemploi.people.models import Beneficiary
from citemploi.tracking import queries

#: how many journal entries the file shows (the full journal is one click away)
LAST_ENTRIES = 5
#: the columns of a journal entry the panel reads (tracking/panel.html)
PANEL_ENTRY_FIELDS = (
    "beneficiary_id",
    "kind",
    "occurred_on",
    "text",
    "author_id",
    "author__first_name",
    "author__last_name",
    "author__email",
)


def build(ctx: ActingContext, beneficiary: Beneficiary) -> dict[str, Any] | None:
    """What of the journal and outcomes this user may see; None when neither (the panel is hidden).
    A constant number of queries, whatever the size of the journal."""
    sees_journal = people_queries.can(ctx, "journal.view", beneficiary)
    sees_outcomes = people_queries.can(ctx, "outcome.view", beneficiary)
    if not sees_journal and not sees_outcomes:
        return None
    data: dict[str, Any] = {
        "sees_journal": sees_journal,
        "sees_outcomes": sees_outcomes,
        "today": timezone.localdate(),
    }
    if sees_journal:
        can_write = people_queries.can(ctx, "journal.write", beneficiary)
        # the panel shows the date, kind, text and author of each entry: only those columns (and the author's
        # name) are loaded, not the corrected entry nor the structure the journal page shows
        entries = list(
            queries.entries_for(ctx, beneficiary)
            .select_related(None)
            .select_related("author")
            .only(*PANEL_ENTRY_FIELDS)[: LAST_ENTRIES + 1]
        )
        data["more_entries"] = len(entries) > LAST_ENTRIES
        data["entries"] = queries.journal_rows(ctx, entries[:LAST_ENTRIES], can_write)
        data["can_write"] = can_write
    if sees_outcomes:
        data["can_record"] = people_queries.can(ctx, "outcome.record", beneficiary)
        # who recorded an outcome is shown on the outcomes page, not here
        data["outcomes"] = list(queries.outcomes_for(beneficiary).select_related(None))
    return data


def register() -> None:
    from citemploi.people.panels import FilePanel, register_file_panel

    register_file_panel(FilePanel("tracking", 30, "tracking/panel.html", build))
