"""Freshness: structures are reminded of their stale services by e-mail, from the periodic job."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from citemploi.core.periodic import JOBS, schedule_due_jobs
from citemploi.offer.models import Service
from citemploi.offer.tasks import remind_stale_services
from tests.factories import UserFactory, member
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_each_structure_gets_one_reminder_listing_its_stale_services(world):
    world.ft.email = "agence@francetravail.example.org"
    world.ft.save()
    ServiceFactory(structure=world.ft, name="Atelier CV", stale=True)
    ServiceFactory(structure=world.ft, name="Club emploi", last_updated_on=date(2021, 5, 2))
    ServiceFactory(structure=world.ft, name="Service récent")
    ServiceFactory(structure=world.ml, name="Garantie jeunes", stale=True)
    inactive = member(world.cite, "partner_member", world.ml, user=UserFactory(is_active=False))

    assert remind_stale_services.call() == 2

    by_recipient = {m.to[0]: m for m in mail.outbox}
    ft_addresses = {
        "agence@francetravail.example.org",
        world.referent_ft.user.email,
        world.partner_member_ft.user.email,
    }
    assert ft_addresses <= set(by_recipient)
    assert inactive.user.email not in by_recipient
    message = by_recipient["agence@francetravail.example.org"]
    assert message.subject == "citemploi : 2 services à actualiser"
    assert "Atelier CV (dernière mise à jour le 15/01/2020)" in message.body
    assert "Club emploi" in message.body and "Service récent" not in message.body
    assert f"/offre/?structure={world.ft.pk}&a_actualiser=oui" in message.body
    assert all(len(m.to) == 1 for m in mail.outbox)  # members do not see each other's addresses
    ml_message = by_recipient[world.referent_ml.user.email]
    assert ml_message.subject == "citemploi : 1 service à actualiser" and "Garantie jeunes" in ml_message.body


def test_a_structure_is_not_reminded_again_within_a_month(world):
    service = ServiceFactory(structure=world.ft, stale=True)
    assert remind_stale_services.call() == 1
    mail.outbox.clear()
    assert remind_stale_services.call() == 0 and mail.outbox == []
    Service.objects.filter(pk=service.pk).update(stale_reminded_at=timezone.now() - timedelta(days=31))
    assert remind_stale_services.call() == 1


def test_a_structure_without_anyone_to_write_to_is_skipped_and_tried_again(world):
    service = ServiceFactory(structure=world.asso, stale=True)
    assert remind_stale_services.call() == 0
    service.refresh_from_db()
    assert service.stale_reminded_at is None


def test_the_reminder_is_a_daily_periodic_job_run_by_the_worker(world):
    job = JOBS["offer.remind_stale_services"]
    assert job.every == "daily" and job.task is remind_stale_services
    ServiceFactory(structure=world.ft, stale=True)
    morning = timezone.make_aware(timezone.datetime(2025, 6, 2, 7, 0))
    assert "offer.remind_stale_services" in schedule_due_jobs(morning)
    assert (
        len(mail.outbox) == 2
    )  # the France Travail référent and member (the test backend runs tasks at once)
    assert "offer.remind_stale_services" not in schedule_due_jobs(morning + timedelta(hours=2))
