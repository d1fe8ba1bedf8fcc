"""The API: list, create, read, withdraw and answer, with French 4xx and 409 on a conflicting transition."""

from citemploi.orientations.models import Orientation
from tests.orientations.factories import followed_by_ft, sent_by_ft, service_of


def test_create_then_the_receiver_answers(world, api_client_for):
    person = followed_by_ft(world)
    service = service_of(world.ml)
    sender = api_client_for(world.referent_ft)
    created = sender.post(
        "/orientations",
        {
            "beneficiary": person.pk,
            "service": service.pk,
            "message": "Atelier CV.",
            "shared_groups": ["french"],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "sent" and body["beneficiary_id"] == person.pk
    assert [r["group"] for r in body["shared"]][-1] == "french"
    assert body["history"][0]["channel"] == "api"
    receiver = api_client_for(world.referent_ml)
    listed = receiver.get("/orientations", {"box": "received", "status": "sent"}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert listed["results"][0]["beneficiary_id"] is None
    accepted = receiver.post(f"/orientations/{body['id']}/answer", {"decision": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    conflict = receiver.post(
        f"/orientations/{body['id']}/answer", {"decision": "refused", "refusal_reason": "no_capacity"}
    )
    assert conflict.status_code == 409 and "impossible" in conflict.json()["detail"]
    stale = receiver.post(
        f"/orientations/{body['id']}/answer", {"decision": "started", "expected_status": "sent"}
    )
    assert stale.status_code == 409 and "entre-temps" in stale.json()["detail"]


def test_refusal_without_reason_is_422_in_french(world, api_client_for):
    o = sent_by_ft(world)
    response = api_client_for(world.referent_ml).post(f"/orientations/{o.pk}/answer", {"decision": "refused"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "Choisissez le motif du refus dans la liste."
    assert Orientation.objects.get(pk=o.pk).status == "sent"


def test_withdraw_and_404_for_others(world, api_client_for):
    o = sent_by_ft(world)
    assert api_client_for(world.other_referent).get(f"/orientations/{o.pk}").status_code == 404
    assert api_client_for(world.partner_member_ft).get(f"/orientations/{o.pk}").status_code == 404
    response = api_client_for(world.referent_ft).post(f"/orientations/{o.pk}/withdraw", {"reason": "Emploi"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = api_client_for(world.referent_ft).post(f"/orientations/{o.pk}/withdraw", {})
    assert again.status_code == 409


def test_create_errors(world, api_client_for):
    sender = api_client_for(world.referent_ft)
    person = followed_by_ft(world)
    unknown = sender.post("/orientations", {"beneficiary": person.pk, "service": 999999, "message": "x"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "service"]
    own = sender.post(
        "/orientations", {"beneficiary": person.pk, "service": service_of(world.ft).pk, "message": "x"}
    )
    assert own.status_code == 422 and "autre structure" in own.json()["errors"][0]["msg"]
    denied = api_client_for(world.partner_member_ft).post("/orientations", {})
    assert denied.status_code == 403
    assert not Orientation.objects.exists()


def test_every_answer_showing_the_snapshot_is_audited(world, api_client_for):
    from citemploi.core.models import AuditEvent

    o = sent_by_ft(world)
    api_client_for(world.referent_ml).post(f"/orientations/{o.pk}/answer", {"decision": "accepted"})
    api_client_for(world.referent_ml).get(f"/orientations/{o.pk}")
    reads = AuditEvent.objects.filter(code="orientation.read", beneficiary_id=o.beneficiary_id)
    assert reads.count() == 2 and {e.via for e in reads} == {"api"}
