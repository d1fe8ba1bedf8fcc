"""Column detection, explicit mapping, and the parsing of each kind of cell."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from citemploi.people import enums
from citemploi.people.importing import values as v
from citemploi.people.importing.fields import (
    MappingError,
    check_mapping,
    detect_mapping,
    parse_mapping_option,
    resolve_mapping,
)
from citemploi.people.services import MAX_AGE_YEARS, MIN_AGE_YEARS

# --- Column detection ---------------------------------------------------------------------------------------


def test_french_titles_are_recognised_whatever_the_accents_case_and_notes():
    columns = [
        "NOM DE FAMILLE",
        "prenom",
        "DDN (jj/mm/aaaa)",
        "Genre",
        "Courriel",
        "Téléphone",
        "Adresse",
        "CP",
        "Ville",
        "Code QPV",
        "Inscrit France Travail",
        "RSA",
        "Niveau de formation",
        "Canal de repérage",
        "Date de repérage",
        "Observations",
    ]
    assert detect_mapping(columns) == {
        0: "last_name",
        1: "first_name",
        2: "birth_date",
        3: "gender",
        4: "email",
        5: "phone",
        6: "address",
        7: "postcode",
        8: "city",
        9: "qpv",
        10: "ft_registered",
        11: "rsa",
        12: "education_level",
        13: "reperage_channel",
        14: "identified_on",
    }


@pytest.mark.parametrize(
    "title,field",
    [
        ("Nom", "last_name"),
        ("last_name", "last_name"),
        ("Last name", "last_name"),
        ("Prénom", "first_name"),
        ("first_name", "first_name"),
        ("Date de naissance", "birth_date"),
        ("date_of_birth", "birth_date"),
        ("Sexe", "gender"),
        ("E-mail", "email"),
        ("Email", "email"),
        ("Tél.", "phone"),
        ("Commune", "city"),
        ("QPV", "qpv"),
        ("Code postal", "postcode"),
        ("Nombre d'enfants", "children_count"),
        ("Niveau de français", "french_level"),
        ("Permis de conduire", "driving_licence"),
        ("Situation professionnelle", "employment_status"),
        ("Inscrit·e à France Travail", "ft_registered"),
    ],
)
def test_each_spelling_maps_to_its_field(title, field):
    assert detect_mapping([title]) == {0: field}


def test_when_two_columns_name_one_field_the_first_wins():
    assert detect_mapping(["Nom", "Nom de famille", "Observations"]) == {0: "last_name"}


def test_explicit_mapping_overrides_detection_and_can_ignore_a_column():
    columns = ["Nom", "Nom d'usage", "Prénom", "Né(e) le", "Courriel", "Remarques"]
    mapping = resolve_mapping(columns, {"Nom d'usage": "last_name", "courriel": "-", "Colonne 6": "Adresse"})
    assert mapping == {1: "last_name", 2: "first_name", 3: "birth_date", 5: "address"}


def test_mapping_errors_are_all_reported_in_french():
    with pytest.raises(MappingError) as exc:
        resolve_mapping(["Nom", "Prénom", "Naissance"], {"Inconnue": "last_name", "Nom": "pointure"})
    assert exc.value.messages == [
        "La colonne « Inconnue » n'existe pas dans le fichier.",
        "Champ inconnu « pointure » pour la colonne « Nom ».",
    ]


def test_required_fields_must_be_mapped():
    with pytest.raises(MappingError) as exc:
        resolve_mapping(["Nom", "Adresse"])
    assert exc.value.messages == [
        "Aucune colonne ne correspond au champ obligatoire « Prénom ».",
        "Aucune colonne ne correspond au champ obligatoire « Date de naissance ».",
    ]


def test_one_field_for_two_columns_is_refused():
    with pytest.raises(MappingError) as exc:
        check_mapping(
            ["Nom", "Prénom", "DDN", "Nom 2"],
            {0: "last_name", 1: "first_name", 2: "birth_date", 3: "last_name"},
        )
    assert "« Nom » et « Nom 2 » correspondent toutes deux au champ « Nom »" in exc.value.messages[0]


def test_unknown_field_or_column_index_is_refused():
    with pytest.raises(MappingError) as exc:
        check_mapping(
            ["Nom", "Prénom", "DDN"],
            {0: "last_name", 1: "first_name", 2: "birth_date", 7: "email", 1_000: "phone", 3: "password"},
        )
    assert exc.value.messages == [
        "Champ inconnu « password ».",
        "La colonne n° 8 n'existe pas dans le fichier.",
        "La colonne n° 1001 n'existe pas dans le fichier.",
    ]


def test_mapping_option_of_the_command():
    assert parse_mapping_option("Nom usage=last_name, Ville=city,,Remarques=") == {
        "Nom usage": "last_name",
        "Ville": "city",
        "Remarques": "",
    }
    with pytest.raises(MappingError):
        parse_mapping_option("Nom usage")


# --- Values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("01/02/1990", date(1990, 2, 1)),
        ("1/2/1990", date(1990, 2, 1)),
        ("01-02-1990", date(1990, 2, 1)),
        ("01.02.1990", date(1990, 2, 1)),
        ("1990-02-01", date(1990, 2, 1)),
        (" 01/02/1990 ", date(1990, 2, 1)),
        ("1990-02-01 00:00:00", date(1990, 2, 1)),
        ("01/02/1990 00:00", date(1990, 2, 1)),
        (datetime(1990, 2, 1, 0, 0), date(1990, 2, 1)),
        (date(1990, 2, 1), date(1990, 2, 1)),
        (32905, date(1990, 2, 1)),
        (32905.0, date(1990, 2, 1)),
    ],
)
def test_dates(raw, expected):
    assert v.parse_birth_date(raw) == expected


@pytest.mark.parametrize(
    "raw,message",
    [
        ("31/02/1990", "Cette date n'existe pas."),
        ("01/02/90", "Année sur deux chiffres"),
        ("hier", "Date invalide (format attendu : jj/mm/aaaa ou aaaa-mm-jj)."),
        ("1990", "Date invalide"),
        ("01/02/1890", "Vérifiez la date de naissance : la personne aurait"),
        (True, "Date invalide"),
        (-3, "Date invalide"),
    ],
)
def test_invalid_dates(raw, message):
    with pytest.raises(v.Invalid) as exc:
        v.parse_birth_date(raw)
    assert message in exc.value.message


def test_birth_dates_follow_the_age_bounds_of_the_creation_service():
    today = date(2025, 6, 1)
    parse = v.birth_date_parser(today)
    assert parse(date(2025 - MIN_AGE_YEARS, 1, 1)) and parse(date(2025 - MAX_AGE_YEARS, 12, 31))
    for born in (date(2025 - MIN_AGE_YEARS + 1, 1, 1), date(2025 - MAX_AGE_YEARS - 1, 1, 1)):
        with pytest.raises(v.Invalid, match="Vérifiez la date de naissance : la personne aurait"):
            parse(born)


def test_dates_in_the_future():
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    with pytest.raises(v.Invalid, match="dans le futur"):
        v.parse_birth_date(tomorrow)
    with pytest.raises(v.Invalid, match="dans le futur"):
        v.parse_past_date(tomorrow)
    assert v.parse_past_date(timezone.localdate().strftime("%d/%m/%Y")) == timezone.localdate()


@pytest.mark.parametrize("raw", ["oui", "OUI", "o", "1", "x", "X", "true", "Vrai", "yes", True, 1, 1.0])
def test_true_values(raw):
    assert v.parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["non", "Non", "n", "0", "false", "FAUX", "no", False, 0])
def test_false_values(raw):
    assert v.parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["peut-être", "2", "?", 2])
def test_invalid_booleans(raw):
    with pytest.raises(v.Invalid, match="oui ou non"):
        v.parse_bool(raw)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("F", "F"),
        ("f", "F"),
        ("Femme", "F"),
        ("féminin", "F"),
        ("Mme", "F"),
        ("M", "M"),
        ("Homme", "M"),
        ("H", "M"),
        ("Monsieur", "M"),
        ("M.", "M"),
        ("X", "X"),
        ("autre", "X"),
        ("Non précisé", "X"),
    ],
)
def test_genders(raw, expected):
    assert v.parse_gender(raw) == expected


def test_invalid_gender():
    with pytest.raises(v.Invalid, match="F \\(femme\\), M \\(homme\\) ou X"):
        v.parse_gender("Z")


@pytest.mark.parametrize(
    "parser,raw,expected",
    [
        (v.parse_education, "3", enums.EducationLevel.LEVEL_3),
        (v.parse_education, "Niveau 3 (CAP, BEP)", enums.EducationLevel.LEVEL_3),
        (v.parse_education, "niveau 3", enums.EducationLevel.LEVEL_3),
        (v.parse_education, "CAP", enums.EducationLevel.LEVEL_3),
        (v.parse_education, "Niveau IV", enums.EducationLevel.LEVEL_4),
        (v.parse_education, "Bac + 2", enums.EducationLevel.LEVEL_5),
        (v.parse_education, "Aucun diplôme", enums.EducationLevel.NONE),
        (v.parse_education, "foreign", enums.EducationLevel.FOREIGN),
        (v.parse_employment, "Sans emploi", enums.EmploymentStatus.UNEMPLOYED),
        (v.parse_employment, "part_time_constrained", enums.EmploymentStatus.PART_TIME_CONSTRAINED),
        (v.parse_employment, "Inactive", enums.EmploymentStatus.INACTIVE),
        (v.parse_employment, "étudiant", enums.EmploymentStatus.STUDENT),
        (v.parse_french, "b1", enums.FrenchLevel.B1),
        (v.parse_french, "Langue maternelle", enums.FrenchLevel.NATIVE),
        (v.parse_digital, "Autonome avec aide", enums.DigitalAutonomy.ASSISTED),
        (v.parse_channel, "Forum", enums.ReperageChannel.FORUM),
        (v.parse_channel, "Liste d'un partenaire", enums.ReperageChannel.PARTNER_LIST),
        (v.parse_channel, "partner_list", enums.ReperageChannel.PARTNER_LIST),
        (v.parse_channel, "PORTE-À-PORTE", enums.ReperageChannel.DOOR_TO_DOOR),
        (v.parse_evidence, "Justificatif de domicile", enums.QPVEvidenceMethod.PROOF),
    ],
)
def test_referential_values_by_code_label_or_usual_spelling(parser, raw, expected):
    assert parser(raw) == expected


def test_unknown_referential_value_lists_the_accepted_labels():
    with pytest.raises(v.Invalid) as exc:
        v.parse_channel("radio")
    assert exc.value.message.startswith(
        "Valeur inconnue. Valeurs acceptées : « Action d'aller-vers / événement »"
    )


class _QPV:
    def __init__(self, code: str, name: str):
        self.code, self.name = code, name


def test_qpv_of_the_cite_by_code_or_name_and_nothing_else():
    nord, etouvie = _QPV("QN08003M", "Amiens Nord"), _QPV("QN08001M", "Etouvie")
    parse = v.qpv_parser([nord, etouvie])
    assert parse("QN08003M") is nord
    assert parse(" qn08003m ") is nord
    assert parse("Étouvie") is etouvie
    assert parse("Amiens Nord (QN08003M)") is nord
    assert parse("Hors QPV") is None
    with pytest.raises(v.Invalid) as exc:
        parse("QN07201M")
    assert exc.value.message == "Ce n'est pas un QPV de la cité (codes attendus : QN08001M, QN08003M)."
    with pytest.raises(v.Invalid, match="aucun QPV"):
        v.qpv_parser([])("QN08003M")


@pytest.mark.parametrize("raw", ["elodie@example.org", " Elodie.Martin+cite@exemple.fr "])
def test_valid_emails(raw):
    assert v.parse_email(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["elodie", "elodie@", "@example.org", "a b@example.org", "x" * 250 + "@e.fr"])
def test_invalid_emails(raw):
    with pytest.raises(v.Invalid):
        v.parse_email(raw)


def test_phones_and_postcodes_stored_as_numbers_by_a_spreadsheet_get_their_leading_zero():
    assert v.parse_phone(612345678) == "0612345678"
    assert v.parse_phone("06 12 34 56 78") == "06 12 34 56 78"
    assert v.parse_phone("+33 6 12 34 56 78") == "+33 6 12 34 56 78"
    assert v.parse_postcode(1000) == "01000"
    assert v.parse_postcode("80 000") == "80000"
    for bad in ("abc", "12", "06 12 34 56 78 99 99 99 99"):
        with pytest.raises(v.Invalid, match="téléphone"):
            v.parse_phone(bad)
    for bad in ("8000", "80000a", "800000"):
        with pytest.raises(v.Invalid, match="5 chiffres"):
            v.parse_postcode(bad)


def test_children_count():
    assert v.parse_count("2") == 2 and v.parse_count(3.0) == 3
    for bad in ("deux", "-1", "31", True, 2.5):
        with pytest.raises(v.Invalid):
            v.parse_count(bad)


def test_text_is_stripped_spaces_collapsed_and_length_checked():
    parse = v.text(11)
    assert parse("  Jean\u00a0 Pierre ") == "Jean Pierre"
    assert parse(12.0) == "12"
    assert parse("=1+1") == "=1+1"  # stored as typed: exports neutralise formulas
    with pytest.raises(v.Invalid, match="Texte trop long \\(12 caractères, au plus 11\\)"):
        parse("x" * 12)
