"""The `indicators` command: JSON and table output, clear errors."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from citemploi.people.enums import ReperageChannel
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_json_output(world):
    for day in (date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1)):
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=day,
            reperage_channel=ReperageChannel.FORUM,
        )
    document = json.loads(
        _run("--cite", "amiens", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json")
    )
    identified = next(i for i in document["indicators"] if i["code"] == "people.identified")
    # 1 January and 31 January are inside (inclusive), 1 February outside: 2
    assert identified["total"] == 2
    assert {r["key"]: r["total"] for r in identified["rows"]}["forum"] == 2
    assert document["cite"] == "amiens"


def test_table_output_with_cut(world):
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, identified_on=date(2026, 1, 5))
    out = _run(
        "--cite",
        "amiens",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--format",
        "table",
        "--cut",
        "gender",
    )
    assert "Personnes repérées (personnes) [people.identified]" in out
    assert "Femme" in out and "Homme" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cite", "nowhere", "--from", "2026-01-01", "--to", "2026-01-31"], "Cité inconnue"),
        (["--cite", "amiens", "--from", "2026-13-01", "--to", "2026-01-31"], "--from : date invalide"),
        (
            ["--cite", "amiens", "--from", "2026-02-01", "--to", "2026-01-31"],
            "La date de début doit précéder",
        ),
        (
            ["--cite", "amiens", "--from", "2026-01-01", "--to", "2026-01-31", "--indicator", "nope"],
            "Indicateur inconnu",
        ),
    ],
)
def test_clear_errors(world, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_all_cites_adds_every_cite_and_cuts_by_cite(world):
    day = date(2026, 1, 10)
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, identified_on=day)
    BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, identified_on=day)
    BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.other_structure, identified_on=day)
    document = json.loads(_run("--all-cites", "--from", "2026-01-01", "--to", "2026-01-31", "--cut", "cite"))
    assert document["cite"] == "*" and document["cites"] == 2
    identified = next(i for i in document["indicators"] if i["code"] == "people.identified")
    assert identified["total"] == 3
    by_cite = {
        column["label"]: sum(row["values"][column["key"]] for row in identified["rows"])
        for column in identified["columns"]
    }
    assert by_cite == {"Amiens Métropole": 2, "Le Mans Métropole": 1}


def test_cite_and_all_cites_are_exclusive(world):
    with pytest.raises(CommandError):
        _run("--cite", "amiens", "--all-cites", "--from", "2026-01-01", "--to", "2026-01-31")
