"""Export in the data·inclusion format, read back by the import (round trip)."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from citemploi.offer import exporting
from citemploi.offer.importing import UploadedFile, import_services
from citemploi.offer.models import Service
from citemploi.offer.queries import theme_vocabulary, with_details
from tests.conftest import shared_file
from tests.factories import ctx_for
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "name",
    "description",
    "nature",
    "step",
    "type",
    "capacity",
    "waiting_list",
    "opens_on",
    "valid_until",
    "published",
    "prescribers",
    "email",
    "phone",
    "mobilisable_par",
    "modes_mobilisation",
    "modes_accueil",
    "fees",
    "fees_details",
    "weekly_hours",
    "weeks",
    "last_updated_on",
    "source_id",
    "structure_id",
]


def _snapshot():
    rows = []
    for s in with_details(Service.objects.order_by("source_id")):
        row = {f: getattr(s, f) for f in FIELDS}
        row["themes"] = sorted(t.code for t in s.themes.all())
        row["publics"] = sorted(p.code for p in s.publics.all())
        row["areas"] = sorted((a.kind, a.code) for a in s.areas.all())
        rows.append(row)
    return rows


@pytest.fixture
def offer(world):
    ServiceFactory(
        structure=world.asso,
        name="Auto-école sociale",
        description="- Préparer le permis B\n- à coût réduit",
        themes=["mobilite--preparer-un-permis", "mobilite"],
        publics=["residents-qpv-frr"],
        areas=["80021", ("departement", "80"), ("epci", "248000556"), ("france", "france")],
        nature="aap",
        step="levee_freins",
        type="formation",
        capacity=12,
        waiting_list=4,
        opens_on=date(2025, 1, 6),
        valid_until=date(2025, 12, 19),
        prescribers='=HYPERLINK("http://x")',
        phone="+33322000000",
        mobilisable_par=["professionnels"],
        modes_mobilisation=["telephoner"],
        modes_accueil=["en-presentiel", "a-distance"],
        fees="payant",
        fees_details="50 € au total",
        weekly_hours=6.5,
        weeks=20,
        last_updated_on=date(2025, 3, 3),
    )
    ServiceFactory(structure=world.ft, name="Atelier CV", hidden=True, last_updated_on=date(2024, 1, 2))
    return world


def _export(world, kind, fmt):
    qs = with_details(Service.objects.order_by("name"))
    vocabulary = theme_vocabulary()
    if kind == "services":
        records = exporting.services_records(qs, vocabulary)
        columns = exporting.SERVICE_COLUMNS
    else:
        records = exporting.structures_records({s.structure for s in qs})
        columns = exporting.STRUCTURE_COLUMNS
    content = exporting.as_json(records) if fmt == "json" else exporting.as_csv(records, columns)
    return UploadedFile(content=content, filename=f"{kind}.{fmt}")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imported_back_restores_the_same_services(offer, fmt):
    world = offer
    services_file, structures_file = _export(world, "services", fmt), _export(world, "structures", fmt)
    before = _snapshot()
    # Into the same platform: nothing changes.
    report = import_services(
        ctx=ctx_for(world.coordinator), services_file=services_file, structures_file=structures_file
    )
    assert (report.to_create, report.to_update, report.unchanged) == (0, 0, 2)
    # Into an empty one: the same services come back, attached to the same structures.
    Service.objects.all().delete()
    report = import_services(
        ctx=ctx_for(world.coordinator), services_file=services_file, structures_file=structures_file
    )
    assert report.to_create == 2 and not report.structures_to_create
    assert _snapshot() == before


def test_the_csv_export_neutralises_formulas_and_lists_codes_with_commas(offer):
    text = _export(offer, "services", "csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+33322000000" in text
    assert "en-presentiel,a-distance" in text


def test_a_whole_category_is_exported_as_its_sub_themes_once_the_referential_is_loaded(offer, referential):
    records = json.loads(_export(offer, "services", "json").content)
    permis = next(r for r in records if r["nom"] == "Auto-école sociale")
    assert permis["thematiques"] == ["mobilite--acceder-a-un-vehicule", "mobilite--preparer-un-permis"]
    assert sorted(permis["zone_eligibilite"]) == ["248000556", "80", "80021", "france"]


def test_the_export_is_valid_against_the_official_schema(offer):
    import jsonschema_rs

    schema_dir = shared_file("data-inclusion-schema", "v1")
    call_command("import_di_referentials", str(schema_dir))
    service_schema = json.loads((schema_dir / "service.json").read_text())
    structure_schema = json.loads((schema_dir / "structure.json").read_text())
    services = json.loads(_export(offer, "services", "json").content)
    structures = json.loads(_export(offer, "structures", "json").content)
    for record in services:
        errors = [e.message for e in jsonschema_rs.validator_for(service_schema).iter_errors(record)]
        assert errors == [], record["nom"]
    for record in structures:
        errors = [e.message for e in jsonschema_rs.validator_for(structure_schema).iter_errors(record)]
        assert errors == [], record["nom"]
