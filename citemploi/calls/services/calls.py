"""Writes on calls: creation (empty or with the usual conditions), edition, publication, closing,
archiving, cloning from last year's, and the call's rules, criteria and required documents."""

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from citemploi.calls import machines
from citemploi.calls.eligibility.base import ParamsError, rule_type
from citemploi.calls.enums import CallStatus, Severity, Theme
from citemploi.calls.models import Call, Criterion, EligibilityRule, RequiredDocument
from citemploi.calls.services.common import StaleEdit as StaleEdit
from citemploi.calls.services.common import bump_version, check_version, require_in_cite
from citemploi.calls.timing import shift_one_year
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext

CALL_FIELDS = [
    "year",
    "title",
    "summary",
    "rules_text",
    "themes",
    "envelope",
    "eligible_holders",
    "eligible_publics",
    "opens_at",
    "closes_at",
    "contact_name",
    "contact_email",
    "funder_label",
    "grantor_name",
    "grantor_siret",
    "advance_percent",
    "report_due_days",
    "variance_threshold_percent",
    "disagreement_points",
    "criterion_gap",
]

#: the seeds' scoring grid (Amiens 2023, « critères d'appréciation des projets »)
DEFAULT_CRITERIA: list[dict[str, Any]] = [
    {
        "label": "Originalité du projet et caractère innovant",
        "description": "Le projet expérimente une réponse nouvelle à un besoin non couvert par le droit commun.",
        "weight": Decimal(3),
        "max_score": 3,
        "descriptors": [
            "Aucune innovation",
            "Reprend une action existante",
            "Apporte une réponse nouvelle sur un point",
            "Réponse nouvelle, expérimentale et transposable",
        ],
    },
    {
        "label": "Présentation du porteur, de ses partenaires et de leurs rôles",
        "description": "Le porteur est inséré dans le réseau partenarial ; le rôle de chaque partenaire est clair.",
        "weight": Decimal(2),
        "max_score": 3,
        "descriptors": [
            "Porteur et partenaires non présentés",
            "Présentation sommaire, rôles flous",
            "Partenaires identifiés, rôles décrits",
            "Collectif d'acteurs solide, rôles complémentaires et coordonnés",
        ],
    },
    {
        "label": "Réalisme entre objectifs, activités et ressources",
        "description": "Les moyens humains et financiers sont à la mesure des objectifs et des activités.",
        "weight": Decimal(3),
        "max_score": 3,
        "descriptors": [
            "Incohérent",
            "Ambitions disproportionnées aux moyens",
            "Cohérent dans l'ensemble",
            "Objectifs chiffrés, moyens et budget ajustés",
        ],
    },
    {
        "label": "Bonus : recrutement d'un·e résident·e des QPV en Emplois francs",
        "description": "À profil équivalent, le recrutement nécessaire au projet mobilise les Emplois francs.",
        "weight": Decimal(1),
        "max_score": 1,
        "descriptors": ["Non prévu", "Prévu"],
        "is_bonus": True,
    },
]

DEFAULT_DOCUMENTS: list[dict[str, Any]] = [
    {"code": "statuts", "label": "Statuts de la structure", "mandatory": True},
    {"code": "rib", "label": "Relevé d'identité bancaire", "mandatory": True},
    {"code": "budget-structure", "label": "Budget prévisionnel de la structure", "mandatory": True},
    {"code": "rapport-activite", "label": "Dernier rapport d'activité", "mandatory": False},
    {"code": "lettres-partenaires", "label": "Lettres d'engagement des partenaires", "mandatory": False},
]

#: (rule type, parameters, severity) of the usual conditions, from the seeds' calls
DEFAULT_RULES: list[tuple[str, dict[str, Any], str]] = [
    ("submission_window", {}, Severity.BLOCKING),
    ("holder_kind", {"kinds": ["association", "commune_epci"]}, Severity.BLOCKING),
    ("qpv_location", {"exclude_veille_active": True}, Severity.BLOCKING),
    ("action_dates_in_year", {"year": None}, Severity.BLOCKING),
    ("theme_of_call", {}, Severity.BLOCKING),
    ("objectives_count", {"min": 1, "max": 6}, Severity.BLOCKING),
    ("no_investment", {"forbidden_posts": ["68"]}, Severity.BLOCKING),
    ("grant_share_max", {"max_percent": "100"}, Severity.BLOCKING),
    ("budget_balanced", {"tolerance": "0"}, Severity.BLOCKING),
    ("funder_line", {"funder": "", "same_amount_as_request": True}, Severity.BLOCKING),
    ("required_documents", {"codes": []}, Severity.BLOCKING),
    ("file_complete", {}, Severity.BLOCKING),
    ("previous_reports_validated", {"years_back": 1}, Severity.WARNING),
]


def _clean_call(call: Call) -> None:
    unknown = [t for t in call.themes or [] if t not in Theme.values]
    if unknown:
        raise ValidationError({"themes": f"Thématique(s) inconnue(s) : {', '.join(unknown)}."})
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        raise ValidationError({"closes_at": "La clôture doit suivre l'ouverture."})
    siret = call.grantor_siret
    if siret and (not siret.isdigit() or len(siret) != 14):
        raise ValidationError({"grantor_siret": "Le SIRET compte 14 chiffres."})
    call.full_clean(exclude=["cite", "cloned_from", "status", "version"])


@transaction.atomic
def create_call(*, ctx: ActingContext, data: dict[str, Any], with_defaults: bool = True) -> Call:
    """A new call of the acting cité, in draft. `with_defaults` adds the usual conditions of the seeds:
    rules, the scoring grid and the required documents, which the coordinator then adjusts."""
    require(ctx, "call.manage")
    call = Call(cite_id=ctx.cite_id, **{k: v for k, v in data.items() if k in CALL_FIELDS})
    if not call.grantor_name and ctx.cite is not None:
        call.grantor_name = ctx.cite.name
    _clean_call(call)
    call.save()
    if with_defaults:
        for position, (code, params, severity) in enumerate(DEFAULT_RULES):
            EligibilityRule.objects.create(
                call=call,
                rule_type=code,
                params=_validated_params(code, params),
                severity=severity,
                position=position,
            )
        for position, c in enumerate(DEFAULT_CRITERIA):
            Criterion.objects.create(call=call, position=position, **c)
        for position, d in enumerate(DEFAULT_DOCUMENTS):
            RequiredDocument.objects.create(call=call, position=position, **d)
    audit.log(ctx, "call.create", call, changes={"title": [None, call.title], "year": [None, call.year]})
    return call


def _editable(call: Call) -> None:
    if call.status not in (CallStatus.DRAFT, CallStatus.PUBLISHED):
        raise PermissionDenied("Un appel clos ou archivé ne se modifie plus.")


@transaction.atomic
def update_call(
    *, ctx: ActingContext, call: Call, data: dict[str, Any], expected_version: int | None = None
) -> Call:
    require_in_cite(ctx, "call.manage", call.cite_id)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    _editable(locked)
    check_version(locked, expected_version, "L'appel")
    fields = [k for k in data if k in CALL_FIELDS]
    before = audit.snapshot(locked, fields)
    for k in fields:
        setattr(locked, k, data[k])
    _clean_call(locked)
    changes = audit.diff(locked, before, fields)
    if changes:
        locked.save(update_fields=[*fields, "updated_at"])
        bump_version(locked)
        audit.log(ctx, "call.update", locked, changes=changes)
    return locked


@transaction.atomic
def publish_call(*, ctx: ActingContext, call: Call, reason: str = "") -> Call:
    """Publish (or reopen, with a reason) a call: it then shows on the public page."""
    require_in_cite(ctx, "call.manage", call.cite_id)
    problems = []
    if not call.opens_at or not call.closes_at:
        problems.append("fixez les dates d'ouverture et de clôture")
    elif call.status == CallStatus.CLOSED and call.closes_at <= timezone.now():
        problems.append("repoussez la date de clôture avant de rouvrir l'appel")
    if not call.rules_text.strip() and not call.summary.strip():
        problems.append("rédigez la présentation ou le règlement de l'appel")
    if problems:
        raise ValidationError("Publication impossible : " + " ; ".join(problems) + ".")
    return machines.move(ctx, call, machines.CALL, CallStatus.PUBLISHED, reason=reason)


@transaction.atomic
def close_call(*, ctx: ActingContext | None, call: Call, reason: str = "") -> Call:
    """Close the submissions (the coordinator, or the daily task once the deadline has passed)."""
    if ctx is not None:
        require_in_cite(ctx, "call.manage", call.cite_id)
    return machines.move(ctx, call, machines.CALL, CallStatus.CLOSED, reason=reason, cite_id=call.cite_id)


@transaction.atomic
def archive_call(*, ctx: ActingContext, call: Call, reason: str = "") -> Call:
    require_in_cite(ctx, "call.manage", call.cite_id)
    return machines.move(ctx, call, machines.CALL, CallStatus.ARCHIVED, reason=reason)


def _next_year_title(title: str, year: int) -> str:
    replaced, n = re.subn(rf"\b{year}\b", str(year + 1), title)
    return replaced if n else f"{title} ({year + 1})"


def _shift_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    if code == "action_dates_in_year" and params.get("year"):
        return {**params, "year": int(params["year"]) + 1}
    return dict(params)


@transaction.atomic
def clone_call(*, ctx: ActingContext, source: Call) -> Call:
    """Next year's call from this one: texts, rules, scoring grid and documents copied, dates shifted one
    year (same Paris wall-clock times), in draft."""
    require_in_cite(ctx, "call.manage", source.cite_id)
    data = {k: getattr(source, k) for k in CALL_FIELDS}
    data["year"] = source.year + 1
    data["title"] = _next_year_title(source.title, source.year)
    data["opens_at"] = shift_one_year(source.opens_at) if source.opens_at else None
    data["closes_at"] = shift_one_year(source.closes_at) if source.closes_at else None
    data["themes"] = list(source.themes or [])
    call = Call(cite_id=source.cite_id, cloned_from=source, **data)
    _clean_call(call)
    call.save()
    EligibilityRule.objects.bulk_create(
        EligibilityRule(
            call=call,
            rule_type=r.rule_type,
            params=_shift_params(r.rule_type, r.params),
            severity=r.severity,
            message=r.message,
            position=r.position,
        )
        for r in source.rules.all()
    )
    Criterion.objects.bulk_create(
        Criterion(
            call=call,
            label=c.label,
            description=c.description,
            weight=c.weight,
            max_score=c.max_score,
            descriptors=list(c.descriptors),
            is_bonus=c.is_bonus,
            position=c.position,
        )
        for c in source.criteria.all()
    )
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            call=call,
            code=d.code,
            label=d.label,
            description=d.description,
            mandatory=d.mandatory,
            position=d.position,
        )
        for d in source.required_documents.all()
    )
    audit.log(ctx, "call.clone", call, changes={"cloned_from": [None, source.pk], "year": [None, call.year]})
    return call


# --- Rules ------------------------------------------------------------------------------------------------


def _validated_params(code: str, params: Any) -> dict[str, Any]:
    cls = rule_type(code)
    if cls is None:
        raise ValidationError({"rule_type": "Type de règle inconnu."})
    try:
        return cls.parse(params).model_dump(mode="json")
    except ParamsError as exc:
        raise ValidationError({"params": exc.messages}) from None


def _rules_editable(ctx: ActingContext, call: Call) -> None:
    require_in_cite(ctx, "call.manage", call.cite_id)
    _editable(call)


@transaction.atomic
def add_rule(
    *, ctx: ActingContext, call: Call, rule_type: str, params: Any, severity: str, message: str = ""
) -> EligibilityRule:
    _rules_editable(ctx, call)
    if severity not in Severity.values:
        raise ValidationError({"severity": "Gravité inconnue."})
    clean = _validated_params(rule_type, params)
    position = call.rules.count()
    rule = EligibilityRule.objects.create(
        call=call,
        rule_type=rule_type,
        params=clean,
        severity=severity,
        message=message.strip(),
        position=position,
    )
    audit.log(
        ctx,
        "call.rule_add",
        call,
        changes={"rule": [None, {"type": rule_type, "params": clean, "severity": severity}]},
    )
    return rule


@transaction.atomic
def update_rule(
    *, ctx: ActingContext, rule: EligibilityRule, params: Any, severity: str, message: str = ""
) -> EligibilityRule:
    _rules_editable(ctx, rule.call)
    if severity not in Severity.values:
        raise ValidationError({"severity": "Gravité inconnue."})
    clean = _validated_params(rule.rule_type, params)
    before = {"params": rule.params, "severity": rule.severity, "message": rule.message}
    rule.params, rule.severity, rule.message = clean, severity, message.strip()
    rule.save(update_fields=["params", "severity", "message"])
    after = {"params": rule.params, "severity": rule.severity, "message": rule.message}
    if before != after:
        audit.log(ctx, "call.rule_update", rule.call, changes={"rule": [before, after], "rule_id": rule.pk})
    return rule


@transaction.atomic
def delete_rule(*, ctx: ActingContext, rule: EligibilityRule) -> None:
    _rules_editable(ctx, rule.call)
    audit.log(
        ctx,
        "call.rule_delete",
        rule.call,
        changes={"rule": [{"type": rule.rule_type, "params": rule.params}, None]},
    )
    rule.delete()


# --- Scoring grid and documents ----------------------------------------------------------------------------


def _criteria_editable(ctx: ActingContext, call: Call) -> None:
    require_in_cite(ctx, "call.manage", call.cite_id)
    if call.status != CallStatus.DRAFT and Criterion.objects.filter(call=call, scores__isnull=False).exists():
        raise PermissionDenied("Des évaluations ont commencé : la grille de notation ne se modifie plus.")


@transaction.atomic
def save_criterion(
    *, ctx: ActingContext, call: Call, data: dict[str, Any], criterion: Criterion | None = None
) -> Criterion:
    _criteria_editable(ctx, call)
    descriptors = [str(d).strip() for d in data.get("descriptors", [])]
    max_score = int(data.get("max_score") or 0)
    if descriptors and len(descriptors) != max_score + 1:
        raise ValidationError(
            {"descriptors": f"Donnez un descripteur par niveau, de 0 à {max_score} ({max_score + 1} lignes)."}
        )
    target = criterion or Criterion(call=call, position=call.criteria.count())
    for k in ("label", "description", "weight", "max_score", "is_bonus"):
        if k in data:
            setattr(target, k, data[k])
    target.descriptors = descriptors
    target.full_clean(exclude=["call"])
    target.save()
    audit.log(ctx, "call.criterion_save", call, changes={"criterion": [None, target.label]})
    return target


@transaction.atomic
def delete_criterion(*, ctx: ActingContext, criterion: Criterion) -> None:
    _criteria_editable(ctx, criterion.call)
    audit.log(ctx, "call.criterion_delete", criterion.call, changes={"criterion": [criterion.label, None]})
    criterion.delete()


@transaction.atomic
def save_required_document(
    *, ctx: ActingContext, call: Call, data: dict[str, Any], document: RequiredDocument | None = None
) -> RequiredDocument:
    _rules_editable(ctx, call)
    target = document or RequiredDocument(call=call, position=call.required_documents.count())
    for k in ("code", "label", "description", "mandatory"):
        if k in data:
            setattr(target, k, data[k])
    if RequiredDocument.objects.filter(call=call, code=target.code).exclude(pk=target.pk).exists():
        raise ValidationError({"code": "Une pièce de l'appel porte déjà ce code."})
    target.full_clean(exclude=["call"])
    target.save()
    audit.log(ctx, "call.document_save", call, changes={"document": [None, target.label]})
    return target


@transaction.atomic
def delete_required_document(*, ctx: ActingContext, document: RequiredDocument) -> None:
    _rules_editable(ctx, document.call)
    audit.log(ctx, "call.document_delete", document.call, changes={"document": [document.label, None]})
    document.delete()
