"""The import's multi-row insert: same rows as the ORM would write, ids in order, several statements."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.core.models import AuditEvent
from citemploi.people.importing import inserts
from citemploi.people.models import Beneficiary

pytestmark = pytest.mark.django_db


def test_rows_get_their_ids_in_order_across_statements(world, monkeypatch):
    monkeypatch.setattr(inserts, "MAX_PARAMS", 40)  # AuditEvent has 12 columns: 3 rows per statement
    events = [AuditEvent(code="test.insert", object_id=str(n), changes={"n": [None, n]}) for n in range(10)]
    with CaptureQueriesContext(connection) as captured:
        inserts.insert(AuditEvent, events)
    assert len(captured.captured_queries) == 4
    assert all(e.pk and not e._state.adding for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(code="test.insert")}
    for event in events:
        assert stored[event.pk].object_id == event.object_id
        assert stored[event.pk].changes == {"n": [None, int(event.object_id)]}
        assert stored[event.pk].created_at is not None


def test_values_are_those_the_orm_writes(world):
    common = dict(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Élodie",
        last_name="Martin",
        birth_date=date(1990, 5, 17),
        qpv=world.qpv,
        rsa=True,
        identity_key="k",
    )
    by_orm = Beneficiary.objects.create(**common)
    fast = Beneficiary(**common | {"identity_key": "k2"})
    inserts.insert(Beneficiary, [fast])
    columns = [
        f.attname for f in Beneficiary._meta.concrete_fields if f.attname not in ("id", "identity_key")
    ]
    rows = {b.identity_key: b for b in Beneficiary.objects.all()}
    for name in columns:
        if name in ("created_at", "updated_at"):
            continue
        assert getattr(rows["k2"], name) == getattr(rows["k"], name), name
    assert rows["k2"].pk != by_orm.pk and rows["k2"].created_at and rows["k2"].updated_at
    assert Beneficiary.objects.filter(identity_key="k2", gender="X", education_level="unknown").exists()


def test_nothing_to_insert_runs_no_query(world):
    with CaptureQueriesContext(connection) as captured:
        inserts.insert(AuditEvent, [])
    assert captured.captured_queries == []


def test_audit_changes_text_is_what_json_dumps_writes():
    """The import writes its `beneficiary.create` changes as text itself: exactly json.dumps's text."""
    import json

    from citemploi.people.enums import Gender
    from citemploi.people.importing.service import _ChangesText

    names = ["a", "b\u00e9", 'q"uote', "d", "e", "f", "g", "h", "i", "j", "k", "l"]
    values = (
        "Élodie",
        'guil"lemets\\ et \n retour\t\x01',
        "😀 hors du plan de base",
        None,
        True,
        False,
        0,
        -12,
        2.5,
        Gender.FEMALE,
        ["x", None, 1],
        {"k": [1, "é"]},
    )
    expected = json.dumps({name: (None, value) for name, value in zip(names, values, strict=True)})
    assert _ChangesText(names, {}, None)(values) == expected
    # Values shared by every row are written once, in their place.
    fixed = {name: value for i, (name, value) in enumerate(zip(names, values, strict=True)) if i % 3 == 0}
    rest = tuple(value for i, value in enumerate(values) if i % 3)
    assert _ChangesText(names, fixed, None)(rest) == expected
    every = dict(zip(names, values, strict=True))
    assert _ChangesText(names, every, None)(()) == expected
    assert _ChangesText([], {}, None)(()) == "{}"


def test_import_writes_audit_changes_as_the_json_field_would(world):
    from citemploi.people.importing.service import _AuditRows
    from tests.factories import ctx_for

    rows = _AuditRows(ctx_for(world.referent_ft), {}, [])
    # SQLite stores JSON as text: the rows' own text is written (PostgreSQL keeps the field's conversion).
    assert rows.direct is (connection.vendor == "sqlite")
    assert AuditEvent._meta.get_field("changes").encoder is None
