"""A small OpenID Connect provider for the tests, mounted on the requests session of citemploi.accounts.proconnect.

It serves the discovery document, the JWKS, the token endpoint (checking the code, the client secret, the
redirect URI and the PKCE verifier) and the userinfo endpoint (a signed JWT, as ProConnect does). Each
field of the ID token can be spoiled to test one check at a time.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://proconnect.test/api/v2"
CLIENT_ID = "citemploi-test"
CLIENT_SECRET = "secret-de-test"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Grant:
    nonce: str
    challenge: str
    redirect_uri: str
    email: str
    claims: dict[str, Any] = field(default_factory=dict)


class FakeProvider(requests.adapters.BaseAdapter):
    def __init__(self, algorithm: str = "RS256") -> None:
        super().__init__()
        self.algorithm = algorithm
        if algorithm == "ES256":
            self.key = ec.generate_private_key(ec.SECP256R1())
            public = jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.kid = secrets.token_hex(4)
        self.jwks = {"keys": [public | {"kid": self.kid, "use": "sig", "alg": algorithm}]}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}
        #: overrides applied to the next ID token (wrong nonce, audience, expiry…)
        self.id_token_overrides: dict[str, Any] = {}
        #: sign with another key than the published one
        self.forge_signature = False
        self.calls: list[str] = []

    # --- what the browser does at the provider ---
    def authorize(self, authorization_url: str, email: str, **claims: Any) -> dict[str, str]:
        """The user signs in at the provider: returns the query of the redirection back to citemploi."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorization_url).query).items()}
        assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            query["nonce"], query["code_challenge"], query["redirect_uri"], email, claims
        )
        return {"code": code, "state": query["state"]}

    # --- HTTP ---
    def send(self, request, **kwargs):  # noqa: ANN001 - requests' adapter API
        url = urlparse(request.url)
        self.calls.append(url.path)
        if url.path.endswith("/.well-known/openid-configuration"):
            return self._json(request, self.discovery())
        if url.path.endswith("/jwks"):
            return self._json(request, self.jwks)
        if url.path.endswith("/token"):
            return self._token(request)
        if url.path.endswith("/userinfo"):
            return self._userinfo(request)
        return self._json(request, {"error": "not_found"}, 404)

    def close(self) -> None:
        pass

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/authorize",
            "token_endpoint": f"{ISSUER}/token",
            "userinfo_endpoint": f"{ISSUER}/userinfo",
            "jwks_uri": f"{ISSUER}/jwks",
            "end_session_endpoint": f"{ISSUER}/session/end",
            "id_token_signing_alg_values_supported": [self.algorithm],
        }

    def _sign(self, payload: dict[str, Any]) -> str:
        key = self.key
        if self.forge_signature:
            key = (
                ec.generate_private_key(ec.SECP256R1())
                if self.algorithm == "ES256"
                else rsa.generate_private_key(public_exponent=65537, key_size=2048)
            )
        return jwt.encode(payload, key, algorithm=self.algorithm, headers={"kid": self.kid})

    def _token(self, request):
        form = {
            k: v[0]
            for k, v in parse_qs(
                request.body if isinstance(request.body, str) else request.body.decode()
            ).items()
        }
        grant = self.grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant.redirect_uri
            or _b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest()) != grant.challenge
        ):
            return self._json(request, {"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = (
            {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "sub": f"sub-{grant.email}",
                "iat": now,
                "exp": now + 60,
                "nonce": grant.nonce,
                "acr": "eidas1",
            }
            | grant.claims
            | self.id_token_overrides
        )
        claims = {k: v for k, v in claims.items() if v is not None}
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant
        return self._json(
            request, {"access_token": access_token, "id_token": self._sign(claims), "token_type": "Bearer"}
        )

    def _userinfo(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        grant = self.tokens.get(token)
        if grant is None:
            return self._json(request, {"error": "invalid_token"}, 401)
        now = int(time.time())
        body = self._sign(
            {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 60,
                "sub": f"sub-{grant.email}",
                "email": grant.email,
            }
        )
        return self._response(request, body.encode(), "application/jwt", 200)

    def _json(self, request, data, status=200):
        return self._response(request, json.dumps(data).encode(), "application/json", status)

    def _response(self, request, body: bytes, content_type: str, status: int):
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = content_type
        response.url = request.url
        response.request = request
        return response
