"""Parsing the cells of a partner's list: dates, yes/no, gender, referential values, contact details.

Every parser takes a cell as read from the file (a string from CSV; a string, number, date or boolean from
XLSX), already known to be non-empty, and returns the value to store, or raises Invalid with a French message.
Text is stored as typed, formula characters included: the exports neutralise them (core.spreadsheets).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone

from citemploi.core.text import fold
from citemploi.people import enums
from citemploi.people.services import MAX_AGE_YEARS, MIN_AGE_YEARS

Parser = Callable[[Any], Any]


class Invalid(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: integral numbers without ".0", dates as dd/mm/yyyy, spaces (also non-breaking) stripped."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\u00a0", " ").strip()


# --- Text --------------------------------------------------------------------------------------------------


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = re.sub(r"\s+", " ", as_text(value))
        if len(result) > max_length:
            raise Invalid(f"Texte trop long ({len(result)} caractères, au plus {max_length}).")
        return result

    return parse


def parse_email(value: Any) -> str:
    result = as_text(value)
    if len(result) > 254:
        raise Invalid("Adresse e-mail trop longue.")
    try:
        validate_email(result)
    except ValidationError as exc:
        raise Invalid("Adresse e-mail invalide.") from exc
    return result


_PHONE = re.compile(r"^\+?[0-9 .\-()/]+$")


def parse_phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A spreadsheet stores 0612345678 as the number 612345678: give the leading zero back.
        digits = as_text(value)
        return "0" + digits if len(digits) == 9 else digits
    result = re.sub(r"\s+", " ", as_text(value))
    if not _PHONE.match(result) or not 6 <= sum(c.isdigit() for c in result) <= 15 or len(result) > 30:
        raise Invalid("Numéro de téléphone invalide.")
    return result


def parse_postcode(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A spreadsheet stores 01000 as the number 1000.
        result = as_text(value).zfill(5)
    else:
        result = as_text(value).replace(" ", "")
    if not re.fullmatch(r"\d{5}", result):
        raise Invalid("Code postal invalide : 5 chiffres attendus.")
    return result


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid("Nombre entier attendu.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        result = value
    else:
        raw = as_text(value)
        if not raw.isdigit():
            raise Invalid("Nombre entier attendu.")
        result = int(raw)
    if not 0 <= result <= 30:
        raise Invalid("Nombre invraisemblable (entre 0 et 30).")
    return result


# --- Dates -------------------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
DATE_HINT = "jj/mm/aaaa ou aaaa-mm-jj"


def _excel_serial(number: float) -> date:
    # Excel's serial days since 1899-12-30 (the 1900 leap-year bug is absorbed by that epoch after March 1900).
    if not 1 <= number < 2958466:
        raise Invalid(f"Date invalide (format attendu : {DATE_HINT}).")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise Invalid(f"Date invalide (format attendu : {DATE_HINT}).")
    if isinstance(value, int | float):
        return _excel_serial(value)
    raw = as_text(value)
    match = _DMY.match(raw)
    if match:
        day, month, year = match.groups()
        if len(year) == 2:
            raise Invalid(f"Année sur deux chiffres : écrivez-la sur quatre ({DATE_HINT}).")
    else:
        match = _YMD.match(raw)
        if not match:
            raise Invalid(f"Date invalide (format attendu : {DATE_HINT}).")
        year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise Invalid("Cette date n'existe pas.") from exc


def birth_date_parser(today: date) -> Parser:
    """The plausibility rule of services._check_consistency, with its bounds, for every line at once."""

    def parse(value: Any) -> date:
        result = parse_date(value)
        age = today.year - result.year
        if result > today:
            raise Invalid("La date de naissance est dans le futur.")
        if age > MAX_AGE_YEARS or age < MIN_AGE_YEARS:
            raise Invalid(f"Vérifiez la date de naissance : la personne aurait {age} ans.")
        return result

    return parse


def past_date_parser(today: date) -> Parser:
    def parse(value: Any) -> date:
        result = parse_date(value)
        if result > today:
            raise Invalid("Cette date est dans le futur.")
        if result.year < 1990:
            raise Invalid("Date invraisemblable (avant 1990).")
        return result

    return parse


def parse_birth_date(value: Any) -> date:
    return birth_date_parser(timezone.localdate())(value)


def parse_past_date(value: Any) -> date:
    return past_date_parser(timezone.localdate())(value)


def memo(parser: Parser, size: int = 10_000) -> Parser:
    """The parser, remembering its answers (errors too) for up to `size` distinct cells.

    Columns of a list repeat the same few values (oui/non, a level, a QPV, the date of an event):
    each is parsed once.
    """
    seen: dict[tuple[type, Any], tuple[bool, Any]] = {}

    def parse(value: Any) -> Any:
        key = (type(value), value)
        found = seen.get(key)
        if found is None:
            try:
                found = (True, parser(value))
            except Invalid as exc:
                found = (False, exc.message)
            if len(seen) < size:
                seen[key] = found
        if found[0]:
            return found[1]
        raise Invalid(found[1])

    return parse


# --- Yes / no, gender, referentials ------------------------------------------------------------------------

_TRUE = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}
_FALSE = {"non", "n", "no", "0", "faux", "false"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    folded = fold(as_text(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise Invalid("Valeur attendue : oui ou non (o/n, 1/0, x, vrai/faux).")


def lookup(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{folded spelling: code}, with the spaceless variant of each spelling."""
    table: dict[str, str] = {}
    for spelling, code in pairs:
        folded = fold(spelling)
        table.setdefault(folded, str(code))
        table.setdefault(folded.replace(" ", ""), str(code))
    return table


def _label_spellings(label: str) -> list[str]:
    """A label and its shorter forms: "Étudiant·e / en formation initiale" → "Étudiant", …"""
    plain = re.sub(r"·\w+", "", label)
    forms = [label, plain, re.sub(r"\s*\(.*?\)", "", plain)]
    forms += [part for part in re.split(r"\s*/\s*", plain) if part]
    return forms


def choice_parser(choices: type[models.TextChoices], aliases: Mapping[str, str] | None = None) -> Parser:
    pairs: list[tuple[str, str]] = []
    for code, label in choices.choices:
        pairs.append((code, code))
        pairs += [(form, code) for form in _label_spellings(str(label))]
    pairs += list((aliases or {}).items())
    table = lookup(pairs)
    accepted = ", ".join(f"« {label} »" for _code, label in choices.choices)

    def parse(value: Any) -> str:
        folded = fold(as_text(value))
        code = table.get(folded) or table.get(folded.replace(" ", ""))
        if code is None:
            raise Invalid(f"Valeur inconnue. Valeurs acceptées : {accepted}.")
        return code

    parse.accepted = accepted  # type: ignore[attr-defined]
    return parse


G = enums.Gender
GENDERS = lookup(
    [
        (s, G.FEMALE)
        for s in ("f", "femme", "féminin", "female", "woman", "mme", "madame", "mlle", "mademoiselle")
    ]
    + [(s, G.MALE) for s in ("m", "h", "homme", "masculin", "male", "man", "monsieur", "mr", "m.")]
    + [(s, G.OTHER) for s in ("x", "autre", "non précisé", "non binaire", "nsp", "other")]
)


def parse_gender(value: Any) -> str:
    code = GENDERS.get(fold(as_text(value)))
    if code is None:
        raise Invalid("Valeur attendue : F (femme), M (homme) ou X (autre / non précisé).")
    return code


E = enums.EducationLevel
EDUCATION_ALIASES = {
    "aucun": E.NONE,
    "sans diplôme": E.NONE,
    "sans": E.NONE,
    "infra 3": E.NONE,
    "niveau VI": E.NONE,
    "VI": E.NONE,
    "V bis": E.NONE,
    "niveau 3": E.LEVEL_3,
    "CAP": E.LEVEL_3,
    "BEP": E.LEVEL_3,
    "CAP BEP": E.LEVEL_3,
    "niveau V": E.LEVEL_3,
    "V": E.LEVEL_3,
    "niveau 4": E.LEVEL_4,
    "bac": E.LEVEL_4,
    "baccalauréat": E.LEVEL_4,
    "bac pro": E.LEVEL_4,
    "niveau IV": E.LEVEL_4,
    "IV": E.LEVEL_4,
    "niveau 5": E.LEVEL_5,
    "bac+2": E.LEVEL_5,
    "BTS": E.LEVEL_5,
    "DUT": E.LEVEL_5,
    "niveau III": E.LEVEL_5,
    "III": E.LEVEL_5,
    "niveau 6": E.LEVEL_6,
    "bac+3": E.LEVEL_6,
    "licence": E.LEVEL_6,
    "bachelor": E.LEVEL_6,
    "niveau II": E.LEVEL_6,
    "II": E.LEVEL_6,
    "niveau 7": E.LEVEL_7,
    "bac+5": E.LEVEL_7,
    "master": E.LEVEL_7,
    "doctorat": E.LEVEL_7,
    "niveau 8": E.LEVEL_7,
    "niveau I": E.LEVEL_7,
    "I": E.LEVEL_7,
    "diplôme étranger": E.FOREIGN,
    "étranger": E.FOREIGN,
    "inconnu": E.UNKNOWN,
    "non renseigné": E.UNKNOWN,
}
ES = enums.EmploymentStatus
EMPLOYMENT_ALIASES = {
    "demandeur d'emploi": ES.UNEMPLOYED,
    "chômage": ES.UNEMPLOYED,
    "chômeur": ES.UNEMPLOYED,
    "temps partiel": ES.PART_TIME_CONSTRAINED,
    "reconversion": ES.RETRAINING,
    "précaire": ES.PRECARIOUS,
    "intérim": ES.PRECARIOUS,
    "inactif": ES.INACTIVE,
    "inactive": ES.INACTIVE,
    "étudiante": ES.STUDENT,
    "en formation": ES.STUDENT,
    "inconnu": ES.UNKNOWN,
}
FL = enums.FrenchLevel
FRENCH_ALIASES = {
    "maternelle": FL.NATIVE,
    "natif": FL.NATIVE,
    "native": FL.NATIVE,
    "francophone": FL.NATIVE,
    "non évalué": FL.UNKNOWN,
    "inconnu": FL.UNKNOWN,
}
DA = enums.DigitalAutonomy
DIGITAL_ALIASES = {
    "non autonome": DA.NONE,
    "non": DA.NONE,
    "avec aide": DA.ASSISTED,
    "partiellement autonome": DA.ASSISTED,
    "oui": DA.AUTONOMOUS,
    "inconnu": DA.UNKNOWN,
}
RC = enums.ReperageChannel
CHANNEL_ALIASES = {
    "aller-vers": RC.OUTREACH_EVENT,
    "événement": RC.OUTREACH_EVENT,
    "liste partenaire": RC.PARTNER_LIST,
    "partenaire": RC.PARTNER_LIST,
    "bouche à oreille": RC.WORD_OF_MOUTH,
    "porte à porte": RC.DOOR_TO_DOOR,
    "orientation": RC.REFERRAL,
    "prescription": RC.REFERRAL,
    "spontané": RC.SELF,
    "spontanée": RC.SELF,
    "candidature spontanée": RC.SELF,
}
QE = enums.QPVEvidenceMethod
EVIDENCE_ALIASES = {
    "adresse vérifiée": QE.ADDRESS_CHECK,
    "géocodage": QE.ADDRESS_CHECK,
    "justificatif": QE.PROOF,
    "déclaration": QE.DECLARED,
    "déclaratif": QE.DECLARED,
    "non vérifié": QE.UNKNOWN,
}

parse_education = choice_parser(enums.EducationLevel, EDUCATION_ALIASES)
parse_employment = choice_parser(enums.EmploymentStatus, EMPLOYMENT_ALIASES)
parse_french = choice_parser(enums.FrenchLevel, FRENCH_ALIASES)
parse_digital = choice_parser(enums.DigitalAutonomy, DIGITAL_ALIASES)
parse_channel = choice_parser(enums.ReperageChannel, CHANNEL_ALIASES)
parse_evidence = choice_parser(enums.QPVEvidenceMethod, EVIDENCE_ALIASES)

#: values of a QPV column that mean "not in a QPV"
NO_QPV = {"hors qpv", "non", "aucun", "sans", "hors", "nc", "non qpv"}


def qpv_parser(qpvs: Iterable[Any]) -> Parser:
    """QPV by code (or exact name), limited to the QPV of the cité. Returns the QPV object (no query per row)."""
    by_code = {q.code.upper(): q for q in qpvs}
    by_name = {fold(q.name): q for q in by_code.values()}
    expected = ", ".join(sorted(by_code)[:12]) + ("…" if len(by_code) > 12 else "")

    def parse(value: Any) -> Any:
        raw = as_text(value)
        code = re.sub(r"\s+", "", raw).upper()
        found = by_code.get(code) or by_name.get(fold(raw))
        if found is None:
            match = re.search(r"\(([A-Za-z]{2}\d{5}[A-Za-z])\)\s*$", raw)  # "Amiens Nord (QN08003M)"
            found = by_code.get(match.group(1).upper()) if match else None
        if found is not None:
            return found
        if fold(raw) in NO_QPV:
            return None
        if not by_code:
            raise Invalid("La cité n'a aucun QPV enregistré : laissez cette colonne vide.")
        raise Invalid(f"Ce n'est pas un QPV de la cité (codes attendus : {expected}).")

    return parse
