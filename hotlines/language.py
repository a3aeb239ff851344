"""The interface language a signed-in person chose, on every device they use."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from .selectors import user_preference_get

SESSION_KEY = "hotlines_language"


class UserLanguageMiddleware:
    """Activate the user's saved language (after LocaleMiddleware, which only knows the cookie and
    the browser). Read from the database once per session, then from the session."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:
                preference = user_preference_get(user=user)
                language = preference.language if preference else ""
                request.session[SESSION_KEY] = language
            if language in dict(settings.LANGUAGES) and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
