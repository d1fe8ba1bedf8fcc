"""The network of the partnership: who works with whom.

Nodes are the structures of the cité; an edge joins two structures that work together, weighted by how
often. Each kind of cooperation is an edge source (`EDGE_SOURCES`): sitting on the same committee,
organising or partnering the same event. Another domain adds a source (e.g. orientations between
structures) with `register_edge_source(EdgeSource("orientations", "Orientations", pairs))`, where
`pairs(cite_id)` returns a Counter of (structure id, structure id) pairs, smaller id first.

The network is drawn server-side as SVG (no script), on a circle, structures grouped by family of kinds;
the same data is given as a table for those who do not read the picture.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

from citemploi.core.context import ActingContext
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Structure
from citemploi.partnership.models import CommitteeMember, EventStructure

PairCounts = Counter[tuple[int, int]]


@dataclass(frozen=True)
class EdgeSource:
    key: str
    #: column header of the table, in French
    label: str
    pairs: Callable[[int], PairCounts]


def pairs_from_groups(rows: Iterable[tuple[int, int]]) -> PairCounts:
    """(group id, structure id) rows → how many groups each pair of structures shares."""
    groups: dict[int, set[int]] = defaultdict(set)
    for group_id, structure_id in rows:
        groups[group_id].add(structure_id)
    counts: PairCounts = Counter()
    for members in groups.values():
        for pair in combinations(sorted(members), 2):
            counts[pair] += 1
    return counts


def committee_pairs(cite_id: int) -> PairCounts:
    """Structures with current members on the same active committee."""
    return pairs_from_groups(
        CommitteeMember.objects.filter(
            committee__cite_id=cite_id,
            committee__is_active=True,
            left_on__isnull=True,
            structure__isnull=False,
        ).values_list("committee_id", "structure_id")
    )


def event_pairs(cite_id: int) -> PairCounts:
    """Structures organising or partnering the same event."""
    return pairs_from_groups(
        EventStructure.objects.filter(event__cite_id=cite_id).values_list("event_id", "structure_id")
    )


EDGE_SOURCES: list[EdgeSource] = [
    EdgeSource("committees", "Instances en commun", committee_pairs),
    EdgeSource("events", "Actions et événements en commun", event_pairs),
]


def register_edge_source(source: EdgeSource) -> None:
    if any(s.key == source.key for s in EDGE_SOURCES):
        raise ValueError(f"Edge source {source.key!r} registered twice")
    EDGE_SOURCES.append(source)


#: families of structure kinds, with the colour of their nodes (DSFR illustrative colours, contrast ≥ 3:1)
FAMILIES: list[tuple[str, str, frozenset[str]]] = [
    (
        "Service public de l'emploi",
        "#000091",
        frozenset(
            {
                StructureKind.FRANCE_TRAVAIL,
                StructureKind.MISSION_LOCALE,
                StructureKind.CAP_EMPLOI,
                StructureKind.PLIE,
            }
        ),
    ),
    (
        "Collectivités et État",
        "#6e445a",
        frozenset(
            {StructureKind.DEPARTEMENT, StructureKind.REGION, StructureKind.STATE, StructureKind.COMMUNE_EPCI}
        ),
    ),
    (
        "Action sociale, santé, logement",
        "#18753c",
        frozenset(
            {
                StructureKind.CCAS,
                StructureKind.SOCIAL_LANDLORD,
                StructureKind.SOCIAL_CENTRE,
                StructureKind.HEALTH_SOCIAL,
                StructureKind.JUSTICE,
            }
        ),
    ),
    (
        "Associations et habitant·es",
        "#b34000",
        frozenset({StructureKind.ASSOCIATION, StructureKind.CITIZENS}),
    ),
    (
        "Entreprises, formation, IAE",
        "#695240",
        frozenset(
            {StructureKind.EMPLOYER, StructureKind.CCI_CMA, StructureKind.SIAE, StructureKind.TRAINING}
        ),
    ),
]
OTHER_FAMILY = ("Autres", "#3a3a3a")

WIDTH, HEIGHT = 900, 660
RADIUS = 230
NODE_RADIUS = 8
LABEL_CHARS = 30


def family_of(kind: str) -> tuple[str, str]:
    for label, colour, kinds in FAMILIES:
        if kind in kinds:
            return label, colour
    return OTHER_FAMILY


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    kind_label: str
    family: str
    colour: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    degree: int

    @property
    def short_name(self) -> str:
        return self.name if len(self.name) <= LABEL_CHARS else self.name[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    #: one weight per edge source, in the order of `Network.sources`
    weights: list[int]

    @property
    def total(self) -> int:
        return sum(self.weights)

    @property
    def width(self) -> float:
        return round(min(1.5 + 1.5 * (self.total - 1), 9.0), 1)


@dataclass(frozen=True)
class Network:
    nodes: list[Node]
    edges: list[Edge]
    sources: list[EdgeSource]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def legend(self) -> list[tuple[str, str, int]]:
        """(family, colour, y) of the families present, stacked in the bottom-left corner."""
        present = {n.family for n in self.nodes}
        families = [(label, colour) for label, colour, _ in FAMILIES] + [OTHER_FAMILY]
        shown = [(label, colour) for label, colour in families if label in present]
        top = self.height - 16 - 20 * (len(shown) - 1)
        return [(label, colour, top + 20 * i) for i, (label, colour) in enumerate(shown)]

    @property
    def isolated(self) -> list[Node]:
        return [n for n in self.nodes if n.degree == 0]


def _family_rank(kind: str) -> int:
    for rank, (_, _, kinds) in enumerate(FAMILIES):
        if kind in kinds:
            return rank
    return len(FAMILIES)


def network_for(ctx: ActingContext) -> Network:
    """The network of the acting cité (empty when the acting context has no cité)."""
    sources = list(EDGE_SOURCES)
    cite_id = ctx.cite_id
    if cite_id is None or not ctx.can("partnership.view"):
        return Network([], [], sources)
    structures = list(Structure.objects.filter(partnerships__cite_id=cite_id).only("id", "name", "kind"))
    known = {s.pk for s in structures}
    per_source = [source.pairs(cite_id) for source in sources]
    pairs = sorted(
        {pair for counts in per_source for pair in counts if pair[0] in known and pair[1] in known}
    )
    degree: Counter[int] = Counter()
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    # Families together around the circle, then by name: neighbours in the picture are alike.
    structures.sort(key=lambda s: (_family_rank(s.kind), s.name.lower(), s.pk))
    cx, cy = WIDTH / 2, HEIGHT / 2
    nodes: dict[int, Node] = {}
    count = len(structures)
    for i, s in enumerate(structures):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        cos, sin = math.cos(angle), math.sin(angle)
        family, colour = family_of(s.kind)
        nodes[s.pk] = Node(
            id=s.pk,
            name=s.name,
            kind_label=StructureKind(s.kind).label if s.kind in StructureKind.values else s.kind,
            family=family,
            colour=colour,
            x=round(cx + RADIUS * cos, 1),
            y=round(cy + RADIUS * sin, 1),
            label_x=round(cx + (RADIUS + NODE_RADIUS + 6) * cos, 1),
            label_y=round(cy + (RADIUS + NODE_RADIUS + 6) * sin + 4, 1),
            anchor="start" if cos >= -1e-9 else "end",
            degree=degree[s.pk],
        )
    edges = [Edge(nodes[a], nodes[b], [counts.get((a, b), 0) for counts in per_source]) for a, b in pairs]
    edges.sort(key=lambda e: (-e.total, e.a.name.lower(), e.b.name.lower()))
    return Network(list(nodes.values()), edges, sources)
