"""Bearer token authentication, the OpenAPI document and the documentation page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from citemploi.core.models import ApiToken, AuditEvent
from citemploi.core.policy import POLICY
from tests.api.conftest import API, make_token
from tests.factories import member


def test_a_request_without_token_gets_401_in_french_and_no_login_redirect(world, api_as):
    response = api_as(None).get("/beneficiaries")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "cte_abc", "Token cte_abc"])
def test_a_malformed_authorization_header_gets_401(world, api_as, header):
    response = api_as(None).get("/structures", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_an_unknown_token_gets_401(world, api_as):
    response = api_as(None, token="cte_not-a-real-token").get("/structures")
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API invalide, révoqué, ou rattaché à un rôle désactivé."


def test_a_revoked_token_gets_401(world, api_as):
    token = make_token(world.coordinator)
    assert api_as(None, token=token).get("/structures").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api_as(None, token=token).get("/structures").status_code == 401


def test_a_token_of_a_deactivated_membership_or_user_gets_401(world, api_as):
    token = make_token(world.coordinator)
    world.coordinator.is_active = False
    world.coordinator.save()
    assert api_as(None, token=token).get("/structures").status_code == 401
    world.coordinator.is_active = True
    world.coordinator.save()
    world.coordinator.user.is_active = False
    world.coordinator.user.save()
    assert api_as(None, token=token).get("/structures").status_code == 401


def test_a_web_session_does_not_authenticate_the_api(world, client, login):
    login(world.coordinator)
    response = client.get(API + "/structures")
    assert response.status_code == 401


def test_the_token_acts_with_its_membership_only(world, api_as):
    """A user with two roles: the token of the steering role cannot see people, the coordinator's can."""
    steering_too = member(world.cite, "steering", user=world.coordinator.user)
    assert api_as(steering_too).get("/beneficiaries").status_code == 403
    assert api_as(world.coordinator).get("/beneficiaries").status_code == 200


def test_audit_rows_of_the_api_say_so(world, api_as, followed):
    api_as(world.coordinator).get(f"/beneficiaries/{followed.pk}")
    event = AuditEvent.objects.get(code="beneficiary.read")
    assert event.via == "api"
    assert event.actor == world.coordinator.user
    assert event.actor_role == "coordinator"
    assert event.cite_id == world.cite.pk


def test_last_used_at_is_written_at_most_once_a_minute(world, api_as):
    raw = make_token(world.coordinator)
    client = api_as(None, token=raw)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/structures")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/structures")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/structures")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(seconds=30)


def test_answers_are_not_cached(world, api_as):
    response = api_as(world.coordinator).get("/structures")
    assert "no-store" in response["Cache-Control"]


# --- OpenAPI document ---------------------------------------------------------------------------------------


@pytest.fixture
def openapi(client, db):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_openapi_document_is_public_and_describes_the_bearer_scheme(openapi):
    assert openapi["openapi"].startswith("3.")
    schemes = openapi["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]


OPERATIONS = {
    "structures_list", "structures_read", "structures_create", "structures_update",
    "qpv_list", "qpv_read",
    "beneficiaries_list", "beneficiaries_read", "beneficiaries_create", "beneficiaries_update",
    "beneficiaries_sensitive_read", "beneficiaries_sensitive_update",
    "consents_list", "consents_record", "consents_withdraw",
    "followup_list", "followup_add", "followup_end",
}  # fmt: skip


def test_every_operation_declares_a_policy_action_and_requires_the_token(openapi):
    operations = list(_operations(openapi))
    assert OPERATIONS <= {operation["operationId"] for _, _, operation in operations}
    for method, path, operation in operations:
        assert operation.get("x-citemploi-action") in POLICY, (method, path)
        assert operation["security"], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_path_parameters_have_the_agreed_names(openapi):
    names = {
        p
        for _, path, _ in _operations(openapi)
        if path.startswith(("/api/v1/structures", "/api/v1/qpv", "/api/v1/beneficiaries"))
        for p in re.findall(r"{(\w+)}", path)
    }
    assert names == {
        "structure_id",
        "beneficiary_id",
        "consent_id",
        "member_id",
        "code",
        # the pathway of a person (pathways domain)
        "barrier_id",
        "objective_id",
        "action_id",
    }


def test_lists_of_values_are_documented_with_their_french_labels(openapi):
    gender = openapi["components"]["schemas"]["Gender"]
    assert gender["enum"] == ["F", "M", "X"]
    assert "F : Femme" in gender["description"]
    assert all(
        r["description"] != "OK" for _, _, op in _operations(openapi) for r in op["responses"].values()
    )


# --- Documentation page ---------------------------------------------------------------------------------------


def test_the_docs_page_needs_no_login_and_lists_every_operation(client, openapi):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert '<html lang="fr"' in html
    assert "Authorization: Bearer" in html
    for method, path, operation in _operations(openapi):
        assert f'id="{operation["operationId"]}"' in html, (method, path)
        assert operation["x-citemploi-action"] in html
    assert "curl -X POST" in html
    assert 'id="schema-BeneficiaryCreateIn"' in html


def test_the_docs_page_works_offline_under_the_site_csp(client, db):
    response = client.get(API + "/docs")
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # Every script and style sheet is served by the site itself; no inline script, no inline style.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'src="/static/', tag), tag
    for href in re.findall(r'<link [^>]*href="([^"]+)"', html):
        assert href.startswith("/"), href
    assert "style=" not in html
    assert not re.search(r'src="(https?:)?//', html)


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("steering", "post", "/beneficiaries", {"nickname": 1}),
        ("national", "get", "/beneficiaries", None),
        ("referent", "post", "/structures", {"kind": "planète"}),
        ("commission_member", "patch", "/structures/{ft}", {}),
    ],
)
def test_the_policy_is_checked_before_the_input(world, api_as, role, method, path, body):
    """A role the policy denies gets 403 whatever it sends, not the validation errors of its input."""
    client = api_as(world.personas()[role])
    url = path.format(ft=world.ft.pk)
    response = client.get(url, {"limit": "x"}) if method == "get" else getattr(client, method)(url, body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Votre rôle ne permet pas cette action."}


def test_the_sensitive_operations_answer_404_to_other_roles_before_reading_the_input(world, api_as, followed):
    response = api_as(world.coordinator).put(f"/beneficiaries/{followed.pk}/sensitive", {"rqth": "x"})
    assert response.status_code == 404
    assert api_as(world.steering).get("/beneficiaries/abc/sensitive").status_code == 404
