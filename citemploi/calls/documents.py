"""The PDF documents of a call's life, built from the stored data."""

from decimal import Decimal

from django.utils import timezone

from citemploi.calls import budget_lines
from citemploi.calls.formatting import euros
from citemploi.calls.models import Agreement, ApplicationVersion, CommitteeSession, Decision
from citemploi.calls.pdf import render_pdf
from citemploi.calls.timing import format_paris


def _budget_rows(entries: list[dict]) -> list[dict]:
    rows = []
    for e in entries:
        line = budget_lines.LINES.get(e["line"])
        rows.append(
            {
                "line": e["line"],
                "label": line.label if line else e["line"],
                "detail": e.get("label", ""),
                "side": budget_lines.side_of(e["line"]) if line else "",
                "amount": euros(Decimal(e["amount"])),
            }
        )
    return rows


def receipt_pdf(version: ApplicationVersion) -> bytes:
    """The acknowledgement of a submission: what was submitted, when, with the rule results."""
    snap = version.snapshot
    return render_pdf(
        "calls/pdf/receipt.html",
        {
            "cite_name": version.application.call.cite.name,
            "version": version,
            "snap": snap,
            "submitted_at": format_paris(version.created_at),
            "budget": _budget_rows(snap.get("budget", [])),
            "totals": {k: euros(Decimal(v)) for k, v in snap.get("totals", {}).items()},
            "rules": version.rule_results,
            "requested": euros(Decimal(snap["fields"]["requested_amount"])),
        },
    )


def decision_letter_pdf(decision: Decision) -> bytes:
    app = decision.application
    return render_pdf(
        "calls/pdf/decision_letter.html",
        {
            "cite_name": decision.session.call.cite.name,
            "decision": decision,
            "app": app,
            "call": decision.session.call,
            "session": decision.session,
            "amount": euros(decision.amount) if decision.amount is not None else "",
            "today": timezone.localdate(),
        },
    )


def minutes_pdf(session: CommitteeSession, ranked: list) -> bytes:
    selected = sum(
        (r.decision.amount or Decimal(0) for r in ranked if r.decision.outcome == "selected"), Decimal(0)
    )
    return render_pdf(
        "calls/pdf/minutes.html",
        {
            "cite_name": session.call.cite.name,
            "session": session,
            "call": session.call,
            "ranked": ranked,
            "selected_total": euros(selected),
            "envelope": euros(session.call.envelope),
        },
    )


def agreement_pdf(agreement: Agreement) -> bytes:
    app = agreement.application
    return render_pdf(
        "calls/pdf/agreement.html",
        {
            "cite_name": app.call.cite.name,
            "agreement": agreement,
            "app": app,
            "call": app.call,
            "amount": euros(agreement.amount),
            "installments": [(i, euros(i.amount)) for i in agreement.installments.all()],
            "objectives": list(app.objectives.all()),
        },
    )
