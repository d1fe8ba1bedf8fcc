"""Import of the reference indicators of QPV from a CSV file (format: docs/guide/diagnostic.md).

Rules:
- all or nothing: every line is checked first; one bad line and nothing is written, and the report lists every
  problem with its line number (unknown QPV code, QPV outside the cité, bad number, share outside 0–100…);
- idempotent: a second run with the same file changes nothing and says so; a line for a QPV and year already
  recorded updates it; an empty cell means "unknown" and clears the value;
- separator: semicolon (spreadsheets in French), comma or tab, detected from the header; a decimal comma
  is accepted (« 23,5 »), as are spaces between thousands (« 12 345 ») and a trailing « % ».
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent
from citemploi.diagnostic.models import INTEGER_FIELDS, VALUE_FIELDS, QPVReference
from citemploi.territory.models import QPV

CODE_COLUMN = "code_qpv"
SOURCE_COLUMN = "source"
#: CSV column → model field
COLUMNS: dict[str, str] = {
    "population": "population",
    "demandeurs_emploi": "job_seekers",
    "allocataires_rsa": "rsa_recipients",
    "part_15_24": "share_15_24",
    "part_plus_50": "share_over_50",
    "part_sans_diplome": "share_no_diploma",
    "taux_chomage": "unemployment_rate",
    "taux_pauvrete": "poverty_rate",
}
ALL_COLUMNS = (CODE_COLUMN, SOURCE_COLUMN, *COLUMNS)
MAX_LINES = 5000
MAX_INTEGER = 10_000_000
_SPACES = re.compile(r"[\s\u00a0\u202f]")

SAMPLE = (
    ";".join(ALL_COLUMNS)
    + "\n"
    + "QN08003M;INSEE RP 2020, France Travail 2023 (exemple fictif);12345;1 850;1 020;21,4;24,8;38,2;27,5;44,9\n"
    + "QN08004M;Exemple fictif;6200;;480;19;27,1;;22;39,5\n"
)


class ReferenceImportError(Exception):
    """The file cannot be imported; `errors` lists every problem found (French, one per line)."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass
class ReferenceLine:
    line: int
    code: str
    source: str
    values: dict[str, Any]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    best, found = ";", -1
    for delimiter in (";", ",", "\t"):
        header = [h.strip().strip('"').lower() for h in first_line.split(delimiter)]
        score = sum(1 for h in header if h in ALL_COLUMNS)
        if score > found:
            best, found = delimiter, score
    return best


def parse_number(raw: str, *, integer: bool) -> Decimal | int | None:
    """« 12 345 » → 12345, « 23,5 » → 23.5, « 23,5 % » → 23.5, empty → None; ValueError with a French
    message otherwise."""
    text = _SPACES.sub("", raw).removesuffix("%")
    if not text:
        return None
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"« {raw.strip()} » n'est pas un nombre") from None
    if not value.is_finite():
        raise ValueError(f"« {raw.strip()} » n'est pas un nombre")
    if value < 0:
        raise ValueError(f"« {raw.strip()} » est négatif")
    if integer:
        if value != value.to_integral_value():
            raise ValueError(f"« {raw.strip()} » n'est pas un nombre entier")
        if value > MAX_INTEGER:
            raise ValueError(f"« {raw.strip()} » est trop grand")
        return int(value)
    if value > 100:
        raise ValueError(f"« {raw.strip()} » est hors de 0–100 (un pourcentage est attendu)")
    return value.quantize(Decimal("0.01"))


def read_lines(text: str) -> list[ReferenceLine]:
    """The lines of the file; ReferenceImportError with every bad line when one is wrong."""
    if not text.strip():
        raise ReferenceImportError("Le fichier est vide.")
    first_line = text.splitlines()[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().strip('"').strip().lower() for h in next(reader)]
    if CODE_COLUMN not in header:
        raise ReferenceImportError(
            f"Colonne {CODE_COLUMN} absente. Colonnes attendues (séparées par des points-virgules) : "
            f"{', '.join(ALL_COLUMNS)}. Colonnes trouvées : {', '.join(h for h in header if h) or 'aucune'}."
        )
    unknown = [h for h in header if h and h not in ALL_COLUMNS]
    if unknown:
        raise ReferenceImportError(
            f"Colonne(s) inconnue(s) : {', '.join(unknown)}. Colonnes acceptées : {', '.join(ALL_COLUMNS)}."
        )
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise ReferenceImportError(f"Colonne(s) en double : {', '.join(duplicated)}.")
    position = {name: header.index(name) for name in ALL_COLUMNS if name in header}
    lines: list[ReferenceLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(lines) + len(errors) >= MAX_LINES:
            raise ReferenceImportError(f"Le fichier dépasse {MAX_LINES} lignes : découpez-le.")
        if len(row) != len(header):
            errors.append(f"ligne {number} : {len(row)} champs au lieu de {len(header)}")
            continue
        line_errors: list[str] = []
        code = row[position[CODE_COLUMN]].strip().upper()
        if not code:
            line_errors.append("code QPV vide")
        elif code in seen:
            line_errors.append(f"QPV {code} déjà présent ligne {seen[code]}")
        values: dict[str, Any] = {}
        for column, name in COLUMNS.items():
            if column not in position:
                continue
            try:
                values[name] = parse_number(row[position[column]], integer=name in INTEGER_FIELDS)
            except ValueError as exc:
                line_errors.append(f"{column} : {exc}")
        source = row[position[SOURCE_COLUMN]].strip()[:250] if SOURCE_COLUMN in position else ""
        if line_errors:
            errors.append(f"ligne {number} : " + " ; ".join(line_errors))
            continue
        seen[code] = number
        lines.append(ReferenceLine(line=number, code=code, source=source, values=values))
    if errors:
        raise ReferenceImportError(
            f"{len(errors)} ligne(s) en erreur : rien n'a été enregistré.", errors=errors
        )
    if not lines:
        raise ReferenceImportError("Le fichier ne contient aucune ligne de données.")
    return lines


def import_references(
    text: str,
    *,
    year: int,
    ctx: ActingContext | None = None,
    allowed_qpv_ids: set[int] | None = None,
    file_name: str = "",
    dry_run: bool = False,
) -> ImportResult:
    """Create or update the reference indicators of the file's QPV for `year`, in one transaction.

    `allowed_qpv_ids`: the QPV the importer may write (the cité's, on the upload screen); None for an operator's
    command (any QPV of the list)."""
    if not 2000 <= year <= 2100:
        raise ReferenceImportError("Année invalide (entre 2000 et 2100).")
    lines = read_lines(text)
    qpvs = {q.code: q for q in QPV.objects.filter(code__in=[line.code for line in lines]).only("id", "code")}
    errors = []
    for line in lines:
        qpv = qpvs.get(line.code)
        if qpv is None:
            errors.append(f"ligne {line.line} : code QPV {line.code} inconnu (absent de la liste des QPV)")
        elif allowed_qpv_ids is not None and qpv.pk not in allowed_qpv_ids:
            errors.append(f"ligne {line.line} : le QPV {line.code} n'est pas un QPV de votre cité")
    if errors:
        raise ReferenceImportError(
            f"{len(errors)} ligne(s) en erreur : rien n'a été enregistré.", errors=errors
        )

    result = ImportResult()
    with transaction.atomic():
        existing = {
            r.qpv_id: r
            for r in QPVReference.objects.select_for_update().filter(
                qpv_id__in=[q.pk for q in qpvs.values()], year=year
            )
        }
        new: list[QPVReference] = []
        changed: list[QPVReference] = []
        for line in lines:
            qpv = qpvs[line.code]
            result.codes.append(line.code)
            reference = existing.get(qpv.pk)
            wanted = {"source": line.source, **line.values}
            if reference is None:
                new.append(QPVReference(qpv=qpv, year=year, **wanted))
                continue
            fields = [name for name, value in wanted.items() if getattr(reference, name) != value]
            if fields:
                for name in fields:
                    setattr(reference, name, wanted[name])
                reference.version += 1
                reference.updated_at = timezone.now()
                changed.append(reference)
        result.created, result.updated = len(new), len(changed)
        result.unchanged = len(lines) - len(new) - len(changed)
        if dry_run or not (new or changed):
            return result
        QPVReference.objects.bulk_create(new, batch_size=500)
        if changed:
            QPVReference.objects.bulk_update(
                changed, ["source", *VALUE_FIELDS, "version", "updated_at"], batch_size=500
            )
        changes = {
            "file": file_name,
            "year": year,
            "created": result.created,
            "updated": result.updated,
        }
        if ctx is not None:
            audit.log(ctx, "qpv_reference.import", changes=changes)
        else:
            # An operator's command has no acting context.
            AuditEvent.objects.create(
                actor_label="commande import_qpv_reference",
                code="qpv_reference.import",
                object_type=QPVReference._meta.label_lower,
                changes=changes,
                via="cli",
            )
    return result
