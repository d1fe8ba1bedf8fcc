"""Import of a partner's list of people, in three steps: upload, column mapping, preview then import.

The uploaded file waits in a private folder under a random token (citemploi.people.importing.uploads);
the token lives in the user's session only, with the acting membership it was uploaded under, so that
nobody else (and no other cité the user may switch to) can use it. The file is deleted after the import;
files left behind expire after 24 hours.
"""

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from citemploi.core.spreadsheets import csv_bytes, download
from citemploi.partners.models import Structure
from citemploi.people.importing import (
    FIELDS,
    REPORT_HEADER,
    ImportFileError,
    ImportRejected,
    ImportReport,
    MappingError,
    detect_mapping,
    file_overview,
    import_people,
    import_structure,
    preview_import,
    report_rows,
    template_header,
)
from citemploi.people.importing.uploads import delete_upload, store_upload, upload_path
from citemploi.www.common import acting, action_required
from citemploi.www.imports.forms import MappingForm, UploadForm

SESSION_KEY = "citemploi_people_imports"
DONE_KEY = "citemploi_people_import_done"
#: issues shown on the preview page; the CSV report has them all
SHOWN_ISSUES = 500


class Pending:
    """An upload waiting in the session: its file and the choices made so far."""

    def __init__(self, request: HttpRequest, token: str, data: dict[str, Any], path: Path):
        self.request, self.token, self.data, self.path = request, token, data, path

    @property
    def filename(self) -> str:
        return str(self.data["filename"])

    @property
    def sheet(self) -> str | None:
        return self.data.get("sheet") or None

    @property
    def skip_existing(self) -> bool:
        return bool(self.data.get("skip_existing"))

    @property
    def mapping(self) -> dict[int, str] | None:
        raw = self.data.get("mapping")
        return {int(k): v for k, v in raw.items()} if raw is not None else None

    def structure(self) -> Structure | None:
        pk = self.data.get("structure")
        return Structure.objects.filter(pk=pk).first() if pk else None

    def save(self, **changes: Any) -> None:
        self.data.update(changes)
        pending = self.request.session.get(SESSION_KEY, {})
        pending[self.token] = self.data
        self.request.session[SESSION_KEY] = pending

    def forget(self) -> None:
        delete_upload(self.token)
        pending = self.request.session.get(SESSION_KEY, {})
        pending.pop(self.token, None)
        self.request.session[SESSION_KEY] = pending

    def url(self, name: str) -> str:
        return f"{reverse(name)}?jeton={self.token}"


def _pending(request: HttpRequest) -> Pending | None:
    """The upload named by ?jeton= (or the posted jeton): None without one, 404 if it is not this user's."""
    token = request.POST.get("jeton") or request.GET.get("jeton")
    if not token:
        return None
    data = request.session.get(SESSION_KEY, {}).get(token)
    ctx = acting(request)
    if (
        data is None
        or data.get("user") != ctx.user.pk
        or data.get("membership") != getattr(ctx.membership, "pk", None)
    ):
        raise Http404("Introuvable.")
    path = upload_path(token)
    if path is None:
        request.session.get(SESSION_KEY, {}).pop(token, None)
        request.session.modified = True
        raise Http404("Ce fichier a expiré : téléversez-le de nouveau.")
    return Pending(request, token, data, path)


def _forget_abandoned(request: HttpRequest) -> None:
    """Drop from the session the uploads whose file is gone (expired or imported)."""
    pending = request.session.get(SESSION_KEY, {})
    kept = {token: data for token, data in pending.items() if upload_path(token) is not None}
    if len(kept) != len(pending):
        request.session[SESSION_KEY] = kept


def _restart(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("imports:people")


@action_required("beneficiary.import")
def people_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload the file and choose the structure (coordinators) and how to treat people already there."""
    ctx = acting(request)
    form = UploadForm(request.POST or None, request.FILES or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = None
        try:
            import_structure(ctx, form.cleaned_data.get("structure"))
            stored = store_upload(upload.chunks(), upload.name)
            file_overview(stored.path, stored.filename)  # an unreadable file is refused at once
        except ImportFileError as exc:
            if stored is not None:
                delete_upload(stored.token)
            form.add_error("file", exc.message)
        except ValidationError as exc:
            form.add_error("structure" if "structure" in form.fields else None, exc.messages)
        else:
            structure = form.cleaned_data.get("structure")
            _forget_abandoned(request)
            pending = Pending(request, stored.token, {}, stored.path)
            pending.save(
                filename=stored.filename,
                user=ctx.user.pk,
                membership=ctx.membership.pk if ctx.membership else None,
                structure=structure.pk if structure else None,
                skip_existing=form.cleaned_data["skip_existing"],
                sheet=None,
                mapping=None,
                uploaded_at=timezone.now().isoformat(),
            )
            return redirect(pending.url("imports:people_mapping"))
    return render(
        request,
        "imports/people.html",
        {
            "form": form,
            "fields": FIELDS,
            "own_structure": None if "structure" in form.fields else ctx.structure,
        },
    )


@action_required("beneficiary.import")
def people_mapping(request: HttpRequest) -> HttpResponse:
    """Step 2: which field each column fills (pre-filled by the detection), and the sheet of a workbook."""
    pending = _pending(request)
    if pending is None:
        return _restart(request, "Téléversez d'abord le fichier à importer.")
    try:
        overview = file_overview(pending.path, pending.filename, sheet=pending.sheet)
    except ImportFileError as exc:
        pending.forget()
        return _restart(request, exc.message)
    requested_sheet = request.GET.get("feuille")
    if requested_sheet and requested_sheet != overview.sheet:
        if requested_sheet in overview.sheet_names:
            pending.save(sheet=requested_sheet, mapping=None)
        else:
            messages.error(request, f"La feuille « {requested_sheet} » n'existe pas dans ce classeur.")
        return redirect(pending.url("imports:people_mapping"))
    mapping = pending.mapping
    if mapping is None:
        mapping = detect_mapping(overview.columns)
    form = MappingForm(request.POST or None, overview=overview, mapping=mapping)
    if request.method == "POST" and form.is_valid():
        pending.save(mapping={str(k): v for k, v in form.mapping().items()})
        return redirect(pending.url("imports:people_preview"))
    return render(
        request, "imports/people_mapping.html", {"form": form, "pending": pending, "overview": overview}
    )


def _report(request: HttpRequest, pending: Pending) -> ImportReport | HttpResponse:
    """The dry run of a pending upload, or the response that sends the user back to the right step."""
    try:
        return preview_import(
            ctx=acting(request),
            source=pending.path,
            filename=pending.filename,
            structure=pending.structure(),
            mapping=pending.mapping,
            skip_existing=pending.skip_existing,
            sheet=pending.sheet,
        )
    except MappingError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(pending.url("imports:people_mapping"))
    except ImportFileError as exc:
        pending.forget()
        return _restart(request, exc.message)
    except (ValidationError, PermissionDenied) as exc:
        pending.forget()
        return _restart(request, " ".join(getattr(exc, "messages", [str(exc)])))


@action_required("beneficiary.import")
def people_preview(request: HttpRequest) -> HttpResponse:
    """Step 3: the dry run's report; the import (POST) when no line is in error."""
    pending = _pending(request)
    if pending is None:
        return _restart(request, "Téléversez d'abord le fichier à importer.")
    if pending.mapping is None:
        return redirect(pending.url("imports:people_mapping"))
    if request.method == "POST":
        try:
            result = import_people(
                ctx=acting(request),
                source=pending.path,
                filename=pending.filename,
                structure=pending.structure(),
                mapping=pending.mapping,
                skip_existing=pending.skip_existing,
                sheet=pending.sheet,
            )
        except ImportRejected as rejected:
            messages.error(request, f"{rejected} Corrigez le fichier puis téléversez-le de nouveau.")
            return _preview_page(request, pending, rejected.report)
        except (ImportFileError, MappingError, ValidationError, PermissionDenied):
            outcome = _report(request, pending)
            if isinstance(outcome, HttpResponse):
                return outcome
            return _preview_page(request, pending, outcome)
        pending.forget()
        request.session[DONE_KEY] = {
            "created": result.created,
            "skipped": result.skipped,
            "structure": result.structure.name,
            "filename": result.filename,
        }
        return redirect("imports:people_done")
    outcome = _report(request, pending)
    if isinstance(outcome, HttpResponse):
        return outcome
    return _preview_page(request, pending, outcome)


def _preview_page(request: HttpRequest, pending: Pending, report: ImportReport) -> HttpResponse:
    structure = pending.structure() or acting(request).structure
    return render(
        request,
        "imports/people_preview.html",
        {
            "pending": pending,
            "report": report,
            "structure": structure,
            "shown_issues": report.issues[:SHOWN_ISSUES],
            "more_issues": max(0, len(report.issues) - SHOWN_ISSUES) + report.omitted_issues,
        },
    )


@action_required("beneficiary.import")
def people_report(request: HttpRequest) -> HttpResponse:
    """The report of a pending upload as CSV (line, column, value, message)."""
    pending = _pending(request)
    if pending is None:
        return _restart(request, "Téléversez d'abord le fichier à importer.")
    if pending.mapping is None:
        return redirect(pending.url("imports:people_mapping"))
    outcome = _report(request, pending)
    if isinstance(outcome, HttpResponse):
        return outcome
    stem = slugify(Path(pending.filename).stem)[:80] or "import"
    return download(
        csv_bytes(REPORT_HEADER, report_rows(outcome)), f"rapport-{stem}.csv", "text/csv; charset=utf-8"
    )


@action_required("beneficiary.import")
def people_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with the expected columns."""
    return download(
        csv_bytes(template_header(), []), "modele-import-personnes.csv", "text/csv; charset=utf-8"
    )


@action_required("beneficiary.import")
def people_done(request: HttpRequest) -> HttpResponse:
    result = request.session.pop(DONE_KEY, None)
    if result is None:
        return redirect("imports:people")
    return render(request, "imports/people_done.html", {"result": result})
