"""Request ID and one access-log line per request, with its timing."""

from __future__ import annotations

import logging
import re
import time
import uuid

from .logs import request_id_var, user_var

logger = logging.getLogger("etelecom_admin.requests")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
QUERY_LOGGED = 500  # characters of the query string kept in the log line


class RequestLogMiddleware:
    """Takes X-Request-ID from a trusted proxy (or makes one), echoes it, logs the request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        id_token = request_id_var.set(request.id)
        user_token = user_var.set("-")
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_var.set(user.get_username())
            response["X-Request-ID"] = request.id
            if request.path not in ("/healthz", "/readyz"):
                logger.info(
                    "%s %s %s %.1fms",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        # Which filters, sort and page a slow list was: what finding its plan starts from.
                        "query": request.META.get("QUERY_STRING", "")[:QUERY_LOGGED],
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(id_token)
            user_var.reset(user_token)
