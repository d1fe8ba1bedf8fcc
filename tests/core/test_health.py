import io
import json
import logging

import pytest
from django.db import OperationalError

from citemploi.core import health
from citemploi.core.logging import JsonFormatter
from citemploi.core.models import PeriodicJobRun
from citemploi.core.request_id import RequestContextFilter, request_id_from


def test_liveness_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise here.
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_is_ok_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/sante/pret/")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok"
    assert body["base_de_donnees"] == "ok"
    assert body["migrations_en_attente"] == 0
    assert body["worker_derniere_activite"] is None


@pytest.mark.django_db
def test_readiness_reports_the_workers_last_activity(client):
    run = PeriodicJobRun.objects.create(job="rappels", period="2026-11-22")
    body = client.get("/sante/pret/").json()
    assert body["worker_derniere_activite"] == run.enqueued_at.isoformat()


@pytest.mark.django_db
def test_readiness_is_503_when_a_migration_is_pending(client, monkeypatch):
    class PendingExecutor:
        def __init__(self, connection):
            self.loader = type(
                "Loader", (), {"graph": type("Graph", (), {"leaf_nodes": lambda self: []})()}
            )()

        def migration_plan(self, targets):
            return [("people", "9999_future")]

    monkeypatch.setattr(health, "MigrationExecutor", PendingExecutor)
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["migrations_en_attente"] == 1
    assert response.json()["statut"] == "indisponible"


def test_readiness_is_503_without_detail_when_the_database_is_unreachable(client, monkeypatch, caplog):
    def unreachable():
        raise OperationalError("could not connect to server: secret-host")

    monkeypatch.setattr(health, "_database_check", unreachable)
    with caplog.at_level(logging.ERROR, logger="citemploi.core.health"):
        response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json() == {"statut": "indisponible", "base_de_donnees": "injoignable"}
    assert "secret-host" not in response.content.decode()


def test_probes_refuse_writes(client):
    assert client.post("/sante/").status_code == 405
    assert client.post("/sante/pret/").status_code == 405


def test_probes_are_not_redirected_to_https(settings):
    import re

    assert any(re.search(pattern, "sante/pret/") for pattern in settings.SECURE_REDIRECT_EXEMPT)


# --- structured logs ------------------------------------------------------------------------------------


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("citemploi.request")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_the_access_line_carries_the_proxys_request_id_and_no_query_string(client, json_lines):
    response = client.get("/sante/?q=Dupont", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response["X-Request-ID"] == "proxy-1234abcd"
    (line,) = json_lines()
    assert line["request_id"] == "proxy-1234abcd"
    assert line["user_id"] is None
    assert line["logger"] == "citemploi.request"
    assert line["level"] == "INFO"
    assert line["status_code"] == 200
    assert line["path"] == "/sante/"
    assert "Dupont" not in json.dumps(line)
    assert {"timestamp", "message", "duration_ms"} <= line.keys()


def test_the_access_line_names_the_account_by_its_id_only(client, world, login, json_lines):
    user = world.coordinator.user
    login(world.coordinator)
    client.get("/")
    (line,) = json_lines()
    assert line["user_id"] == user.pk
    text = json.dumps(line)
    assert user.email not in text and user.last_name not in text
    assert len(line["request_id"]) == 32  # generated: no id came from a proxy


def test_a_malformed_request_id_is_replaced():
    assert request_id_from("proxy-1234abcd") == "proxy-1234abcd"
    for bad in ("short", "x" * 65, "a b c d e f g h", "id\nforged-line", None):
        generated = request_id_from(bad)
        assert generated != bad and len(generated) == 32


def test_a_log_line_never_loads_the_user_itself():
    from django.test import RequestFactory
    from django.utils.functional import SimpleLazyObject

    from citemploi.core.request_id import signed_in_user_id

    def must_not_load():
        raise AssertionError("the log line loaded the user")

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(must_not_load)
    assert signed_in_user_id(request) is None
    assert signed_in_user_id(None) is None


def test_log_lines_outside_a_request_have_empty_context():
    record = logging.LogRecord("citemploi", logging.WARNING, __file__, 1, "hors requête", None, None)
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] is None and line["user_id"] is None
    assert line["message"] == "hors requête"


# --- the benchmark's floor page ----------------------------------------------------------------------


@pytest.mark.urls("tests.bench.floor_urls")
def test_the_floor_page_does_not_exist_without_the_bench_setting(client, world, login, settings):
    settings.CITEMPLOI_BENCH = False
    login(world.coordinator)
    assert client.get("/sante/plancher/").status_code == 404


@pytest.mark.urls("tests.bench.floor_urls")
def test_the_floor_page_needs_a_signed_in_user(client, world, login, settings):
    settings.CITEMPLOI_BENCH = True
    anonymous = client.get("/sante/plancher/")
    assert anonymous.status_code == 302 and "/connexion" in anonymous["Location"]
    login(world.coordinator)
    response = client.get("/sante/plancher/")
    assert response.status_code == 200
    assert b"<p>ok</p>" in response.content


def test_the_floor_page_is_not_routed_by_default():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/sante/plancher/")


# --- production settings read from the environment ------------------------------------------------------


def _settings_in_subprocess(tmp_path, **env):
    """The settings a fresh process computes from `env` (settings are read once, at start)."""
    import os
    import subprocess
    import sys

    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'storages': settings.STORAGES['default'], 'caches': settings.CACHES['default']}))"
    )
    full_env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "citemploi.settings",
        "CITEMPLOI_VAR_DIR": str(tmp_path),
    }
    full_env |= env
    result = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True)
    return result


def test_documents_go_to_a_private_bucket_with_expiring_links(tmp_path):
    result = _settings_in_subprocess(
        tmp_path,
        FILE_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        STORAGE_BUCKET="citemploi-documents",
        STORAGE_ENDPOINT_URL="https://s3.example.org",
    )
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)["storages"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "citemploi-documents"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["querystring_expire"] == 300 and options["file_overwrite"] is False


def test_the_s3_backend_without_a_bucket_stops_the_start(tmp_path):
    result = _settings_in_subprocess(tmp_path, FILE_STORAGE_BACKEND="storages.backends.s3.S3Storage")
    assert result.returncode != 0
    assert "STORAGE_BUCKET is required" in result.stderr


def test_local_files_and_process_cache_by_default_and_a_shared_cache_on_demand(tmp_path):
    default = _settings_in_subprocess(tmp_path)
    assert default.returncode == 0, default.stderr
    values = json.loads(default.stdout)
    assert values["storages"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert values["caches"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    shared = _settings_in_subprocess(
        tmp_path,
        CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
        CACHE_LOCATION="redis://127.0.0.1:6379/1",
    )
    assert json.loads(shared.stdout)["caches"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }


def test_an_unknown_log_format_stops_the_start(tmp_path):
    result = _settings_in_subprocess(tmp_path, LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr
