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

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_id_var: ContextVar[str | None] = ContextVar("citemploi_request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("citemploi_user_id", default=None)

access_logger = logging.getLogger("citemploi.request")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is safe to log as is, otherwise a new random one."""
    if header and _ACCEPTED.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id and the signed-in user's id for the log lines of this request.

    Placed after AuthenticationMiddleware so that the user is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        id_token = request_id_var.set(request_id)
        user_token = user_id_var.set(user_id)
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
            user_id_var.reset(user_token)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` of the current request (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user_id"):
            record.user_id = user_id_var.get()
        return True
