"""The permission matrix, generated from the policy table and the URL configuration.

Every screen that carries a policy action is requested by every persona: allowed roles get the page,
others get 403 or 404. Every screen without an action must be public (`login_not_required`, for the
public directory and calls) or in PUBLIC_OR_CONTEXT (reviewed by hand).

Domains provide the objects their URLs need through `tests/<domain>/matrix_objects.py`, a module with
`def url_kwargs(name: str, keys: set[str], world, person) -> dict | None` returning the URL keyword
arguments of screen `name` (objects in reach of every persona whose role the policy allows), or None
when the screen is not theirs.
"""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from citemploi.core.policy import POLICY, Role, is_allowed
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, with_sharing_consent

#: screens that need no policy action: public pages, sign-in, the context chooser, the home page.
PUBLIC_OR_CONTEXT = {
    "home",
    "privacy",
    "accessibility",
    "login",
    "logout",
    "choose_context",
    "two_factor_enrol",
    "two_factor_verify",
    "reauthenticate",
    # the signed-in user's own account (recovery codes, their own optional second factor): no one else's data
    "account_security",
    "recovery_codes_regenerate",
    "two_factor_disable",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "readyz",
    "apitokens:list",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            if p.namespace == "api":
                continue  # the API has its own matrix
            yield from _walk(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def screens():
    return sorted(dict(_walk(get_resolver().url_patterns)).items())


def _is_public(callback) -> bool:
    return getattr(callback, "login_required", True) is False


def test_every_screen_declares_a_policy_action_or_is_reviewed_public():
    missing = [
        name
        for name, pattern in screens()
        if not hasattr(pattern.callback, "required_action")
        and name not in PUBLIC_OR_CONTEXT
        and not _is_public(pattern.callback)
    ]
    assert missing == [], f"screens without a policy action: {missing}"


def test_every_declared_action_exists_in_the_policy():
    for name, pattern in screens():
        action = getattr(pattern.callback, "required_action", None)
        if action:
            assert action in POLICY, (name, action)


def _providers():
    tests_dir = Path(__file__).resolve().parents[1]
    found = []
    for info in pkgutil.iter_modules([str(tests_dir)]):
        if info.ispkg and (tests_dir / info.name / "matrix_objects.py").exists():
            found.append(importlib.import_module(f"tests.{info.name}.matrix_objects"))
    return found


def _kwargs(name, pattern, world, person):
    keys = set(pattern.pattern.converters)
    for provider in _providers():
        provided = provider.url_kwargs(name, keys, world, person)
        if provided is not None:
            return provided
    kw = {}
    if "pk" in keys:
        kw["pk"] = person.pk if name.startswith("people:") else world.ft.pk
    if "code" in keys:
        kw["code"] = world.qpv.code
    if "fmt" in keys:
        kw["fmt"] = "xlsx" if name in ("people:export",) else "json"
    if "consent_pk" in keys:
        kw["consent_pk"] = person.consents.first().pk
    if "member_pk" in keys:
        kw["member_pk"] = person.followup_members.first().pk
    if "membership_pk" in keys:
        from tests.factories import member

        kw["membership_pk"] = member(world.cite, "partner_member", world.ft).pk
    return kw


PROTECTED = [(n, p) for n, p in screens() if hasattr(p.callback, "required_action")]


@pytest.mark.parametrize("name", [n for n, _ in PROTECTED])
def test_matrix(client, world, name):
    """One screen, every role: the objects are built once, then each persona requests the screen."""
    from tests.factories import in_followup_group

    pattern = dict(PROTECTED)[name]
    action = pattern.callback.required_action

    def fresh_url():
        # The person is followed by the persona référent's structure (France Travail) with that référent,
        # so that any non-empty scope of the policy reaches them. Fresh objects for each role, because a
        # POST of an allowed role may end or delete what it was given.
        person = BeneficiaryFactory(
            cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
        )
        with_sharing_consent(person)
        in_followup_group(person, world.ml)
        return reverse(name, kwargs=_kwargs(name, pattern, world, person))

    wrong = []
    roles = [r.value for r in Role]
    for role in roles:
        membership = world.personas()[role]
        login_as(client, membership)
        url = fresh_url()
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        status = response.status_code
        if is_allowed(role, action):
            location = response.get("Location", "")
            if status not in (200, 302) or "/connexion/" in location or "/contexte/" in location:
                wrong.append((role, "allowed", status, location))
        elif status not in (403, 404):
            wrong.append((role, "denied", status))
    assert wrong == [], f"{name} ({action}): {wrong}"
