"""Indicators of the events of animation and aller-vers (partnership events).

Participants = people counted without being named + named participants: a named person is never part of
the counted figures (the event form asks for the unnamed ones), so adding both never counts anyone twice.
Over several events the figures are participations, as coordinators report them.
"""

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from citemploi.partnership.enums import EventKind
from citemploi.partnership.models import Event, EventStructure, Participation
from citemploi.reporting.indicators.base import (
    ALL,
    UNKNOWN,
    Cut,
    Indicator,
    Number,
    Query,
    Unit,
    grouped,
    register,
    text,
)
from citemploi.reporting.indicators.funded import funded_actions

SECTION = "Actions et événements"

#: the QPV of an event is the QPV of its place (participants' residence is in the « dont QPV » figure); the
#: funded action of an event is the one whose roadmap action it is attached to
EVENT_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.ACTION})


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in EventKind]


def _events(q: Query) -> QuerySet[Event]:
    qs = Event.objects.filter(cite_id__in=q.cite_ids, date__gte=q.period.start, date__lte=q.period.end)
    if q.qpv_id:
        qs = qs.filter(qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(
            Exists(EventStructure.objects.filter(event=OuterRef("pk"), structure_id=q.structure_id))
        )
    return qs


def _cut(q: Query, prefix: str = "") -> object:
    if q.cut == Cut.ACTION:
        return _action_column(q, prefix)
    return {Cut.NONE: None, Cut.CITE: text(f"{prefix}cite_id"), Cut.QPV: text(f"{prefix}qpv_id")}[q.cut]


def _action_column(q: Query, prefix: str) -> Expression:
    """The funded action an event belongs to: the one whose roadmap action the event is attached to (one
    query for the funded actions); UNKNOWN for the others, left out by `_actions_only`."""
    whens = [
        When(
            **{f"{prefix}roadmap_action_id": action.roadmap_action_id}, then=Value(str(action.application_id))
        )
        for action in funded_actions(q)
        if action.roadmap_action_id is not None
    ]
    if not whens:
        return Value(UNKNOWN, output_field=CharField())
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _actions_only(q: Query, cells: dict[tuple[str, str], Number]) -> dict[tuple[str, str], Number]:
    """By funded action, the events of no funded action are in no column."""
    if q.cut != Cut.ACTION:
        return cells
    return {key: value for key, value in cells.items() if key[1] != UNKNOWN}


def _participations(q: Query) -> QuerySet[Participation]:
    return Participation.objects.filter(event__in=_events(q).values("pk"))


def _add(*parts: dict[tuple[str, str], Number]) -> dict[tuple[str, str], Number]:
    out: dict[tuple[str, str], Number] = {}
    for part in parts:
        for key, value in part.items():
            out[key] = out.get(key, 0) + value  # type: ignore[operator]
    return out


def count(q: Query) -> dict[tuple[str, str], Number]:
    return _actions_only(q, grouped(_events(q), "kind", _cut(q), Count("id")))  # type: ignore[arg-type]


def participants(q: Query) -> dict[tuple[str, str], Number]:
    counted = grouped(_events(q), "kind", _cut(q), Sum("counted_total"))  # type: ignore[arg-type]
    named = grouped(_participations(q), "event__kind", _cut(q, "event__"), Count("id"))  # type: ignore[arg-type]
    return _actions_only(q, _add(counted, named))


PROFILE = [
    ("young", "Jeunes (moins de 26 ans)", "counted_young", Q(age_band="jeunes")),
    ("women", "Femmes", "counted_women", Q(is_woman=True)),
    ("seniors", "Seniors (50 ans et plus)", "counted_seniors", Q(age_band="seniors")),
    ("qpv", "Résident·es d'un QPV", "counted_qpv", Q(qpv_resident=True)),
]


def _by_column(qs: QuerySet, cut: object, aggregates: dict) -> dict[tuple[str, str], Number]:
    """Several figures in one GROUP BY over the cut: value per (figure, column)."""
    from django.db.models import Value

    rows = (
        qs.order_by()
        .annotate(_col=cut if cut is not None else Value(ALL))
        .values("_col")
        .annotate(**aggregates)
    )
    out: dict[tuple[str, str], Number] = {}
    for row in rows:
        col = str(row["_col"]) if row["_col"] is not None else ""
        for key in aggregates:
            out[(key, col)] = out.get((key, col), 0) + (row[key] or 0)
    return out


def profile(q: Query) -> dict[tuple[str, str], Number]:
    counted = _by_column(_events(q), _cut(q), {key: Sum(field) for key, _, field, _ in PROFILE})
    named = _by_column(
        _participations(q),
        _cut(q, "event__"),
        {key: Count("id", filter=cond) for key, _, _, cond in PROFILE},
    )
    return _actions_only(q, _add(counted, named))


def hours(q: Query) -> dict[tuple[str, str], Number]:
    return _actions_only(
        q,
        _by_column(
            _events(q),
            _cut(q),
            {"delivered": Sum("hours_delivered"), "coordination": Sum("coordination_hours")},
        ),
    )


def results(q: Query) -> dict[tuple[str, str], Number]:
    return _actions_only(
        q,
        _by_column(
            _events(q),
            _cut(q),
            {"found": Sum("found_count"), "hooked": Sum("hooked_count"), "employed": Sum("employed_count")},
        ),
    )


register(
    Indicator(
        code="events.count",
        name="Actions et événements réalisés",
        definition="Actions d'animation et d'aller-vers dont la date tombe dans la période, par type.",
        unit=Unit.COUNT,
        categories=_kinds,
        compute=count,
        cuts=EVENT_CUTS,
        section=SECTION,
    )
)

register(
    Indicator(
        code="events.participants",
        name="Participant·es aux actions",
        definition=(
            "Somme, sur les actions de la période, des personnes comptées sans être nommées et des "
            "participant·es nommé·es (une personne nommée n'est jamais comptée une seconde fois dans le "
            "comptage). Une personne venue à deux actions compte deux fois (participations). Ventilation "
            "par QPV : QPV du lieu de l'action."
        ),
        unit=Unit.PEOPLE,
        categories=_kinds,
        compute=participants,
        cuts=EVENT_CUTS,
        section=SECTION,
    )
)

register(
    Indicator(
        code="events.participants_profile",
        name="Profil des participant·es",
        definition=(
            "Parmi les participant·es des actions de la période (comptés et nommés, sans double compte) : "
            "jeunes de moins de 26 ans, femmes, seniors de 50 ans et plus, résident·es d'un QPV. L'âge est "
            "celui à la date de l'action. Une personne peut figurer sur plusieurs lignes : elles ne "
            "s'additionnent pas."
        ),
        unit=Unit.PEOPLE,
        categories=lambda: [(key, label) for key, label, _, _ in PROFILE],
        compute=profile,
        cuts=EVENT_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="events.hours",
        name="Heures d'action et de coordination",
        definition=(
            "Somme, sur les actions de la période, des heures d'action réalisées auprès du public et des "
            "heures de coordination avec les partenaires."
        ),
        unit=Unit.HOURS,
        categories=lambda: [
            ("delivered", "Heures d'action réalisées"),
            ("coordination", "Heures de coordination avec les partenaires"),
        ],
        compute=hours,
        cuts=EVENT_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="events.results",
        name="Résultats des actions",
        definition=(
            "Somme, sur les actions de la période, des personnes repérées, raccrochées à une structure et en "
            "emploi, telles que déclarées pour chaque action (participant·es nommé·es ou non). Une personne "
            "peut être repérée puis raccrochée : les lignes ne s'additionnent pas."
        ),
        unit=Unit.PEOPLE,
        categories=lambda: [
            ("found", "Personnes repérées"),
            ("hooked", "Personnes raccrochées à une structure"),
            ("employed", "Personnes en emploi"),
        ],
        compute=results,
        cuts=EVENT_CUTS,
        section=SECTION,
        additive=False,
    )
)
