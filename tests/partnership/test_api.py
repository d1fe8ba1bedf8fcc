"""The REST API of events and committees, per role."""

from datetime import date

import pytest
from django.test import Client

from citemploi.core.policy import Role, is_allowed
from citemploi.partnership.models import Event, Participation
from tests.api.conftest import ApiClient, make_token
from tests.factories import BeneficiaryFactory
from tests.partnership.factories import CommitteeFactory, EventFactory, MeetingFactory, attended, seat

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]


@pytest.fixture
def api_as():
    def _api_as(membership) -> ApiClient:
        return ApiClient(Client(), make_token(membership))

    return _api_as


@pytest.fixture
def people(world):
    awa = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Awa",
        last_name="Diallo",
        gender="F",
        birth_date=date(2001, 2, 3),
        qpv=world.qpv,
    )
    karim = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Karim",
        last_name="Benali",
        gender="M",
        birth_date=date(1985, 1, 1),
    )
    return awa, karim


@pytest.fixture
def cafe(world, people):
    event = EventFactory(
        cite=world.cite,
        organised_by=world.ft,
        partnered_by=[world.ml],
        counted_total=8,
        counted_women=3,
        qpv=world.qpv,
    )
    for person in people:
        attended(event, person)
    return event


@pytest.mark.parametrize("role", ROLES)
def test_events_list_per_role(world, api_as, cafe, role):
    response = api_as(world.personas()[role]).get("/events")
    if is_allowed(role, "event.view"):
        assert response.status_code == 200
        [event] = response.json()["results"]
        assert event["id"] == cafe.pk and event["qpv"]["code"] == "QN08003M"
        assert event["participants"]["counted"]["total"] == 8
        assert event["participants"]["named"]["total"] == 2
        assert event["participants"]["total"] == {"total": 10, "young": 1, "women": 4, "seniors": 0, "qpv": 1}
        assert [o["id"] for o in event["organisers"]] == [world.ft.pk]
        assert [p["id"] for p in event["partners"]] == [world.ml.pk]
    else:
        assert response.status_code == 403


def test_events_filters(world, api_as, cafe):
    EventFactory(cite=world.cite, organised_by=world.asso, forum=True, date=date(2024, 9, 1))
    client = api_as(world.steering)
    assert [e["kind"] for e in client.get("/events", {"kind": "forum"}).json()["results"]] == ["forum"]
    assert [e["id"] for e in client.get("/events", {"qpv": "qn08003m"}).json()["results"]] == [cafe.pk]
    assert client.get("/events", {"date_from": "2024-06-01"}).json()["count"] == 1
    assert client.get("/events", {"structure": world.ml.pk}).json()["count"] == 1
    assert client.get("/events", {"qpv": "QN99999X"}).status_code == 422


def test_an_event_of_another_cite_is_not_found(world, api_as):
    elsewhere = EventFactory(cite=world.other_cite, organised_by=world.other_structure)
    assert api_as(world.coordinator).get(f"/events/{elsewhere.pk}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(world, api_as, role):
    response = api_as(world.personas()[role]).post(
        "/events",
        {
            "kind": "job_dating",
            "title": "Job dating",
            "date": "2024-04-04",
            "organisers": [world.ft.pk],
            "counted_total": 20,
            "hours_delivered": 3.5,
        },
    )
    if is_allowed(role, "event.record"):
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["hours_delivered"] == 3.5 and body["participants"]["total"]["total"] == 20
    else:
        assert response.status_code == 403
        assert not Event.objects.exists()


def test_a_referent_creates_for_their_structure_without_naming_it(world, api_as):
    response = api_as(world.referent_ml).post(
        "/events", {"kind": "workshop", "title": "Atelier CV", "date": "2024-04-04", "qpv": "QN08003M"}
    )
    assert response.status_code == 201
    assert [o["id"] for o in response.json()["organisers"]] == [world.ml.pk]


def test_invalid_events_are_refused_with_french_messages(world, api_as):
    client = api_as(world.coordinator)
    response = client.post(
        "/events",
        {
            "kind": "forum",
            "title": "Forum",
            "date": "2024-04-04",
            "organisers": [world.ft.pk],
            "counted_total": 5,
            "counted_women": 9,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "counted_women"]
    assert "ne peut pas dépasser" in response.json()["errors"][0]["msg"]
    unknown = client.post(
        "/events",
        {"kind": "forum", "title": "Forum", "date": "2024-04-04", "organisers": [world.other_structure.pk]},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "organisers"]
    missing = client.post("/events", {"kind": "forum", "title": "Forum", "date": "2024-04-04"})
    assert missing.status_code == 422  # the coordination names the organiser
    assert not Event.objects.exists()


def test_update_with_version_and_conflict(world, api_as, cafe):
    client = api_as(world.coordinator)
    ok = client.patch(f"/events/{cafe.pk}", {"version": 1, "hooked_count": 4, "partners": [world.asso.pk]})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["hooked_count"] == 4
    assert [p["id"] for p in ok.json()["partners"]] == [world.asso.pk]
    stale = client.patch(f"/events/{cafe.pk}", {"version": 1, "hooked_count": 5})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


def test_a_referent_cannot_update_an_event_of_other_structures(world, api_as):
    ml_event = EventFactory(cite=world.cite, organised_by=world.ml)
    response = api_as(world.referent_ft).patch(f"/events/{ml_event.pk}", {"version": 1, "title": "X"})
    assert response.status_code == 404


def test_participants_show_only_visible_people(world, api_as, cafe, people):
    awa, _ = people
    body = api_as(world.referent_ft).get(f"/events/{cafe.pk}/participants").json()
    assert [p["beneficiary"]["id"] for p in body["results"]] == [awa.pk] and body["others"] == 1
    assert body["results"][0]["age_band"] == "jeunes"
    assert api_as(world.steering).get(f"/events/{cafe.pk}/participants").status_code == 403
    assert len(api_as(world.coordinator).get(f"/events/{cafe.pk}/participants").json()["results"]) == 2


def test_add_and_remove_participants(world, api_as, people):
    awa, karim = people
    event = EventFactory(cite=world.cite, organised_by=world.ft)
    client = api_as(world.referent_ft)
    assert client.post(f"/events/{event.pk}/participants", {"beneficiary": karim.pk}).status_code == 404
    created = client.post(f"/events/{event.pk}/participants", {"beneficiary": awa.pk})
    assert created.status_code == 201
    again = client.post(f"/events/{event.pk}/participants", {"beneficiary": awa.pk})
    assert again.status_code == 422
    hidden = attended(event, karim)
    assert client.delete(f"/events/{event.pk}/participants/{hidden.pk}").status_code == 404
    assert client.delete(f"/events/{event.pk}/participants/{created.json()['id']}").status_code == 204
    assert list(Participation.objects.filter(event=event)) == [hidden]


@pytest.mark.parametrize("role", ROLES)
def test_committees_per_role(world, api_as, role):
    committee = CommitteeFactory(cite=world.cite, name="Copil")
    seat(committee, world.ft, full_name="Sophie Lemaire", function="Directrice", role="chair")
    meeting = MeetingFactory(committee=committee)
    meeting.decisions.create(position=1, text="Lancer l'AAP")
    client = api_as(world.personas()[role])
    listed = client.get("/committees")
    read = client.get(f"/committees/{committee.pk}")
    meetings = client.get(f"/committees/{committee.pk}/meetings")
    if is_allowed(role, "governance.view"):
        assert listed.status_code == read.status_code == meetings.status_code == 200
        assert read.json()["members"] == [
            {
                "name": "Sophie Lemaire",
                "structure": {"id": world.ft.pk, "name": world.ft.name},
                "function": "Directrice",
                "role": "chair",
            }
        ]
        assert meetings.json()["results"][0]["decisions"] == ["Lancer l'AAP"]
    else:
        assert listed.status_code == read.status_code == meetings.status_code == 403


def test_operations_declare_their_policy_action(client):
    schema = client.get("/api/v1/openapi.json").json()
    actions = {
        operation["operationId"]: operation["x-citemploi-action"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if operation["operationId"].startswith(("events_", "event_participants_", "committee"))
    }
    assert actions["events_create"] == "event.record"
    assert actions["event_participants_list"] == "event.participants"
    assert actions["committees_list"] == "governance.view"
