"""API of the indicators and the quarterly questionnaire."""

from datetime import date

import pytest

from citemploi.people.enums import ReperageChannel
from citemploi.reporting.models import QuarterlyReport
from tests.api.conftest import ApiClient, make_token
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as():
    from django.test import Client

    return lambda membership: ApiClient(Client(), make_token(membership))


@pytest.fixture
def identified(world):
    for _ in range(3):
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=date(2026, 2, 1),
            reperage_channel=ReperageChannel.FORUM,
        )
    return world


def _indicator(body, code):
    return next(i for i in body["indicators"] if i["code"] == code)


def test_coordinator_gets_exact_indicators(api_as, identified):
    response = api_as(identified.coordinator).get(
        "/reporting/indicators", {"start": "2026-01-01", "end": "2026-03-31", "cut": "gender"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["protected"] is False
    people = _indicator(body, "people.identified")
    # 3 people at a forum in the quarter
    assert people["total"] == 3
    assert next(r for r in people["rows"] if r["key"] == "forum")["total"] == 3


def test_steering_gets_secret_as_null_and_national_gets_all_cites(api_as, identified):
    body = (
        api_as(identified.steering)
        .get("/reporting/indicators", {"start": "2026-01-01", "end": "2026-03-31"})
        .json()
    )
    assert body["protected"] is True
    forum = next(r for r in _indicator(body, "people.identified")["rows"] if r["key"] == "forum")
    assert forum["values"]["all"] is None
    national = api_as(identified.national).get(
        "/reporting/indicators", {"start": "2026-01-01", "end": "2026-03-31", "cut": "cite"}
    )
    assert national.status_code == 200
    assert national.json()["cite"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-01-01"}, "La date de début doit précéder la date de fin."),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "La période ne peut pas dépasser cinq ans."),
        ({"start": "2026-01-01", "end": "2026-01-31", "cut": "cite"}, "réservée à l'animation nationale"),
    ],
)
def test_bad_periods_are_explained_in_french(api_as, world, params, message):
    response = api_as(world.coordinator).get("/reporting/indicators", params)
    assert response.status_code == 422
    assert message in str(response.json())


def test_referent_is_refused(api_as, world):
    response = api_as(world.referent_ft).get(
        "/reporting/indicators", {"start": "2026-01-01", "end": "2026-01-31"}
    )
    assert response.status_code == 403


def test_questionnaire_open_adjust_validate(api_as, identified):
    api = api_as(identified.coordinator)
    opened = api.post("/reporting/questionnaires", {"year": 2026, "quarter": 1})
    assert opened.status_code == 201
    report = opened.json()
    item = next(i for i in report["items"] if i["key"] == "people.identified:forum")
    assert (item["computed"], item["value"]) == (3, 3)
    path = f"/reporting/questionnaires/{report['id']}"
    no_comment = api.post(f"{path}/values", {"key": item["key"], "value": 4, "comment": " ", "version": 1})
    assert no_comment.status_code == 422
    adjusted = api.post(
        f"{path}/values",
        {"key": item["key"], "value": 4, "comment": "Une fiche saisie en avril", "version": 1},
    )
    assert adjusted.status_code == 200
    assert adjusted.json()["version"] == 2
    stale = api.post(f"{path}/validate", {"version": 1})
    assert stale.status_code == 409
    validated = api.post(f"{path}/validate", {"version": 2})
    assert validated.json()["state"] == "validated"
    again = api.post(f"{path}/values", {"key": item["key"], "value": 5, "comment": "encore", "version": 3})
    assert again.status_code == 422
    assert "validé" in str(again.json())
    # The national animator sees the validated questionnaire in aggregate only.
    national = api_as(identified.national)
    assert national.get(path).status_code == 404
    aggregates = national.get("/reporting/questionnaires").json()["aggregates"]
    assert aggregates[0]["cites"] == 1
    row = next(r for r in aggregates[0]["rows"] if r["key"] == "people.identified:forum")
    # 4 people in one cité: under the threshold, secret
    assert row["value"] is None
    assert QuarterlyReport.objects.get().validated_by_label
