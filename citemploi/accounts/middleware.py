"""Session security, before any view: idle and absolute expiry, then the second factor for those who need it.

- A session unused for SESSION_IDLE_TIMEOUT seconds, or older than SESSION_COOKIE_AGE since the sign-in,
  ends: the user is signed out and told why in French.
- A user who must use a second factor (citemploi.accounts.security.requires_second_factor) and has not given
  it in this session is sent to the enrolment or code page whatever they ask, except the sign-in pages,
  static files and the API (which authenticates with bearer tokens, not sessions).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from citemploi.accounts import security
from citemploi.core.middleware import active_memberships

#: the last-seen mark is written at most once per this many seconds (one session write a minute, not per hit)
LAST_SEEN_PRECISION = 60

#: paths open before the second factor (exact paths, or prefixes when they end with "/")
SECOND_FACTOR_EXEMPT = (
    "/connexion/double-authentification/",
    "/connexion/proconnect/",
    "/deconnexion/",
    "/static/",
    "/api/",
    "/healthz",
    "/readyz",
)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


def _exempt(path: str) -> bool:
    return path == reverse("login") or path.startswith(SECOND_FACTOR_EXEMPT)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(("/static/", "/api/")):
            return self.get_response(request)
        expired = self._expiry(request)
        if expired:
            logout(request)
            messages.info(request, expired)
            return _redirect(request, _with_next(reverse("login"), request))
        if not request.session.get(security.SECOND_FACTOR_DONE) and not _exempt(request.path):
            # the active memberships are read once: the acting context reuses them (core.middleware)
            if security.requires_second_factor(user, active_memberships(request)):
                name = "two_factor_verify" if security.device_for(user) else "two_factor_enrol"
                return _redirect(request, _with_next(reverse(name), request))
        return self.get_response(request)

    def _expiry(self, request: HttpRequest) -> str | None:
        """The French reason the session ends now, or None (and the last-seen mark is refreshed)."""
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(security.SIGNED_IN_AT)
        last_seen = session.get(security.LAST_SEEN)
        if signed_in_at is None or last_seen is None:
            # A session opened before these marks existed: start its clocks now.
            session.setdefault(security.SIGNED_IN_AT, now)
            session[security.LAST_SEEN] = now
            return None
        if now - signed_in_at > settings.SESSION_COOKIE_AGE:
            hours = max(1, settings.SESSION_COOKIE_AGE // 3600)
            return f"Votre session a expiré : elle dure au plus {hours} h. Reconnectez-vous pour continuer."
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
            return (
                f"Votre session a expiré après {minutes} minutes sans activité. "
                "Reconnectez-vous pour continuer."
            )
        if now - last_seen >= LAST_SEEN_PRECISION:
            session[security.LAST_SEEN] = now
        return None
