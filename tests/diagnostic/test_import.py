from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citemploi.core.models import AuditEvent
from citemploi.diagnostic.imports import SAMPLE, ReferenceImportError, import_references, parse_number
from citemploi.diagnostic.models import QPVReference
from tests.factories import QPVFactory

HEADER = "code_qpv;source;population;demandeurs_emploi;allocataires_rsa;part_15_24;part_plus_50;part_sans_diplome;taux_chomage;taux_pauvrete\n"


@pytest.fixture
def qpvs(db):
    return QPVFactory(code="QN08003M", name="Amiens Nord"), QPVFactory(code="QN08004M", name="Étouvie")


def test_sample_imports_then_reimport_changes_nothing(qpvs):
    result = import_references(SAMPLE, year=2023)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    north = QPVReference.objects.get(qpv=qpvs[0], year=2023)
    assert north.population == 12345
    assert north.job_seekers == 1850
    assert north.share_15_24 == Decimal("21.40")
    assert north.poverty_rate == Decimal("44.90")
    etouvie = QPVReference.objects.get(qpv=qpvs[1])
    assert etouvie.job_seekers is None and etouvie.share_no_diploma is None
    again = import_references(SAMPLE, year=2023)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(code="qpv_reference.import").count() == 1


def test_reimport_updates_and_clears(qpvs):
    import_references(SAMPLE, year=2023)
    result = import_references(HEADER + "QN08003M;INSEE;13000;;;;;;;\n", year=2023)
    assert (result.created, result.updated) == (0, 1)
    north = QPVReference.objects.get(qpv=qpvs[0], year=2023)
    assert north.population == 13000 and north.job_seekers is None and north.version == 2


def test_comma_separated_with_dots(qpvs):
    text = "code_qpv,population,taux_chomage\nQN08003M,12000,27.5\n"
    import_references(text, year=2022)
    assert QPVReference.objects.get().unemployment_rate == Decimal("27.50")


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_written(qpvs):
    text = (
        HEADER
        + "QN08003M;ok;100;10;5;20;20;20;20;20\n"  # line 2: fine
        + "QN99999Z;;100;;;;;;;\n"  # line 3: unknown QPV
        + "QN08004M;;douze;;;;;;;\n"  # line 4: bad number
        + "QN08003M;;1;;;;;;;\n"  # line 5: duplicate
        + ";;;;;;;;;150\n"  # line 6: empty code, share above 100
        + "QN08004M;;10,5;;;;;;;\n"  # line 7: population not an integer
        + "QN08004M;;;;;-3;;;;\n"  # line 8: negative
        + "QN08004M;too;few\n"  # line 9: wrong number of fields
    )
    with pytest.raises(ReferenceImportError) as caught:
        import_references(text, year=2023)
    errors = caught.value.errors
    assert [e.split(" :")[0] for e in errors] == [
        "ligne 4",
        "ligne 5",
        "ligne 6",
        "ligne 7",
        "ligne 8",
        "ligne 9",
    ]
    assert "« douze » n'est pas un nombre" in errors[0]
    assert "déjà présent ligne 2" in errors[1]
    assert "code QPV vide" in errors[2] and "hors de 0–100" in errors[2]
    assert "nombre entier" in errors[3]
    assert "négatif" in errors[4]
    assert "champs au lieu de 10" in errors[5]
    assert not QPVReference.objects.exists()
    # Once the lines read well, the unknown QPV of line 3 is reported.
    with pytest.raises(ReferenceImportError) as caught:
        import_references(HEADER + "QN08003M;;1;;;;;;;\nQN99999Z;;100;;;;;;;\n", year=2023)
    assert caught.value.errors == ["ligne 3 : code QPV QN99999Z inconnu (absent de la liste des QPV)"]
    assert not QPVReference.objects.exists()


def test_qpv_outside_the_cite_is_refused(qpvs):
    with pytest.raises(ReferenceImportError) as caught:
        import_references(SAMPLE, year=2023, allowed_qpv_ids={qpvs[0].pk})
    assert caught.value.errors == ["ligne 3 : le QPV QN08004M n'est pas un QPV de votre cité"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "vide"),
        ("population;taux\n1;2\n", "Colonne code_qpv absente"),
        ("code_qpv;inconnue\nQN08003M;1\n", "Colonne(s) inconnue(s) : inconnue"),
        ("code_qpv;population\n", "aucune ligne"),
    ],
)
def test_bad_files(qpvs, text, message):
    with pytest.raises(ReferenceImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_references(text, year=2023)


def test_numbers():
    assert parse_number("12 345", integer=True) == 12345
    assert parse_number("12\u202f345", integer=True) == 12345
    assert parse_number("23,5 %", integer=False) == Decimal("23.50")
    assert parse_number("  ", integer=False) is None
    with pytest.raises(ValueError):
        parse_number("NaN", integer=False)
    with pytest.raises(ValueError):
        parse_number("100,01", integer=False)


def test_commands(qpvs, tmp_path):
    out = StringIO()
    call_command("qpv_reference_template", stdout=out)
    path = tmp_path / "indicateurs.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    out = StringIO()
    call_command("import_qpv_reference", str(path), "--year", "2023", stdout=out)
    assert "2 QPV créé(s), 0 mis à jour, 0 inchangé(s)" in out.getvalue()
    out = StringIO()
    call_command("import_qpv_reference", str(path), "--year", "2023", stdout=out)
    assert "Aucun changement" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "QN08003M;;x;;;;;;;\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import_qpv_reference", str(bad), "--year", "2023", stderr=err)
    assert "ligne 2 : population : « x » n'est pas un nombre" in err.getvalue()
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("qpv_reference_template", "--output", str(path))
