"""Background work of the partnership domain: meeting invitations by e-mail, each with its .ics."""

from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

from citemploi.accounts.models import User
from citemploi.partnership import ics
from citemploi.partnership.models import Meeting, MeetingInvitation
from citemploi.partnership.queries.committees import invitation_recipients


def _organizer(organizer_id: int | None) -> tuple[str, str]:
    user = User.objects.filter(pk=organizer_id).first() if organizer_id else None
    if user is not None and user.email:
        return user.get_full_name() or user.email, user.email
    name = parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return name or "citemploi", ics.default_organizer_email()


def invitation_body(meeting: Meeting, organizer_name: str) -> str:
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    if meeting.cancelled:
        opening = f"La réunion « {meeting} » prévue le {local_start:%d/%m/%Y à %H:%M} est annulée."
    else:
        opening = (
            f"Vous êtes invité·e à la réunion « {meeting} » de l'instance « {meeting.committee.name} », "
            f"le {local_start:%d/%m/%Y} de {local_start:%H:%M} à {local_end:%H:%M}"
            + (f", {meeting.place}." if meeting.place else ".")
        )
    parts = ["Bonjour,", "", opening]
    if meeting.agenda.strip() and not meeting.cancelled:
        parts += ["", "Ordre du jour :", meeting.agenda.strip()]
    parts += [
        "",
        "L'invitation est jointe (fichier invitation.ics) : ouvrez-la pour l'ajouter à votre agenda.",
        "",
        organizer_name,
        f"via citemploi — {settings.SITE_URL}",
    ]
    return "\n".join(parts)


def calendar_attachment(calendar: str, method: str) -> MIMEText:
    """The .ics as an iMIP part (RFC 6047): text/calendar with its METHOD, base64 so CRLF survive."""
    part = MIMEText(calendar, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


@task()
def send_meeting_invitations(meeting_id: int, organizer_id: int | None = None) -> int:
    """Send the invitation of a meeting to each current member of its committee who has an e-mail address.

    Each e-mail carries the calendar event as an .ics attachment; each sending is recorded.
    """
    meeting = Meeting.objects.select_related("committee").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    organizer_name, organizer_email = _organizer(organizer_id)
    recipients = invitation_recipients(meeting)
    subject = (
        f"Annulation : {meeting} ({timezone.localtime(meeting.starts_at):%d/%m/%Y})"
        if meeting.cancelled
        else f"Invitation : {meeting} ({timezone.localtime(meeting.starts_at):%d/%m/%Y})"
    )
    body = invitation_body(meeting, organizer_name)
    method = "CANCEL" if meeting.cancelled else "REQUEST"
    messages = []
    for member in recipients:
        calendar = ics.meeting_calendar(
            meeting,
            organizer_name=organizer_name,
            organizer_email=organizer_email,
            attendees=[(member.display_name, member.contact_email)],
        )
        message = EmailMessage(subject=subject, body=body, to=[member.contact_email])
        message.attach(calendar_attachment(calendar, method))
        messages.append(message)
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    MeetingInvitation.objects.bulk_create(
        [
            MeetingInvitation(
                meeting=meeting, member=member, email=member.contact_email, sequence=meeting.sequence
            )
            for member in recipients
        ]
    )
    return sent
