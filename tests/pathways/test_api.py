from datetime import timedelta

import pytest
from django.utils import timezone

from citemploi.pathways.models import BarrierRecord, HandOver
from tests.factories import BeneficiaryFactory
from tests.pathways.helpers import barrier, followed_by_ft, objective


@pytest.fixture
def person(world):
    return followed_by_ft(world)


def test_list_and_create_barriers_with_french_errors(world, person, api_as):
    api = api_as(world.referent_ft)
    created = api.post(
        f"/beneficiaries/{person.pk}/barriers",
        {"barrier": "mobilite", "situation": "ce-mob-permis", "severity": "high"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["barrier"] == {"code": "mobilite", "label": "Mobilité"}
    assert body["situation"]["code"] == "ce-mob-permis"
    assert body["state"] == "identified"
    assert body["identified_by_structure"]["id"] == world.ft.pk
    listed = api.get(f"/beneficiaries/{person.pk}/barriers").json()
    assert [b["id"] for b in listed] == [body["id"]]

    wrong = api.post(
        f"/beneficiaries/{person.pk}/barriers", {"barrier": "mobilite", "situation": "ce-log-sans"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["msg"] == "Situation inconnue ou inactive pour ce frein."
    twice = api.post(
        f"/beneficiaries/{person.pk}/barriers", {"barrier": "mobilite", "situation": "ce-mob-permis"}
    )
    assert twice.status_code == 422
    assert "déjà ouvert" in twice.json()["errors"][0]["msg"]
    unknown = api.post(f"/beneficiaries/{person.pk}/barriers", {"barrier": "voler"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "Données invalides : corrigez les champs indiqués."


def test_sensitive_barriers_are_hidden_from_the_coordination_and_refused_to_it(world, person, api_as):
    barrier(world, person, code="sante-handicap")
    barrier(world, person, code="logement")
    coordinator = api_as(world.coordinator)
    listed = coordinator.get(f"/beneficiaries/{person.pk}/barriers").json()
    assert [b["barrier"]["code"] for b in listed] == ["logement"]
    refused = coordinator.post(f"/beneficiaries/{person.pk}/barriers", {"barrier": "sante-handicap"})
    assert refused.status_code == 403
    assert "référent·e responsable" in refused.json()["detail"]
    sensitive_id = BarrierRecord.objects.get(barrier="sante-handicap").pk
    hidden = coordinator.post(
        f"/beneficiaries/{person.pk}/barriers/{sensitive_id}/state", {"state": "lifted"}
    )
    assert hidden.status_code == 404
    own = api_as(world.referent_ft).get(f"/beneficiaries/{person.pk}/barriers").json()
    assert sorted(b["barrier"]["code"] for b in own) == ["logement", "sante-handicap"]


def test_other_cite_and_aggregate_roles_get_nothing(world, person, api_as):
    barrier(world, person)
    assert api_as(world.other_referent).get(f"/beneficiaries/{person.pk}/barriers").status_code == 404
    for membership in (world.steering, world.national, world.holder, world.reviewer):
        assert api_as(membership).get(f"/beneficiaries/{person.pk}/barriers").status_code == 403
    # a follow-up group member reads but does not write
    ml = api_as(world.referent_ml)
    assert ml.get(f"/beneficiaries/{person.pk}/barriers").status_code == 200
    assert ml.post(f"/beneficiaries/{person.pk}/barriers", {"barrier": "logement"}).status_code == 404


def test_state_changes_with_version_conflict(world, person, api_as):
    record = barrier(world, person)
    api = api_as(world.referent_ft)
    url = f"/beneficiaries/{person.pk}/barriers/{record.pk}/state"
    bad = api.post(url, {"state": "persisting"})
    assert bad.status_code == 422
    assert "ne peut passer" in bad.json()["errors"][0]["msg"]
    ok = api.post(url, {"state": "action_engaged", "version": 1})
    assert ok.status_code == 200
    assert [t["to_state"] for t in ok.json()["transitions"]] == ["identified", "action_engaged"]
    stale = api.post(url, {"state": "lifted", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_plan_objectives_and_actions(world, person, api_as):
    record = barrier(world, person)
    api = api_as(world.referent_ft)
    obj = api.post(
        f"/beneficiaries/{person.pk}/objectives", {"title": "Passer le permis", "barrier_ids": [record.pk]}
    )
    assert obj.status_code == 201
    objective_id = obj.json()["id"]
    due = (timezone.localdate() - timedelta(days=2)).isoformat()
    act = api.post(
        f"/beneficiaries/{person.pk}/actions",
        {
            "objective_id": objective_id,
            "title": "Code de la route",
            "owner_structure_id": world.ml.pk,
            "due_on": due,
        },
    )
    assert act.status_code == 201, act.json()
    assert act.json()["overdue"] is True
    assert act.json()["owner_structure"] == {"id": world.ml.pk, "name": world.ml.name}
    no_owner = api.post(f"/beneficiaries/{person.pk}/actions", {"objective_id": objective_id, "title": "X"})
    assert no_owner.status_code == 422
    foreign = api.post(
        f"/beneficiaries/{person.pk}/actions",
        {"objective_id": objective_id, "title": "X", "owner_structure_id": world.other_structure.pk},
    )
    assert foreign.status_code == 422
    done = api.post(f"/beneficiaries/{person.pk}/actions/{act.json()['id']}/state", {"state": "done"})
    assert done.status_code == 200
    plan = api.get(f"/beneficiaries/{person.pk}/plan").json()
    assert plan[0]["barrier_ids"] == [record.pk]
    assert plan[0]["actions"][0]["status"] == "done"
    assert plan[0]["actions"][0]["overdue"] is False
    achieved = api.post(f"/beneficiaries/{person.pk}/objectives/{objective_id}/state", {"state": "achieved"})
    assert achieved.json()["status"] == "achieved"
    other = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    other_objective = objective(world, other)
    assert (
        api.post(
            f"/beneficiaries/{person.pk}/actions",
            {"objective_id": other_objective.pk, "title": "X", "owner_structure_id": world.ft.pk},
        ).status_code
        == 422
    )


def test_hand_over_needs_consent_and_moves_access(world, person, api_as):
    api = api_as(world.referent_ft)
    url = f"/beneficiaries/{person.pk}/handover"
    missing = api.post(
        url, {"to_structure_id": world.asso.pk, "reason": "Déménagement", "consent_method": "oral"}
    )
    assert missing.status_code == 422
    assert any(e["loc"] == ["body", "consent_given_on"] for e in missing.json()["errors"])
    done = api.post(
        url,
        {
            "to_structure_id": world.asso.pk,
            "reason": "Accompagnement renforcé",
            "consent_given_on": timezone.localdate().isoformat(),
            "consent_method": "written",
        },
    )
    assert done.status_code == 201, done.json()
    assert done.json()["from_structure"]["name"] == world.ft.name
    assert HandOver.objects.filter(beneficiary=person).count() == 1
    # France Travail is no longer responsible nor in the follow-up group
    assert api.get(f"/beneficiaries/{person.pk}/barriers").status_code == 404


def test_situations_referential(world, api_as):
    rows = api_as(world.referent_ft).get("/situations", {"barrier": "mobilite"}).json()
    assert rows and {r["barrier"] for r in rows} == {"mobilite"}
    assert api_as(world.referent_ft).get("/situations", {"barrier": "nope"}).status_code == 422


def test_out_of_range_identifiers_are_refused_in_french(world, person, api_as):
    api = api_as(world.referent_ft)
    response = api.post(f"/beneficiaries/{person.pk}/objectives", {"title": "X", "barrier_ids": [2**70]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "barrier_ids", 0]
    far = api.post(
        f"/beneficiaries/{person.pk}/barriers", {"barrier": "mobilite", "identified_on": "1900-01-01"}
    )
    assert far.status_code == 422
    assert "trop ancienne" in far.json()["errors"][0]["msg"]
