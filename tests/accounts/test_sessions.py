import time

from citemploi.accounts import security
from tests.accounts.helpers import post_password
from tests.factories import UserFactory


def _age(client, key, seconds):
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_with_a_french_message(client, db, settings):
    user = UserFactory()
    post_password(client, user.email)
    _age(client, security.LAST_SEEN, settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/contexte/")
    assert response["Location"] == "/connexion/?next=%2Fcontexte%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Votre session a expiré après 30 minutes sans activité" in page


def test_activity_keeps_the_session_alive(client, db, settings):
    user = UserFactory()
    post_password(client, user.email)
    _age(client, security.LAST_SEEN, settings.SESSION_IDLE_TIMEOUT - 120)
    assert client.get("/contexte/").status_code == 200
    assert time.time() - client.session[security.LAST_SEEN] < 5


def test_a_session_ends_after_its_absolute_lifetime_even_if_used(client, db, settings):
    user = UserFactory()
    post_password(client, user.email)
    _age(client, security.SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 5)
    response = client.get("/contexte/", follow=True)
    assert "elle dure au plus 8 h" in response.content.decode()


def test_htmx_requests_are_told_where_to_go(client, db, settings):
    user = UserFactory()
    post_password(client, user.email)
    _age(client, security.LAST_SEEN, settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/contexte/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/connexion/")
