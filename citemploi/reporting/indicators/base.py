"""What every indicator shares: the period, the cut, the result table and the registry.

An indicator is defined once: a code, a French name, a plain French definition (docs/indicators.md, with our
reading where we had to interpret), a unit and a computation. The computation runs aggregate SQL (GROUP BY)
over the domains' models and returns numbers per (category, column): the categories are the indicator's own
breakdown (repérage channel, event kind, call…), the columns the cut (QPV, gender, age band…). It never
returns a person.
"""

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import NotSupportedError
from django.db.models import (
    Case,
    CharField,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

Number = int | Decimal | float


class PeriodError(ValueError):
    """A period that cannot be read (French message for the user)."""


@dataclass(frozen=True)
class Period:
    """Dates inclusive, in Europe/Paris (the dates people write on their forms)."""

    start: date
    end: date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError("La date de début doit précéder la date de fin.")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise PeriodError("Le trimestre va de 1 à 4.")
        first = 3 * (quarter - 1) + 1
        last = calendar.monthrange(year, first + 2)[1]
        return cls(date(year, first, 1), date(year, first + 2, last), "quarter")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        if kind == "month":
            return cls.month(day.year, day.month)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "year":
            return cls.year(day.year)
        raise PeriodError("Période inconnue : mois, trimestre, année ou dates libres.")

    @classmethod
    def parse(cls, value: str) -> "Period":
        """`2026`, `2026-T2`, `2026-05` or `2026-01-01..2026-03-31`."""
        value = value.strip()
        try:
            if m := re.fullmatch(r"(\d{4})", value):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-[TtQq]([1-4])", value):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
                return cls(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(f"Période invalide : « {value} ».") from exc
        raise PeriodError(
            f"Période invalide : « {value} » (attendu 2026, 2026-T2, 2026-05 ou 2026-01-01..2026-03-31)."
        )

    @property
    def token(self) -> str:
        """The inverse of `parse`."""
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-T{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"année {self.start.year}"
        if self.kind == "quarter":
            return f"{ordinal((self.start.month - 1) // 3 + 1)} trimestre {self.start.year}"
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def previous(self) -> "Period":
        if self.kind == "month":
            m = self.start.month - 1 or 12
            return Period.month(self.start.year - (self.start.month == 1), m)
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return Period.quarter(self.start.year - (q == 1), q - 1 or 4)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        length = self.end - self.start
        end = self.start.fromordinal(self.start.toordinal() - 1)
        return Period(end - length, end)


def ordinal(n: int) -> str:
    """1er, 2e, 3e… as French writes them."""
    return "1er" if n == 1 else f"{n}e"


MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


class Cut(StrEnum):
    """How the figures are broken down (the columns of an indicator's table)."""

    NONE = "none"
    CITE = "cite"
    QPV = "qpv"
    GENDER = "gender"
    AGE_BAND = "age_band"
    STRUCTURE = "structure"
    COHORT = "cohort"
    ACTION = "action"

    @property
    def label(self) -> str:
        return CUT_LABELS[self]


CUT_LABELS = {
    Cut.NONE: "Sans ventilation",
    Cut.CITE: "Cité",
    Cut.QPV: "QPV de résidence",
    Cut.GENDER: "Genre",
    Cut.AGE_BAND: "Tranche d'âge",
    Cut.STRUCTURE: "Structure partenaire",
    Cut.COHORT: "Cohorte",
    Cut.ACTION: "Action financée",
}


class Unit(StrEnum):
    PEOPLE = "people"
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    EUROS = "euros"
    HOURS = "hours"

    @property
    def label(self) -> str:
        return {
            "people": "personnes",
            "count": "nombre",
            "percent": "%",
            "days": "jours",
            "euros": "€",
            "hours": "heures",
        }[self.value]


@dataclass(frozen=True)
class Query:
    """What is asked: cités, period, cut, and the filters of the QPV and structure pages."""

    cite_ids: tuple[int, ...]
    period: Period
    cut: Cut = Cut.NONE
    qpv_id: int | None = None
    structure_id: int | None = None
    action_id: int | None = None
    cohort_id: int | None = None


#: the key of the only column when there is no cut
ALL = "all"
#: the key of people whose cut value is not recorded
UNKNOWN = ""
#: the key that stands for every sensitive structure (who they follow is not told to anyone)
SENSITIVE = "sensible"


Cell = tuple[str, str]


@dataclass
class Ratios:
    """What a rate, mean or median computes: its figures and, per cell, what each was computed over.

    `denominators` counts what the figure divides (people, checks, orientations measured…): statistical
    secrecy hides a figure whose denominator is under the threshold. `numerators`, when the figure is a
    share of counted things, lets it also hide a share that would give a small count back."""

    values: dict[Cell, Number]
    denominators: dict[Cell, int]
    numerators: dict[Cell, int] | None = None


@dataclass
class Table:
    """The figures of one indicator: value per (category, column), categories and columns in order."""

    indicator: "Indicator"
    query: Query
    categories: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], Number]
    #: False when the indicator cannot be broken down by the asked cut (it is then given without cut)
    cut_supported: bool = True
    #: rates, means and medians: what each cell was computed over (None: not known, or not a rate)
    denominators: dict[Cell, int] | None = None
    numerators: dict[Cell, int] | None = None

    def value(self, category: str, column: str) -> Number:
        return self.cells.get((category, column), 0)

    def row_total(self, category: str) -> Number:
        return sum((self.value(category, c) for c, _ in self.columns), start=0)

    def column_total(self, column: str) -> Number:
        return sum((self.value(k, column) for k, _ in self.categories), start=0)

    @property
    def total(self) -> Number:
        return sum((self.row_total(k) for k, _ in self.categories), start=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "unit": self.indicator.unit.value,
            "cut": self.query.cut.value if self.cut_supported else Cut.NONE.value,
            "additive": self.indicator.additive,
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "rows": [
                {
                    "key": k,
                    "label": label,
                    "values": {c: _plain(self.value(k, c)) for c, _ in self.columns},
                    **({"total": _plain(self.row_total(k))} if self.indicator.additive else {}),
                }
                for k, label in self.categories
            ],
            **({"total": _plain(self.total)} if self.indicator.additive else {}),
        }


def _plain(value: Number | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


Compute = Callable[[Query], "dict[tuple[str, str], Number] | Ratios"]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: Unit
    #: the indicator's own breakdown: (key, French label) in display order
    categories: Callable[[], list[tuple[str, str]]]
    compute: Compute = field(repr=False)
    #: the cuts the data allows (NONE always)
    cuts: frozenset[Cut] = frozenset()
    #: the section of the dashboard
    section: str = ""
    #: rows and columns add up (counts, sums); False for rates and delays
    additive: bool = True
    #: counts about people (not in the unit « people »: barrier records, orientations…) that statistical
    #: secrecy protects as well
    personal: bool = False
    #: rates, means and medians over people or facts about people: what the denominator counts, in French.
    #: The computation then returns `Ratios`, and statistical secrecy hides a figure whose denominator is
    #: under the threshold. Empty for counts and for ratios of money.
    denominator: str = ""
    #: cuts where one person may fall in several columns (a person reached by two funded actions): the
    #: columns then do not add up, and the table is given as non-additive
    overlapping_cuts: frozenset[Cut] = frozenset()

    @property
    def ratio(self) -> bool:
        return bool(self.denominator)

    @property
    def protected(self) -> bool:
        """Whether statistical secrecy applies (counts that describe people, rates over them)."""
        return self.unit == Unit.PEOPLE or self.personal or self.ratio

    def run(self, query: Query) -> Table:
        supported = query.cut == Cut.NONE or query.cut in self.cuts
        effective = query if supported else Query(**{**query.__dict__, "cut": Cut.NONE})
        result = self.compute(effective)
        denominators: dict[Cell, int] | None = None
        numerators: dict[Cell, int] | None = None
        if isinstance(result, Ratios):
            cells, denominators, numerators = result.values, result.denominators, result.numerators
        else:
            cells = result
        categories = list(self.categories())
        known = {k for k, _ in categories}
        extra = sorted({cat for cat, _ in cells} - known)
        categories += [(k, k or "Non renseigné") for k in extra]
        columns = column_labels(effective.cut, {col for _, col in cells}, effective)
        indicator = replace(self, additive=False) if effective.cut in self.overlapping_cuts else self
        return Table(indicator, effective, categories, columns, cells, supported, denominators, numerators)


REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.code in REGISTRY:
        raise ValueError(f"Indicator {indicator.code!r} defined twice")
    REGISTRY[indicator.code] = indicator
    return indicator


# --- SQL helpers -----------------------------------------------------------------------------------------


#: the age bands: (key, first age not in the band); the last band has no end
AGE_BANDS = (("jeunes", 26), ("26-49", 50))
OLDEST_BAND = "seniors"


class AgeBand(Func):
    """The age band of a person on the date of a fact: under 26 'jeunes', 26–49, 50 and over 'seniors';
    UNKNOWN without a birth date. The age in whole years is the difference of the years, less one when the
    birthday (month, day) comes later in the year than the date. Native SQL on both databases (Django's
    `Extract*` call a Python function for each row on SQLite).

    On SQLite, where a date is `YYYY-MM-DD` text, a person is under N on a date exactly when the date's text
    comes before the birth date's text with N added to the year (a 29 February birthday then falls after
    28 February in other years, as the rule says): the date is compared twice, never converted."""

    output_field = CharField()

    def __init__(self, birth: F | Expression, on: F | Expression) -> None:
        super().__init__(birth, on)

    def _parts(self, compiler: Any) -> tuple[str, list[Any], str, list[Any]]:
        (birth, birth_params), (on, on_params) = (compiler.compile(e) for e in self.source_expressions)
        return birth, list(birth_params), on, list(on_params)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        raise NotSupportedError("AgeBand is written for SQLite and PostgreSQL only.")

    def as_sqlite(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        birth, birth_params, on, on_params = self._parts(compiler)
        sql, params = [f"CASE WHEN {birth} IS NULL THEN %s"], [*birth_params, UNKNOWN]
        for band, age in AGE_BANDS:
            sql.append(
                f"WHEN {on} < printf('%%04d', CAST(substr({birth}, 1, 4) AS INTEGER) + {age:d})"
                f" || substr({birth}, 5) THEN %s"
            )
            params += [*on_params, *birth_params, *birth_params, band]
        sql.append("ELSE %s END")
        params.append(OLDEST_BAND)
        return " ".join(sql), tuple(params)

    def as_postgresql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        birth, birth_params, on, on_params = self._parts(compiler)
        age = (
            f"(EXTRACT(YEAR FROM {on}) - EXTRACT(YEAR FROM {birth})"
            f" - CASE WHEN (EXTRACT(MONTH FROM {birth}), EXTRACT(DAY FROM {birth}))"
            f" > (EXTRACT(MONTH FROM {on}), EXTRACT(DAY FROM {on})) THEN 1 ELSE 0 END)"
        )
        age_params = [*on_params, *birth_params, *birth_params, *birth_params, *on_params, *on_params]
        sql, params = [f"CASE WHEN {birth} IS NULL THEN %s"], [*birth_params, UNKNOWN]
        for band, limit in AGE_BANDS:
            sql.append(f"WHEN {age} < {limit:d} THEN %s")
            params += [*age_params, band]
        sql.append("ELSE %s END")
        params.append(OLDEST_BAND)
        return " ".join(sql), tuple(params)


def age_band_expression(birth: str, on: str | Expression) -> Expression:
    """The age band on the date of the fact (see AgeBand). `birth`: the path of the birth date; `on`: the
    path of the date of the fact, or an expression of it."""
    return AgeBand(F(birth), F(on) if isinstance(on, str) else on)


def cohort_member(q: Query, person: str, fact_date: str) -> Q:
    """The person of the row was a member of the query's cohort on the date of the fact (always true when the
    query names no cohort).

    `person`: the path of the person's id in the row (`beneficiary_id`…), `fact_date`: the path of the date of
    the fact (the outcome's date…). A member is a person *integrated* in the cohort on or before that date
    (whatever happened to their membership since): a person only proposed, waiting or not retained is not a
    member, and a fact dated before their integration is not the cohort's. It is the reading of the share with
    a solution (indicators.md: solution outcomes dated between integration and the end of the period), so the
    cohort page's figures all speak of the same people. One correlated EXISTS, no extra query.
    """
    if not q.cohort_id:
        return Q()
    from citemploi.cohorts.models import CohortMember

    return Q(
        Exists(
            CohortMember.objects.filter(
                cohort_id=q.cohort_id,
                beneficiary_id=OuterRef(person),
                integrated_on__isnull=False,
                integrated_on__lte=OuterRef(fact_date),
            )
        )
    )


def structure_expression(structure: str) -> Case:
    """A structure's id as text, every sensitive structure folded into one column."""
    return Case(
        When(**{f"{structure}__sensitive": True}, then=Value(SENSITIVE)),
        When(**{f"{structure}__isnull": True}, then=Value(UNKNOWN)),
        default=Cast(F(f"{structure}_id"), CharField()),
        output_field=CharField(),
    )


def text(path: str) -> Expression:
    return Cast(F(path), CharField())


def grouped(
    qs: QuerySet,
    category: Expression | str,
    cut: Expression | None,
    aggregate: Expression,
) -> dict[tuple[str, str], Number]:
    """One GROUP BY: value per (category, cut value)."""
    category_expr = F(category) if isinstance(category, str) else category
    rows = (
        qs.order_by()
        .annotate(_cat=category_expr, _col=cut if cut is not None else Value(ALL))
        .values("_cat", "_col")
        .annotate(_v=aggregate)
    )
    out: dict[tuple[str, str], Number] = {}
    for row in rows:
        key = (str(row["_cat"]) if row["_cat"] is not None else UNKNOWN, column_key(row["_col"]))
        out[key] = out.get(key, 0) + (row["_v"] or 0)
    return out


def column_key(value: object) -> str:
    if value is None:
        return UNKNOWN
    return str(value)


def column_labels(cut: Cut, keys: Iterable[str], query: Query) -> list[tuple[str, str]]:
    """The columns of a cut, in a stable order, with their French labels (one query at most)."""
    if cut == Cut.NONE:
        return [(ALL, "Total")]
    keys = set(keys)
    labels: dict[str, str]
    if cut == Cut.GENDER:
        from citemploi.people.enums import Gender

        labels = {g.value: str(g.label) for g in Gender}
        order = [g.value for g in Gender]
    elif cut == Cut.AGE_BAND:
        from citemploi.people.enums import AgeBand

        labels = {a.value: str(a.label) for a in AgeBand}
        order = [a.value for a in AgeBand]
    else:
        ids = [int(k) for k in keys if k.isdigit()]
        labels = _object_labels(cut, ids, query)
        order = sorted(labels, key=lambda k: labels[k].lower())
    labels[UNKNOWN] = "Non renseigné"
    labels[SENSITIVE] = "Structures à accès restreint"
    order = [k for k in order if k in labels] + sorted(keys - set(order))
    return [(k, labels.get(k, k)) for k in order if k in keys or cut in (Cut.GENDER, Cut.AGE_BAND)]


def _object_labels(cut: Cut, ids: list[int], query: Query) -> dict[str, str]:
    if cut == Cut.QPV:
        from citemploi.territory.models import QPV

        qs = QPV.objects.filter(cites__in=query.cite_ids).distinct().values_list("pk", "name")
        return {str(pk): name for pk, name in qs}
    if cut == Cut.CITE:
        from citemploi.territory.models import Cite

        return {str(pk): name for pk, name in Cite.objects.filter(pk__in=ids).values_list("pk", "name")}
    if cut == Cut.STRUCTURE:
        from citemploi.partners.models import Structure

        return {str(pk): n for pk, n in Structure.objects.filter(pk__in=ids).values_list("pk", "name")}
    if cut == Cut.COHORT:
        from citemploi.cohorts.models import Cohort

        return {str(pk): name for pk, name in Cohort.objects.filter(pk__in=ids).values_list("pk", "name")}
    if cut == Cut.ACTION:
        from citemploi.calls.models import Application

        return {
            str(pk): f"{ref} — {title}"
            for pk, ref, title in Application.objects.filter(pk__in=ids).values_list(
                "pk", "reference", "title"
            )
        }
    return {str(i): str(i) for i in ids}
