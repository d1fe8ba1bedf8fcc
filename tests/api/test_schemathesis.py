"""Property-based fuzzing of every operation of the API with schemathesis.

Each operation is called with generated valid and invalid data, with the token of a référent and of a
coordinator: no answer may be a server error, and every documented answer must match its schema.
The schema is read from the application itself (/api/v1/openapi.json through the WSGI handler).
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import make_token
from tests.factories import BeneficiaryFactory, in_followup_group, with_sharing_consent

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

CHECKS = [not_a_server_error, response_schema_conformance]
# The database state (the `world` and the rows earlier examples created) is shared by the examples of an
# operation on purpose: hence the one health check suppressed.
BOUNDS = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def tokens(db, world):
    """A few people followed by France Travail with the Mission locale in their group, and the WSGI handler
    kept inside the test's transaction: like Django's test client, it must not close the database
    connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for _ in range(3):
            b = BeneficiaryFactory(
                cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
            )
            with_sharing_consent(b)
            in_followup_group(b, world.ml)
        yield {"referent": make_token(world.referent_ft), "coordinator": make_token(world.coordinator)}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@BOUNDS
@schema.parametrize()
def test_api_as_a_referent(case, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens['referent']}"}, checks=CHECKS)


@BOUNDS
@schema.parametrize()
def test_api_as_a_coordinator(case, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens['coordinator']}"}, checks=CHECKS)
