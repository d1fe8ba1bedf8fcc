"""The cohorts API: what each role reads, proposals, decisions (409 when locked or recused), exits."""

from datetime import date

import pytest

from citemploi.cohorts import services
from citemploi.cohorts.enums import CommissionOutcome, MemberState
from tests.api.conftest import api_as  # noqa: F401 - fixture
from tests.cohorts.builders import candidate_person, open_cohort, proposed, session_with
from tests.factories import BeneficiaryFactory, ctx_for
from tests.factories import member as make_member


@pytest.fixture
def cohort(world):
    return open_cohort(world)


def test_coordinator_creates_a_cohort_and_bad_input_is_a_french_422(world, api_as):  # noqa: F811
    api = api_as(world.coordinator)
    body = {
        "name": "Jeunes en CEJ",
        "target_public": "Jeunes en contrat d'engagement jeune",
        "schemes": ["cej"],
        "target_size": 30,
        "start_date": "2024-01-15",
        "referent_structure_ids": [world.ml.pk],
    }
    response = api.post("/cohorts", body)
    assert response.status_code == 201, response.json()
    assert response.json()["referent_structures"] == [world.ml.name] and response.json()["state"] == "draft"
    bad = api.post("/cohorts", {**body, "referent_structure_ids": [world.other_structure.pk]})
    assert bad.status_code == 422 and "partenaire" in bad.json()["errors"][0]["msg"]
    bad = api.post("/cohorts", {**body, "end_date": "2023-01-01"})
    assert (
        bad.status_code == 422
        and bad.json()["errors"][0]["msg"] == "La date de fin doit suivre la date de début."
    )
    assert api_as(world.referent_ft).post("/cohorts", body).status_code == 403


def test_referent_proposes_and_consent_is_required(world, cohort, api_as):  # noqa: F811
    api = api_as(world.referent_ft)
    without = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    response = api.post(
        f"/cohorts/{cohort.pk}/candidates", {"beneficiary_id": without.pk, "reason": "Motivé"}
    )
    assert response.status_code == 422 and "présentée en commission" in response.json()["errors"][0]["msg"]
    person = candidate_person(world)
    response = api.post(
        f"/cohorts/{cohort.pk}/candidates", {"beneficiary_id": person.pk, "reason": "Motivée"}
    )
    assert response.status_code == 201
    assert response.json()["state"] == "proposed" and response.json()["beneficiary_id"] == person.pk


def test_candidate_lists_follow_need_to_know(world, cohort, api_as):  # noqa: F811
    ft_member = proposed(world, cohort, person=candidate_person(world, first_name="Awa", last_name="Diallo"))
    ml_person = candidate_person(world, structure=world.ml, referent=world.referent_ml)
    ml_member = proposed(world, cohort, person=ml_person, referent=world.referent_ml)
    session = session_with(world, cohort, [ft_member])

    def ids(membership):
        response = api_as(membership).get(f"/cohorts/{cohort.pk}/candidates")
        assert response.status_code == 200
        return {c["id"]: c for c in response.json()["results"]}

    assert set(ids(world.coordinator)) == {ft_member.pk, ml_member.pk}
    assert set(ids(world.referent_ml)) == {ml_member.pk}
    seen = ids(world.commission_member)
    assert set(seen) == {ft_member.pk}
    assert seen[ft_member.pk]["first_name"] == "Awa" and seen[ft_member.pk]["last_initial"] == "D"
    assert seen[ft_member.pk]["beneficiary_id"] is None and "Diallo" not in str(seen)
    assert ids(world.steering) == {}
    assert api_as(world.other_coordinator).get(f"/cohorts/{cohort.pk}/candidates").status_code == 404
    agenda = api_as(world.commission_member).get(f"/commission-sessions/{session.pk}/agenda").json()
    assert [row["candidate"]["id"] for row in agenda] == [ft_member.pk]
    assert api_as(world.referent_ml).get(f"/commission-sessions/{session.pk}").status_code == 404
    detail = api_as(world.coordinator).get(f"/cohorts/{cohort.pk}").json()
    assert detail["counts"]["proposed"] == 2 and detail["funnel"]["steps"][0]["count"] == 2


def test_decisions_are_refused_409_when_locked_or_recused(world, cohort, api_as):  # noqa: F811
    ft_commission = make_member(world.cite, "commission_member", world.ft)
    member = proposed(world, cohort)
    session = session_with(
        world, cohort, [member], convened=[world.coordinator, ft_commission], chair=ft_commission
    )
    recused = api_as(ft_commission).post(
        f"/commission-sessions/{session.pk}/decisions", {"candidate_id": member.pk, "outcome": "integrated"}
    )
    assert recused.status_code == 409 and "récusé·e" in recused.json()["detail"]
    api = api_as(world.coordinator)
    missing_reason = api.post(
        f"/commission-sessions/{session.pk}/decisions", {"candidate_id": member.pk, "outcome": "not_retained"}
    )
    assert missing_reason.status_code == 422
    ok = api.post(
        f"/commission-sessions/{session.pk}/decisions", {"candidate_id": member.pk, "outcome": "integrated"}
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "integrated"
    services.close_session(ctx=ctx_for(world.coordinator), session=session)
    locked = api.post(
        f"/commission-sessions/{session.pk}/decisions", {"candidate_id": member.pk, "outcome": "waiting"}
    )
    assert locked.status_code == 409 and "verrouillées" in locked.json()["detail"]
    read = api.get(f"/commission-sessions/{session.pk}").json()
    assert read["status"] == "closed" and read["recusals"] == [
        {"candidate_id": member.pk, "member": read["recusals"][0]["member"]}
    ]


def test_exit_through_the_api(world, cohort, api_as):  # noqa: F811
    member = proposed(world, cohort)
    api = api_as(world.referent_ft)
    early = api.post(f"/cohort-candidates/{member.pk}/exit", {"reason": "moved"})
    assert early.status_code == 409
    session = session_with(world, cohort, [member])
    services.record_decision(
        ctx=ctx_for(world.coordinator), session=session, member=member, outcome=CommissionOutcome.INTEGRATED
    )
    services.close_session(ctx=ctx_for(world.coordinator), session=session)
    response = api.post(
        f"/cohort-candidates/{member.pk}/exit", {"reason": "solution", "exited_on": "2024-09-02"}
    )
    assert response.status_code == 200 and response.json()["state"] == MemberState.EXITED
    member.refresh_from_db()
    assert member.exited_on == date(2024, 9, 2)
    assert (
        api_as(world.referent_ml)
        .post(f"/cohort-candidates/{member.pk}/exit", {"reason": "moved"})
        .status_code
        == 404
    )
