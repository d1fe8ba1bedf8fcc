"""Indicators about people: identified (by repérage channel), invisible reached (hors radar)."""

from django.db.models import Count, Expression, Q, QuerySet

from citemploi.people.enums import ReperageChannel
from citemploi.people.models import Beneficiary
from citemploi.reporting.indicators.base import (
    Cut,
    Indicator,
    Number,
    Query,
    Unit,
    age_band_expression,
    grouped,
    register,
    structure_expression,
    text,
)

SECTION = "Repérage et accompagnement"

#: the cuts a person's file carries (the responsible structure stands for the partner structure)
PERSON_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE})


def _channels() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in ReperageChannel]


def _identified(q: Query) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(
        cite_id__in=q.cite_ids, identified_on__gte=q.period.start, identified_on__lte=q.period.end
    )
    if q.qpv_id:
        qs = qs.filter(qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(responsible_structure_id=q.structure_id)
    return qs


def person_cut(cut: Cut, fact_date: str) -> Expression | None:
    """The SQL expression of a cut on a person's file (age on the date of the fact)."""
    return {
        Cut.NONE: None,
        Cut.CITE: text("cite_id"),
        Cut.QPV: text("qpv_id"),
        Cut.GENDER: text("gender"),
        Cut.AGE_BAND: age_band_expression("birth_date", fact_date),
        Cut.STRUCTURE: structure_expression("responsible_structure"),
    }[cut]


def identified(q: Query) -> dict[tuple[str, str], Number]:
    return grouped(
        _identified(q),
        "reperage_channel",
        person_cut(q.cut, "identified_on"),
        Count("id", distinct=True),
    )


def invisible(q: Query) -> dict[tuple[str, str], Number]:
    return grouped(
        _identified(q).filter(Q(invisible_at_identification=True)),
        "reperage_channel",
        person_cut(q.cut, "identified_on"),
        Count("id", distinct=True),
    )


register(
    Indicator(
        code="people.identified",
        name="Personnes repérées",
        definition=(
            "Personnes dont la fiche a été créée dans la période (date de repérage comprise entre le début et "
            "la fin), par canal de repérage. L'âge est celui à la date de repérage ; la structure est la "
            "structure référente."
        ),
        unit=Unit.PEOPLE,
        categories=_channels,
        compute=identified,
        cuts=PERSON_CUTS,
        section=SECTION,
    )
)

register(
    Indicator(
        code="people.invisible_reached",
        name="Invisibles atteints (hors radar)",
        definition=(
            "Personnes repérées dans la période qui, au moment du repérage, n'étaient inscrites auprès "
            "d'aucune structure du service public de l'emploi ni suivies par aucune, par canal de repérage."
        ),
        unit=Unit.PEOPLE,
        categories=_channels,
        compute=invisible,
        cuts=PERSON_CUTS,
        section=SECTION,
    )
)
