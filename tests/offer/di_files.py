"""data·inclusion v1 files built in the tests (synthetic records, real field names)."""

import csv
import io
import json
from typing import Any

from citemploi.offer.importing import UploadedFile


def structure(ident: str = "dora--asso-42", **fields: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "source": "dora",
        "nom": "Régie de quartier Amiens Nord",
        "date_maj": "2025-01-10",
        "siret": "12345678901234",
        "courriel": "contact@regie-amiens-nord.example.org",
        "telephone": "0322000000",
        "site_web": "https://regie-amiens-nord.example.org",
        "adresse": "3 rue du Marais",
        "code_postal": "80080",
        "commune": "Amiens",
        "code_insee": "80021",
        "reseaux_porteurs": ["aci"],
    } | fields


def service(ident: str = "dora--svc-1", **fields: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "source": "dora",
        "structure_id": "dora--asso-42",
        "nom": "Garage solidaire",
        "description": "Réparer sa voiture à petit prix pour garder son emploi.",
        "date_maj": "2025-02-14",
        "type": "aide-materielle",
        "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
        "publics": ["demandeurs-emploi", "residents-qpv-frr"],
        "frais": "payant",
        "frais_precisions": "Main d'œuvre à 10 € de l'heure.",
        "courriel": "garage@regie-amiens-nord.example.org",
        "telephone": "+33322000001",
        "modes_accueil": ["en-presentiel"],
        "modes_mobilisation": ["telephoner", "se-presenter"],
        "mobilisable_par": ["usagers", "professionnels"],
        "adresse": "5 rue du Marais",
        "code_postal": "80080",
        "commune": "Amiens",
        "code_insee": "80021",
        "zone_eligibilite": ["80021", "80"],
    } | fields


def json_file(records: Any, name: str = "services.json") -> UploadedFile:
    return UploadedFile(content=json.dumps(records, ensure_ascii=False).encode("utf-8"), filename=name)


def csv_file(records: list[dict[str, Any]], name: str = "services.csv", delimiter: str = ",") -> UploadedFile:
    columns: list[str] = []
    for record in records:
        columns += [k for k in record if k not in columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for record in records:
        row = []
        for column in columns:
            value = record.get(column)
            row.append(",".join(value) if isinstance(value, list) else "" if value is None else value)
        writer.writerow(row)
    return UploadedFile(content=out.getvalue().encode("utf-8"), filename=name)
