"""Shared fixtures: a small cité with one persona per role.

Guard-rails (architecture.md §9): unknown template variables fail (CITEMPLOI_TESTING makes them
render as INVALID_TEMPLATE_VARIABLE, which `client` responses are checked for), warnings are errors
(pyproject), and the number of SQL queries of key pages is pinned in their tests.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("CITEMPLOI_TESTING", "true")

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = SHARED / "data"


def shared_file(*parts: str) -> Path:
    """A reference file of ../shared/data; the test is skipped when ../shared is absent (fresh clone)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"../shared absent: {path} not found (reference data only available to developers and CI)"
        )
    return path


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """Two cités; in cité A: France Travail, Mission locale, an association and a SPIP (sensitive)."""

    cite: object
    other_cite: object
    qpv: object
    ft: object
    ml: object
    asso: object
    spip: object
    other_structure: object
    coordinator: object
    referent_ft: object
    referent_ml: object
    partner_member_ft: object
    commission_member: object
    steering: object
    reviewer: object
    holder: object
    national: object
    other_coordinator: object
    other_referent: object

    def personas(self) -> dict:
        return {
            "coordinator": self.coordinator,
            "referent": self.referent_ft,
            "partner_member": self.partner_member_ft,
            "commission_member": self.commission_member,
            "steering": self.steering,
            "reviewer": self.reviewer,
            "holder": self.holder,
            "national": self.national,
        }


@pytest.fixture
def world(db):
    from tests.factories import CiteFactory, QPVFactory, member, partner_of

    cite = CiteFactory(slug="amiens", name="Amiens Métropole", with_qpv=False)
    qpv = QPVFactory(code="QN08003M", name="Amiens Nord")
    cite.qpvs.add(qpv)
    other = CiteFactory(slug="le-mans", name="Le Mans Métropole")
    ft = partner_of(cite, france_travail=True)
    ml = partner_of(cite, mission_locale=True)
    asso = partner_of(cite)
    spip = partner_of(cite, spip=True)
    other_structure = partner_of(other, france_travail=True)
    return World(
        cite=cite,
        other_cite=other,
        qpv=qpv,
        ft=ft,
        ml=ml,
        asso=asso,
        spip=spip,
        other_structure=other_structure,
        coordinator=member(cite, "coordinator"),
        referent_ft=member(cite, "referent", ft),
        referent_ml=member(cite, "referent", ml),
        partner_member_ft=member(cite, "partner_member", ft),
        commission_member=member(cite, "commission_member", asso),
        steering=member(cite, "steering"),
        reviewer=member(cite, "reviewer"),
        holder=member(cite, "holder", asso),
        national=member(None, "national"),
        other_coordinator=member(other, "coordinator"),
        other_referent=member(other, "referent", other_structure),
    )


def mark_fully_signed_in(client):
    """Mark the client's session as signed in just now, second factor included (as after the real sign-in)."""
    import time

    from citemploi.accounts import security

    session = client.session
    now = int(time.time())
    for key in (security.SIGNED_IN_AT, security.LAST_SEEN, security.AUTHENTICATED_AT):
        session[key] = now
    session[security.SECOND_FACTOR_DONE] = True
    session.save()


@pytest.fixture(autouse=True)
def _force_login_is_a_complete_sign_in(monkeypatch):
    """`client.force_login(user)` stands for the whole sign-in, second factor included (tests/accounts test
    the real steps)."""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        mark_fully_signed_in(self)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


def login_as(client, membership):
    """Sign the client in (second factor included) and pick the membership as acting context."""
    from citemploi.core.middleware import SESSION_KEY

    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


@pytest.fixture
def login(client):
    def _login(membership):
        return login_as(client, membership)

    return _login


class _CheckedClient:
    """Wraps the test client: an HTML page containing an unknown template variable fails the test."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def _check(self, response):
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not getattr(response, "streaming", False):
            assert b"INVALID_TEMPLATE_VARIABLE" not in response.content, response.content.decode()[:2000]
        return response

    def get(self, *args, **kwargs):
        return self._check(self._client.get(*args, **kwargs))

    def post(self, *args, **kwargs):
        return self._check(self._client.post(*args, **kwargs))


@pytest.fixture
def client(client):
    return _CheckedClient(client)
