import re

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citemploi.accounts import security
from citemploi.accounts.models import RecoveryCode, TwoFactorDevice
from citemploi.core.models import AuditEvent
from tests.accounts.helpers import code_for, fresh_code, post_password
from tests.factories import UserFactory, member


@pytest.fixture
def coordinator(db):
    from tests.factories import CiteFactory

    return member(CiteFactory(), "coordinator").user


def _enrol(client, user):
    """Sign in with the password and enrol; returns the secret and the recovery codes shown."""
    response = post_password(client, user.email)
    assert response["Location"].startswith("/connexion/double-authentification/activer/")
    page = client.get(response["Location"]).content.decode()
    secret = re.search(r'data-secret="([A-Z2-7 ]+)"', page).group(1).replace(" ", "")
    done = client.post("/connexion/double-authentification/activer/", {"code": code_for(secret), "next": "/"})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())
    return secret, codes


def test_who_must_use_a_second_factor(db):
    from tests.factories import CiteFactory

    cite = CiteFactory()
    assert security.requires_second_factor(member(cite, "coordinator").user)
    assert security.requires_second_factor(member(None, "national").user)
    assert security.requires_second_factor(UserFactory(is_superuser=True))
    assert not security.requires_second_factor(member(cite, "referent").user)
    inactive = member(cite, "coordinator")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    assert not security.requires_second_factor(inactive.user)


def test_a_referent_signs_in_with_the_password_only(client, db):
    from tests.factories import CiteFactory

    user = member(CiteFactory(), "referent").user
    assert post_password(client, user.email)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_referent_made_coordinator_during_the_session_must_give_the_second_factor(client, db):
    from tests.factories import CiteFactory

    referent = member(CiteFactory(), "referent")
    assert post_password(client, referent.user.email)["Location"] == "/"
    assert client.get("/").status_code == 200
    member(referent.cite, "coordinator", user=referent.user)
    response = client.get("/personnes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/double-authentification/activer/?next=")


def test_the_second_factor_check_and_the_acting_context_read_the_memberships_once(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CiteFactory

    referent = member(CiteFactory(), "referent")
    post_password(client, referent.user.email)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/personnes/").status_code == 200
    reads = [q["sql"] for q in queries if 'FROM "partners_membership"' in q["sql"]]
    assert len(reads) == 1, reads


def test_enrolment_at_first_sign_in_shows_a_qr_code_and_the_secret(client, coordinator):
    response = post_password(client, coordinator.email)
    page = client.get(response["Location"]).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert (
        svg.startswith('<svg role="img" aria-label="QR code') and "<script" not in svg and "style=" not in svg
    )
    assert re.search(r'data-secret="([A-Z2-7 ]{16,})"', page)


def test_nothing_else_is_reachable_before_the_second_factor(client, coordinator):
    post_password(client, coordinator.email)
    for path in ("/", "/personnes/", "/contexte/", "/connexion/confirmer/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/connexion/double-authentification/activer/?next=")


def test_enrolment_with_a_valid_code_gives_ten_recovery_codes_stored_hashed(client, coordinator):
    secret, codes = _enrol(client, coordinator)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TwoFactorDevice.objects.get(user=coordinator)
    assert device.secret == secret
    stored = set(RecoveryCode.objects.filter(user=coordinator).values_list("code_hash", flat=True))
    assert not stored & set(codes) and len(stored) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(code="auth.2fa_enrolled", actor=coordinator).exists()


def test_enrolment_refuses_a_wrong_code(client, coordinator):
    post_password(client, coordinator.email)
    client.get("/connexion/double-authentification/activer/")
    response = client.post("/connexion/double-authentification/activer/", {"code": "000000"})
    assert "Ce code n&#x27;est pas valable" in response.content.decode()
    assert 'aria-describedby="id_code-messages"' in response.content.decode()
    assert not TwoFactorDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(code="auth.2fa_failed", actor=coordinator).exists()


def test_next_sign_in_asks_the_code_and_accepts_it_once(client, coordinator):
    _enrol(client, coordinator)
    client.logout()
    response = post_password(client, coordinator.email, next_url="/personnes/")
    assert response["Location"] == "/connexion/double-authentification/?next=%2Fpersonnes%2F"
    assert client.get("/").status_code == 302
    code = fresh_code(coordinator)
    ok = client.post("/connexion/double-authentification/", {"code": code, "next": "/personnes/"})
    assert ok["Location"] == "/personnes/"
    assert AuditEvent.objects.filter(code="auth.2fa_succeeded", actor=coordinator).exists()
    # the same code cannot be replayed in another session
    client.logout()
    post_password(client, coordinator.email)
    replay = client.post("/connexion/double-authentification/", {"code": code})
    assert replay.status_code == 200 and "déjà servi" in replay.content.decode()


def test_codes_of_the_neighbouring_steps_are_accepted_but_not_further(coordinator):
    secret = pyotp.random_base32()
    assert security.matching_step(secret, code_for(secret, -1), after=None) is not None
    assert security.matching_step(secret, code_for(secret, +1), after=None) is not None
    assert security.matching_step(secret, code_for(secret, -3), after=None) is None
    assert security.matching_step(secret, code_for(secret, +3), after=None) is None


def test_a_recovery_code_works_once(client, coordinator):
    _secret, codes = _enrol(client, coordinator)
    client.logout()
    post_password(client, coordinator.email)
    ok = client.post("/connexion/double-authentification/", {"code": codes[0].upper()}, follow=True)
    assert "il vous en reste 9" in ok.content.decode()
    assert AuditEvent.objects.filter(code="auth.2fa_recovery_code_used", actor=coordinator).exists()
    client.logout()
    post_password(client, coordinator.email)
    again = client.post("/connexion/double-authentification/", {"code": codes[0]})
    assert again.status_code == 200


def test_wrong_codes_lock_the_account_and_sign_out(client, coordinator, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    _enrol(client, coordinator)
    client.logout()
    post_password(client, coordinator.email)
    for _ in range(2):
        assert client.post("/connexion/double-authentification/", {"code": "123456"}).status_code == 200
    locked = client.post("/connexion/double-authentification/", {"code": "123456"})
    assert locked["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session


def test_an_enrolled_user_cannot_replace_the_authenticator_with_the_password_only(client, coordinator):
    secret, _codes = _enrol(client, coordinator)
    client.logout()
    post_password(client, coordinator.email)
    response = client.get("/connexion/double-authentification/activer/")
    assert response["Location"].startswith("/connexion/double-authentification/?")
    assert TwoFactorDevice.objects.get(user=coordinator).secret == secret


def test_reset_2fa_command(client, coordinator, capsys):
    _enrol(client, coordinator)
    call_command("reset_2fa", coordinator.email.upper())
    assert "réinitialisée" in capsys.readouterr().out
    assert not TwoFactorDevice.objects.filter(user=coordinator).exists()
    assert not RecoveryCode.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(code="auth.2fa_reset", via="cli").exists()
    client.logout()
    assert post_password(client, coordinator.email)["Location"].startswith(
        "/connexion/double-authentification/activer/"
    )
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("reset_2fa", "personne@example.org")


def test_the_api_does_not_ask_the_second_factor(client, coordinator):
    post_password(client, coordinator.email)
    assert client.get("/api/v1/openapi.json").status_code != 302
