"""`citemploi backup` / `citemploi restore`: a round trip on the configured database (SQLite or PostgreSQL)."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from citemploi.core.management.commands.backup import current_counts
from citemploi.people.models import Beneficiary
from tests.factories import BeneficiaryFactory, CiteFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pg_tools_or_sqlite():
    if connection.vendor == "postgresql":
        from citemploi.core.management.commands.backup import SnapshotError, pg_tool

        try:
            pg_tool("pg_dump")
            pg_tool("pg_restore")
        except SnapshotError as exc:  # pragma: no cover - CI images carry the PostgreSQL client
            pytest.fail(str(exc))


def test_round_trip_brings_the_data_back_and_counts_match(tmp_path, pg_tools_or_sqlite):
    cite = CiteFactory(slug="amiens")
    kept = BeneficiaryFactory(cite=cite, first_name="Awa", last_name="Diallo")
    BeneficiaryFactory(cite=cite)
    before = current_counts()

    call_command("backup", str(tmp_path / "snap"))
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["counts"]["people_beneficiary"] == 2
    assert "0001_initial" in manifest["migrations"]["people"]
    assert manifest["created_at"]

    Beneficiary.objects.filter(pk=kept.pk).update(first_name="Changé")
    BeneficiaryFactory(cite=cite)
    assert Beneficiary.objects.count() == 3

    call_command("restore", str(tmp_path / "snap"), "--yes")

    assert Beneficiary.objects.count() == 2
    assert Beneficiary.objects.get(pk=kept.pk).first_name == "Awa"
    assert current_counts() == before


def test_restore_refuses_without_yes(tmp_path, pg_tools_or_sqlite):
    BeneficiaryFactory()
    call_command("backup", str(tmp_path / "snap"))
    BeneficiaryFactory()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "snap"))
    assert Beneficiary.objects.count() == 2


def test_restore_refuses_a_backup_newer_than_the_code(tmp_path, pg_tools_or_sqlite):
    call_command("backup", str(tmp_path / "snap"))
    manifest_file = tmp_path / "snap" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["migrations"]["people"].append("9999_from_the_future")
    manifest_file.write_text(json.dumps(manifest))
    BeneficiaryFactory()
    with pytest.raises(CommandError, match="plus récente que le code.*people.9999_from_the_future"):
        call_command("restore", str(tmp_path / "snap"), "--yes")
    assert Beneficiary.objects.count() == 1


def test_restore_reports_counts_that_do_not_match(tmp_path, pg_tools_or_sqlite):
    BeneficiaryFactory()
    call_command("backup", str(tmp_path / "snap"))
    manifest_file = tmp_path / "snap" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["counts"]["people_beneficiary"] = 5
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="people_beneficiary : 1 au lieu de 5"):
        call_command("restore", str(tmp_path / "snap"), "--yes")


def test_backup_refuses_to_overwrite_a_backup(tmp_path, pg_tools_or_sqlite):
    call_command("backup", str(tmp_path / "snap"))
    with pytest.raises(CommandError, match="contient déjà une sauvegarde"):
        call_command("backup", str(tmp_path / "snap"))


def test_restore_refuses_a_directory_without_manifest(tmp_path):
    with pytest.raises(CommandError, match="manifest.json absent"):
        call_command("restore", str(tmp_path), "--yes")
