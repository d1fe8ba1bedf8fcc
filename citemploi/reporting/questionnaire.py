"""The national quarterly questionnaire: its items, pre-filled from the indicators."""

from typing import TYPE_CHECKING

from citemploi.reporting.indicators import REGISTRY, Period, Query, Unit
from citemploi.reporting.protection import protect_sum

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from citemploi.reporting.models import QuarterlyReport

#: the indicators the questionnaire asks for, in its order (follow-up and result indicators of the cité)
QUESTIONNAIRE_INDICATORS = (
    "people.identified",
    "people.invisible_reached",
    "cohorts.funnel",
    "barriers.identified",
    "barriers.lifted",
    "events.count",
    "events.participants",
    "events.participants_profile",
    "events.hours",
    "events.results",
    "calls.applications",
    "calls.amounts",
    "calls.envelope",
    "calls.reports",
    "offer.services_by_step",
    "offer.services_stale",
)


def available_indicators() -> list[str]:
    return [code for code in QUESTIONNAIRE_INDICATORS if code in REGISTRY]


def computed_items(cite_id: int, year: int, quarter: int) -> dict[str, dict]:
    """One item per figure: the row total of each category of each indicator (no cut)."""
    query = Query((cite_id,), Period.quarter(year, quarter))
    items: dict[str, dict] = {}
    for code in available_indicators():
        table = REGISTRY[code].run(query)
        indicator = table.indicator
        for key, label in table.categories:
            value = table.row_total(key)
            if not value and key in ("", "other") and indicator.unit != Unit.PERCENT:
                # empty catch-all rows are left out of the questionnaire
                continue
            items[f"{code}:{key}"] = {
                "indicator": code,
                "indicator_name": indicator.name,
                "label": label,
                "unit": indicator.unit.value,
                "computed": _number(value),
                "value": _number(value),
                "comment": "",
            }
    return items


def _number(value: object) -> int | float:
    if isinstance(value, int):
        return value
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else round(number, 2)


def national_aggregates(reports: "QuerySet[QuarterlyReport]") -> list[dict]:
    """Validated questionnaires summed by quarter across cités, people counts through statistical secrecy."""
    by_quarter: dict[tuple[int, int], list[QuarterlyReport]] = {}
    for report in reports.order_by("-year", "-quarter", "cite_id"):
        by_quarter.setdefault((report.year, report.quarter), []).append(report)
    out = []
    for (year, quarter), items in by_quarter.items():
        keys: dict[str, dict] = {}
        for report in items:
            for key, item in report.values.items():
                if item["unit"] == "percent":
                    continue
                entry = keys.setdefault(key, {**item, "by_cite": {}})
                entry["by_cite"][str(report.cite_id)] = item["value"]
        rows = []
        for key, entry in keys.items():
            total = protect_sum(entry["by_cite"], unit=entry["unit"], indicator=key)
            rows.append(
                {"key": key, "indicator": entry["indicator_name"], "label": entry["label"], "value": total}
            )
        out.append(
            {
                "year": year,
                "quarter": quarter,
                "label": Period.quarter(year, quarter).label,
                "cites": len(items),
                "rows": rows,
            }
        )
    return out
