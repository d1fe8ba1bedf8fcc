"""Fixtures of the API tests: a client that calls /api/v1/ with the bearer token of a membership."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from citemploi.core.models import ApiToken
from tests.factories import BeneficiaryFactory, in_followup_group, with_sharing_consent

API = "/api/v1"


def make_token(membership, name: str = "tests") -> str:
    raw, prefix, token_hash = ApiToken.generate()
    ApiToken.objects.create(membership=membership, name=name, prefix=prefix, token_hash=token_hash)
    return raw


@dataclass
class ApiClient:
    client: Client
    token: str | None

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**result, **(headers or {})}

    def get(self, path: str, params: dict | None = None, **kwargs: Any):
        return self.client.get(API + path, params or {}, headers=self._headers(kwargs.pop("headers", None)))

    def send(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None, headers=None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.client.generic(
            method, API + path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.send("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any):
        return self.send("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.send("DELETE", path, None, **kwargs)


@pytest.fixture
def api_as():
    """`api_as(membership)`: a client acting with that membership's token (`api_as(None)`: no token)."""

    def _api_as(membership, token: str | None = None) -> ApiClient:
        if token is None and membership is not None:
            token = make_token(membership)
        return ApiClient(Client(), token)

    return _api_as


@pytest.fixture
def followed(world):
    """A person whose responsible structure is France Travail (référent: `world.referent_ft`), with the
    Mission locale in their follow-up group under an active consent to sharing."""
    b = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        referent=world.referent_ft.user,
        first_name="Awa",
        last_name="Diallo",
        birth_date=date(1985, 6, 12),
        qpv=world.qpv,
    )
    with_sharing_consent(b)
    in_followup_group(b, world.ml)
    return b


@pytest.fixture
def unshared(world):
    """A person followed by France Travail, with nobody else and no consent."""
    return BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        referent=world.referent_ft.user,
        first_name="Karim",
        last_name="Benali",
        birth_date=date(1979, 11, 3),
    )
