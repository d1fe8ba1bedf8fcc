import pytest
from django.test import Client

from tests.api.conftest import ApiClient, make_token


@pytest.fixture
def api_as():
    """`api_as(membership)`: an API client acting with that membership's token."""

    def _api_as(membership) -> ApiClient:
        return ApiClient(Client(), make_token(membership))

    return _api_as
