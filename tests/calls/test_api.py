"""The calls API: calls and rules, the catalogue, files with their rule results (per role), submission,
reviews and agreement, decisions, reports."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.services import committee, funding
from citemploi.core.policy import Role, is_allowed
from tests.api.conftest import ApiClient, make_token
from tests.calls.factories import ApplicationFactory, CallFactory, assign, submitted_review
from tests.factories import ctx_for, partner_of

ROLES = [r.value for r in Role]


@pytest.fixture
def api_as():
    def _api_as(membership):
        return ApiClient(Client(), make_token(membership))

    return _api_as


@pytest.fixture
def call(world):
    return CallFactory(cite=world.cite)


@pytest.fixture
def app(world, call):
    return ApplicationFactory(call=call, holder=world.asso, complete=True, filled=True)


@pytest.mark.parametrize("role", ROLES)
def test_calls_list_and_read_per_role(world, api_as, call, role):
    CallFactory(cite=world.other_cite, title="Autre cité", with_defaults=False)
    client = api_as(world.personas()[role])
    response = client.get("/calls")
    assert response.status_code == 200
    titles = [c["title"] for c in response.json()["results"]]
    if role == "national":
        assert set(titles) == {call.title, "Autre cité"}
    else:
        assert titles == [call.title]
    detail = client.get(f"/calls/{call.pk}").json()
    assert len(detail["rules"]) == 13 and detail["criteria"][0]["weight"] == "3.00"
    assert {r["rule_type"]: r["summary"] for r in detail["rules"]}[
        "objectives_count"
    ] == "Entre 1 et 6 objectifs."


def test_rule_catalogue_and_adding_a_rule(world, api_as, call):
    client = api_as(world.coordinator)
    catalogue = {t["code"]: t for t in client.get("/rule-types").json()}
    assert catalogue["title_prefix"]["default_params"] == {"prefix": "CITE EMPLOI-", "ignore_case": True}
    assert catalogue["title_prefix"]["params_schema"]["properties"]["prefix"]["maxLength"] == 60
    response = client.post(
        f"/calls/{call.pk}/rules", {"rule_type": "title_prefix", "params": {"prefix": "CITE EMPLOI-"}}
    )
    assert (
        response.status_code == 201
        and response.json()["summary"] == "Intitulé commençant par « CITE EMPLOI- »."
    )
    bad = client.post(
        f"/calls/{call.pk}/rules", {"rule_type": "objectives_count", "params": {"min": 4, "max": 2}}
    )
    assert bad.status_code == 422 and "le minimum dépasse le maximum" in bad.json()["errors"][0]["msg"]
    assert client.post(f"/calls/{call.pk}/rules", {"rule_type": "nope"}).status_code == 422
    assert (
        api_as(world.holder).post(f"/calls/{call.pk}/rules", {"rule_type": "title_prefix"}).status_code == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_files_are_seen_per_role(world, api_as, app, role):
    other = ApplicationFactory(call=app.call, holder=partner_of(world.cite))
    assign(app, world.reviewer)
    response = api_as(world.personas()[role]).get("/applications")
    if not is_allowed(role, "application.view"):
        assert response.status_code == 403
        return
    ids = {a["id"] for a in response.json()["results"]}
    expected = {"coordinator": {app.pk, other.pk}, "holder": {app.pk}, "reviewer": {app.pk}}[role]
    assert ids == expected


def test_a_file_with_its_rule_results_and_budget(world, api_as, app):
    body = api_as(world.holder).get(f"/applications/{app.pk}").json()
    assert body["totals"] == {
        "charges": "25000.00",
        "resources": "25000.00",
        "balance": "0.00",
        "eligible_costs": "25000.00",
    }
    assert body["blocking"] == 0
    assert {r["rule_type"]: r["outcome"] for r in body["rule_results"]}["budget_balanced"] == "pass"
    assert [b["side"] for b in body["budget"]] == ["charges", "charges", "resources", "resources"]
    undeclared = ApplicationFactory(call=app.call, holder=world.asso)
    assign(undeclared, world.reviewer, declared=False)
    assert api_as(world.reviewer).get(f"/applications/{undeclared.pk}").status_code == 404


def test_submission_through_the_api(world, api_as, app):
    client = api_as(world.holder)
    app.title = "Sans préfixe"
    app.save()
    from tests.calls.factories import add_rule

    add_rule(app.call, "title_prefix", {"prefix": "CITE EMPLOI-"})
    refused = client.post(f"/applications/{app.pk}/submit")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["rules", "title_prefix"]
    app.title = "CITE EMPLOI-Auto-école"
    app.save()
    done = client.post(f"/applications/{app.pk}/submit")
    assert done.status_code == 200 and done.json()["status"] == "submitted" and done.json()["version"] == 1
    again = client.post(f"/applications/{app.pk}/submit")
    assert again.status_code == 409
    assert api_as(world.coordinator).post(f"/applications/{app.pk}/submit").status_code == 403


def test_reviews_agreement_decisions_and_report(world, api_as, call):
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.PROPOSED
    )
    from tests.factories import member

    second = member(world.cite, "reviewer")
    submitted_review(assign(app, world.reviewer), {0: 3, 1: 3, 2: 3})
    submitted_review(assign(app, second), {0: 0, 1: 1, 2: 1})
    reviews = api_as(world.coordinator).get(f"/applications/{app.pk}/reviews").json()
    assert [r["total"] for r in reviews["reviews"]] == ["100.0", "20.8"]
    assert reviews["flagged"] is True and reviews["criteria"][0]["gap"] == 3
    assert api_as(world.reviewer).get(f"/applications/{app.pk}/reviews").status_code == 403
    ctx = ctx_for(world.coordinator)
    session = committee.create_session(ctx=ctx, call=call, held_on=date(call.year, 6, 20))
    committee.save_decision(ctx=ctx, decision=session.decisions.get(), outcome="selected", amount="15000")
    committee.lock_session(ctx=ctx, session=session)
    decisions = api_as(world.steering).get(f"/calls/{call.pk}/decisions").json()["results"]
    assert (
        decisions[0]["outcome"] == "selected"
        and decisions[0]["amount"] == "15000.00"
        and decisions[0]["locked"]
    )
    assert api_as(world.holder).get(f"/calls/{call.pk}/decisions").status_code == 403
    assert api_as(world.holder).get(f"/applications/{app.pk}/report").status_code == 404
    app.refresh_from_db()
    agreement = funding.create_agreement(
        ctx=ctx, app=app, starts_on=date(call.year, 6, 1), ends_on=date(call.year, 12, 1)
    )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=date.today())
    report = api_as(world.holder).get(f"/applications/{app.pk}/report").json()
    assert report["status"] == "to_produce" and report["financial"][0]["planned"] == "18000.00"
    assert Decimal(report["objectives"][0]["target"]) == Decimal(30)
