"""A person's own choices: the list's columns and page size, and the language of the interface."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View

from ..columns import columns_after
from ..listing import PER_PAGE_CHOICES, list_url, parse_int, safe_back_query
from ..middleware import LANGUAGE_SESSION_KEY
from ..models import SavedView
from ..selectors.saved_views import saved_view_get
from ..services.preferences import user_preference_reset_list, user_preference_update
from ..services.saved_views import saved_view_update
from .next_url import next_url


class ListPreferencesView(PermissionRequiredMixin, View):
    """Save (or reset) the list's columns: which show and in what order. Works without JavaScript:
    move buttons submit the whole form, and the page comes back with the panel open after a move."""

    permission_required = "hotlines.view_hotline"
    http_method_names = ["post"]

    def post(self, request):
        reset = request.POST.get("action") == "reset"
        columns = columns_after(
            order=request.POST.getlist("order"),
            shown=set(request.POST.getlist("columns")),
            move=request.POST.get("move", ""),
        )
        if request.POST.get("view"):
            # A saved view open on the list shows its own columns: the menu changes the view's (its
            # editors only; a reset gives it back the person's own columns).
            try:
                view = saved_view_get(user=request.user, pk=request.POST["view"])
            except SavedView.DoesNotExist as exc:
                raise Http404 from exc
            saved_view_update(user=request.user, view=view, columns=[] if reset else columns)
        elif reset:
            user_preference_reset_list(user=request.user)
        else:
            user_preference_update(user=request.user, columns=columns)
        if request.POST.get("move"):
            # Back open after a move (several in a row, with or without script); closed after Save or
            # Reset, so the menu no longer covers the table it just changed.
            request.session["hotline_columns_open"] = True
        return HttpResponseRedirect(next_url(request, reverse("hotlines:list")))


class ListPerPageView(PermissionRequiredMixin, View):
    """Remember the list's rows per page, then show the list as it was with that many rows.

    The list's GET never writes: its "Rows per page" select belongs to this POST form, which the
    page's script sends in the background (the list itself changes through htmx) and which the
    "Show" button sends without script."""

    permission_required = "hotlines.view_hotline"
    http_method_names = ["post"]

    def post(self, request):
        raw = request.POST.get("per_page", "")
        if parse_int(raw) in PER_PAGE_CHOICES:
            user_preference_update(user=request.user, per_page=parse_int(raw))
        # The list's own query (its filters, search and sort), back on the first page; a value
        # the list cannot use is left in, so the list says what it showed instead.
        query = QueryDict(safe_back_query(request.POST.get("query", "")), mutable=True)
        query.pop("page", None)
        if raw:
            query["per_page"] = raw
        return HttpResponseRedirect(list_url(query))


@method_decorator(login_not_required, name="dispatch")
class LanguageView(View):
    """Switch the interface language: remembered for the user (any device) and in a cookie (the
    sign-in page, before anyone is known)."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language", "")
        response = HttpResponseRedirect(next_url(request, "/"))
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
