"""`citemploi check --deploy` is clean with production settings read from the environment."""

import os
import secrets
import subprocess
import sys

from django.core.checks import run_checks
from django.test import override_settings

PRODUCTION_ENV = {
    "CITEMPLOI_TESTING": "false",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "citemploi.example.fr",
    "SITE_URL": "https://citemploi.example.fr",
    "BEHIND_PROXY": "true",
    "CITEMPLOI_FIELD_KEY": secrets.token_urlsafe(40),
}


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    env = os.environ | PRODUCTION_ENV | {"CITEMPLOI_VAR_DIR": str(tmp_path)}
    # The browser tests' fixtures allow sync ORM calls from Playwright's loop in this process; a deployment
    # never sets it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "citemploi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_environment_sets_the_security_headers(tmp_path):
    env = os.environ | PRODUCTION_ENV | {"CITEMPLOI_VAR_DIR": str(tmp_path), "SECURE_HSTS_SECONDS": "600"}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='citemploi.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == [
        "600",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "DENY",
        "True",
    ]


def test_the_deploy_checks_would_catch_a_regression():
    with override_settings(
        DEBUG=False,
        SECRET_KEY=PRODUCTION_ENV["SECRET_KEY"],
        ALLOWED_HOSTS=["citemploi.example.fr"],
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
    ):
        ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert {"security.W004", "security.W012"} <= ids


def test_the_deploy_checks_pass_with_the_production_values():
    with override_settings(
        DEBUG=False,
        SECRET_KEY=PRODUCTION_ENV["SECRET_KEY"],
        ALLOWED_HOSTS=["citemploi.example.fr"],
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SECURE_SSL_REDIRECT=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    ):
        messages = [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("security.")]
    assert messages == []


def test_production_needs_a_dedicated_key_for_the_encrypted_secrets(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    assert "accounts.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.FIELD_ENCRYPTION_KEY = "trop-courte"
    assert "accounts.W002" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.FIELD_ENCRYPTION_KEY = PRODUCTION_ENV["CITEMPLOI_FIELD_KEY"]
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert not ids & {"accounts.W001", "accounts.W002"}


def test_https_redirection_spares_the_load_balancer_probes(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/connexion/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/sante/").status_code == 200
