"""Evaluation of a call's rules on a file: facts are read once, then every rule checks them."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from citemploi.calls import budget_lines
from citemploi.calls.eligibility.base import (
    Facts,
    ParamsError,
    PreviousGrant,
    QPVFact,
    RequiredDocumentFact,
    Result,
    rule_type,
)
from citemploi.calls.enums import GRANTED_STATUSES, Outcome, Severity
from citemploi.calls.models import Application, EligibilityRule
from citemploi.partners.enums import StructureKind


@dataclass(frozen=True)
class Evaluation:
    """The result of one rule of the call on one file."""

    rule_id: int | None
    rule_type: str
    label: str
    summary: str
    severity: str
    outcome: str
    message: str
    advice: str

    @property
    def blocking_failure(self) -> bool:
        return self.outcome == Outcome.FAIL and self.severity == Severity.BLOCKING

    @property
    def warning(self) -> bool:
        return self.outcome == Outcome.FAIL and self.severity == Severity.WARNING

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASS

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_rule(rule: EligibilityRule, facts: Facts) -> Evaluation:
    cls = rule_type(rule.rule_type)
    if cls is None:
        return Evaluation(
            rule.pk, rule.rule_type, rule.rule_type, "", rule.severity, Outcome.NOT_APPLICABLE,
            "Type de règle inconnu de cette version de la plateforme : règle ignorée.", rule.message,
        )  # fmt: skip
    try:
        params = cls.parse(rule.params)
    except ParamsError as exc:
        result = Result.fail("Paramètres de la règle invalides : " + " ".join(exc.messages))
        summary = cls.description
    else:
        result = cls().check(facts, params)
        summary = cls.summary(params)
    return Evaluation(
        rule_id=rule.pk,
        rule_type=cls.code,
        label=str(cls.label),
        summary=summary,
        severity=rule.severity,
        outcome=result.outcome,
        message=result.message,
        advice=rule.message if result.outcome == Outcome.FAIL else "",
    )


def evaluate_rules(rules: Iterable[EligibilityRule], facts: Facts) -> list[Evaluation]:
    return [evaluate_rule(rule, facts) for rule in rules]


def blocking_failures(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    return [e for e in evaluations if e.blocking_failure]


def _filled(app: Application, partners: int, activities: int) -> dict[str, bool]:
    return {
        "identification": bool(app.holder_siret or app.holder_rna),
        "signatory": bool(app.signatory_name.strip() and app.signatory_role.strip()),
        "contact": bool(app.contact_name.strip() and (app.contact_email or app.contact_phone)),
        "description": bool(app.description.strip()),
        "publics": bool(app.target_people),
        "places": bool(app.places.strip()),
        "human_resources": bool(app.hr_description.strip()),
        "partners": partners > 0,
        "activities": activities > 0,
    }


def facts_for(app: Application, now: datetime | None = None) -> Facts:
    """The facts of a file: a fixed number of queries, whatever the size of the file."""
    from citemploi.calls.models import Report

    call = app.call
    cite_qpvs = frozenset(call.cite.qpvs.values_list("code", flat=True))
    qpvs = tuple(QPVFact(q.code, q.name, q.veille_active) for q in app.qpvs.order_by("code"))
    budget = tuple(
        budget_lines.Entry(line=e.line, amount=e.amount, label=e.label)
        for e in app.budget.all()
        if budget_lines.is_known(e.line)
    )
    counts = {
        "objectives": app.objectives.count(),
        "partners": app.partners.count(),
        "activities": app.activities.count(),
    }
    documents = frozenset(app.documents.values_list("kind", flat=True))
    required = tuple(
        RequiredDocumentFact(d.code, d.label, d.mandatory) for d in call.required_documents.all()
    )
    previous = (
        Application.objects.filter(
            holder_id=app.holder_id,
            call__cite_id=call.cite_id,
            call__year__lt=call.year,
            status__in=GRANTED_STATUSES,
        )
        .select_related("call", "report")
        .order_by("call__year", "reference")
    )
    grants = []
    for g in previous:
        try:
            report_status: str | None = g.report.status
        except Report.DoesNotExist:
            report_status = None
        grants.append(PreviousGrant(g.reference, g.title, g.call.year, g.status, report_status))
    holder = app.holder
    try:
        kind_label = str(StructureKind(holder.kind).label)
    except ValueError:
        kind_label = holder.kind
    return Facts(
        now=now or timezone.now(),
        call_year=call.year,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        call_themes=tuple(call.themes or ()),
        call_funder_label=call.funder_label,
        cite_qpv_codes=cite_qpvs,
        holder_kind=holder.kind,
        holder_kind_label=kind_label,
        title=app.title,
        theme=app.theme,
        qpvs=qpvs,
        start_date=app.start_date,
        end_date=app.end_date,
        objectives_count=counts["objectives"],
        budget=budget,
        investment_amount=app.investment_amount,
        requested_amount=app.requested_amount,
        documents=documents,
        required_documents=required,
        previous_grants=tuple(grants),
        filled=_filled(app, counts["partners"], counts["activities"]),
    )


def evaluate(app: Application, now: datetime | None = None) -> list[Evaluation]:
    """Every rule of the file's call, evaluated on the file as it is now."""
    facts = facts_for(app, now)
    return evaluate_rules(app.call.rules.all(), facts)
