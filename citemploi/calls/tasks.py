"""Background work of the calls: acknowledgements and notifications by e-mail, the daily follow-up
(closing calls past their deadline, reports falling due, files not completed in time, reminders) and the nightly purge of stored
documents no file references any more."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from citemploi.core.periodic import periodic

#: reminders start this many days before a report's due date, then every REMINDER_EVERY_DAYS
REMINDER_BEFORE_DAYS = 15
REMINDER_EVERY_DAYS = 7


def _holder_recipients(app) -> list[str]:
    return sorted({e for e in (app.contact_email, app.signatory_email) if e})


@task()
def send_acknowledgement(version_id: int) -> int:
    """E-mail the holder the acknowledgement of their submission, with the PDF receipt attached."""
    from citemploi.calls.documents import receipt_pdf
    from citemploi.calls.models import ApplicationVersion
    from citemploi.calls.timing import format_paris

    version = ApplicationVersion.objects.select_related("application__call", "created_by").get(pk=version_id)
    app = version.application
    recipients = set(_holder_recipients(app))
    if version.created_by and version.created_by.email:
        recipients.add(version.created_by.email)
    if not recipients:
        return 0
    message = EmailMessage(
        subject=f"Accusé de réception — {app.reference} — {app.call.title}",
        body=(
            "Bonjour,\n\n"
            f"Votre dossier « {app.title} » ({app.reference}) a bien été déposé le "
            f"{format_paris(version.created_at)} sur l'appel à projets « {app.call.title} » "
            f"(version {version.number}).\n"
            "Vous trouverez ci-joint le récapitulatif de votre dépôt.\n\n"
            f"Suivez votre dossier dans citemploi : {settings.SITE_URL}/appels-a-projets/dossiers/{app.pk}/\n\n"
            "L'équipe de la cité de l'emploi"
        ),
        to=sorted(recipients),
    )
    message.attach(
        f"accuse-reception-{app.reference}-v{version.number}.pdf", receipt_pdf(version), "application/pdf"
    )
    message.send()
    return len(recipients)


@task()
def notify_status(application_id: int) -> int:
    """Tell the holder that their file changed status (to complete, not admissible, report to correct)."""
    from citemploi.calls.models import Application

    app = Application.objects.select_related("call").get(pk=application_id)
    recipients = _holder_recipients(app)
    if not recipients:
        return 0
    last = app.transitions.order_by("-created_at", "-id").first()
    reason = f"\nMotif : {last.reason}\n" if last and last.reason else ""
    deadline = f"\nÀ compléter avant le {app.complete_by:%d/%m/%Y}.\n" if app.complete_by else ""
    send_mail(
        subject=f"{app.reference} : {app.get_status_display()}",
        message=(
            f"Bonjour,\n\nVotre dossier « {app.title} » est désormais : {app.get_status_display()}.\n"
            f"{reason}{deadline}\n"
            f"Le détail est dans citemploi : {settings.SITE_URL}/appels-a-projets/dossiers/{app.pk}/\n\n"
            "L'équipe de la cité de l'emploi"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


@task()
def notify_message(message_id: int) -> int:
    """A new message on a file: the holder is told when the instructors write, the coordination when the
    holder writes. The e-mail carries no content, only a link."""
    from citemploi.calls.models import Message
    from citemploi.core.policy import Role
    from citemploi.partners.models import Membership

    message = Message.objects.select_related("application__call").get(pk=message_id)
    app = message.application
    if message.from_holder:
        recipients = sorted(
            set(
                Membership.objects.filter(
                    cite_id=app.call.cite_id, role=Role.COORDINATOR, is_active=True, user__is_active=True
                ).values_list("user__email", flat=True)
            )
        )
    else:
        recipients = _holder_recipients(app)
    if not recipients:
        return 0
    send_mail(
        subject=f"{app.reference} : nouveau message",
        message=(
            f"Bonjour,\n\nUn nouveau message a été écrit sur le dossier « {app.title} ».\n"
            f"Lisez-le dans citemploi : {settings.SITE_URL}/appels-a-projets/dossiers/{app.pk}/messages/\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


@task()
def notify_assignment(assignment_id: int) -> int:
    from citemploi.calls.models import ReviewerAssignment

    a = ReviewerAssignment.objects.select_related("application", "reviewer").get(pk=assignment_id)
    if not a.reviewer.email:
        return 0
    send_mail(
        subject=f"Dossier à instruire : {a.application.reference}",
        message=(
            f"Bonjour,\n\nLe dossier « {a.application.title} » vous est confié pour instruction.\n"
            "Avant d'y accéder, vous déclarerez l'absence de conflit d'intérêts.\n"
            f"{settings.SITE_URL}/appels-a-projets/instruction/\n"
        ),
        from_email=None,
        recipient_list=[a.reviewer.email],
    )
    return 1


def close_past_calls(now=None) -> int:
    """Published calls whose closing minute has passed are closed (by the system, logged)."""
    from citemploi.calls.enums import CallStatus
    from citemploi.calls.models import Call
    from citemploi.calls.services.calls import close_call
    from citemploi.calls.timing import is_late

    now = now or timezone.now()
    closed = 0
    for call in Call.objects.filter(status=CallStatus.PUBLISHED, closes_at__isnull=False):
        if call.closes_at is not None and is_late(call.closes_at, now):
            close_call(ctx=None, call=call, reason="Date de clôture atteinte")
            closed += 1
    return closed


def mark_reports_due(today=None) -> int:
    """Running actions whose agreement has ended: their report becomes due."""
    from citemploi.calls.enums import ApplicationStatus
    from citemploi.calls.models import Application
    from citemploi.calls.services.funding import mark_report_due

    today = today or timezone.localdate()
    moved = 0
    for app in Application.objects.filter(
        status=ApplicationStatus.RUNNING, agreement__ends_on__lt=today
    ).select_related("call"):
        mark_report_due(ctx=None, app=app, reason="Fin de l'action prévue par la convention")
        moved += 1
    return moved


def expire_completions(today=None) -> int:
    """Files sent back « à compléter » whose deadline has passed without the completions become « non
    recevable » (by the system, with the deadline as reason); the holder is told."""
    from citemploi.calls.enums import ApplicationStatus
    from citemploi.calls.machines import APPLICATION, move
    from citemploi.calls.models import Application

    today = today or timezone.localdate()
    expired = 0
    for app in Application.objects.filter(
        status=ApplicationStatus.TO_COMPLETE, complete_by__lt=today
    ).select_related("call"):
        with transaction.atomic():
            move(
                None,
                app,
                APPLICATION,
                ApplicationStatus.NOT_ADMISSIBLE,
                reason=f"Compléments non reçus avant le {app.complete_by:%d/%m/%Y}",
                cite_id=app.call.cite_id,
            )
            app_id = app.pk
            transaction.on_commit(lambda app_id=app_id: notify_status.enqueue(app_id))
        expired += 1
    return expired


def remind_reports(today=None) -> int:
    """Holders whose report is due within REMINDER_BEFORE_DAYS days (or late) get a reminder, at most once
    every REMINDER_EVERY_DAYS days."""
    from citemploi.calls.enums import ReportStatus
    from citemploi.calls.models import Report

    today = today or timezone.localdate()
    sent = 0
    due = Report.objects.filter(
        status__in=[ReportStatus.TO_PRODUCE, ReportStatus.TO_CORRECT],
        due_on__lte=today + timedelta(days=REMINDER_BEFORE_DAYS),
    ).select_related("application")
    for report in due:
        if report.last_reminder_on and report.last_reminder_on > today - timedelta(days=REMINDER_EVERY_DAYS):
            continue
        app = report.application
        recipients = _holder_recipients(app)
        if not recipients:
            continue
        late = report.due_on < today
        send_mail(
            subject=f"{app.reference} : bilan {'en retard' if late else 'à remettre'}",
            message=(
                f"Bonjour,\n\nLe bilan de l'action « {app.title} » est à remettre "
                f"{'depuis' if late else 'avant'} le {report.due_on:%d/%m/%Y}.\n"
                "Il comprend le bilan qualitatif (objectifs, indicateurs) et le bilan financier (prévu et réalisé).\n"
                f"{settings.SITE_URL}/appels-a-projets/dossiers/{app.pk}/bilan/\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        report.last_reminder_on = today
        report.save(update_fields=["last_reminder_on"])
        sent += 1
    return sent


@periodic("calls.daily_followup", every="daily", at_hour=6)
@task()
def daily_followup() -> dict[str, int]:
    with transaction.atomic():
        closed = close_past_calls()
    with transaction.atomic():
        due = mark_reports_due()
    expired = expire_completions()
    reminded = remind_reports()
    return {"calls_closed": closed, "reports_due": due, "completions_expired": expired, "reminders": reminded}


@periodic("calls.purge_orphan_documents", every="daily", at_hour=3)
@task()
def purge_orphan_documents() -> dict[str, int]:
    """Delete the stored documents that no file references any more (see citemploi.calls.storage)."""
    from citemploi.calls.storage import purge_orphan_documents as purge

    result = purge()
    return {"scanned": result.scanned, "deleted": len(result.orphans), "recent": result.recent}
