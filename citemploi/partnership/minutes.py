"""The minutes of a meeting as a PDF (WeasyPrint), built from the meeting's record."""

from django.template.loader import render_to_string
from django.utils import timezone

from citemploi.partnership.enums import AttendanceStatus
from citemploi.partnership.models import Meeting
from citemploi.partnership.queries.committees import meeting_with_details


def minutes_context(meeting: Meeting) -> dict:
    meeting = meeting_with_details(meeting)
    attendances = list(meeting.attendances.all())
    by_status = {
        status.value: sorted(
            (a.member for a in attendances if a.status == status.value), key=lambda m: m.display_name.lower()
        )
        for status in AttendanceStatus
    }
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "cite": meeting.committee.cite,
        "present": by_status[AttendanceStatus.PRESENT],
        "excused": by_status[AttendanceStatus.EXCUSED],
        "absent": by_status[AttendanceStatus.ABSENT],
        "others": [line.strip() for line in meeting.other_attendees.splitlines() if line.strip()],
        "decisions": list(meeting.decisions.all()),
        "generated_at": timezone.localtime(),
    }


def minutes_pdf(meeting: Meeting) -> bytes:
    """The PDF of the minutes: header, attendance, agenda, minutes text and numbered decisions."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) is slow

    html = render_to_string("partnership/pdf/minutes.html", minutes_context(meeting))
    return HTML(string=html).write_pdf()
