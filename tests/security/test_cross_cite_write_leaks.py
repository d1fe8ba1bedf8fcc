"""Cross-cité leaks, for writes: every state-changing request of every persona of cité B, aimed at the
objects of cité A, is refused and changes nothing.

- Screens: every route with integer parameters (enumerated from the URL configuration, as the GET test does,
  so that a new screen is covered without touching this file) receives a POST for every identifier of the
  objects of cité A (a person with data in every domain, a call for projects with a file and a document).
  Screens take their writes by POST only (their forms), so PUT, PATCH and DELETE are not sent to them.
- API: every operation with path parameters and a write method (POST, PUT, PATCH, DELETE) from the OpenAPI
  schema, with a body built from its request schema (every required field filled with a plausible value), so
  that the request reaches the view instead of stopping at validation.

Each request answers 404 (absent and forbidden look the same), 403, 405 (no write on that route) or sends
the browser to confirm its identity / pick a role; never 5xx, and 200 only on a page that anyone sees without an
account (the public directory, an open call: the object's existence is public there), which ignores the POST. Afterwards, a snapshot of every
table but the logs (audit, sign-in attempts, rate-limit counters, sessions, tasks, API token use) is equal to
the one taken before. Cité B has two structures, like cité A; its personas hold every role of a cité.
"""

import hashlib
import json
import re
from typing import Any

from django.apps import apps
from django.test import Client

from tests.api.conftest import API, ApiClient, make_token
from tests.calls.factories import ApplicationFactory, CallFactory, attach
from tests.conftest import login_as
from tests.factories import partner_of
from tests.people.full_person import full_person
from tests.security.test_cross_cite_leaks import _fill, _ids, _int_routes, _other_cite_personas, _secrets

#: tables that record requests rather than state: they may change on a refused request
LOG_MODELS = {
    "core.auditevent",
    "accounts.signinattempt",
    "accounts.ratelimitcounter",
    "sessions.session",
    "django_tasks_db.dbtaskresult",
}
#: fields that record use rather than state
USE_FIELDS = {"core.apitoken": {"last_used_at", "last_used_ip"}, "accounts.user": {"last_login"}}
REFUSED = {403, 404, 405}
#: where a refused screen may send the browser instead (before any object is looked at)
REDIRECTS = ("/connexion/", "/contexte/")


def snapshot() -> dict[str, str]:
    """A digest of every row of every table but the logs, by model."""
    digests = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in LOG_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        skip = USE_FIELDS.get(label, set())
        names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        rows = list(model._base_manager.order_by("pk").values_list(*names))
        digests[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


_public: dict[str, bool] = {}


def is_public(url: str) -> bool:
    """Whether anyone, without an account, sees this page: the object's existence is public there."""
    if url not in _public:
        _public[url] = Client().get(url).status_code == 200
    return _public[url]


def cite_b_personas(world) -> dict[str, object]:
    """Every role of cité B. The national animation acts on every cité by design: it is not a user of cité B
    (what it may change is the subject of the policy matrix, tests/core/test_policy_matrix.py)."""
    personas = _other_cite_personas(world)
    del personas["national"]
    return personas


def cite_a_objects(world):
    full = full_person(world)
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(call=call, holder=world.asso, complete=True, filled=True)
    document = attach(app, "autre", name="annexe.pdf")
    ids = sorted(set(_ids(full)) | {call.pk, app.pk, document.pk})
    return full, ids


def _example(schema: dict, components: dict, value: int, depth: int = 0) -> Any:
    """A plausible instance of a JSON schema: required fields only, the identifier under test for integers."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components, value, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, value, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {
            name: _example(props[name], components, value, depth + 1)
            for name in schema.get("required", [])
            if name in props
        }
    if kind == "array":
        return []
    if kind == "integer":
        return value
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T10:00:00+01:00"
    if fmt == "email":
        return "personne@example.org"
    if fmt == "uri":
        return "https://example.org/"
    return "texte"


def _api_writes() -> list[tuple[str, str, Any]]:
    """(method, path, body example with {value} to fill) for every write operation with path parameters."""
    from citemploi.api.urls import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema["paths"].items():
        if "{" not in path:
            continue
        for method, operation in methods.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append((method, path, body.get("schema")))
    return sorted(operations, key=lambda o: (o[1], o[0])), components


def test_the_snapshot_sees_a_write(world):
    """Control: a write of cité A's own coordinator changes the snapshot."""
    full, _ids_ = cite_a_objects(world)
    before = snapshot()
    full.person.first_name = "Changée"
    full.person.save(update_fields=["first_name"])
    assert changed(before, snapshot()) == ["people.beneficiary"]


def test_no_screen_write_of_the_other_cite_reaches_an_object(client, world):
    _full, ids = cite_a_objects(world)
    partner_of(world.other_cite)  # cité B has two structures too
    routes = _int_routes()
    assert len(routes) > 50
    personas = cite_b_personas(world)
    before = snapshot()
    findings = []
    requested = 0
    for role, membership in personas.items():
        login_as(client, membership)
        for route, names in routes:
            for value in ids:
                url = _fill(route, names, value)
                response = client.post(url, {"id": value, "pk": value, "confirm": "1"})
                requested += 1
                status = response.status_code
                if status in REFUSED:
                    continue
                if status in (301, 302) and response["Location"].startswith(REDIRECTS):
                    continue
                if status == 200 and is_public(url):
                    continue  # a public page (directory, open call) ignoring the POST: checked by the snapshot
                findings.append((role, url, status))
    assert findings == [], findings
    assert changed(before, snapshot()) == []
    assert requested == len(personas) * len(routes) * len(ids) and len(personas) == 7


def test_no_api_write_of_the_other_cite_reaches_an_object(world):
    full, ids = cite_a_objects(world)
    secrets = _secrets(full)
    partner_of(world.other_cite)
    operations, components = _api_writes()
    assert len(operations) > 10
    clients = {role: ApiClient(Client(), make_token(m)) for role, m in cite_b_personas(world).items()}
    before = snapshot()
    findings = []
    for role, api in clients.items():
        for method, path, body_schema in operations:
            for value in ids:
                url = re.sub(r"{(\w+)}", str(value), path).removeprefix(API)
                body = _example(body_schema, components, value) if body_schema else None
                response = api.send(method.upper(), url, body)
                status = response.status_code
                if status in REFUSED or status == 401:
                    continue
                if any(s in response.content for s in secrets):
                    findings.append((role, method, url, status, "shows the person"))
                else:
                    findings.append((role, method, url, status, response.content[:200]))
    assert findings == [], json.dumps([f[:4] for f in findings], indent=0)[:5000]
    assert changed(before, snapshot()) == []
