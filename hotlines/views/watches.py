"""Watches: the Watches page, and the POST forms that watch a saved view or a hotline, change how
a watch tells its news, and stop watching."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from .. import selectors
from ..ids import id_parse
from ..models import Hotline, SavedView, Watch
from ..saved_view_forms import WatchChannelForm
from ..selectors.saved_views import saved_view_get, watch_list
from ..services import watching
from ..tables.saved_views import WatchTable
from .saved_views import BROWSE


def _watches_url(watch: Watch) -> str:
    return reverse("hotlines:watch-list") + f"#watch-{watch.pk}"


class WatchListView(PermissionRequiredMixin, SingleTableMixin, TemplateView):
    """`/watches/`: what I watch, how I am told, since when; change the channel or stop."""

    permission_required = BROWSE
    template_name = "hotlines/watches/list.html"
    table_class = WatchTable
    table_pagination = {"per_page": 50}

    def get_table_data(self):
        return watch_list(user=self.request.user)


class WatchCreateView(PermissionRequiredMixin, View):
    """Watch a saved view (`view=<pk>`) or a hotline (`hotline=<pk>`), told as `channel` says.
    Watching twice is no error: the existing watch is shown, unchanged."""

    permission_required = BROWSE
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WatchChannelForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose how to be told."), content_type="text/plain; charset=utf-8")
        view_pk, hotline_pk = request.POST.get("view"), request.POST.get("hotline")
        if bool(view_pk) == bool(hotline_pk):
            return HttpResponseBadRequest(
                _("Watch either a view or a hotline."), content_type="text/plain; charset=utf-8"
            )
        if view_pk:
            try:
                target = saved_view_get(user=request.user, pk=view_pk)
            except SavedView.DoesNotExist as exc:
                raise Http404(_("No such view.")) from exc
            watch, created = watching.watch_view(user=request.user, view=target, email=form.email)
        else:
            pk = id_parse(hotline_pk)
            try:
                target = selectors.hotline_get(pk=pk) if pk is not None else None
            except Hotline.DoesNotExist:
                target = None
            if target is None:
                raise Http404(_("No such hotline."))
            watch, created = watching.watch_hotline(user=request.user, hotline=target, email=form.email)
        if created:
            messages.success(request, _("You now watch “%(name)s”.") % {"name": _subject(watch)})
        else:
            messages.info(request, _("You already watch “%(name)s”; here is that watch.") % {"name": _subject(watch)})
        return HttpResponseRedirect(_watches_url(watch))


def _subject(watch: Watch) -> str:
    return watch.view.name if watch.view_id else watch.hotline.hotline


class _OwnWatchView(PermissionRequiredMixin, View):
    permission_required = BROWSE
    http_method_names = ["post"]

    def watch(self, request: HttpRequest, pk) -> Watch:
        parsed = id_parse(str(pk))
        watch = (
            Watch.objects.filter(pk=parsed, user_id=request.user.pk).select_related("view", "hotline").first()
            if parsed is not None
            else None
        )
        if watch is None:  # another person's watch is as absent as a deleted one
            raise Http404(_("No such watch."))
        return watch


class WatchChannelView(_OwnWatchView):
    """Change how a watch tells its news."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        watch = self.watch(request, pk)
        form = WatchChannelForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose how to be told."), content_type="text/plain; charset=utf-8")
        if watching.watch_set_email(user=request.user, watch=watch, email=form.email):
            messages.success(request, _("Changed how you are told about “%(name)s”.") % {"name": _subject(watch)})
        return HttpResponseRedirect(_watches_url(watch))


class WatchDeleteView(_OwnWatchView):
    """Stop watching."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        watch = self.watch(request, pk)
        name = _subject(watch)
        watching.watch_remove(user=request.user, watch=watch)
        messages.success(request, _("You no longer watch “%(name)s”.") % {"name": name})
        return HttpResponseRedirect(reverse("hotlines:watch-list"))
