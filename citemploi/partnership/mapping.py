"""The map of the partnership: the cité's structures grouped by kind, with their role, cooperation format,
QPV of intervention and a few counts.

The counts come from a list of providers, `COUNT_PROVIDERS`, one column each. Another domain adds its own
column by registering a provider when its app is ready, e.g. the offer of services:

    register_count_provider(CountProvider("services", "Services", services_per_structure))

where `services_per_structure(cite_id, structure_ids)` returns {structure id: number of services}.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from citemploi.core.context import ActingContext
from citemploi.partners.enums import CooperationFormat, StructureKind
from citemploi.partners.models import Membership, Partnership, Structure
from citemploi.partnership.models import CommitteeMember, EventStructure
from citemploi.territory.models import QPV


@dataclass(frozen=True)
class CountProvider:
    key: str
    #: column header, in French
    label: str
    #: (cité id, structure ids) → {structure id: count}; structures left out count 0
    counts: Callable[[int, list[int]], dict[int, int]]


def _members(cite_id: int, structure_ids: list[int]) -> dict[int, int]:
    rows = (
        Membership.objects.filter(cite_id=cite_id, structure_id__in=structure_ids, is_active=True)
        .values("structure_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {row["structure_id"]: row["n"] for row in rows}


def _committees(cite_id: int, structure_ids: list[int]) -> dict[int, int]:
    rows = (
        CommitteeMember.objects.filter(
            committee__cite_id=cite_id,
            committee__is_active=True,
            left_on__isnull=True,
            structure_id__in=structure_ids,
        )
        .values("structure_id")
        .annotate(n=Count("committee_id", distinct=True))
    )
    return {row["structure_id"]: row["n"] for row in rows}


def _events(cite_id: int, structure_ids: list[int]) -> dict[int, int]:
    rows = (
        EventStructure.objects.filter(event__cite_id=cite_id, structure_id__in=structure_ids)
        .values("structure_id")
        .annotate(n=Count("event_id", distinct=True))
    )
    return {row["structure_id"]: row["n"] for row in rows}


#: the count columns of the map, in display order
COUNT_PROVIDERS: list[CountProvider] = [
    CountProvider("members", "Membres (comptes)", _members),
    CountProvider("committees", "Instances", _committees),
    CountProvider("events", "Actions et événements", _events),
]


def register_count_provider(provider: CountProvider) -> None:
    """Add a column to the map (once per key)."""
    if any(p.key == provider.key for p in COUNT_PROVIDERS):
        raise ValueError(f"Count provider {provider.key!r} registered twice")
    COUNT_PROVIDERS.append(provider)


@dataclass(frozen=True)
class MapRow:
    partnership: Partnership
    counts: list[int]

    @property
    def structure(self) -> Structure:
        return self.partnership.structure


@dataclass(frozen=True)
class KindGroup:
    kind: str
    label: str
    rows: list[MapRow]


@dataclass(frozen=True)
class PartnershipMap:
    groups: list[KindGroup]
    providers: list[CountProvider]
    structure_count: int
    #: (label, number of structures) per cooperation format
    by_format: list[tuple[str, int]]
    #: (QPV, number of structures acting there), for the cité's QPV
    by_qpv: list[tuple[QPV, int]]


def partnership_map(ctx: ActingContext) -> PartnershipMap:
    """The map of the acting cité (empty when the acting context has no cité)."""
    cite_id = ctx.cite_id
    if cite_id is None or not ctx.can("partnership.view"):
        return PartnershipMap([], list(COUNT_PROVIDERS), 0, [], [])
    partnerships = list(
        Partnership.objects.filter(cite_id=cite_id)
        .select_related("structure")
        .prefetch_related(Prefetch("qpvs", queryset=QPV.objects.order_by("name")))
        .order_by("structure__name", "structure_id")
    )
    ids = [p.structure_id for p in partnerships]
    providers = list(COUNT_PROVIDERS)
    columns = [provider.counts(cite_id, ids) for provider in providers]
    rows_by_kind: dict[str, list[MapRow]] = {}
    for p in partnerships:
        row = MapRow(p, [column.get(p.structure_id, 0) for column in columns])
        rows_by_kind.setdefault(p.structure.kind, []).append(row)
    groups = [
        KindGroup(kind.value, kind.label, rows_by_kind[kind.value])
        for kind in StructureKind
        if kind.value in rows_by_kind
    ]
    formats = [
        (fmt.label, sum(1 for p in partnerships if p.cooperation_format == fmt.value))
        for fmt in CooperationFormat
    ]
    qpvs = (
        QPV.objects.filter(cites=cite_id)
        .annotate(n=Count("partnership", filter=Q(partnership__cite_id=cite_id), distinct=True))
        .order_by("name")
    )
    return PartnershipMap(
        groups=groups,
        providers=providers,
        structure_count=len(partnerships),
        by_format=formats,
        by_qpv=[(q, q.n) for q in qpvs],
    )
