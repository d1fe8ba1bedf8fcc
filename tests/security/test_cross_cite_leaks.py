"""Cross-cité leaks: a person of one cité with data in every domain is requested by every persona of the
other cité on every screen and every API operation with path parameters, each integer parameter being every
identifier of that person's objects in turn. Nobody gets a 5xx, nor a page or answer holding the person's
names or free texts.

The `world` fixture's personas live in cité A; the objects are built in cité A with its helpers and the
personas of cité B are made with the same roles: the situation is the mirror of "objects in B, users of A".
"""

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from citemploi.core.policy import Role
from tests.api.conftest import API, ApiClient, make_token
from tests.conftest import login_as
from tests.factories import member
from tests.people.full_person import (
    BARRIER_COMMENT,
    COHORT_REASON,
    JOURNAL_TEXT,
    ORIENTATION_MESSAGE,
    full_person,
)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "api":
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _int_routes():
    """Every screen route with integer parameters, as (route, parameter names)."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        if not converters:
            continue
        names = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if any(kind not in ("int", "str", "") for kind, _ in names):
            continue
        if all(kind == "int" or name in ("fmt",) for kind, name in names) and any(
            kind == "int" for kind, _ in names
        ):
            routes.append((route, names))
    return routes


def _fill(route: str, names: list[tuple[str, str]], value: int) -> str:
    url = route
    for kind, name in names:
        token = f"<{kind}:{name}>" if kind else f"<{name}>"
        url = url.replace(token, str(value) if kind == "int" else "json")
    return "/" + url.lstrip("^").rstrip("$")


def _secrets(full) -> list[bytes]:
    person = full.person
    texts = [
        person.first_name,
        person.last_name,
        JOURNAL_TEXT,
        ORIENTATION_MESSAGE,
        BARRIER_COMMENT,
        COHORT_REASON,
    ]
    return [t.encode() for t in texts]


def _ids(full) -> list[int]:
    objects = [
        full.person,
        full.entry,
        full.outcome,
        full.barrier,
        full.objective,
        full.action,
        full.orientation,
        full.member,
        full.member.cohort,
        full.event,
        full.participation,
    ]
    return sorted({o.pk for o in objects})


def _other_cite_personas(world) -> dict[str, object]:
    other = world.other_cite
    return {
        "coordinator": world.other_coordinator,
        "referent": world.other_referent,
        "partner_member": member(other, "partner_member", world.other_structure),
        "commission_member": member(other, "commission_member", world.other_structure),
        "steering": member(other, "steering"),
        "reviewer": member(other, "reviewer"),
        "holder": member(other, "holder", world.other_structure),
        "national": world.national,
    }


def test_no_screen_of_the_other_cite_shows_the_person(client, world):
    full = full_person(world)
    secrets = _secrets(full)
    ids = _ids(full)
    routes = _int_routes()
    assert len(routes) > 50
    # Control: the person's own cité sees them on their file, so the check below can catch a leak.
    login_as(client, world.coordinator)
    detail = next((r, n) for r, n in routes if r == "personnes/<int:pk>/")
    own = client.get(_fill(*detail, full.person.pk))
    assert own.status_code == 200 and secrets[1] in own.content
    requested = 0
    leaks = []
    for role, membership in _other_cite_personas(world).items():
        login_as(client, membership)
        for route, names in routes:
            for value in ids:
                url = _fill(route, names, value)
                response = client.get(url)
                requested += 1
                status = response.status_code
                body = b"" if getattr(response, "streaming", False) else response.content
                if status >= 500:
                    leaks.append((role, url, status))
                elif status == 200 and any(s in body for s in secrets):
                    leaks.append((role, url, "shows the person"))
    assert leaks == []
    assert requested == len(routes) * len(ids) * 8


def _api_paths():
    from citemploi.api.urls import api

    schema = api.get_openapi_schema()
    return sorted(path for path, methods in schema["paths"].items() if "{" in path and "get" in methods)


def test_no_api_operation_answers_the_other_cite_with_the_person(world):
    full = full_person(world)
    secrets = _secrets(full)
    ids = _ids(full)
    paths = _api_paths()
    assert paths
    leaks = []
    for role, membership in _other_cite_personas(world).items():
        api = ApiClient(Client(), make_token(membership))
        for path in paths:
            for value in ids:
                url = re.sub(r"{(\w+)}", str(value), path).removeprefix(API)
                response = api.get(url)
                status = response.status_code
                if status >= 500:
                    leaks.append((role, url, status))
                elif status == 200:
                    if any(s in response.content for s in secrets):
                        leaks.append((role, url, "shows the person"))
                elif status not in (400, 401, 403, 404, 405, 422):
                    leaks.append((role, url, status))
    assert leaks == []


def test_the_personas_cover_every_role_seeing_people(world):
    assert {r.value for r in Role} == set(_other_cite_personas(world))
