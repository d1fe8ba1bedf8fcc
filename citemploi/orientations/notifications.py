"""E-mails of the orientations domain. They carry no personal name: a number, a state and a link."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from citemploi.orientations.machine import DONE_LABELS
from citemploi.orientations.models import Orientation

SIGNATURE = "\n\nL'équipe citemploi"


def _url(name: str, **kwargs: object) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _send(subject: str, body: str, recipients: Iterable[str]) -> int:
    to = sorted({r for r in recipients if r})
    if not to:
        return 0
    # One message per recipient: nobody learns who else received it.
    for address in to:
        send_mail(subject=subject, message=body + SIGNATURE, from_email=None, recipient_list=[address])
    return len(to)


def answer_to_sender(orientation: Orientation, target: str) -> int:
    """The sender learns every answer (and the expiry): « Votre orientation n° 123 a été acceptée »."""
    if orientation.sender is None or not orientation.sender.is_active:
        return 0
    done = DONE_LABELS[target]
    verb = "a expiré sans réponse" if target == "expired" else f"a été {done}"
    return _send(
        f"citemploi : votre orientation n° {orientation.pk} {verb}",
        f"Bonjour,\n\nVotre orientation n° {orientation.pk} {verb}.\n"
        f"Consultez-la dans citemploi : {_url('orientations:detail', pk=orientation.pk)}",
        [orientation.sender.email],
    )


def new_to_members(orientation: Orientation, emails: list[str], *, reminder: bool = False) -> int:
    deadline = timezone.localtime(orientation.deadline).strftime("%d/%m/%Y")
    if reminder:
        subject = f"citemploi : rappel, orientation n° {orientation.pk} en attente de réponse"
        intro = f"L'orientation n° {orientation.pk} reçue par votre structure attend toujours une réponse."
    else:
        subject = f"citemploi : nouvelle orientation n° {orientation.pk} reçue"
        intro = f"Votre structure a reçu l'orientation n° {orientation.pk}."
    return _send(
        subject,
        f"Bonjour,\n\n{intro}\nMerci d'y répondre avant le {deadline}, faute de quoi elle expirera.\n"
        f"Répondez dans citemploi : {_url('orientations:detail', pk=orientation.pk)}",
        emails,
    )


def link_to_recipient(orientation: Orientation, recipient: str, token: str, *, reminder: bool = False) -> int:
    deadline = timezone.localtime(orientation.deadline).strftime("%d/%m/%Y")
    subject = (
        f"citemploi : rappel, orientation n° {orientation.pk} en attente de réponse"
        if reminder
        else f"citemploi : nouvelle orientation n° {orientation.pk} vers votre service"
    )
    return _send(
        subject,
        "Bonjour,\n\n"
        f"Un partenaire de la cité de l'emploi oriente une personne vers votre service "
        f"« {orientation.service_name} » (orientation n° {orientation.pk}).\n"
        f"Consultez la demande et répondez (acceptation ou refus motivé) avant le {deadline} "
        f"par ce lien, utilisable une seule fois :\n{_url('orientations:link', token=token)}\n\n"
        "Ce lien est personnel : ne le transférez pas."
        + ("\nIl remplace le lien envoyé précédemment." if reminder else ""),
        [recipient],
    )
