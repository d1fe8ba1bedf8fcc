"""Writes of the orientations domain. Screens, the API, the single-use link, tasks and the demo go through here.

Each service checks the policy for the acting context, writes in one transaction with its audit row (and the
transition log), and sends its e-mails once the transaction is committed.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.offer.models import Service
from citemploi.offer.queries import services_for
from citemploi.orientations import notifications, queries
from citemploi.orientations.enums import (
    OPTIONAL_GROUPS,
    REQUIRED_GROUPS,
    Channel,
    RefusalReason,
    SharedGroup,
    Status,
)
from citemploi.orientations.machine import (
    LINK_TARGETS,
    RECEIVER_TARGETS,
    Actor,
    TransitionRefused,
    move,
)
from citemploi.orientations.models import AnswerLink, Orientation, OrientationSettings, OrientationTransition
from citemploi.partners.models import Membership
from citemploi.people import queries as people_queries
from citemploi.people.enums import ConsentScope
from citemploi.people.models import Beneficiary

MAX_MESSAGE = 4000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Snapshot -------------------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def snapshot_rows(b: Beneficiary, groups: Iterable[str]) -> list[dict[str, str]]:
    """The rows of the shared groups, as the receiver will read them (values written out, frozen)."""
    wanted = set(groups)
    rows: list[tuple[str, str, str]] = []
    if SharedGroup.IDENTITY in wanted:
        rows += [
            (SharedGroup.IDENTITY, "Nom", b.last_name.upper()),
            (SharedGroup.IDENTITY, "Prénom", b.first_name),
            (
                SharedGroup.IDENTITY,
                "Date de naissance",
                b.birth_date.strftime("%d/%m/%Y") if b.birth_date else "non renseignée",
            ),
        ]
    if SharedGroup.CONTACT in wanted:
        rows += [
            (SharedGroup.CONTACT, "E-mail", b.email or "non renseigné"),
            (SharedGroup.CONTACT, "Téléphone", b.phone or "non renseigné"),
        ]
    if SharedGroup.ADDRESS in wanted:
        town = " ".join(p for p in (b.postcode, b.city) if p)
        rows += [
            (
                SharedGroup.ADDRESS,
                "Adresse",
                ", ".join(p for p in (b.address, town) if p) or "non renseignée",
            ),
            (SharedGroup.ADDRESS, "QPV de résidence", b.qpv.name if b.qpv else "hors QPV ou non renseigné"),
        ]
    if SharedGroup.EDUCATION in wanted:
        rows.append((SharedGroup.EDUCATION, "Niveau de formation", b.get_education_level_display()))
    if SharedGroup.EMPLOYMENT in wanted:
        rows += [
            (SharedGroup.EMPLOYMENT, "Situation professionnelle", b.get_employment_status_display()),
            (SharedGroup.EMPLOYMENT, "Inscrit·e à France Travail", _yes_no(b.ft_registered)),
            (SharedGroup.EMPLOYMENT, "Suivi·e par le service public de l'emploi", _yes_no(b.spe_followed)),
        ]
    if SharedGroup.RIGHTS in wanted:
        rights = [name for name, value in (("RSA", b.rsa), ("ASS", b.ass), ("CEJ", b.cej)) if value]
        rows.append((SharedGroup.RIGHTS, "Droits et dispositifs", ", ".join(rights) or "aucun"))
    if SharedGroup.FAMILY in wanted:
        rows += [
            (SharedGroup.FAMILY, "Famille monoparentale", _yes_no(b.single_parent)),
            (SharedGroup.FAMILY, "Enfants à charge", str(b.children_count)),
        ]
    if SharedGroup.FRENCH in wanted:
        rows.append((SharedGroup.FRENCH, "Niveau de français", b.get_french_level_display()))
    if SharedGroup.DIGITAL in wanted:
        rows.append((SharedGroup.DIGITAL, "Autonomie numérique", b.get_digital_autonomy_display()))
    if SharedGroup.MOBILITY in wanted:
        rows += [
            (SharedGroup.MOBILITY, "Permis de conduire", _yes_no(b.driving_licence)),
            (SharedGroup.MOBILITY, "Véhicule", _yes_no(b.has_vehicle)),
        ]
    return [{"group": str(group), "label": lbl, "value": value} for group, lbl, value in rows]


def build_snapshot(b: Beneficiary, groups: Iterable[str]) -> dict[str, Any]:
    return {"name": f"{b.first_name} {b.last_name.upper()}", "rows": snapshot_rows(b, groups)}


# --- Recipients -------------------------------------------------------------------------------------------------


def member_emails(orientation: Orientation) -> list[str]:
    """Active référents and members of the receiving structure in the cité."""
    return sorted(
        set(
            Membership.objects.filter(
                cite_id=orientation.cite_id,
                structure_id=orientation.receiving_structure_id,
                role__in=[Role.REFERENT, Role.PARTNER_MEMBER],
                is_active=True,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
    )


def link_recipient(service: Service | None, structure_email: str, has_members: bool) -> str:
    """Where the single-use link goes: the service's contact e-mail, else — when the structure has no member
    account — the structure's e-mail; "" when the structure answers in the platform only."""
    if service is not None and service.email:
        return service.email
    if not has_members:
        return structure_email
    return ""


def _issue_link(orientation: Orientation, recipient: str, now: datetime) -> str:
    """A new single-use link (the previous ones are revoked); returns the raw token, never stored."""
    token = secrets.token_urlsafe(32)
    orientation.links.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    AnswerLink.objects.create(
        orientation=orientation,
        token_hash=hash_token(token),
        recipient=recipient,
        created_at=now,
        expires_at=orientation.deadline,
    )
    return token


# --- Sending ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    orientation: Orientation
    members_notified: bool
    link_sent_to: str


@transaction.atomic
def send_orientation(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    service: Service,
    message: str,
    shared_groups: Iterable[str] = (),
    now: datetime | None = None,
) -> Sent:
    """Orient a person to a service of another structure of the cité.

    Only what the person consented to share travels: their consent to sharing with partners must be active;
    identity and contact always travel, the other groups only when the sender chose them; sensitive
    attributes never do. The receiver reads a snapshot taken now. Deadline: now + the cité's answer delay.
    """
    require(ctx, "orientation.send")
    now = now or timezone.now()
    if not people_queries.can(ctx, "orientation.send", beneficiary):
        raise PermissionDenied("Seule la structure référente de la personne peut l'orienter.")
    if not services_for(ctx).filter(pk=service.pk).exists():
        raise ValidationError({"service": "Ce service n'appartient pas à un partenaire de la cité."})
    if ctx.structure_id is not None and service.structure_id == ctx.structure_id:
        raise ValidationError({"service": "Orientez vers le service d'une autre structure que la vôtre."})
    if not service.is_current(timezone.localtime(now).date()):
        raise ValidationError({"service": "Ce service n'est pas ouvert actuellement."})
    text = (message or "").strip()
    if not text:
        raise ValidationError({"message": "Expliquez le motif de l'orientation."})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({"message": f"Le motif ne doit pas dépasser {MAX_MESSAGE} caractères."})
    groups = set(shared_groups)
    unknown = groups - set(SharedGroup.values)
    if unknown:
        raise ValidationError({"shared_groups": f"Informations inconnues : {', '.join(sorted(unknown))}."})
    if not people_queries.has_active_consent(beneficiary, ConsentScope.SHARING):
        raise ValidationError(
            {
                "beneficiary": "La personne n'a pas consenti au partage de ses informations avec les "
                "partenaires : recueillez son consentement avant de l'orienter."
            }
        )
    chosen = [str(g) for g in REQUIRED_GROUPS] + [str(g) for g in OPTIONAL_GROUPS if g in groups]
    structure = service.structure
    settings = queries.settings_for(ctx.cite_id or 0)
    orientation = Orientation(
        cite_id=ctx.cite_id,
        beneficiary=beneficiary,
        service=service,
        service_name=service.name,
        sender=ctx.user,
        sender_structure_id=ctx.structure_id,
        receiving_structure=structure,
        message=text,
        shared_groups=chosen,
        snapshot=build_snapshot(beneficiary, chosen),
        status=Status.SENT,
        sent_at=now,
        deadline=now + settings.answer_delay,
    )
    members = member_emails(orientation)
    recipient = link_recipient(service, structure.email, bool(members))
    if not members and not recipient:
        raise ValidationError(
            {
                "service": "Cette structure n'a ni compte sur la plateforme ni e-mail de contact : elle ne "
                "pourrait pas répondre. Choisissez un autre service ou demandez à la coordination de "
                "compléter sa fiche."
            }
        )
    orientation.save()
    OrientationTransition.objects.create(
        orientation=orientation,
        at=now,
        actor=ctx.user,
        actor_label=str(ctx.user),
        actor_structure_id=ctx.structure_id,
        source="",
        target=Status.SENT,
        channel=_channel(ctx),
    )
    token = _issue_link(orientation, recipient, now) if recipient else ""
    audit.log(
        ctx,
        "orientation.send",
        orientation,
        beneficiary_id=beneficiary.pk,
        changes={
            "service": [None, service.name],
            "receiving_structure": [None, structure.pk],
            "shared_groups": [None, chosen],
            "link": [None, bool(token)],
        },
    )

    def notify() -> None:
        notifications.new_to_members(orientation, members)
        if token:
            notifications.link_to_recipient(orientation, recipient, token)

    transaction.on_commit(notify)
    return Sent(orientation, bool(members), recipient)


# --- Transitions ------------------------------------------------------------------------------------------------


def _channel(ctx: ActingContext) -> str:
    return Channel.API if ctx.via == "api" else Channel.WEB


def _answer_fields(
    target: str, refusal_reason: str, details: str, outcome: str
) -> tuple[dict[str, Any], str]:
    """The fields saved with a receiver's transition and the reason written in the log."""
    details = (details or "").strip()
    outcome = (outcome or "").strip()
    if len(details) > MAX_MESSAGE or len(outcome) > MAX_MESSAGE:
        raise ValidationError(f"Le texte ne doit pas dépasser {MAX_MESSAGE} caractères.")
    if target == Status.REFUSED:
        if refusal_reason not in RefusalReason.values:
            raise ValidationError({"refusal_reason": "Choisissez le motif du refus dans la liste."})
        if refusal_reason == RefusalReason.OTHER and not details:
            raise ValidationError({"details": "Précisez le motif du refus."})
        reason = RefusalReason(refusal_reason).label + (f" — {details}" if details else "")
        return {"refusal_reason": refusal_reason, "refusal_details": details}, reason
    if target == Status.COMPLETED:
        if not outcome:
            raise ValidationError({"outcome": "Indiquez le résultat de l'accompagnement."})
        return {"outcome": outcome}, outcome
    if target == Status.ABANDONED and not details:
        raise ValidationError({"details": "Indiquez pourquoi l'orientation est abandonnée."})
    return {}, details


def _after_answer(orientation: Orientation, target: str) -> None:
    transaction.on_commit(lambda: notifications.answer_to_sender(orientation, target))


@transaction.atomic
def answer(
    *,
    ctx: ActingContext,
    orientation: Orientation,
    target: str,
    refusal_reason: str = "",
    details: str = "",
    outcome: str = "",
    expected_status: str | None = None,
) -> Orientation:
    """The receiving structure accepts, refuses (reason from the list), starts, completes (with its outcome)
    or abandons (with why) an orientation. The sender is told by e-mail."""
    require(ctx, "orientation.answer")
    if not queries.is_receiver(ctx, orientation) or orientation.cite_id != ctx.cite_id:
        raise PermissionDenied("Seule la structure destinataire répond à cette orientation.")
    if target not in RECEIVER_TARGETS:
        raise TransitionRefused("Cette action n'est pas une réponse de la structure destinataire.")
    fields, reason = _answer_fields(target, refusal_reason, details, outcome)
    moved = move(
        Actor(ctx, _channel(ctx)),
        orientation,
        target,
        reason=reason,
        expected_status=expected_status,
        fields=fields,
    )
    _after_answer(moved, target)
    return moved


@transaction.atomic
def withdraw(
    *, ctx: ActingContext, orientation: Orientation, reason: str = "", expected_status: str | None = None
) -> Orientation:
    """The sending side withdraws an orientation still waiting for an answer."""
    require(ctx, "orientation.send")
    if not queries.is_sender_side(ctx, orientation) or orientation.cite_id != ctx.cite_id:
        raise PermissionDenied("Seule la structure qui a envoyé l'orientation peut la retirer.")
    text = (reason or "").strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationError(f"Le texte ne doit pas dépasser {MAX_MESSAGE} caractères.")
    return move(
        Actor(ctx, _channel(ctx)),
        orientation,
        Status.WITHDRAWN,
        reason=text,
        expected_status=expected_status,
    )


class LinkUnusable(Exception):
    """The single-use link was used, replaced, or has expired (410), or its orientation is no longer open."""


@transaction.atomic
def answer_by_link(
    *, token: str, target: str, refusal_reason: str = "", details: str = "", now: datetime | None = None
) -> Orientation:
    """Accept or refuse through a single-use link; the link is spent by the answer.

    The link row is locked, so two answers through the same link cannot both pass.
    """
    now = now or timezone.now()
    link = AnswerLink.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if link is None:
        raise AnswerLink.DoesNotExist
    if link.used_at or link.revoked_at or link.expires_at <= now:
        raise LinkUnusable
    if target not in LINK_TARGETS:
        raise TransitionRefused("Par ce lien, vous pouvez seulement accepter ou refuser l'orientation.")
    orientation = link.orientation
    if orientation.status != Status.SENT:
        raise LinkUnusable
    fields, reason = _answer_fields(target, refusal_reason, details, "")
    moved = move(Actor(None, Channel.LINK), orientation, target, reason=reason, fields=fields)
    link.used_at = now
    link.save(update_fields=["used_at"])
    _after_answer(moved, target)
    return moved


# --- Periodic work ----------------------------------------------------------------------------------------------


def expire_overdue(now: datetime | None = None) -> int:
    """Orientations still waiting past their deadline become « expirée »; each sender is told. Each in its
    own transaction: an answer that came first wins (the row is locked and its status checked again)."""
    now = now or timezone.now()
    done = 0
    for pk in Orientation.objects.filter(status=Status.SENT, deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            orientation = Orientation.objects.select_for_update().get(pk=pk)
            if orientation.status != Status.SENT or orientation.deadline > now:
                continue
            moved = move(
                Actor(None, Channel.SYSTEM),
                orientation,
                Status.EXPIRED,
                reason="Aucune réponse avant l'échéance.",
            )
            _after_answer(moved, Status.EXPIRED)
            done += 1
    return done


def remind_before_deadline(now: datetime | None = None) -> int:
    """Remind the receiving structure once, N days before the deadline (N set per cité; 0: no reminder).

    Members get an e-mail; a link recipient gets a fresh single-use link that replaces the previous one.
    """
    now = now or timezone.now()
    delays = dict(OrientationSettings.objects.values_list("cite_id", "reminder_days_before"))
    candidates = Orientation.objects.filter(
        status=Status.SENT, reminded_at__isnull=True, deadline__gt=now
    ).select_related("service", "receiving_structure")
    sent = 0
    for candidate in candidates:
        days = delays.get(
            candidate.cite_id, OrientationSettings._meta.get_field("reminder_days_before").default
        )
        if not days or candidate.deadline - timedelta(days=days) > now:
            continue
        with transaction.atomic():
            orientation = Orientation.objects.select_for_update().get(pk=candidate.pk)
            if orientation.status != Status.SENT or orientation.reminded_at is not None:
                continue
            orientation.reminded_at = now
            orientation.save(update_fields=["reminded_at", "updated_at"])
            members = member_emails(orientation)
            recipient = link_recipient(candidate.service, candidate.receiving_structure.email, bool(members))
            token = _issue_link(orientation, recipient, now) if recipient else ""
            audit.log(
                None,
                "orientation.remind",
                orientation,
                beneficiary_id=orientation.beneficiary_id,
                cite_id=orientation.cite_id,
            )

            def notify(
                o: Orientation = orientation, m: list[str] = members, r: str = recipient, t: str = token
            ) -> None:
                notifications.new_to_members(o, m, reminder=True)
                if t:
                    notifications.link_to_recipient(o, r, t, reminder=True)

            transaction.on_commit(notify)
            sent += 1
    return sent


# --- Settings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def update_settings(
    *,
    ctx: ActingContext,
    answer_delay_days: int,
    reminder_days_before: int,
    expected_version: int | None = None,
) -> OrientationSettings:
    """Coordinators set the cité's answer delay and reminder. New deadlines use them; sent ones keep theirs."""
    require(ctx, "orientation.settings")
    if not 1 <= answer_delay_days <= 90:
        raise ValidationError({"answer_delay_days": "Le délai de réponse va de 1 à 90 jours."})
    if not 0 <= reminder_days_before <= 30:
        raise ValidationError({"reminder_days_before": "La relance va de 0 à 30 jours avant l'échéance."})
    if reminder_days_before >= answer_delay_days:
        raise ValidationError(
            {"reminder_days_before": "La relance doit tomber avant l'échéance : moins de jours que le délai."}
        )
    current, _ = OrientationSettings.objects.select_for_update().get_or_create(cite_id=ctx.cite_id)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit("Les paramètres ont été modifiés entre-temps : rechargez la page.")
    before = audit.snapshot(current, ["answer_delay_days", "reminder_days_before"])
    current.answer_delay_days = answer_delay_days
    current.reminder_days_before = reminder_days_before
    current.updated_by = ctx.user
    current.version += 1
    current.save(
        update_fields=["answer_delay_days", "reminder_days_before", "updated_by", "version", "updated_at"]
    )
    audit.log(
        ctx,
        "orientation.settings",
        current,
        changes=audit.diff(current, before, ["answer_delay_days", "reminder_days_before"]),
    )
    return current
