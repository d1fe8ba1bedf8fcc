"""The `import_people` command: report, dry run, all or nothing, who it acts as."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citemploi.core.models import AuditEvent
from citemploi.people.models import Beneficiary
from tests.factories import BeneficiaryFactory, UserFactory, member
from tests.people.import_files import csv_file, people, person, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(tmp_path):
    def _write(data: bytes, name: str = "liste.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return _write


def command(*args, **options):
    out = StringIO()
    call_command("import_people", *args, stdout=out, **options)
    return out.getvalue()


def failing(*args, **options):
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_people", *args, stdout=out, **options)
    return str(exc.value), out.getvalue()


def test_coordinator_imports_for_a_structure_given_by_id(world, write):
    out = command(
        write(csv_file(people(3))),
        cite="amiens",
        user=world.coordinator.user.email,
        structure=str(world.ml.pk),
    )
    assert "3 personne(s) importée(s) pour « " + world.ml.name + " »." in out
    assert Beneficiary.objects.filter(cite=world.cite, responsible_structure=world.ml).count() == 3
    event = AuditEvent.objects.get(code="beneficiary.import")
    assert (
        event.via == "cli" and event.actor == world.coordinator.user and event.changes["file"] == "liste.csv"
    )
    assert set(AuditEvent.objects.filter(code="beneficiary.create").values_list("via", flat=True)) == {"cli"}


def test_structure_by_siret(world, write):
    world.asso.siret = "12345678900017"
    world.asso.save()
    command(
        write(csv_file(people(1))),
        cite="amiens",
        user=world.coordinator.user.email,
        structure="123 456 789 00017",
    )
    assert Beneficiary.objects.get().responsible_structure == world.asso


def test_referent_imports_for_their_structure_by_default(world, write):
    out = command(write(xlsx_file(people(2)), "liste.xlsx"), cite="amiens", user=world.referent_ft.user.email)
    assert "2 personne(s) importée(s)" in out
    assert set(Beneficiary.objects.values_list("responsible_structure", "referent")) == {
        (world.ft.pk, world.referent_ft.user.pk)
    }


def test_referent_cannot_import_for_another_structure(world, write):
    message, _ = failing(
        write(csv_file(people(1))),
        cite="amiens",
        user=world.referent_ft.user.email,
        structure=str(world.ml.pk),
    )
    assert "votre propre structure" in message
    assert Beneficiary.objects.count() == 0


def test_lines_in_error_print_the_report_and_fail_writing_nothing(world, write):
    rows = people(4)
    rows[2] = person(2, **{"Date de naissance": "31/02/1990"})
    message, out = failing(write(csv_file(rows)), cite="amiens", user=world.referent_ft.user.email)
    assert message == "1 ligne(s) en erreur : rien n'a été importé."
    assert "Ligne 4, colonne « Date de naissance », valeur « 31/02/1990 » : Cette date n'existe pas." in out
    assert "À créer : 3 ; déjà présentes, ignorées : 0 ; en erreur : 1 (sur 4 ligne(s))." in out
    assert "« Nom » → Nom" in out
    assert (
        Beneficiary.objects.count() == 0
        and not AuditEvent.objects.filter(code__startswith="beneficiary.").exists()
    )


def test_dry_run_prints_the_counts_and_writes_nothing(world, write):
    out = command(write(csv_file(people(5))), "--dry-run", cite="amiens", user=world.referent_ft.user.email)
    assert "À créer : 5" in out and "Simulation : rien n'a été écrit." in out
    assert Beneficiary.objects.count() == 0
    rows = people(2) + [person(0)]
    message, out = failing(
        write(csv_file(rows)), "--dry-run", cite="amiens", user=world.referent_ft.user.email
    )
    assert "1 ligne(s) en erreur" in message and "Même personne qu'à la ligne 2" in out


def test_skip_existing(world, write):
    first = people(1)[0]
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        last_name=first[0],
        first_name=first[1],
        birth_date=date(1980, 1, 1),
    )
    path = write(csv_file(people(3)))
    message, out = failing(path, cite="amiens", user=world.referent_ft.user.email)
    assert "Déjà présent(e) dans la cité" in out
    out = command(path, "--skip-existing", cite="amiens", user=world.referent_ft.user.email)
    assert "2 personne(s) importée(s)" in out and "1 déjà présente(s) ignorée(s)" in out
    assert Beneficiary.objects.count() == 3


def test_explicit_mapping_and_sheet(world, write):
    header = ["Identité", "Prénom", "Naissance", "Notes"]
    data = xlsx_file(
        [["Dupont", "Jean", "01/02/1990", "à rappeler"]],
        header=header,
        title="Liste",
        before={"Lisez-moi": [["Liste du forum"]]},
    )
    path = write(data, "forum.xlsx")
    message, _ = failing(path, cite="amiens", user=world.referent_ft.user.email, sheet="Liste")
    assert "Aucune colonne ne correspond au champ obligatoire « Nom »." in message
    out = command(
        path,
        cite="amiens",
        user=world.referent_ft.user.email,
        sheet="Liste",
        mapping="Identité=last_name,Naissance=Date de naissance,Notes=-",
    )
    assert "1 personne(s) importée(s)" in out
    assert Beneficiary.objects.get().last_name == "Dupont"
    message, _ = failing(path, cite="amiens", user=world.referent_ft.user.email, sheet="Absente")
    assert "La feuille « Absente » n'existe pas" in message


def test_who_may_run_it(world, write):
    path = write(csv_file(people(1)))
    assert "Cité inconnue" in failing(path, cite="nulle-part", user=world.coordinator.user.email)[0]
    assert "Aucun compte actif" in failing(path, cite="amiens", user="personne@example.org")[0]
    message, _ = failing(path, cite="amiens", user=world.steering.user.email, structure=str(world.ft.pk))
    assert "aucun rôle permettant d'importer" in message
    # A coordinator of another cité has no role in this one.
    assert (
        "aucun rôle"
        in failing(path, cite="amiens", user=world.other_coordinator.user.email, structure=str(world.ft.pk))[
            0
        ]
    )
    assert "Choisissez la structure" in failing(path, cite="amiens", user=world.coordinator.user.email)[0]
    assert (
        "Structure inconnue"
        in failing(path, cite="amiens", user=world.coordinator.user.email, structure="abc")[0]
    )
    assert (
        "Aucune structure n'a le SIRET"
        in failing(path, cite="amiens", user=world.coordinator.user.email, structure="00000000000000")[0]
    )
    assert (
        "n'est pas partenaire"
        in failing(
            path, cite="amiens", user=world.coordinator.user.email, structure=str(world.other_structure.pk)
        )[0]
    )
    inactive = member(world.cite, "coordinator", user=UserFactory(is_active=False))
    assert "Aucun compte actif" in failing(path, cite="amiens", user=inactive.user.email)[0]
    assert Beneficiary.objects.count() == 0


def test_user_with_two_roles_acts_with_the_one_for_the_structure(world, write):
    user = world.referent_ml.user
    member(world.cite, "coordinator", user=user)
    command(write(csv_file(people(1))), cite="amiens", user=user.email, structure=str(world.ml.pk))
    assert AuditEvent.objects.get(code="beneficiary.import").actor_role == "referent"
    command(write(csv_file(people(1, start=1))), cite="amiens", user=user.email, structure=str(world.asso.pk))
    assert AuditEvent.objects.filter(code="beneficiary.import").latest("id").actor_role == "coordinator"


def test_file_problems_are_reported(world, write):
    assert (
        "Fichier introuvable"
        in failing("/nonexistent/liste.csv", cite="amiens", user=world.referent_ft.user.email)[0]
    )
    message, _ = failing(write(b"x", "liste.pdf"), cite="amiens", user=world.referent_ft.user.email)
    assert "choisissez un fichier .csv ou .xlsx" in message
    message, _ = failing(
        write(csv_file(people(1))), cite="amiens", user=world.referent_ft.user.email, mapping="sans egal"
    )
    assert "Titre de colonne=champ" in message
