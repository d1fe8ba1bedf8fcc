import time

from citemploi.accounts import security
from citemploi.core.models import AuditEvent
from tests.accounts.helpers import PASSWORD, code_for, fresh_code
from tests.conftest import login_as

EXPORT = "/personnes/export.csv"


def _stale(client, seconds):
    session = client.session
    session[security.AUTHENTICATED_AT] = int(time.time()) - seconds
    session.save()


def test_the_export_asks_the_password_again_after_ten_minutes(client, world, settings):
    login_as(client, world.referent_ft)
    assert client.get(EXPORT).status_code == 200
    _stale(client, settings.REAUTH_MAX_AGE + 1)
    response = client.get(EXPORT + "?q=x")
    assert response["Location"] == "/connexion/confirmer/?next=%2Fpersonnes%2Fexport.csv%3Fq%3Dx"
    page = client.get(response["Location"]).content.decode()
    assert "Confirmer votre identité" in page and "id_code" not in page
    wrong = client.post("/connexion/confirmer/", {"password": "faux", "next": EXPORT})
    assert "Mot de passe incorrect." in wrong.content.decode()
    ok = client.post("/connexion/confirmer/", {"password": PASSWORD, "next": EXPORT})
    assert ok["Location"] == EXPORT
    assert client.get(EXPORT).status_code == 200
    assert AuditEvent.objects.filter(code="auth.reauthenticated", actor=world.referent_ft.user).exists()
    assert AuditEvent.objects.filter(code="auth.reauth_failed", actor=world.referent_ft.user).exists()


def test_a_user_with_an_authenticator_gives_the_code_too(client, world, settings):
    user = world.coordinator.user
    login_as(client, world.coordinator)
    client.get("/connexion/double-authentification/activer/")
    secret = client.session[security.PENDING_SECRET]
    security.enrol(user, secret, code_for(secret))
    _stale(client, settings.REAUTH_MAX_AGE + 1)
    page = client.get("/connexion/confirmer/?next=/").content.decode()
    assert 'id="id_code"' in page
    no_code = client.post("/connexion/confirmer/", {"password": PASSWORD, "code": "000000", "next": "/"})
    assert "Mot de passe ou code incorrect." in no_code.content.decode()
    ok = client.post("/connexion/confirmer/", {"password": PASSWORD, "code": fresh_code(user), "next": "/"})
    assert ok["Location"] == "/"


def test_the_decorator_takes_a_stricter_delay(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from citemploi.www.auth.reauth import reauth_required
    from tests.factories import UserFactory

    view = reauth_required(max_age=60)(lambda request: HttpResponse("ok"))
    request = rf.get("/effacer/")
    request.user = UserFactory()
    request.session = SessionStore()
    request.session[security.AUTHENTICATED_AT] = int(time.time()) - 120
    assert view(request).status_code == 302
    request.session[security.AUTHENTICATED_AT] = int(time.time()) - 30
    assert view(request).status_code == 200
    request.user = AnonymousUser()
    assert view(request).content == b"ok"
