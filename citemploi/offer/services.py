"""Writes on the offer of services: create, update, confirm a service is up to date, record an empty search.

Each write checks the policy for the acting context, runs in one transaction and writes its audit row there.
A structure's référents and members write their own structure's services; coordinators the whole cité's.
"""

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit  # noqa: F401 - re-exported for callers
from citemploi.core.context import ActingContext
from citemploi.offer import queries
from citemploi.offer.enums import Mobiliser, ModeAccueil, ModeMobilisation, Public, ServiceNature
from citemploi.offer.models import EmptySearch, Service, ServiceArea, ServicePublic, ServiceTheme
from citemploi.offer.referentials import (
    AreaCodeError,
    ThemeVocabulary,
    category_of,
    parse_area_code,
)
from citemploi.partners.models import Structure

#: the fields of a service a user (or an import) writes
SERVICE_FIELDS = [
    "name",
    "description",
    "nature",
    "step",
    "type",
    "access_conditions",
    "publics_details",
    "prescribers",
    "mobilisable_par",
    "modes_mobilisation",
    "mobilisation_details",
    "mobilisation_link",
    "contact_name",
    "email",
    "phone",
    "modes_accueil",
    "address",
    "address_complement",
    "postcode",
    "city",
    "insee_code",
    "opening_hours",
    "fees",
    "fees_details",
    "weekly_hours",
    "weeks",
    "capacity",
    "waiting_list",
    "opens_on",
    "valid_until",
    "published",
]

#: list fields and the closed list their values come from
LIST_FIELDS: dict[str, Any] = {
    "mobilisable_par": Mobiliser,
    "modes_mobilisation": ModeMobilisation,
    "modes_accueil": ModeAccueil,
}

LOCAL_SOURCE = "citemploi"


def new_source_id() -> str:
    """A stable identifier for a service created in citemploi, used as its data·inclusion `id` on export."""
    return f"{LOCAL_SOURCE}--{uuid.uuid4().hex[:16]}"


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = (value or "").strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


def clean_themes(codes: Iterable[str], vocabulary: ThemeVocabulary) -> list[str]:
    themes = _unique(codes)
    unknown = [code for code in themes if not vocabulary.is_known(code)]
    if unknown:
        raise ValidationError({"themes": f"Thématique inconnue : {', '.join(unknown)}."})
    return themes


def clean_publics(codes: Iterable[str]) -> list[str]:
    publics = _unique(codes)
    unknown = [code for code in publics if code not in Public.values]
    if unknown:
        raise ValidationError({"publics": f"Public inconnu : {', '.join(unknown)}."})
    return publics


def clean_areas(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, code) of each code of the area served; ValidationError listing the bad ones."""
    areas: dict[tuple[str, str], None] = {}
    errors = []
    for raw in _unique(codes):
        try:
            areas.setdefault(parse_area_code(raw), None)
        except AreaCodeError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError({"areas": [e[0].upper() + e[1:] + "." for e in errors]})
    return [(str(kind), code) for kind, code in areas]


def clean_lists(data: dict[str, Any]) -> None:
    errors = {}
    for name, choices in LIST_FIELDS.items():
        if name in data:
            values = _unique(data[name] or [])
            unknown = [v for v in values if v not in choices.values]
            if unknown:
                errors[name] = f"Valeur inconnue : {', '.join(unknown)}."
            data[name] = values
    if errors:
        raise ValidationError(errors)


def _check_values(service: Service) -> None:
    if len((service.name or "").strip()) < 3:
        raise ValidationError({"name": "Le nom du service compte au moins 3 caractères."})
    if not (service.description or "").strip():
        raise ValidationError({"description": "Décrivez le service en quelques phrases."})
    if service.opens_on and service.valid_until and service.valid_until < service.opens_on:
        raise ValidationError({"valid_until": "La date de fin de validité précède la date d'ouverture."})


def _assign(service: Service, data: dict[str, Any], ctx: ActingContext) -> None:
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown service fields: {sorted(unknown)}")
    clean_lists(data)
    for name, value in data.items():
        if value is None and name not in (
            "weekly_hours",
            "weeks",
            "capacity",
            "waiting_list",
            "opens_on",
            "valid_until",
        ):
            value = [] if name in LIST_FIELDS else ""
        setattr(service, name, value)
    if service.nature == ServiceNature.AAP:
        service.funding_cite_id = service.funding_cite_id or ctx.cite_id
    else:
        service.funding_cite_id = None
    _check_values(service)


def _children(service: Service) -> dict[str, list[str]]:
    return {
        "themes": sorted(t.code for t in service.themes.all()),
        "publics": sorted(p.code for p in service.publics.all()),
        "areas": sorted(f"{a.kind}:{a.code}" for a in service.areas.all()),
    }


def set_children(
    service: Service,
    *,
    themes: list[str] | None = None,
    publics: list[str] | None = None,
    areas: list[tuple[str, str]] | None = None,
) -> dict[str, list[list[str]]]:
    """Replace the themes, publics and areas given (None: keep); {name: [old, new]} of those that changed."""
    before = _children(service) if service.pk else {"themes": [], "publics": [], "areas": []}
    changes = {}
    if themes is not None and sorted(themes) != before["themes"]:
        service.themes.all().delete()
        ServiceTheme.objects.bulk_create(
            ServiceTheme(service=service, code=code, category=category_of(code)) for code in themes
        )
        changes["themes"] = [before["themes"], sorted(themes)]
    if publics is not None and sorted(publics) != before["publics"]:
        service.publics.all().delete()
        ServicePublic.objects.bulk_create(ServicePublic(service=service, code=code) for code in publics)
        changes["publics"] = [before["publics"], sorted(publics)]
    if areas is not None:
        new_areas = sorted(f"{kind}:{code}" for kind, code in areas)
        if new_areas != before["areas"]:
            service.areas.all().delete()
            ServiceArea.objects.bulk_create(ServiceArea(service=service, kind=k, code=c) for k, c in areas)
            changes["areas"] = [before["areas"], new_areas]
    return changes


def _check_structure(ctx: ActingContext, structure: Structure, action: str) -> None:
    if not queries.structures_for(ctx, action).filter(pk=structure.pk).exists():
        raise PermissionDenied("Vous ne pouvez pas gérer les services de cette structure.")


@transaction.atomic
def create_service(
    *,
    ctx: ActingContext,
    structure: Structure,
    data: dict[str, Any],
    themes: Iterable[str] = (),
    publics: Iterable[str] = (),
    areas: Iterable[str] = (),
    today: date | None = None,
) -> Service:
    """Create a service of a structure in reach (the acting structure for its members)."""
    require(ctx, "service.create")
    _check_structure(ctx, structure, "service.create")
    vocabulary = queries.theme_vocabulary()
    theme_codes = clean_themes(themes, vocabulary)
    public_codes = clean_publics(publics)
    area_codes = clean_areas(areas)
    service = Service(
        structure=structure,
        last_updated_on=today or timezone.localdate(),
        source=LOCAL_SOURCE,
        source_id=new_source_id(),
    )
    _assign(service, dict(data), ctx)
    service.full_clean()
    service.save()
    changes: dict[str, Any] = audit.diff(service, {}, list(data))
    changes |= set_children(service, themes=theme_codes, publics=public_codes, areas=area_codes)
    audit.log(ctx, "service.create", service, changes=changes)
    return service


@transaction.atomic
def update_service(
    *,
    ctx: ActingContext,
    service: Service,
    data: dict[str, Any],
    themes: Iterable[str] | None = None,
    publics: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    structure: Structure | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Service:
    """Change a service in reach. Any change counts as an update: the service is fresh again.

    With `expected_version`, a service changed meanwhile by someone else is not overwritten (StaleEdit).
    Coordinators may move a service to another structure of the cité.
    """
    require(ctx, "service.edit")
    if not queries.can_edit(ctx, service):
        raise PermissionDenied("Vous ne pouvez pas modifier ce service.")
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "Le service a été modifié entre-temps. Rechargez la page ; votre saisie n'a pas été enregistrée."
        )
    vocabulary = queries.theme_vocabulary()
    theme_codes = clean_themes(themes, vocabulary) if themes is not None else None
    public_codes = clean_publics(publics) if publics is not None else None
    area_codes = clean_areas(areas) if areas is not None else None
    fields = list(data)
    before = audit.snapshot(locked, fields + ["structure_id"])
    _assign(locked, dict(data), ctx)
    if structure is not None and structure.pk != locked.structure_id:
        _check_structure(ctx, structure, "service.edit")
        locked.structure = structure
    locked.full_clean()
    changes = audit.diff(locked, before, fields + ["structure_id"])
    changes |= set_children(locked, themes=theme_codes, publics=public_codes, areas=area_codes)
    if changes:
        locked.version = F("version") + 1  # type: ignore[assignment]
        locked.last_updated_on = today or timezone.localdate()
        locked.stale_reminded_at = None
        locked.save()
        locked.refresh_from_db(fields=["version"])
        audit.log(ctx, "service.update", locked, changes=changes)
    return locked


@transaction.atomic
def confirm_up_to_date(*, ctx: ActingContext, service: Service, today: date | None = None) -> Service:
    """The structure checked the service and nothing changed: it is fresh again."""
    require(ctx, "service.edit")
    if not queries.can_edit(ctx, service):
        raise PermissionDenied("Vous ne pouvez pas modifier ce service.")
    locked = Service.objects.select_for_update().get(pk=service.pk)
    today = today or timezone.localdate()
    old = locked.last_updated_on
    locked.last_updated_on = today
    locked.stale_reminded_at = None
    locked.save(update_fields=["last_updated_on", "stale_reminded_at", "updated_at"])
    audit.log(
        ctx, "service.confirm", locked, changes={"last_updated_on": [old.isoformat(), today.isoformat()]}
    )
    return locked


def record_empty_search(search: queries.Search, place: queries.Place, today: date | None = None) -> None:
    """Count a search of the public directory that found nothing (what was asked and where, nothing else)."""
    if not search.has_criteria:
        return
    today = today or timezone.localdate()
    cite = place.single_cite
    key = {
        "searched_on": today,
        "barrier": search.barrier,
        "theme": search.theme,
        "public": search.public,
        "commune_code": search.commune.insee_code if search.commune else "",
        "qpv_code": search.qpv.code if search.qpv else "",
        "cite": cite,
    }
    # Two visitors at the same moment may create two rows for the same day: the counts are summed when read.
    if not EmptySearch.objects.filter(**key).update(count=F("count") + 1):
        EmptySearch.objects.create(**key)


@transaction.atomic
def load_thematiques(rows: list[tuple[str, str]]) -> dict[str, int]:
    """Load the data·inclusion theme referential ((code, label) pairs): created, updated, unchanged counts.

    Codes absent from the new list are kept (services may still use them) and counted as "absent".
    """
    from citemploi.offer.models import Thematique

    existing = {t.code: t for t in Thematique.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "absent": 0}
    to_create = []
    for code, label in rows:
        current = existing.get(code)
        if current is None:
            to_create.append(Thematique(code=code, label=label, category=category_of(code)))
            counts["created"] += 1
        elif current.label != label:
            current.label = label
            current.save(update_fields=["label", "loaded_at"])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Thematique.objects.bulk_create(to_create)
    counts["absent"] = len(set(existing) - {code for code, _ in rows})
    return counts
