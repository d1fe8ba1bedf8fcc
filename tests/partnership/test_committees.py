"""Committees, members, meetings: attendance, decisions, minutes as PDF, invitations with their .ics."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.partnership.minutes import minutes_pdf
from citemploi.partnership.models import MeetingInvitation
from citemploi.partnership.services import committees as services
from citemploi.partnership.tasks import send_meeting_invitations
from citemploi.reporting import freshness
from tests.factories import UserFactory, ctx_for, member
from tests.partnership.factories import CommitteeFactory, MeetingFactory, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(world):
    """The Copil of the cité: the coordinator (an account), France Travail's director (no account, an
    e-mail), the Mission locale's director (no e-mail)."""
    committee = CommitteeFactory(cite=world.cite, name="Copil")
    seat(
        committee,
        world.ft,
        full_name="Sophie Lemaire",
        email="sophie.lemaire@example.org",
        function="Directrice",
    )
    seat(committee, world.ml, full_name="Marc Dubois")
    services.add_member(ctx=ctx_for(world.coordinator), committee=committee, user=world.coordinator.user)
    return committee


def test_members_are_users_of_the_cite_or_named_people(world, copil):
    ctx = ctx_for(world.coordinator)
    with pytest.raises(ValidationError):
        services.add_member(ctx=ctx, committee=copil, user=world.coordinator.user)  # already sitting
    with pytest.raises(ValidationError):
        services.add_member(ctx=ctx, committee=copil, user=world.other_referent.user)  # not of this cité
    with pytest.raises(ValidationError):
        services.add_member(ctx=ctx, committee=copil)  # neither an account nor a name
    with pytest.raises(ValidationError):
        services.add_member(ctx=ctx, committee=copil, full_name="X", structure=world.other_structure)
    with pytest.raises(PermissionDenied):
        services.add_member(ctx=ctx_for(world.steering), committee=copil, full_name="Préfète déléguée")
    member = services.add_member(ctx=ctx, committee=copil, full_name="Préfète déléguée", role="chair")
    assert member.role == "chair" and AuditEvent.objects.filter(code="committee.member_add").count() == 2


def test_a_member_leaving_is_kept_for_the_history(world, copil):
    leaving = copil.members.get(full_name="Marc Dubois")
    services.remove_member(ctx=ctx_for(world.coordinator), member=leaving)
    leaving.refresh_from_db()
    assert leaving.left_on == timezone.localdate()
    assert copil.members.filter(left_on__isnull=True).count() == 2
    with pytest.raises(ValidationError):
        services.remove_member(ctx=ctx_for(world.coordinator), member=leaving)


def test_meeting_end_must_follow_its_start(world, copil):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError):
        services.create_meeting(
            ctx=ctx_for(world.coordinator), committee=copil, data={"starts_at": start, "ends_at": start}
        )


def test_attendance_and_decisions_are_recorded_and_the_minutes_are_a_pdf(world, copil):
    ctx = ctx_for(world.coordinator)
    meeting = MeetingFactory(committee=copil, held_last_month=True)
    members = {m.display_name: m for m in copil.members.all()}
    services.update_meeting(
        ctx=ctx,
        meeting=meeting,
        data={"minutes": "Les partenaires valident le bilan."},
        attendance={members["Sophie Lemaire"].pk: "present", members["Marc Dubois"].pk: "excused"},
        decisions=["Lancer l'appel à projets 2025", "  ", "Ouvrir une permanence à Etouvie"],
    )
    meeting.refresh_from_db()
    assert meeting.version == 2
    assert [d.text for d in meeting.decisions.all()] == [
        "Lancer l'appel à projets 2025",
        "Ouvrir une permanence à Etouvie",
    ]
    assert dict(meeting.attendances.values_list("member__full_name", "status")) == {
        "Sophie Lemaire": "present",
        "Marc Dubois": "excused",
    }
    # An empty status clears an attendance recorded by mistake.
    services.update_meeting(ctx=ctx, meeting=meeting, data={}, attendance={members["Marc Dubois"].pk: ""})
    assert meeting.attendances.count() == 1
    pdf = minutes_pdf(meeting)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_attendance_of_a_stranger_is_refused(world, copil):
    other_committee = CommitteeFactory(cite=world.cite, cotech=True)
    stranger = seat(other_committee, world.asso)
    meeting = MeetingFactory(committee=copil)
    with pytest.raises(ValidationError):
        services.update_meeting(
            ctx=ctx_for(world.coordinator), meeting=meeting, data={}, attendance={stranger.pk: "present"}
        )


def test_invitations_are_sent_in_the_background_with_an_ics(world, copil, django_capture_on_commit_callbacks):
    world.coordinator.user.email = "coordination@amiens.example.org"
    world.coordinator.user.save()
    meeting = MeetingFactory(committee=copil, title="Copil de printemps")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        count = services.send_invitations(ctx=ctx_for(world.coordinator), meeting=meeting)
    sending = [c for c in callbacks if not freshness.is_versions_callback(c)]
    assert count == 2 and len(sending) == 1  # Marc Dubois has no address
    assert sorted(m.to[0] for m in mail.outbox) == [
        "coordination@amiens.example.org",
        "sophie.lemaire@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation : Copil de printemps")
    [attachment] = message.attachments
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invitation.ics"
    calendar = attachment.get_payload(decode=True).decode("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR\r\n") and f"UID:{meeting.uid}@" in calendar
    assert "ORGANIZER;CN=" in calendar and "mailto:coordination@amiens.example.org" in calendar
    assert "ATTENDEE;CN=" in calendar
    raw = message.message().as_bytes()
    assert b'Content-Type: text/calendar; charset="utf-8"; method="REQUEST"' in raw
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert MeetingInvitation.objects.filter(meeting=meeting).count() == 2
    assert AuditEvent.objects.filter(code="meeting.invitations_send").exists()


def test_a_change_after_sending_raises_the_calendar_sequence(world, copil):
    ctx = ctx_for(world.coordinator)
    meeting = MeetingFactory(committee=copil)
    services.update_meeting(ctx=ctx, meeting=meeting, data={"place": "Mairie annexe"})
    meeting.refresh_from_db()
    assert meeting.sequence == 0  # not sent yet: nothing to update in calendars
    services.send_invitations(ctx=ctx, meeting=meeting)
    services.update_meeting(
        ctx=ctx, meeting=meeting, data={"starts_at": meeting.starts_at + timedelta(hours=1)}
    )
    services.update_meeting(ctx=ctx, meeting=meeting, data={"minutes": "Notes"})
    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_a_cancelled_meeting_sends_a_cancellation(world, copil):
    meeting = MeetingFactory(committee=copil, cancelled=True)
    sent = send_meeting_invitations.call(meeting.pk, world.coordinator.user.pk)
    assert sent == 2
    assert all(m.subject.startswith("Annulation") for m in mail.outbox)
    assert mail.outbox[0].attachments[0].get_param("method") == "CANCEL"


def test_invitations_are_refused_for_a_past_meeting_or_a_committee_without_address(world, copil):
    ctx = ctx_for(world.coordinator)
    with pytest.raises(ValidationError):
        services.send_invitations(ctx=ctx, meeting=MeetingFactory(committee=copil, held_last_month=True))
    silent = CommitteeFactory(cite=world.cite, cotech=True)
    seat(silent, world.asso, full_name="Sans adresse")
    with pytest.raises(ValidationError):
        services.send_invitations(ctx=ctx, meeting=MeetingFactory(committee=silent))
    with pytest.raises(PermissionDenied):
        services.send_invitations(ctx=ctx_for(world.steering), meeting=MeetingFactory(committee=copil))
    assert mail.outbox == []


def test_a_user_member_is_invited_at_their_current_address(world, copil):
    user = UserFactory(email="ancienne@example.org")
    member(world.cite, "partner_member", world.asso, user=user)
    services.add_member(ctx=ctx_for(world.coordinator), committee=copil, user=user, structure=world.asso)
    user.email = "nouvelle@example.org"
    user.save()
    send_meeting_invitations.call(MeetingFactory(committee=copil).pk, None)
    assert "nouvelle@example.org" in [m.to[0] for m in mail.outbox]


def test_committees_of_another_cite_are_out_of_reach(world):
    elsewhere = CommitteeFactory(cite=world.other_cite)
    with pytest.raises(PermissionDenied):
        services.update_committee(ctx=ctx_for(world.coordinator), committee=elsewhere, data={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.create_meeting(
            ctx=ctx_for(world.coordinator),
            committee=elsewhere,
            data={"starts_at": timezone.now(), "ends_at": timezone.now() + timedelta(hours=1)},
        )


def test_committee_names_are_unique_in_a_cite(world, copil):
    with pytest.raises(ValidationError):
        services.create_committee(ctx=ctx_for(world.coordinator), data={"kind": "cotech", "name": "copil"})
