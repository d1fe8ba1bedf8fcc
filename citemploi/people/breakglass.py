"""Break-glass emergency access to a person's sensitive data.

Sensitive attributes are shown to the responsible référent only (`beneficiary.view_sensitive`). In an
emergency, a coordinator of the person's cité may open them with a written justification, for a limited
time. The opening is audited, the responsible référent is told by e-mail (no name in the e-mail), and
every access is listed for review on the coordinators' screen. It never reaches another cité: the
person must be one the coordinator may see (`beneficiary.view`).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent
from citemploi.people.models import Beneficiary, EmergencyAccess

MIN_JUSTIFICATION_LENGTH = 40
DURATION = timedelta(minutes=60)


def may_break_glass(ctx: ActingContext) -> bool:
    return ctx.can("beneficiary.emergency_access")


def active_access(ctx: ActingContext, beneficiary: Beneficiary) -> EmergencyAccess | None:
    """The acting membership's emergency access to this person still running, if any."""
    if ctx.membership is None or not may_break_glass(ctx) or beneficiary.cite_id != ctx.cite_id:
        return None
    return (
        EmergencyAccess.objects.filter(
            membership=ctx.membership,
            beneficiary=beneficiary,
            cite_id=ctx.cite_id,
            expires_at__gt=timezone.now(),
            closed_at__isnull=True,
        )
        .order_by("-expires_at")
        .first()
    )


@transaction.atomic
def open_access(*, ctx: ActingContext, beneficiary: Beneficiary, justification: str) -> EmergencyAccess:
    """Open a time-limited access to the person's sensitive data; the référent is told on commit."""
    from citemploi.people.queries import can

    if not may_break_glass(ctx) or not can(ctx, "beneficiary.view", beneficiary):
        raise PermissionDenied("Seule la coordination de la cité peut ouvrir un accès d'urgence.")
    justification = justification.strip()
    if len(justification) < MIN_JUSTIFICATION_LENGTH:
        raise ValidationError(
            f"Justifiez l'accès d'urgence en {MIN_JUSTIFICATION_LENGTH} caractères au moins."
        )
    assert ctx.membership is not None  # noqa: S101 - may_break_glass checked the role
    access = EmergencyAccess.objects.create(
        cite_id=beneficiary.cite_id,
        beneficiary=beneficiary,
        membership=ctx.membership,
        user=ctx.user,
        justification=justification,
        expires_at=timezone.now() + DURATION,
    )
    audit.log(
        ctx,
        "beneficiary.emergency_access",
        access,
        beneficiary_id=beneficiary.pk,
        changes={"justification": justification, "expires_at": access.expires_at},
    )
    referent = beneficiary.referent
    if referent is not None and referent.email:
        transaction.on_commit(lambda: _notify(referent.email, referent.first_name, access.pk))
    return access


def _notify(email: str, first_name: str, access_pk: int) -> None:
    send_mail(
        subject="citemploi : accès d'urgence à une fiche que vous suivez",
        message=(
            f"Bonjour {first_name},\n\n"
            "La coordination de la cité a ouvert un accès d'urgence, limité dans le temps et justifié, "
            "aux informations sensibles d'une personne que vous accompagnez.\n"
            f"Le détail (qui, quand, pourquoi) est consultable dans citemploi : "
            f"{settings.SITE_URL}/personnes/acces-d-urgence/#acces-{access_pk}\n\n"
            "L'équipe citemploi"
        ),
        from_email=None,
        recipient_list=[email],
    )


def accesses_for_review(ctx: ActingContext) -> QuerySet[EmergencyAccess]:
    """Every emergency access of the acting coordinator's cité, newest first (for review)."""
    if not may_break_glass(ctx):
        return EmergencyAccess.objects.none()
    return EmergencyAccess.objects.filter(cite_id=ctx.cite_id).select_related("user", "membership__structure")


def reads_during(accesses: list[EmergencyAccess]) -> dict[int, list[tuple[str, object]]]:
    """What each access's holder did on the file while it was open: (code, time) per access id, in order.

    One query for the whole page of accesses (the beneficiary index narrows it to the files concerned)."""
    if not accesses:
        return {}
    window = Q()
    for access in accesses:
        window |= Q(
            actor_id=access.user_id,
            beneficiary_id=access.beneficiary_id,
            created_at__gte=access.opened_at,
            created_at__lte=access.expires_at,
        )
    result: dict[int, list[tuple[str, object]]] = {access.pk: [] for access in accesses}
    rows = AuditEvent.objects.filter(window).order_by("created_at", "id")
    for actor_id, beneficiary_id, code, created_at in rows.values_list(
        "actor_id", "beneficiary_id", "code", "created_at"
    ):
        for access in accesses:
            if (
                access.user_id == actor_id
                and access.beneficiary_id == beneficiary_id
                and access.opened_at <= created_at <= access.expires_at
            ):
                result[access.pk].append((code, created_at))
    return result
