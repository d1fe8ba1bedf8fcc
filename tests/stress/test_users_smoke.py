"""The simulated users of `make stress` (stress/users.py) against a live server on the test database: every
kind of write they make is accepted (no error) and found afterwards by the check of stress/django_side.py.

A quick smoke version of the load (one user of each side, one write of each kind, no concurrency): it
fails when an API or a form the harness drives changes under it, or when the check reads the wrong field."""

import json
from collections import Counter

from django.test import Client

from citemploi.api import tokens
from citemploi.calls.models import Application
from citemploi.core.middleware import SESSION_KEY
from stress import django_side
from stress.harness import WRITE_KINDS, Ack, budget_key, missing_writes
from stress.users import Load, User, api_client
from tests.calls.factories import CallFactory
from tests.factories import BeneficiaryFactory, ctx_for
from tests.offer.factories import ServiceFactory


def _user(load, live_server, membership, info, seed):
    """A simulated user acting with `membership`: its API token, and a web session signed in (second
    factor included) with that membership chosen, like after stress.users.sign_in."""
    import requests

    account = {
        "email": membership.user.email,
        "role": membership.role,
        "membership": membership.pk,
        "structure": membership.structure_id,
        "totp": None,
        "token": tokens.create_token(ctx=ctx_for(membership), name="smoke").raw,
    }
    user = User(load, live_server.url, account, info, seed)
    user.api = api_client(account)
    browser = Client()
    browser.force_login(membership.user)
    session = browser.session
    session[SESSION_KEY] = membership.pk
    session.save()
    user.web = requests.Session()
    user.web.cookies.set("sessionid", browser.cookies["sessionid"].value)
    return user


def _found(load, tmp_path):
    path = tmp_path / "acks.json"
    path.write_text(json.dumps([a.__dict__ for a in load.acks]), encoding="utf-8")
    found = django_side.found(str(path))
    assert set(found) == set(WRITE_KINDS)
    return {kind: {int(k): v for k, v in values.items()} for kind, values in found.items()}


def test_every_write_of_the_mix_is_accepted_and_found(live_server, world, tmp_path):
    service = ServiceFactory(structure=world.ml)
    call = CallFactory(cite=world.cite)
    info = {"services": [{"id": service.pk, "structure": world.ml.pk}], "call": call.pk}
    load = Load()
    sender = _user(load, live_server, world.referent_ft, info, 1)
    receiver = _user(load, live_server, world.referent_ml, info, 2)
    holder = _user(load, live_server, world.holder, info, 3)

    sender.create_person()
    person = sender.people[0]
    sender.record_consent(person)
    sender.write_journal(person)
    sender.add_barrier(person)
    sender.move_barrier()
    sender.move_barrier()
    sender.send_orientation(person)
    receiver.accept_orientation(load.take_orientation(world.ml.pk))
    sender.record_outcome(person)
    holder.create_application()
    holder.save_budget()
    holder.save_budget()

    assert load.error_samples == []
    assert load.errors == []
    assert Counter(a.kind for a in load.acks) == {
        "person": 1,
        "consent": 1,
        "journal": 1,
        "barrier": 1,
        "barrier_state": 3,  # identified, then two moves
        "outcome": 1,
        "orientation": 1,
        "orientation_status": 2,  # sent, then accepted
        "application": 1,
        "budget": 2,
    }
    assert sender.people == [] and sender.exited == [person]
    found = _found(load, tmp_path)
    assert missing_writes(load.acks, found) == []
    barrier = next(a.object_id for a in load.acks if a.kind == "barrier")
    assert found["barrier_state"][barrier] == "persisting"  # identified → action_engaged → persisting
    orientation = next(a.object_id for a in load.acks if a.kind == "orientation")
    assert found["orientation_status"][orientation] == "accepted"
    app = Application.objects.get(pk=holder.application)
    last_budget = [a for a in load.acks if a.kind == "budget"][-1]
    assert budget_key((e.line, e.amount) for e in app.budget.all()) == last_budget.name

    # the check fails on a value the database does not hold, or on an id it does not have
    journal = next(a for a in load.acks if a.kind == "journal")
    wrong = [Ack("journal", journal.object_id, "Autre texte"), Ack("person", 10**9, "Charge-absente")]
    assert missing_writes([*load.acks, *wrong], found) == wrong


def test_the_check_reads_people_absent_from_the_database_as_missing(world, tmp_path):
    person = BeneficiaryFactory(cite=world.cite, last_name="Martin")
    path = tmp_path / "acks.json"
    acks = [Ack("person", person.pk, "Martin"), Ack("journal", 10**9, "Entrée perdue")]
    path.write_text(json.dumps([a.__dict__ for a in acks]), encoding="utf-8")
    found = django_side.found(str(path))
    assert found["person"] == {str(person.pk): "Martin"}
    assert found["journal"] == {}
    assert missing_writes(acks, {k: {int(i): v for i, v in d.items()} for k, d in found.items()}) == [acks[1]]
