"""Helpers shared by the calls screens."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from citemploi.calls import budget_lines
from citemploi.calls.eligibility.base import Facts
from citemploi.calls.eligibility.engine import Evaluation
from citemploi.calls.machines import TransitionRefused
from citemploi.calls.services.common import StaleEdit

#: what the services raise for a refused action the user can understand
USER_ERRORS = (ValidationError, PermissionDenied, TransitionRefused, StaleEdit)


def error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or "Action refusée."]


def flash_errors(request: HttpRequest, exc: Exception) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def attach_errors(form: Any, exc: Exception) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(exc))


def panel(facts: Facts, evaluations: list[Evaluation], requested: Decimal | None = None) -> dict[str, Any]:
    """What the rules panel shows: the results, blocking failures first, and the budget totals."""
    totals = budget_lines.totals(list(facts.budget))
    requested = facts.requested_amount if requested is None else requested
    share = (requested * 100 / totals.direct_charges) if totals.direct_charges else None
    order = {"fail": 0, "not_applicable": 2, "pass": 1}
    rows = sorted(evaluations, key=lambda e: (order.get(e.outcome, 3), e.severity != "blocking"))
    return {
        "evaluations": rows,
        "blocking": [e for e in evaluations if e.blocking_failure],
        "warnings": [e for e in evaluations if e.warning],
        "totals": totals,
        "requested": requested,
        "share": share,
    }


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
