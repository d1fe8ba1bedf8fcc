"""Importing a partner's list: the report, duplicates, all or nothing, audit, permissions and limits."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.people import services
from citemploi.people.importing import (
    ImportFileError,
    ImportRejected,
    MappingError,
    import_people,
    preview_import,
    report_rows,
    template_header,
)
from citemploi.people.importing import service as import_service
from citemploi.people.importing.fields import detect_mapping
from citemploi.people.models import Beneficiary
from tests.factories import BeneficiaryFactory, ctx_for
from tests.people.import_files import HEADER, csv_file, people, person, xlsx_file
from tests.people.test_import_files import zip_bomb

pytestmark = pytest.mark.django_db


def preview(membership, data, filename="liste.csv", **kwargs):
    return preview_import(ctx=ctx_for(membership), source=data, filename=filename, **kwargs)


def run(membership, data, filename="liste.csv", via="web", **kwargs):
    return import_people(ctx=ctx_for(membership, via=via), source=data, filename=filename, **kwargs)


def messages(report):
    return [(i.line, i.column, i.value, i.message) for i in report.issues]


# --- Report ------------------------------------------------------------------------------------------------


def test_preview_reports_each_bad_cell_with_its_line_column_and_value_and_writes_nothing(world):
    rows = [
        person(0),
        person(1, **{"Date de naissance": "31/02/1990", "Courriel": "pas-un-mail"}),
        person(2, **{"Sexe": "Z", "Code QPV": "QN99999Z", "Inscrit France Travail": "peut-être"}),
        person(3, **{"Nom": "", "Prénom": " "}),
    ]
    before = AuditEvent.objects.count()
    report = preview(world.referent_ft, csv_file(rows))
    assert messages(report) == [
        (3, "Date de naissance", "31/02/1990", "Cette date n'existe pas."),
        (3, "Courriel", "pas-un-mail", "Adresse e-mail invalide."),
        (4, "Sexe", "Z", "Valeur attendue : F (femme), M (homme) ou X (autre / non précisé)."),
        (4, "Code QPV", "QN99999Z", "Ce n'est pas un QPV de la cité (codes attendus : QN08003M)."),
        (4, "Inscrit France Travail", "peut-être", "Valeur attendue : oui ou non (o/n, 1/0, x, vrai/faux)."),
        (5, "Nom", "", "Valeur obligatoire manquante."),
        (5, "Prénom", "", "Valeur obligatoire manquante."),
    ]
    assert (report.to_create, report.to_skip, report.in_error, report.lines) == (1, 0, 3, 4)
    assert report.has_errors and report.rows == []
    assert Beneficiary.objects.count() == 0 and AuditEvent.objects.count() == before


def test_preview_shows_the_first_20_rows_parsed(world):
    report = preview(world.referent_ft, csv_file(people(25)))
    assert len(report.preview) == 20 and report.to_create == 25
    first = report.preview[0]
    assert first.line == 2 and first.status == "create" and first.status_label == "à créer"
    assert report.field_labels == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Sexe",
        "Courriel",
        "Code QPV",
        "Inscrit France Travail",
    ]
    assert first.cells == [
        "Martin-0",
        "Élodie",
        "01/01/1980",
        "Femme",
        "elodie0@example.org",
        "Amiens Nord (QN08003M)",
        "non",
    ]


def test_a_qpv_of_another_cite_is_refused(world):
    other_qpv = world.other_cite.qpvs.first()
    report = preview(world.referent_ft, csv_file([person(0, **{"Code QPV": other_qpv.code})]))
    assert report.in_error == 1 and "n'est pas un QPV de la cité" in report.issues[0].message


def test_extra_values_beyond_the_header_point_at_a_delimiter_problem(world):
    data = csv_file([person(0) + ["12, rue des Lilas"]])
    report = preview(world.referent_ft, data)
    assert messages(report) == [
        (
            2,
            "",
            "12, rue des Lilas",
            "Cette ligne a plus de valeurs que l'en-tête n'a de colonnes "
            "(séparateur ou guillemets mal placés ?).",
        ),
    ]


def test_mapping_problems_stop_before_any_line_is_read(world):
    with pytest.raises(MappingError) as exc:
        preview(world.referent_ft, csv_file([["A"]], header=["Nom"]))
    assert "Aucune colonne ne correspond au champ obligatoire « Prénom »." in exc.value.messages


def test_explicit_mapping_by_index_or_by_title(world):
    header = ["Identité", "Prénom usuel", "Naissance", "Remarques"]
    data = csv_file([["Dupont", "Jean", "01/02/1990", "=1+1"]], header=header)
    report = preview(world.referent_ft, data, mapping={0: "last_name", 1: "first_name", 2: "birth_date"})
    assert report.to_create == 1 and report.fields == ["last_name", "first_name", "birth_date"]
    report = preview(
        world.referent_ft, data, explicit_mapping={"Identité": "last_name", "Remarques": "address"}
    )
    assert report.mapped_columns == [
        ("Identité", "Nom"),
        ("Prénom usuel", "Prénom"),
        ("Naissance", "Date de naissance"),
        ("Remarques", "Adresse"),
    ]


# --- Duplicates ---------------------------------------------------------------------------------------------


def test_same_person_twice_in_the_file_is_an_error_on_the_second_line_naming_the_first(world):
    rows = [
        person(0),
        person(1),
        person(2, **{"Nom": "MARTIN 0", "Prénom": "elodie", "Date de naissance": "1980-01-01"}),
    ]
    report = preview(world.referent_ft, csv_file(rows))
    assert messages(report) == [
        (
            4,
            "Nom, Prénom, Date de naissance",
            "MARTIN 0 elodie, 01/01/1980",
            "Même personne qu'à la ligne 2 (mêmes nom, prénom et date de naissance).",
        ),
    ]
    assert (report.to_create, report.in_error) == (2, 1)


def test_person_already_in_the_cite_is_an_error_unless_existing_people_are_skipped(world):
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Élodie",
        last_name="Martin-1",
        birth_date=date(1980, 1, 2),
    )
    data = csv_file(people(3))
    report = preview(world.referent_ft, data)
    assert messages(report) == [
        (
            3,
            "Nom, Prénom, Date de naissance",
            "Martin-1 Élodie, 02/01/1980",
            "Déjà présent(e) dans la cité (mêmes nom, prénom et date de naissance).",
        ),
    ]
    with pytest.raises(ImportRejected):
        run(world.referent_ft, data)
    assert Beneficiary.objects.count() == 1

    report = preview(world.referent_ft, data, skip_existing=True)
    assert (report.to_create, report.to_skip, report.in_error) == (2, 1, 0)
    assert [(i.line, i.level, i.message) for i in report.issues] == [
        (3, "skipped", "Déjà présent(e) dans la cité : ligne ignorée.")
    ]
    assert report.preview[1].status_label == "déjà présente, ignorée"
    result = run(world.referent_ft, data, skip_existing=True)
    assert (result.created, result.skipped) == (2, 1)
    assert Beneficiary.objects.filter(cite=world.cite).count() == 3


def test_a_skipped_line_is_not_checked_further(world):
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Élodie",
        last_name="Martin-0",
        birth_date=date(1980, 1, 1),
    )
    data = csv_file([person(0, Courriel="pas-un-mail")])
    assert preview(world.referent_ft, data).in_error == 1
    assert preview(world.referent_ft, data, skip_existing=True).to_skip == 1


def test_people_of_another_cite_or_anonymised_are_not_duplicates(world):
    BeneficiaryFactory(
        cite=world.other_cite,
        responsible_structure=world.other_structure,
        first_name="Élodie",
        last_name="Martin-0",
        birth_date=date(1980, 1, 1),
    )
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Élodie",
        last_name="Martin-1",
        birth_date=date(1980, 1, 2),
        anonymised_at=timezone.now(),
    )
    assert preview(world.referent_ft, csv_file(people(2))).to_create == 2


def test_someone_created_between_the_check_and_the_write_is_caught_in_the_transaction(world):
    ctx = ctx_for(world.referent_ft)
    kwargs = dict(
        source=csv_file(people(3)),
        filename="liste.csv",
        mapping=None,
        explicit_mapping=None,
        sheet=None,
        keep_rows=True,
    )
    report = import_service._report(ctx, skip_existing=False, **kwargs)
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Élodie",
        last_name="Martin-2",
        birth_date=date(1980, 1, 3),
    )
    prepared = import_service._prepare(ctx, world.ft, report)
    with pytest.raises(ImportRejected) as exc:
        import_service._write(ctx, world.ft, report, prepared)
    assert [(i.line, i.message) for i in exc.value.report.issues] == [
        (4, "Déjà présent(e) dans la cité (fiche créée pendant l'import).")
    ]
    assert Beneficiary.objects.count() == 1

    report = import_service._report(ctx, skip_existing=True, **kwargs)
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        first_name="Élodie",
        last_name="Martin-1",
        birth_date=date(1980, 1, 2),
    )
    result = import_service._write(ctx, world.ft, report, import_service._prepare(ctx, world.ft, report))
    assert (result.created, result.skipped) == (1, 2)


# --- Import: all or nothing, what is written ----------------------------------------------------------------


def test_one_bad_line_among_50_writes_nothing(world):
    rows = people(50)
    rows[37] = person(37, **{"Date de naissance": "37/13/1980"})
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRejected) as exc:
        run(world.coordinator, csv_file(rows), structure=world.ml)
    assert exc.value.report.in_error == 1 and exc.value.report.issues[0].line == 39
    assert "1 ligne(s) en erreur : rien n'a été importé." in str(exc.value)
    assert Beneficiary.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_import_creates_every_person_as_the_creation_service_does(world):
    rows = [
        person(0, **{"Inscrit France Travail": "oui"}),
        person(1, **{"Code QPV": ""}),
        person(2, Nom="=1+1"),
    ]
    # (In an XLSX, "=1+1" would be a formula: the CSV carries it as text.)
    result = run(world.referent_ft, csv_file(rows), filename="C:\\Users\\ft\\liste FT.csv")
    assert (result.created, result.skipped, result.structure, result.filename) == (
        3,
        0,
        world.ft,
        "liste FT.csv",
    )
    people_ = list(Beneficiary.objects.order_by("last_name"))
    registered = next(b for b in people_ if b.last_name == "Martin-0")
    assert registered.invisible_at_identification is False and registered.qpv == world.qpv
    for b in people_:
        assert b.cite == world.cite and b.responsible_structure == world.ft
        assert b.created_by == world.referent_ft.user and b.referent == world.referent_ft.user
        assert b.identity_key == services.identity_key(b.first_name, b.last_name, b.birth_date)
        assert b.identified_on == timezone.localdate() and b.version == 1
    assert {b.last_name for b in people_ if b.invisible_at_identification} == {"Martin-1", "=1+1"}
    assert Beneficiary.objects.get(last_name="Martin-1").qpv is None


def test_imported_file_equals_a_file_created_by_the_service(world):
    """Parity with services.create_beneficiary: the import must not drift from the creation service."""
    data = {
        "first_name": "Élodie",
        "last_name": "Lefèvre",
        "birth_date": date(1990, 5, 17),
        "gender": "F",
        "email": "e@example.org",
        "qpv": world.qpv,
        "spe_followed": True,
        "rsa": True,
        "education_level": "4",
        "reperage_channel": "forum",
        "identified_on": date(2024, 3, 1),
    }
    compared = [
        "cite_id",
        "responsible_structure_id",
        "referent_id",
        "created_by_id",
        "identity_key",
        "invisible_at_identification",
        *services.BENEFICIARY_FIELDS,
    ]
    for membership, structure in ((world.referent_ft, None), (world.coordinator, world.ml)):
        created = services.create_beneficiary(
            ctx=ctx_for(membership), data=data, responsible_structure=structure
        )
        expected = {name: getattr(created, name) for name in compared}
        expected_audit = AuditEvent.objects.get(code="beneficiary.create", beneficiary_id=created.pk)
        expected_changes = expected_audit.changes
        AuditEvent.objects.filter(beneficiary_id=created.pk).delete()
        created.delete()

        header = [
            "Prénom",
            "Nom",
            "Date de naissance",
            "Sexe",
            "Courriel",
            "QPV",
            "Suivi par le SPE",
            "RSA",
            "Niveau de formation",
            "Canal de repérage",
            "Date de repérage",
        ]
        row = [
            "Élodie",
            "Lefèvre",
            "17/05/1990",
            "F",
            "e@example.org",
            "QN08003M",
            "oui",
            "oui",
            "4",
            "forum",
            "01/03/2024",
        ]
        run(membership, csv_file([row], header=header), structure=structure)
        imported = Beneficiary.objects.get()
        assert {name: getattr(imported, name) for name in compared} == expected
        audit_row = AuditEvent.objects.get(code="beneficiary.create", beneficiary_id=imported.pk)
        assert audit_row.changes == expected_changes
        for name in (
            "cite_id",
            "actor_id",
            "actor_label",
            "actor_structure_id",
            "actor_role",
            "object_type",
            "via",
        ):
            assert getattr(audit_row, name) == getattr(expected_audit, name)
        assert audit_row.object_id == str(imported.pk)
        imported.delete()
        AuditEvent.objects.all().delete()


def test_audit_one_import_event_and_one_create_row_per_person(world):
    result = run(
        world.coordinator, csv_file(people(5)), filename="liste ML.csv", structure=world.ml, via="cli"
    )
    event = AuditEvent.objects.get(code="beneficiary.import")
    assert event.pk == result.event_id and event.cite == world.cite and event.via == "cli"
    assert event.actor == world.coordinator.user and event.actor_role == "coordinator"
    assert event.changes == {
        "file": "liste ML.csv",
        "sheet": "",
        "structure": world.ml.name,
        "structure_id": world.ml.pk,
        "lines": 5,
        "created": 5,
        "skipped": 0,
    }
    rows = AuditEvent.objects.filter(code="beneficiary.create")
    assert sorted(rows.values_list("beneficiary_id", flat=True)) == sorted(
        Beneficiary.objects.values_list("pk", flat=True)
    )
    assert {r.via for r in rows} == {"cli"} and all(r.changes["last_name"][0] is None for r in rows)
    # A coordinator does not become the people's référent.
    assert not Beneficiary.objects.filter(referent__isnull=False).exists()


def test_xlsx_named_sheet_is_imported(world):
    data = xlsx_file(people(2), before={"Lisez-moi": [["Liste transmise par la Mission locale"]]})
    with pytest.raises(MappingError):
        run(world.referent_ft, data, filename="liste.xlsx")
    result = run(world.referent_ft, data, filename="liste.xlsx", sheet="Personnes")
    assert result.created == 2
    assert AuditEvent.objects.get(code="beneficiary.import").changes["sheet"] == "Personnes"


def test_no_query_per_row(world):
    data = csv_file(people(300))
    with CaptureQueriesContext(connection) as captured:
        result = run(world.referent_ft, data)
    assert result.created == 300
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 5, selects
    # Inserts go by batches (SQLite allows 999 parameters per statement: 24 people, 83 audit rows).
    assert len(captured.captured_queries) < 300 / 10


# --- Permissions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["steering", "partner_member", "commission_member", "reviewer", "holder", "national"]
)
def test_roles_without_the_import_action_cannot_preview_or_import(world, persona):
    membership = world.personas()[persona]
    with pytest.raises(PermissionDenied):
        preview(membership, csv_file(people(1)), structure=world.ft)
    with pytest.raises(PermissionDenied):
        run(membership, csv_file(people(1)), structure=world.ft)
    assert Beneficiary.objects.count() == 0


def test_referent_imports_only_for_their_own_structure(world):
    with pytest.raises(PermissionDenied, match="votre propre structure"):
        run(world.referent_ft, csv_file(people(1)), structure=world.ml)
    assert run(world.referent_ft, csv_file(people(1)), structure=world.ft).structure == world.ft
    assert Beneficiary.objects.get().responsible_structure == world.ft


def test_coordinator_chooses_a_structure_partner_of_the_cite(world):
    with pytest.raises(ValidationError, match="Choisissez la structure"):
        run(world.coordinator, csv_file(people(1)))
    with pytest.raises(ValidationError, match="n'est pas partenaire"):
        run(world.coordinator, csv_file(people(1)), structure=world.other_structure)
    assert run(world.coordinator, csv_file(people(1)), structure=world.asso).structure == world.asso


def test_other_cite_coordinator_imports_into_their_own_cite_only(world):
    data = csv_file([person(0, **{"Code QPV": ""})])
    result = run(world.other_coordinator, data, structure=world.other_structure)
    assert Beneficiary.objects.get().cite == world.other_cite and result.created == 1


# --- Limits through the service ------------------------------------------------------------------------------


def test_limits_are_enforced_by_the_service(world, settings):
    with pytest.raises(ImportFileError, match="choisissez un fichier .csv ou .xlsx"):
        preview(world.referent_ft, csv_file(people(1)), filename="liste.pdf")
    settings.IMPORT_MAX_BYTES = 100_000
    with pytest.raises(ImportFileError, match="décompressé"):
        run(world.referent_ft, zip_bomb(3_000_000), filename="liste.xlsx")
    settings.IMPORT_MAX_BYTES = 500
    with pytest.raises(ImportFileError, match="trop volumineux"):
        run(world.referent_ft, csv_file(people(20)))
    assert Beneficiary.objects.count() == 0


def test_too_many_rows_writes_nothing(world, monkeypatch):
    from citemploi.people.importing import reading

    monkeypatch.setattr(reading, "MAX_DATA_ROWS", 10)
    with pytest.raises(ImportFileError, match="plus de 10 lignes"):
        run(world.referent_ft, csv_file(people(11)))
    assert Beneficiary.objects.count() == 0
    assert run(world.referent_ft, csv_file(people(10))).created == 10


# --- Template and report ------------------------------------------------------------------------------------


def test_the_template_columns_are_recognised_by_the_detection():
    header = template_header()
    assert header[:3] == ["Nom", "Prénom", "Date de naissance"]
    assert sorted(detect_mapping(header)) == list(range(len(header)))


def test_report_rows_for_the_csv_report(world):
    report = preview(world.referent_ft, csv_file([person(0, Courriel="x")]))
    assert report_rows(report) == [[2, "Courriel", "x", "Adresse e-mail invalide."]]


def test_listed_issues_are_capped_but_counted(world, monkeypatch):
    from citemploi.people.importing import validation

    monkeypatch.setattr(validation, "MAX_LISTED_ISSUES", 3)
    report = preview(world.referent_ft, csv_file([person(n, Courriel="x") for n in range(5)]))
    assert len(report.issues) == 3 and report.omitted_issues == 2 and report.in_error == 5


def test_header_constant_is_the_one_the_helpers_write():
    assert detect_mapping(HEADER) == {
        0: "last_name",
        1: "first_name",
        2: "birth_date",
        3: "gender",
        4: "email",
        5: "qpv",
        6: "ft_registered",
    }


def test_audit_changes_written_as_text_equal_the_json_fields_own_conversion(world, monkeypatch):
    """SQLite gets the rows' JSON text from the import; other databases the field's conversion: same rows."""

    def imported_changes():
        run(world.referent_ft, csv_file(people(3)))
        rows = AuditEvent.objects.filter(code="beneficiary.create").order_by("beneficiary_id")
        changes = [r.changes for r in rows]
        AuditEvent.objects.all().delete()
        Beneficiary.objects.all().delete()
        return changes

    direct = imported_changes()
    init = import_service._AuditRows.__init__

    def through_the_field(self, *args):
        init(self, *args)
        self.direct = False

    monkeypatch.setattr(import_service._AuditRows, "__init__", through_the_field)
    assert imported_changes() == direct
    assert len(direct) == 3 and direct[0]["last_name"] == [None, "Martin-0"]
