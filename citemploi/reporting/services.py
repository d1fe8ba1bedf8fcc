"""Writes of the reporting domain: the quarterly questionnaire (pre-fill, adjust, validate)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.reporting.models import QuarterlyReport, QuestionnaireState
from citemploi.reporting.questionnaire import computed_items

MAX_VALUE = Decimal("1000000000")


def _check_quarter(year: int, quarter: int) -> None:
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = "Année invalide (entre 2000 et 2100)."
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = "Le trimestre va de 1 à 4."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_report(*, ctx: ActingContext, year: int, quarter: int) -> QuarterlyReport:
    """The cité's questionnaire of a quarter, created pre-filled from the indicators if it does not exist."""
    require(ctx, "questionnaire.manage")
    _check_quarter(year, quarter)
    existing = QuarterlyReport.objects.filter(cite_id=ctx.cite_id, year=year, quarter=quarter).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            report = QuarterlyReport.objects.create(
                cite_id=ctx.cite_id,
                year=year,
                quarter=quarter,
                values=computed_items(ctx.cite_id, year, quarter),  # type: ignore[arg-type]
                computed_at=timezone.now(),
            )
    except IntegrityError:
        # created at the same moment by another coordinator
        return QuarterlyReport.objects.get(cite_id=ctx.cite_id, year=year, quarter=quarter)
    audit.log(ctx, "questionnaire.create", report, changes={"year": year, "quarter": quarter})
    return report


def _locked(ctx: ActingContext, report: QuarterlyReport, version: int | None) -> QuarterlyReport:
    require(ctx, "questionnaire.manage")
    locked = QuarterlyReport.objects.select_for_update().get(pk=report.pk, cite_id=ctx.cite_id)
    if version is not None and locked.version != version:
        raise StaleEdit("Ce questionnaire a été modifié entre-temps : rechargez la page.")
    if not locked.is_draft:
        raise ValidationError("Ce questionnaire est validé : il ne peut plus être modifié.")
    return locked


@transaction.atomic
def refresh_report(
    *, ctx: ActingContext, report: QuarterlyReport, version: int | None = None
) -> QuarterlyReport:
    """Recompute the draft from the indicators; adjusted values (with their comment) are kept."""
    locked = _locked(ctx, report, version)
    fresh = computed_items(locked.cite_id, locked.year, locked.quarter)
    for key, item in locked.values.items():
        if key in fresh and item.get("comment"):
            fresh[key]["value"] = item["value"]
            fresh[key]["comment"] = item["comment"]
    locked.values = fresh
    locked.computed_at = timezone.now()
    locked.version = F("version") + 1
    locked.save(update_fields=["values", "computed_at", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "questionnaire.refresh", locked)
    return locked


def parse_value(raw: object) -> int | float:
    try:
        number = Decimal(str(raw).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": "Nombre attendu (par exemple 12 ou 12,5)."}) from exc
    if not number.is_finite() or number < 0 or number >= MAX_VALUE:
        raise ValidationError({"value": "Nombre positif ou nul attendu, inférieur à un milliard."})
    return int(number) if number == number.to_integral_value() else float(round(number, 2))


@transaction.atomic
def adjust_value(
    *,
    ctx: ActingContext,
    report: QuarterlyReport,
    key: str,
    value: object,
    comment: str,
    version: int | None = None,
) -> QuarterlyReport:
    """Change one value of a draft; a comment saying why is required."""
    locked = _locked(ctx, report, version)
    if key not in locked.values:
        raise ValidationError({"key": "Cette ligne n'existe pas dans le questionnaire."})
    number = parse_value(value)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Expliquez pourquoi la valeur calculée est corrigée."})
    if len(comment) > 1000:
        raise ValidationError({"comment": "Le commentaire ne doit pas dépasser 1 000 caractères."})
    item = dict(locked.values[key])
    before = item["value"]
    item.update(value=number, comment=comment)
    locked.values = {**locked.values, key: item}
    locked.version = F("version") + 1
    locked.save(update_fields=["values", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "questionnaire.adjust", locked, changes={key: [before, number], "comment": comment})
    return locked


@transaction.atomic
def validate_report(
    *, ctx: ActingContext, report: QuarterlyReport, version: int | None = None
) -> QuarterlyReport:
    """The coordinator validates the questionnaire: it is frozen and visible to the national animator."""
    locked = _locked(ctx, report, version)
    locked.state = QuestionnaireState.VALIDATED
    locked.validated_by = ctx.user
    locked.validated_by_label = str(ctx.user)
    locked.validated_at = timezone.now()
    locked.version = F("version") + 1
    locked.save(
        update_fields=["state", "validated_by", "validated_by_label", "validated_at", "version", "updated_at"]
    )
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "questionnaire.validate", locked)
    return locked
