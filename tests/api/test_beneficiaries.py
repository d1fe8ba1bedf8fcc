"""People: list, read, create, update, sensitive attributes, per role; audit of reads; 409 on duplicates
and stale edits; masking of sensitive structures."""

from datetime import date

import pytest

from citemploi.core.models import AuditEvent, AuditSubject
from citemploi.core.policy import Role, is_allowed
from citemploi.people.models import Beneficiary
from tests.factories import BeneficiaryFactory, in_followup_group, member, with_sharing_consent

ROLES = [r.value for r in Role]

NEW_PERSON = {"first_name": "Inès", "last_name": "Martin", "birth_date": "1999-04-02", "gender": "F"}


def _ids(response) -> list[int]:
    return [b["id"] for b in response.json()["results"]]


# --- List -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_allowed_and_denied_per_role(world, api_as, followed, unshared, role):
    response = api_as(world.personas()[role]).get("/beneficiaries")
    if is_allowed(role, "beneficiary.view"):
        assert response.status_code == 200
        assert sorted(_ids(response)) == sorted([followed.pk, unshared.pk])
    else:
        assert response.status_code == 403
        assert not AuditEvent.objects.filter(code="beneficiary.list").exists()


def test_a_followup_group_member_lists_only_the_people_shared_with_it(world, api_as, followed, unshared):
    assert _ids(api_as(world.referent_ml).get("/beneficiaries")) == [followed.pk]
    assert _ids(api_as(world.other_coordinator).get("/beneficiaries")) == []


def test_the_list_is_audited_with_the_people_shown(world, api_as, followed, unshared):
    api_as(world.referent_ft).get("/beneficiaries", {"gender": "X", "limit": 1})
    event = AuditEvent.objects.get(code="beneficiary.list")
    assert event.via == "api"
    assert event.changes["count"] == 1
    # core.audit stores the filters as text (its _jsonable does not keep dicts)
    assert "'gender': 'X'" in str(event.changes["filters"])
    shown = list(AuditSubject.objects.filter(event=event).values_list("beneficiary_id", flat=True))
    assert shown == [min([followed, unshared], key=lambda b: (b.last_name, b.first_name, b.pk)).pk]


def test_list_filters(world, api_as, followed, unshared):
    young = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Léa",
        last_name="Petit",
        birth_date=date(date.today().year - 20, 1, 1),
        gender="F",
        reperage_channel="forum",
        invisible_at_identification=True,
    )
    client = api_as(world.coordinator)
    assert _ids(client.get("/beneficiaries", {"q": "DIALLÔ awa"})) == [followed.pk]
    assert _ids(client.get("/beneficiaries", {"qpv": "QN08003M"})) == [followed.pk]
    assert _ids(client.get("/beneficiaries", {"gender": "F"})) == [young.pk]
    assert _ids(client.get("/beneficiaries", {"age_band": "jeunes"})) == [young.pk]
    assert _ids(client.get("/beneficiaries", {"channel": "forum"})) == [young.pk]
    assert _ids(client.get("/beneficiaries", {"invisible": "true"})) == [young.pk]
    assert len(_ids(client.get("/beneficiaries", {"structure": world.ft.pk, "gender": ""}))) == 3
    assert _ids(client.get("/beneficiaries", {"structure": world.ml.pk})) == []


def test_list_refuses_unknown_references_and_sensitive_structure_filters(world, api_as, followed):
    client = api_as(world.coordinator)
    response = client.get("/beneficiaries", {"qpv": "QN99999Z"})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "loc": ["query", "qpv"],
        "msg": "QPV inconnu dans la cité.",
        "type": "invalid",
    }
    # Filtering by a sensitive structure would reveal whom it follows.
    response = client.get("/beneficiaries", {"structure": world.spip.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "structure"]
    assert client.get("/beneficiaries", {"structure": world.other_structure.pk}).status_code == 422


def test_list_pages_are_stable_and_complete(world, api_as):
    people = [
        BeneficiaryFactory(
            cite=world.cite, responsible_structure=world.ft, first_name="Sam", last_name="Durand"
        )
        for _ in range(5)
    ]
    client = api_as(world.referent_ft)
    seen, offset = [], 0
    while offset is not None:
        body = client.get("/beneficiaries", {"limit": 2, "offset": offset}).json()
        assert body["count"] == 5
        seen += [b["id"] for b in body["results"]]
        offset = body["next_offset"]
    assert seen == sorted(p.pk for p in people)


# --- Read -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_read_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).get(f"/beneficiaries/{followed.pk}")
    if is_allowed(role, "beneficiary.view"):
        assert response.status_code == 200
        body = response.json()
        assert (body["first_name"], body["last_name"], body["version"]) == ("Awa", "Diallo", 1)
        assert body["responsible_structure"] == {"id": world.ft.pk, "name": world.ft.name}
        assert body["qpv"] == {"code": "QN08003M", "name": "Amiens Nord"}
        event = AuditEvent.objects.get(code="beneficiary.read")
        assert (event.beneficiary_id, event.via, event.actor_role) == (followed.pk, "api", role)
    else:
        assert response.status_code == 403
        assert not AuditEvent.objects.filter(code="beneficiary.read").exists()


def test_absent_and_forbidden_files_both_give_404(world, api_as, followed, unshared):
    assert api_as(world.referent_ml).get(f"/beneficiaries/{unshared.pk}").status_code == 404
    assert api_as(world.other_coordinator).get(f"/beneficiaries/{followed.pk}").status_code == 404
    missing = api_as(world.coordinator).get("/beneficiaries/999999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Introuvable."}


def test_a_sensitive_responsible_structure_is_masked_for_the_followup_group(world, api_as):
    spip_referent = member(world.cite, "referent", world.spip)
    b = BeneficiaryFactory(cite=world.cite, responsible_structure=world.spip, referent=spip_referent.user)
    with_sharing_consent(b)
    in_followup_group(b, world.ml)
    body = api_as(world.referent_ml).get(f"/beneficiaries/{b.pk}").json()
    assert body["responsible_structure"] == {"id": None, "name": "Structure non communiquée"}
    assert body["referent"] is None
    listed = api_as(world.referent_ml).get("/beneficiaries").json()["results"]
    assert listed[0]["responsible_structure"]["id"] is None
    own = api_as(spip_referent).get(f"/beneficiaries/{b.pk}").json()
    assert own["responsible_structure"] == {"id": world.spip.pk, "name": world.spip.name}


# --- Create ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_create_allowed_and_denied_per_role(world, api_as, role):
    response = api_as(world.personas()[role]).post(
        "/beneficiaries", {**NEW_PERSON, "responsible_structure": world.ft.pk}
    )
    if is_allowed(role, "beneficiary.create"):
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["responsible_structure"]["id"] == world.ft.pk
        assert body["birth_date"] == "1999-04-02"
        assert AuditEvent.objects.get(code="beneficiary.create").via == "api"
    else:
        assert response.status_code == 403
        assert not Beneficiary.objects.filter(last_name="Martin").exists()


def test_a_referent_creates_people_for_their_structure_and_follows_them(world, api_as):
    response = api_as(world.referent_ft).post("/beneficiaries", {**NEW_PERSON, "qpv": "QN08003M"})
    assert response.status_code == 201
    body = response.json()
    assert body["responsible_structure"]["id"] == world.ft.pk
    assert body["referent"] == {"id": world.referent_ft.user.pk, "name": str(world.referent_ft.user)}
    assert body["invisible_at_identification"] is True
    assert body["qpv"]["code"] == "QN08003M"
    other = api_as(world.referent_ft).post(
        "/beneficiaries", {**NEW_PERSON, "first_name": "Zoé", "responsible_structure": world.ml.pk}
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["body", "responsible_structure"]


def test_a_coordinator_names_the_responsible_structure_and_referent(world, api_as):
    client = api_as(world.coordinator)
    missing = client.post("/beneficiaries", NEW_PERSON)
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {
            "loc": ["body", "responsible_structure"],
            "msg": "Choisissez la structure référente.",
            "type": "invalid",
        }
    ]
    wrong_referent = client.post(
        "/beneficiaries",
        {**NEW_PERSON, "responsible_structure": world.ft.pk, "referent": world.referent_ml.user.pk},
    )
    assert wrong_referent.status_code == 422
    assert wrong_referent.json()["errors"][0]["loc"] == ["body", "referent"]
    created = client.post(
        "/beneficiaries",
        {**NEW_PERSON, "responsible_structure": world.ml.pk, "referent": world.referent_ml.user.pk},
    )
    assert created.status_code == 201
    assert created.json()["referent"]["id"] == world.referent_ml.user.pk


def test_a_duplicate_identity_gives_409_and_reveals_the_id_only_to_who_may_see_it(world, api_as, unshared):
    same = {"first_name": "KARIM", "last_name": "Bénali", "birth_date": unshared.birth_date.isoformat()}
    visible = api_as(world.referent_ft).post("/beneficiaries", same)
    assert visible.status_code == 409
    assert visible.json()["existing_id"] == unshared.pk
    assert "allow_duplicate" in visible.json()["detail"]
    hidden = api_as(world.referent_ml).post("/beneficiaries", same)
    assert hidden.status_code == 409
    assert hidden.json()["existing_id"] is None
    homonym = api_as(world.referent_ml).post("/beneficiaries", {**same, "allow_duplicate": True})
    assert homonym.status_code == 201
    assert Beneficiary.objects.filter(identity_key=unshared.identity_key).count() == 2


# --- Update ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_update_allowed_and_denied_per_role(world, api_as, followed, role):
    response = api_as(world.personas()[role]).patch(
        f"/beneficiaries/{followed.pk}", {"phone": "06 00 00 00 00", "version": 1}
    )
    followed.refresh_from_db()
    if is_allowed(role, "beneficiary.edit"):
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 2
        assert followed.phone == "06 00 00 00 00"
        event = AuditEvent.objects.get(code="beneficiary.update")
        assert event.changes == {"phone": ["", "06 00 00 00 00"]}
    else:
        assert response.status_code == 403
        assert followed.phone == ""


def test_a_followup_group_member_may_read_but_not_edit(world, api_as, followed):
    response = api_as(world.referent_ml).patch(f"/beneficiaries/{followed.pk}", {"phone": "1", "version": 1})
    assert response.status_code == 404


def test_a_stale_edit_gives_409_with_the_current_version(world, api_as, followed):
    client = api_as(world.referent_ft)
    assert client.patch(f"/beneficiaries/{followed.pk}", {"city": "Amiens", "version": 1}).status_code == 200
    stale = client.patch(f"/beneficiaries/{followed.pk}", {"city": "Abbeville", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "modifiée par quelqu'un d'autre" in stale.json()["detail"]
    followed.refresh_from_db()
    assert (followed.city, followed.version) == ("Amiens", 2)


def test_an_edit_that_makes_a_duplicate_gives_409(world, api_as, followed, unshared):
    response = api_as(world.referent_ft).patch(
        f"/beneficiaries/{followed.pk}",
        {
            "first_name": unshared.first_name,
            "last_name": unshared.last_name,
            "birth_date": unshared.birth_date.isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 409
    assert response.json()["existing_id"] == unshared.pk


def test_an_edit_may_clear_the_qpv_but_not_the_name(world, api_as, followed):
    client = api_as(world.referent_ft)
    assert client.patch(f"/beneficiaries/{followed.pk}", {"qpv": None, "version": 1}).json()["qpv"] is None
    response = client.patch(f"/beneficiaries/{followed.pk}", {"first_name": None, "version": 2})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "first_name"]


# --- Sensitive attributes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_sensitive_attributes_only_for_the_responsible_referent(world, api_as, followed, role):
    """`world.referent_ft` is the person's référent: every other role gets 404, as for an absent file."""
    client = api_as(world.personas()[role])
    read = client.get(f"/beneficiaries/{followed.pk}/sensitive")
    write = client.put(
        f"/beneficiaries/{followed.pk}/sensitive",
        {
            "rqth": True,
            "aah": False,
            "health_barrier": True,
            "justice_followup": False,
            "addiction_care": False,
        },
    )
    if role == "referent":
        assert is_allowed(role, "beneficiary.view_sensitive")
        assert read.status_code == 200
        assert read.json()["rqth"] is False
        assert write.status_code == 200
        assert write.json()["rqth"] is True
        event = AuditEvent.objects.get(code="beneficiary.sensitive_update")
        assert event.changes == {"fields": ["health_barrier", "rqth"]}  # which fields, never their values
    else:
        assert (read.status_code, write.status_code) == (404, 404)
        assert read.json() == {"detail": "Introuvable."}
        assert not AuditEvent.objects.filter(code="beneficiary.sensitive_update").exists()


def test_sensitive_attributes_hidden_from_other_referents_of_the_structure(world, api_as, followed):
    colleague = member(world.cite, "referent", world.ft)
    assert api_as(colleague).get(f"/beneficiaries/{followed.pk}").status_code == 200
    assert api_as(colleague).get(f"/beneficiaries/{followed.pk}/sensitive").status_code == 404
    assert api_as(world.referent_ml).get(f"/beneficiaries/{followed.pk}/sensitive").status_code == 404


def test_sensitive_update_needs_every_indicator(world, api_as, followed):
    response = api_as(world.referent_ft).put(f"/beneficiaries/{followed.pk}/sensitive", {"rqth": True})
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["errors"]} == {
        "aah",
        "health_barrier",
        "justice_followup",
        "addiction_care",
    }
