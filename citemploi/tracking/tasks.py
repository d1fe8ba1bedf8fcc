"""Daily e-mail to référents about the follow-up checks that fell due."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from citemploi.core.periodic import periodic
from citemploi.tracking.models import FollowUpCheck


def checks_to_remind(today=None):
    """Checks due, not recorded and never reminded, of people with an active responsible référent."""
    today = today or timezone.localdate()
    return FollowUpCheck.objects.filter(
        recorded_on__isnull=True,
        reminded_at__isnull=True,
        due_on__lte=today,
        outcome__beneficiary__anonymised_at__isnull=True,
        outcome__beneficiary__referent__isnull=False,
        outcome__beneficiary__referent__is_active=True,
    )


@periodic("tracking.remind_due_checks", every="daily", at_hour=7)
@task()
def remind_due_checks() -> int:
    """Each référent gets one e-mail with the number of their people's checks that fell due since the last
    e-mail; each check is announced once. The e-mail carries no name: a count and a link to the platform."""
    by_referent: dict[int, list[int]] = {}
    contacts: dict[int, tuple[str, str]] = {}
    rows = checks_to_remind().values_list(
        "pk",
        "outcome__beneficiary__referent_id",
        "outcome__beneficiary__referent__email",
        "outcome__beneficiary__referent__first_name",
    )
    for pk, referent_id, email, first_name in rows:
        by_referent.setdefault(referent_id, []).append(pk)
        contacts[referent_id] = (email, first_name)
    sent = 0
    for referent_id, ids in sorted(by_referent.items()):
        email, first_name = contacts[referent_id]
        with transaction.atomic():
            # Claimed before sending: a second run (or worker) finds nothing left to announce.
            count = checks_to_remind().filter(pk__in=ids).update(reminded_at=timezone.now())
            if not count or not email:
                continue
            plural = count > 1
            send_mail(
                subject="citemploi : points de suivi à faire",
                message=(
                    f"Bonjour {first_name},\n\n"
                    f"{count} point{'s' if plural else ''} de suivi (maintien dans l'emploi ou la formation, "
                    f"à 3, 6 ou 12 mois) {'sont arrivés' if plural else 'est arrivé'} à échéance pour des "
                    "personnes que vous accompagnez.\n"
                    f"Retrouvez-les sur votre page d'accueil de citemploi : {settings.SITE_URL}/\n\n"
                    "L'équipe citemploi"
                ),
                from_email=None,
                recipient_list=[email],
            )
        sent += 1
    return sent
