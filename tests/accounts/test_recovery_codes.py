"""The account's security page: remaining recovery codes, new codes after re-authentication, no self-removal
of a required second factor."""

import re
import time

import pytest
from django.utils import timezone

from citemploi.accounts import security
from citemploi.accounts.models import RecoveryCode, TwoFactorDevice
from citemploi.core.models import AuditEvent
from tests.accounts.helpers import PASSWORD, fresh_code
from tests.conftest import login_as, mark_fully_signed_in
from tests.factories import CiteFactory, member

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PAGE = "/compte/securite/"
REGENERATE = "/compte/securite/codes-de-secours/"
DISABLE = "/compte/securite/desactiver/"


def _with_device(membership, *, codes_used: int = 0) -> list[str]:
    user = membership.user
    user.set_password(PASSWORD)
    user.save()
    TwoFactorDevice.objects.create(user=user, secret=SECRET, confirmed_at=timezone.now())
    codes = security.replace_recovery_codes(user)
    for code in codes[:codes_used]:
        assert security.verify(user, code) == "recovery"
    return codes


def _signed_in(client, membership, *, reauthenticated: bool):
    login_as(client, membership)
    mark_fully_signed_in(client)
    if not reauthenticated:
        session = client.session
        session[security.AUTHENTICATED_AT] = int(time.time()) - 3600
        session.save()
    return client


@pytest.fixture
def coordinator(db):
    return member(CiteFactory(), "coordinator")


def test_the_page_shows_how_many_codes_are_left(client, coordinator):
    _with_device(coordinator, codes_used=8)
    body = _signed_in(client, coordinator, reauthenticated=False).get(PAGE).content.decode()
    assert "Il vous reste <strong>2 codes de secours</strong> sur 10" in body
    assert "peu de codes de secours" in body
    assert DISABLE not in body  # a coordinator cannot switch it off


def test_new_codes_need_the_identity_confirmed_then_replace_the_old_ones(client, coordinator):
    old = _with_device(coordinator, codes_used=3)
    user = coordinator.user
    _signed_in(client, coordinator, reauthenticated=False)
    # Without a recent confirmation: sent to the confirmation page, nothing changed.
    response = client.post(REGENERATE)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/confirmer/")
    assert security.remaining_recovery_codes(user) == 7
    confirm = client.post(
        "/connexion/confirmer/", {"password": PASSWORD, "code": fresh_code(user), "next": REGENERATE}
    )
    assert confirm["Location"] == REGENERATE
    assert (
        "Vos codes actuels, utilisés ou non, ne fonctionneront plus"
        in client.get(REGENERATE).content.decode()
    )
    shown = client.post(REGENERATE)
    assert shown["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert security.remaining_recovery_codes(user) == 10
    # Old codes (even unused) are refused, new ones work once.
    assert security.verify(user, old[5]) is None
    assert security.verify(user, codes[0]) == "recovery"
    assert security.verify(user, codes[0]) is None
    event = AuditEvent.objects.get(code="auth.2fa_recovery_codes_regenerated")
    assert event.actor == user and event.changes == {"remaining": [7, 10]}
    # Shown once: the page now only counts them.
    assert codes[1] not in client.get(PAGE).content.decode()


def test_a_user_whose_role_requires_it_cannot_switch_it_off(client, coordinator):
    _with_device(coordinator)
    _signed_in(client, coordinator, reauthenticated=True)
    refused = client.post(DISABLE)
    assert refused.status_code == 403 and "vous ne pouvez pas la désactiver" in refused.content.decode()
    assert TwoFactorDevice.objects.filter(user=coordinator.user).exists()
    assert RecoveryCode.objects.filter(user=coordinator.user).count() == 10
    with pytest.raises(security.SecondFactorRequired):
        security.disable_own_second_factor(coordinator.user)
    assert not AuditEvent.objects.filter(code="auth.2fa_disabled").exists()


def test_a_user_without_such_a_role_may_switch_it_off_after_confirming(client, db):
    referent = member(CiteFactory(), "referent")
    _with_device(referent)
    _signed_in(client, referent, reauthenticated=False)
    assert client.post(DISABLE)["Location"].startswith("/connexion/confirmer/")
    assert TwoFactorDevice.objects.filter(user=referent.user).exists()
    session = client.session
    session[security.AUTHENTICATED_AT] = int(time.time())
    session.save()
    assert "Désactiver" in client.get(DISABLE).content.decode()
    assert client.post(DISABLE)["Location"] == PAGE
    assert not TwoFactorDevice.objects.filter(user=referent.user).exists()
    assert not RecoveryCode.objects.filter(user=referent.user).exists()
    assert AuditEvent.objects.filter(code="auth.2fa_disabled", actor=referent.user).count() == 1
    assert "pas activée" in client.get(PAGE).content.decode()


def test_no_codes_without_an_authenticator(client, db):
    referent = member(CiteFactory(), "referent")
    _signed_in(client, referent, reauthenticated=True)
    assert client.post(REGENERATE)["Location"] == PAGE
    assert not RecoveryCode.objects.exists()
