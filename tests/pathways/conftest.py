import pytest
from django.test import Client

from tests.api.conftest import ApiClient, make_token


@pytest.fixture
def api_as():
    """`api_as(membership)`: an API client acting with that membership's token."""

    def _api_as(membership) -> ApiClient:
        return ApiClient(Client(), make_token(membership))

    return _api_as


@pytest.fixture(autouse=True)
def _default_situations(request):
    """The default situations come from a data migration: a transactional test elsewhere may have flushed them."""
    if "db" in request.fixturenames or "world" in request.fixturenames:
        request.getfixturevalue("db")
        from citemploi.pathways.situations import ensure_default_situations

        ensure_default_situations()
