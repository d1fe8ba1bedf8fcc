"""Reads of the reporting domain through the policy (no personal data here: only aggregates)."""

from django.db.models import QuerySet

from citemploi.core.access import not_found, require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.reporting.models import QuarterlyReport, QuestionnaireState


def reports_for(ctx: ActingContext, action: str = "questionnaire.view") -> QuerySet[QuarterlyReport]:
    """Questionnaires in reach: the cité's (coordination, steering); every validated one (national)."""
    scope = require(ctx, action)
    qs = QuarterlyReport.objects.select_related("cite")
    if scope == Scope.ALL:
        return qs.filter(state=QuestionnaireState.VALIDATED)
    if scope == Scope.CITE:
        return qs.filter(cite_id=ctx.cite_id)
    return qs.none()


def access_report_for(ctx: ActingContext, pk: int, action: str = "questionnaire.view") -> QuarterlyReport:
    try:
        return reports_for(ctx, action).get(pk=pk)
    except QuarterlyReport.DoesNotExist as exc:
        raise not_found() from exc
