"""The permission matrix, generated from the policy table and the URL configuration.

Every screen that carries a policy action is requested by every persona: allowed roles get the page,
others get 403 or 404. Every screen without an action must be in PUBLIC_OR_CONTEXT (reviewed by hand).
"""

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


def test_every_screen_declares_a_policy_action_or_is_reviewed_public():
    missing = [
        name
        for name, pattern in screens()
        if not hasattr(pattern.callback, "required_action") and name not in PUBLIC_OR_CONTEXT
    ]
    assert missing == [], f"screens without a policy action: {missing}"


def test_every_declared_action_exists_in_the_policy():
    for name, pattern in screens():
        action = getattr(pattern.callback, "required_action", None)
        if action:
            assert action in POLICY, (name, action)


def _kwargs(name, pattern, world, person):
    keys = set(pattern.pattern.converters)
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
        kw["membership_pk"] = world.referent_ft.pk
    return kw


PROTECTED = [(n, p) for n, p in screens() if hasattr(p.callback, "required_action")]


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("name", [n for n, _ in PROTECTED])
def test_matrix(client, world, role, name):
    from tests.factories import in_followup_group

    pattern = dict(PROTECTED)[name]
    action = pattern.callback.required_action
    membership = world.personas()[role]
    # The person is followed by the persona référent's structure (France Travail) with that référent,
    # so that any non-empty scope of the policy reaches them.
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    with_sharing_consent(person)
    in_followup_group(person, world.ml)
    url = reverse(name, kwargs=_kwargs(name, pattern, world, person))
    login_as(client, membership)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    allowed = is_allowed(role, action)
    if allowed:
        assert response.status_code in (200, 302), (role, name, response.status_code)
        if response.status_code == 302:
            assert "/connexion/" not in response["Location"] and "/contexte/" not in response["Location"]
    else:
        assert response.status_code in (403, 404), (role, name, response.status_code)
