"""Exports of a call: its files and decisions (XLSX) and its awarded grants in the French open-data
format for subsidies (« données essentielles des conventions de subvention », arrêté du 17 novembre 2017,
etalab/format-subventions): a CSV with commas, UTF-8, a dot as decimal separator, one row per beneficiary."""

import csv
import io
from decimal import Decimal

from citemploi.calls import budget_lines
from citemploi.calls.enums import FUNDED_STATUSES, ApplicationStatus, DecisionOutcome, SessionStatus
from citemploi.calls.models import Application, Call, Decision
from citemploi.core.spreadsheets import neutralise, xlsx_bytes

#: the columns of the open-data format, in order
OPEN_DATA_COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateDecision",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationDeMinimisUE",
    "pourcentageSubvention",
]

FILE_COLUMNS = [
    "Référence",
    "Intitulé",
    "Porteur",
    "SIRET",
    "RNA",
    "Thématique",
    "QPV",
    "Début",
    "Fin",
    "État",
    "Déposé le",
    "Subvention demandée (€)",
    "Total des charges (€)",
    "Dépenses éligibles (€)",
    "Part demandée (%)",
    "Montant attribué (€)",
    "Conditions",
]
DECISION_COLUMNS = [
    "Séance",
    "Date",
    "Référence de la décision",
    "Dossier",
    "Porteur",
    "Décision",
    "Montant (€)",
    "Conditions",
    "Motif",
]


def _files(call: Call) -> list[Application]:
    return list(
        call.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("holder")
        .prefetch_related("qpvs", "budget")
        .order_by("reference")
    )


def _num(value: Decimal | None) -> float | None:
    """Amounts are written as numbers in spreadsheets (2 decimals are exact enough for display)."""
    return float(value) if value is not None else None


def files_rows(call: Call) -> list[list]:
    rows = []
    for app in _files(call):
        t = budget_lines.totals(
            [
                budget_lines.Entry(e.line, e.amount, e.label)
                for e in app.budget.all()
                if budget_lines.is_known(e.line)
            ]
        )
        share = (
            (app.requested_amount * 100 / t.direct_charges).quantize(Decimal("0.1"))
            if t.direct_charges
            else None
        )
        rows.append(
            [
                app.reference,
                app.title,
                app.holder.name,
                app.holder_siret,
                app.holder_rna,
                app.get_theme_display() if app.theme else "",
                ", ".join(q.code for q in app.qpvs.all()),
                app.start_date,
                app.end_date,
                app.get_status_display(),
                app.submitted_at,
                _num(app.requested_amount),
                _num(t.charges),
                _num(t.direct_charges),
                _num(share),
                _num(app.awarded_amount),
                app.decision_conditions,
            ]
        )
    return rows


def decisions_rows(call: Call) -> list[list]:
    decisions = (
        Decision.objects.filter(session__call=call)
        .select_related("session", "application__holder")
        .order_by("session__held_on", "session_id", "id")
    )
    return [
        [
            d.session.title,
            d.session.held_on,
            d.reference,
            f"{d.application.reference} — {d.application.title}",
            d.application.holder.name,
            d.get_outcome_display(),
            _num(d.amount),
            d.conditions,
            d.reason,
        ]
        for d in decisions
    ]


def call_xlsx(call: Call) -> bytes:
    return xlsx_bytes(
        {"Dossiers": (FILE_COLUMNS, files_rows(call)), "Décisions": (DECISION_COLUMNS, decisions_rows(call))}
    )


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def open_data_rows(call: Call) -> list[list[str]]:
    """Awarded grants of the call: decisions « retenu » of locked sessions, for files still funded."""
    decisions = (
        Decision.objects.filter(
            session__call=call, session__status=SessionStatus.LOCKED, outcome=DecisionOutcome.SELECTED
        )
        .select_related("session", "application__holder", "application__agreement")
        .order_by("session__held_on", "id")
    )
    rows = []
    for d in decisions:
        app = d.application
        if app.status not in FUNDED_STATUSES | {ApplicationStatus.SELECTED}:
            continue
        agreement = getattr(app, "agreement", None)
        start = agreement.starts_on if agreement else app.start_date
        end = agreement.ends_on if agreement else app.end_date
        period = f"{start.isoformat()}_{end.isoformat()}" if start and end else ""
        rows.append(
            [
                call.grantor_name or call.cite.name,
                call.grantor_siret,
                d.session.held_on.isoformat(),
                d.reference,
                app.holder.name,
                app.holder_siret,
                app.title,
                _money(d.amount or Decimal(0)),
                "aide en numéraire",
                "échelonné",
                period,
                "",
                "non",
                "1",
            ]
        )
    return rows


def open_data_csv(call: Call) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\n")
    writer.writerow(OPEN_DATA_COLUMNS)
    for row in open_data_rows(call):
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")
