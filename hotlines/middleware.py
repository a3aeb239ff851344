"""The dashboard's middleware, in the order settings.MIDDLEWARE runs them: the CPU time of each
request (only when SERVER_TIMING_CPU is on), the access log (with a request ID), the person's saved
language, and the session's lifetime (idle and absolute)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from time import perf_counter, thread_time  # by name: the session tests fake this module's `time` clock
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from etelecom_admin.logs import request_id_var, user_var

from .selectors import user_preference_get

# The access log keeps its project-wide name: LOGGING and ACCESS_LOG_LEVEL configure it by it.
logger = logging.getLogger("etelecom_admin.requests")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
QUERY_LOGGED = 500  # characters of the query string kept in the log line

LANGUAGE_SESSION_KEY = "hotlines_language"


class CpuTimingMiddleware:
    """Says in a `Server-Timing: cpu;dur=…` header how many milliseconds of CPU this process's
    thread spent on the request (the load benchmark reads it per kind of page).

    Off unless SERVER_TIMING_CPU is on: Django then drops it when it builds the stack
    (MiddlewareNotUsed), so it costs nothing. On, it costs two clock reads (~1 µs). It is the
    outermost middleware, so the figure covers every other one. Thread time, not process time: a
    gthread worker serves several requests at once. A database server's own CPU (PostgreSQL) is
    not in it; SQLite's is (it runs in the thread). A streamed body (a CSV export) is written after
    the header left: only the time to its first byte counts.
    """

    def __init__(self, get_response) -> None:
        if not getattr(settings, "SERVER_TIMING_CPU", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = thread_time()
        response = self.get_response(request)
        response["Server-Timing"] = f"cpu;dur={(thread_time() - started) * 1000:.2f}"
        return response


class RequestLogMiddleware:
    """Takes X-Request-ID from a trusted proxy (or makes one), echoes it, logs the request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        id_token = request_id_var.set(request.id)
        user_token = user_var.set("-")
        started = perf_counter()
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
                    (perf_counter() - started) * 1000,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        # Which filters, sort and page a slow list was: what finding its plan starts from.
                        "query": request.META.get("QUERY_STRING", "")[:QUERY_LOGGED],
                        "status": response.status_code,
                        "duration_ms": round((perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(id_token)
            user_var.reset(user_token)


class UserLanguageMiddleware:
    """Activate the user's saved language (after LocaleMiddleware, which only knows the cookie and
    the browser). Read from the database once per session, then from the session."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(LANGUAGE_SESSION_KEY)
            if language is None:
                preference = user_preference_get(user=user)
                language = preference.language if preference else ""
                request.session[LANGUAGE_SESSION_KEY] = language
            if language in dict(settings.LANGUAGES) and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


STARTED_KEY = "_session_started_at"
SEEN_KEY = "_session_seen_at"
# Write the "last seen" mark at most this often: a session write on every request costs a query.
# A shorter idle timeout shortens it (seen_resolution()), or a busy person would be signed out.
SEEN_RESOLUTION = 60
# What a page asks by itself (htmx polling) is not a person's activity: it must not keep an
# unattended session alive.
PASSIVE_URL_NAMES = {
    "hotlines:freshness",
    "hotlines:sync-progress",
    "hotlines:export-progress",
    "hotlines:notification-bell",
}


class SessionTimeoutMiddleware:
    """Sign out a session idle longer than SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT.

    It sits after the authentication and message middlewares and acts before any view (so
    LoginRequiredMiddleware then sends the person to the sign-in page, with a message saying why).
    An htmx request sent to sign in gets an HX-Redirect, so the whole page goes to the sign-in
    page instead of the sign-in form landing inside a fragment.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._expired(request)
            if reason:
                request.logout_reason = reason  # read by the audit receiver of user_logged_out
                logout(request)
                messages.info(
                    request,
                    _idle_message()
                    if reason == "idle"
                    else _("Your session reached its maximum length; please sign in again."),
                )
        response = self.get_response(request)
        if getattr(request, "htmx", False) and self._to_login(response):
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            # Back to the page (not the fragment) after signing in; only its path and query.
            current = (page.path or "/") + (f"?{page.query}" if page.query else "")
            login = redirect_to_login(current, resolve_url(settings.LOGIN_URL))
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
        return response

    @staticmethod
    def _to_login(response) -> bool:
        if response.status_code not in (301, 302, 303):
            return False
        return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)

    @staticmethod
    def _expired(request) -> str:
        session = request.session
        now = int(time.time())
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        if started is None or seen is None:
            # A session from before this middleware, or just signed in: start counting now.
            session[STARTED_KEY] = started or now
            session[SEEN_KEY] = now
            return ""
        if settings.SESSION_IDLE_TIMEOUT and now - seen > settings.SESSION_IDLE_TIMEOUT:
            return "idle"
        if settings.SESSION_ABSOLUTE_TIMEOUT and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return "absolute"
        if now - seen >= seen_resolution() and not _is_passive(request):
            session[SEEN_KEY] = now
        return ""


def seen_resolution() -> int:
    """How stale the "last seen" mark may get: a tenth of SESSION_IDLE_TIMEOUT, at most SEEN_RESOLUTION.

    The mark lags a person's last request by less than this, so requests never further apart than
    the timeout minus this keep the session alive: with the default 30 minutes, 29; with 30 seconds, 27.
    """
    timeout = settings.SESSION_IDLE_TIMEOUT
    if not timeout:
        return SEEN_RESOLUTION
    return min(SEEN_RESOLUTION, max(1, timeout // 10))


def _idle_message() -> str:
    """Why an idle session ended, in minutes (or seconds, for a timeout under two minutes)."""
    timeout = settings.SESSION_IDLE_TIMEOUT
    if timeout < 120:
        return _("You were signed out after %(seconds)s seconds without activity.") % {"seconds": timeout}
    return _("You were signed out after %(minutes)s minutes without activity.") % {"minutes": timeout // 60}


def _is_passive(request) -> bool:
    try:
        return resolve(request.path_info).view_name in PASSIVE_URL_NAMES
    except Resolver404:
        return False
