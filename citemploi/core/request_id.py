"""A request id for every request, and the request context of log lines.

The id comes from the reverse proxy's `X-Request-ID` header when it is a plausible id (so proxy and
application logs join), otherwise it is generated; it is sent back in the response's `X-Request-ID`.
Log records get `request_id` and `user_id` (the account's numeric id, never a name or an e-mail address,
and nothing about beneficiaries) through RequestContextFilter, which the JSON formatter writes out.
One access line per request is logged on `citemploi.request`: method, path without the query string
(search terms may be names), status and duration.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_id_var: ContextVar[str | None] = ContextVar("citemploi_request_id", default=None)
request_var: ContextVar[HttpRequest | None] = ContextVar("citemploi_request", default=None)

access_logger = logging.getLogger("citemploi.request")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is safe to log as is, otherwise a new random one."""
    if header and _ACCEPTED.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id, and the request whose signed-in user the log lines name, for this request.

    Placed after AuthenticationMiddleware, so that `request.user` exists (loaded only if the view needs it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        user_token = request_var.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(id_token)
            request_var.reset(user_token)


def signed_in_user_id(request: HttpRequest | None) -> int | None:
    """The id of the request's signed-in user, if the request already loaded it.

    Never loads it: a log line must not add queries (public pages do not look the user up).
    """
    user = getattr(request, "user", None) if request is not None else None
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:  # type: ignore[attr-defined]
            return None
        user = user._wrapped  # type: ignore[attr-defined]
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` of the current request (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user_id"):
            record.user_id = signed_in_user_id(request_var.get())
        return True
