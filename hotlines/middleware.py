"""Session lifetime: sign people out after a period of inactivity, and after an absolute maximum."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

STARTED_KEY = "_session_started_at"
SEEN_KEY = "_session_seen_at"
# Write the "last seen" mark at most this often: a session write on every request costs a query.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Sign out a session idle longer than SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT.

    It sits after the authentication and message middlewares and acts before any view (so
    LoginRequiredMiddleware then sends the person to the sign-in page, with a message saying why).
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
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                    if reason == "idle"
                    else _("Your session reached its maximum length; please sign in again."),
                )
        return self.get_response(request)

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
        if now - seen >= SEEN_RESOLUTION:
            session[SEEN_KEY] = now
        return ""
