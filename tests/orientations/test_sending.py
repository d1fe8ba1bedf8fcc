"""Sending: consent, what travels, the deadline from the cité's settings, who is told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.orientations import services
from citemploi.orientations.models import AnswerLink, Orientation, OrientationSettings
from citemploi.people.models import SensitiveInfo
from tests.factories import BeneficiaryFactory, ctx_for
from tests.orientations.factories import followed_by_ft, sent_by_ft, service_of


def test_only_identity_contact_and_chosen_groups_travel_never_sensitive_data(world):
    person = followed_by_ft(world, driving_licence=True, rsa=True, address="3 rue du Marais", city="Amiens")
    SensitiveInfo.objects.create(beneficiary=person, rqth=True, justice_followup=True)
    o = sent_by_ft(world, person=person, shared_groups=["mobility"])
    assert o.shared_groups == ["identity", "contact", "mobility"]
    labels = {row["label"]: row["value"] for row in o.snapshot["rows"]}
    assert labels["Nom"] == "DIALLO" and labels["Prénom"] == "Awa"
    assert labels["E-mail"] == "awa.diallo@example.org" and labels["Permis de conduire"] == "oui"
    assert "Adresse" not in labels and "Droits et dispositifs" not in labels
    text = str(o.snapshot)
    assert "RQTH" not in text and "judiciaire" not in text and "Marais" not in text


def test_the_snapshot_is_frozen_at_sending(world):
    person = followed_by_ft(world)
    o = sent_by_ft(world, person=person)
    person.email = "nouvelle@example.org"
    person.save()
    o.refresh_from_db()
    assert {r["value"] for r in o.snapshot["rows"]} >= {"awa.diallo@example.org"}


def test_no_orientation_without_consent_to_sharing(world):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    with pytest.raises(ValidationError) as exc:
        sent_by_ft(world, person=person)
    assert "consenti au partage" in str(exc.value)
    assert not Orientation.objects.exists() and not mail.outbox


def test_withdrawn_consent_blocks_sending(world):
    person = followed_by_ft(world)
    person.consents.update(withdrawn_on=timezone.localdate())
    with pytest.raises(ValidationError):
        sent_by_ft(world, person=person)


def test_deadline_is_the_sending_date_plus_the_cite_delay(world):
    now = timezone.now()
    assert sent_by_ft(world, now=now).deadline == now + timedelta(days=10)
    OrientationSettings.objects.create(cite=world.cite, answer_delay_days=4)
    assert sent_by_ft(world, now=now).deadline == now + timedelta(days=4)


def test_not_to_the_own_structure_nor_another_cite_nor_by_a_follow_up_member(world):
    person = followed_by_ft(world)
    with pytest.raises(ValidationError) as exc:
        sent_by_ft(world, person=person, service=service_of(world.ft))
    assert "autre structure" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        sent_by_ft(world, person=person, service=service_of(world.other_structure))
    assert "partenaire de la cité" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.send_orientation(
            ctx=ctx_for(world.referent_ml),
            beneficiary=person,
            service=service_of(world.asso),
            message="Un atelier.",
        )
    assert not Orientation.objects.exists()


def test_an_expired_service_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        sent_by_ft(world, service=service_of(world.ml, expired=True))
    assert "pas ouvert" in str(exc.value)


def test_members_of_the_receiving_structure_are_told_without_names(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        o = sent_by_ft(world)
    assert [m.to for m in mail.outbox] == [[world.referent_ml.user.email]]
    message = mail.outbox[0]
    assert message.subject == f"citemploi : nouvelle orientation n° {o.pk} reçue"
    assert "Diallo" not in message.body and "Awa" not in message.body
    assert f"/orientations/{o.pk}/" in message.body
    assert not AnswerLink.objects.exists()
    assert AuditEvent.objects.filter(code="orientation.send", beneficiary_id=o.beneficiary_id).exists()


def test_a_structure_without_account_gets_a_single_use_link(world, django_capture_on_commit_callbacks):
    world.asso.email = "contact@asso.example.org"
    world.asso.save()
    with django_capture_on_commit_callbacks(execute=True):
        o = sent_by_ft(world, service=service_of(world.asso))
    link = AnswerLink.objects.get(orientation=o)
    assert link.recipient == "contact@asso.example.org" and link.expires_at == o.deadline
    assert [m.to for m in mail.outbox] == [["contact@asso.example.org"]]
    assert "/orientations/lien/" in mail.outbox[0].body and "Diallo" not in mail.outbox[0].body


def test_a_service_contact_email_gets_the_link_as_well_as_the_members(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent_by_ft(world, service=service_of(world.ml, email="permis@ml.example.org"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["permis@ml.example.org", world.referent_ml.user.email]
    )


def test_a_structure_nobody_can_answer_for_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        sent_by_ft(world, service=service_of(world.asso))
    assert "ni compte" in str(exc.value)
    assert not Orientation.objects.exists()


def test_the_sender_is_told_of_every_answer(world, django_capture_on_commit_callbacks):
    from tests.orientations.factories import moved

    o = sent_by_ft(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved(world, o, "accepted", "started", "completed")
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"citemploi : votre orientation n° {o.pk} a été acceptée",
        f"citemploi : votre orientation n° {o.pk} a été commencée",
        f"citemploi : votre orientation n° {o.pk} a été terminée",
    ]
    assert all(m.to == [world.referent_ft.user.email] for m in mail.outbox)
    assert all("Diallo" not in m.body for m in mail.outbox)


def test_settings_are_checked_and_versioned(world):
    ctx = ctx_for(world.coordinator)
    saved = services.update_settings(ctx=ctx, answer_delay_days=7, reminder_days_before=3)
    assert (saved.answer_delay_days, saved.reminder_days_before, saved.version) == (7, 3, 2)
    with pytest.raises(ValidationError):
        services.update_settings(ctx=ctx, answer_delay_days=3, reminder_days_before=3)
    from citemploi.core.concurrency import StaleEdit

    with pytest.raises(StaleEdit):
        services.update_settings(ctx=ctx, answer_delay_days=8, reminder_days_before=2, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.update_settings(ctx=ctx_for(world.referent_ft), answer_delay_days=8, reminder_days_before=2)
    assert OrientationSettings.objects.get(cite=world.cite).answer_delay_days == 7
