"""Import of data·inclusion files (schema v1): services, and optionally their structures; JSON or CSV.

Rules:
- **All or nothing.** Every record is checked before anything is written; one error and nothing is written.
  The report lists each problem with its line (CSV) or its rank in the list (JSON), the identifier of the
  record, the field and the value — one line per unknown code.
- **Idempotent by source identifier.** A service is found again by its data·inclusion `id`, a structure by
  the `id` it had in an earlier import (StructureSource), else by SIRET, else by name among the cité's
  partners. Importing the same file twice changes nothing the second time.
- **A more recent local version wins.** A service updated in citemploi after the file's `date_maj` is left
  as it is (reported).
- **Local enrichments are kept.** citemploi's own fields (nature, step, capacity…) are exported as
  `citemploi_*` extension fields; a file without them leaves them unchanged on existing services.
- A structure's référents and members import for their own structure only: every service of the file is
  attached to it. Coordinators import for the whole cité; structures the cité does not know yet are added to
  its partnership (through citemploi.partners.services).

Accepted shapes: a JSON list of records, a JSON object with an `items` list (the data·inclusion API), or a
JSON object with `structures` and `services` lists; a CSV file with one record per line, the schema's field
names as header, list fields as codes separated by commas.
"""

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.core.spreadsheets import DANGEROUS_PREFIXES
from citemploi.core.text import fold
from citemploi.offer import queries
from citemploi.offer.enums import (
    Fee,
    InsertionStep,
    Mobiliser,
    ModeAccueil,
    ModeMobilisation,
    Public,
    ServiceNature,
    ServiceType,
)
from citemploi.offer.models import Service, ServiceArea, ServicePublic, ServiceTheme, StructureSource
from citemploi.offer.referentials import (
    AreaCodeError,
    ThemeVocabulary,
    category_of,
    infer_step,
    parse_area_code,
)
from citemploi.offer.services import set_children
from citemploi.partners import services as partner_services
from citemploi.partners.enums import StructureKind
from citemploi.partners.models import Structure
from citemploi.people.importing.inserts import Inserter
from citemploi.territory.models import Commune

#: most records a file may carry
MAX_RECORDS = 20_000
EXTENSIONS = (".json", ".csv")

#: citemploi's own fields, exported next to the schema's (data·inclusion ignores unknown fields)
EXTENSION_FIELDS = {
    "citemploi_nature": "nature",
    "citemploi_etape": "step",
    "citemploi_prescripteurs": "prescribers",
    "citemploi_places": "capacity",
    "citemploi_liste_attente": "waiting_list",
    "citemploi_date_ouverture": "opens_on",
    "citemploi_date_fin_validite": "valid_until",
    "citemploi_visible": "published",
}

SERVICE_KEYS = {
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
    "latitude",
    "longitude",
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
} | set(EXTENSION_FIELDS)

STRUCTURE_KEYS = {
    "id",
    "source",
    "nom",
    "description",
    "date_maj",
    "siret",
    "courriel",
    "telephone",
    "site_web",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "horaires_accueil",
    "lien_source",
    "accessibilite_lieu",
    "reseaux_porteurs",
}

#: data·inclusion `reseaux_porteurs` → the kind of a structure created by an import (association otherwise)
KIND_OF_NETWORK: dict[str, str] = {
    "france-travail": StructureKind.FRANCE_TRAVAIL,
    "mission-locale": StructureKind.MISSION_LOCALE,
    "cap-emploi-reseau-cheops": StructureKind.CAP_EMPLOI,
    "plie": StructureKind.PLIE,
    "departements": StructureKind.DEPARTEMENT,
    "regions": StructureKind.REGION,
    "communes": StructureKind.COMMUNE_EPCI,
    "ccas-cias": StructureKind.CCAS,
    "spip": StructureKind.JUSTICE,
    "pjj": StructureKind.JUSTICE,
    "aci": StructureKind.SIAE,
    "ai": StructureKind.SIAE,
    "ei": StructureKind.SIAE,
    "etti": StructureKind.SIAE,
    "eiti": StructureKind.SIAE,
    "afpa": StructureKind.TRAINING,
    "cnam": StructureKind.TRAINING,
    "ecoles-de-la-deuxieme-chance": StructureKind.TRAINING,
    "epide": StructureKind.TRAINING,
    "chambres-consulaires": StructureKind.CCI_CMA,
    "face": StructureKind.EMPLOYER,
    "fcsf": StructureKind.SOCIAL_CENTRE,
    "cpam": StructureKind.HEALTH_SOCIAL,
    "cms": StructureKind.HEALTH_SOCIAL,
    "cmp": StructureKind.HEALTH_SOCIAL,
    "csapa": StructureKind.HEALTH_SOCIAL,
    "caarud": StructureKind.HEALTH_SOCIAL,
    "mdph": StructureKind.HEALTH_SOCIAL,
}

SERVICES_FILE = "services"
STRUCTURES_FILE = "structures"
FILE_LABELS = {SERVICES_FILE: "services", STRUCTURES_FILE: "structures"}


class ImportFileError(Exception):
    """The file cannot be read at all; the French message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportRejected(Exception):
    """At least one record is in error: nothing was written."""

    def __init__(self, report: "ImportReport"):
        super().__init__(
            f"{report.in_error} enregistrement(s) en erreur : rien n'a été importé. "
            "Corrigez le fichier d'après le rapport puis importez-le de nouveau."
        )
        self.report = report


@dataclass(frozen=True)
class UploadedFile:
    content: bytes
    filename: str

    @classmethod
    def from_path(cls, path: Path) -> "UploadedFile":
        return cls(content=path.read_bytes(), filename=path.name)


@dataclass
class Issue:
    file: str
    line: int
    ident: str
    field: str
    value: str
    message: str
    is_error: bool = True

    @property
    def file_label(self) -> str:
        return FILE_LABELS.get(self.file, self.file)


@dataclass
class Record:
    line: int
    data: dict[str, Any]
    #: the keys the record carries (a CSV column left empty is present, a JSON key left out is not)
    keys: set[str]


@dataclass
class ParsedFile:
    records: list[Record]
    kind: str  # "json" | "csv"
    unknown_keys: list[str] = field(default_factory=list)


@dataclass
class ServicePlan:
    line: int
    ident: str
    name: str
    structure_key: str
    values: dict[str, Any]
    themes: list[str]
    publics: list[str]
    areas: list[tuple[str, str]]
    last_updated_on: date
    source: str
    source_link: str
    action: str = ""  # create | update | unchanged | skip
    existing: Service | None = None
    structure: Structure | None = None
    #: key of a structure row to create, when the structure does not exist yet
    new_structure: str = ""


@dataclass
class StructurePlan:
    line: int
    ident: str
    source: str
    name: str
    data: dict[str, Any]
    existing: Structure | None = None
    matched_by: str = ""  # link | siret | name | target


ACTION_LABELS = {
    "create": "à créer",
    "update": "à mettre à jour",
    "unchanged": "inchangé",
    "skip": "ignoré (plus récent dans citemploi)",
}


@dataclass
class ImportReport:
    services_filename: str
    structures_filename: str = ""
    services: list[ServicePlan] = field(default_factory=list)
    structures: list[StructurePlan] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    target: Structure | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    @property
    def in_error(self) -> int:
        return len({(i.file, i.line) for i in self.issues if i.is_error})

    def count(self, action: str) -> int:
        return sum(1 for s in self.services if s.action == action)

    @property
    def to_create(self) -> int:
        return self.count("create")

    @property
    def to_update(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def skipped(self) -> int:
        return self.count("skip")

    @property
    def structures_to_create(self) -> list[StructurePlan]:
        return [s for s in self.structures if s.existing is None and s.matched_by == ""]

    @property
    def has_changes(self) -> bool:
        return bool(self.to_create or self.to_update)

    def preview(self, limit: int = 30) -> list[dict[str, Any]]:
        rows = []
        for plan in self.services[:limit]:
            if plan.structure is not None:
                structure = plan.structure.name
            elif plan.new_structure:
                structure = next(
                    (f"{s.name} (nouvelle)" for s in self.structures if s.ident == plan.new_structure), ""
                )
            else:
                structure = plan.structure_key
            rows.append(
                {
                    "line": plan.line,
                    "ident": plan.ident,
                    "name": plan.name,
                    "structure": structure,
                    "action": ACTION_LABELS.get(plan.action, plan.action),
                }
            )
        return rows


REPORT_HEADER = ["fichier", "ligne", "identifiant", "champ", "valeur", "message", "gravité"]


def report_rows(report: ImportReport) -> list[list[Any]]:
    return [
        [
            i.file_label,
            i.line,
            i.ident,
            i.field,
            i.value,
            i.message,
            "erreur" if i.is_error else "information",
        ]
        for i in report.issues
    ]


# --- Reading ----------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _extension(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportFileError(
            f"« {filename} » : format non reconnu. Les fichiers data·inclusion sont en .json ou en .csv."
        )
    return suffix


def check_size(size: int) -> None:
    limit = int(settings.IMPORT_MAX_BYTES)
    if size > limit:
        raise ImportFileError(f"Fichier trop volumineux : {limit // (1024 * 1024)} Mo au plus.")


def _records_of(payload: Any, kind: str, filename: str) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in (kind, "items", "results"):
            if isinstance(payload.get(key), list):
                return payload[key]
        if kind == STRUCTURES_FILE and isinstance(payload.get(SERVICES_FILE), list):
            return []
    raise ImportFileError(
        f"« {filename} » : une liste d'enregistrements JSON est attendue (ou un objet avec une liste "
        f"« {kind} » ou « items »)."
    )


def _unescape(value: str) -> str:
    """A cell our CSV export protected against formulas (leading apostrophe) gets its value back."""
    if len(value) > 1 and value[0] == "'" and value[1] in DANGEROUS_PREFIXES:
        return value[1:]
    return value


def _csv_records(text: str, filename: str) -> list[Record]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError(f"« {filename} » est vide.") from exc
    except csv.Error as exc:
        raise ImportFileError(f"« {filename} » : CSV illisible ({exc}).") from exc
    columns = [c.strip().lower() for c in header]
    if "id" not in columns:
        raise ImportFileError(
            f"« {filename} » : colonne « id » absente. La première ligne doit donner les noms des champs du "
            "schéma data·inclusion (id, nom, …)."
        )
    records = []
    line = reader.line_num + 1
    try:
        for values in reader:
            start, line = line, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            data = {}
            for name, value in zip(columns, values, strict=False):
                if name:
                    cleaned = _unescape(value.strip())
                    data[name] = cleaned if cleaned != "" else None
            records.append(Record(line=start, data=data, keys={c for c in columns if c}))
            if len(records) > MAX_RECORDS:
                raise ImportFileError(f"« {filename} » : plus de {MAX_RECORDS} enregistrements.")
    except csv.Error as exc:
        raise ImportFileError(f"« {filename} », ligne {reader.line_num} : CSV illisible ({exc}).") from exc
    return records


def _json_payload(upload: UploadedFile) -> Any:
    try:
        return json.loads(_decode(upload.content))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"« {upload.filename} » : JSON invalide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from exc


def read_file(upload: UploadedFile, kind: str, *, payload: Any = None) -> ParsedFile:
    """The records of a file (JSON or CSV); ImportFileError when the file cannot be read at all.

    `payload` is the file's JSON when the caller has already parsed it (a bundle is read for both lists).
    """
    check_size(len(upload.content))
    suffix = _extension(upload.filename)
    known = SERVICE_KEYS if kind == SERVICES_FILE else STRUCTURE_KEYS
    if suffix == ".json":
        items = _records_of(_json_payload(upload) if payload is None else payload, kind, upload.filename)
        if len(items) > MAX_RECORDS:
            raise ImportFileError(f"« {upload.filename} » : plus de {MAX_RECORDS} enregistrements.")
        records = []
        for rank, item in enumerate(items, 1):
            if not isinstance(item, dict):
                records.append(Record(line=rank, data={"__invalid__": True}, keys=set()))
                continue
            records.append(Record(line=rank, data=item, keys=set(item)))
        parsed = ParsedFile(records=records, kind="json")
    else:
        parsed = ParsedFile(records=_csv_records(_decode(upload.content), upload.filename), kind="csv")
    present: set[str] = set()
    for record in parsed.records:
        present |= record.keys
    parsed.unknown_keys = sorted(present - known)
    return parsed


def read_bundle(upload: UploadedFile) -> tuple[ParsedFile, ParsedFile | None]:
    """A JSON object carrying both lists ({"structures": […], "services": […]}) gives both files.

    The JSON is parsed once for both lists (a file of 20,000 services takes about a second to parse).
    """
    if not upload.filename.lower().endswith(".json"):
        return read_file(upload, SERVICES_FILE), None
    check_size(len(upload.content))
    _extension(upload.filename)
    payload = _json_payload(upload)
    services = read_file(upload, SERVICES_FILE, payload=payload)
    if isinstance(payload, dict) and isinstance(payload.get(STRUCTURES_FILE), list):
        return services, read_file(upload, STRUCTURES_FILE, payload=payload)
    return services, None


# --- Values -----------------------------------------------------------------------------------------------


class Bad(ValueError):
    """One value is wrong; the French message says why."""


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])
_POSTCODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_SIRET = re.compile(r"^\d{14}$")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _text(value: Any, *, max_length: int | None = None, min_length: int = 0) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    else:
        raise Bad("texte attendu")
    if "\x00" in text:
        raise Bad("caractère nul interdit")
    if text and len(text) < min_length:
        raise Bad(f"trop court ({min_length} caractères au moins)")
    if max_length is not None and len(text) > max_length:
        raise Bad(f"trop long ({max_length} caractères au plus)")
    return text


def _codes(value: Any) -> list[str]:
    """A list of codes: a JSON list, or in CSV codes separated by commas (a JSON list or {a,b} also read)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise Bad("liste de codes attendue")
        return [v.strip() for v in value if v.strip()]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise Bad("liste illisible") from exc
            return _codes(parsed)
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]
        return [part.strip().strip('"') for part in re.split(r"[,|]", text) if part.strip().strip('"')]
    raise Bad("liste de codes attendue")


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Bad("date attendue au format AAAA-MM-JJ")
    text = value.strip()
    iso = _ISO_DATE.match(text)
    if iso:
        # The usual spelling, read without strptime (which looks the locale up at every call).
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
    for fmt, size in (("%Y-%m-%d", 10), ("%d/%m/%Y", 10)):
        try:
            return datetime.strptime(text[:size], fmt).date()
        except ValueError:
            continue
    raise Bad("date attendue au format AAAA-MM-JJ")


def _number(value: Any, *, integer: bool, minimum: float) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Bad("nombre attendu")
    if isinstance(value, str):
        text = value.strip().replace(",", ".").replace(" ", "")
        try:
            number: float = float(text)
        except ValueError as exc:
            raise Bad("nombre attendu") from exc
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise Bad("nombre attendu")
    if number != number or number in (float("inf"), float("-inf")):
        raise Bad("nombre attendu")
    if number < minimum:
        raise Bad(f"doit valoir au moins {minimum:g}")
    if integer:
        if number != int(number):
            raise Bad("nombre entier attendu")
        if number > 2_000_000_000:
            raise Bad("nombre trop grand")
        return int(number)
    return number


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("oui", "true", "vrai", "1", "o", "yes"):
        return True
    if text in ("non", "false", "faux", "0", "n", "no"):
        return False
    raise Bad("oui ou non attendu")


@functools.cache
def _codes_of(choices: Any) -> frozenset[str]:
    """The codes of a TextChoices (its `.values` builds a new list at every access)."""
    return frozenset(choices.values)


def _choice(value: Any, choices: Any) -> str:
    text = _text(value)
    if text and text not in _codes_of(choices):
        raise Bad("valeur inconnue")
    return text


def _email_value(value: Any) -> str:
    text = _text(value, max_length=254)
    if text:
        try:
            _email(text)
        except ValidationError as exc:
            raise Bad("adresse e-mail invalide") from exc
    return text


def _url_value(value: Any) -> str:
    text = _text(value, max_length=2083)
    if text:
        try:
            _url(text)
        except ValidationError as exc:
            raise Bad("adresse web invalide (http:// ou https:// attendu)") from exc
    return text


class _Checker:
    """Collects the issues of one record."""

    def __init__(self, report: ImportReport, kind: str, record: Record, ident: str):
        self.report, self.kind, self.record, self.ident = report, kind, record, ident
        self.failed = False

    def error(self, name: str, value: Any, message: str) -> None:
        self.failed = True
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        self.report.issues.append(Issue(self.kind, self.record.line, self.ident, name, shown[:200], message))

    def take(self, name: str, parser: Callable[[Any], Any], *, required: bool = False) -> Any:
        value = self.record.data.get(name)
        if required and (value is None or (isinstance(value, str) and not value.strip())):
            self.error(name, "", "champ obligatoire")
            return None
        try:
            return parser(value)
        except Bad as exc:
            self.error(name, value if value is not None else "", str(exc))
            return None

    def codes(self, name: str, allowed: Callable[[str], bool], message: str) -> list[str]:
        """Codes of a list field; one issue per unknown code."""
        try:
            values = _codes(self.record.data.get(name))
        except Bad as exc:
            self.error(name, self.record.data.get(name) or "", str(exc))
            return []
        known = []
        for code in dict.fromkeys(values):
            if allowed(code):
                known.append(code)
            else:
                self.error(name, code, message)
        return known


# --- Checking services ------------------------------------------------------------------------------------


def _check_service(
    report: ImportReport, record: Record, vocabulary: ThemeVocabulary, today: date
) -> ServicePlan | None:
    ident = record.data.get("id") if isinstance(record.data.get("id"), str) else ""
    c = _Checker(report, SERVICES_FILE, record, str(ident or "").strip())
    if record.data.get("__invalid__"):
        c.error("", "", "enregistrement illisible : un objet JSON est attendu")
        return None
    ident = c.take("id", lambda v: _text(v, max_length=200), required=True) or ""
    c.ident = ident
    source = c.take("source", lambda v: _text(v, max_length=100), required=True) or ""
    structure_key = c.take("structure_id", lambda v: _text(v, max_length=200), required=True) or ""
    name = c.take("nom", lambda v: _text(v, min_length=3, max_length=150), required=True) or ""
    description = c.take("description", lambda v: _text(v, min_length=5, max_length=10000), required=True)
    updated = c.take("date_maj", _date, required=True)
    if updated is not None and updated > today:
        c.error("date_maj", record.data.get("date_maj"), "date dans le futur")
    values: dict[str, Any] = {
        "name": name,
        "description": description or "",
        "type": c.take("type", lambda v: _choice(v, ServiceType)),
        "publics_details": c.take("publics_precisions", _text),
        "access_conditions": c.take("conditions_acces", _text),
        "fees": c.take("frais", lambda v: _choice(v, Fee)),
        "fees_details": c.take("frais_precisions", _text),
        "email": c.take("courriel", _email_value),
        "phone": c.take("telephone", lambda v: _text(v, max_length=30)),
        "contact_name": c.take("contact_nom_prenom", lambda v: _text(v, max_length=200)),
        "address": c.take("adresse", lambda v: _text(v, max_length=300)),
        "address_complement": c.take("complement_adresse", lambda v: _text(v, max_length=300)),
        "postcode": c.take("code_postal", _postcode),
        "city": c.take("commune", lambda v: _text(v, max_length=200)),
        "insee_code": c.take("code_insee", _insee),
        "opening_hours": c.take("horaires_accueil", lambda v: _text(v, max_length=300)),
        "mobilisation_details": c.take("mobilisation_precisions", _text),
        "mobilisation_link": c.take("lien_mobilisation", _url_value),
        "weekly_hours": c.take("volume_horaire_hebdomadaire", lambda v: _number(v, integer=False, minimum=0)),
        "weeks": c.take("nombre_semaines", lambda v: _number(v, integer=True, minimum=1)),
        "modes_accueil": c.codes(
            "modes_accueil", _codes_of(ModeAccueil).__contains__, "mode d'accueil inconnu"
        ),
        "modes_mobilisation": c.codes(
            "modes_mobilisation", _codes_of(ModeMobilisation).__contains__, "mode de mobilisation inconnu"
        ),
        "mobilisable_par": c.codes(
            "mobilisable_par",
            _codes_of(Mobiliser).__contains__,
            "valeur inconnue (usagers ou professionnels)",
        ),
    }
    source_link = c.take("lien_source", _url_value) or ""
    themes = c.codes("thematiques", vocabulary.is_known, "thématique inconnue")
    publics = c.codes("publics", _codes_of(Public).__contains__, "public inconnu")
    areas: list[tuple[str, str]] = []
    try:
        area_codes = _codes(record.data.get("zone_eligibilite"))
    except Bad as exc:
        c.error("zone_eligibilite", record.data.get("zone_eligibilite") or "", str(exc))
        area_codes = []
    for raw in area_codes:
        try:
            kind, code = parse_area_code(raw)
        except AreaCodeError as exc:
            c.error("zone_eligibilite", raw, str(exc))
            continue
        if (kind, code) not in areas:
            areas.append((str(kind), code))
    _check_extensions(c, record, values)
    if c.failed or updated is None:
        return None
    return ServicePlan(
        line=record.line,
        ident=ident,
        name=name,
        structure_key=structure_key,
        values=values,
        themes=themes,
        publics=publics,
        areas=areas,
        last_updated_on=updated,
        source=source,
        source_link=source_link,
    )


def _postcode(value: Any) -> str:
    text = _text(value)
    if text and not _POSTCODE.match(text):
        raise Bad("code postal sur 5 chiffres attendu")
    return text


def _insee(value: Any) -> str:
    text = _text(value).upper()
    if text and not _INSEE.match(text):
        raise Bad("code INSEE de commune sur 5 caractères attendu")
    return text


def _check_extensions(c: _Checker, record: Record, values: dict[str, Any]) -> None:
    """citemploi's own fields, only when the record carries them (otherwise local values are kept)."""
    parsers: dict[str, Callable[[Any], Any]] = {
        "citemploi_nature": lambda v: _choice(v, ServiceNature) or ServiceNature.DROIT_COMMUN,
        "citemploi_etape": lambda v: _choice(v, InsertionStep),
        "citemploi_prescripteurs": lambda v: _text(v, max_length=300),
        "citemploi_places": lambda v: _number(v, integer=True, minimum=0),
        "citemploi_liste_attente": lambda v: _number(v, integer=True, minimum=0),
        "citemploi_date_ouverture": _date,
        "citemploi_date_fin_validite": _date,
        "citemploi_visible": lambda v: True if _bool(v) is None else _bool(v),
    }
    for key, name in EXTENSION_FIELDS.items():
        if key in record.keys:
            values[name] = c.take(key, parsers[key])
    opens, until = values.get("opens_on"), values.get("valid_until")
    if opens and until and until < opens:
        c.error(
            "citemploi_date_fin_validite",
            record.data.get("citemploi_date_fin_validite") or "",
            "précède la date d'ouverture",
        )


# --- Checking structures ----------------------------------------------------------------------------------


def _check_structure_row(report: ImportReport, record: Record) -> StructurePlan | None:
    c = _Checker(report, STRUCTURES_FILE, record, "")
    if record.data.get("__invalid__"):
        c.error("", "", "enregistrement illisible : un objet JSON est attendu")
        return None
    ident = c.take("id", lambda v: _text(v, max_length=200), required=True) or ""
    c.ident = ident
    source = c.take("source", lambda v: _text(v, max_length=100)) or ""
    name = c.take("nom", lambda v: _text(v, min_length=3, max_length=250), required=True) or ""

    def siret(value: Any) -> str:
        text = _text(value).replace(" ", "")
        if text and not _SIRET.match(text):
            raise Bad("SIRET sur 14 chiffres attendu")
        return text

    address = " ".join(
        p
        for p in (
            c.take("adresse", lambda v: _text(v, max_length=300)),
            c.take("complement_adresse", lambda v: _text(v, max_length=300)),
        )
        if p
    )
    data = {
        "name": name,
        "siret": c.take("siret", siret),
        "email": c.take("courriel", _email_value),
        "phone": c.take("telephone", lambda v: _text(v, max_length=30)),
        "website": c.take("site_web", lambda v: _url_value(v)[:200]),
        "address": address[:300],
        "insee_code": c.take("code_insee", _insee),
        "networks": c.codes(
            "reseaux_porteurs", lambda v: bool(re.match(r"^[a-z0-9-]+$", v)), "code invalide"
        ),
    }
    if c.failed:
        return None
    return StructurePlan(line=record.line, ident=ident, source=source, name=name, data=data)


# --- Planning ---------------------------------------------------------------------------------------------


def import_target(ctx: ActingContext, structure: Structure | None) -> Structure | None:
    """The structure every service is attached to: the acting structure for its members, the chosen one (or
    none: each service's own structure) for coordinators."""
    scope = require(ctx, "service.import")
    allowed = queries.structures_for(ctx, "service.import")
    if scope == Scope.OWN_STRUCTURE:
        own = allowed.first()
        if own is None:
            raise ValidationError("Votre structure n'est pas partenaire de la cité : import impossible.")
        if structure is not None and structure.pk != own.pk:
            raise ValidationError("Vous importez les services de votre structure uniquement.")
        return own
    if structure is not None and not allowed.filter(pk=structure.pk).exists():
        raise ValidationError("Cette structure n'est pas partenaire de la cité.")
    return structure


def _current_values(service: Service, names: list[str]) -> dict[str, Any]:
    return {name: getattr(service, name) for name in names}


def _plan(
    ctx: ActingContext,
    services_file: UploadedFile,
    structures_file: UploadedFile | None,
    structure: Structure | None,
    today: date,
) -> ImportReport:
    target = import_target(ctx, structure)
    parsed_services, bundled = read_bundle(services_file)
    parsed_structures = (
        read_file(structures_file, STRUCTURES_FILE) if structures_file is not None else bundled
    )
    report = ImportReport(
        services_filename=services_file.filename,
        structures_filename=structures_file.filename if structures_file else "",
        target=target,
    )
    for kind, parsed in ((SERVICES_FILE, parsed_services), (STRUCTURES_FILE, parsed_structures)):
        if parsed is not None and parsed.unknown_keys:
            report.issues.append(
                Issue(
                    kind,
                    1,
                    "",
                    ", ".join(parsed.unknown_keys[:20]),
                    "",
                    "champ(s) inconnu(s) du schéma data·inclusion v1 : ignoré(s)",
                    is_error=False,
                )
            )
    vocabulary = queries.theme_vocabulary()
    seen: dict[str, int] = {}
    for record in parsed_services.records:
        plan = _check_service(report, record, vocabulary, today)
        if plan is None:
            continue
        if plan.ident in seen:
            report.issues.append(
                Issue(
                    SERVICES_FILE,
                    plan.line,
                    plan.ident,
                    "id",
                    plan.ident,
                    f"identifiant déjà présent (ligne {seen[plan.ident]})",
                )
            )
            continue
        seen[plan.ident] = plan.line
        report.services.append(plan)
    if not parsed_services.records:
        report.issues.append(Issue(SERVICES_FILE, 1, "", "", "", "aucun service dans le fichier"))
    structure_rows: dict[str, StructurePlan] = {}
    if parsed_structures is not None:
        if target is not None:
            report.issues.append(
                Issue(
                    STRUCTURES_FILE,
                    1,
                    "",
                    "",
                    "",
                    f"fichier des structures non utilisé : tous les services sont rattachés à « {target.name} »",
                    is_error=False,
                )
            )
        else:
            for record in parsed_structures.records:
                row = _check_structure_row(report, record)
                if row is not None:
                    if row.ident in structure_rows:
                        report.issues.append(
                            Issue(
                                STRUCTURES_FILE,
                                row.line,
                                row.ident,
                                "id",
                                row.ident,
                                f"identifiant déjà présent (ligne {structure_rows[row.ident].line})",
                            )
                        )
                        continue
                    structure_rows[row.ident] = row
    _resolve_structures(ctx, report, structure_rows, target)
    _compare_services(ctx, report)
    return report


def _resolve_structures(
    ctx: ActingContext, report: ImportReport, rows: dict[str, StructurePlan], target: Structure | None
) -> None:
    """Attach each service to a structure of the cité: the target, a known link, a SIRET, a name, or a
    structure row of the file to create (coordinators)."""
    keys = {s.structure_key for s in report.services} | set(rows)
    links = {
        link.source_id: link
        for link in StructureSource.objects.filter(source_id__in=keys).select_related("structure")
    }
    allowed = {s.pk: s for s in queries.structures_for(ctx, "service.import")}
    by_siret = {s.siret: s for s in allowed.values() if s.siret}
    by_name = {fold(s.name): s for s in allowed.values()}
    used_rows = set()
    for plan in report.services:
        link = links.get(plan.structure_key)
        if target is not None:
            if link is not None and link.structure_id != target.pk:
                report.issues.append(
                    Issue(
                        SERVICES_FILE,
                        plan.line,
                        plan.ident,
                        "structure_id",
                        plan.structure_key,
                        f"ce service est celui d'une autre structure (« {link.structure.name} ») "
                        f"et non de « {target.name} »",
                    )
                )
                continue
            plan.structure = target
            continue
        if link is not None:
            if link.structure_id not in allowed:
                report.issues.append(
                    Issue(
                        SERVICES_FILE,
                        plan.line,
                        plan.ident,
                        "structure_id",
                        plan.structure_key,
                        f"structure déjà connue (« {link.structure.name} ») mais pas partenaire de votre "
                        "cité : ajoutez-la d'abord au partenariat",
                    )
                )
                continue
            plan.structure = allowed[link.structure_id]
            continue
        row = rows.get(plan.structure_key)
        if row is None:
            report.issues.append(
                Issue(
                    SERVICES_FILE,
                    plan.line,
                    plan.ident,
                    "structure_id",
                    plan.structure_key,
                    "structure inconnue : joignez le fichier des structures, ou choisissez la structure "
                    "de rattachement",
                )
            )
            continue
        used_rows.add(row.ident)
        if row.existing is None and not row.matched_by:
            found = by_siret.get(row.data["siret"]) if row.data["siret"] else None
            if found is not None:
                row.existing, row.matched_by = found, "siret"
            elif fold(row.name) in by_name:
                row.existing, row.matched_by = by_name[fold(row.name)], "name"
        if row.existing is not None:
            plan.structure = row.existing
        else:
            plan.new_structure = row.ident
    for ident, row in rows.items():
        if ident not in used_rows:
            report.issues.append(
                Issue(
                    STRUCTURES_FILE,
                    row.line,
                    ident,
                    "",
                    "",
                    "structure sans service dans le fichier des services : ignorée",
                    is_error=False,
                )
            )
    report.structures = [rows[i] for i in rows if i in used_rows]
    if report.structures_to_create and not ctx.can("structure.create"):
        for row in report.structures_to_create:
            report.issues.append(
                Issue(
                    STRUCTURES_FILE,
                    row.line,
                    row.ident,
                    "nom",
                    row.name,
                    "structure absente du partenariat : seule la coordination peut l'ajouter",
                )
            )


def _compare_services(ctx: ActingContext, report: ImportReport) -> None:
    existing = {
        s.source_id: s
        for s in queries.with_details(
            Service.objects.filter(source_id__in=[p.ident for p in report.services])
        )
    }
    editable = set(queries.structures_for(ctx, "service.import").values_list("pk", flat=True))
    for plan in report.services:
        service = existing.get(plan.ident)
        if service is None:
            plan.action = "create"
            continue
        plan.existing = service
        if service.structure_id not in editable:
            report.issues.append(
                Issue(
                    SERVICES_FILE,
                    plan.line,
                    plan.ident,
                    "id",
                    plan.ident,
                    f"service déjà présent, rattaché à « {service.structure.name} », hors de votre périmètre",
                )
            )
            continue
        if service.last_updated_on > plan.last_updated_on:
            plan.action = "skip"
            report.issues.append(
                Issue(
                    SERVICES_FILE,
                    plan.line,
                    plan.ident,
                    "date_maj",
                    plan.last_updated_on.isoformat(),
                    "non mis à jour : modifié dans citemploi le "
                    f"{service.last_updated_on.strftime('%d/%m/%Y')}, après la date du fichier",
                    is_error=False,
                )
            )
            continue
        opens = plan.values.get("opens_on", service.opens_on)
        until = plan.values.get("valid_until", service.valid_until)
        if opens and until and until < opens:
            report.issues.append(
                Issue(
                    SERVICES_FILE,
                    plan.line,
                    plan.ident,
                    "citemploi_date_ouverture",
                    opens.isoformat(),
                    f"postérieure à la fin de validité enregistrée ({until.strftime('%d/%m/%Y')})",
                )
            )
            continue
        names = list(plan.values)
        same = (
            _current_values(service, names) == plan.values
            and sorted(t.code for t in service.themes.all()) == sorted(plan.themes)
            and sorted(p.code for p in service.publics.all()) == sorted(plan.publics)
            and sorted((a.kind, a.code) for a in service.areas.all()) == sorted(plan.areas)
            and service.last_updated_on == plan.last_updated_on
            and service.source == plan.source
            and service.source_link == plan.source_link
            and (plan.structure is None or plan.structure.pk == service.structure_id)
            and not plan.new_structure
        )
        plan.action = "unchanged" if same else "update"


# --- Entry points -----------------------------------------------------------------------------------------


def preview_import(
    *,
    ctx: ActingContext,
    services_file: UploadedFile,
    structures_file: UploadedFile | None = None,
    structure: Structure | None = None,
    today: date | None = None,
) -> ImportReport:
    """What the import would do, without writing anything."""
    return _plan(ctx, services_file, structures_file, structure, today or timezone.localdate())


@transaction.atomic
def import_services(
    *,
    ctx: ActingContext,
    services_file: UploadedFile,
    structures_file: UploadedFile | None = None,
    structure: Structure | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import the files, all or nothing: ImportRejected (nothing written) when a record is in error."""
    report = _plan(ctx, services_file, structures_file, structure, today or timezone.localdate())
    if report.has_errors:
        raise ImportRejected(report)
    _write(ctx, report)
    return report


def _create_structure(
    ctx: ActingContext, row: StructurePlan, communes: dict[str, Commune | None]
) -> Structure:
    """`communes` remembers the cité's communes already looked up by INSEE code (a file's structures share a
    few communes)."""
    code = row.data["insee_code"]
    if code and code not in communes:
        communes[code] = Commune.objects.filter(insee_code=code, cites=ctx.cite_id).first()
    commune = communes[code] if code else None
    kind = next(
        (KIND_OF_NETWORK[n] for n in row.data["networks"] if n in KIND_OF_NETWORK), StructureKind.ASSOCIATION
    )
    data = {
        "name": row.name,
        "kind": kind,
        "siret": row.data["siret"],
        "email": row.data["email"],
        "phone": row.data["phone"],
        "website": row.data["website"],
        "address": row.data["address"],
        "commune": commune,
    }
    return partner_services.create_structure(ctx=ctx, data=data)


def _new_service(plan: ServicePlan, ctx: ActingContext) -> Service:
    values = {
        "nature": ServiceNature.DROIT_COMMUN,
        "step": infer_step(plan.themes),
        "published": True,
    } | {k: v for k, v in plan.values.items() if v is not None or k in ("capacity", "waiting_list")}
    service = Service(
        structure=plan.structure,
        last_updated_on=plan.last_updated_on,
        source=plan.source,
        source_id=plan.ident,
        source_link=plan.source_link,
        **values,
    )
    if service.nature == ServiceNature.AAP:
        service.funding_cite_id = ctx.cite_id
    return service


def _write(ctx: ActingContext, report: ImportReport) -> None:
    created_structures: dict[str, Structure] = {}
    communes: dict[str, Commune | None] = {}
    for row in report.structures_to_create:
        created_structures[row.ident] = _create_structure(ctx, row, communes)
    for plan in report.services:
        if plan.new_structure:
            plan.structure = created_structures[plan.new_structure]
    # Links from the file's structure identifiers to the structures, for the next imports.
    wanted: dict[str, tuple[Structure, str]] = {}
    sources = {row.ident: row.source for row in report.structures}
    for plan in report.services:
        if plan.structure is not None:
            wanted.setdefault(
                plan.structure_key, (plan.structure, sources.get(plan.structure_key, plan.source))
            )
    known = set(StructureSource.objects.filter(source_id__in=wanted).values_list("source_id", flat=True))
    StructureSource.objects.bulk_create(
        StructureSource(structure=structure, source=source, source_id=key)
        for key, (structure, source) in wanted.items()
        if key not in known
    )
    # New services and their themes, publics and areas: multi-row INSERT … RETURNING statements, as many
    # rows each as the database accepts (bulk_create compiles every value and sends 999 parameters at most
    # on SQLite: 2,600 statements and two thirds of the import's time for 20,000 services).
    new_plans = [p for p in report.services if p.action == "create"]
    services = Inserter(Service)
    ids = services.insert([services.values(_new_service(p, ctx)) for p in new_plans])
    themes, publics, areas = Inserter(ServiceTheme), Inserter(ServicePublic), Inserter(ServiceArea)
    theme_rows, public_rows, area_rows = [], [], []
    for plan, pk in zip(new_plans, ids, strict=True):
        theme_rows += [
            themes.values_of(service_id=pk, code=code, category=category_of(code)) for code in plan.themes
        ]
        public_rows += [publics.values_of(service_id=pk, code=code) for code in plan.publics]
        area_rows += [areas.values_of(service_id=pk, kind=kind, code=code) for kind, code in plan.areas]
    themes.insert(theme_rows)
    publics.insert(public_rows)
    areas.insert(area_rows)
    for plan in report.services:
        if plan.action == "update" and plan.existing is not None:
            _update(plan, ctx)
    audit.log(
        ctx,
        "service.import",
        None,
        changes={
            "fichiers": [
                None,
                ", ".join(f for f in (report.services_filename, report.structures_filename) if f),
            ],
            "créés": [None, len(ids)],
            "mis à jour": [None, report.to_update],
            "inchangés": [None, report.unchanged],
            "ignorés": [None, report.skipped],
            "structures ajoutées": [None, sorted(s.name for s in created_structures.values())],
        },
    )


def _update(plan: ServicePlan, ctx: ActingContext) -> None:
    service = Service.objects.select_for_update().get(pk=plan.existing.pk)  # type: ignore[union-attr]
    for name, value in plan.values.items():
        if value is None and name not in ("capacity", "waiting_list", "weekly_hours", "weeks"):
            value = [] if name in ("modes_accueil", "modes_mobilisation", "mobilisable_par") else ""
        setattr(service, name, value)
    if service.nature == ServiceNature.AAP:
        service.funding_cite_id = service.funding_cite_id or ctx.cite_id
    else:
        service.funding_cite_id = None
    if plan.structure is not None:
        service.structure = plan.structure
    service.last_updated_on = plan.last_updated_on
    service.source = plan.source
    service.source_link = plan.source_link
    service.stale_reminded_at = None
    service.version = F("version") + 1  # type: ignore[assignment]
    service.save()
    set_children(service, themes=plan.themes, publics=plan.publics, areas=plan.areas)


def iter_directory(path: Path) -> Iterator[Path]:
    for name in ("services.json", "services.csv", "structures.json", "structures.csv"):
        candidate = path / name
        if candidate.is_file():
            yield candidate
