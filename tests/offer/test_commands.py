"""`citemploi import_services` and `citemploi import_di_referentials`."""

import json

import pytest
from django.core.management import CommandError, call_command

from citemploi.core.models import AuditEvent
from citemploi.offer.models import Service, Thematique
from tests.conftest import shared_file
from tests.offer.di_files import service, structure

pytestmark = pytest.mark.django_db


def _write(tmp_path, name, records):
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_services_from_a_folder_as_the_coordinator(world, tmp_path, capsys):
    _write(tmp_path, "services.json", [service()])
    _write(tmp_path, "structures.json", [structure()])
    call_command("import_services", str(tmp_path), cite="amiens", user=world.coordinator.user.email)
    out = capsys.readouterr().out
    assert "Services : 1 à créer" in out and "Import terminé." in out
    assert "Régie de quartier Amiens Nord" in out
    assert Service.objects.get().structure.name == "Régie de quartier Amiens Nord"
    assert AuditEvent.objects.get(code="service.import").via == "cli"
    call_command("import_services", str(tmp_path), cite="amiens", user=world.coordinator.user.email)
    assert "1 inchangé(s)" in capsys.readouterr().out


def test_import_services_prints_the_errors_and_writes_nothing(world, tmp_path, capsys):
    path = _write(tmp_path, "offre.json", [service(publics=["martiens"])])
    structures = _write(tmp_path, "structures.json", [structure()])
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command(
            "import_services",
            str(path),
            structures=str(structures),
            cite="amiens",
            user=world.coordinator.user.email,
        )
    assert (
        "services, ligne 1 [dora--svc-1] publics « martiens » : public inconnu (erreur)"
        in capsys.readouterr().out
    )
    assert not Service.objects.exists()


def test_dry_run_writes_nothing(world, tmp_path, capsys):
    path = _write(tmp_path, "services.json", [service()])
    call_command("import_services", str(path), cite="amiens", user=world.referent_ft.user.email, dry_run=True)
    assert "Simulation" in capsys.readouterr().out
    assert not Service.objects.exists()


def test_import_services_needs_a_role_allowed_to_import(world, tmp_path):
    path = _write(tmp_path, "services.json", [service()])
    with pytest.raises(CommandError, match="pas de rôle permettant d'importer"):
        call_command("import_services", str(path), cite="amiens", user=world.steering.user.email)
    with pytest.raises(CommandError, match="Cité inconnue"):
        call_command("import_services", str(path), cite="nulle-part", user=world.coordinator.user.email)
    with pytest.raises(CommandError, match="Structure inconnue"):
        call_command(
            "import_services",
            str(path),
            cite="amiens",
            user=world.coordinator.user.email,
            structure=str(world.other_structure.pk),
        )


def test_import_services_attaches_to_a_structure_given_by_siret(world, tmp_path):
    world.ml.siret = "13000548100010"
    world.ml.save()
    path = _write(tmp_path, "services.json", [service()])
    call_command(
        "import_services",
        str(path),
        cite="amiens",
        user=world.coordinator.user.email,
        structure="13000548100010",
    )
    assert Service.objects.get().structure == world.ml


def test_load_the_official_theme_referential_twice(db, capsys):
    path = shared_file("data-inclusion-schema", "v1")
    call_command("import_di_referentials", str(path))
    assert "69 créée(s)" in capsys.readouterr().out
    assert (
        Thematique.objects.get(code="lecture-ecriture-calcul--maitriser-le-francais").label
        == "Maîtriser le français"
    )
    call_command("import_di_referentials", str(path / "thematiques.csv"))
    assert "69 inchangée(s)" in capsys.readouterr().out


def test_a_referential_with_bad_lines_is_refused_whole(db, tmp_path):
    path = _write(
        tmp_path, "thematiques.json", [{"value": "mobilite--x", "label": "X"}, {"value": "Mobilité"}]
    )
    with pytest.raises(CommandError, match="thématique n° 2 : code « Mobilité » invalide"):
        call_command("import_di_referentials", str(path))
    assert not Thematique.objects.exists()


def test_the_real_referential_then_a_file_with_real_codes(world, tmp_path):
    call_command(
        "import_di_referentials", str(shared_file("data-inclusion-schema", "v1", "thematiques.json"))
    )
    good = _write(tmp_path, "services.json", [service(thematiques=["sante--sante-mentale", "numerique"])])
    call_command(
        "import_services",
        str(good),
        cite="amiens",
        user=world.coordinator.user.email,
        structure=str(world.asso.pk),
    )
    assert sorted(t.code for t in Service.objects.get().themes.all()) == ["numerique", "sante--sante-mentale"]
    bad = _write(tmp_path, "autres.json", [service("dora--2", thematiques=["sante--bien-etre"])])
    with pytest.raises(CommandError):
        call_command(
            "import_services",
            str(bad),
            cite="amiens",
            user=world.coordinator.user.email,
            structure=str(world.asso.pk),
        )
