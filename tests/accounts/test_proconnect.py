import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from citemploi.accounts import proconnect
from citemploi.core.models import AuditEvent
from tests.accounts import fake_oidc
from tests.accounts.helpers import fresh_code
from tests.factories import CiteFactory, UserFactory, member

CALLBACK = "/connexion/proconnect/retour/"


@pytest.fixture
def provider(settings, monkeypatch):
    settings.PROCONNECT_ISSUER = fake_oidc.ISSUER
    settings.PROCONNECT_CLIENT_ID = fake_oidc.CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = fake_oidc.CLIENT_SECRET
    fake = fake_oidc.FakeProvider()
    session = requests.Session()
    session.mount("https://proconnect.test/", fake)
    monkeypatch.setattr(proconnect, "HTTP", session)
    proconnect.clear_cache()
    yield fake
    proconnect.clear_cache()


def _sign_in(client, provider, email, next_url="/", **claims):
    start = client.get(f"/connexion/proconnect/?next={next_url}")
    assert start.status_code == 302 and start["Location"].startswith(fake_oidc.ISSUER + "/authorize?")
    return client.get(CALLBACK, provider.authorize(start["Location"], email, **claims))


def _failure(client, response):
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session
    return client.get("/connexion/").content.decode()


def test_the_button_shows_only_when_configured(client, db, settings):
    settings.PROCONNECT_ISSUER = ""
    assert "S'identifier avec" not in client.get("/connexion/").content.decode()
    settings.PROCONNECT_ISSUER = fake_oidc.ISSUER
    settings.PROCONNECT_CLIENT_ID = fake_oidc.CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = fake_oidc.CLIENT_SECRET
    assert "S'identifier avec" in client.get("/connexion/").content.decode()


def test_the_authorization_request_carries_state_nonce_and_pkce(client, db, provider):
    location = client.get("/connexion/proconnect/")["Location"]
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://127.0.0.1:8000/connexion/proconnect/retour/"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and query["scope"].startswith("openid")


def test_a_known_referent_is_signed_in(client, db, provider):
    user = member(CiteFactory(), "referent").user
    response = _sign_in(client, provider, user.email.upper(), next_url="/contexte/")
    assert response["Location"] == "/contexte/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(code="auth.proconnect_signed_in", actor=user).exists()


def test_es256_signatures_are_accepted(client, db, settings, monkeypatch):
    settings.PROCONNECT_ISSUER = fake_oidc.ISSUER
    settings.PROCONNECT_CLIENT_ID = fake_oidc.CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = fake_oidc.CLIENT_SECRET
    fake = fake_oidc.FakeProvider(algorithm="ES256")
    session = requests.Session()
    session.mount("https://proconnect.test/", fake)
    monkeypatch.setattr(proconnect, "HTTP", session)
    proconnect.clear_cache()
    user = UserFactory()
    assert _sign_in(client, fake, user.email)["Location"] == "/"
    proconnect.clear_cache()


def test_an_unknown_email_is_told_to_ask_for_an_invitation(client, db, provider):
    page = _failure(client, _sign_in(client, provider, "inconnue@example.org"))
    assert "Aucun compte citemploi actif" in page and "vous inviter" in page
    assert AuditEvent.objects.filter(code="auth.proconnect_failed").exists()


def test_an_inactive_user_is_refused(client, db, provider):
    user = UserFactory(is_active=False)
    assert "Aucun compte citemploi actif" in _failure(client, _sign_in(client, provider, user.email))


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"nonce": "un-autre-nonce"}, "nonce mismatch"),
        ({"aud": "un-autre-client"}, "InvalidAudience"),
        ({"iss": "https://faux.example/"}, "InvalidIssuer"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "ExpiredSignature"),
        ({"iat": None}, "MissingRequiredClaim"),
        ({"azp": "un-autre-client", "aud": [fake_oidc.CLIENT_ID, "un-autre-client"]}, "azp mismatch"),
    ],
)
def test_a_spoiled_id_token_is_refused(client, db, provider, override, reason):
    user = UserFactory()
    provider.id_token_overrides = override
    page = _failure(client, _sign_in(client, provider, user.email))
    assert "La connexion avec ProConnect a échoué" in page
    assert reason in AuditEvent.objects.get(code="auth.proconnect_failed").changes["reason"]


def test_a_bad_signature_is_refused(client, db, provider):
    user = UserFactory()
    provider.forge_signature = True
    _failure(client, _sign_in(client, provider, user.email))
    assert "InvalidSignature" in AuditEvent.objects.get(code="auth.proconnect_failed").changes["reason"]


def test_a_wrong_state_is_refused(client, db, provider):
    user = UserFactory()
    start = client.get("/connexion/proconnect/")
    query = provider.authorize(start["Location"], user.email)
    _failure(client, client.get(CALLBACK, {"code": query["code"], "state": "forgé"}))
    assert AuditEvent.objects.get(code="auth.proconnect_failed").changes["reason"] == "state mismatch"


def test_a_callback_without_a_started_flow_is_refused(client, db, provider):
    _failure(client, client.get(CALLBACK, {"code": "x", "state": "y"}))


def test_a_code_is_bound_to_its_pkce_verifier(client, db, provider):
    user = UserFactory()
    start = client.get("/connexion/proconnect/")
    query = provider.authorize(start["Location"], user.email)
    provider.grants[query["code"]].challenge = "autre-defi"
    _failure(client, client.get(CALLBACK, query))
    assert "token endpoint" in AuditEvent.objects.get(code="auth.proconnect_failed").changes["reason"]


def test_a_coordinator_still_gives_the_local_code_without_provider_mfa(client, db, provider):
    user = member(CiteFactory(), "coordinator").user
    response = _sign_in(client, provider, user.email)
    assert response["Location"].startswith("/connexion/double-authentification/activer/")
    assert client.get("/").status_code == 302


def test_a_coordinator_with_provider_mfa_goes_straight_in(client, db, provider):
    user = member(CiteFactory(), "coordinator").user
    response = _sign_in(client, provider, user.email, acr="eidas2")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_amr_mfa_counts_as_provider_mfa(client, db, provider):
    user = member(CiteFactory(), "coordinator").user
    assert _sign_in(client, provider, user.email, amr=["pwd", "mfa"])["Location"] == "/"


def test_sign_out_also_signs_out_at_the_provider(client, db, provider):
    user = UserFactory()
    _sign_in(client, provider, user.email)
    response = client.post("/deconnexion/")
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{fake_oidc.ISSUER}/session/end"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/connexion/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert "_auth_user_id" not in client.session


def test_a_password_sign_out_stays_local(client, db, provider):
    from tests.accounts.helpers import post_password

    user = UserFactory()
    post_password(client, user.email)
    assert client.post("/deconnexion/")["Location"] == "/connexion/"


def test_a_provider_that_does_not_answer_gives_a_french_message(client, db, settings, monkeypatch):
    settings.PROCONNECT_ISSUER = "https://injoignable.test"
    settings.PROCONNECT_CLIENT_ID = "x"
    settings.PROCONNECT_CLIENT_SECRET = "y"

    class Down(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            raise requests.ConnectionError("down")

        def close(self):
            pass

    session = requests.Session()
    session.mount("https://", Down())
    monkeypatch.setattr(proconnect, "HTTP", session)
    proconnect.clear_cache()
    response = client.get("/connexion/proconnect/", follow=True)
    assert "ProConnect ne répond pas" in response.content.decode()


def test_the_local_code_after_proconnect_works(client, db, provider):
    from citemploi.accounts import security
    from tests.accounts.helpers import code_for

    user = member(CiteFactory(), "coordinator").user
    _sign_in(client, provider, user.email)
    client.get("/connexion/double-authentification/activer/")
    secret = client.session[security.PENDING_SECRET]
    security.enrol(user, secret, code_for(secret))
    client.logout()
    _sign_in(client, provider, user.email)
    ok = client.post("/connexion/double-authentification/", {"code": fresh_code(user)})
    assert ok["Location"] == "/"
