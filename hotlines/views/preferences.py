"""A person's own choices: the list's columns and page size, and the language of the interface."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from ..middleware import LANGUAGE_SESSION_KEY
from ..services.preferences import user_preference_reset_list, user_preference_update
from ..tables import COLUMN_FIELDS, FIXED_COLUMN


def _next_url(request, default: str) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return default


def columns_after(*, order: list[str], shown: set[str], move: str) -> list[str]:
    """The visible columns after a save: the submitted order, one column moved up or down if asked."""
    order = [name for name in dict.fromkeys(order) if name in COLUMN_FIELDS and name != FIXED_COLUMN]
    order += [name for name in COLUMN_FIELDS if name not in order and name != FIXED_COLUMN]
    direction, _sep, name = move.partition(":")
    if name in order and direction in ("up", "down"):
        visible = [n for n in order if n in shown or n == name]
        at = visible.index(name)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(visible):
            a, b = order.index(visible[at]), order.index(visible[other])
            order[a], order[b] = order[b], order[a]
    return [FIXED_COLUMN, *(name for name in order if name in shown)]


class ListPreferencesView(PermissionRequiredMixin, View):
    """Save (or reset) the list's columns: which show and in what order. Works without JavaScript:
    move buttons submit the whole form, and the page comes back with the panel open after a move."""

    permission_required = "hotlines.view_hotline"
    http_method_names = ["post"]

    def post(self, request):
        if request.POST.get("action") == "reset":
            user_preference_reset_list(user=request.user)
        else:
            columns = columns_after(
                order=request.POST.getlist("order"),
                shown=set(request.POST.getlist("columns")),
                move=request.POST.get("move", ""),
            )
            user_preference_update(user=request.user, columns=columns)
        if request.POST.get("move"):
            # Back open after a move (several in a row, with or without script); closed after Save or
            # Reset, so the menu no longer covers the table it just changed.
            request.session["hotline_columns_open"] = True
        return HttpResponseRedirect(_next_url(request, reverse("hotlines:list")))


@method_decorator(login_not_required, name="dispatch")
class LanguageView(View):
    """Switch the interface language: remembered for the user (any device) and in a cookie (the
    sign-in page, before anyone is known)."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language", "")
        response = HttpResponseRedirect(_next_url(request, "/"))
        if language not in dict(settings.LANGUAGES):
            return response
        if request.user.is_authenticated:
            user_preference_update(user=request.user, language=language)
            request.session[LANGUAGE_SESSION_KEY] = language
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            # Never sent back over plain HTTP once set over HTTPS, even where the setting is off.
            secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
