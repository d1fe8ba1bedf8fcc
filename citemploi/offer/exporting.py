"""Export of services and structures in the data·inclusion v1 format (JSON or CSV), read back by the import.

citemploi's own fields (nature, step, capacity, waiting list, opening and validity dates, prescribers,
visibility) are added as `citemploi_*` extension fields. A theme covering a whole category is written as the
category's sub-themes when the theme referential is loaded (the schema knows sub-themes only), as the category
code otherwise (read back by citemploi, not by data·inclusion).
"""

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from citemploi.core.spreadsheets import csv_bytes
from citemploi.offer.enums import AreaKind
from citemploi.offer.importing import EXTENSION_FIELDS
from citemploi.offer.models import Service, StructureSource
from citemploi.offer.referentials import THEME_SEPARATOR, ThemeVocabulary, category_of
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Structure

SERVICE_COLUMNS = [
    "id",
    "source",
    "structure_id",
    "nom",
    "description",
    "date_maj",
    "type",
    "thematiques",
    "publics",
    "publics_precisions",
    "conditions_acces",
    "frais",
    "frais_precisions",
    "courriel",
    "telephone",
    "contact_nom_prenom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "horaires_accueil",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "mobilisation_precisions",
    "lien_mobilisation",
    "lien_source",
    "zone_eligibilite",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
    *EXTENSION_FIELDS,
]

STRUCTURE_COLUMNS = [
    "id",
    "source",
    "nom",
    "date_maj",
    "siret",
    "courriel",
    "telephone",
    "site_web",
    "adresse",
    "commune",
    "code_insee",
    "reseaux_porteurs",
]

#: the data·inclusion network (`reseaux_porteurs`) of a structure kind, when there is one
NETWORK_OF_KIND = {
    StructureKind.FRANCE_TRAVAIL: "france-travail",
    StructureKind.MISSION_LOCALE: "mission-locale",
    StructureKind.CAP_EMPLOI: "cap-emploi-reseau-cheops",
    StructureKind.PLIE: "plie",
    StructureKind.DEPARTEMENT: "departements",
    StructureKind.REGION: "regions",
    StructureKind.COMMUNE_EPCI: "communes",
    StructureKind.CCAS: "ccas-cias",
    StructureKind.JUSTICE: "spip",
}


def structure_idents(structures: Iterable[Structure]) -> dict[int, tuple[str, str]]:
    """structure pk → (data·inclusion id, source): the identifier it was imported with, else a local one."""
    pks = [s.pk for s in structures]
    found: dict[int, tuple[str, str]] = {}
    for link in StructureSource.objects.filter(structure_id__in=pks).order_by("source_id"):
        found.setdefault(link.structure_id, (link.source_id, link.source or "citemploi"))
    for pk in pks:
        found.setdefault(pk, (f"citemploi--structure-{pk}", "citemploi"))
    return found


def _or_none(value: Any) -> Any:
    return None if value in ("", [], None) else value


def _themes(codes: Iterable[str], vocabulary: ThemeVocabulary) -> list[str]:
    result: dict[str, None] = {}
    for code in sorted(codes):
        if THEME_SEPARATOR not in code and vocabulary.loaded:
            for sub in sorted(c for c in vocabulary.sub_themes if category_of(c) == code):
                result.setdefault(sub, None)
        else:
            result.setdefault(code, None)
    return list(result)


def _area_code(kind: str, code: str) -> str:
    return "france" if kind == AreaKind.FRANCE else code


def service_record(service: Service, structure_id: str, vocabulary: ThemeVocabulary) -> dict[str, Any]:
    """One service as a data·inclusion v1 record (prefetch themes, publics and areas)."""
    return {
        "id": service.source_id,
        "source": service.source,
        "structure_id": structure_id,
        "nom": service.name,
        "description": service.description,
        "date_maj": service.last_updated_on.isoformat(),
        "type": _or_none(service.type),
        "thematiques": _themes((t.code for t in service.themes.all()), vocabulary),
        "publics": _or_none([p.code for p in service.publics.all()]),
        "publics_precisions": _or_none(service.publics_details),
        "conditions_acces": _or_none(service.access_conditions),
        "frais": _or_none(service.fees),
        "frais_precisions": _or_none(service.fees_details),
        "courriel": _or_none(service.email),
        "telephone": _or_none(service.phone),
        "contact_nom_prenom": _or_none(service.contact_name),
        "adresse": _or_none(service.address),
        "complement_adresse": _or_none(service.address_complement),
        "code_postal": _or_none(service.postcode),
        "commune": _or_none(service.city),
        "code_insee": _or_none(service.insee_code),
        "horaires_accueil": _or_none(service.opening_hours),
        "modes_accueil": _or_none(list(service.modes_accueil)),
        "modes_mobilisation": _or_none(list(service.modes_mobilisation)),
        "mobilisable_par": _or_none(list(service.mobilisable_par)),
        "mobilisation_precisions": _or_none(service.mobilisation_details),
        "lien_mobilisation": _or_none(service.mobilisation_link),
        "lien_source": _or_none(service.source_link),
        "zone_eligibilite": _or_none([_area_code(a.kind, a.code) for a in service.areas.all()]),
        "volume_horaire_hebdomadaire": service.weekly_hours,
        "nombre_semaines": service.weeks,
        "citemploi_nature": service.nature,
        "citemploi_etape": _or_none(service.step),
        "citemploi_prescripteurs": _or_none(service.prescribers),
        "citemploi_places": service.capacity,
        "citemploi_liste_attente": service.waiting_list,
        "citemploi_date_ouverture": service.opens_on.isoformat() if service.opens_on else None,
        "citemploi_date_fin_validite": service.valid_until.isoformat() if service.valid_until else None,
        "citemploi_visible": service.published,
    }


def structure_record(structure: Structure, ident: tuple[str, str]) -> dict[str, Any]:
    commune = structure.commune
    network = NETWORK_OF_KIND.get(structure.kind)  # type: ignore[call-overload]
    return {
        "id": ident[0],
        "source": ident[1],
        "nom": structure.name[:150],
        "date_maj": structure.updated_at.date().isoformat(),
        "siret": _or_none(structure.siret),
        "courriel": _or_none(structure.email),
        "telephone": _or_none(structure.phone),
        "site_web": _or_none(structure.website),
        "adresse": _or_none(structure.address),
        "commune": commune.name if commune else None,
        "code_insee": commune.insee_code if commune else None,
        "reseaux_porteurs": [network] if network else None,
    }


def services_records(services: Iterable[Service], vocabulary: ThemeVocabulary) -> list[dict[str, Any]]:
    services = list(services)
    idents = structure_idents({s.structure for s in services})
    return [service_record(s, idents[s.structure_id][0], vocabulary) for s in services]


def structures_records(structures: Iterable[Structure]) -> list[dict[str, Any]]:
    structures = list(structures)
    idents = structure_idents(structures)
    return [structure_record(s, idents[s.pk]) for s in structures]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


def as_csv(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    """CSV with `;`, UTF-8 with BOM, formulas neutralised; list fields as codes separated by commas."""
    return csv_bytes(columns, ([_cell(r.get(c)) for c in columns] for r in records))
