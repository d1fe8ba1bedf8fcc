"""Right of access: the person's file includes every registered domain's data (people.lifecycle)."""

import json

import pytest

from citemploi.people import lifecycle
from citemploi.people.exports import right_of_access_data
from tests.conftest import login_as
from tests.factories import ctx_for
from tests.people.full_person import (
    BARRIER_COMMENT,
    COHORT_REASON,
    EMPLOYER,
    JOURNAL_TEXT,
    ORIENTATION_MESSAGE,
    PRIVATE_NOTE,
    full_person,
)


def test_every_domain_holding_personal_data_registers_a_handler():
    keys = {h.key for h in lifecycle.registered_handlers()}
    assert {"tracking", "pathways", "orientations", "cohorts", "partnership"} <= keys


def test_autodiscovery_imports_the_personal_data_modules():
    imported = lifecycle.autodiscover()
    assert "citemploi.tracking.personal_data" in imported
    assert "citemploi.people.personal_data" not in imported


def test_the_export_carries_every_domain_and_no_private_note(world):
    full = full_person(world)
    data = right_of_access_data(ctx_for(world.referent_ft), full.person)
    domains = data["domains"]
    assert domains["tracking"]["data"]["journal"][0]["compte_rendu"] == JOURNAL_TEXT
    assert domains["tracking"]["data"]["sorties"][0]["employeur"] == EMPLOYER
    assert len(domains["tracking"]["data"]["sorties"][0]["points_de_suivi"]) == 3
    assert domains["pathways"]["data"]["freins"][0]["commentaire"] == BARRIER_COMMENT
    assert len(domains["pathways"]["data"]["objectifs"]) == 1
    assert len(domains["pathways"]["data"]["actions"]) == 1
    assert domains["orientations"]["data"]["orientations"][0]["motif"] == ORIENTATION_MESSAGE
    assert domains["cohorts"]["data"]["cohortes"][0]["motif"] == COHORT_REASON
    assert len(domains["partnership"]["data"]["evenements"]) == 1
    assert PRIVATE_NOTE not in json.dumps(data, default=str)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_the_downloaded_file_includes_the_domains(client, world, fmt):
    full = full_person(world)
    login_as(client, world.referent_ft)
    response = client.get(f"/personnes/{full.person.pk}/droit-d-acces.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = json.loads(response.content)
        assert body["domains"]["orientations"]["data"]["orientations"][0]["motif"] == ORIENTATION_MESSAGE
        assert PRIVATE_NOTE not in response.content.decode()
    else:
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        assert "Journal et sorties" in book.sheetnames
        cells = [c for row in book["Orientations"].iter_rows(values_only=True) for c in row]
        assert ORIENTATION_MESSAGE in cells
        all_cells = [
            str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
        ]
        assert PRIVATE_NOTE not in " ".join(all_cells)
