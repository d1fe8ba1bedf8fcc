"""Rate limits: a fixed-window counter per (action, client), shared by every process through the database.

The embedded deployment runs several processes (web server workers, task workers) with no shared cache, so
the counters live in a table (`accounts.RateLimitCounter`, pruned daily by `accounts.prune_security_rows`).

Use on a view (the limit applies to the listed methods; other requests pass freely)::

    from citemploi.core.ratelimit import rate_limit

    @rate_limit("invitation.open", limit=10, window=3600)              # per client IP (default)
    def open_invitation(request, token): ...

    @rate_limit("export.build", limit=5, window=600, key="user", methods=("GET", "POST"))
    def build_export(request): ...

A request over the limit gets a 429 with a `Retry-After` header: a French HTML page, or JSON
(`{"detail": "…"}`) when the client asks for JSON or the path is under /api/. Single-use links (invitation,
password reset, magic links) should be limited per IP with `key="ip"` and checked with `hit()` before the
token is even looked up, so that guessing tokens is throttled too.

From code that is not a view, call `hit(action, client_key, limit=…, window=…)` and act on the result.
Limits can be switched off for load tests with RATELIMIT_ENABLED=false (never in production).
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

TOO_MANY_MESSAGE = "Trop de demandes en peu de temps. Merci de patienter quelques minutes avant de réessayer."


@dataclass(frozen=True)
class Hit:
    """The state of a counter after one more request."""

    count: int
    limit: int
    window_end: datetime

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def retry_after(self) -> int:
        """Seconds until the window ends (at least 1)."""
        return max(1, int((self.window_end - timezone.now()).total_seconds()) + 1)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address.

    Behind the reverse proxy (BEHIND_PROXY=true, which sets SECURE_PROXY_SSL_HEADER) the last address of
    X-Forwarded-For is the one our proxy saw; earlier entries are written by the client and not trusted.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1]
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")


def _digest(action: str, client: str) -> str:
    return hashlib.sha256(f"{action}\x00{client}".encode()).hexdigest()


def hit(action: str, client: str, *, limit: int, window: int, now: datetime | None = None) -> Hit:
    """Count one request of `client` for `action` in the current fixed window of `window` seconds."""
    from citemploi.accounts.models import RateLimitCounter

    now = now or timezone.now()
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return Hit(count=0, limit=limit, window_end=now)
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % window, tz=UTC)
    end = start + timedelta(seconds=window)
    key = _digest(action, client)
    for _ in range(2):
        updated = RateLimitCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        if updated:
            break
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(key=key, window_start=start, window_end=end, count=1)
            break
        except IntegrityError:
            continue  # another process created the row first: increment it
    count = (
        RateLimitCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
    )
    return Hit(count=count or 1, limit=limit, window_end=end)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_many_requests(
    request: HttpRequest, retry_after: int, message: str = TOO_MANY_MESSAGE
) -> HttpResponse:
    """The 429 answer: JSON for API clients, a French page otherwise."""
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse({"detail": message}, status=429)
    else:
        minutes = max(1, round(retry_after / 60))
        html = render_to_string(
            "auth/too_many_requests.html", {"message": message, "minutes": minutes}, request=request
        )
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    action: str,
    *,
    limit: int | Callable[[], int],
    window: int,
    key: str | Callable[[HttpRequest], str] = "ip",
    methods: Iterable[str] = ("POST",),
) -> Callable:
    """Limit a view to `limit` requests per `window` seconds for each client (IP, user, or a key function).

    `limit` may be a function read at each request (e.g. `lambda: settings.MY_LIMIT`), so that a setting
    changed at run time (or by a test) applies.
    """
    counted = {m.upper() for m in methods}

    def client_of(request: HttpRequest) -> str:
        if callable(key):
            return key(request)
        if key == "user" and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{client_ip(request)}"

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in counted:
                current = limit() if callable(limit) else limit
                result = hit(action, client_of(request), limit=current, window=window)
                if not result.allowed:
                    return too_many_requests(request, result.retry_after)
            return view(request, *args, **kwargs)

        wrapped.rate_limit = (action, limit, window)  # type: ignore[attr-defined]
        return wrapped

    return decorator
