"""Break-glass: a coordinator reads a person's sensitive data only with a justification, for a limited time,
audited, the référent told without names, and never in another cité."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.people import breakglass, queries
from citemploi.people.models import EmergencyAccess, SensitiveInfo
from tests.factories import BeneficiaryFactory, ctx_for, member
from tests.tracking.helpers import person_of

WHY = "Appel du SAMU social : la personne est hospitalisée, besoin de connaître son suivi santé."


@pytest.fixture
def person(world):
    person = person_of(world, first_name="Zénobie", last_name="Quarantebert")
    SensitiveInfo.objects.create(beneficiary=person, health_barrier=True)
    return person


def test_a_coordinator_sees_no_sensitive_data_without_emergency_access(world, person):
    assert queries.sensitive_for(ctx_for(world.coordinator), person) is None
    assert queries.sensitive_for(ctx_for(world.referent_ft), person).health_barrier


def test_an_emergency_access_opens_the_sensitive_data_audited_and_notified(
    world, person, django_capture_on_commit_callbacks
):
    ctx = ctx_for(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        access = breakglass.open_access(ctx=ctx, beneficiary=person, justification=WHY)
    assert access.expires_at - access.opened_at <= breakglass.DURATION + timezone.timedelta(seconds=1)
    info = queries.sensitive_for(ctx, person)
    assert info is not None and info.health_barrier
    read = AuditEvent.objects.get(code="beneficiary.sensitive_read", actor=world.coordinator.user)
    assert read.changes == {"emergency_access": access.pk}
    assert AuditEvent.objects.filter(code="beneficiary.emergency_access", beneficiary_id=person.pk).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.referent_ft.user.email]
    assert "accès d'urgence" in message.body
    for name in ("Zénobie", "Quarantebert"):
        assert name not in message.body and name not in message.subject
    assert list(breakglass.accesses_for_review(ctx_for(world.coordinator))) == [access]


def test_the_access_expires(world, person):
    ctx = ctx_for(world.coordinator)
    access = breakglass.open_access(ctx=ctx, beneficiary=person, justification=WHY)
    EmergencyAccess.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert queries.sensitive_for(ctx, person) is None


def test_a_short_justification_is_refused(world, person):
    with pytest.raises(ValidationError, match="40 caractères"):
        breakglass.open_access(ctx=ctx_for(world.coordinator), beneficiary=person, justification="urgence")
    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("persona", ["referent_ml", "partner_member_ft", "steering", "national"])
def test_only_coordinators_break_the_glass(world, person, persona):
    with pytest.raises(PermissionDenied):
        breakglass.open_access(ctx=ctx_for(getattr(world, persona)), beneficiary=person, justification=WHY)


def test_it_never_reaches_another_cite(world, person):
    with pytest.raises(PermissionDenied):
        breakglass.open_access(ctx=ctx_for(world.other_coordinator), beneficiary=person, justification=WHY)
    # Even an access row forged for the other cité's coordinator grants nothing.
    EmergencyAccess.objects.create(
        cite=world.cite,
        beneficiary=person,
        membership=world.other_coordinator,
        user=world.other_coordinator.user,
        justification=WHY,
        expires_at=timezone.now() + breakglass.DURATION,
    )
    assert queries.sensitive_for(ctx_for(world.other_coordinator), person) is None
    assert list(breakglass.accesses_for_review(ctx_for(world.other_coordinator))) == []


def test_an_access_to_one_person_opens_no_other(world, person):
    other = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    SensitiveInfo.objects.create(beneficiary=other, rqth=True)
    ctx = ctx_for(world.coordinator)
    breakglass.open_access(ctx=ctx, beneficiary=person, justification=WHY)
    assert queries.sensitive_for(ctx, other) is None
    # Another coordinator of the same cité does not inherit it.
    assert queries.sensitive_for(ctx_for(member(world.cite, "coordinator")), person) is None


def test_the_screens_open_an_access_and_list_it_for_review(client, world, person):
    from tests.conftest import login_as

    login_as(client, world.coordinator)
    detail = client.get(f"/personnes/{person.pk}/")
    assert b"Acc\xc3\xa8s d&#x27;urgence" in detail.content or "Accès d'urgence".encode() in detail.content
    assert b"Probl\xc3\xa8me de sant\xc3\xa9" not in detail.content
    form = client.get(f"/personnes/{person.pk}/acces-d-urgence/")
    assert form.status_code == 200
    short = client.post(f"/personnes/{person.pk}/acces-d-urgence/", {"justification": "vite"})
    assert short.status_code == 200 and not EmergencyAccess.objects.exists()
    done = client.post(f"/personnes/{person.pk}/acces-d-urgence/", {"justification": WHY})
    assert done.status_code == 302
    detail = client.get(f"/personnes/{person.pk}/")
    assert "Problème de santé".encode() in detail.content
    review = client.get("/personnes/acces-d-urgence/")
    assert review.status_code == 200
    assert WHY.encode() in review.content.replace(b"&#x27;", b"'")
    assert b"beneficiary.sensitive_read" in review.content


def test_the_screen_requires_a_recent_sign_in(client, world, person):
    from citemploi.accounts import security
    from tests.conftest import login_as

    login_as(client, world.coordinator)
    session = client.session
    session[security.AUTHENTICATED_AT] = 0
    session.save()
    response = client.post(f"/personnes/{person.pk}/acces-d-urgence/", {"justification": WHY})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("persona", ["referent_ft", "other_coordinator"])
def test_others_get_no_emergency_screen(client, world, person, persona):
    from tests.conftest import login_as

    login_as(client, getattr(world, persona))
    assert client.get(f"/personnes/{person.pk}/acces-d-urgence/").status_code in (403, 404)
    assert client.post(f"/personnes/{person.pk}/acces-d-urgence/", {"justification": WHY}).status_code in (
        403,
        404,
    )
    assert not EmergencyAccess.objects.exists()


def test_the_review_lists_what_each_access_read_in_a_fixed_number_of_queries(client, world, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import login_as

    ctx = ctx_for(world.coordinator)
    first = breakglass.open_access(ctx=ctx, beneficiary=person, justification=WHY)
    queries.sensitive_for(ctx, person)  # audited as a read during the access
    login_as(client, world.coordinator)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/personnes/acces-d-urgence/").status_code == 200
    others = [person_of(world, first_name=f"Autre{n}", last_name="Personne") for n in range(3)]
    for other in others:
        SensitiveInfo.objects.create(beneficiary=other, health_barrier=True)
        breakglass.open_access(ctx=ctx, beneficiary=other, justification=WHY)
        queries.sensitive_for(ctx, other)
    with CaptureQueriesContext(connection) as four:
        response = client.get("/personnes/acces-d-urgence/")
    assert len(four) == len(one)
    reads = breakglass.reads_during(list(EmergencyAccess.objects.all()))
    assert all(
        "beneficiary.sensitive_read" in [code for code, _ in reads[access.pk]]
        for access in EmergencyAccess.objects.all()
    )
    assert first.pk in reads and response.content.count(b"beneficiary.sensitive_read") >= 4
