from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citemploi.tracking import services
from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome, TrackingSettings
from tests.conftest import login_as
from tests.tracking.helpers import entry, job_outcome, person_of


@pytest.fixture
def person(world):
    return person_of(world)


def test_journal_entry_with_sensitive_text_warns_then_saves_on_confirmation(client, world, person):
    login_as(client, world.referent_ft)
    url = f"/suivi/personnes/{person.pk}/journal/nouvelle-entree/"
    assert client.get(url).status_code == 200
    data = {
        "kind": "visit",
        "occurred_on": "2026-01-10",
        "text": "Il sort de prison le mois prochain",
        "private_note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        'id="donnees-sensibles"' in content and "justice" in content and "Confirmer et enregistrer" in content
    )
    assert JournalEntry.objects.count() == 0
    # Rewritten without the detail: saved at once.
    response = client.post(url, data | {"text": "Disponible à partir du mois prochain"})
    assert response.status_code == 302
    # Confirmed: saved despite the warning.
    response = client.post(url, data | {"confirm_sensitive": "1"})
    assert response.status_code == 302 and response["Location"] == f"/suivi/personnes/{person.pk}/journal/"
    assert JournalEntry.objects.filter(sensitive_confirmed=True).count() == 1


def test_form_errors_are_shown_in_french(client, world, person):
    login_as(client, world.referent_ft)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/suivi/personnes/{person.pk}/journal/nouvelle-entree/",
        {"kind": "phone", "occurred_on": future, "text": "Appel"},
    )
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert JournalEntry.objects.count() == 0


def test_author_edits_others_are_sent_back_and_may_correct(client, world, person):
    mine = entry(world, person, text="Appel du lundi")
    login_as(client, world.coordinator)
    url = f"/suivi/personnes/{person.pk}/journal/{mine.pk}/modifier/"
    response = client.get(url)
    assert response.status_code == 302
    response = client.post(
        f"/suivi/personnes/{person.pk}/journal/nouvelle-entree/?corrige={mine.pk}",
        {"kind": "phone", "occurred_on": "2026-01-06", "text": "L'appel était le mardi", "corrects": mine.pk},
    )
    assert response.status_code == 302
    assert JournalEntry.objects.get(corrects=mine).author == world.coordinator.user
    login_as(client, world.referent_ft)
    response = client.post(
        url, {"kind": "phone", "occurred_on": "2026-01-05", "text": "Appel du lundi matin", "version": 1}
    )
    assert response.status_code == 302
    response = client.post(
        url, {"kind": "phone", "occurred_on": "2026-01-05", "text": "Encore", "version": 1}
    )
    assert "modifiée depuis que vous l" in response.content.decode()
    assert JournalEntry.objects.get(pk=mine.pk).text == "Appel du lundi matin"


def test_journal_is_paginated_and_exported(client, world, person):
    for n in range(30):
        entry(world, person, text=f"Entrée {n}", occurred_on=date(2025, 1, 1) + timedelta(days=n))
    login_as(client, world.referent_ft)
    response = client.get(f"/suivi/personnes/{person.pk}/journal/")
    assert len(response.context["rows"]) == 25 and "Entrée 29" in response.content.decode()
    partial = client.get(f"/suivi/personnes/{person.pk}/journal/?page=2", headers={"HX-Request": "true"})
    assert "Entrée 0" in partial.content.decode() and "<html" not in partial.content.decode()
    csv = client.get(f"/suivi/personnes/{person.pk}/journal.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("Entrée ") == 30
    assert client.get(f"/suivi/personnes/{person.pk}/journal.pdf").status_code == 404


def test_outcome_screen_creates_checks_and_records_the_due_one(client, world, person):
    today = timezone.localdate()
    login_as(client, world.referent_ft)
    day = services.add_months(today, -7)
    response = client.post(
        f"/suivi/personnes/{person.pk}/sorties/nouvelle/",
        {
            "type": "sustainable_job",
            "outcome_on": day.isoformat(),
            "employer": "Auchan",
            "contract_type": "cdi",
            "weekly_hours": "35",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.recorded_by == world.referent_ft.user and outcome.recorded_by_structure == world.ft
    page = client.get(f"/suivi/personnes/{person.pk}/sorties/").content.decode()
    assert page.count("Enregistrer le point à") == 2  # 3 and 6 months; 12 months not due yet
    six = outcome.checks.get(months=6)
    response = client.post(
        f"/suivi/points-de-suivi/{six.pk}/",
        {"recorded_on": today.isoformat(), "situation": "same_job", "comment": ""},
    )
    assert response.status_code == 302
    six.refresh_from_db()
    assert six.still_in_job_or_training is True and six.recorded_by == world.referent_ft.user
    # Not due yet: sent back with a message.
    twelve = outcome.checks.get(months=12)
    assert client.get(f"/suivi/points-de-suivi/{twelve.pk}/").status_code == 302
    due = client.get("/suivi/points-de-suivi/")
    assert [c.months for c in due.context["checks"]] == [3]


def test_outcome_form_refuses_inconsistent_contract(client, world, person):
    login_as(client, world.referent_ft)
    response = client.post(
        f"/suivi/personnes/{person.pk}/sorties/nouvelle/",
        {"type": "transition_job", "outcome_on": "2026-01-05", "contract_type": "cdi"},
    )
    assert response.status_code == 200 and "Un CDI est un emploi durable" in response.content.decode()
    assert Outcome.objects.count() == 0 and FollowUpCheck.objects.count() == 0


def test_check_of_another_structure_is_not_found(client, world, person):
    outcome = job_outcome(world, person, services.add_months(timezone.localdate(), -7))
    login_as(client, world.referent_ml)
    assert client.get(f"/suivi/points-de-suivi/{outcome.checks.first().pk}/").status_code == 404


def test_file_panel_shows_journal_outcomes_and_check_links_with_constant_queries(client, world, person):
    today = timezone.localdate()
    entry(world, person, text="Premier contact")
    job_outcome(world, person, services.add_months(today, -7))
    login_as(client, world.referent_ft)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/personnes/{person.pk}/")
        return len(captured), response.content.decode()

    count()  # warm-up: the first request of a session fills caches
    few, content = count()
    assert "Journal du parcours" in content and "Premier contact" in content
    assert "Enregistrer le point à 3 mois" in content and "Enregistrer le point à 6 mois" in content
    for n in range(10):
        entry(world, person, text=f"Contact {n}")
        job_outcome(world, person, services.add_months(today, -2 - n))
    many, content = count()
    assert many == few


def test_panel_is_hidden_from_roles_without_journal(world, person):
    from citemploi.tracking.panels import build
    from tests.factories import ctx_for

    assert build(ctx_for(world.partner_member_ft), person) is None
    assert build(ctx_for(world.coordinator), person)["can_record"] is True


def test_settings_screen(client, world):
    login_as(client, world.coordinator)
    response = client.get("/suivi/parametres/")
    assert response.status_code == 200 and TrackingSettings.objects.filter(cite=world.cite).exists()
    response = client.post("/suivi/parametres/", {"days_without_contact": "3", "version": "1"})
    assert (
        "Entre 7 et 365" in response.content.decode()
        or "supérieure ou égale à 7" in response.content.decode()
    )
    response = client.post("/suivi/parametres/", {"days_without_contact": "45", "version": "1"})
    assert response.status_code == 302
    assert TrackingSettings.objects.get(cite=world.cite).days_without_contact == 45
    response = client.post("/suivi/parametres/", {"days_without_contact": "60", "version": "1"})
    assert "modifiés par quelqu" in response.content.decode()
