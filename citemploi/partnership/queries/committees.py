"""Reads of committees, their members and meetings."""

from django.db.models import Count, Prefetch, Q, QuerySet

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partnership.models import Committee, CommitteeMember, Meeting, MeetingAttendance
from citemploi.partnership.queries.common import get_or_404, in_cite


def committees_for(ctx: ActingContext, action: str = "governance.view") -> QuerySet[Committee]:
    """The committees of the acting cité."""
    return in_cite(ctx, Committee.objects.all(), action)


def committee_rows(ctx: ActingContext) -> QuerySet[Committee]:
    """Committees with their number of current members and of meetings, Copil first."""
    return committees_for(ctx).annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        meeting_count=Count("meetings", distinct=True),
    )


def access_committee_for(ctx: ActingContext, pk: int | str, action: str = "governance.view") -> Committee:
    require(ctx, action)
    return get_or_404(committees_for(ctx, action), pk)


def current_members(committee: Committee) -> QuerySet[CommitteeMember]:
    return (
        committee.members.filter(left_on__isnull=True)
        .select_related("user", "structure")
        .order_by("role", "structure__name", "full_name", "user__last_name", "id")
    )


def former_members(committee: Committee) -> QuerySet[CommitteeMember]:
    return (
        committee.members.filter(left_on__isnull=False)
        .select_related("user", "structure")
        .order_by("-left_on", "id")
    )


def meetings_for(ctx: ActingContext, action: str = "governance.view") -> QuerySet[Meeting]:
    """Meetings of the committees of the acting cité."""
    return in_cite(ctx, Meeting.objects.select_related("committee"), action, "committee__cite_id")


def access_meeting_for(ctx: ActingContext, pk: int | str, action: str = "governance.view") -> Meeting:
    require(ctx, action)
    return get_or_404(meetings_for(ctx, action), pk)


def meeting_with_details(meeting: Meeting) -> Meeting:
    """The meeting with its attendance (members, structures) and decisions loaded in three queries."""
    return (
        Meeting.objects.select_related("committee__cite")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=MeetingAttendance.objects.select_related("member__user", "member__structure"),
            ),
            "decisions",
        )
        .get(pk=meeting.pk)
    )


def invitation_recipients(meeting: Meeting) -> list[CommitteeMember]:
    """Current members of the meeting's committee who have an e-mail address, one per address."""
    seen: set[str] = set()
    recipients = []
    for member in current_members(meeting.committee):
        email = (member.contact_email or "").strip().lower()
        if email and email not in seen:
            seen.add(email)
            recipients.append(member)
    return recipients
