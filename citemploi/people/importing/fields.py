"""The fields a partner's list may fill, how their columns are recognised, and the column mapping.

A mapping is {column index: field name}. It is detected from the header (French and English spellings,
accents, case and punctuation ignored), and an explicit mapping (column title → field) overrides it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from citemploi.core.text import fold
from citemploi.people.importing import values as v
from citemploi.people.models import Beneficiary
from citemploi.people.services import BENEFICIARY_FIELDS

#: An explicit mapping value that leaves a column out.
IGNORE = ("", "-", "ignorer", "ignore", "aucun")


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    #: accepted values, shown on the upload screen
    hint: str = ""


def _max_length(name: str) -> int:
    return int(Beneficiary._meta.get_field(name).max_length or 0)


_YES_NO = "oui / non (o/n, 1/0, x, vrai/faux) ; vide = non"
_DATE = "jj/mm/aaaa, aaaa-mm-jj ou date Excel"

FIELDS: list[ImportField] = [
    ImportField(
        "last_name",
        "Nom",
        (
            "nom de famille",
            "nom d'usage",
            "nom de naissance",
            "last name",
            "surname",
            "family name",
            "nom usuel",
        ),
        True,
    ),
    ImportField("first_name", "Prénom", ("prénoms", "first name", "given name", "prenom usuel"), True),
    ImportField(
        "birth_date",
        "Date de naissance",
        (
            "ddn",
            "né le",
            "née le",
            "né(e) le",
            "date naissance",
            "naissance",
            "birth date",
            "birthdate",
            "date of birth",
            "dob",
        ),
        True,
        _DATE,
    ),
    ImportField(
        "gender", "Sexe", ("genre", "civilité", "gender", "sex"), hint="F, M ou X (femme, homme, autre)"
    ),
    ImportField(
        "email",
        "Courriel",
        ("e-mail", "mail", "adresse e-mail", "adresse mail", "adresse électronique", "email address"),
    ),
    ImportField(
        "phone",
        "Téléphone",
        (
            "tel",
            "tél",
            "téléphone portable",
            "portable",
            "mobile",
            "phone",
            "numéro de téléphone",
            "phone number",
        ),
    ),
    ImportField("address", "Adresse", ("adresse postale", "address", "rue", "street")),
    ImportField(
        "postcode", "Code postal", ("cp", "postcode", "postal code", "zip", "zip code"), hint="5 chiffres"
    ),
    ImportField("city", "Commune", ("ville", "city", "town", "localité", "commune de résidence")),
    ImportField(
        "qpv",
        "Code QPV",
        ("qpv", "quartier", "quartier prioritaire", "qpv code", "code quartier"),
        hint="code d'un QPV de la cité (ex. QN08003M) ; vide ou « hors QPV » sinon",
    ),
    ImportField("qpv_evidence_method", "Preuve de résidence QPV", ("preuve qpv", "vérification qpv")),
    ImportField("qpv_evidence_date", "Date de vérification QPV", ("date preuve qpv",), hint=_DATE),
    ImportField("qpv_list_version", "Version de la liste QPV", ("version qpv",)),
    ImportField(
        "education_level",
        "Niveau de formation",
        (
            "niveau d'études",
            "niveau de diplôme",
            "diplôme",
            "niveau scolaire",
            "education level",
            "education",
        ),
    ),
    ImportField(
        "employment_status", "Situation professionnelle", ("situation", "statut", "employment status")
    ),
    ImportField(
        "ft_registered",
        "Inscrit France Travail",
        (
            "inscrit à france travail",
            "inscrit·e france travail",
            "inscrit ft",
            "inscription france travail",
            "inscrit pôle emploi",
            "inscrit pe",
            "france travail",
            "demandeur d'emploi inscrit",
            "registered",
        ),
        hint=_YES_NO,
    ),
    ImportField(
        "spe_followed",
        "Suivi par le SPE",
        ("suivi spe", "suivi par le service public de l'emploi", "suivi·e par le spe", "spe"),
        hint=_YES_NO,
    ),
    ImportField("rsa", "RSA", ("bénéficiaire du rsa", "allocataire rsa", "bénéficiaire rsa"), hint=_YES_NO),
    ImportField("ass", "ASS", ("bénéficiaire de l'ass", "allocataire ass"), hint=_YES_NO),
    ImportField("cej", "CEJ", ("contrat d'engagement jeune", "contrat engagement jeune"), hint=_YES_NO),
    ImportField(
        "single_parent",
        "Famille monoparentale",
        ("monoparental", "monoparentale", "parent isolé", "parent seul", "single parent"),
        hint=_YES_NO,
    ),
    ImportField(
        "children_count",
        "Nombre d'enfants",
        ("enfants", "enfants à charge", "nombre d'enfants à charge", "nb enfants", "children"),
        hint="nombre entier",
    ),
    ImportField(
        "french_level",
        "Niveau de français",
        ("français", "niveau fle", "french level"),
        hint="langue maternelle, A1 à C2, non évalué",
    ),
    ImportField("digital_autonomy", "Autonomie numérique", ("numérique", "digital autonomy")),
    ImportField(
        "driving_licence",
        "Permis de conduire",
        ("permis", "permis b", "driving licence", "driving license"),
        hint=_YES_NO,
    ),
    ImportField(
        "has_vehicle", "Véhicule", ("véhicule personnel", "véhiculé", "voiture", "vehicle"), hint=_YES_NO
    ),
    ImportField(
        "reperage_channel",
        "Canal de repérage",
        ("canal", "mode de repérage", "source du repérage", "origine", "channel"),
    ),
    ImportField(
        "identified_on",
        "Date de repérage",
        ("repéré le", "date d'identification", "date identification", "date du repérage", "identified on"),
        hint=_DATE + " ; vide = aujourd'hui",
    ),
]

_TEXT_HINTS = {
    "last_name": "texte",
    "first_name": "texte",
    "email": "adresse e-mail valide",
    "phone": "numéro de téléphone (chiffres, espaces, +, points ou tirets)",
    "address": "texte",
    "city": "texte",
    "qpv_list_version": "texte (ex. 2024)",
}
_CHOICE_HINTS = {"education_level": " ; ou CAP, bac, bac+2, licence, master, niveaux V à I"}


def _hint(f: ImportField) -> str:
    if f.hint:
        return f.hint
    if f.name in _TEXT_HINTS:
        return _TEXT_HINTS[f.name]
    choices = Beneficiary._meta.get_field(f.name).choices or []
    return ", ".join(str(label) for _code, label in choices) + _CHOICE_HINTS.get(f.name, "")


FIELDS = [replace(f, hint=_hint(f)) for f in FIELDS]
BY_NAME: dict[str, ImportField] = {f.name: f for f in FIELDS}
REQUIRED = [f.name for f in FIELDS if f.required]

if not set(BY_NAME) <= set(BENEFICIARY_FIELDS):  # every importable field is one the service accepts
    raise RuntimeError("Import fields must be a subset of services.BENEFICIARY_FIELDS.")

#: Parsers of the fields that need no cité data (the QPV parser is built per cité).
PARSERS: dict[str, v.Parser] = {
    "last_name": v.text(_max_length("last_name")),
    "first_name": v.text(_max_length("first_name")),
    "birth_date": v.parse_birth_date,
    "gender": v.parse_gender,
    "email": v.parse_email,
    "phone": v.parse_phone,
    "address": v.text(_max_length("address")),
    "postcode": v.parse_postcode,
    "city": v.text(_max_length("city")),
    "qpv_evidence_method": v.parse_evidence,
    "qpv_evidence_date": v.parse_past_date,
    "qpv_list_version": v.text(_max_length("qpv_list_version")),
    "education_level": v.parse_education,
    "employment_status": v.parse_employment,
    "ft_registered": v.parse_bool,
    "spe_followed": v.parse_bool,
    "rsa": v.parse_bool,
    "ass": v.parse_bool,
    "cej": v.parse_bool,
    "single_parent": v.parse_bool,
    "children_count": v.parse_count,
    "french_level": v.parse_french,
    "digital_autonomy": v.parse_digital,
    "driving_licence": v.parse_bool,
    "has_vehicle": v.parse_bool,
    "reperage_channel": v.parse_channel,
    "identified_on": v.parse_past_date,
}
if set(PARSERS) | {"qpv"} != set(BY_NAME):
    raise RuntimeError("Every import field needs a parser.")


def _key(title: str) -> str:
    """A column title as compared: parenthesised notes dropped, folded, spaces removed."""
    return fold(re.sub(r"\(.*?\)|\[.*?\]", " ", title)).replace(" ", "")


def _spellings(f: ImportField) -> list[str]:
    verbose = str(Beneficiary._meta.get_field(f.name).verbose_name)
    return [f.label, f.name, verbose, *f.synonyms]


#: {spelling key: field name}; the first field to claim a spelling keeps it.
SYNONYMS: dict[str, str] = {}
for _field in FIELDS:
    for _spelling in _spellings(_field):
        SYNONYMS.setdefault(_key(_spelling), _field.name)


def field_for_title(title: str) -> str | None:
    """The field a column title names, if any ("Date de naissance (jj/mm/aaaa)" → birth_date)."""
    key = _key(title)
    return SYNONYMS.get(key) if key else None


def detect_mapping(columns: list[str]) -> dict[int, str]:
    """{column index: field} recognised from the header; when two columns name one field, the first wins."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, title in enumerate(columns):
        name = field_for_title(title)
        if name and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


class MappingError(Exception):
    """The columns cannot be mapped (unknown column or field, a field twice, a required field missing)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(" ".join(messages))


def column_label(columns: list[str], index: int) -> str:
    """A column's title, or its position when the header cell is empty."""
    title = columns[index] if index < len(columns) else ""
    return title or f"Colonne {index + 1}"


def parse_mapping_option(text: str) -> dict[str, str]:
    """ "Colonne=champ,Autre colonne=champ" (the command's --mapping) → {column title: field}."""
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        column, sep, name = part.rpartition("=")
        if not sep or not column.strip():
            raise MappingError([f"« {part.strip()} » : écrivez « Titre de colonne=champ »."])
        result[column.strip()] = name.strip()
    return result


def _field_named(name: str) -> str | None:
    if name in BY_NAME:
        return name
    return field_for_title(name)


def resolve_mapping(columns: list[str], explicit: Mapping[str, str] | None = None) -> dict[int, str]:
    """Auto-detection, overridden by an explicit {column title: field name or label} mapping, then checked."""
    mapping = detect_mapping(columns)
    errors: list[str] = []
    keys = [_key(c) for c in columns]
    for column, name in (explicit or {}).items():
        index = columns.index(column) if column in columns else None
        if index is None and _key(column) and _key(column) in keys:
            index = keys.index(_key(column))
        position = re.fullmatch(r"colonne ?(\d+)", fold(column))
        if index is None and position and 1 <= int(position.group(1)) <= len(columns):
            index = int(position.group(1)) - 1  # "Colonne 3" names an untitled column
        if index is None:
            errors.append(f"La colonne « {column} » n'existe pas dans le fichier.")
            continue
        if fold(name) in IGNORE:
            mapping.pop(index, None)
            continue
        target = _field_named(name)
        if target is None:
            errors.append(f"Champ inconnu « {name} » pour la colonne « {column} ».")
            continue
        # The explicit choice wins over a column the detection had given this field.
        for other, other_name in list(mapping.items()):
            if other_name == target and other != index and columns[other] not in (explicit or {}):
                del mapping[other]
        mapping[index] = target
    if errors:
        raise MappingError(errors)
    check_mapping(columns, mapping)
    return mapping


def check_mapping(columns: list[str], mapping: Mapping[int, str]) -> None:
    """Each field at most once, known fields and columns, and the required fields present."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, name in sorted(mapping.items()):
        if name not in BY_NAME:
            errors.append(f"Champ inconnu « {name} ».")
            continue
        if not 0 <= index < len(columns):
            errors.append(f"La colonne n° {index + 1} n'existe pas dans le fichier.")
            continue
        if name in seen:
            errors.append(
                f"Les colonnes « {column_label(columns, seen[name])} » et « {column_label(columns, index)} » "
                f"correspondent toutes deux au champ « {BY_NAME[name].label} » : gardez-en une seule."
            )
            continue
        seen[name] = index
    for name in REQUIRED:
        if name not in seen:
            errors.append(f"Aucune colonne ne correspond au champ obligatoire « {BY_NAME[name].label} ».")
    if errors:
        raise MappingError(errors)
