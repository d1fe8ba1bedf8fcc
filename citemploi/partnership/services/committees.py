"""Writes on committees, their members and their meetings."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partners.models import Membership, Structure
from citemploi.partnership.enums import AttendanceStatus, CommitteeRole
from citemploi.partnership.models import Committee, CommitteeMember, Decision, Meeting, MeetingAttendance
from citemploi.partnership.queries import committees as queries
from citemploi.partnership.services.common import STALE_MESSAGE, StaleEdit, check_fields, check_structure

COMMITTEE_FIELDS = ["kind", "name", "purpose", "is_active"]
MEETING_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "place",
    "agenda",
    "minutes",
    "other_attendees",
    "cancelled",
]
#: a change of these fields after the invitations were sent makes calendars update the event
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "place", "agenda", "cancelled"}


def _own(ctx: ActingContext, committee: Committee) -> None:
    if committee.cite_id != ctx.cite_id:
        raise PermissionDenied("Cette instance ne relève pas de votre cité.")


def _unique_name(ctx: ActingContext, name: str, exclude_pk: int | None = None) -> None:
    qs = Committee.objects.filter(cite_id=ctx.cite_id, name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"name": "Une instance porte déjà ce nom dans la cité."})


@transaction.atomic
def create_committee(*, ctx: ActingContext, data: dict[str, Any]) -> Committee:
    require(ctx, "governance.manage")
    check_fields(data, COMMITTEE_FIELDS)
    _unique_name(ctx, data.get("name", ""))
    committee = Committee(cite_id=ctx.cite_id, **data)
    committee.full_clean(exclude=["cite"])
    committee.save()
    audit.log(ctx, "committee.create", committee, changes={k: [None, v] for k, v in data.items()})
    return committee


@transaction.atomic
def update_committee(*, ctx: ActingContext, committee: Committee, data: dict[str, Any]) -> Committee:
    require(ctx, "governance.manage")
    _own(ctx, committee)
    check_fields(data, COMMITTEE_FIELDS)
    locked = Committee.objects.select_for_update().get(pk=committee.pk)
    if "name" in data:
        _unique_name(ctx, data["name"], exclude_pk=locked.pk)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["cite"])
    changes = audit.diff(locked, before, list(data))
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
        audit.log(ctx, "committee.update", locked, changes=changes)
    return locked


@transaction.atomic
def add_member(
    *,
    ctx: ActingContext,
    committee: Committee,
    user: Any = None,
    structure: Structure | None = None,
    full_name: str = "",
    email: str = "",
    function: str = "",
    role: str = CommitteeRole.MEMBER,
    joined_on: date | None = None,
) -> CommitteeMember:
    """Seat a person on a committee: a user of the cité, or a person without an account (name required).

    The represented structure must be a partner of the cité; a user cannot sit twice on the same committee.
    """
    require(ctx, "governance.manage")
    _own(ctx, committee)
    check_structure(ctx, structure, "structure")
    full_name, email = full_name.strip(), email.strip()
    if user is not None:
        if not Membership.objects.filter(user=user, cite_id=ctx.cite_id, is_active=True).exists():
            raise ValidationError({"user": "Cette personne n'a pas de rôle actif dans la cité."})
        if committee.members.filter(user=user, left_on__isnull=True).exists():
            raise ValidationError({"user": "Cette personne siège déjà dans l'instance."})
        full_name = user.get_full_name() or user.email
        email = ""  # the account's address is used, and follows its changes
    elif not full_name:
        raise ValidationError(
            {"full_name": "Indiquez le nom de la personne, ou choisissez un compte de la cité."}
        )
    elif email and committee.members.filter(email__iexact=email, left_on__isnull=True).exists():
        raise ValidationError({"email": "Une personne avec cette adresse siège déjà dans l'instance."})
    member = CommitteeMember(
        committee=committee,
        user=user,
        structure=structure,
        full_name=full_name,
        email=email,
        function=function.strip(),
        role=role,
        joined_on=joined_on or timezone.localdate(),
    )
    member.full_clean(exclude=["committee", "user", "structure"])
    member.save()
    audit.log(
        ctx,
        "committee.member_add",
        member,
        changes={
            "committee": [None, committee.name],
            "member": [None, member.display_name],
            "structure": [None, structure.name if structure else None],
            "role": [None, role],
        },
    )
    return member


@transaction.atomic
def remove_member(
    *, ctx: ActingContext, member: CommitteeMember, left_on: date | None = None
) -> CommitteeMember:
    """A member leaves the committee; the row stays for the history of past meetings."""
    require(ctx, "governance.manage")
    _own(ctx, member.committee)
    if member.left_on is not None:
        raise ValidationError("Cette personne a déjà quitté l'instance.")
    member.left_on = left_on or timezone.localdate()
    member.save(update_fields=["left_on"])
    audit.log(
        ctx,
        "committee.member_remove",
        member,
        changes={
            "committee": [member.committee.name, member.committee.name],
            "member": [member.display_name, None],
        },
    )
    return member


def _check_times(meeting: Meeting) -> None:
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": "La fin de la réunion doit suivre son début."})


@transaction.atomic
def create_meeting(*, ctx: ActingContext, committee: Committee, data: dict[str, Any]) -> Meeting:
    require(ctx, "meeting.manage")
    _own(ctx, committee)
    check_fields(data, MEETING_FIELDS)
    meeting = Meeting(committee=committee, created_by=ctx.user, **data)
    _check_times(meeting)
    meeting.full_clean(exclude=["committee", "created_by"])
    meeting.save()
    audit.log(
        ctx,
        "meeting.create",
        meeting,
        changes={"committee": [None, committee.name], "starts_at": [None, meeting.starts_at]},
    )
    return meeting


def _sync_attendance(meeting: Meeting, attendance: dict[int, str]) -> dict[str, list]:
    """Set the attendance of the listed members (members of the committee only; an empty status clears
    it); returns the changes."""
    valid_members = set(meeting.committee.members.values_list("pk", flat=True))
    unknown = set(attendance) - valid_members
    if unknown:
        raise ValidationError({"attendance": "Ces personnes ne sont pas membres de l'instance."})
    statuses = set(AttendanceStatus.values) | {""}
    if any(status not in statuses for status in attendance.values()):
        raise ValidationError({"attendance": "Présence inconnue."})
    existing = {a.member_id: a for a in meeting.attendances.all()}
    changes: dict[str, list] = {}
    for member_id, status in attendance.items():
        row = existing.get(member_id)
        if not status:
            if row is not None:
                changes[f"attendance.{member_id}"] = [row.status, None]
                row.delete()
        elif row is None:
            MeetingAttendance.objects.create(meeting=meeting, member_id=member_id, status=status)
            changes[f"attendance.{member_id}"] = [None, status]
        elif row.status != status:
            changes[f"attendance.{member_id}"] = [row.status, status]
            row.status = status
            row.save(update_fields=["status"])
    return changes


def _sync_decisions(meeting: Meeting, decisions: list[str]) -> dict[str, list]:
    wanted = [text.strip() for text in decisions if text.strip()]
    current = [d.text for d in meeting.decisions.order_by("position", "id")]
    if wanted == current:
        return {}
    meeting.decisions.all().delete()
    Decision.objects.bulk_create(
        [Decision(meeting=meeting, position=i, text=text) for i, text in enumerate(wanted, 1)]
    )
    return {"decisions": [current, wanted]}


@transaction.atomic
def update_meeting(
    *,
    ctx: ActingContext,
    meeting: Meeting,
    data: dict[str, Any],
    attendance: dict[int, str] | None = None,
    decisions: list[str] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Change a meeting: its practical details, attendance, decisions and minutes.

    When invitations were already sent and the date, place, agenda or cancellation changes, the calendar
    sequence goes up so that sending the invitations again updates the event in the members' calendars.
    """
    require(ctx, "meeting.manage")
    _own(ctx, meeting.committee)
    check_fields(data, MEETING_FIELDS)
    locked = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    _check_times(locked)
    locked.full_clean(exclude=["committee", "created_by"])
    changes = audit.diff(locked, before, list(data))
    if attendance is not None:
        changes |= _sync_attendance(locked, attendance)
    if decisions is not None:
        changes |= _sync_decisions(locked, decisions)
    if not changes:
        return locked
    fields = [f for f in changes if f in MEETING_FIELDS]
    if locked.invitations_sent_at is not None and CALENDAR_FIELDS & set(changes):
        locked.sequence = F("sequence") + 1
        fields.append("sequence")
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    locked.refresh_from_db(fields=["version", "sequence"])
    audit.log(ctx, "meeting.update", locked, changes=changes)
    return locked


@transaction.atomic
def send_invitations(*, ctx: ActingContext, meeting: Meeting) -> int:
    """E-mail the invitation (with its .ics) to every current member who has an address, in the background.

    Returns the number of invitations that will be sent. A meeting already over cannot be sent (a cancelled
    one can: members receive the cancellation for their calendars).
    """
    require(ctx, "meeting.manage")
    _own(ctx, meeting.committee)
    locked = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    if locked.ends_at <= timezone.now() and not locked.cancelled:
        raise ValidationError("Cette réunion est passée : les invitations ne peuvent plus être envoyées.")
    recipients = queries.invitation_recipients(locked)
    if not recipients:
        raise ValidationError(
            "Aucun membre de l'instance n'a d'adresse e-mail : ajoutez des membres avant d'envoyer les invitations."
        )
    locked.invitations_sent_at = timezone.now()
    locked.save(update_fields=["invitations_sent_at"])
    audit.log(
        ctx,
        "meeting.invitations_send",
        locked,
        changes={"recipients": [None, len(recipients)], "sequence": [None, locked.sequence]},
    )
    from citemploi.partnership.tasks import send_meeting_invitations

    meeting_id, organizer_id = locked.pk, ctx.user.pk
    transaction.on_commit(lambda: send_meeting_invitations.enqueue(meeting_id, organizer_id))
    return len(recipients)
