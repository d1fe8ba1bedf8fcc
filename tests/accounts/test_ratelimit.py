import json
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from citemploi.accounts.models import RateLimitCounter
from citemploi.accounts.tasks import prune_security_rows
from citemploi.core.ratelimit import client_ip, hit, rate_limit


def test_a_fixed_window_counts_per_action_and_client(db):
    now = timezone.now()
    results = [hit("demo", "ip:1.2.3.4", limit=2, window=60, now=now) for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    assert hit("demo", "ip:5.6.7.8", limit=2, window=60, now=now).allowed
    assert hit("other", "ip:1.2.3.4", limit=2, window=60, now=now).allowed
    # the next window starts afresh
    assert hit("demo", "ip:1.2.3.4", limit=2, window=60, now=now + timedelta(seconds=61)).allowed


def test_keys_are_stored_hashed(db):
    hit("demo", "ip:1.2.3.4", limit=2, window=60)
    assert "1.2.3.4" not in RateLimitCounter.objects.get().key


def _get(path="/x", **extra):
    request = RequestFactory().get(path, **extra)
    request.user = AnonymousUser()
    return request


def test_the_decorator_answers_429_in_french_with_retry_after(db):
    view = rate_limit("demo.view", limit=1, window=60, methods=("GET",))(lambda request: HttpResponse("ok"))
    assert view(_get()).status_code == 200
    refused = view(_get())
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Trop de demandes" in refused.content.decode()
    as_json = view(_get(HTTP_ACCEPT="application/json"))
    assert as_json.status_code == 429 and "Trop de demandes" in json.loads(as_json.content)["detail"]


def test_methods_not_listed_are_not_counted(db):
    view = rate_limit("demo.post", limit=1, window=60)(lambda request: HttpResponse("ok"))
    rf = RequestFactory()
    assert [view(rf.get("/x")).status_code for _ in range(3)] == [200, 200, 200]


def test_the_forwarded_address_is_trusted_only_behind_the_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(request) == "10.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "203.0.113.9"


def test_the_public_directory_search_is_rate_limited(client, db, settings):
    settings.DIRECTORY_SEARCH_PER_MINUTE = 2
    # five searches span at most two one-minute windows: one of them gets a third search, refused
    codes = [client.get("/services/resultats/").status_code for _ in range(5)]
    assert codes[0] == 200 and 429 in codes and set(codes) == {200, 429}


def test_password_reset_requests_are_rate_limited(client, db, settings):
    settings.PASSWORD_RESET_PER_HOUR = 2
    codes = [client.post("/mot-de-passe/oubli/", {"email": "x@example.org"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_ended_counters_are_pruned(db):
    old = timezone.now() - timedelta(hours=2)
    hit("demo", "ip:1", limit=5, window=60, now=old)
    hit("demo", "ip:1", limit=5, window=60)
    assert prune_security_rows()["counters"] == 1
    assert RateLimitCounter.objects.count() == 1


def test_the_single_use_answer_links_are_rate_limited(client, db, settings):
    """Guessing answer links is refused: unknown tokens count, and past the limit even a page answers 429."""
    settings.ANSWER_LINK_PER_HOUR = 3
    # seven tries span at most two one-hour windows: one of them gets a fourth try, refused
    codes = [client.get(f"/orientations/lien/devine-{n}/").status_code for n in range(7)]
    assert codes[0] == 404 and 429 in codes and set(codes) == {404, 429}
