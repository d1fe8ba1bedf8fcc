"""Follow-up group: list, add, end, per role; sensitive structures are left out for those who may not know."""

import pytest

from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role, is_allowed
from tests.factories import in_followup_group, member

ROLES = [r.value for r in Role]


@pytest.mark.parametrize("role", ROLES)
def test_list_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).get(f"/beneficiaries/{followed.pk}/followup")
    if is_allowed(role, "beneficiary.view"):
        assert response.status_code == 200
        assert [m["structure"] for m in response.json()] == [{"id": world.ml.pk, "name": world.ml.name}]
    else:
        assert response.status_code == 403


def test_a_sensitive_member_is_listed_only_for_who_may_know(world, api_as, followed):
    in_followup_group(followed, world.spip)
    by_referent = api_as(world.referent_ft).get(f"/beneficiaries/{followed.pk}/followup").json()
    assert {m["structure"]["id"] for m in by_referent} == {world.ml.pk, world.spip.pk}
    by_coordinator = api_as(world.coordinator).get(f"/beneficiaries/{followed.pk}/followup").json()
    assert {m["structure"]["id"] for m in by_coordinator} == {world.ml.pk}
    by_group = api_as(world.referent_ml).get(f"/beneficiaries/{followed.pk}/followup").json()
    assert {m["structure"]["id"] for m in by_group} == {world.ml.pk}


@pytest.mark.parametrize("role", ROLES)
def test_add_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).post(
        f"/beneficiaries/{followed.pk}/followup", {"structure_id": world.asso.pk, "role": "Mobilité"}
    )
    if is_allowed(role, "beneficiary.followup_group"):
        assert response.status_code == 201, response.json()
        assert response.json()["structure"] == {"id": world.asso.pk, "name": world.asso.name}
        assert response.json()["role"] == "Mobilité"
        assert AuditEvent.objects.get(code="followup.add").via == "api"
    else:
        assert response.status_code == 403
        assert not followed.followup_members.filter(structure=world.asso).exists()


def test_the_added_structure_sees_the_file_while_sharing_is_consented(world, api_as, followed):
    asso_referent = member(world.cite, "referent", world.asso)
    assert api_as(asso_referent).get(f"/beneficiaries/{followed.pk}").status_code == 404
    api_as(world.referent_ft).post(f"/beneficiaries/{followed.pk}/followup", {"structure_id": world.asso.pk})
    assert api_as(asso_referent).get(f"/beneficiaries/{followed.pk}").status_code == 200


def test_add_with_a_designated_member_of_the_structure(world, api_as, followed):
    asso_referent = member(world.cite, "referent", world.asso)
    client = api_as(world.referent_ft)
    wrong = client.post(
        f"/beneficiaries/{followed.pk}/followup",
        {"structure_id": world.asso.pk, "user_id": world.referent_ml.user.pk},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "user_id"]
    right = client.post(
        f"/beneficiaries/{followed.pk}/followup",
        {"structure_id": world.asso.pk, "user_id": asso_referent.user.pk},
    )
    assert right.status_code == 201
    assert right.json()["user"]["id"] == asso_referent.user.pk


@pytest.mark.parametrize(
    ("structure", "message"),
    [
        ("other_structure", "Cette structure n'est pas partenaire de la cité."),
        ("ft", "C'est déjà la structure référente."),
        ("ml", "Cette structure fait déjà partie du groupe de suivi."),
    ],
)
def test_add_refuses_structures_that_do_not_fit(world, api_as, followed, structure, message):
    response = api_as(world.referent_ft).post(
        f"/beneficiaries/{followed.pk}/followup", {"structure_id": getattr(world, structure).pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == message


def test_a_group_member_cannot_change_the_group(world, api_as, followed):
    client = api_as(world.referent_ml)
    assert (
        client.post(f"/beneficiaries/{followed.pk}/followup", {"structure_id": world.asso.pk}).status_code
        == 404
    )
    ml_member = followed.followup_members.get(structure=world.ml)
    assert client.delete(f"/beneficiaries/{followed.pk}/followup/{ml_member.pk}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_end_allowed_and_denied_per_role(world, api_as, followed, role):
    ml_member = followed.followup_members.get(structure=world.ml)
    response = api_as(world.personas()[role]).delete(f"/beneficiaries/{followed.pk}/followup/{ml_member.pk}")
    ml_member.refresh_from_db()
    if is_allowed(role, "beneficiary.followup_group"):
        assert response.status_code == 204
        assert response.content == b""
        assert ml_member.ended_at is not None
    else:
        assert response.status_code == 403
        assert ml_member.ended_at is None


def test_ending_the_membership_stops_the_access_and_cannot_be_repeated(world, api_as, followed, unshared):
    ml_member = followed.followup_members.get(structure=world.ml)
    client = api_as(world.referent_ft)
    assert client.delete(f"/beneficiaries/{unshared.pk}/followup/{ml_member.pk}").status_code == 404
    assert client.delete(f"/beneficiaries/{followed.pk}/followup/{ml_member.pk}").status_code == 204
    assert client.delete(f"/beneficiaries/{followed.pk}/followup/{ml_member.pk}").status_code == 404
    assert api_as(world.referent_ml).get(f"/beneficiaries/{followed.pk}").status_code == 404
    assert client.get(f"/beneficiaries/{followed.pk}/followup").json() == []
