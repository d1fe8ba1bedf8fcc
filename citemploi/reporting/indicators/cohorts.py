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

SECTION = "Cohortes"

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
    out = grouped(
        moves,
        "to_state",
        _cut(q.cut, "member__", "effective_on"),  # type: ignore[arg-type]
        Count("member__beneficiary", distinct=True),
    )
    stock = CohortMember.objects.filter(
        _members(q), integrated_on__isnull=False, integrated_on__lte=q.period.end
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=q.period.end))
    from django.db.models import Value

    out |= grouped(
        stock,
        Value("integrated_stock"),
        _cut(q.cut, "", "integrated_on"),  # type: ignore[arg-type]
        Count("beneficiary", distinct=True),
    )
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
        cuts=frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE, Cut.COHORT}),
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
    cut = _cut(q.cut, "", "integrated_on")
    integrated = grouped(qs, Value("integrated"), cut, Count("beneficiary", distinct=True))  # type: ignore[arg-type]
    solved = grouped(
        qs.filter(solution=True),
        Value("with_solution"),
        cut,  # type: ignore[arg-type]
        Count("beneficiary", distinct=True),
    )
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
        cuts=frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE, Cut.COHORT}),
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
        cuts=frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE, Cut.COHORT}),
        section=SECTION,
        additive=False,
        denominator="personnes intégrées",
    )
)
