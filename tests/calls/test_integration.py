"""What other domains read of the calls: the funded actions of a cité (for the directory and the cité's
actions), and the notifications sent to the holders."""

from datetime import date, timedelta
from decimal import Decimal

from django.core import mail
from django.utils import timezone

from citemploi.calls import tasks
from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.integration import funded_actions
from citemploi.calls.services import funding, instruction
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.factories import ctx_for


def test_funded_actions_of_a_cite_and_year(world):
    call = CallFactory(cite=world.cite)
    older = CallFactory(cite=world.cite, year=call.year - 1, with_defaults=False)
    selected = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("12000"),
    )
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx, app=selected, starts_on=date(call.year, 6, 1), ends_on=date(call.year, 12, 1)
    )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    ApplicationFactory(call=call, holder=world.asso, status=ApplicationStatus.REFUSED)
    ApplicationFactory(call=call, holder=world.asso, status=ApplicationStatus.SELECTED)  # no agreement yet
    ApplicationFactory(
        call=older, holder=world.asso, status=ApplicationStatus.CLOSED, title="CITE EMPLOI-Ancienne action"
    )
    ApplicationFactory(
        call=CallFactory(cite=world.other_cite, with_defaults=False),
        holder=world.other_structure,
        status=ApplicationStatus.RUNNING,
    )
    [action] = funded_actions(world.cite, call.year)
    assert action.application_id == selected.pk and action.amount == Decimal("12000")
    assert (
        action.qpv_codes == ("QN08003M",) and action.theme == "mobility" and action.theme_label == "Mobilité"
    )
    assert action.starts_on == date(call.year, 6, 1) and action.holder_name == world.asso.name
    assert [o.title for o in action.objectives] == ["Préparer au permis", "Obtenir le permis"]
    assert [a.title for a in funded_actions(world.cite)] == ["CITE EMPLOI-Ancienne action", selected.title]


def test_the_holder_is_told_when_the_file_is_sent_back(world, django_capture_on_commit_callbacks):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(call=call, holder=world.asso, complete=True, status=ApplicationStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        instruction.request_completion(
            ctx=ctx_for(world.coordinator),
            app=app,
            reason="Le RIB est illisible",
            complete_by=timezone.localdate() + timedelta(days=10),
        )
    [email] = mail.outbox
    assert email.subject == f"{app.reference} : À compléter"
    assert "Le RIB est illisible" in email.body and "À compléter avant le" in email.body
    assert sorted(email.to) == ["julien.morel@asso.example.org", "presidente@asso.example.org"]


def test_a_reviewer_is_told_of_a_new_assignment(world, django_capture_on_commit_callbacks):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(call=call, holder=world.asso, complete=True, status=ApplicationStatus.ADMISSIBLE)
    with django_capture_on_commit_callbacks(execute=True):
        instruction.assign_reviewer(ctx=ctx_for(world.coordinator), app=app, reviewer=world.reviewer.user)
    assert mail.outbox[-1].to == [world.reviewer.user.email]
    assert "conflit d'intérêts" in mail.outbox[-1].body


def test_the_daily_job_is_registered():
    from citemploi.core.periodic import JOBS

    assert JOBS["calls.daily_followup"].task is tasks.daily_followup
    assert JOBS["calls.daily_followup"].every == "daily"


def test_the_followup_command_with_and_without_dry_run(world):
    from io import StringIO

    from django.core.management import call_command

    from citemploi.calls.enums import CallStatus
    from citemploi.calls.models import Call

    call = CallFactory(cite=world.cite, closes_at=timezone.now() - timedelta(minutes=5), with_defaults=False)
    out = StringIO()
    call_command("calls_followup", "--dry-run", stdout=out)
    assert "1 appel(s) à clore" in out.getvalue()
    assert Call.objects.get(pk=call.pk).status == CallStatus.PUBLISHED
    call_command("calls_followup", stdout=out)
    assert "1 appel(s) clos" in out.getvalue()
    assert Call.objects.get(pk=call.pk).status == CallStatus.CLOSED


def test_a_file_not_completed_in_time_becomes_not_admissible(world, django_capture_on_commit_callbacks):
    call = CallFactory(cite=world.cite)
    late = ApplicationFactory(call=call, holder=world.asso, complete=True, status=ApplicationStatus.SUBMITTED)
    in_time = ApplicationFactory(
        call=call, holder=world.asso, complete=True, status=ApplicationStatus.SUBMITTED
    )
    ctx = ctx_for(world.coordinator)
    today = timezone.localdate()
    for app in (late, in_time):
        instruction.request_completion(
            ctx=ctx, app=app, reason="Le RIB manque.", complete_by=today + timedelta(days=5)
        )
    assert tasks.expire_completions(today=today + timedelta(days=5)) == 0  # the deadline day is still open
    in_time.refresh_from_db()
    in_time.complete_by = today + timedelta(days=30)
    in_time.save(update_fields=["complete_by"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_completions(today=today + timedelta(days=6)) == 1
    late.refresh_from_db()
    in_time.refresh_from_db()
    assert late.status == ApplicationStatus.NOT_ADMISSIBLE and in_time.status == ApplicationStatus.TO_COMPLETE
    last = late.transitions.last()
    assert last.actor is None and last.reason.startswith("Compléments non reçus avant le")
    assert [m.subject for m in mail.outbox] == [f"{late.reference} : Non recevable"]
