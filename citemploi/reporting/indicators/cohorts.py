"""Cohort indicators: the funnel (proposed → examined → integrated / waiting / not retained → exited).

Reading of indicators.md: a state is *reached in the period* when a change of the membership to that state
took effect in the period (its effective date); people are counted once per state even with several
memberships. The stock integrated at `end`: people integrated on or before `end` and not exited by then.
"""

from django.db.models import Count, Q, QuerySet

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import CohortMember, MemberTransition
from citemploi.reporting.indicators.base import (
    Cut,
    Indicator,
    Number,
    Query,
    Ratios,
    Unit,
    age_band_expression,
    grouped,
    register,
    structure_expression,
    text,
)
from citemploi.reporting.indicators.funded import grouped_by_action

SECTION = "Cohortes"

#: by funded action: the actions that reached the person in the period (funded.py); a person may be in several
COHORT_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE, Cut.COHORT, Cut.ACTION})

STAGES = [(s.value, str(s.label)) for s in MemberState] + [
    ("integrated_stock", "Intégré·es à la fin de la période")
]


def _cut(cut: Cut, member: str, fact_date: str) -> object:
    """The person's attributes (age on the date of the change), the cohort, the proposing structure."""
    if cut == Cut.NONE:
        return None
    return {
        Cut.CITE: text(f"{member}cohort__cite_id"),
        Cut.QPV: text(f"{member}beneficiary__qpv_id"),
        Cut.GENDER: text(f"{member}beneficiary__gender"),
        Cut.AGE_BAND: age_band_expression(f"{member}beneficiary__birth_date", fact_date),
        Cut.STRUCTURE: structure_expression(f"{member}proposing_structure"),
        Cut.COHORT: text(f"{member}cohort_id"),
    }[cut]


def _count(
    qs: QuerySet, category: object, q: Query, member: str, fact_date: str
) -> dict[tuple[str, str], Number]:
    """Distinct people per (category, cut value); by funded action, per action that reached them."""
    if q.cut == Cut.ACTION:
        return grouped_by_action(qs, category, q, person=f"{member}beneficiary_id")  # type: ignore[arg-type]
    return grouped(
        qs,
        category,  # type: ignore[arg-type]
        _cut(q.cut, member, fact_date),  # type: ignore[arg-type]
        Count(f"{member}beneficiary", distinct=True),
    )


def _members(q: Query, prefix: str = "") -> Q:
    cond = Q(**{f"{prefix}cohort__cite_id__in": q.cite_ids})
    if q.qpv_id:
        cond &= Q(**{f"{prefix}beneficiary__qpv_id": q.qpv_id})
    if q.structure_id:
        cond &= Q(**{f"{prefix}proposing_structure_id": q.structure_id})
    if q.cohort_id:
        cond &= Q(**{f"{prefix}cohort_id": q.cohort_id})
    return cond


def funnel(q: Query) -> dict[tuple[str, str], Number]:
    moves: QuerySet[MemberTransition] = MemberTransition.objects.filter(
        _members(q, "member__"), effective_on__gte=q.period.start, effective_on__lte=q.period.end
    )
    out = _count(moves, "to_state", q, "member__", "effective_on")
    stock = CohortMember.objects.filter(
        _members(q), integrated_on__isnull=False, integrated_on__lte=q.period.end
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=q.period.end))
    from django.db.models import Value

    out |= _count(stock, Value("integrated_stock"), q, "", "integrated_on")
    return out


register(
    Indicator(
        code="cohorts.funnel",
        name="Entonnoir des cohortes",
        definition=(
            "Personnes distinctes dont l'inscription en cohorte a atteint, dans la période, l'état proposé, "
            "examiné en commission, intégré, en attente, non retenu ou sorti (date d'effet du changement) ; "
            "plus le stock des personnes intégrées à la fin de la période (intégrées au plus tard à la fin, non "
            "sorties à cette date). Une personne passe par plusieurs états : les lignes ne s'additionnent pas. "
            "Structure : structure qui a proposé la personne ; âge à la date du changement."
        ),
        unit=Unit.PEOPLE,
        categories=lambda: STAGES,
        compute=funnel,
        cuts=COHORT_CUTS,
        overlapping_cuts=frozenset({Cut.ACTION}),
        section=SECTION,
        additive=False,
    )
)


SOLUTION_ROWS = [
    ("integrated", "Intégré·es à la fin de la période"),
    ("with_solution", "dont avec au moins une sortie en solution"),
]


def _solution_members(q: Query) -> QuerySet[CohortMember]:
    """Memberships integrated by `end`, flagged when a solution outcome is dated from integration to `end`."""
    from django.db.models import Exists, OuterRef

    from citemploi.tracking.enums import SOLUTION_TYPES
    from citemploi.tracking.models import Outcome

    solution = Exists(
        Outcome.objects.filter(
            beneficiary_id=OuterRef("beneficiary_id"),
            type__in=SOLUTION_TYPES,
            outcome_on__gte=OuterRef("integrated_on"),
            outcome_on__lte=q.period.end,
        )
    )
    return CohortMember.objects.filter(
        _members(q), integrated_on__isnull=False, integrated_on__lte=q.period.end
    ).annotate(solution=solution)


def _solution_counts(q: Query) -> tuple[dict[tuple[str, str], Number], dict[tuple[str, str], Number]]:
    from django.db.models import Value

    qs = _solution_members(q)
    integrated = _count(qs, Value("integrated"), q, "", "integrated_on")
    solved = _count(qs.filter(solution=True), Value("with_solution"), q, "", "integrated_on")
    return integrated, solved


def solution_people(q: Query) -> dict[tuple[str, str], Number]:
    integrated, solved = _solution_counts(q)
    return {**integrated, **solved}


def solution_share(q: Query) -> Ratios:
    """People with a solution over people integrated (the denominator), per column."""
    integrated, solved = _solution_counts(q)
    return Ratios(
        {
            ("share", col): round(float(solved.get(("with_solution", col), 0)) * 100 / float(n), 1)
            for (_, col), n in integrated.items()
            if n
        },
        denominators={("share", col): int(n) for (_, col), n in integrated.items()},
        numerators={("share", col): int(n) for (_, col), n in solved.items()},
    )


SOLUTION_READING = (
    "Personnes intégrées dans la cohorte à n'importe quelle date jusqu'à la fin de la période ; avec "
    "solution : au moins une sortie autre que « sortie sans solution » datée entre leur intégration et la fin "
    "de la période (emploi durable, de transition, aidé ou IAE, alternance, formation qualifiante, création "
    "d'entreprise, service civique, reprise d'études). Une personne intégrée dans deux cohortes compte dans "
    "chacune ; sans ventilation par cohorte elle compte une fois. Âge à la date d'intégration ; structure qui "
    "a proposé la personne."
)

register(
    Indicator(
        code="cohorts.solution_people",
        name="Personnes intégrées et personnes en solution",
        definition=SOLUTION_READING,
        unit=Unit.PEOPLE,
        categories=lambda: SOLUTION_ROWS,
        compute=solution_people,
        cuts=COHORT_CUTS,
        overlapping_cuts=frozenset({Cut.ACTION}),
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="cohorts.solution_share",
        name="Part des personnes intégrées avec une solution",
        definition=(
            "Personnes intégrées avec solution divisées par les personnes intégrées dans la cohorte à la fin de "
            "la période (à lire par cohorte). " + SOLUTION_READING
        ),
        unit=Unit.PERCENT,
        categories=lambda: [("share", "Part avec solution")],
        compute=solution_share,
        cuts=COHORT_CUTS,
        overlapping_cuts=frozenset({Cut.ACTION}),
        section=SECTION,
        additive=False,
        denominator="personnes intégrées",
    )
)
