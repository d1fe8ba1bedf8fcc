import pytest

from tests.api.conftest import ApiClient, make_token


@pytest.fixture
def api_client_for():
    from django.test import Client

    def _client(membership):
        return ApiClient(Client(), make_token(membership))

    return _client
