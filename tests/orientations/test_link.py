"""The single-use answer link: hashed, single use, expiring, and no data once it cannot serve."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.orientations.models import AnswerLink, Orientation
from tests.orientations.factories import sent_by_ft, service_of


@pytest.fixture
def linked(world, django_capture_on_commit_callbacks):
    """An orientation to the association (no member account): its link was e-mailed; returns (o, path)."""
    world.asso.email = "contact@asso.example.org"
    world.asso.save()
    with django_capture_on_commit_callbacks(execute=True):
        o = sent_by_ft(world, service=service_of(world.asso, name="Atelier mobilité"))
    return o, re.search(r"/orientations/lien/\S+/", mail.outbox[-1].body).group(0)


def test_only_the_hash_of_the_token_is_stored(linked):
    o, path = linked
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = AnswerLink.objects.get(orientation=o)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(AnswerLink.objects.values_list())


def test_the_page_shows_the_snapshot_and_audits_the_read(client, linked):
    o, path = linked
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "DIALLO" in page and "Atelier mobilité" in page
    event = AuditEvent.objects.get(code="orientation.link_read")
    assert (event.actor_label, event.beneficiary_id, event.via) == (
        "lien à usage unique",
        o.beneficiary_id,
        "link",
    )


def test_accept_once_then_the_link_is_gone_without_data(client, linked, django_capture_on_commit_callbacks):
    o, path = linked
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"target": "accepted"})
    assert response.status_code == 200 and "Réponse enregistrée" in response.content.decode()
    o.refresh_from_db()
    assert o.status == "accepted"
    last = o.transitions.last()
    assert (last.actor, last.actor_label, last.channel) == (None, "lien à usage unique", "link")
    assert mail.outbox[0].subject == f"citemploi : votre orientation n° {o.pk} a été acceptée"
    again = client.get(path)
    assert again.status_code == 410 and "DIALLO" not in again.content.decode()
    second = client.post(path, {"target": "refused", "refusal_reason": "no_capacity"})
    assert second.status_code == 410
    assert Orientation.objects.get(pk=o.pk).status == "accepted"


def test_refuse_needs_a_reason(client, linked):
    o, path = linked
    response = client.post(path, {"target": "refused"})
    assert response.status_code == 200 and "Choisissez le motif du refus" in response.content.decode()
    assert Orientation.objects.get(pk=o.pk).status == "sent"
    client.post(path, {"target": "refused", "refusal_reason": "not_eligible"})
    o.refresh_from_db()
    assert (o.status, o.refusal_reason) == ("refused", "not_eligible")


def test_expired_link_answers_410_without_data(client, linked):
    o, path = linked
    AnswerLink.objects.filter(orientation=o).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "DIALLO" not in response.content.decode() and "Atelier" not in response.content.decode()


def test_a_link_is_dead_once_answered_in_the_platform(client, world, linked):
    from citemploi.orientations import services
    from tests.factories import ctx_for
    from tests.orientations.factories import moved  # noqa: F401 — the association has no member: withdraw

    o, path = linked
    services.withdraw(ctx=ctx_for(world.referent_ft), orientation=o)
    assert client.get(path).status_code == 410


def test_unknown_link_answers_404(client, db):
    response = client.get("/orientations/lien/inconnu-123/")
    assert response.status_code == 404 and "Lien inconnu" in response.content.decode()
