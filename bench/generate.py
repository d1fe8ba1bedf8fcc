"""Files generated for the import measurements: fictitious people and data·inclusion v1 services."""

import csv
import json
from datetime import date, timedelta
from pathlib import Path

PEOPLE_HEADER = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Sexe",
    "Courriel",
    "Code QPV",
    "Inscrit France Travail",
]
FIRST_NAMES = ["Élodie", "Karim", "Aminata", "Lucas", "Inès", "Mehdi", "Chloé", "Yanis"]
#: QPVs of the Amiens demo cité, where the file is imported
AMIENS_QPVS = ["QN08003M", "QN08004M"]


def people_csv(path: Path, rows: int) -> Path:
    """`rows` distinct fictitious people in the partners' usual layout (semicolons, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    born = date(1960, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(PEOPLE_HEADER)
        for n in range(rows):
            writer.writerow(
                [
                    f"Banc-{n}",
                    FIRST_NAMES[n % len(FIRST_NAMES)],
                    (born + timedelta(days=n % 15000)).strftime("%d/%m/%Y"),
                    "F" if n % 2 else "M",
                    f"banc{n}@example.org",
                    AMIENS_QPVS[n % len(AMIENS_QPVS)],
                    "oui" if n % 3 else "non",
                ]
            )
    return path


def _structure(n: int) -> dict:
    return {
        "id": f"banc--structure-{n}",
        "source": "banc",
        "nom": f"Structure du banc d'essai n° {n}",
        "date_maj": "2025-01-10",
        "siret": None,
        "courriel": f"contact{n}@structure-banc.example.org",
        "adresse": f"{n} rue du Marais",
        "code_postal": "80080",
        "commune": "Amiens",
        "code_insee": "80021",
    }


def _service(n: int, structures: int) -> dict:
    return {
        "id": f"banc--service-{n}",
        "source": "banc",
        "structure_id": f"banc--structure-{n % structures}",
        "nom": f"Garage solidaire n° {n}",
        "description": "Réparer sa voiture à petit prix pour garder son emploi.",
        "date_maj": "2025-02-14",
        "type": "aide-materielle",
        "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
        "publics": ["demandeurs-emploi", "residents-qpv-frr"],
        "frais": "payant",
        "courriel": f"service{n}@structure-banc.example.org",
        "modes_accueil": ["en-presentiel"],
        "modes_mobilisation": ["telephoner", "se-presenter"],
        "mobilisable_par": ["usagers", "professionnels"],
        "adresse": f"{n % 200} rue du Marais",
        "code_postal": "80080",
        "commune": "Amiens",
        "code_insee": "80021",
        "zone_eligibilite": ["80021", "80"],
    }


def services_folder(folder: Path, services: int, structures: int = 500, first: int = 0) -> Path:
    """A data·inclusion v1 folder: services.json (numbered from `first`) and structures.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "structures.json").write_text(
        json.dumps([_structure(n) for n in range(structures)], ensure_ascii=False), encoding="utf-8"
    )
    (folder / "services.json").write_text(
        json.dumps([_service(n, structures) for n in range(first, first + services)], ensure_ascii=False),
        encoding="utf-8",
    )
    return folder
