"""Import of a referential of situations from a CSV nomenclature (all or nothing, line-by-line report).

Expected columns: `theme` and `description` (the carnet de bord's `ref_situation.csv`), or `label`/`libelle`
for the description; an optional `code` column gives stable codes, otherwise a code is derived from the theme
and the description (so that a re-import finds the same rows). The theme is one of the nomenclature's
themes (mapped to our 11 barriers by situations.THEME_TO_BARRIER), one of our barrier codes, or its number.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from citemploi.pathways.models import Situation
from citemploi.pathways.situations import barrier_for_theme, is_sensitive

MAX_CODE = 120
MAX_LABEL = 250


class ImportFailed(Exception):
    """The file is refused as a whole; `errors` lists each bad line in French."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def derived_code(theme: str, label: str) -> str:
    """A stable code from the theme and the description: a readable slug, cut with a short hash if long."""
    code = slugify(f"{theme} {label}")
    if len(code) > MAX_CODE:
        digest = hashlib.sha1(code.encode()).hexdigest()[:8]
        code = f"{code[: MAX_CODE - 9]}-{digest}"
    return code


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    label: str
    barrier: str
    sensitive: bool


def parse(text: str, overrides: dict[str, str | None] | None = None) -> tuple[list[Row], list[str]]:
    """The rows to import and the ignored lines; ImportFailed with every error otherwise."""
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    label_column = next((c for c in ("description", "label", "libelle", "libellé") if c in headers), None)
    if "theme" not in headers or label_column is None:
        raise ImportFailed(
            ["En-tête invalide : colonnes « theme » et « description » (ou « label ») attendues."]
        )
    rows: list[Row] = []
    ignored: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        data = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        theme, label = data.get("theme", ""), " ".join(data.get(label_column, "").split())
        if not theme and not label:
            continue
        if not label:
            errors.append(f"ligne {line} : description vide")
            continue
        if len(label) > MAX_LABEL:
            errors.append(
                f"ligne {line} : description trop longue ({len(label)} caractères, {MAX_LABEL} au plus)"
            )
            continue
        try:
            barrier = barrier_for_theme(theme, label, overrides)
        except KeyError:
            errors.append(
                f"ligne {line} : thème « {theme} » inconnu (ni thème de la nomenclature, ni code ou numéro de frein)"
            )
            continue
        if barrier is None:
            ignored.append(
                f"ligne {line} : « {label} » ignorée — le thème « {theme} » ne décrit pas un frein"
            )
            continue
        code = data.get("code") or derived_code(theme, label)
        if len(code) > MAX_CODE:
            errors.append(f"ligne {line} : code trop long ({MAX_CODE} caractères au plus)")
            continue
        if code in seen:
            errors.append(f"ligne {line} : code « {code} » déjà présent ligne {seen[code]}")
            continue
        seen[code] = line
        rows.append(Row(line, code, label, barrier, is_sensitive(barrier, label)))
    if errors:
        raise ImportFailed(errors)
    return rows, ignored


@transaction.atomic
def import_situations(
    path: Path, *, source: str, overrides: dict[str, str | None] | None = None, dry_run: bool = False
) -> ImportReport:
    """Create or update the situations of the file (by code); all or nothing."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ImportFailed([f"Fichier introuvable : {path}"]) from exc
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{path.name} : encodage invalide (UTF-8 attendu)."]) from exc
    except OSError as exc:
        raise ImportFailed([f"{path} : lecture impossible ({exc.strerror})."]) from exc
    rows, ignored = parse(text, overrides)
    if not rows:
        raise ImportFailed([f"{path.name} : aucune situation à importer."])
    report = ImportReport(ignored=ignored)
    existing = {
        s.code: s for s in Situation.objects.select_for_update().filter(code__in=[r.code for r in rows])
    }
    for row in rows:
        current = existing.get(row.code)
        values = {
            "label": row.label,
            "barrier": row.barrier,
            "sensitive": row.sensitive,
            "source": source,
            "active": True,
        }
        entry = f"ligne {row.line} : {row.code} → frein {row.barrier}{' (sensible)' if row.sensitive else ''}"
        if current is None:
            Situation.objects.create(code=row.code, **values)
            report.created.append(entry)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save(update_fields=[*values, "updated_at"])
            report.updated.append(entry)
        else:
            report.unchanged.append(entry)
    if dry_run:
        transaction.set_rollback(True)
    return report
