"""The calls API after submission: conflict declaration and scores, committee decisions and lock, reports
(save, submit, correction, validation), payments. Refusals are French 4xx; illegal states are 409."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from citemploi.calls.enums import (
    ApplicationStatus,
    ConflictStatus,
    DecisionOutcome,
    ReportStatus,
    ReviewStatus,
    SessionStatus,
)
from citemploi.calls.models import Decision, Report, Review
from citemploi.calls.services import committee, funding
from tests.api.conftest import ApiClient, make_token
from tests.calls.factories import ApplicationFactory, CallFactory, assign
from tests.factories import ctx_for


@pytest.fixture
def api_as():
    def _api_as(membership):
        return ApiClient(Client(), make_token(membership))

    return _api_as


@pytest.fixture
def under_review(world):
    call = CallFactory(cite=world.cite)
    return ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.UNDER_REVIEW
    )


def _scores(app, justification="Argumenté."):
    return [
        {"criterion_id": c.pk, "score": min(2, c.max_score), "justification": justification}
        for c in app.call.criteria.all()
    ]


def test_a_reviewer_declares_then_scores_and_submits(world, api_as, under_review):
    assignment = assign(under_review, world.reviewer, declared=False)
    client = api_as(world.reviewer)
    [listed] = client.get("/assignments").json()
    assert listed["id"] == assignment.pk and listed["conflict_status"] == "undeclared"

    # Scoring before the declaration is an illegal state, and the file stays out of reach.
    early = client.put(f"/assignments/{assignment.pk}/review", {"scores": _scores(under_review)})
    assert early.status_code == 409 and "conflit d'intérêts" in early.json()["detail"]
    assert client.get(f"/applications/{under_review.pk}").status_code == 404

    declared = client.post(f"/assignments/{assignment.pk}/declaration", {"has_conflict": False})
    assert declared.status_code == 200 and declared.json()["conflict_status"] == "none"
    again = client.post(f"/assignments/{assignment.pk}/declaration", {"has_conflict": False})
    assert again.status_code == 409

    missing = _scores(under_review)
    missing[0]["justification"] = "  "
    refused = client.put(f"/assignments/{assignment.pk}/review", {"scores": missing, "submit": True})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["msg"] == "La justification est obligatoire."

    unknown = client.put(
        f"/assignments/{assignment.pk}/review",
        {"scores": [{"criterion_id": 999999, "score": 1, "justification": "x"}]},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"][:2] == ["body", "scores"]

    sent = client.put(
        f"/assignments/{assignment.pk}/review",
        {"scores": _scores(under_review), "comment": "Projet solide.", "submit": True},
    )
    assert sent.status_code == 200, sent.json()
    body = sent.json()
    assert body["status"] == "submitted" and body["total"] is not None and len(body["scores"]) == 4
    assert Review.objects.get(assignment=assignment).status == ReviewStatus.SUBMITTED
    late = client.put(f"/assignments/{assignment.pk}/review", {"scores": _scores(under_review)})
    assert late.status_code == 409 and "transmise" in late.json()["detail"]


def test_a_reviewer_member_of_the_holder_cannot_declare_no_conflict(world, api_as, under_review):
    assignment = assign(under_review, world.reviewer, declared=False)
    assignment.auto_conflict = world.asso.name
    assignment.save(update_fields=["auto_conflict"])
    response = api_as(world.reviewer).post(
        f"/assignments/{assignment.pk}/declaration", {"has_conflict": False}
    )
    assert response.status_code == 422 and "conflit d'intérêts" in response.json()["errors"][0]["msg"]
    assignment.refresh_from_db()
    assert assignment.conflict_status == ConflictStatus.UNDECLARED


def test_other_reviewers_assignments_are_not_found(world, api_as, under_review):
    assignment = assign(under_review, world.reviewer)
    coordinator = api_as(world.coordinator)
    assert (
        coordinator.post(f"/assignments/{assignment.pk}/declaration", {"has_conflict": True}).status_code
        == 403
    )
    assert api_as(world.other_coordinator).get("/assignments").status_code == 403


@pytest.fixture
def session(world, under_review):
    under_review.status = ApplicationStatus.PROPOSED
    under_review.save(update_fields=["status"])
    return committee.create_session(
        ctx=ctx_for(world.coordinator), call=under_review.call, held_on=timezone.localdate()
    )


def test_committee_decides_then_locks_and_decisions_no_longer_change(world, api_as, session, under_review):
    client = api_as(world.steering)
    decision = Decision.objects.get(session=session)
    read = client.get(f"/sessions/{session.pk}").json()
    assert [d["id"] for d in read["decisions"]] == [decision.pk] and read["locked"] is False

    no_amount = client.put(f"/sessions/{session.pk}/decisions/{decision.pk}", {"outcome": "selected"})
    assert (
        no_amount.status_code == 422
        and no_amount.json()["errors"][0]["msg"] == "Indiquez le montant attribué."
    )
    too_much = client.put(
        f"/sessions/{session.pk}/decisions/{decision.pk}", {"outcome": "selected", "amount": "999999"}
    )
    assert too_much.status_code == 422

    pending_lock = client.post(f"/sessions/{session.pk}/lock")
    assert pending_lock.status_code == 422 and "Décision manquante" in pending_lock.json()["errors"][0]["msg"]

    saved = client.put(
        f"/sessions/{session.pk}/decisions/{decision.pk}",
        {"outcome": "selected", "amount": "15000", "conditions": "Bilan intermédiaire en septembre."},
    )
    assert saved.status_code == 200 and saved.json()["amount"] == "15000.00"

    locked = client.post(f"/sessions/{session.pk}/lock")
    assert locked.status_code == 200 and locked.json()["locked"] is True
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.SELECTED and under_review.awarded_amount == Decimal(
        "15000"
    )
    assert locked.json()["decisions"][0]["reference"].endswith("-01")

    after = client.put(
        f"/sessions/{session.pk}/decisions/{decision.pk}", {"outcome": "refused", "reason": "x"}
    )
    assert after.status_code == 409 and "verrouillées" in after.json()["detail"]
    assert client.post(f"/sessions/{session.pk}/lock").status_code == 409
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.SELECTED
    assert session.__class__.objects.get(pk=session.pk).status == SessionStatus.LOCKED


def test_holders_and_reviewers_do_not_reach_the_committee(world, api_as, session):
    decision = Decision.objects.get(session=session)
    for persona in (world.holder, world.reviewer, world.referent_ft):
        client = api_as(persona)
        assert client.get(f"/sessions/{session.pk}").status_code == 403
        assert (
            client.put(
                f"/sessions/{session.pk}/decisions/{decision.pk}", {"outcome": "refused", "reason": "x"}
            ).status_code
            == 403
        )
    assert api_as(world.other_coordinator).get(f"/sessions/{session.pk}").status_code == 404


@pytest.fixture
def signed(world):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("10000"),
    )
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx, app=app, starts_on=date(call.year, 1, 1), ends_on=date(call.year, 12, 31)
    )
    return app, agreement


def test_payments_follow_the_schedule(world, api_as, signed):
    app, agreement = signed
    client = api_as(world.coordinator)
    today = timezone.localdate().isoformat()
    unsigned = client.post(
        f"/applications/{app.pk}/payments", {"kind": "advance", "amount": "5000", "paid_on": today}
    )
    assert unsigned.status_code == 409 and "pas signée" in unsigned.json()["detail"]

    funding.sign_agreement(
        ctx=ctx_for(world.coordinator), agreement=agreement, signed_on=timezone.localdate()
    )
    too_much = client.post(
        f"/applications/{app.pk}/payments", {"kind": "advance", "amount": "5000.01", "paid_on": today}
    )
    assert too_much.status_code == 422 and "Il reste" in too_much.json()["errors"][0]["msg"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"/applications/{app.pk}/payments", {"kind": "advance", "amount": "1", "paid_on": future}
        ).status_code
        == 422
    )
    paid = client.post(
        f"/applications/{app.pk}/payments",
        {"kind": "advance", "amount": "5000", "paid_on": today, "reference": "EJ 2100012345"},
    )
    assert paid.status_code == 201, paid.json()
    body = paid.json()
    assert (
        body["installments"][0]["remaining"] == "0.00" and body["payments"][0]["reference"] == "EJ 2100012345"
    )
    assert body["service_id"] is not None and body["roadmap_action_id"] is not None
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RUNNING

    balance = client.post(
        f"/applications/{app.pk}/payments", {"kind": "balance", "amount": "100", "paid_on": today}
    )
    assert balance.status_code == 409 and "validation du bilan" in balance.json()["detail"]
    assert api_as(world.holder).get(f"/applications/{app.pk}/agreement").json()["amount"] == "10000.00"
    assert (
        api_as(world.holder)
        .post(f"/applications/{app.pk}/payments", {"kind": "advance", "amount": "1", "paid_on": today})
        .status_code
        == 403
    )


def test_the_holder_fills_and_submits_the_report_the_coordination_corrects_then_validates(
    world, api_as, signed
):
    app, agreement = signed
    funding.sign_agreement(
        ctx=ctx_for(world.coordinator), agreement=agreement, signed_on=timezone.localdate()
    )
    holder = api_as(world.holder)
    coordinator = api_as(world.coordinator)
    report = holder.get(f"/applications/{app.pk}/report").json()
    assert report["status"] == "to_produce" and len(report["objectives"]) == 2

    empty = holder.post(f"/applications/{app.pk}/report/submit")
    assert empty.status_code == 422 and "Rédigez le bilan qualitatif." in [
        e["msg"] for e in empty.json()["errors"]
    ]

    unknown_line = holder.put(
        f"/applications/{app.pk}/report", {"financial": [{"line_id": 999999, "actual": "1"}]}
    )
    assert unknown_line.status_code == 422

    body = {
        "narrative": "Quarante personnes accompagnées vers le permis.",
        "qpv_residents": 40,
        "young": 15,
        "women": 20,
        "seniors": 5,
        "people_in_training_or_employment": 12,
        "coordination_hours": "35.5",
        "objectives": [{"objective_id": o["objective_id"], "achieved": "20"} for o in report["objectives"]],
        "activities": [
            {"activity_id": a["activity_id"], "hours_delivered": "110"} for a in report["activities"]
        ],
        "financial": [
            {"line_id": f["id"], "actual": f["planned"], "explanation": ""} for f in report["financial"]
        ],
        "expected_version": report["version"],
    }
    saved = holder.put(f"/applications/{app.pk}/report", body)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["qpv_residents"] == 40 and saved.json()["version"] == report["version"] + 1
    stale = holder.put(
        f"/applications/{app.pk}/report", {"narrative": "x", "expected_version": report["version"]}
    )
    assert stale.status_code == 409

    assert coordinator.post(f"/applications/{app.pk}/report/validate", {}).status_code == 409
    # Before the advance is paid the action has not started: its report cannot be submitted yet.
    not_started = holder.post(f"/applications/{app.pk}/report/submit")
    assert not_started.status_code == 409 and "Passage impossible" in not_started.json()["detail"]
    funding.record_payment(
        ctx=ctx_for(world.coordinator), agreement=agreement, kind="advance", amount="5000",
        paid_on=timezone.localdate(),
    )  # fmt: skip
    submitted = holder.post(f"/applications/{app.pk}/report/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert holder.put(f"/applications/{app.pk}/report", {"narrative": "après"}).status_code == 409
    assert holder.post(f"/applications/{app.pk}/report/validate", {}).status_code == 403

    assert coordinator.post(f"/applications/{app.pk}/report/correction", {"reason": ""}).status_code == 422
    corrected = coordinator.post(
        f"/applications/{app.pk}/report/correction", {"reason": "Précisez les heures de coordination."}
    )
    assert corrected.status_code == 200 and corrected.json()["status"] == "to_correct"
    assert corrected.json()["correction_request"] == "Précisez les heures de coordination."
    assert holder.post(f"/applications/{app.pk}/report/submit").status_code == 200
    validated = coordinator.post(f"/applications/{app.pk}/report/validate", {"reason": "Conforme."})
    assert validated.status_code == 200 and validated.json()["status"] == "validated"
    assert Report.objects.get(application=app).status == ReportStatus.VALIDATED
    assert coordinator.post(f"/applications/{app.pk}/report/validate", {}).status_code == 409
    assert (
        coordinator.post(
            f"/applications/{app.pk}/payments",
            {"kind": "balance", "amount": "5000", "paid_on": timezone.localdate().isoformat()},
        ).status_code
        == 201
    )


def test_the_coordination_rules_on_admissibility_and_assigns_reviewers(world, api_as):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.SUBMITTED
    )
    client = api_as(world.coordinator)
    url = f"/applications/{app.pk}/admissibility"
    assert client.post(url, {"decision": "to_complete", "reason": "RIB manquant"}).status_code == 422
    assert client.post(url, {"decision": "not_admissible"}).status_code == 422
    past = {
        "decision": "to_complete",
        "reason": "RIB manquant",
        "complete_by": timezone.localdate().isoformat(),
    }
    assert client.post(url, past).status_code == 422
    early = client.post(f"/applications/{app.pk}/reviewers", {"reviewer_id": world.reviewer.user.pk})
    assert early.status_code == 409

    admissible = client.post(url, {"decision": "admissible", "reason": "Complet."})
    assert admissible.status_code == 200 and admissible.json()["status"] == "admissible"
    assert app.transitions.last().details["rule_results"]
    assert client.post(url, {"decision": "admissible"}).status_code == 409

    stranger = client.post(f"/applications/{app.pk}/reviewers", {"reviewer_id": world.referent_ft.user.pk})
    assert stranger.status_code == 422
    assigned = client.post(f"/applications/{app.pk}/reviewers", {"reviewer_id": world.reviewer.user.pk})
    assert assigned.status_code == 201 and assigned.json()["conflict_status"] == "undeclared"
    assert (
        client.post(f"/applications/{app.pk}/reviewers", {"reviewer_id": world.reviewer.user.pk}).status_code
        == 422
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    assert api_as(world.holder).post(url, {"decision": "admissible"}).status_code == 403
