"""The Notifications page, the header's bell, and marking notifications read (one, or all)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import trigger_client_event

from ..notification_wording import notifications_prepare
from ..selectors.notifications import notification_list, notification_page, notification_unread_count
from ..services.notifications import notification_mark_all_read, notification_mark_read
from .next_url import next_url

CHANGED_EVENT = "notifications-changed"  # the bell listens for it and counts again


class NotificationsMixin(PermissionRequiredMixin):
    """Everyone who may browse has notifications (only their own); a person without a role has none."""

    permission_required = "hotlines.view_hotline"


def _page_number(request: HttpRequest) -> int:
    """The page asked for; anything unusable is the first page (the paginator clamps the rest)."""
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 10 else 1


class NotificationListView(NotificationsMixin, TemplateView):
    """The person's own notifications, grouped per sync, then per watch, newest first, paginated."""

    template_name = "hotlines/notification_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["listing"] = _listing(self.request)
        return context


def _listing(request: HttpRequest):
    listing = notification_page(user=request.user, page_number=_page_number(request))
    notifications_prepare(listing.page.object_list)
    return listing


class NotificationBellView(NotificationsMixin, View):
    """The header's bell with the unread count (htmx refreshes it)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        response = render(
            request, "includes/notification_bell.html", {"unread": notification_unread_count(user=request.user)}
        )
        response["Cache-Control"] = "no-store"
        return response


def _back(request: HttpRequest) -> str:
    """Where a form without JavaScript returns: the page it was on (same site only), or the list."""
    return next_url(request, reverse("hotlines:notifications"))


class NotificationReadView(NotificationsMixin, View):
    """Mark one of my notifications read (POST). Somebody else's is a 404. htmx gets the item back."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not notification_mark_read(user=request.user, notification_id=pk):
            raise Http404
        if request.htmx:
            notification = notification_list(user=request.user).get(pk=pk)
            notifications_prepare([notification])
            response = render(request, "hotlines/includes/notification_item.html", {"notification": notification})
            return trigger_client_event(response, CHANGED_EVENT)
        return redirect(_back(request))


class NotificationReadAllView(NotificationsMixin, View):
    """Mark all my notifications read (POST); htmx gets the page back, a plain form goes back to it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        count = notification_mark_all_read(user=request.user)
        if request.htmx:
            response = render(request, "hotlines/notification_list.html", {"listing": _listing(request)})
            return trigger_client_event(response, CHANGED_EVENT)
        if count:
            messages.success(request, gettext("All notifications are marked read."))
        return redirect(_back(request))
