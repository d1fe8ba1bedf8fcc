"""What the calls add to the other domains' screens through their extension points: the partnership map
counts each structure's funded actions, and the partnership network links the holder of a funded action to
the partner structures named in its file (they carry the action together)."""

from django.db.models import Count

from citemploi.calls.enums import GRANTED_STATUSES
from citemploi.calls.models import Application, ApplicationPartner
from citemploi.partnership.network import PairCounts, pairs_from_groups


def funded_pairs(cite_id: int) -> PairCounts:
    """Pairs (holder, partner structure) of the cité's granted files, counted once per file."""
    granted = Application.objects.filter(call__cite_id=cite_id, status__in=GRANTED_STATUSES)
    rows = list(granted.values_list("pk", "holder_id"))
    rows += list(
        ApplicationPartner.objects.filter(application__in=granted, structure__isnull=False).values_list(
            "application_id", "structure_id"
        )
    )
    return pairs_from_groups(rows)


def funded_count_by_structure(cite_id: int, structure_ids: list[int]) -> dict[int, int]:
    """Granted files per holder structure (selected, and funded actions)."""
    rows = (
        Application.objects.filter(
            call__cite_id=cite_id, status__in=GRANTED_STATUSES, holder_id__in=structure_ids
        )
        .values("holder_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["holder_id"]: r["n"] for r in rows}
