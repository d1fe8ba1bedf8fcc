"""iCalendar (RFC 5545) invitations for committee meetings, written by hand.

- lines end with CRLF and are folded at 75 octets (UTF-8), continuation lines starting with one space,
  never inside a multi-byte character;
- TEXT values escape backslash, semicolon, comma and newlines;
- times are written in UTC (`…Z`), which every calendar reads without a VTIMEZONE block.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from citemploi.partnership.models import Meeting

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//citemploi//Instances de la cité de l'emploi//FR"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value (such as CN): double quotes are not allowed inside; quoted when it holds : ; or ,."""
    value = (value or "").replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    chunks: list[str] = []
    current, size = "", 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation line counts
        current += char
        size += width
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20240312T083000Z."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _domain() -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "citemploi.localhost"


def default_organizer_email() -> str:
    """The platform's sending address, for a calendar file downloaded outside an invitation."""
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"ne-pas-repondre@{_domain()}"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{_domain()}"


def meeting_calendar(
    meeting: Meeting,
    *,
    organizer_name: str,
    organizer_email: str,
    attendees: list[tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> str:
    """The VCALENDAR of a meeting: a request, or a cancellation when the meeting is cancelled.

    `attendees` are (name, e-mail) pairs written as ATTENDEE lines.
    """
    committee = meeting.committee
    method = "CANCEL" if meeting.cancelled else "REQUEST"
    description_parts = [f"Réunion de l'instance « {committee.name} »."]
    if meeting.agenda.strip():
        description_parts.append("Ordre du jour :\n" + meeting.agenda.strip())
    summary = meeting.title or f"{committee.name} — réunion"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{meeting_uid(meeting)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{utc_stamp(now or timezone.now())}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(meeting.place)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description_parts))}",
        f"ORGANIZER;CN={param_value(organizer_name)}:mailto:{organizer_email}",
    ]
    for name, email in attendees or []:
        lines.append(
            f"ATTENDEE;CN={param_value(name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{email}"
        )
    lines += [
        f"STATUS:{'CANCELLED' if meeting.cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in lines)
