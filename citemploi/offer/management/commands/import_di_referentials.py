"""`citemploi import_di_referentials PATH`: load the data·inclusion v1 theme referential (thematiques).

PATH is the `thematiques.json` file of the schema (a list of {value, label}), its CSV form
(`categorie,value,label`), or the schema's folder holding one of them. The platform works without it (theme
codes are stored and shown as codes); once loaded, sub-themes get their labels, forms offer them, and imports
check codes against it.
"""

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.offer.referentials import THEME_CATEGORIES, category_of, is_theme_code
from citemploi.offer.services import load_thematiques


def read_thematiques(path: Path) -> list[tuple[str, str]]:
    """(code, label) pairs of a thematiques file; CommandError listing each bad line."""
    if path.is_dir():
        for name in ("thematiques.json", "thematiques.csv"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise CommandError(f"Ni thematiques.json ni thematiques.csv dans {path}.")
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {path}")
    text = path.read_text(encoding="utf-8-sig")
    rows: list[tuple[int, Any, Any]] = []
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path.name} : JSON invalide (ligne {exc.lineno}).") from exc
        if not isinstance(items, list):
            raise CommandError(f"{path.name} : une liste de thématiques {{value, label}} est attendue.")
        rows = [
            (n, i.get("value"), i.get("label")) if isinstance(i, dict) else (n, None, None)
            for n, i in enumerate(items, 1)
        ]
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [(reader.line_num, r.get("value"), r.get("label")) for r in reader]
    else:
        raise CommandError(f"{path.name} : format non reconnu (.json ou .csv).")
    errors, pairs, seen = [], [], set()
    for n, code, label in rows:
        where = f"thématique n° {n}" if path.suffix.lower() == ".json" else f"ligne {n}"
        if not isinstance(code, str) or not is_theme_code(code.strip()):
            errors.append(f"  {where} : code « {code} » invalide (attendu : categorie--sous-thematique)")
            continue
        if not isinstance(label, str) or not label.strip():
            errors.append(f"  {where} : libellé absent pour « {code} »")
            continue
        code = code.strip()
        if code in seen:
            errors.append(f"  {where} : « {code} » en double")
            continue
        seen.add(code)
        pairs.append((code, label.strip()[:250]))
    if errors:
        raise CommandError(
            "\n".join(errors) + f"\n{len(errors)} erreur(s) dans {path.name} : rien n'a été enregistré."
        )
    if not pairs:
        raise CommandError(f"{path.name} ne contient aucune thématique.")
    return pairs


class Command(BaseCommand):
    help = "Charge le référentiel des thématiques data·inclusion v1 (thematiques.json ou .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="Fichier thematiques.json / thematiques.csv, ou dossier du schéma v1."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = read_thematiques(Path(options["path"]))
        counts = load_thematiques(pairs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Thématiques : {counts['created']} créée(s), {counts['updated']} mise(s) à jour, "
                f"{counts['unchanged']} inchangée(s) (sur {len(pairs)} dans le fichier)."
            )
        )
        if counts["absent"]:
            self.stdout.write(
                f"{counts['absent']} thématique(s) déjà en base absente(s) du fichier : conservée(s)."
            )
        new_categories = sorted({category_of(c) for c, _ in pairs} - set(THEME_CATEGORIES))
        if new_categories:
            self.stdout.write(
                "Catégories inconnues de la correspondance avec les 11 freins (aucun frein ne les couvre) : "
                + ", ".join(new_categories)
            )
