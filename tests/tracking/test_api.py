from datetime import timedelta

import pytest
from django.utils import timezone

from citemploi.tracking import services
from citemploi.tracking.models import JournalEntry
from tests.tracking.helpers import job_outcome, person_of


@pytest.fixture
def person(world):
    return person_of(world)


def test_journal_create_warns_on_sensitive_text_then_accepts_confirmation(api_as, world, person):
    api = api_as(world.referent_ft)
    body = {
        "kind": "phone",
        "occurred_on": "2026-01-05",
        "text": "Elle est enceinte de 5 mois",
        "private_note": "à revoir",
    }
    response = api.post(f"/beneficiaries/{person.pk}/journal", body)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (
        error["type"] == "sensitive_data" and error["loc"] == ["body", "text"] and "grossesse" in error["msg"]
    )
    assert JournalEntry.objects.count() == 0
    response = api.post(f"/beneficiaries/{person.pk}/journal", body | {"confirm_sensitive": True})
    assert response.status_code == 201
    assert response.json()["private_note"] == "à revoir"
    listed = api.get(f"/beneficiaries/{person.pk}/journal").json()
    assert listed["count"] == 1 and listed["results"][0]["kind"] == "phone"


def test_journal_errors_are_french_4xx(api_as, world, person):
    api = api_as(world.referent_ft)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api.post(
        f"/beneficiaries/{person.pk}/journal", {"kind": "phone", "occurred_on": future, "text": "x"}
    )
    assert response.status_code == 422 and "futur" in response.json()["errors"][0]["msg"]
    response = api.post(
        f"/beneficiaries/{person.pk}/journal",
        {"kind": "phone", "occurred_on": "2026-01-01", "text": "x", "corrects_id": 999},
    )
    assert response.status_code == 422 and "n'existe pas" in response.json()["errors"][0]["msg"]
    assert api_as(world.referent_ml).get(f"/beneficiaries/{person.pk}/journal").status_code == 404
    assert api_as(world.steering).get(f"/beneficiaries/{person.pk}/journal").status_code == 403


def test_outcomes_and_checks(api_as, world, person):
    today = timezone.localdate()
    api = api_as(world.referent_ft)
    day = services.add_months(today, -7)
    response = api.post(
        f"/beneficiaries/{person.pk}/outcomes",
        {
            "type": "transition_job",
            "outcome_on": day.isoformat(),
            "contract_type": "cdd",
            "contract_months": 4,
        },
    )
    assert response.status_code == 201
    checks = response.json()["checks"]
    assert [(c["months"], c["due_on"]) for c in checks] == [
        (m, services.add_months(day, m).isoformat()) for m in (3, 6, 12)
    ]
    due = api.get("/followup-checks/due").json()
    assert due["count"] == 2 and due["results"][0]["beneficiary"]["id"] == person.pk
    response = api.post(f"/followup-checks/{checks[1]['id']}", {"situation": "job_seeking"})
    assert response.status_code == 200 and response.json()["still_in_job_or_training"] is False
    response = api.post(f"/followup-checks/{checks[1]['id']}", {"situation": "same_job"})
    assert response.status_code == 422 and "déjà enregistré" in response.json()["errors"][0]["msg"]
    response = api.post(f"/followup-checks/{checks[2]['id']}", {"situation": "same_job"})
    assert response.status_code == 422
    assert api.get("/followup-checks/due").json()["count"] == 1
    listed = api.get(f"/beneficiaries/{person.pk}/outcomes").json()
    assert listed[0]["type"] == "transition_job"


def test_outcome_validation_and_scope(api_as, world, person):
    api = api_as(world.referent_ft)
    response = api.post(
        f"/beneficiaries/{person.pk}/outcomes",
        {"type": "sustainable_job", "outcome_on": "2026-01-05", "contract_type": "cdd", "contract_months": 2},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "contract_months"]
    outcome = job_outcome(world, person, services.add_months(timezone.localdate(), -7))
    other = api_as(world.other_referent)
    assert (
        other.post(f"/followup-checks/{outcome.checks.first().pk}", {"situation": "same_job"}).status_code
        == 404
    )
    assert other.get("/followup-checks/due").json()["count"] == 0
    ml = api_as(world.referent_ml)
    assert (
        ml.post(
            f"/beneficiaries/{person.pk}/outcomes", {"type": "no_solution", "outcome_on": "2026-01-05"}
        ).status_code
        == 404
    )
