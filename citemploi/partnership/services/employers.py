"""Writes on the companies engaged with the cité: their file, engagements, offers and contacts."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partnership.enums import EngagementFrame
from citemploi.partnership.models import Employer, EmployerContact, EmployerEngagement, EmployerOffer
from citemploi.partnership.services.common import STALE_MESSAGE, StaleEdit, check_fields, check_structure
from citemploi.territory.models import Commune

EMPLOYER_FIELDS = [
    "name",
    "siret",
    "sector",
    "size",
    "address",
    "commune",
    "website",
    "structure",
    "notes",
    "engaged_since",
]
OFFER_FIELDS = ["kind", "details", "places", "is_active"]
CONTACT_FIELDS = ["full_name", "function", "email", "phone"]


def _own(ctx: ActingContext, employer: Employer) -> None:
    if employer.cite_id != ctx.cite_id:
        raise PermissionDenied("Cette entreprise ne relève pas de votre cité.")


def _validate(ctx: ActingContext, data: dict[str, Any], exclude_pk: int | None = None) -> None:
    check_fields(data, EMPLOYER_FIELDS)
    siret = data.get("siret") or ""
    if siret and (not siret.isdigit() or len(siret) != 14):
        raise ValidationError({"siret": "Le SIRET compte 14 chiffres."})
    commune = data.get("commune")
    if commune is not None and not Commune.objects.filter(pk=commune.pk, cites=ctx.cite_id).exists():
        raise ValidationError({"commune": "Choisissez une commune de la cité."})
    check_structure(ctx, data.get("structure"), "structure")
    if "name" in data:
        same = Employer.objects.filter(cite_id=ctx.cite_id, name__iexact=(data["name"] or "").strip())
        if exclude_pk:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            raise ValidationError({"name": "Une entreprise porte déjà ce nom dans la cité."})


def _sync_engagements(employer: Employer, frames: Iterable[str]) -> dict[str, list]:
    wanted = sorted(set(frames))
    if any(frame not in EngagementFrame.values for frame in wanted):
        raise ValidationError({"engagements": "Engagement inconnu."})
    current = sorted(employer.engagements.values_list("frame", flat=True))
    if wanted == current:
        return {}
    employer.engagements.exclude(frame__in=wanted).delete()
    EmployerEngagement.objects.bulk_create(
        [EmployerEngagement(employer=employer, frame=frame) for frame in wanted if frame not in current]
    )
    return {"engagements": [current, wanted]}


@transaction.atomic
def create_employer(*, ctx: ActingContext, data: dict[str, Any], engagements: Iterable[str] = ()) -> Employer:
    require(ctx, "employer.manage")
    _validate(ctx, data)
    employer = Employer(cite_id=ctx.cite_id, **data)
    employer.full_clean(exclude=["cite"])
    employer.save()
    changes = {k: [None, audit._jsonable(v)] for k, v in data.items()} | _sync_engagements(
        employer, engagements
    )
    audit.log(ctx, "employer.create", employer, changes=changes)
    return employer


@transaction.atomic
def update_employer(
    *,
    ctx: ActingContext,
    employer: Employer,
    data: dict[str, Any],
    engagements: Iterable[str] | None = None,
    expected_version: int | None = None,
) -> Employer:
    require(ctx, "employer.manage")
    _own(ctx, employer)
    locked = Employer.objects.select_for_update().get(pk=employer.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    _validate(ctx, data, exclude_pk=locked.pk)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["cite"])
    changes = audit.diff(locked, before, list(data))
    if engagements is not None:
        changes |= _sync_engagements(locked, engagements)
    if not changes:
        return locked
    fields = [f for f in changes if f in EMPLOYER_FIELDS]
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "employer.update", locked, changes=changes)
    return locked


@transaction.atomic
def add_offer(*, ctx: ActingContext, employer: Employer, data: dict[str, Any]) -> EmployerOffer:
    require(ctx, "employer.manage")
    _own(ctx, employer)
    check_fields(data, OFFER_FIELDS)
    offer = EmployerOffer(employer=employer, **data)
    offer.full_clean(exclude=["employer"])
    offer.save()
    audit.log(
        ctx, "employer.offer_add", offer, changes={k: [None, audit._jsonable(v)] for k, v in data.items()}
    )
    return offer


@transaction.atomic
def end_offer(*, ctx: ActingContext, offer: EmployerOffer) -> EmployerOffer:
    """The company no longer makes this offer; it stays in the history, marked as ended."""
    require(ctx, "employer.manage")
    _own(ctx, offer.employer)
    if not offer.is_active:
        raise ValidationError("Cette proposition est déjà terminée.")
    offer.is_active = False
    offer.save(update_fields=["is_active"])
    audit.log(ctx, "employer.offer_end", offer, changes={"is_active": [True, False]})
    return offer


@transaction.atomic
def add_contact(*, ctx: ActingContext, employer: Employer, data: dict[str, Any]) -> EmployerContact:
    require(ctx, "employer.manage")
    _own(ctx, employer)
    check_fields(data, CONTACT_FIELDS)
    contact = EmployerContact(employer=employer, **data)
    contact.full_clean(exclude=["employer"])
    contact.save()
    audit.log(ctx, "employer.contact_add", contact, changes={"full_name": [None, contact.full_name]})
    return contact


@transaction.atomic
def remove_contact(*, ctx: ActingContext, contact: EmployerContact) -> None:
    require(ctx, "employer.manage")
    _own(ctx, contact.employer)
    audit.log(ctx, "employer.contact_remove", contact, changes={"full_name": [contact.full_name, None]})
    contact.delete()
