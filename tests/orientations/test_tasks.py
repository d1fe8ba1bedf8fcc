"""Periodic jobs: expiry past the deadline, one reminder before it."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from citemploi.core.periodic import JOBS
from citemploi.orientations import services
from citemploi.orientations.models import AnswerLink, Orientation, OrientationSettings
from tests.orientations.factories import moved, sent_by_ft, service_of


def test_jobs_are_registered():
    assert JOBS["orientations.expire_overdue"].every == "hourly"
    assert JOBS["orientations.remind_before_deadline"].every == "daily"


def test_expiry_after_the_deadline_only_and_the_sender_is_told(world, django_capture_on_commit_callbacks):
    sent_at = timezone.now() - timedelta(days=10, hours=1)
    late = sent_by_ft(world, now=sent_at)
    on_time = sent_by_ft(world)
    answered = moved(world, sent_by_ft(world, now=sent_at), "accepted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_overdue() == 1
    assert Orientation.objects.get(pk=late.pk).status == "expired"
    assert Orientation.objects.get(pk=on_time.pk).status == "sent"
    assert Orientation.objects.get(pk=answered.pk).status == "accepted"
    last = Orientation.objects.get(pk=late.pk).transitions.last()
    assert (last.actor, last.actor_label, last.channel) == (None, "tâche automatique", "system")
    assert [m.subject for m in mail.outbox] == [
        f"citemploi : votre orientation n° {late.pk} a expiré sans réponse"
    ]
    assert services.expire_overdue() == 0


def test_the_task_runs_the_expiry(world):
    from citemploi.orientations.tasks import expire_overdue

    late = sent_by_ft(world, now=timezone.now() - timedelta(days=11))
    expire_overdue.enqueue()
    assert Orientation.objects.get(pk=late.pk).status == "expired"


def test_one_reminder_only_n_days_before(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    close = sent_by_ft(world, now=now - timedelta(days=8, hours=1))  # deadline in < 2 days
    far = sent_by_ft(world, now=now - timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_before_deadline(now) == 1
    assert [m.subject for m in mail.outbox] == [
        f"citemploi : rappel, orientation n° {close.pk} en attente de réponse"
    ]
    assert Orientation.objects.get(pk=close.pk).reminded_at == now
    assert Orientation.objects.get(pk=far.pk).reminded_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_before_deadline(now + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1


def test_reminder_setting_zero_means_no_reminder(world):
    OrientationSettings.objects.create(cite=world.cite, reminder_days_before=0)
    sent_by_ft(world, now=timezone.now() - timedelta(days=9, hours=23))
    assert services.remind_before_deadline() == 0


def test_a_link_reminder_replaces_the_link(world, django_capture_on_commit_callbacks):
    world.asso.email = "contact@asso.example.org"
    world.asso.save()
    o = sent_by_ft(world, service=service_of(world.asso), now=timezone.now() - timedelta(days=9))
    first = AnswerLink.objects.get(orientation=o)
    with django_capture_on_commit_callbacks(execute=True):
        services.remind_before_deadline()
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert AnswerLink.objects.filter(orientation=o, revoked_at__isnull=True).count() == 1
    assert "remplace le lien" in mail.outbox[-1].body
