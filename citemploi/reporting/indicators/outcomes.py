"""Outcome indicators: outcomes by type (per person), retention at 3, 6 and 12 months.

Reading of indicators.md: an outcome is counted when its date falls in the period; a person counts once per
type and once in the « all outcomes » row, however many outcomes of that type they had. Retention: the checks
of job or training outcomes whose due date falls in the period; *recorded* = a date of check is filled in
(whenever it was done); still in job or training = the answer recorded at the check. Checks due but not
recorded are shown on their own rows and are neither a success nor a failure. The age is the one on the date
of the outcome (of the check's due date for retention); the structure is the person's responsible structure.
On a cohort page (`Query.cohort_id`), the people are the cohort's members: integrated in it on or before the
date of the outcome (of the checked outcome for retention), see `base.cohort_member`.
"""

from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Value

from citemploi.reporting.indicators.base import (
    ALL,
    Cut,
    Indicator,
    Number,
    Query,
    Ratios,
    Unit,
    age_band_expression,
    cohort_member,
    grouped,
    register,
    structure_expression,
    text,
)
from citemploi.reporting.indicators.funded import grouped_by_action
from citemploi.tracking.enums import CHECK_MONTHS, OutcomeType
from citemploi.tracking.models import FollowUpCheck, Outcome

SECTION = "Sorties et maintien"

#: how the page of a cohort restricts these indicators (the same reading as the share with a solution)
COHORT_READING = (
    "Sur la page d'une cohorte : les personnes intégrées dans la cohorte au plus tard à la date de la sortie "
    "(personnes seulement proposées, en attente ou non retenues exclues), même sorties de la cohorte depuis."
)

OUTCOME_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE})
TOTAL = "total"


def _cut(cut: Cut, person: str, fact_date: str) -> object:
    if cut == Cut.NONE:
        return None
    return {
        Cut.CITE: text(f"{person}cite_id"),
        Cut.QPV: text(f"{person}qpv_id"),
        Cut.GENDER: text(f"{person}gender"),
        Cut.AGE_BAND: age_band_expression(f"{person}birth_date", fact_date),
        Cut.STRUCTURE: structure_expression(f"{person}responsible_structure"),
    }[cut]


def _person_filter(q: Query, person: str, outcome_date: str) -> Q:
    """The people of the page (cités, QPV, structure, cohort); `outcome_date`: the path of the outcome's date
    (a cohort page counts the outcomes dated from the person's integration in the cohort)."""
    cond = Q(**{f"{person}cite_id__in": q.cite_ids})
    if q.qpv_id:
        cond &= Q(**{f"{person}qpv_id": q.qpv_id})
    if q.structure_id:
        cond &= Q(**{f"{person}responsible_structure_id": q.structure_id})
    return cond & cohort_member(q, f"{person}id", outcome_date)


def _types() -> list[tuple[str, str]]:
    return [(t.value, str(t.label)) for t in OutcomeType] + [(TOTAL, "Toutes sorties (personnes)")]


def outcomes_in_period(q: Query) -> QuerySet[Outcome]:
    return Outcome.objects.filter(
        _person_filter(q, "beneficiary__", "outcome_on"),
        outcome_on__gte=q.period.start,
        outcome_on__lte=q.period.end,
    )


def by_type(q: Query) -> dict[tuple[str, str], Number]:
    qs = outcomes_in_period(q)
    if q.cut == Cut.ACTION:
        cells = grouped_by_action(qs, "type", q, person="beneficiary_id")
        totals = grouped_by_action(qs, Value(TOTAL), q, person="beneficiary_id")
        return {**cells, **totals}
    cut = _cut(q.cut, "beneficiary__", "outcome_on")
    cells = grouped(qs, "type", cut, Count("beneficiary_id", distinct=True))  # type: ignore[arg-type]
    totals = grouped(qs, Value(TOTAL), cut, Count("beneficiary_id", distinct=True))  # type: ignore[arg-type]
    return {**cells, **totals}


def _check_rows() -> list[tuple[str, str]]:
    rows = []
    for m in CHECK_MONTHS:
        rows += [
            (f"{m}_recorded", f"À {m} mois — points de suivi faits"),
            (f"{m}_retained", f"À {m} mois — toujours en emploi ou en formation"),
            (f"{m}_pending", f"À {m} mois — points dus non faits (à part)"),
        ]
    return rows


def _checks(q: Query) -> dict[tuple[int, str], dict[str, int]]:
    """One GROUP BY (months, cut): recorded, retained and pending checks due in the period."""
    cut = _cut(q.cut, "outcome__beneficiary__", "due_on")
    rows = (
        FollowUpCheck.objects.filter(
            _person_filter(q, "outcome__beneficiary__", "outcome__outcome_on"),
            due_on__gte=q.period.start,
            due_on__lte=q.period.end,
        )
        .order_by()
        .annotate(_col=cut if cut is not None else Value(ALL))  # type: ignore[arg-type]
        .values("months", "_col")
        .annotate(
            recorded=Count("id", filter=Q(recorded_on__isnull=False)),
            retained=Count("id", filter=Q(recorded_on__isnull=False, still_in_job_or_training=True)),
            pending=Count("id", filter=Q(recorded_on__isnull=True)),
        )
    )
    out: dict[tuple[int, str], dict[str, int]] = {}
    for values in rows:
        row = cast(dict[str, Any], values)
        key = (int(row["months"]), str(row["_col"]) if row["_col"] is not None else "")
        acc = out.setdefault(key, {"recorded": 0, "retained": 0, "pending": 0})
        for name in acc:
            acc[name] += row[name]
    return out


def retention_checks(q: Query) -> dict[tuple[str, str], Number]:
    out: dict[tuple[str, str], Number] = {}
    for (months, col), figures in _checks(q).items():
        for name, n in figures.items():
            if n:
                out[(f"{months}_{name}", col)] = n
    return out


def retention_rate(q: Query) -> Ratios:
    """Retained over recorded checks; the recorded checks are the denominator, the retained the numerator."""
    checks = _checks(q)
    return Ratios(
        {
            (str(months), col): round(figures["retained"] * 100 / figures["recorded"], 1)
            for (months, col), figures in checks.items()
            if figures["recorded"]
        },
        denominators={(str(months), col): figures["recorded"] for (months, col), figures in checks.items()},
        numerators={(str(months), col): figures["retained"] for (months, col), figures in checks.items()},
    )


register(
    Indicator(
        code="outcomes.by_type",
        name="Sorties par type",
        definition=(
            "Personnes ayant une sortie datée dans la période, par type de sortie. Une personne compte une "
            "fois par type et une fois dans la ligne « Toutes sorties », même avec plusieurs sorties (deux "
            "emplois dans la période comptent une fois). L'âge est celui à la date de la sortie ; la structure "
            "est la structure référente. " + COHORT_READING
        ),
        unit=Unit.PEOPLE,
        categories=_types,
        compute=by_type,
        cuts=OUTCOME_CUTS | {Cut.ACTION},
        overlapping_cuts=frozenset({Cut.ACTION}),
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="outcomes.retention_checks",
        name="Points de suivi à 3, 6 et 12 mois",
        definition=(
            "Points de suivi des sorties en emploi ou en formation dont l'échéance (3, 6 ou 12 mois) tombe "
            "dans la période : faits (date du point renseignée), dont toujours en emploi ou en formation, et "
            "dus mais non faits, comptés à part : ni réussite ni échec. L'âge est celui à l'échéance. "
            + COHORT_READING
        ),
        unit=Unit.COUNT,
        categories=_check_rows,
        compute=retention_checks,
        cuts=OUTCOME_CUTS,
        section=SECTION,
        additive=False,
        personal=True,
    )
)

register(
    Indicator(
        code="outcomes.retention_rate",
        name="Maintien en emploi ou en formation à 3, 6 et 12 mois",
        definition=(
            "Parmi les points de suivi à 3, 6 ou 12 mois échus dans la période et faits, la part où la personne "
            "était toujours en emploi ou en formation. Les points dus non faits n'entrent ni au numérateur ni "
            "au dénominateur. " + COHORT_READING
        ),
        unit=Unit.PERCENT,
        categories=lambda: [(str(m), f"À {m} mois") for m in CHECK_MONTHS],
        compute=retention_rate,
        cuts=OUTCOME_CUTS,
        section=SECTION,
        additive=False,
        denominator="points de suivi faits",
    )
)
