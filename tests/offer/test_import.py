"""Import of data·inclusion files: all or nothing, idempotent by source identifier, reported line by line."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from citemploi.core.models import AuditEvent
from citemploi.offer.importing import (
    ImportFileError,
    ImportRejected,
    UploadedFile,
    import_services,
    preview_import,
)
from citemploi.offer.models import Service, StructureSource
from citemploi.offer.services import update_service
from citemploi.partners.models import Structure
from tests.factories import ctx_for
from tests.offer.di_files import csv_file, json_file, service, structure
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def _import(membership, services_file, structures_file=None, **kwargs):
    return import_services(
        ctx=ctx_for(membership, via="cli"),
        services_file=services_file,
        structures_file=structures_file,
        today=TODAY,
        **kwargs,
    )


def test_coordinator_imports_services_and_adds_their_new_structure_to_the_partnership(world):
    report = _import(
        world.coordinator,
        json_file([service(), service("dora--svc-2", nom="Location de scooters", thematiques=["mobilite"])]),
        json_file([structure()], "structures.json"),
    )
    assert (report.to_create, report.to_update, report.unchanged) == (2, 0, 0)
    regie = Structure.objects.get(name="Régie de quartier Amiens Nord")
    assert regie.kind == "siae" and regie.siret == "12345678901234"
    assert regie.partnerships.get().cite == world.cite
    garage = Service.objects.get(source_id="dora--svc-1")
    assert garage.structure == regie and garage.source == "dora"
    assert garage.last_updated_on == date(2025, 2, 14)
    assert garage.step == "levee_freins" and garage.nature == "droit_commun" and garage.published
    assert garage.modes_mobilisation == ["telephoner", "se-presenter"]
    assert sorted(p.code for p in garage.publics.all()) == ["demandeurs-emploi", "residents-qpv-frr"]
    assert sorted((a.kind, a.code) for a in garage.areas.all()) == [
        ("commune", "80021"),
        ("departement", "80"),
    ]
    assert StructureSource.objects.get(source_id="dora--asso-42").structure == regie
    event = AuditEvent.objects.get(code="service.import")
    assert event.via == "cli" and event.changes["créés"] == [None, 2]


def test_importing_the_same_file_twice_changes_nothing(world):
    files = (json_file([service()]), json_file([structure()], "structures.json"))
    _import(world.coordinator, *files)
    before = Service.objects.get()
    again = _import(world.coordinator, *files)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 1)
    after = Service.objects.get()
    assert after.pk == before.pk and after.version == before.version
    assert Structure.objects.filter(name="Régie de quartier Amiens Nord").count() == 1
    # Next time, the structure is found by its identifier: the structures file is not needed any more.
    third = _import(world.coordinator, json_file([service(nom="Garage solidaire du Marais")]))
    assert third.to_update == 1
    assert Service.objects.get().name == "Garage solidaire du Marais"


def test_a_structure_already_partner_is_found_by_siret_or_by_name(world):
    world.asso.siret = "12345678901234"
    world.asso.save()
    report = _import(world.coordinator, json_file([service()]), json_file([structure(nom="Autre nom")]))
    assert Service.objects.get().structure == world.asso
    assert not report.structures_to_create
    by_name = _import(
        world.coordinator,
        json_file([service("dora--svc-9", structure_id="dora--ml")]),
        json_file([structure("dora--ml", nom=world.ml.name.upper(), siret=None)]),
    )
    assert Service.objects.get(source_id="dora--svc-9").structure == world.ml
    assert by_name.to_create == 1


def test_unknown_codes_are_reported_line_by_line_and_nothing_is_written(world):
    records = [
        service(),
        service(
            "dora--svc-2",
            thematiques=["mobilite--preparer-un-permis", "teleportation--apprendre", "logement"],
            publics=["jeunes", "martiens"],
            zone_eligibilite=["80021", "Amiens"],
            modes_mobilisation=["pigeon-voyageur"],
        ),
        service("dora--svc-3", date_maj="14/02/2099", courriel="pas-une-adresse", nom="A"),
    ]
    with pytest.raises(ImportRejected) as exc:
        _import(world.coordinator, json_file(records), json_file([structure()], "structures.json"))
    report = exc.value.report
    errors = [(i.line, i.field, i.value, i.message) for i in report.errors]
    assert (2, "thematiques", "teleportation--apprendre", "thématique inconnue") in errors
    assert (2, "publics", "martiens", "public inconnu") in errors
    assert (2, "modes_mobilisation", "pigeon-voyageur", "mode de mobilisation inconnu") in errors
    assert any(e[:3] == (2, "zone_eligibilite", "Amiens") for e in errors)
    assert (3, "date_maj", "14/02/2099", "date dans le futur") in errors
    assert (3, "courriel", "pas-une-adresse", "adresse e-mail invalide") in errors
    assert (3, "nom", "A", "trop court (3 caractères au moins)") in errors
    assert report.in_error == 2
    assert all(i.ident for i in report.errors)
    assert not Service.objects.exists()
    assert not Structure.objects.filter(name="Régie de quartier Amiens Nord").exists()
    assert not StructureSource.objects.exists()
    assert str(exc.value).startswith("2 enregistrement(s) en erreur : rien n'a été importé.")


def test_csv_lines_are_numbered_as_in_the_file(world):
    records = [
        service(),
        service("dora--svc-2", description="Sur deux lignes :\nune description multiligne"),
        service("dora--svc-3", thematiques=["natation--nager"]),
    ]
    with pytest.raises(ImportRejected) as exc:
        _import(world.coordinator, csv_file(records), json_file([structure()], "structures.json"))
    assert [(i.line, i.field, i.value) for i in exc.value.report.errors] == [
        (5, "thematiques", "natation--nager")
    ]


def test_with_the_loaded_referential_unknown_sub_themes_are_errors(world, referential):
    with pytest.raises(ImportRejected) as exc:
        _import(
            world.coordinator,
            json_file([service(thematiques=["mobilite--preparer-un-permis", "mobilite--nager"])]),
            json_file([structure()], "structures.json"),
        )
    assert [(i.field, i.value) for i in exc.value.report.errors] == [("thematiques", "mobilite--nager")]


def test_csv_and_json_files_import_the_same_services(world):
    _import(
        world.coordinator, csv_file([service()], delimiter=";"), csv_file([structure()], "structures.csv")
    )
    from_csv = Service.objects.get()
    assert from_csv.modes_mobilisation == ["telephoner", "se-presenter"]
    assert [t.code for t in from_csv.themes.all()] == ["mobilite--entretenir-reparer-son-vehicule"]
    again = _import(world.coordinator, json_file([service()]))
    assert again.unchanged == 1


def test_missing_required_fields_and_duplicates_are_errors(world):
    records = [service(), service(), {"id": "dora--svc-x", "source": "dora"}, "pas un objet"]
    report = preview_import(
        ctx=ctx_for(world.coordinator),
        services_file=json_file(records),
        structures_file=json_file([structure()], "structures.json"),
        today=TODAY,
    )
    errors = [(i.line, i.field, i.message) for i in report.errors]
    assert (2, "id", "identifiant déjà présent (ligne 1)") in errors
    assert {(3, f, "champ obligatoire") for f in ("structure_id", "nom", "description", "date_maj")} <= set(
        errors
    )
    assert (4, "", "enregistrement illisible : un objet JSON est attendu") in errors
    assert report.to_create == 1  # the preview still says what the valid lines would do


def test_a_service_of_an_unknown_structure_is_an_error(world):
    with pytest.raises(ImportRejected) as exc:
        _import(world.coordinator, json_file([service(structure_id="dora--inconnue")]))
    assert exc.value.report.errors[0].field == "structure_id"
    assert "joignez le fichier des structures" in exc.value.report.errors[0].message


def test_a_referent_imports_their_own_structures_services_only(world):
    report = _import(world.referent_ft, json_file([service()]), json_file([structure()], "structures.json"))
    assert Service.objects.get().structure == world.ft
    assert report.target == world.ft
    assert not Structure.objects.filter(name="Régie de quartier Amiens Nord").exists()
    assert StructureSource.objects.get(source_id="dora--asso-42").structure == world.ft
    with pytest.raises(ValidationError):
        _import(world.referent_ft, json_file([service()]), structure=world.ml)
    # The Mission locale's référent cannot overwrite France Travail's service with the same identifier.
    with pytest.raises(ImportRejected) as exc:
        _import(world.referent_ml, json_file([service()]))
    assert "autre structure" in exc.value.report.errors[0].message


def test_another_cite_cannot_overwrite_a_service_it_does_not_reach(world):
    _import(world.coordinator, json_file([service()]), json_file([structure()], "structures.json"))
    with pytest.raises(ImportRejected) as exc:
        _import(world.other_coordinator, json_file([service()]), json_file([structure()], "structures.json"))
    assert "pas partenaire de votre cité" in exc.value.report.errors[0].message
    with pytest.raises(ImportRejected) as exc:
        _import(world.other_coordinator, json_file([service()]), structure=world.other_structure)
    assert "autre structure" in exc.value.report.errors[0].message


def test_a_more_recent_local_version_is_not_overwritten(world):
    _import(world.coordinator, json_file([service()]), json_file([structure()], "structures.json"))
    garage = Service.objects.get()
    update_service(
        ctx=ctx_for(world.coordinator), service=garage, data={"capacity": 4}, today=date(2025, 5, 1)
    )
    report = _import(world.coordinator, json_file([service(nom="Nom de la source")]))
    assert report.skipped == 1 and not report.has_errors
    garage.refresh_from_db()
    assert garage.name == "Garage solidaire" and garage.capacity == 4
    newer = _import(world.coordinator, json_file([service(nom="Nom de la source", date_maj="2025-05-20")]))
    assert newer.to_update == 1
    garage.refresh_from_db()
    # The file's fields win, citemploi's own fields (absent from the file) are kept.
    assert garage.name == "Nom de la source" and garage.capacity == 4
    assert garage.last_updated_on == date(2025, 5, 20)


def test_citemploi_extension_fields_are_read_when_present(world):
    record = service(
        citemploi_nature="aap",
        citemploi_etape="mise_en_relation",
        citemploi_places="15",
        citemploi_liste_attente=3,
        citemploi_date_ouverture="2025-01-01",
        citemploi_date_fin_validite="2025-12-31",
        citemploi_visible="non",
        citemploi_prescripteurs="Conseillers France Travail",
    )
    _import(world.coordinator, json_file([record]), json_file([structure()], "structures.json"))
    garage = Service.objects.get()
    assert garage.nature == "aap" and garage.funding_cite == world.cite
    assert garage.step == "mise_en_relation" and garage.capacity == 15 and garage.waiting_list == 3
    assert (garage.opens_on, garage.valid_until) == (date(2025, 1, 1), date(2025, 12, 31))
    assert not garage.published and garage.prescribers == "Conseillers France Travail"
    with pytest.raises(ImportRejected) as exc:
        _import(world.coordinator, json_file([service(citemploi_etape="decollage", citemploi_places="-2")]))
    assert {i.field for i in exc.value.report.errors} == {"citemploi_etape", "citemploi_places"}


def test_unknown_fields_are_reported_as_information(world):
    report = _import(
        world.coordinator,
        json_file([service(champ_maison="x")]),
        json_file([structure()], "structures.json"),
    )
    infos = [i for i in report.issues if not i.is_error]
    assert infos and "champ_maison" in infos[0].field


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (UploadedFile(b"{pas du json", "services.json"), "JSON invalide"),
        (UploadedFile(b"nom;description\nA;B\n", "services.csv"), "colonne « id » absente"),
        (UploadedFile(b"", "services.csv"), "est vide"),
        (UploadedFile(b"x", "services.xlsx"), "format non reconnu"),
        (UploadedFile(b'{"total": 3}', "services.json"), "une liste d'enregistrements JSON est attendue"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(world, upload, message):
    with pytest.raises(ImportFileError) as exc:
        _import(world.coordinator, upload)
    assert message in exc.value.message


def test_a_bundle_with_structures_and_services_in_one_json_file(world):
    bundle = json_file({"structures": [structure()], "services": [service()]}, "offre.json")
    report = _import(world.coordinator, bundle)
    assert report.to_create == 1
    assert Service.objects.get().structure.name == "Régie de quartier Amiens Nord"


def test_data_inclusion_api_pages_are_read(world):
    page = json_file({"items": [service()], "total": 1, "page": 1}, "services.json")
    _import(world.coordinator, page, structure=world.asso)
    assert Service.objects.get().structure == world.asso


def test_existing_local_services_are_untouched_by_an_import(world):
    mine = ServiceFactory(structure=world.asso, name="Permanence emploi")
    _import(world.coordinator, json_file([service()]), json_file([structure()], "structures.json"))
    mine.refresh_from_db()
    assert mine.name == "Permanence emploi" and Service.objects.count() == 2
