"""The calls screens, per role: public page, the holder filling in and submitting a file (rules panel
refreshed live), the coordination instructing, the reviewer declaring and scoring, the committee, the
agreement and the report, exports. The query count of the file's page is pinned."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from html import escape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from citemploi.calls.enums import ApplicationStatus, CallStatus, ConflictStatus, ReportStatus
from citemploi.calls.models import Application, Call, CommitteeSession, Report
from citemploi.calls.services import committee, funding
from citemploi.core.models import AuditEvent
from tests.calls.factories import (
    FUNDER,
    PDF,
    ApplicationFactory,
    CallFactory,
    assign,
    attach,
    submitted_review,
)
from tests.conftest import login_as, shared_file
from tests.factories import ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(world):
    return CallFactory(cite=world.cite)


def test_the_public_page_lists_open_calls_without_an_account(client, world, call):
    CallFactory(cite=world.cite, draft=True, title="Brouillon secret", with_defaults=False)
    response = client.get("/appels-a-projets/")
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(call.title) in body and "Brouillon secret" not in body
    assert escape("Ouvert jusqu'au") in body
    page = client.get(f"/appels-a-projets/{call.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "minute comprise" in text and "connectez-vous" in text
    assert "Déposer un dossier" not in text
    draft = Call.objects.get(title="Brouillon secret")
    assert client.get(f"/appels-a-projets/{draft.pk}/").status_code == 404


def test_signed_in_users_see_their_cites_calls_and_role_links(client, world, call):
    draft = CallFactory(cite=world.cite, draft=True, title="Appel en préparation", with_defaults=False)
    login_as(client, world.coordinator)
    body = client.get("/appels-a-projets/").content.decode()
    assert "Appel en préparation" in body and "Nouvel appel" in body
    assert client.get(f"/appels-a-projets/{draft.pk}/").status_code == 200
    login_as(client, world.holder)
    body = client.get("/appels-a-projets/").content.decode()
    assert "Appel en préparation" not in body and "Mes dossiers" in body
    assert "Déposer un dossier" in client.get(f"/appels-a-projets/{call.pk}/").content.decode()
    login_as(client, world.reviewer)
    assert "Dossiers à instruire" in client.get("/appels-a-projets/").content.decode()


def test_the_coordination_creates_and_publishes_a_call(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/appels-a-projets/nouveau/",
        {
            "year": "2024",
            "title": "AAP Amiens 2024",
            "summary": "Innovez pour l'emploi",
            "themes": ["mobility", "childcare"],
            "envelope": "100 000",
            "opens_on": "2024-03-31",
            "opens_time": "02:30",
            "closes_on": "2024-05-22",
            "closes_time": "23:59",
            "advance_percent": "50",
            "report_due_days": "90",
            "variance_threshold_percent": "15",
            "disagreement_points": "20",
            "criterion_gap": "2",
            "with_defaults": "on",
        },
    )
    assert response.status_code == 200
    assert escape("passage à l'heure d'été") in response.content.decode()
    assert not Call.objects.exists()
    response = client.post(
        "/appels-a-projets/nouveau/",
        {
            "year": "2024",
            "title": "AAP Amiens 2024",
            "summary": "Innovez pour l'emploi",
            "themes": ["mobility", "childcare"],
            "envelope": "100 000",
            "opens_on": "2024-05-05",
            "opens_time": "09:00",
            "closes_on": "2024-05-22",
            "closes_time": "23:59",
            "advance_percent": "50",
            "report_due_days": "90",
            "variance_threshold_percent": "15",
            "disagreement_points": "20",
            "criterion_gap": "2",
            "with_defaults": "on",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appels-a-projets/{call.pk}/"
    assert call.envelope == Decimal("100000") and call.rules.count() == 13
    assert call.closes_at.isoformat() == "2024-05-22T21:59:00+00:00"
    client.post(f"/appels-a-projets/{call.pk}/etat/", {"target": "published"})
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    # Rules from the catalogue, with their generated parameter form.
    response = client.post(
        f"/appels-a-projets/{call.pk}/regles/", {"rule_type": "title_prefix", "severity": "blocking"}
    )
    rule = call.rules.get(rule_type="title_prefix")
    assert response["Location"] == f"/appels-a-projets/{call.pk}/regles/{rule.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'name="param_prefix"' in page and 'name="param_ignore_case"' in page
    client.post(
        response["Location"],
        {
            "severity": "blocking",
            "message": "Exigé par Dauphin",
            "param_prefix": "CITE EMPLOI-",
            "param_ignore_case": "on",
        },
    )
    rule.refresh_from_db()
    assert rule.message == "Exigé par Dauphin" and rule.params == {
        "prefix": "CITE EMPLOI-",
        "ignore_case": True,
    }
    holder_rule = call.rules.get(rule_type="holder_kind")
    page = client.get(f"/appels-a-projets/{call.pk}/regles/{holder_rule.pk}/").content.decode()
    assert 'value="association"' in page and "Association de quartier" in page
    bad = client.post(
        f"/appels-a-projets/{call.pk}/regles/{call.rules.get(rule_type='objectives_count').pk}/",
        {"severity": "blocking", "param_min": "5", "param_max": "2"},
    )
    assert "le minimum dépasse le maximum" in bad.content.decode()
    assert client.get(f"/appels-a-projets/{call.pk}/grille/").status_code == 200
    assert client.get(f"/appels-a-projets/{call.pk}/pieces/").status_code == 200
    clone = client.post(f"/appels-a-projets/{call.pk}/cloner/")
    assert Call.objects.filter(year=2025, cloned_from=call).exists() and clone.status_code == 302


def _section_post(client, app, section, data, *, check=False):
    url = f"/appels-a-projets/dossiers/{app.pk}/rubriques/{section}/" + ("verifier/" if check else "")
    app.refresh_from_db()
    return client.post(
        url, {"version": app.version, **data}, **({"HTTP_HX_REQUEST": "true"} if check else {})
    )


def test_the_holder_fills_in_the_file_with_the_rules_checked_live_and_submits(
    client, world, call, django_capture_on_commit_callbacks
):
    login_as(client, world.holder)
    response = client.post(f"/appels-a-projets/{call.pk}/deposer/", {"title": "Garde d'enfants solidaire"})
    app = Application.objects.get()
    assert response["Location"] == f"/appels-a-projets/dossiers/{app.pk}/rubriques/porteur/"
    for section in ("porteur", "projet", "partenaires", "objectifs", "activites", "budget", "pieces"):
        page = client.get(f"/appels-a-projets/dossiers/{app.pk}/rubriques/{section}/")
        assert page.status_code == 200, section
        assert 'id="controle"' in page.content.decode()
    response = _section_post(
        client,
        app,
        "porteur",
        {
            "holder_siret": "12345678901234",
            "signatory_name": "Fatou Ndiaye",
            "signatory_role": "Présidente",
            "contact_name": "Julien Morel",
            "contact_email": "julien@asso.example.org",
        },
    )
    assert response["Location"].endswith("/rubriques/projet/")
    project = {
        "title": "Garde d'enfants solidaire",
        "description": "Garde ponctuelle pour les entretiens d'embauche.",
        "theme": "childcare",
        "qpvs": [world.qpv.pk],
        "places": "Amiens Nord",
        "start_date": f"{call.year}-06-01",
        "end_date": f"{call.year}-12-15",
        "target_people": "30",
        "hr_description": "Deux auxiliaires",
        "investment_amount": "0",
        "requested_amount": "20 000",
    }
    # Live check: the typed title is checked before saving.
    panel = _section_post(client, app, "projet", project, check=True).content.decode()
    assert "non encore enregistrée" in panel
    assert _section_post(client, app, "projet", project).status_code == 302
    rows = {
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-0-title": "Garder les enfants",
        "rows-0-indicator": "Gardes réalisées",
        "rows-0-unit": "gardes",
        "rows-0-target": "120",
    }
    assert _section_post(client, app, "objectifs", rows).status_code == 302
    assert app.objectives.count() == 1
    assert (
        _section_post(
            client,
            app,
            "activites",
            {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-title": "Permanence"},
        ).status_code
        == 302
    )
    budget = {
        "amount_641": "18 000",
        "amount_645": "7000",
        "financeurs-TOTAL_FORMS": "2",
        "financeurs-INITIAL_FORMS": "0",
        "financeurs-0-line": "74etat",
        "financeurs-0-label": FUNDER,
        "financeurs-0-amount": "20000",
        "financeurs-1-line": "74dep",
        "financeurs-1-label": "Département de la Somme",
        "financeurs-1-amount": "4000",
    }
    panel = _section_post(client, app, "budget", budget, check=True).content.decode()
    assert "Budget déséquilibré" in panel and "écart de 1 000 €" in panel
    assert app.budget.count() == 0  # a check saves nothing
    budget["financeurs-1-amount"] = "5000"
    assert "Budget équilibré" in _section_post(client, app, "budget", budget, check=True).content.decode()
    assert _section_post(client, app, "budget", budget).status_code == 302
    # Submission refused while documents are missing, and why.
    response = client.post(f"/appels-a-projets/dossiers/{app.pk}/depot/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Le dossier n'a pas été déposé" in body and "Pièces manquantes" in body
    for code in ("statuts", "rib", "budget-structure"):
        upload = io.BytesIO(PDF)
        upload.name = f"{code}.pdf"
        assert (
            client.post(
                f"/appels-a-projets/dossiers/{app.pk}/rubriques/pieces/", {"kind": code, "file": upload}
            ).status_code
            == 302
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/appels-a-projets/dossiers/{app.pk}/depot/")
    assert response.status_code == 302, response.content.decode()[:3000]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    assert mail.outbox[-1].attachments[0][2] == "application/pdf"
    # After submission the sections redirect to the file.
    assert client.get(f"/appels-a-projets/dossiers/{app.pk}/rubriques/projet/").status_code == 302
    receipt = client.get(f"/appels-a-projets/dossiers/{app.pk}/versions/1/accuse-reception.pdf")
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF")


def test_the_file_page_query_count_is_pinned(client, world, call):
    app = ApplicationFactory(call=call, holder=world.asso, complete=True, filled=True)
    login_as(client, world.holder)
    client.get(f"/appels-a-projets/dossiers/{app.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/appels-a-projets/dossiers/{app.pk}/")
    assert response.status_code == 200
    for n in range(3):
        app.objectives.create(position=10 + n, title=f"O{n}", indicator="i", unit="u", target=1)
        attach(app, "autre", name=f"annexe-{n}.pdf")
    with CaptureQueriesContext(connection) as more:
        client.get(f"/appels-a-projets/dossiers/{app.pk}/")
    assert len(ctx) == len(more) == 25, [q["sql"] for q in more.captured_queries]


def test_documents_are_served_only_to_those_who_see_the_file(client, world, call):
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.UNDER_REVIEW
    )
    doc = app.documents.first()
    url = f"/appels-a-projets/dossiers/{app.pk}/pieces/{doc.pk}/"
    login_as(client, world.holder)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert (
        response["Content-Disposition"].startswith("attachment") and response["Cache-Control"] == "no-store"
    )
    assert AuditEvent.objects.filter(code="application.document_read").count() == 1
    assignment = assign(app, world.reviewer, declared=False)
    login_as(client, world.reviewer)
    assert client.get(url).status_code == 404  # not declared yet
    assignment.conflict_status = ConflictStatus.NONE
    assignment.save()
    assert client.get(url).status_code == 200
    for persona in (world.steering, world.referent_ft, world.other_coordinator):
        login_as(client, persona)
        assert client.get(url).status_code in (403, 404)


def test_coordinator_instructs_reviewer_declares_and_scores(client, world, call):
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.SUBMITTED
    )
    login_as(client, world.coordinator)
    url = f"/appels-a-projets/dossiers/{app.pk}/instruction/"
    page = client.get(url).content.decode()
    assert "Recevabilité" in page and "Aucun point bloquant" in page
    client.post(url, {"action": "admissibility", "decision": "admissible"})
    client.post(url, {"action": "assign", "reviewer": str(world.reviewer.user.pk)})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    assignment = app.assignments.get()
    login_as(client, world.reviewer)
    assert client.get(f"/appels-a-projets/instruction/{assignment.pk}/evaluation/")["Location"].endswith(
        "/declaration/"
    )
    assert client.get(f"/appels-a-projets/dossiers/{app.pk}/").status_code == 404
    response = client.post(
        f"/appels-a-projets/instruction/{assignment.pk}/declaration/", {"has_conflict": "0"}
    )
    assert response["Location"].endswith("/evaluation/")
    criteria = list(call.criteria.all())
    data = {f"score_{c.pk}": "1" for c in criteria}
    data |= {f"justification_{c.pk}": "" for c in criteria}
    response = client.post(
        f"/appels-a-projets/instruction/{assignment.pk}/evaluation/", data | {"submit": "1"}
    )
    assert "La justification est obligatoire." in response.content.decode()
    data |= {f"justification_{c.pk}": f"Motivé {c.pk}" for c in criteria}
    response = client.post(
        f"/appels-a-projets/instruction/{assignment.pk}/evaluation/", data | {"submit": "1"}
    )
    assert response["Location"] == "/appels-a-projets/instruction/"
    login_as(client, world.coordinator)
    page = client.get(url).content.decode()
    assert "1 évaluation transmise" in page and "Motivé" in page
    client.post(url, {"action": "propose"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PROPOSED


def test_steering_decides_in_session_and_letters_follow_the_lock(client, world, call):
    apps = [
        ApplicationFactory(
            call=call,
            holder=world.asso,
            complete=True,
            status=ApplicationStatus.PROPOSED,
            title=f"CITE EMPLOI-{n}",
        )
        for n in range(2)
    ]
    for app, scores in zip(apps, ({0: 3, 1: 3, 2: 3}, {0: 1, 1: 0, 2: 1}), strict=True):
        submitted_review(assign(app, world.reviewer), scores)
    login_as(client, world.steering)
    response = client.post(
        f"/appels-a-projets/{call.pk}/comites/nouveau/", {"title": "Copil", "held_on": "2024-06-20"}
    )
    session = CommitteeSession.objects.get()
    assert response["Location"] == f"/appels-a-projets/comites/{session.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert page.index(apps[0].reference) < page.index(apps[1].reference)  # ranked by score
    assert "julien.morel@asso.example.org" not in page  # steering never sees contacts
    d0, d1 = (session.decisions.get(application=a) for a in apps)
    client.post(
        f"/appels-a-projets/comites/{session.pk}/scenarios/",
        {"name": "Plein", f"amount_{apps[0].pk}": "20000", f"amount_{apps[1].pk}": "0"},
    )
    assert "Plein" in client.get(f"/appels-a-projets/comites/{session.pk}/").content.decode()
    client.post(
        f"/appels-a-projets/comites/{session.pk}/decisions/{d0.pk}/",
        {f"d{d0.pk}-outcome": "selected", f"d{d0.pk}-amount": "18000"},
    )
    client.post(
        f"/appels-a-projets/comites/{session.pk}/decisions/{d1.pk}/",
        {f"d{d1.pk}-outcome": "refused", f"d{d1.pk}-reason": "Hors thématique"},
    )
    letter = client.get(f"/appels-a-projets/comites/{session.pk}/decisions/{d0.pk}/lettre.pdf")
    assert letter.status_code == 302  # not before the lock
    client.post(f"/appels-a-projets/comites/{session.pk}/cloture/")
    session.refresh_from_db()
    assert session.locked
    assert client.get(
        f"/appels-a-projets/comites/{session.pk}/decisions/{d0.pk}/lettre.pdf"
    ).content.startswith(b"%PDF")
    assert client.get(f"/appels-a-projets/comites/{session.pk}/releve.pdf").content.startswith(b"%PDF")
    # Locked: a new decision is refused.
    client.post(
        f"/appels-a-projets/comites/{session.pk}/decisions/{d1.pk}/",
        {f"d{d1.pk}-outcome": "selected", f"d{d1.pk}-amount": "1"},
    )
    d1.refresh_from_db()
    assert d1.outcome == "refused"
    assert client.get(f"/appels-a-projets/dossiers/{apps[0].pk}/").status_code == 403


def test_agreement_payments_and_report_screens(client, world, call):
    app = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("18000"),
    )
    login_as(client, world.coordinator)
    url = f"/appels-a-projets/dossiers/{app.pk}/convention/"
    manage = url + "gestion/"
    client.post(
        manage, {"action": "create", "starts_on": f"{call.year}-06-01", "ends_on": f"{call.year}-12-15"}
    )
    client.post(manage, {"action": "sign", "signed_on": timezone.localdate().isoformat()})
    client.post(
        manage,
        {"action": "pay", "kind": "advance", "amount": "9000", "paid_on": timezone.localdate().isoformat()},
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RUNNING
    assert "Avance à la signature" in client.get(url).content.decode()
    assert client.get(f"/appels-a-projets/dossiers/{app.pk}/convention.pdf").content.startswith(b"%PDF")
    report = Report.objects.get(application=app)
    login_as(client, world.holder)
    page = client.get(f"/appels-a-projets/dossiers/{app.pk}/bilan/").content.decode()
    assert "Avant de déposer le bilan" in page and "Examen par la coordination" not in page
    data = {
        "version": report.version,
        "narrative": "Bilan",
        "qpv_residents": "28",
        "young": "10",
        "women": "15",
        "seniors": "3",
        "people_in_training_or_employment": "9",
        "coordination_hours": "42",
    }
    for r in report.objective_results.all():
        data[f"achieved_{r.pk}"] = "20"
    for r in report.activity_results.all():
        data[f"hours_{r.pk}"] = "100"
    for line in report.financial_lines.all():
        data[f"actual_{line.pk}"] = str(line.planned * 2) if line.line == "641" else str(line.planned)
    client.post(f"/appels-a-projets/dossiers/{app.pk}/bilan/", data | {"submit": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.TO_PRODUCE  # the 641 variance is not explained
    line = report.financial_lines.get(line="641")
    data["version"] = report.version
    data[f"explanation_{line.pk}"] = "Deux salariées au lieu d'une"
    client.post(f"/appels-a-projets/dossiers/{app.pk}/bilan/", data | {"submit": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    login_as(client, world.coordinator)
    client.post(f"/appels-a-projets/dossiers/{app.pk}/bilan/examen/", {"action": "validate"})
    client.post(
        manage,
        {"action": "pay", "kind": "balance", "amount": "9000", "paid_on": timezone.localdate().isoformat()},
    )
    client.post(f"/appels-a-projets/dossiers/{app.pk}/bilan/examen/", {"action": "close"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CLOSED


def test_messages_between_holder_and_instructors(client, world, call, django_capture_on_commit_callbacks):
    app = ApplicationFactory(call=call, holder=world.asso, complete=True, status=ApplicationStatus.SUBMITTED)
    login_as(client, world.holder)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/appels-a-projets/dossiers/{app.pk}/messages/", {"body": "Le RIB arrive demain."})
    assert mail.outbox[-1].to == [world.coordinator.user.email]
    assert "Le RIB" not in mail.outbox[-1].body
    login_as(client, world.coordinator)
    page = client.get(f"/appels-a-projets/dossiers/{app.pk}/messages/").content.decode()
    assert "Le RIB arrive demain." in page


def test_the_holders_space_lists_their_files_across_years_and_the_htmx_partial_matches(client, world, call):
    old_call = CallFactory(
        cite=world.cite, year=call.year - 1, status=CallStatus.ARCHIVED, with_defaults=False
    )
    mine_old = ApplicationFactory(
        call=old_call, holder=world.asso, status=ApplicationStatus.REPORT_DUE, title="Ancien"
    )
    mine = ApplicationFactory(
        call=call,
        holder=world.asso,
        status=ApplicationStatus.TO_COMPLETE,
        complete_by=timezone.localdate() + timedelta(days=5),
    )
    from tests.factories import partner_of

    ApplicationFactory(call=call, holder=partner_of(world.cite), title="Pas à moi")
    login_as(client, world.holder)
    full = client.get("/appels-a-projets/dossiers/").content.decode()
    assert mine_old.reference in full and mine.reference in full and "Pas à moi" not in full
    assert "compléments demandés" in full and "ouvrir le bilan" in full
    partial = client.get("/appels-a-projets/dossiers/", HTTP_HX_REQUEST="true").content.decode()
    start = full.index('<div id="resultats">')
    assert partial.strip() == full[start : start + len(partial.strip())].strip()
    login_as(client, world.coordinator)
    assert "Pas à moi" in client.get("/appels-a-projets/dossiers/").content.decode()


def test_exports_files_decisions_and_open_data(client, world, call):
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.PROPOSED
    )
    ctx = ctx_for(world.coordinator)
    session = committee.create_session(ctx=ctx, call=call, held_on=date(call.year, 6, 20))
    committee.save_decision(ctx=ctx, decision=session.decisions.get(), outcome="selected", amount="18000")
    committee.lock_session(ctx=ctx, session=session)
    app.refresh_from_db()
    funding.create_agreement(
        ctx=ctx, app=app, starts_on=date(call.year, 6, 1), ends_on=date(call.year, 12, 15)
    )
    login_as(client, world.steering)
    xlsx = client.get(f"/appels-a-projets/{call.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Dossiers", "Décisions"]
    files = list(book["Dossiers"].values)
    assert files[1][0] == app.reference and files[1][13] == 25000
    decisions = list(book["Décisions"].values)
    assert decisions[1][5] == "Retenu" and decisions[1][6] == 18000
    response = client.get(f"/appels-a-projets/{call.pk}/subventions.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    expected_header = (
        shared_file("format-subventions_header.csv").read_text(encoding="utf-8").strip().split(",")
    )
    assert rows[0] == expected_header
    assert rows[1] == [
        world.cite.name,
        "21800021900013",
        f"{call.year}-06-20",
        f"{call.year}-COPIL{session.pk}-01",
        world.asso.name,
        "12345678901234",
        app.title,
        "18000.00",
        "aide en numéraire",
        "échelonné",
        f"{call.year}-06-01_{call.year}-12-15",
        "",
        "non",
        "1",
    ]
    login_as(client, world.holder)
    assert client.get(f"/appels-a-projets/{call.pk}/subventions.csv").status_code == 403


def test_aggregated_figures_for_coordination_steering_and_national_only(client, world, call):
    ApplicationFactory(
        call=call,
        holder=world.asso,
        status=ApplicationStatus.SELECTED,
        requested_amount=Decimal("20000"),
        awarded_amount=Decimal("15000"),
    )
    ApplicationFactory(
        call=call, holder=world.asso, status=ApplicationStatus.REFUSED, requested_amount=Decimal("9000")
    )
    ApplicationFactory(
        call=call, holder=world.asso, status=ApplicationStatus.DRAFT, requested_amount=Decimal("1")
    )
    url = f"/appels-a-projets/{call.pk}/"
    for persona in (world.coordinator, world.steering, world.national):
        login_as(client, persona)
        body = client.get(url).content.decode()
        assert "Chiffres de l'appel" in body and "29 000 €" in body and "15 000 € (reste 85 000 €)" in body
    for persona in (world.holder, world.referent_ft):
        login_as(client, persona)
        assert "Chiffres de l" not in client.get(url).content.decode()
    client.logout()
    assert "Chiffres de l" not in client.get(url).content.decode()
