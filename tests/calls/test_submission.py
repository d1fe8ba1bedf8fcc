"""Filling in and submitting a file: rules checked live and at submission, blocking ones refuse it and
say why, the submission freezes a version and sends an acknowledgement with a PDF receipt."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citemploi.calls.eligibility.engine import evaluate, facts_for
from citemploi.calls.enums import ApplicationStatus, Outcome
from citemploi.calls.models import Application
from citemploi.calls.services import applications as services
from citemploi.calls.services import instruction
from citemploi.core.models import AuditEvent
from tests.calls.factories import FUNDER, ApplicationFactory, CallFactory, add_rule, at_paris
from tests.factories import ctx_for


@pytest.fixture
def call(world):
    return CallFactory(cite=world.cite)


@pytest.fixture
def complete(world, call):
    return ApplicationFactory(call=call, holder=world.asso, complete=True, filled=True)


def test_a_complete_file_meets_every_usual_condition(complete):
    results = evaluate(complete)
    assert len(results) == 13
    assert {r.rule_type: r.outcome for r in results if r.outcome != Outcome.PASS} == {
        "previous_reports_validated": Outcome.NOT_APPLICABLE
    }


def test_reading_the_facts_takes_a_fixed_number_of_queries(complete):
    with CaptureQueriesContext(connection) as small:
        facts_for(complete)
    for n in range(4):
        ApplicationFactory(
            call=complete.call, holder=complete.holder, complete=True, filled=True, reference=f"X-{n}"
        )
    complete.objectives.create(position=3, title="Un de plus", indicator="i", unit="u", target=1)
    with CaptureQueriesContext(connection) as large:
        facts_for(complete)
    assert len(small) == len(large) == 9


def test_an_empty_draft_lists_what_is_missing(world, call):
    app = services.create_application(ctx=ctx_for(world.holder), call=call, title="Garde d'enfants")
    results = {r.rule_type: r for r in evaluate(app)}
    assert results["objectives_count"].message == "Fixez au moins 1 objectif (0 pour l'instant)."
    assert results["budget_balanced"].outcome == Outcome.FAIL
    assert results["required_documents"].message.startswith("Pièces manquantes : Statuts de la structure")
    assert results["submission_window"].outcome == Outcome.PASS
    # Identification was pre-filled from the structure and the user.
    assert app.contact_email == world.holder.user.email
    assert app.transitions.get().to_status == ApplicationStatus.DRAFT


def test_blocking_rules_refuse_the_submission_and_say_why(world, complete):
    add_rule(
        complete.call, "title_prefix", {"prefix": "CITE EMPLOI-"}, message="Intitulé imposé par le portail."
    )
    complete.title = "Auto-école sociale"
    complete.save()
    ctx = ctx_for(world.holder)
    with pytest.raises(services.SubmissionRefused) as exc:
        services.submit_application(ctx=ctx, app=complete)
    [failure] = exc.value.failures
    assert failure.rule_type == "title_prefix" and failure.advice == "Intitulé imposé par le portail."
    assert "doit commencer par « CITE EMPLOI- »" in str(exc.value)
    complete.refresh_from_db()
    assert complete.status == ApplicationStatus.DRAFT and not complete.versions.exists()
    assert not AuditEvent.objects.filter(code="application.submitted").exists()
    # Fixed: the submission goes through.
    services.update_application(ctx=ctx, app=complete, data={"title": "CITE EMPLOI-Auto-école sociale"})
    result = services.submit_application(ctx=ctx, app=complete)
    assert result.application.status == ApplicationStatus.SUBMITTED


def test_warnings_do_not_block(world, complete):
    add_rule(complete.call, "max_amount", {"max_amount": "10000"}, severity="warning")
    result = services.submit_application(ctx=ctx_for(world.holder), app=complete)
    warning = next(e for e in result.evaluations if e.rule_type == "max_amount")
    assert warning.warning and not warning.blocking_failure


def test_submission_freezes_a_version_and_sends_the_acknowledgement(
    world, complete, django_capture_on_commit_callbacks
):
    ctx = ctx_for(world.holder)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.submit_application(ctx=ctx, app=complete)
    app = Application.objects.get(pk=complete.pk)
    assert app.status == ApplicationStatus.SUBMITTED and app.submitted_at is not None
    version = result.version
    assert version.number == 1
    assert version.snapshot["fields"]["title"] == "CITE EMPLOI-Auto-école sociale"
    assert version.snapshot["totals"] == {
        "charges": "25000.00",
        "resources": "25000.00",
        "balance": "0.00",
        "eligible_costs": "25000.00",
    }
    assert [b["label"] for b in version.snapshot["budget"] if b["line"] == "74etat"] == [FUNDER]
    assert {r["rule_type"] for r in version.rule_results} >= {"budget_balanced", "funder_line"}
    log = app.transitions.order_by("-id").first()
    assert log.details["version"] == 1 and len(log.details["rule_results"]) == 13
    [email] = mail.outbox
    assert email.subject.startswith(f"Accusé de réception — {app.reference}")
    assert sorted(email.to) == sorted(
        {"julien.morel@asso.example.org", "presidente@asso.example.org", world.holder.user.email}
    )
    [(name, content, mimetype)] = email.attachments
    assert name.endswith("-v1.pdf") and mimetype == "application/pdf" and content.startswith(b"%PDF")
    # The file no longer changes: the version stays as submitted.
    with pytest.raises(PermissionDenied, match="ne se modifie plus"):
        services.update_application(ctx=ctx, app=app, data={"title": "CITE EMPLOI-Autre"})


def test_to_complete_then_resubmission_freezes_a_second_version(world, complete):
    holder, coordinator = ctx_for(world.holder), ctx_for(world.coordinator)
    services.submit_application(ctx=holder, app=complete)
    instruction.request_completion(
        ctx=coordinator,
        app=complete,
        reason="Joindre le RIB à jour",
        complete_by=timezone.localdate() + timedelta(days=8),
    )
    complete.refresh_from_db()
    assert complete.status == ApplicationStatus.TO_COMPLETE and complete.complete_by is not None
    services.update_application(ctx=holder, app=complete, data={"description": "Description complétée."})
    second = services.submit_application(ctx=holder, app=complete)
    assert second.version.number == 2
    assert second.version.snapshot["fields"]["description"] == "Description complétée."
    assert complete.versions.get(number=1).snapshot["fields"]["description"].startswith("Une auto-école")
    complete.refresh_from_db()
    assert complete.complete_by is None


def test_a_first_submission_after_the_deadline_is_refused_even_without_the_window_rule(world):
    call = CallFactory(cite=world.cite, amiens_2023=True, with_defaults=False)
    app = ApplicationFactory(call=call, holder=world.asso, complete=True)
    ctx = ctx_for(world.holder)
    on_time = services.submit_application(ctx=ctx, app=app, now=at_paris(2023, 5, 22, 23, 59, 59))
    assert on_time.application.status == ApplicationStatus.SUBMITTED
    late = ApplicationFactory(call=call, holder=world.asso, complete=True)
    with pytest.raises(services.SubmissionRefused) as exc:
        services.submit_application(ctx=ctx, app=late, now=at_paris(2023, 5, 23, 0, 0, 0))
    assert exc.value.failures[0].message == "Les dépôts sont clos depuis le 22/05/2023 à 23h59."


def test_only_the_holder_structure_edits_and_submits(world, complete):
    for persona in (world.coordinator, world.reviewer, world.referent_ft):
        with pytest.raises(PermissionDenied):
            services.submit_application(ctx=ctx_for(persona), app=complete)
    from tests.factories import member, partner_of

    other_holder = member(world.cite, "holder", partner_of(world.cite))
    with pytest.raises(PermissionDenied):
        services.update_application(ctx=ctx_for(other_holder), app=complete, data={"title": "x"})


def test_budget_lines_are_validated_all_or_nothing(world, complete):
    ctx = ctx_for(world.holder)
    with pytest.raises(ValidationError) as exc:
        services.set_budget(
            ctx=ctx,
            app=complete,
            entries=[
                {"line": "641", "amount": "12 000,50"},
                {"line": "74etat", "amount": "5000", "label": ""},
                {"line": "999", "amount": "1"},
                {"line": "645", "amount": "-3"},
            ],
        )
    assert len(exc.value.messages) == 3
    assert any("précisez le financeur" in m for m in exc.value.messages)
    assert complete.budget.count() == 4  # unchanged
    rows = services.set_budget(
        ctx=ctx,
        app=complete,
        entries=[
            {"line": "641", "amount": "12 000,50"},
            {"line": "645", "amount": ""},
            {"line": "74etat", "amount": "12000.5", "label": FUNDER},
        ],
    )
    assert [(r.line, r.amount) for r in rows] == [
        ("641", Decimal("12000.50")),
        ("74etat", Decimal("12000.50")),
    ]


def test_objectives_are_limited_to_six_with_indicator_unit_and_target(world, complete):
    ctx = ctx_for(world.holder)
    row = {"title": "Objectif", "indicator": "Personnes", "unit": "personnes", "target": 10}
    with pytest.raises(ValidationError, match="6 au plus"):
        services.set_objectives(ctx=ctx, app=complete, rows=[row] * 7)
    with pytest.raises(ValidationError, match="précisez unité, cible"):
        services.set_objectives(ctx=ctx, app=complete, rows=[{"title": "Sans unité", "indicator": "x"}])
    assert len(services.set_objectives(ctx=ctx, app=complete, rows=[row] * 6)) == 6


def test_documents_are_checked_for_type_size_and_content(world, complete, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ctx = ctx_for(world.holder)
    fake = SimpleUploadedFile("statuts.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="ne correspond pas"):
        services.add_document(ctx=ctx, app=complete, kind="statuts", upload=fake)
    script = SimpleUploadedFile("statuts.html", b"<script>", content_type="text/html")
    with pytest.raises(ValidationError, match="Format refusé"):
        services.add_document(ctx=ctx, app=complete, kind="statuts", upload=script)
    settings.CALLS_DOCUMENT_MAX_BYTES = 10
    big = SimpleUploadedFile(
        "statuts.pdf", b"%PDF-1.4\n" + b"x" * 9 + b"\n%%EOF\n", content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="trop lourd"):
        services.add_document(ctx=ctx, app=complete, kind="statuts", upload=big)
    settings.CALLS_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError, match="Pièce inconnue"):
        services.add_document(ctx=ctx, app=complete, kind="inconnue", upload=big)
    # the service checks the whole content, not only the first bytes (the API and the screens alike)
    before = complete.documents.count()
    cut = SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n" + b"x" * 4000, content_type="application/pdf")
    with pytest.raises(ValidationError, match="incomplet"):
        services.add_document(ctx=ctx, app=complete, kind="statuts", upload=cut)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))  # 20 Mo of zeros in 20 Ko: a bomb
    bomb = SimpleUploadedFile("budget.docx", zipped.getvalue())
    with pytest.raises(ValidationError, match="anormalement compressé"):
        services.add_document(ctx=ctx, app=complete, kind="statuts", upload=bomb)
    assert complete.documents.count() == before
    doc = services.add_document(ctx=ctx, app=complete, kind="autre", upload=big)
    assert doc.original_name == "statuts.pdf" and "statuts" not in doc.file.name and doc.size == 25


def test_the_action_dates_rule_follows_the_calls_year(world, call):
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, start_date=date(call.year - 1, 12, 1)
    )
    result = next(r for r in evaluate(app) if r.rule_type == "action_dates_in_year")
    assert result.outcome == Outcome.FAIL
