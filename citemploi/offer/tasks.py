"""Freshness of the offer: structures are reminded of their services not updated for six months."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from citemploi.core.periodic import periodic
from citemploi.core.policy import Role
from citemploi.offer.models import Service, stale_cutoff
from citemploi.offer.uploads import purge_expired_uploads
from citemploi.partners.models import Membership

#: a structure is reminded of the same stale service at most once in this many days
REMIND_EVERY_DAYS = 30
#: roles of a structure's members who keep its services up to date (they may edit them)
EDITOR_ROLES = (Role.REFERENT, Role.PARTNER_MEMBER)


def services_to_remind(now: datetime) -> list[Service]:
    """Stale services whose structure was not reminded of them in the last REMIND_EVERY_DAYS days."""
    today = timezone.localdate(now)
    return list(
        Service.objects.filter(last_updated_on__lt=stale_cutoff(today))
        .filter(
            Q(stale_reminded_at__isnull=True)
            | Q(stale_reminded_at__lt=now - timedelta(days=REMIND_EVERY_DAYS))
        )
        .select_related("structure")
        .order_by("structure_id", "last_updated_on", "name", "id")
    )


def recipients_of(structure_ids: set[int]) -> dict[int, list[str]]:
    """structure → e-mail addresses: its contact address and its active référents and members."""
    found: dict[int, dict[str, None]] = defaultdict(dict)
    rows = (
        Membership.objects.filter(
            structure_id__in=structure_ids, is_active=True, user__is_active=True, role__in=EDITOR_ROLES
        )
        .exclude(user__email="")
        .values_list("structure_id", "user__email")
        .order_by("structure_id", "user__email")
    )
    for structure_id, email in rows:
        found[structure_id].setdefault(email.lower(), None)
    return {pk: list(emails) for pk, emails in found.items()}


def _message(structure_name: str, services: list[Service], structure_id: int) -> str:
    lines = "\n".join(
        f"- {s.name} (dernière mise à jour le {s.last_updated_on.strftime('%d/%m/%Y')})" for s in services
    )
    count = len(services)
    return (
        "Bonjour,\n\n"
        f"{count} service{'s' if count > 1 else ''} de {structure_name} "
        f"n'{'ont' if count > 1 else 'a'} pas été mis à jour depuis plus de six mois :\n\n"
        f"{lines}\n\n"
        "Les habitants et les partenaires de la cité de l'emploi s'appuient sur ces informations. "
        "Vérifiez-les et modifiez-les, ou confirmez qu'elles sont toujours exactes :\n"
        f"{settings.SITE_URL}/offre/?structure={structure_id}&a_actualiser=oui\n\n"
        "L'équipe citemploi"
    )


@periodic("offer.remind_stale_services", every="daily", at_hour=6)
@task()
def remind_stale_services() -> int:
    """Each structure with stale services gets one e-mail listing them (sent to its contact address and to each
    of its active référents and members); returns the number of structures reminded.

    A structure with neither a contact address nor active members is skipped (and will be tried again the
    next day): coordinators still see its services on the list of services to update.
    """
    now = timezone.now()
    by_structure: dict[int, list[Service]] = defaultdict(list)
    for service in services_to_remind(now):
        by_structure[service.structure_id].append(service)
    members = recipients_of(set(by_structure))
    sent = 0
    for structure_id, services in by_structure.items():
        structure = services[0].structure
        addresses = dict.fromkeys(
            ([structure.email.lower()] if structure.email else []) + members.get(structure_id, [])
        )
        if not addresses:
            continue
        count = len(services)
        subject = f"citemploi : {count} service{'s' if count > 1 else ''} à actualiser"
        message = _message(structure.name, services, structure_id)
        # One message per person: members of a structure do not learn each other's addresses.
        send_mass_mail([(subject, message, None, [address]) for address in addresses])
        Service.objects.filter(pk__in=[s.pk for s in services]).update(stale_reminded_at=now)
        sent += 1
    return sent


@periodic("offer.purge_import_uploads", every="daily", at_hour=4)
@task()
def purge_import_uploads() -> int:
    """Files uploaded for an import and left behind are deleted after a day."""
    return purge_expired_uploads()
