"""The report for the steering committee (Copil) of a period, as a PDF rendered by WeasyPrint.

The report leaves the coordination: whoever downloads it (the coordinator preparing the meeting or a steering
member), its counts of people go through statistical secrecy for the steering audience, exactly as a steering
member sees the dashboard. Amounts of money (budget, calls for projects) are not protected. Charts are drawn
as SVG inside the document from the dashboard's bars; each comes with its data table. No resource is fetched
from outside the document. Every download is written to the audit log.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import not_found, require
from citemploi.core.context import ActingContext
from citemploi.reporting import dashboard
from citemploi.reporting.indicators import Period, Query
from citemploi.reporting.protection import STEERING
from citemploi.territory.models import Cite

ACTION = "copil_report.download"

#: the indicators of the report (in the dashboard's section order): the funnel from repérage to cohorts,
#: barriers identified and lifted, orientations and their delays, outcomes and retention, events, calls
CODES: tuple[str, ...] = (
    "people.identified",
    "cohorts.funnel",
    "cohorts.solution_share",
    "barriers.identified",
    "barriers.lifted",
    "barriers.lift_rate",
    "orientations.outcomes",
    "orientations.delays",
    "outcomes.by_type",
    "outcomes.retention_checks",
    "outcomes.retention_rate",
    "events.count",
    "events.participants",
    "events.hours",
    "events.results",
    "calls.applications",
    "calls.amounts",
    "calls.envelope_share",
    "calls.reports",
)


@dataclass
class Chart:
    """Bars drawn in the PDF (the dashboard's geometry in a drawing 1,000 units wide)."""

    title: str
    unit: str
    bars: list[dashboard.Bar]

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * dashboard.BAR_STEP


@dataclass
class CopilReport:
    cite: Cite
    period: Period
    generated_at: datetime
    sections: list[dashboard.Section]
    budget: dashboard.BudgetBlock | None
    budget_chart: Chart | None

    @property
    def filename(self) -> str:
        return f"rapport-copil-{self.cite.slug}-{self.period.token.replace('..', '_')}.pdf"


def _budget_chart(block: dashboard.BudgetBlock | None) -> Chart | None:
    if block is None or block.summary is None:
        return None
    values: list[tuple[str, str, Any]] = []
    for line in block.summary.lines:
        for key, label, amount in (
            ("planned", "prévu", line.planned),
            ("committed", "engagé", line.committed),
            ("paid", "versé", line.paid),
        ):
            values.append((f"{line.category}-{key}", f"{line.label} : {label}", amount))
    return Chart(
        f"Budget {block.year} par catégorie : prévu, engagé et versé", "euros", dashboard.bars(values)
    )


def build_report(ctx: ActingContext, period: Period) -> CopilReport:
    """The report's content for the acting cité (figures as the steering committee may see them)."""
    require(ctx, ACTION)
    cite = ctx.cite
    if cite is None:
        raise not_found()
    query = Query((cite.pk,), period)
    sections = dashboard.build(query, audience=STEERING, cite_id=cite.pk, codes=CODES)
    budget = dashboard.budget_block(ctx, period.end.year)
    return CopilReport(
        cite=cite,
        period=period,
        generated_at=timezone.localtime(),
        sections=sections,
        budget=budget,
        budget_chart=_budget_chart(budget),
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"Ressource externe refusée dans un PDF : {url}")


def render(report: CopilReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reporting/pdf/copil.html", {"report": report, "period": report.period})
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()  # type: ignore[no-any-return]


@transaction.atomic
def download(*, ctx: ActingContext, period: Period) -> tuple[bytes, str]:
    """The report as a PDF and its file name; the download is audited (who, which period)."""
    report = build_report(ctx, period)
    pdf = render(report)
    audit.log(
        ctx,
        "copil_report.download",
        report.cite,
        changes={"period": period.token, "start": period.start.isoformat(), "end": period.end.isoformat()},
    )
    return pdf, report.filename
