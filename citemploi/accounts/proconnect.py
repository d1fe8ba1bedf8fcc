"""Sign-in with ProConnect (OpenID Connect, authorization-code flow with state, nonce and PKCE S256).

Configured by PROCONNECT_ISSUER (the provider's issuer; its discovery document is read at
`<issuer>/.well-known/openid-configuration`), PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET and
PROCONNECT_SCOPES. The redirect URI to declare at the provider is `SITE_URL/connexion/proconnect/retour/`.

Rules:
- no account is created: the provider's e-mail address must be that of an existing, active user (invited by
  a coordinator); an e-mail the provider says is not verified is refused;
- the ID token is checked: signature against the provider's JWKS (RS256 or ES256), `iss`, `aud` (and `azp`),
  `exp`, `iat`, `nonce`; the userinfo answer (JSON or signed JWT) must be about the same `sub`;
- the second factor is still asked by citemploi to those who need it, unless the provider asserts a
  multi-factor sign-in (`acr` in PROCONNECT_MFA_ACR, or `mfa` in `amr`).

HTTP calls go through `HTTP` (a requests session) so that tests can mount a fake provider on it.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.urls import reverse

from citemploi.accounts.models import User

HTTP = requests.Session()
TIMEOUT_S = 10
#: the discovery document and keys are read again after this delay (key rotation at the provider)
CACHE_S = 3600
ALGORITHMS = ["RS256", "ES256"]
#: tolerated clock difference with the provider, in seconds
LEEWAY_S = 60
SESSION_FLOW = "citemploi_oidc_flow"
SESSION_ID_TOKEN = "citemploi_oidc_id_token"

_cache: dict[str, tuple[float, Any]] = {}


class ProConnectError(Exception):
    """A failed ProConnect sign-in; `message` is shown to the user (French), `reason` is audited."""

    def __init__(
        self, reason: str, message: str = "La connexion avec ProConnect a échoué. Réessayez."
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


class UnknownUser(ProConnectError):
    pass


@dataclass(frozen=True)
class Identity:
    user: User
    claims: dict[str, Any]
    id_token: str

    @property
    def provider_mfa(self) -> bool:
        """Whether the provider asserts a multi-factor sign-in (then citemploi does not ask its own code)."""
        acr = str(self.claims.get("acr") or "")
        amr = self.claims.get("amr") or []
        return acr in settings.PROCONNECT_MFA_ACR or (isinstance(amr, list) and "mfa" in amr)


def is_configured() -> bool:
    return bool(
        settings.PROCONNECT_ISSUER and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET
    )


def redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("proconnect_callback")


def _get_json(url: str, **kwargs: Any) -> Any:
    try:
        response = HTTP.get(url, timeout=TIMEOUT_S, **kwargs)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProConnectError(f"provider unreachable: {url}: {exc}") from exc


def _cached(key: str, load: Any, *, refresh: bool = False) -> Any:
    hit = _cache.get(key)
    if hit is not None and not refresh and time.monotonic() - hit[0] < CACHE_S:
        return hit[1]
    value = load()
    _cache[key] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    _cache.clear()


def discovery() -> dict[str, Any]:
    issuer = settings.PROCONNECT_ISSUER.rstrip("/")

    def load() -> dict[str, Any]:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ProConnectError("discovery issuer mismatch")
        return document

    return _cached(f"discovery:{issuer}", load)  # type: ignore[no-any-return]


def _jwks(refresh: bool = False) -> jwt.PyJWKSet:
    uri = discovery()["jwks_uri"]
    return _cached(f"jwks:{uri}", lambda: jwt.PyJWKSet.from_dict(_get_json(uri)), refresh=refresh)  # type: ignore[no-any-return]


def _signing_key(token: str) -> Any:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise ProConnectError(f"malformed token: {exc}") from exc
    for refresh in (False, True):  # an unknown key id: the provider may have rotated its keys
        for key in _jwks(refresh=refresh).keys:
            if kid is None or key.key_id == kid:
                return key.key
    raise ProConnectError(f"unknown signing key {kid!r}")


def _decode(token: str, **options: Any) -> dict[str, Any]:
    try:
        return jwt.decode(  # type: ignore[no-any-return]
            token,
            _signing_key(token),
            algorithms=ALGORITHMS,
            audience=settings.PROCONNECT_CLIENT_ID,
            issuer=settings.PROCONNECT_ISSUER.rstrip("/"),
            leeway=LEEWAY_S,
            **options,
        )
    except jwt.PyJWTError as exc:
        raise ProConnectError(f"invalid token: {exc.__class__.__name__}: {exc}") from exc


def _same(given: Any, expected: str) -> bool:
    """Constant-time comparison of a value sent by the browser or the provider (any characters)."""
    return hmac.compare_digest(str(given or "").encode(), expected.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def authorization_url(session: Any, next_url: str) -> str:
    """Start a flow: state, nonce and PKCE verifier kept in the session; the provider's authorization URL."""
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    session[SESSION_FLOW] = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url}
    params = {
        "response_type": "code",
        "client_id": settings.PROCONNECT_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "scope": settings.PROCONNECT_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    return f"{discovery()['authorization_endpoint']}?{urlencode(params)}"


def complete(session: Any, params: dict[str, str]) -> tuple[Identity, str]:
    """Finish the flow from the callback's query parameters; returns the identity and where to go next."""
    flow = session.pop(SESSION_FLOW, None)
    if params.get("error"):
        raise ProConnectError(f"provider error: {params.get('error')}")
    if not flow or not _same(params.get("state"), flow["state"]):
        raise ProConnectError("state mismatch")
    if not params.get("code"):
        raise ProConnectError("no code")
    config = discovery()
    try:
        response = HTTP.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": redirect_uri(),
                "client_id": settings.PROCONNECT_CLIENT_ID,
                "client_secret": settings.PROCONNECT_CLIENT_SECRET,
                "code_verifier": flow["verifier"],
            },
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        tokens = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProConnectError(f"token endpoint: {exc}") from exc
    id_token = tokens.get("id_token")
    if not id_token or not tokens.get("access_token"):
        raise ProConnectError("no id_token or access_token")
    claims = _decode(id_token, options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
    if not _same(claims.get("nonce"), flow["nonce"]):
        raise ProConnectError("nonce mismatch")
    if claims.get("azp") not in (None, settings.PROCONNECT_CLIENT_ID):
        raise ProConnectError("azp mismatch")
    info = _userinfo(config, tokens["access_token"])
    if info.get("sub") != claims["sub"]:
        raise ProConnectError("userinfo sub mismatch")
    email = str(info.get("email") or claims.get("email") or "").strip().lower()
    if not email or info.get("email_verified") is False:
        raise ProConnectError("no verified email")
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise UnknownUser(
            f"unknown email {email}",
            f"Aucun compte citemploi actif n'est associé à l'adresse {email}. Demandez au coordinateur ou à la "
            "coordinatrice de votre cité de vous inviter : vous pourrez ensuite vous connecter avec ProConnect.",
        )
    return Identity(user=user, claims=claims | {"email": email}, id_token=id_token), flow["next"]


def _userinfo(config: dict[str, Any], access_token: str) -> dict[str, Any]:
    try:
        response = HTTP.get(
            config["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ProConnectError(f"userinfo endpoint: {exc}") from exc
    if response.headers.get("Content-Type", "").startswith("application/jwt"):
        return _decode(response.text.strip())  # ProConnect signs its userinfo answer
    try:
        data = response.json()
    except json.JSONDecodeError as exc:
        raise ProConnectError("userinfo not JSON") from exc
    if not isinstance(data, dict):
        raise ProConnectError("userinfo not an object")
    return data


def logout_url(id_token: str) -> str | None:
    """Where to send the browser to sign out at the provider too (None when it has no end-session endpoint)."""
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProConnectError:
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "state": secrets.token_urlsafe(16),
        "post_logout_redirect_uri": settings.SITE_URL.rstrip("/") + reverse("login"),
    }
    return f"{endpoint}?{urlencode(params)}"
