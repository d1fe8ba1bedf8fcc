"""The state machines: every allowed transition and a sample of refused ones; `move` writes the
transition log (who, when, from, to, why) and an audit row."""

import pytest
from django.db import transaction

from citemploi.calls import machines
from citemploi.calls.enums import ApplicationStatus as A
from citemploi.calls.enums import CallStatus as C
from citemploi.calls.enums import ReportStatus as R
from citemploi.core.models import AuditEvent
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.factories import ctx_for

ALLOWED_APPLICATION = [
    (A.DRAFT, A.SUBMITTED),
    (A.SUBMITTED, A.TO_COMPLETE),
    (A.TO_COMPLETE, A.SUBMITTED),
    (A.SUBMITTED, A.ADMISSIBLE),
    (A.SUBMITTED, A.NOT_ADMISSIBLE),
    (A.ADMISSIBLE, A.UNDER_REVIEW),
    (A.UNDER_REVIEW, A.PROPOSED),
    (A.PROPOSED, A.SELECTED),
    (A.PROPOSED, A.POSTPONED),
    (A.PROPOSED, A.REFUSED),
    (A.POSTPONED, A.PROPOSED),
    (A.SELECTED, A.AGREEMENT_SIGNED),
    (A.AGREEMENT_SIGNED, A.RUNNING),
    (A.RUNNING, A.REPORT_DUE),
    (A.REPORT_DUE, A.REPORT_SUBMITTED),
    (A.REPORT_SUBMITTED, A.REPORT_TO_CORRECT),
    (A.REPORT_TO_CORRECT, A.REPORT_SUBMITTED),
    (A.REPORT_SUBMITTED, A.CLOSED),
    (A.RUNNING, A.REIMBURSEMENT_REQUESTED),
    (A.DRAFT, A.WITHDRAWN),
    (A.PROPOSED, A.WITHDRAWN),
]
REFUSED_APPLICATION = [
    (A.DRAFT, A.ADMISSIBLE),
    (A.DRAFT, A.SELECTED),
    (A.SUBMITTED, A.SELECTED),
    (A.UNDER_REVIEW, A.SELECTED),
    (A.NOT_ADMISSIBLE, A.SUBMITTED),
    (A.REFUSED, A.SELECTED),
    (A.SELECTED, A.RUNNING),
    (A.RUNNING, A.CLOSED),
    (A.REPORT_DUE, A.CLOSED),
    (A.CLOSED, A.REPORT_SUBMITTED),
    (A.AGREEMENT_SIGNED, A.WITHDRAWN),
    (A.WITHDRAWN, A.DRAFT),
]


def test_every_status_has_its_entry_and_terminal_ones_lead_nowhere():
    for machine in (machines.CALL, machines.APPLICATION, machines.REPORT):
        assert set(machine.edges) == set(machine.labels.values)
        for targets in machine.edges.values():
            assert targets <= set(machine.labels.values)
    for terminal in (A.NOT_ADMISSIBLE, A.REFUSED, A.CLOSED, A.REIMBURSEMENT_REQUESTED, A.WITHDRAWN):
        assert machines.APPLICATION.targets(terminal) == frozenset()


@pytest.mark.parametrize(("source", "target"), ALLOWED_APPLICATION)
def test_allowed_application_transitions(source, target):
    assert machines.APPLICATION.allows(source, target)


@pytest.mark.parametrize(("source", "target"), REFUSED_APPLICATION)
def test_refused_application_transitions(source, target):
    assert not machines.APPLICATION.allows(source, target)
    with pytest.raises(machines.TransitionRefused, match="Passage impossible"):
        machines.APPLICATION.check(source, target, "motif")


def test_call_and_report_machines():
    assert machines.CALL.allows(C.DRAFT, C.PUBLISHED)
    assert machines.CALL.allows(C.PUBLISHED, C.CLOSED)
    assert machines.CALL.allows(C.CLOSED, C.ARCHIVED)
    assert not machines.CALL.allows(C.DRAFT, C.ARCHIVED)
    assert not machines.CALL.allows(C.ARCHIVED, C.PUBLISHED)
    with pytest.raises(machines.TransitionRefused, match="motif"):
        machines.CALL.check(C.CLOSED, C.PUBLISHED, "  ")
    assert machines.REPORT.allows(R.TO_PRODUCE, R.SUBMITTED)
    assert machines.REPORT.allows(R.SUBMITTED, R.TO_CORRECT)
    assert machines.REPORT.allows(R.TO_CORRECT, R.SUBMITTED)
    assert machines.REPORT.allows(R.SUBMITTED, R.VALIDATED)
    assert not machines.REPORT.allows(R.TO_PRODUCE, R.VALIDATED)
    assert not machines.REPORT.allows(R.VALIDATED, R.TO_CORRECT)


def test_negative_transitions_need_a_reason():
    for source, target in [
        (A.SUBMITTED, A.NOT_ADMISSIBLE),
        (A.PROPOSED, A.REFUSED),
        (A.SUBMITTED, A.TO_COMPLETE),
    ]:
        with pytest.raises(machines.TransitionRefused, match="motif"):
            machines.APPLICATION.check(source, target, "")
        machines.APPLICATION.check(source, target, "Pièces manquantes")


def test_move_logs_who_when_from_to_why_and_audits(world):
    call = CallFactory(cite=world.cite, with_defaults=False)
    app = ApplicationFactory(call=call, holder=world.asso, status=A.SUBMITTED)
    ctx = ctx_for(world.coordinator)
    with transaction.atomic():
        machines.move(ctx, app, machines.APPLICATION, A.TO_COMPLETE, reason="RIB manquant")
    app.refresh_from_db()
    assert app.status == A.TO_COMPLETE
    log = app.transitions.get()
    assert (log.from_status, log.to_status, log.actor, log.reason) == (
        A.SUBMITTED,
        A.TO_COMPLETE,
        world.coordinator.user,
        "RIB manquant",
    )
    assert log.created_at is not None and log.actor_label == str(world.coordinator.user)
    event = AuditEvent.objects.get(code="application.to_complete")
    assert event.object_id == str(app.pk) and event.cite_id == world.cite.pk
    assert event.changes == {"status": ["submitted", "to_complete"], "reason": "RIB manquant"}


def test_a_refused_move_changes_nothing(world):
    call = CallFactory(cite=world.cite, with_defaults=False)
    app = ApplicationFactory(call=call, holder=world.asso, status=A.DRAFT)
    with pytest.raises(machines.TransitionRefused), transaction.atomic():
        machines.move(ctx_for(world.coordinator), app, machines.APPLICATION, A.SELECTED)
    app.refresh_from_db()
    assert app.status == A.DRAFT and not app.transitions.exists()
    assert not AuditEvent.objects.filter(code__startswith="application.").exists()


def test_system_moves_are_logged_as_the_system(world):
    call = CallFactory(cite=world.cite, with_defaults=False)
    with transaction.atomic():
        machines.move(
            None, call, machines.CALL, C.CLOSED, reason="Date de clôture atteinte", cite_id=call.cite_id
        )
    log = call.transitions.get()
    assert log.actor is None and log.actor_label.startswith("système")
    assert AuditEvent.objects.get(code="call.closed").via == "task"
