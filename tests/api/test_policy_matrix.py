"""The API permission matrix, generated from the OpenAPI document and the policy table.

Every operation declares its policy action (`x-citemploi-action`). For every operation and every persona:
a role the policy denies gets 403 or 404, never data; a role the policy allows is never refused with 403
(it may get 200, or 404/409/422 for the objects and bodies of this generic test). Nobody gets a 5xx.
"""

import re

import pytest
from django.test import Client

from citemploi.core.policy import Role, is_allowed
from tests.api.conftest import API, ApiClient, make_token
from tests.factories import BeneficiaryFactory, in_followup_group, with_sharing_consent


def _operations():
    from citemploi.api.urls import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            action = operation.get("x-citemploi-action")
            if action:
                yield f"{method.upper()} {path}", method, path, action


OPERATIONS = sorted(_operations())


@pytest.mark.parametrize(("label", "method", "path", "action"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_api_matrix(world, label, method, path, action):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    consent = with_sharing_consent(person)
    member = in_followup_group(person, world.ml)
    known = {
        "structure_id": world.ft.pk,
        "beneficiary_id": person.pk,
        "consent_id": consent.pk,
        "member_id": member.pk,
        "code": world.qpv.code,
    }
    url = re.sub(r"{(\w+)}", lambda m: str(known.get(m.group(1), 1)), path).removeprefix(API)
    wrong = []
    for role in Role:
        client = ApiClient(Client(), make_token(world.personas()[role.value]))
        response = client.get(url) if method == "get" else client.send(method.upper(), url, {})
        status = response.status_code
        if status >= 500 or status == 401:
            wrong.append((role.value, status))
        elif is_allowed(role.value, action):
            if status == 403:
                wrong.append((role.value, "allowed but refused", status))
        elif status not in (403, 404):
            wrong.append((role.value, "denied but answered", status))
    assert wrong == [], f"{label} ({action}): {wrong}"
