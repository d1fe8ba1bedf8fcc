"""Consents: list, record, withdraw, per role; withdrawing the consent to sharing stops the follow-up group's
access through the API at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role, is_allowed

ROLES = [r.value for r in Role]


def _sharing(person):
    return person.consents.get(scope="sharing")


@pytest.mark.parametrize("role", ROLES)
def test_list_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).get(f"/beneficiaries/{followed.pk}/consents")
    if is_allowed(role, "beneficiary.view"):
        assert response.status_code == 200
        assert [(c["scope"], c["active"]) for c in response.json()] == [("sharing", True)]
        assert AuditEvent.objects.filter(code="beneficiary.read", beneficiary_id=followed.pk).count() == 1
    else:
        assert response.status_code == 403


def test_list_of_a_person_out_of_reach_is_not_found(world, api_as, unshared):
    assert api_as(world.referent_ml).get(f"/beneficiaries/{unshared.pk}/consents").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_record_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).post(
        f"/beneficiaries/{followed.pk}/consents",
        {"scope": "commission", "method": "oral", "given_on": "2024-05-02"},
    )
    if is_allowed(role, "beneficiary.consent"):
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["scope"], body["given_on"], body["active"]) == ("commission", "2024-05-02", True)
        assert body["recorded_by"] == str(world.personas()[role].user)
        assert AuditEvent.objects.get(code="consent.record").via == "api"
    else:
        assert response.status_code == 403
        assert not followed.consents.filter(scope="commission").exists()


def test_a_followup_group_member_cannot_record_consents(world, api_as, followed):
    response = api_as(world.referent_ml).post(
        f"/beneficiaries/{followed.pk}/consents",
        {"scope": "commission", "method": "oral", "given_on": "2024-05-02"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"scope": "marketing", "method": "oral", "given_on": "2024-05-02"}, ["body", "scope"]),
        ({"scope": "sharing", "method": "oral", "given_on": "2024-02-30"}, ["body", "given_on"]),
        ({"scope": "sharing", "method": "oral"}, ["body", "given_on"]),
    ],
)
def test_record_refuses_bad_values(world, api_as, followed, payload, loc):
    response = api_as(world.referent_ft).post(f"/beneficiaries/{followed.pk}/consents", payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == loc


def test_record_refuses_a_date_in_the_future(world, api_as, followed):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_as(world.referent_ft).post(
        f"/beneficiaries/{followed.pk}/consents", {"scope": "sharing", "method": "oral", "given_on": tomorrow}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "La date ne peut pas être dans le futur."


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_allowed_and_denied_per_role(world, api_as, followed, role):
    consent = _sharing(followed)
    response = api_as(world.personas()[role]).post(
        f"/beneficiaries/{followed.pk}/consents/{consent.pk}/withdraw"
    )
    consent.refresh_from_db()
    if is_allowed(role, "beneficiary.consent"):
        assert response.status_code == 200, response.json()
        assert response.json()["active"] is False
        assert consent.withdrawn_on == timezone.localdate()
        assert AuditEvent.objects.get(code="consent.withdraw").via == "api"
    else:
        assert response.status_code == 403
        assert consent.withdrawn_on is None


def test_withdrawal_stops_the_followup_group_access_through_the_api(world, api_as, followed):
    ml = api_as(world.referent_ml)
    assert ml.get(f"/beneficiaries/{followed.pk}").status_code == 200
    assert [b["id"] for b in ml.get("/beneficiaries").json()["results"]] == [followed.pk]
    consent = _sharing(followed)
    response = api_as(world.referent_ft).post(
        f"/beneficiaries/{followed.pk}/consents/{consent.pk}/withdraw", {"withdrawn_on": "2024-06-01"}
    )
    assert response.status_code == 200
    assert response.json()["withdrawn_on"] == "2024-06-01"
    assert ml.get(f"/beneficiaries/{followed.pk}").status_code == 404
    assert ml.get(f"/beneficiaries/{followed.pk}/consents").status_code == 404
    assert ml.get(f"/beneficiaries/{followed.pk}/followup").status_code == 404
    assert ml.get("/beneficiaries").json()["results"] == []


def test_withdraw_twice_or_before_the_consent_is_refused(world, api_as, followed):
    client = api_as(world.referent_ft)
    consent = _sharing(followed)
    early = client.post(
        f"/beneficiaries/{followed.pk}/consents/{consent.pk}/withdraw", {"withdrawn_on": "2020-01-01"}
    )
    assert early.status_code == 422
    assert early.json()["errors"][0]["msg"] == "Le retrait ne peut pas précéder le consentement."
    assert client.post(f"/beneficiaries/{followed.pk}/consents/{consent.pk}/withdraw").status_code == 200
    again = client.post(f"/beneficiaries/{followed.pk}/consents/{consent.pk}/withdraw")
    assert again.status_code == 422
    assert again.json()["errors"][0]["msg"] == "Ce consentement est déjà retiré."


def test_a_consent_of_another_person_is_not_found(world, api_as, followed, unshared):
    consent = _sharing(followed)
    response = api_as(world.referent_ft).post(f"/beneficiaries/{unshared.pk}/consents/{consent.pk}/withdraw")
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
