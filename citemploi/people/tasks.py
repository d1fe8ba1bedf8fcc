"""Daily reminders about people's files."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from citemploi.core.periodic import periodic
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary, Consent

#: a file is expected to carry the person's consent to follow-up within this many days
CONSENT_GRACE_DAYS = 7


def people_missing_consent(now=None):
    """Files created more than CONSENT_GRACE_DAYS ago with no active follow-up consent, by référent."""
    now = now or timezone.now()
    active = Consent.objects.filter(
        beneficiary=OuterRef("pk"), scope=ConsentScope.FOLLOW_UP, withdrawn_on__isnull=True
    )
    return (
        Beneficiary.objects.filter(
            anonymised_at__isnull=True,
            referent__isnull=False,
            referent__is_active=True,
            created_at__lt=now - timedelta(days=CONSENT_GRACE_DAYS),
        )
        .exclude(Exists(active))
        .values("referent_id", "referent__email", "referent__first_name")
        .annotate(count=Count("id"))
        .order_by("referent_id")
    )


@periodic("people.remind_missing_consents", every="daily", at_hour=7)
@task()
def remind_missing_consents() -> int:
    """Each référent gets one e-mail listing how many of their files lack the person's consent.

    The e-mail carries no name: only a count and a link (personal data stay in the platform).
    """
    sent = 0
    for row in people_missing_consent():
        count = row["count"]
        send_mail(
            subject="citemploi : consentements à recueillir",
            message=(
                f"Bonjour {row['referent__first_name']},\n\n"
                f"{count} personne{'s' if count > 1 else ''} que vous accompagnez "
                f"n'{'ont' if count > 1 else 'a'} pas encore de consentement au suivi enregistré.\n"
                f"Retrouvez-les dans citemploi : {settings.SITE_URL}/personnes/\n\n"
                "L'équipe citemploi"
            ),
            from_email=None,
            recipient_list=[row["referent__email"]],
        )
        sent += 1
    return sent


@periodic("people.purge_import_uploads", every="hourly")
@task()
def purge_import_uploads() -> int:
    """Uploaded import files are kept 24 hours between the steps of an import, then deleted."""
    from citemploi.people.importing.uploads import purge_expired_uploads

    return purge_expired_uploads()


@periodic("people.apply_retention", every="daily", at_hour=3)
@task()
def apply_retention() -> int:
    """Anonymise and delete the files the cités' retention rules reach (citemploi/people/retention.py)."""
    from citemploi.people.retention import apply_retention_everywhere

    runs = apply_retention_everywhere(via="task")
    return sum(run.anonymised + run.deleted for run in runs)
