"""The agreement through the API: the coordination prepares it for a selected file, then records its
signature. Refusals are French 4xx; illegal states are 409; nothing is written on a refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from citemploi.calls.enums import ApplicationStatus, ReportStatus
from citemploi.calls.models import Agreement, FundedActionLink, Report
from citemploi.core.models import AuditEvent
from tests.api.conftest import ApiClient, make_token
from tests.calls.factories import ApplicationFactory, CallFactory


@pytest.fixture
def api_as():
    def _api_as(membership):
        return ApiClient(Client(), make_token(membership))

    return _api_as


@pytest.fixture
def selected(world):
    call = CallFactory(cite=world.cite)
    return ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("10000"),
    )


def _dates(app):
    return {"starts_on": f"{app.call.year}-01-01", "ends_on": f"{app.call.year}-12-31"}


def test_the_coordination_prepares_the_agreement_once(world, api_as, selected):
    client = api_as(world.coordinator)
    url = f"/applications/{selected.pk}/agreement"
    backwards = client.post(
        url, {"starts_on": f"{selected.call.year}-06-01", "ends_on": f"{selected.call.year}-05-31"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"] == [
        {"loc": ["body", "ends_on"], "msg": "La fin de l'action précède son début.", "type": "invalid"}
    ]
    assert client.post(url, {"starts_on": "2026-13-01", "ends_on": "2026-12-31"}).status_code == 422
    assert not Agreement.objects.filter(application=selected).exists()

    created = client.post(url, _dates(selected))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == f"{selected.reference}-CONV" and body["amount"] == "10000.00"
    assert (body["starts_on"], body["ends_on"], body["signed_on"]) == (
        f"{selected.call.year}-01-01",
        f"{selected.call.year}-12-31",
        None,
    )
    advance = Decimal(10000) * selected.call.advance_percent / 100
    assert [(i["kind"], Decimal(i["amount"])) for i in body["installments"]] == [
        ("advance", advance),
        ("balance", Decimal(10000) - advance),
    ]
    assert body["payments"] == [] and body["service_id"] is None
    assert client.get(url).json()["number"] == body["number"]

    again = client.post(url, _dates(selected))
    assert again.status_code == 409 and again.json()["detail"] == "Ce dossier a déjà une convention."
    assert Agreement.objects.filter(application=selected).count() == 1
    assert AuditEvent.objects.filter(code="agreement.create", actor=world.coordinator.user).count() == 1


def test_only_a_selected_file_gets_an_agreement(world, api_as, selected):
    selected.status = ApplicationStatus.UNDER_REVIEW
    selected.save(update_fields=["status"])
    refused = api_as(world.coordinator).post(f"/applications/{selected.pk}/agreement", _dates(selected))
    assert refused.status_code == 409 and "retenu" in refused.json()["detail"]
    assert not Agreement.objects.filter(application=selected).exists()


def test_the_coordination_records_the_signature_once(world, api_as, selected):
    client = api_as(world.coordinator)
    sign = f"/applications/{selected.pk}/agreement/sign"
    today = timezone.localdate()
    assert client.post(sign, {"signed_on": today.isoformat()}).status_code == 404  # no agreement yet
    assert client.post(f"/applications/{selected.pk}/agreement", _dates(selected)).status_code == 201

    future = client.post(sign, {"signed_on": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.json()["errors"][0]["loc"] == ["body", "signed_on"]
    assert Agreement.objects.get(application=selected).signed_on is None

    signed = client.post(sign, {"signed_on": today.isoformat()})
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert body["signed_on"] == today.isoformat()
    link = FundedActionLink.objects.get(application=selected)
    assert (body["service_id"], body["roadmap_action_id"]) == (link.service_id, link.roadmap_action_id)
    assert body["service_id"] is not None and body["roadmap_action_id"] is not None
    selected.refresh_from_db()
    assert selected.status == ApplicationStatus.AGREEMENT_SIGNED
    assert Report.objects.get(application=selected).status == ReportStatus.TO_PRODUCE

    again = client.post(sign, {"signed_on": today.isoformat()})
    assert again.status_code == 409 and "déjà signée" in again.json()["detail"]
    assert Report.objects.filter(application=selected).count() == 1
    assert AuditEvent.objects.filter(code="agreement.sign", actor=world.coordinator.user).count() == 1


def test_holders_reviewers_and_other_cites_do_not_manage_agreements(world, api_as, selected):
    url = f"/applications/{selected.pk}/agreement"
    today = {"signed_on": timezone.localdate().isoformat()}
    # The holder reads its agreement but neither prepares nor signs it.
    assert api_as(world.holder).post(url, _dates(selected)).status_code == 403
    assert api_as(world.reviewer).post(url, _dates(selected)).status_code == 403
    assert api_as(world.steering).post(url, _dates(selected)).status_code == 403
    # Another cité's coordination does not even see the file.
    assert api_as(world.other_coordinator).post(url, _dates(selected)).status_code == 404
    assert not Agreement.objects.filter(application=selected).exists()

    assert api_as(world.coordinator).post(url, _dates(selected)).status_code == 201
    assert api_as(world.holder).post(f"{url}/sign", today).status_code == 403
    assert api_as(world.other_coordinator).post(f"{url}/sign", today).status_code == 404
    assert Agreement.objects.get(application=selected).signed_on is None
    assert api_as(world.holder).get(url).json()["signed_on"] is None


def test_the_operations_are_documented_with_their_policy_action():
    from citemploi.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    create = paths["/api/v1/applications/{application_id}/agreement"]["post"]
    sign = paths["/api/v1/applications/{application_id}/agreement/sign"]["post"]
    assert create["operationId"] == "applications_agreement_create" and create["x-citemploi-action"] == (
        "agreement.manage"
    )
    assert sign["operationId"] == "applications_agreement_sign" and sign["x-citemploi-action"] == (
        "agreement.manage"
    )
    assert set(create["responses"]) >= {201, 409, 422} and set(sign["responses"]) >= {200, 409}
    assert "convention" in create["summary"] and "signature" in sign["summary"]
