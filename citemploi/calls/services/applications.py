"""Writes of the project holder on their file: creation, edition (project, partners, objectives,
activities, budget, documents), submission (rules checked, version frozen, acknowledgement sent),
withdrawal; and the messages between the holder and the instructors."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from citemploi.calls import budget_lines, machines, queries
from citemploi.calls.eligibility.catalogue import SubmissionWindow
from citemploi.calls.eligibility.engine import Evaluation, blocking_failures, evaluate, facts_for
from citemploi.calls.enums import EDITABLE_STATUSES, ApplicationStatus, CallStatus, Severity
from citemploi.calls.models import (
    Activity,
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationVersion,
    BudgetEntry,
    Call,
    Message,
    Objective,
)
from citemploi.calls.services.common import bump_version, check_version
from citemploi.calls.timing import is_open_at
from citemploi.core import audit, uploads
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Structure
from citemploi.territory.models import QPV

APPLICATION_FIELDS = [
    "title",
    "holder_siret",
    "holder_rna",
    "signatory_name",
    "signatory_role",
    "signatory_email",
    "contact_name",
    "contact_email",
    "contact_phone",
    "description",
    "theme",
    "target_people",
    "target_young",
    "target_women",
    "target_seniors",
    "places",
    "start_date",
    "end_date",
    "hr_description",
    "hr_fte",
    "hr_volunteers",
    "hires_planned",
    "emplois_francs",
    "investment_amount",
    "requested_amount",
]

MAX_OBJECTIVES = 6
MAX_ROWS = 30

#: accepted documents: extension → (content type, signatures the file must start with)
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}
OTHER_DOCUMENT = "autre"


def document_max_bytes() -> int:
    return settings.CALLS_DOCUMENT_MAX_BYTES


class SubmissionRefused(Exception):
    """Blocking rules are not met: the file stays as it is; `failures` say why."""

    def __init__(self, failures: list[Evaluation]):
        self.failures = failures
        super().__init__("Dépôt impossible : " + " ; ".join(f"{f.label} — {f.message}" for f in failures))


def _own_file(ctx: ActingContext, app: Application, action: str) -> None:
    """The file is one the acting context may act on for `action` (holder: their structure's files)."""
    require(ctx, action)
    if not queries.can(ctx, action, app):
        raise PermissionDenied("Ce dossier ne relève pas de votre structure.")


def _check_editable(app: Application) -> None:
    if app.status not in EDITABLE_STATUSES:
        raise PermissionDenied(
            f"Le dossier est « {ApplicationStatus(app.status).label} » : il ne se modifie plus. "
            "Écrivez à l'équipe d'instruction par la messagerie du dossier."
        )


def _locked_editable(ctx: ActingContext, app: Application, expected_version: int | None) -> Application:
    _own_file(ctx, app, "application.edit")
    locked = Application.objects.select_for_update().select_related("call").get(pk=app.pk)
    _check_editable(locked)
    check_version(locked, expected_version)
    return locked


def _validate_ids(siret: str, rna: str) -> None:
    if siret and (not siret.isdigit() or len(siret) != 14):
        raise ValidationError({"holder_siret": "Le SIRET compte 14 chiffres."})
    if rna and not (len(rna) == 10 and rna[0] == "W" and rna[1:].isalnum()):
        raise ValidationError({"holder_rna": "Le numéro RNA commence par W suivi de 9 caractères."})


@transaction.atomic
def create_application(*, ctx: ActingContext, call: Call, title: str) -> Application:
    """A draft file of the acting structure for a published call; identification pre-filled."""
    require(ctx, "application.create")
    if ctx.scope("application.create") != Scope.OWN_STRUCTURE or ctx.structure is None:
        raise PermissionDenied("Choisissez la structure pour laquelle vous déposez.")
    locked_call = Call.objects.select_for_update().get(pk=call.pk)
    if locked_call.cite_id != ctx.cite_id or locked_call.status != CallStatus.PUBLISHED:
        raise PermissionDenied("Cet appel à projets n'est pas ouvert aux dépôts.")
    if not title.strip():
        raise ValidationError({"title": "Donnez un intitulé à l'action."})
    number = Application.objects.filter(call=locked_call).count() + 1
    prefix = (locked_call.cite.slug.upper().replace("-", "")[:10]) or "AAP"
    reference = f"{prefix}-{locked_call.year}-{locked_call.pk}-{number:03d}"
    structure: Structure = ctx.structure
    app = Application.objects.create(
        call=locked_call,
        holder=structure,
        reference=reference,
        title=title.strip()[:250],
        created_by=ctx.user,
        holder_siret=structure.siret,
        holder_rna=structure.rna,
        contact_name=ctx.user.get_full_name(),
        contact_email=ctx.user.email,
    )
    machines_log_creation(ctx, app)
    return app


def machines_log_creation(ctx: ActingContext, app: Application) -> None:
    app.transitions.create(
        from_status="",
        to_status=ApplicationStatus.DRAFT,
        actor=ctx.user,
        actor_label=machines.actor_label(ctx),
        reason="Création du dossier",
    )
    audit.log(
        ctx, "application.create", app, changes={"title": [None, app.title], "call": [None, app.call_id]}
    )


@transaction.atomic
def update_application(
    *,
    ctx: ActingContext,
    app: Application,
    data: dict[str, Any],
    qpvs: list[QPV] | None = None,
    expected_version: int | None = None,
) -> Application:
    locked = _locked_editable(ctx, app, expected_version)
    fields = [k for k in data if k in APPLICATION_FIELDS]
    before = audit.snapshot(locked, fields)
    for k in fields:
        setattr(locked, k, data[k])
    _validate_ids(locked.holder_siret, locked.holder_rna)
    if locked.start_date and locked.end_date and locked.end_date < locked.start_date:
        raise ValidationError({"end_date": "La date de fin précède la date de début."})
    locked.full_clean(exclude=["call", "holder", "created_by", "reference", "status", "version"])
    changes = audit.diff(locked, before, fields)
    if qpvs is not None:
        allowed = set(QPV.objects.filter(cites=locked.call.cite_id).values_list("pk", flat=True))
        if any(q.pk not in allowed for q in qpvs):
            raise ValidationError({"qpvs": "Choisissez des QPV de la cité."})
        old = sorted(locked.qpvs.values_list("code", flat=True))
        new = sorted(q.code for q in qpvs)
        if old != new:
            locked.qpvs.set(qpvs)
            changes["qpvs"] = [old, new]
    if changes:
        locked.save(update_fields=[*fields, "updated_at"])
        bump_version(locked)
        audit.log(ctx, "application.update", locked, changes=changes)
    return locked


def _rows(rows: list[dict[str, Any]], what: str, limit: int) -> list[dict[str, Any]]:
    kept = [r for r in rows if any(str(v).strip() for v in r.values() if v is not None)]
    if len(kept) > limit:
        raise ValidationError(f"{what} : {limit} au plus.")
    return kept


@transaction.atomic
def set_objectives(
    *, ctx: ActingContext, app: Application, rows: list[dict[str, Any]], expected_version: int | None = None
) -> list[Objective]:
    """Replace the objectives (1 to 6, each with an indicator, a unit and a target)."""
    locked = _locked_editable(ctx, app, expected_version)
    kept = _rows(rows, "Objectifs", MAX_OBJECTIVES)
    objectives = []
    errors: list[str] = []
    for i, row in enumerate(kept, 1):
        missing = [
            lab
            for k, lab in (("title", "objectif"), ("indicator", "indicateur"), ("unit", "unité"))
            if not str(row.get(k) or "").strip()
        ]
        if missing or row.get("target") is None:
            errors.append(
                f"Objectif {i} : précisez {', '.join(missing + ([] if row.get('target') is not None else ['cible']))}."
            )
            continue
        o = Objective(
            application=locked,
            position=i,
            title=str(row["title"]).strip(),
            indicator=str(row["indicator"]).strip(),
            unit=str(row["unit"]).strip(),
            target=row["target"],
        )
        o.full_clean(exclude=["application"])
        objectives.append(o)
    if errors:
        raise ValidationError(errors)
    old = [(o.title, o.indicator, o.unit, str(o.target)) for o in locked.objectives.all()]
    locked.objectives.all().delete()
    Objective.objects.bulk_create(objectives)
    new = [(o.title, o.indicator, o.unit, str(o.target)) for o in objectives]
    if old != new:
        bump_version(locked)
        audit.log(ctx, "application.objectives", locked, changes={"objectives": [old, new]})
    return objectives


@transaction.atomic
def set_activities(
    *, ctx: ActingContext, app: Application, rows: list[dict[str, Any]], expected_version: int | None = None
) -> list[Activity]:
    locked = _locked_editable(ctx, app, expected_version)
    kept = _rows(rows, "Activités", MAX_ROWS)
    activities = []
    for i, row in enumerate(kept, 1):
        if not str(row.get("title") or "").strip():
            raise ValidationError(f"Activité {i} : donnez-lui un intitulé.")
        a = Activity(
            application=locked,
            position=i,
            title=str(row["title"]).strip(),
            description=str(row.get("description") or "").strip(),
            planned_hours=row.get("planned_hours"),
        )
        a.full_clean(exclude=["application"])
        activities.append(a)
    old = [(a.title, a.description, str(a.planned_hours)) for a in locked.activities.all()]
    locked.activities.all().delete()
    Activity.objects.bulk_create(activities)
    new = [(a.title, a.description, str(a.planned_hours)) for a in activities]
    if old != new:
        bump_version(locked)
        audit.log(ctx, "application.activities", locked, changes={"activities": [old, new]})
    return activities


@transaction.atomic
def set_partners(
    *, ctx: ActingContext, app: Application, rows: list[dict[str, Any]], expected_version: int | None = None
) -> list[ApplicationPartner]:
    """Replace the partners; a partner is a structure of the cité, or a name when it is not listed."""
    locked = _locked_editable(ctx, app, expected_version)
    kept = _rows(rows, "Partenaires", MAX_ROWS)
    partners = []
    cite_structures = set(
        Structure.objects.filter(partnerships__cite_id=locked.call.cite_id).values_list("pk", flat=True)
    )
    for i, row in enumerate(kept, 1):
        structure = row.get("structure")
        name = str(row.get("name") or "").strip()
        role = str(row.get("role") or "").strip()
        if structure is None and not name:
            raise ValidationError(f"Partenaire {i} : choisissez une structure ou donnez son nom.")
        if structure is not None and structure.pk not in cite_structures:
            raise ValidationError(f"Partenaire {i} : cette structure n'est pas partenaire de la cité.")
        if not role:
            raise ValidationError(f"Partenaire {i} : décrivez son rôle dans le projet.")
        partners.append(
            ApplicationPartner(application=locked, structure=structure, name=name[:250], role=role[:300])
        )
    old = [(p.structure_id, p.name, p.role) for p in locked.partners.all()]
    locked.partners.all().delete()
    ApplicationPartner.objects.bulk_create(partners)
    new = [(p.structure.pk if p.structure else None, p.name, p.role) for p in partners]
    if old != new:
        bump_version(locked)
        audit.log(ctx, "application.partners", locked, changes={"partners": [old, new]})
    return partners


def parse_amount(value: Any, where: str) -> Decimal:
    try:
        amount = (
            Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
            if value not in (None, "")
            else Decimal(0)
        )
    except InvalidOperation:
        raise ValidationError(f"{where} : montant invalide.") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 10:
        raise ValidationError(f"{where} : montant invalide.")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def set_budget(
    *,
    ctx: ActingContext,
    app: Application,
    entries: list[dict[str, Any]],
    expected_version: int | None = None,
) -> list[BudgetEntry]:
    """Replace the budget (CERFA 12156 lines). A line 74 entry names its funder; empty amounts are left out."""
    locked = _locked_editable(ctx, app, expected_version)
    rows: list[BudgetEntry] = []
    errors: list[str] = []
    for i, e in enumerate(entries, 1):
        line = str(e.get("line") or "")
        if not budget_lines.is_known(line):
            errors.append(f"Ligne {i} : ligne budgétaire inconnue ({line or 'vide'}).")
            continue
        where = f"{line} – {budget_lines.LINES[line].label}"
        try:
            amount = parse_amount(e.get("amount"), where)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        label = str(e.get("label") or "").strip()[:200]
        if amount == 0 and not label:
            continue
        if budget_lines.post_of(line).by_funder and not label:
            errors.append(f"{where} : précisez le financeur (par exemple « 80 – ETAT – POLITIQUE VILLE »).")
            continue
        rows.append(
            BudgetEntry(application=locked, line=line, label=label, amount=amount, position=len(rows))
        )
    if errors:
        raise ValidationError(errors)
    if len(rows) > 200:
        raise ValidationError("Budget : 200 lignes au plus.")
    old = [(b.line, b.label, str(b.amount)) for b in locked.budget.all()]
    locked.budget.all().delete()
    BudgetEntry.objects.bulk_create(rows)
    new = [(b.line, b.label, str(b.amount)) for b in rows]
    if old != new:
        bump_version(locked)
        audit.log(ctx, "application.budget", locked, changes={"budget": [old, new]})
    return rows


def _sniff(head: bytes, ext: str) -> bool:
    return any(head.startswith(sig) for sig in DOCUMENT_TYPES[ext][1])


@transaction.atomic
def add_document(
    *, ctx: ActingContext, app: Application, kind: str, upload: UploadedFile
) -> ApplicationDocument:
    """Join a document (PDF, image, office file; 10 Mo by default). Its content must match its type."""
    locked = _locked_editable(ctx, app, None)
    codes = set(locked.call.required_documents.values_list("code", flat=True)) | {OTHER_DOCUMENT}
    if kind not in codes:
        raise ValidationError({"kind": "Pièce inconnue pour cet appel."})
    name = Path((upload.name or "document").replace("\\", "/")).name[:200]
    ext = Path(name).suffix.lower()
    if ext not in DOCUMENT_TYPES:
        raise ValidationError(
            {"file": "Format refusé : PDF, images PNG ou JPEG, documents ODT, DOCX, DOC, ODS, XLSX, XLS."}
        )
    size = upload.size or 0
    limit = document_max_bytes()
    if size > limit:
        raise ValidationError({"file": f"Fichier trop lourd : {limit // (1024 * 1024)} Mo au plus."})
    if size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _sniff(head, ext):
        raise ValidationError({"file": f"Le contenu du fichier ne correspond pas à son extension ({ext})."})
    # the whole content, not only its first bytes: zip members, bombs, images decoded (screens and API alike)
    try:
        uploads.check_upload(upload, extensions=DOCUMENT_TYPES, max_bytes=limit)
    except uploads.UploadRefused as exc:
        raise ValidationError({"file": exc.messages}) from exc
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    doc = ApplicationDocument(
        application=locked,
        kind=kind,
        original_name=name,
        content_type=DOCUMENT_TYPES[ext][0],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=ctx.user,
    )
    doc.file.save(name, upload, save=False)
    try:
        doc.save()
    except Exception:
        doc.file.delete(save=False)
        raise
    bump_version(locked)
    audit.log(ctx, "application.document_add", locked, changes={"document": [None, f"{kind}: {name}"]})
    return doc


@transaction.atomic
def delete_document(*, ctx: ActingContext, document: ApplicationDocument) -> None:
    locked = _locked_editable(ctx, document.application, None)
    audit.log(
        ctx,
        "application.document_delete",
        locked,
        changes={"document": [f"{document.kind}: {document.original_name}", None]},
    )
    storage, path = document.file.storage, document.file.name or ""
    document.delete()
    transaction.on_commit(lambda: storage.delete(path))
    bump_version(locked)


def snapshot(app: Application) -> dict[str, Any]:
    """The file as JSON: what a submission freezes and what the receipt shows."""
    t = budget_lines.totals(
        [
            budget_lines.Entry(e.line, e.amount, e.label)
            for e in app.budget.all()
            if budget_lines.is_known(e.line)
        ]
    )

    def s(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return v

    return {
        "reference": app.reference,
        "call": {"id": app.call_id, "title": app.call.title, "year": app.call.year},
        "holder": {
            "id": app.holder_id,
            "name": app.holder.name,
            "kind": app.holder.kind,
            "siret": app.holder_siret,
            "rna": app.holder_rna,
        },
        "fields": {k: s(getattr(app, k)) for k in APPLICATION_FIELDS},
        "qpvs": [{"code": q.code, "name": q.name} for q in app.qpvs.order_by("code")],
        "partners": [
            {"structure_id": p.structure_id, "name": str(p), "role": p.role}
            for p in app.partners.select_related("structure")
        ],
        "objectives": [
            {"title": o.title, "indicator": o.indicator, "unit": o.unit, "target": s(o.target)}
            for o in app.objectives.all()
        ],
        "activities": [
            {"title": a.title, "description": a.description, "planned_hours": s(a.planned_hours)}
            for a in app.activities.all()
        ],
        "budget": [{"line": b.line, "label": b.label, "amount": s(b.amount)} for b in app.budget.all()],
        "totals": {
            "charges": s(t.charges),
            "resources": s(t.resources),
            "balance": s(t.balance),
            "eligible_costs": s(t.direct_charges),
        },
        "documents": [
            {"kind": d.kind, "name": d.original_name, "size": d.size, "sha256": d.sha256}
            for d in app.documents.all()
        ],
    }


@dataclass(frozen=True)
class Submitted:
    application: Application
    version: ApplicationVersion
    evaluations: list[Evaluation]


@transaction.atomic
def submit_application(*, ctx: ActingContext, app: Application, now: datetime | None = None) -> Submitted:
    """Submit (or resubmit after « à compléter ») the file.

    Every rule of the call is checked at `now`; a blocking failure refuses the submission (SubmissionRefused
    says why) and nothing changes. Otherwise the file's version is frozen as JSON with the rule results, the
    file becomes « déposé » and an acknowledgement (e-mail with a PDF receipt) is sent once committed.
    """
    _own_file(ctx, app, "application.submit")
    now = now or timezone.now()
    locked = Application.objects.select_for_update().select_related("call__cite", "holder").get(pk=app.pk)
    _check_editable(locked)
    if locked.status == ApplicationStatus.DRAFT and not is_open_at(
        locked.call.opens_at, locked.call.closes_at, now
    ):
        # The window is also a rule a call may leave out; a first submission outside it is never accepted.
        result = SubmissionWindow().check(facts_for(locked, now), None)
        failure = Evaluation(
            None, SubmissionWindow.code, SubmissionWindow.label, SubmissionWindow.description,
            Severity.BLOCKING, result.outcome, result.message, "",
        )  # fmt: skip
        raise SubmissionRefused([failure])
    evaluations = evaluate(locked, now)
    failures = blocking_failures(evaluations)
    if failures:
        audit.log(
            ctx, "application.submit_refused", locked, changes={"failures": [f.rule_type for f in failures]}
        )
        raise SubmissionRefused(failures)
    number = locked.versions.count() + 1
    results = [e.as_dict() for e in evaluations]
    version = ApplicationVersion.objects.create(
        application=locked,
        number=number,
        snapshot=snapshot(locked),
        rule_results=results,
        created_by=ctx.user,
        created_at=now,
    )
    machines.move(
        ctx,
        locked,
        machines.APPLICATION,
        ApplicationStatus.SUBMITTED,
        reason="Dépôt du dossier" if number == 1 else "Dépôt des compléments",
        details={"version": number, "rule_results": results},
        extra_fields={"submitted_at": now, "complete_by": None},
    )
    from citemploi.calls.tasks import send_acknowledgement

    version_id = version.pk
    transaction.on_commit(lambda: send_acknowledgement.enqueue(version_id))
    return Submitted(locked, version, evaluations)


@transaction.atomic
def withdraw_application(*, ctx: ActingContext, app: Application, reason: str = "") -> Application:
    """The holder withdraws their file (before the agreement is signed)."""
    _own_file(ctx, app, "application.edit")
    return machines.move(
        ctx, app, machines.APPLICATION, ApplicationStatus.WITHDRAWN, reason=reason or "Retrait par le porteur"
    )


@transaction.atomic
def post_message(*, ctx: ActingContext, app: Application, body: str) -> Message:
    """A message on the file, between the holder and the instructors."""
    _own_file(ctx, app, "application.message")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Écrivez votre message."})
    if len(body) > 5000:
        raise ValidationError({"body": "5 000 caractères au plus."})
    from_holder = ctx.scope("application.message") == Scope.OWN_STRUCTURE
    message = Message.objects.create(
        application=app,
        author=ctx.user,
        author_label=machines.actor_label(ctx),
        from_holder=from_holder,
        body=body,
    )
    audit.log(ctx, "application.message", app, changes={"message": [None, message.pk]})
    from citemploi.calls.tasks import notify_message

    message_id = message.pk
    transaction.on_commit(lambda: notify_message.enqueue(message_id))
    return message
