"""Writes of the tracking domain. Screens, the API, the demo and commands all go through here.

Each service checks the policy for the acting context, writes in one transaction with its audit row, and
refuses stale edits. Audit rows name the fields that changed, never the text of an entry or a private note.
"""

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.people import queries as people_queries
from citemploi.people.models import Beneficiary
from citemploi.tracking import enums
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome, TrackingSettings
from citemploi.tracking.sensitive import Finding, describe, find_sensitive

#: the earliest date a journal entry or an outcome may carry (a typo guard)
EARLIEST = date(2000, 1, 1)
MAX_DAYS_WITHOUT_CONTACT = 365
MIN_DAYS_WITHOUT_CONTACT = 7


class SensitiveTextWarning(ValidationError):
    """Free text that looks like sensitive data: saved only when the user confirms (`confirm_sensitive`)."""

    def __init__(self, findings: dict[str, list[Finding]]):
        self.findings = findings
        super().__init__(
            {
                field: [ValidationError(describe(found), code="sensitive_data")]
                for field, found in findings.items()
            }
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer (31 January + 1 = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_text(fields: dict[str, str], confirmed: bool) -> list[str]:
    """The categories found (for the audit); raises SensitiveTextWarning unless the user confirmed."""
    findings = {name: found for name, text in fields.items() if (found := find_sensitive(text))}
    if findings and not confirmed:
        raise SensitiveTextWarning(findings)
    return sorted({f.category for found in findings.values() for f in found})


def _check_date(field: str, value: date, label: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{label} ne peut pas être dans le futur."})
    if value < EARLIEST:
        raise ValidationError({field: f"{label} doit être postérieure au 1er janvier 2000."})


def _require_on(ctx: ActingContext, action: str, beneficiary: Beneficiary, message: str) -> None:
    require(ctx, action)
    if not people_queries.can(ctx, action, beneficiary):
        raise PermissionDenied(message)


def _clean_entry(kind: str, occurred_on: date, text: str, private_note: str) -> tuple[str, str]:
    if kind not in enums.EntryKind.values:
        raise ValidationError({"kind": "Type d'entrée inconnu."})
    _check_date("occurred_on", occurred_on, "La date")
    text, private_note = (text or "").strip(), (private_note or "").strip()
    if not text:
        raise ValidationError({"text": "Décrivez l'entrée en quelques mots."})
    if len(text) > 5000:
        raise ValidationError({"text": "Trop long : 5 000 caractères au plus."})
    if len(private_note) > 2000:
        raise ValidationError({"private_note": "Trop long : 2 000 caractères au plus."})
    return text, private_note


@transaction.atomic
def write_entry(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    kind: str,
    occurred_on: date,
    text: str,
    private_note: str = "",
    corrects: JournalEntry | None = None,
    confirm_sensitive: bool = False,
) -> JournalEntry:
    """Add an entry to a person's journal, as the acting user and structure.

    Text that looks like sensitive data is refused with SensitiveTextWarning until the user confirms.
    A correcting entry names the entry it corrects (entries are never deleted).
    """
    _require_on(ctx, "journal.write", beneficiary, "Vous ne pouvez pas écrire dans ce journal.")
    text, private_note = _clean_entry(kind, occurred_on, text, private_note)
    if corrects is not None and corrects.beneficiary_id != beneficiary.pk:
        raise ValidationError({"corrects": "L'entrée corrigée appartient à un autre journal."})
    categories = _check_text({"text": text, "private_note": private_note}, confirm_sensitive)
    entry = JournalEntry.objects.create(
        beneficiary=beneficiary,
        kind=kind,
        occurred_on=occurred_on,
        text=text,
        private_note=private_note,
        corrects=corrects,
        author=ctx.user,
        author_membership=ctx.membership,
        structure_id=ctx.structure_id,
        sensitive_confirmed=bool(categories),
    )
    audit.log(
        ctx,
        "journal.create",
        entry,
        beneficiary_id=beneficiary.pk,
        changes={
            "kind": [None, kind],
            "occurred_on": [None, occurred_on],
            "private_note": [None, bool(private_note)],
            "corrects": [None, corrects.pk if corrects else None],
            "sensitive_confirmed": [None, categories],
        },
    )
    return entry


@transaction.atomic
def edit_entry(
    *,
    ctx: ActingContext,
    entry: JournalEntry,
    kind: str,
    occurred_on: date,
    text: str,
    private_note: str,
    expected_version: int | None,
    confirm_sensitive: bool = False,
) -> JournalEntry:
    """Only the author changes an entry; an edit based on an older version is refused (StaleEdit)."""
    require(ctx, "journal.write")
    locked = (
        JournalEntry.objects.select_for_update(of=("self",)).select_related("beneficiary").get(pk=entry.pk)
    )
    if locked.author_id != ctx.user.pk:
        raise PermissionDenied("Seul·e l'auteur·rice d'une entrée peut la modifier.")
    if not people_queries.can(ctx, "journal.write", locked.beneficiary):
        raise PermissionDenied("Vous ne pouvez plus écrire dans ce journal.")
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "L'entrée a été modifiée depuis que vous l'avez ouverte (dans un autre onglet ?). "
            "Rechargez-la ; votre saisie n'a pas été enregistrée."
        )
    text, private_note = _clean_entry(kind, occurred_on, text, private_note)
    categories = _check_text({"text": text, "private_note": private_note}, confirm_sensitive)
    fields = ["kind", "occurred_on", "text", "private_note"]
    before = audit.snapshot(locked, fields)
    locked.kind, locked.occurred_on, locked.text, locked.private_note = kind, occurred_on, text, private_note
    changed = sorted(audit.diff(locked, before, fields))
    if not changed:
        return locked
    locked.sensitive_confirmed = locked.sensitive_confirmed or bool(categories)
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=[*changed, "sensitive_confirmed", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(
        ctx,
        "journal.update",
        locked,
        beneficiary_id=locked.beneficiary_id,
        changes={"fields": changed, "sensitive_confirmed": categories},
    )
    return locked


def _clean_outcome(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    kind = data.get("type")
    contract = data.get("contract_type") or ""
    months = data.get("contract_months")
    hours = data.get("weekly_hours")
    if kind not in enums.OutcomeType.values:
        errors["type"] = "Type de sortie inconnu."
    if contract and contract not in enums.ContractType.values:
        errors["contract_type"] = "Type de contrat inconnu."
    if months is not None and not 1 <= months <= 120:
        errors["contract_months"] = "Durée entre 1 et 120 mois."
    if hours is not None and not Decimal("0") < Decimal(hours) <= Decimal("48"):
        errors["weekly_hours"] = "Entre 0,5 et 48 heures par semaine."
    if kind == enums.OutcomeType.SUSTAINABLE_JOB:
        if contract in (enums.ContractType.TEMPING,):
            errors["contract_type"] = "Une mission d'intérim est un emploi de transition."
        elif contract == enums.ContractType.CDD and (months is None or months < 6):
            errors["contract_months"] = "Un emploi durable en CDD dure 6 mois ou plus : indiquez sa durée."
    if kind == enums.OutcomeType.TRANSITION_JOB:
        if contract == enums.ContractType.CDI:
            errors["contract_type"] = "Un CDI est un emploi durable."
        elif contract == enums.ContractType.CDD and months is not None and months >= 6:
            errors["contract_months"] = "Un CDD de 6 mois ou plus est un emploi durable."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_outcome(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    type: str,
    outcome_on: date,
    employer: str = "",
    contract_type: str = "",
    contract_months: int | None = None,
    weekly_hours: Decimal | None = None,
) -> Outcome:
    """Record a person's outcome. A job or training outcome gets its checks at 3, 6 and 12 months."""
    _require_on(
        ctx, "outcome.record", beneficiary, "Vous ne pouvez pas enregistrer de sortie pour cette personne."
    )
    data = {
        "type": type,
        "contract_type": contract_type,
        "contract_months": contract_months,
        "weekly_hours": weekly_hours,
    }
    _clean_outcome(data)
    _check_date("outcome_on", outcome_on, "La date de sortie")
    outcome = Outcome.objects.create(
        beneficiary=beneficiary,
        type=type,
        outcome_on=outcome_on,
        employer=(employer or "").strip()[:200],
        contract_type=contract_type or "",
        contract_months=contract_months,
        weekly_hours=weekly_hours,
        recorded_by=ctx.user,
        recorded_by_structure_id=ctx.structure_id,
    )
    if outcome.is_checked:
        FollowUpCheck.objects.bulk_create(
            [
                FollowUpCheck(outcome=outcome, months=m, due_on=add_months(outcome_on, m))
                for m in enums.CHECK_MONTHS
            ]
        )
    audit.log(
        ctx,
        "outcome.create",
        outcome,
        beneficiary_id=beneficiary.pk,
        changes={
            "type": [None, type],
            "outcome_on": [None, outcome_on],
            "contract_type": [None, contract_type],
        },
    )
    return outcome


@transaction.atomic
def record_check(
    *,
    ctx: ActingContext,
    check: FollowUpCheck,
    situation: str,
    recorded_on: date | None = None,
    comment: str = "",
    confirm_sensitive: bool = False,
) -> FollowUpCheck:
    """Record a follow-up check that fell due: the person's situation, hence whether they are still in a job
    or training. A check is recorded once; a check not due yet cannot be recorded."""
    locked = (
        FollowUpCheck.objects.select_for_update(of=("self",))
        .select_related("outcome__beneficiary")
        .get(pk=check.pk)
    )
    beneficiary = locked.outcome.beneficiary
    _require_on(ctx, "outcome.record", beneficiary, "Vous ne pouvez pas enregistrer ce point de suivi.")
    today = timezone.localdate()
    recorded_on = recorded_on or today
    if locked.recorded_on is not None:
        raise ValidationError("Ce point de suivi est déjà enregistré.")
    if locked.due_on > today:
        raise ValidationError(f"Ce point de suivi est à faire à partir du {locked.due_on:%d/%m/%Y}.")
    if situation not in enums.CheckSituation.values:
        raise ValidationError({"situation": "Choisissez la situation de la personne."})
    _check_date("recorded_on", recorded_on, "La date du point")
    if recorded_on < locked.outcome.outcome_on:
        raise ValidationError({"recorded_on": "La date du point ne peut pas précéder la sortie."})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": "Trop long : 2 000 caractères au plus."})
    _check_text({"comment": comment}, confirm_sensitive)
    locked.recorded_on = recorded_on
    locked.recorded_by = ctx.user
    locked.situation = situation
    locked.still_in_job_or_training = situation in enums.RETAINED_SITUATIONS
    locked.comment = comment
    locked.save(
        update_fields=["recorded_on", "recorded_by", "situation", "still_in_job_or_training", "comment"]
    )
    audit.log(
        ctx,
        "outcome.check",
        locked,
        beneficiary_id=beneficiary.pk,
        changes={
            "months": [None, locked.months],
            "situation": [None, situation],
            "still_in_job_or_training": [None, locked.still_in_job_or_training],
        },
    )
    return locked


@transaction.atomic
def update_settings(
    *, ctx: ActingContext, days_without_contact: int, expected_version: int | None = None
) -> TrackingSettings:
    """The coordinator sets after how many days without contact a person is at risk of dropping out."""
    require(ctx, "tracking.settings")
    if ctx.cite_id is None:
        raise PermissionDenied("Choisissez la cité pour laquelle vous agissez.")
    if not MIN_DAYS_WITHOUT_CONTACT <= days_without_contact <= MAX_DAYS_WITHOUT_CONTACT:
        raise ValidationError(
            {"days_without_contact": f"Entre {MIN_DAYS_WITHOUT_CONTACT} et {MAX_DAYS_WITHOUT_CONTACT} jours."}
        )
    TrackingSettings.objects.get_or_create(cite_id=ctx.cite_id)
    locked = TrackingSettings.objects.select_for_update().get(cite_id=ctx.cite_id)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "Les paramètres ont été modifiés par quelqu'un d'autre depuis que vous les avez ouverts. "
            "Rechargez la page ; votre saisie n'a pas été enregistrée."
        )
    old = locked.days_without_contact
    if old == days_without_contact:
        return locked
    locked.days_without_contact = days_without_contact
    locked.updated_by = ctx.user
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=["days_without_contact", "updated_by", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "tracking.settings", locked, changes={"days_without_contact": [old, days_without_contact]})
    return locked
