"""Import of the official list of QPV (quartiers prioritaires), with optional contours and commune names.

Rules:
- the import is all or nothing: every line is checked first; one bad line and nothing is written,
  and the report lists every problem with its line number;
- it is idempotent: a second run with the same files changes nothing and says so;
- it never touches what users maintain on a QPV (`veille_active`, `population`);
- a QPV of the database that the file does not list is left as it is (reported, never deleted);
- without a contours file, stored contours are kept; without a communes file, stored commune names are
  kept (a new commune is named after its INSEE code until a communes file gives its name).

Files (see docs/import-qpv.md): the CSV of ANCT's list (`code_qpv,libelle,dep_code_from_qpv_code,
insee_communes`), a GeoJSON FeatureCollection whose features carry `code_qpv`, and a JSON mapping of INSEE
codes to commune names (keys may group several codes: "02571; 02691" → "Omissy; Saint-Quentin").
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from citemploi.core.models import AuditEvent
from citemploi.territory.models import QPV, Commune

#: QN + department on 3 characters (080, 02A, 971) + 2 digits + 1 letter, e.g. QN08003M
QPV_CODE_RE = re.compile(r"^QN(?:\d{3}|02[AB])\d{2}[A-Z]$")
#: a commune's INSEE code: 5 digits, or 2A/2B + 3 digits in Corsica
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
COMMUNE_SEPARATORS_RE = re.compile(r"[;,\s]+")

CODE_COLUMN = "code_qpv"
NAME_COLUMN = "libelle"
DEPARTMENT_COLUMN = "dep_code_from_qpv_code"
COMMUNES_COLUMN = "insee_communes"
REQUIRED_COLUMNS = (CODE_COLUMN, NAME_COLUMN, COMMUNES_COLUMN)
EXPECTED_COLUMNS = (CODE_COLUMN, NAME_COLUMN, DEPARTMENT_COLUMN, COMMUNES_COLUMN)

GEOMETRY_TYPES = frozenset({"Polygon", "MultiPolygon"})
BATCH_SIZE = 500
#: rows per `IN (...)` query, well under SQLite's limit on bound parameters
IN_CHUNK = 900


class QPVImportError(Exception):
    """The files cannot be imported; `errors` lists every problem found (French, one per line)."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass(frozen=True)
class QPVLine:
    line: int
    code: str
    name: str
    department: str
    communes: tuple[str, ...]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportResult:
    qpv: Counts = field(default_factory=Counts)
    communes: Counts = field(default_factory=Counts)
    #: QPV of the list that received a contour from the GeoJSON file (new or changed)
    contours_written: int = 0
    #: codes of the GeoJSON file absent from the list (ignored)
    contours_ignored: list[str] = field(default_factory=list)
    #: QPV of the list with no feature in the GeoJSON file (their stored contour is kept)
    contours_missing: int = 0
    #: QPV of the database that the file does not list (left untouched)
    absent_from_file: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.qpv.created or self.qpv.updated or self.communes.created or self.communes.updated)


# --- Codes ------------------------------------------------------------------------------------------------


def department_of_commune(insee_code: str) -> str:
    """The department of a commune, on 3 characters like QPV codes: 80021 → 080, 2A004 → 02A,
    97101 → 971 (overseas departments and collectivities have 3-digit codes)."""
    if insee_code[:2] in ("97", "98"):
        return insee_code[:3]
    return "0" + insee_code[:2]


def department_of_qpv(code: str) -> str:
    """QN08003M → 080."""
    return code[2:5]


def normalise_insee(raw: str) -> str:
    """A spreadsheet drops the leading zero of 01053: a 4-digit code gets it back."""
    code = raw.strip().upper()
    if len(code) == 4 and code.isdigit():
        code = "0" + code
    return code


def normalise_department(raw: str) -> str:
    code = raw.strip().upper()
    return code.zfill(3) if code else code


def repair_mojibake(text: str) -> str:
    """Undo a Windows-1252 text decoded as Latin-1 ("Vand\\x9cuvre" → "Vandœuvre"): such files exist in
    the wild. Text without C1 control characters is returned unchanged."""
    if not any("\x80" <= ch <= "\x9f" for ch in text):
        return text
    try:
        return text.encode("latin-1").decode("cp1252")
    except UnicodeError:
        return text


# --- Reading the files ------------------------------------------------------------------------------------


def _read_text(path: Path, label: str) -> str:
    if not path.exists():
        raise QPVImportError(f"Fichier {label} introuvable : {path}")
    if not path.is_file():
        raise QPVImportError(f"{path} n'est pas un fichier ({label}).")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Files saved by a spreadsheet on Windows.
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise QPVImportError(
            f"Fichier {label} illisible : encodage non reconnu (UTF-8 attendu) — octet {exc.start + 1}."
        ) from exc


def _load_json(path: Path, label: str) -> Any:
    text = _read_text(path, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise QPVImportError(
            f"Fichier {label} invalide : ce n'est pas du JSON valide (erreur ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from exc


def _header_and_delimiter(first_line: str) -> tuple[list[str], str]:
    """The CSV header and its delimiter (comma as published; semicolon or tab from a spreadsheet)."""
    candidates = []
    for delimiter in (",", ";", "\t"):
        header = [
            h.strip().strip('"').strip().lower() for h in next(csv.reader([first_line], delimiter=delimiter))
        ]
        if all(col in header for col in REQUIRED_COLUMNS):
            return header, delimiter
        candidates.append(header)
    widest = max(candidates, key=len)
    found = ", ".join(h for h in widest if h) or "aucune"
    missing = ", ".join(col for col in REQUIRED_COLUMNS if col not in widest)
    raise QPVImportError(
        f"Colonnes manquantes : {missing}. Colonnes attendues : {', '.join(EXPECTED_COLUMNS)} "
        f"(la colonne {DEPARTMENT_COLUMN} est facultative). Colonnes trouvées : {found}."
    )


def read_qpv_list(path: Path) -> list[QPVLine]:
    """The lines of the QPV list; QPVImportError with every bad line when one is wrong."""
    text = _read_text(path, "de la liste des QPV")
    if not text.strip():
        raise QPVImportError(f"Le fichier {path} est vide.")
    first_line = text.splitlines()[0]
    header, delimiter = _header_and_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    position = {name: header.index(name) for name in EXPECTED_COLUMNS if name in header}
    lines: list[QPVLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                f"ligne {number} : {len(row)} champs au lieu de {len(header)} "
                "(un libellé contenant le séparateur doit être entre guillemets)"
            )
            continue
        line_errors: list[str] = []
        code = row[position[CODE_COLUMN]].strip().upper()
        name = row[position[NAME_COLUMN]].strip()
        if not QPV_CODE_RE.match(code):
            line_errors.append(
                f"code QPV « {code or '(vide)'} » invalide (attendu : QN + département sur 3 caractères "
                "+ 2 chiffres + 1 lettre, par exemple QN08003M)"
            )
        elif code in seen:
            line_errors.append(f"code QPV {code} déjà présent ligne {seen[code]}")
        if not name:
            line_errors.append("libellé vide")
        department = department_of_qpv(code) if QPV_CODE_RE.match(code) else ""
        if DEPARTMENT_COLUMN in position:
            given = normalise_department(row[position[DEPARTMENT_COLUMN]])
            if given and department and given != department:
                line_errors.append(f"département « {given} » différent de celui du code QPV ({department})")
        communes_raw = row[position[COMMUNES_COLUMN]]
        communes = tuple(
            dict.fromkeys(normalise_insee(c) for c in COMMUNE_SEPARATORS_RE.split(communes_raw) if c)
        )
        if not communes:
            line_errors.append("aucune commune (colonne insee_communes vide)")
        bad = [c for c in communes if not INSEE_RE.match(c)]
        if bad:
            line_errors.append(
                f"code(s) INSEE de commune invalide(s) : {', '.join(bad)} (5 chiffres, ou 2A/2B + 3 chiffres)"
            )
        if line_errors:
            errors.append(f"ligne {number} : " + " ; ".join(line_errors))
            continue
        seen[code] = number
        lines.append(QPVLine(line=number, code=code, name=name, department=department, communes=communes))
    if errors:
        raise QPVImportError(
            f"{len(errors)} ligne(s) en erreur dans {path.name} : rien n'a été enregistré.", errors=errors
        )
    if not lines:
        raise QPVImportError(f"Le fichier {path} ne contient aucun QPV.")
    return lines


def read_commune_names(path: Path) -> dict[str, str]:
    """INSEE code → commune name. Accepts {"communes": {...}} or a plain mapping; values are a name or an
    object with a `label` (or `nom`, `name`). A key may group several codes ("02571; 02691") with as many
    names ("Omissy; Saint-Quentin"); a name given for a single code wins over a grouped one."""
    data = _load_json(path, "des communes")
    mapping = data.get("communes", data) if isinstance(data, dict) else None
    if not isinstance(mapping, dict):
        raise QPVImportError(
            "Fichier des communes invalide : un objet JSON {code INSEE: nom} "
            '(ou {"communes": {...}}) est attendu.'
        )
    single: dict[str, str] = {}
    grouped: dict[str, str] = {}
    errors: list[str] = []
    for key, value in mapping.items():
        if key == "meta":
            continue
        if isinstance(value, dict):
            label = value.get("label") or value.get("nom") or value.get("name")
        else:
            label = value
        if not isinstance(label, str) or not label.strip():
            errors.append(f"clé « {key} » : nom de commune absent")
            continue
        codes = [normalise_insee(c) for c in re.split(r"[;,]", key) if c.strip()]
        bad = [c for c in codes if not INSEE_RE.match(c)]
        if not codes or bad:
            errors.append(f"clé « {key} » : code INSEE invalide")
            continue
        names = (
            [repair_mojibake(n.strip()) for n in label.split(";")]
            if len(codes) > 1
            else [repair_mojibake(label)]
        )
        if len(names) != len(codes):
            # Several codes and a name that cannot be split between them: the single entries will tell.
            continue
        target = single if len(codes) == 1 else grouped
        for code, name in zip(codes, names, strict=True):
            target.setdefault(code, name.strip())
    if errors:
        raise QPVImportError(
            f"{len(errors)} erreur(s) dans le fichier des communes {path.name} : rien n'a été enregistré.",
            errors=errors,
        )
    return grouped | single


def read_contours(path: Path) -> dict[str, dict[str, Any]]:
    """QPV code → GeoJSON geometry (Polygon or MultiPolygon) from a FeatureCollection."""
    data = _load_json(path, "des contours")
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise QPVImportError(
            "Fichier des contours invalide : une FeatureCollection GeoJSON est attendue "
            '("type": "FeatureCollection" et une liste "features").'
        )
    contours: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for index, feature in enumerate(data["features"], start=1):
        where = f"entité n° {index}"
        if not isinstance(feature, dict):
            errors.append(f"{where} : ce n'est pas un objet Feature")
            continue
        properties = feature.get("properties")
        code = (
            (properties.get(CODE_COLUMN) or properties.get("code")) if isinstance(properties, dict) else None
        )
        if not isinstance(code, str) or not code.strip():
            errors.append(f"{where} : propriété code_qpv absente")
            continue
        code = code.strip().upper()
        where = f"{where} ({code})"
        if not QPV_CODE_RE.match(code):
            errors.append(f"{where} : code QPV invalide")
            continue
        geometry = feature.get("geometry")
        if (
            not isinstance(geometry, dict)
            or geometry.get("type") not in GEOMETRY_TYPES
            or not isinstance(geometry.get("coordinates"), list)
        ):
            errors.append(
                f"{where} : géométrie absente ou d'un type non géré (Polygon ou MultiPolygon attendu)"
            )
            continue
        if code in contours:
            errors.append(f"{where} : contour déjà donné pour ce QPV")
            continue
        contours[code] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if errors:
        raise QPVImportError(
            f"{len(errors)} erreur(s) dans le fichier des contours {path.name} : rien n'a été enregistré.",
            errors=errors,
        )
    return contours


# --- Writing ----------------------------------------------------------------------------------------------


def _chunks(values: list[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _communes_by_code(codes: Iterable[str]) -> dict[str, Commune]:
    found: dict[str, Commune] = {}
    for chunk in _chunks(sorted(set(codes))):
        for commune in Commune.objects.filter(insee_code__in=chunk):
            found[commune.insee_code] = commune
    return found


def _qpvs_by_code(codes: list[str], with_contour: bool) -> dict[str, QPV]:
    fields = ["id", "code", "name", "department", "list_version"] + (["contour"] if with_contour else [])
    found: dict[str, QPV] = {}
    for chunk in _chunks(codes):
        for qpv in QPV.objects.filter(code__in=chunk).only(*fields):
            found[qpv.code] = qpv
    return found


def _commune_links(qpv_ids: list[int]) -> dict[int, set[int]]:
    through = QPV.communes.through
    links: dict[int, set[int]] = {}
    for chunk in _chunks(qpv_ids):
        for qpv_id, commune_id in through.objects.filter(qpv_id__in=chunk).values_list(
            "qpv_id", "commune_id"
        ):
            links.setdefault(qpv_id, set()).add(commune_id)
    return links


def import_qpv(
    list_path: Path | str,
    *,
    contours_path: Path | str | None = None,
    communes_path: Path | str | None = None,
    dry_run: bool = False,
    list_version: str = "2024",
) -> ImportResult:
    """Create or update the QPV of the list and their communes, in one transaction (see module docstring)."""
    lines = read_qpv_list(Path(list_path))
    names = read_commune_names(Path(communes_path)) if communes_path else {}
    contours = read_contours(Path(contours_path)) if contours_path else None

    result = ImportResult(dry_run=dry_run)
    codes = [line.code for line in lines]
    listed = set(codes)
    if contours is not None:
        result.contours_ignored = sorted(code for code in contours if code not in listed)
        result.contours_missing = sum(1 for code in codes if code not in contours)

    with transaction.atomic():
        # Communes first: the QPV link to them.
        commune_codes = sorted({c for line in lines for c in line.communes})
        existing_communes = _communes_by_code(commune_codes)
        new_communes: list[Commune] = []
        changed_communes: list[Commune] = []
        for insee in commune_codes:
            department = department_of_commune(insee)
            commune = existing_communes.get(insee)
            if commune is None:
                new_communes.append(
                    Commune(insee_code=insee, name=names.get(insee, insee), department=department)
                )
                continue
            name = names.get(insee, commune.name)
            if (commune.name, commune.department) != (name, department):
                commune.name, commune.department = name, department
                changed_communes.append(commune)
        result.communes = Counts(
            created=len(new_communes),
            updated=len(changed_communes),
            unchanged=len(commune_codes) - len(new_communes) - len(changed_communes),
        )
        if not dry_run:
            Commune.objects.bulk_create(new_communes, batch_size=BATCH_SIZE)
            Commune.objects.bulk_update(changed_communes, ["name", "department"], batch_size=BATCH_SIZE)
            commune_ids = {code: c.pk for code, c in _communes_by_code(commune_codes).items()}
        else:
            commune_ids = {code: c.pk for code, c in existing_communes.items()}

        existing = _qpvs_by_code(codes, with_contour=contours is not None)
        links = _commune_links([q.pk for q in existing.values()])
        new_qpvs: list[QPV] = []
        changed_qpvs: list[QPV] = []
        changed_fields: set[str] = set()
        links_to_add: list[tuple[str, str]] = []
        links_to_remove: dict[int, set[int]] = {}
        for line in lines:
            qpv = existing.get(line.code)
            contour = contours.get(line.code) if contours is not None else None
            if qpv is None:
                new_qpvs.append(
                    QPV(
                        code=line.code,
                        name=line.name,
                        department=line.department,
                        list_version=list_version,
                        contour=contour,
                    )
                )
                links_to_add.extend((line.code, c) for c in line.communes)
                if contour is not None:
                    result.contours_written += 1
                continue
            wanted: dict[str, Any] = {
                "name": line.name,
                "department": line.department,
                "list_version": list_version,
            }
            if contour is not None:
                wanted["contour"] = contour
            fields = [name for name, value in wanted.items() if getattr(qpv, name) != value]
            for name in fields:
                setattr(qpv, name, wanted[name])
            if "contour" in fields:
                result.contours_written += 1
            current = links.get(qpv.pk, set())
            desired = {commune_ids[c] for c in line.communes if c in commune_ids}
            missing = [c for c in line.communes if commune_ids.get(c) not in current]
            extra = current - desired
            links_to_add.extend((line.code, c) for c in missing)
            if extra:
                links_to_remove[qpv.pk] = extra
            if fields or missing or extra:
                changed_qpvs.append(qpv)
                changed_fields.update(fields)
        result.qpv = Counts(
            created=len(new_qpvs),
            updated=len(changed_qpvs),
            unchanged=len(lines) - len(new_qpvs) - len(changed_qpvs),
        )
        result.absent_from_file = sum(
            1 for code in QPV.objects.values_list("code", flat=True).iterator() if code not in listed
        )
        if dry_run or not result.changed:
            return result

        QPV.objects.bulk_create(new_qpvs, batch_size=BATCH_SIZE)
        if changed_fields:
            # Small batches: a contour is a large parameter and bulk_update builds one CASE per field.
            QPV.objects.bulk_update(changed_qpvs, sorted(changed_fields), batch_size=100)
        through = QPV.communes.through
        if links_to_add:
            qpv_ids = {
                code: q.pk for code, q in _qpvs_by_code(sorted({c for c, _ in links_to_add}), False).items()
            }
            through.objects.bulk_create(
                [
                    through(qpv_id=qpv_ids[code], commune_id=commune_ids[insee])
                    for code, insee in links_to_add
                ],
                batch_size=BATCH_SIZE,
            )
        for qpv_id, commune_set in links_to_remove.items():
            through.objects.filter(qpv_id=qpv_id, commune_id__in=commune_set).delete()
        # audit.log needs an acting context; an operator's command has none, so the row is written here.
        AuditEvent.objects.create(
            actor_label="commande import_qpv",
            code="qpv.import",
            object_type=QPV._meta.label_lower,
            changes={
                "file": Path(list_path).name,
                "list_version": list_version,
                "qpv": {"created": result.qpv.created, "updated": result.qpv.updated},
                "communes": {"created": result.communes.created, "updated": result.communes.updated},
                "contours": result.contours_written,
            },
            via="cli",
        )
    return result
