"""Private notes are their author's only: never shown, exported or returned to anyone else."""

import json
from datetime import date

import pytest
from django.test import Client

from citemploi.people.models import Beneficiary
from citemploi.tracking import queries
from tests.api.conftest import ApiClient, make_token
from tests.conftest import _CheckedClient, login_as
from tests.factories import ctx_for, in_followup_group, member, with_sharing_consent
from tests.tracking.helpers import entry, person_of

NOTE = "Penser à rappeler avant vendredi, numéro perso 0612"
TEXT = "Entretien de suivi : CV mis à jour."


@pytest.fixture
def noted(world):
    person = person_of(world)
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    entry(world, person, text=TEXT, private_note=NOTE, occurred_on=date(2026, 1, 5))
    return person


def _pages(client, person: Beneficiary) -> dict[str, bytes]:
    urls = {
        "file": f"/personnes/{person.pk}/",
        "journal": f"/suivi/personnes/{person.pk}/journal/",
        "csv": f"/suivi/personnes/{person.pk}/journal.csv",
        "xlsx": f"/suivi/personnes/{person.pk}/journal.xlsx",
        "right_of_access": f"/personnes/{person.pk}/droit-d-acces.json",
    }
    return {name: client.get(url).content for name, url in urls.items()}


def test_note_shown_to_its_author_in_the_journal_and_file_but_never_exported(client, world, noted):
    login_as(client, world.referent_ft)
    pages = _pages(client, noted)
    assert NOTE.encode() in pages["journal"]
    assert NOTE.encode() in pages["file"] or b"note priv" in pages["file"]
    for name in ("csv", "xlsx", "right_of_access"):
        assert NOTE.encode() not in pages[name], name
    assert TEXT.encode() in pages["csv"]


@pytest.mark.parametrize(
    "persona",
    [
        "coordinator",
        "referent_ml",
        "partner_member_ft",
        "commission_member",
        "steering",
        "reviewer",
        "holder",
        "national",
        "other_coordinator",
        "other_referent",
    ],
)
def test_note_invisible_to_every_other_persona_in_screens_exports_and_api(world, noted, persona):
    membership = getattr(world, persona)
    client = _CheckedClient(Client())
    login_as(client, membership)
    for name, content in _pages(client, noted).items():
        assert NOTE.encode() not in content, (persona, name)
    api = ApiClient(Client(), make_token(membership))
    response = api.get(f"/beneficiaries/{noted.pk}/journal")
    assert NOTE not in response.content.decode()
    if persona in ("coordinator", "referent_ml"):
        assert response.status_code == 200
        [row] = response.json()["results"]
        assert row["text"] == TEXT and row["private_note"] is None
    else:
        assert response.status_code in (403, 404)


def test_colleague_of_the_same_structure_does_not_see_the_note(world, noted):
    colleague = member(world.cite, "referent", world.ft)
    rows = queries.journal_rows(
        ctx_for(colleague), list(queries.entries_for(ctx_for(colleague), noted)), True
    )
    assert [(r.entry.text, r.private_note, r.can_edit) for r in rows] == [(TEXT, "", False)]
    # The stored note is not even loaded for them.
    assert "private_note" in rows[0].entry.get_deferred_fields()


def test_api_returns_the_note_to_its_author_only(world, noted):
    api = ApiClient(Client(), make_token(world.referent_ft))
    [row] = api.get(f"/beneficiaries/{noted.pk}/journal").json()["results"]
    assert row["private_note"] == NOTE


def test_audit_rows_do_not_keep_the_note(world, noted):
    from citemploi.core.models import AuditEvent

    dumped = json.dumps([e.changes for e in AuditEvent.objects.filter(beneficiary_id=noted.pk)])
    assert "rappeler" not in dumped and "CV mis" not in dumped


def test_entries_of_a_sensitive_structure_are_masked_like_the_structure(world):
    person = person_of(world)
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    in_followup_group(person, world.spip)
    spip_referent = member(world.cite, "referent", world.spip)
    entry(world, person, membership=spip_referent, text="Rendez-vous de suivi", kind="visit")
    entry(world, person, text="Appel", kind="phone")

    def texts(m):
        return sorted(e.text for e in queries.entries_for(ctx_for(m), person))

    assert texts(world.referent_ft) == ["Appel", "Rendez-vous de suivi"]  # the responsible référent
    assert texts(spip_referent) == ["Appel", "Rendez-vous de suivi"]
    assert texts(world.referent_ml) == ["Appel"]
    assert texts(world.coordinator) == ["Appel"]
