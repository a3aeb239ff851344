"""The Syncs pages: every run with its figures and outcome, live progress, Sync now and Cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from .. import selectors
from ..choices import ACTIVE_SYNC_STATUSES, ChangeKind, SyncStatus
from ..filtersets.syncs import SyncRunFilterSet
from ..ids import id_parse
from ..models import Connection, SyncRun
from ..services.sync import SyncAlreadyRunning, sync_request, sync_run_cancel, sync_run_dead_reason
from ..tables.syncs import SyncChangeTable, SyncRunTable, duration_text
from .next_url import next_url

VIEW_PERMISSION = "hotlines.view_syncrun"
RUN_PERMISSION = "hotlines.run_sync"


# --- the list ---------------------------------------------------------------------------------


class SyncRunListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Every sync run, newest first, filterable; the ones under way show live progress."""

    permission_required = VIEW_PERMISSION
    template_name = "hotlines/syncrun_list.html"
    table_class = SyncRunTable
    filterset_class = SyncRunFilterSet
    table_pagination = {"per_page": 50}
    strict = False  # an unusable filter value is ignored (with a note), the others still apply

    def get_queryset(self):
        return selectors.sync_run_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for name, errors in self.filterset.errors.items():
            label = self.filterset.form.fields[name].label
            note = _t("“%(filter)s” was ignored: %(reason)s") % {"filter": label, "reason": " ".join(errors)}
            messages.warning(self.request, note)
        active = selectors.sync_run_list().filter(status__in=ACTIVE_SYNC_STATUSES)
        context["active_runs"] = [_progress_context(run) for run in active]
        context["sync_connections"] = list(
            Connection.objects.filter(is_active=True).only("pk", "name").order_by("name")
        )
        # Like the hotline list: the account filter only once there is more than one account.
        context["show_connections"] = Connection.objects.count() > 1
        return context


# --- one run ----------------------------------------------------------------------------------


def _progress_context(run: SyncRun) -> dict:
    """What the progress fragment shows about a run."""
    running = run.status == SyncStatus.RUNNING
    expected = selectors.sync_expected_total(connection_id=run.connection_id) if running else None
    estimate = selectors.sync_progress_estimate(fetched=run.fetched, expected=expected)
    return {
        "run": run,
        "active": run.status in ACTIVE_SYNC_STATUSES,
        "expected": estimate.expected if estimate else None,
        "percent": estimate.percent if estimate else None,
        "duration": duration_text(run),
        "dead_reason": sync_run_dead_reason(run=run) if run.status in ACTIVE_SYNC_STATUSES else "",
    }


class SyncRunDetailView(PermissionRequiredMixin, SingleTableMixin, DetailView):
    """One run: its figures and outcome (live while it runs) and what it changed, paginated."""

    permission_required = VIEW_PERMISSION
    template_name = "hotlines/syncrun_detail.html"
    context_object_name = "run"
    table_class = SyncChangeTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return selectors.sync_run_list()

    def kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        return kind if kind in ChangeKind.values else ""

    def get_table_data(self):
        return selectors.sync_run_changes(run=self.object, kind=self.kind())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.sync_run_change_counts(run=self.object)
        context.update(_progress_context(self.object))
        context["kind"] = self.kind()
        context["kind_counts"] = [(kind, label, counts.get(kind, 0)) for kind, label in ChangeKind.choices]
        context["change_total"] = counts.get("", 0)
        # A connection's first sync records its hotlines on the run only (see PageCounts in services/sync/compare.py).
        run = self.object
        context["initial_import"] = run.status == SyncStatus.SUCCEEDED and run.created and not counts.get("appeared")
        return context


class SyncRunProgressView(PermissionRequiredMixin, View):
    """The live fragment htmx polls while a run is under way. When it has just ended, the whole
    page reloads once (HX-Refresh), so figures, lists and the changes all show the outcome."""

    permission_required = VIEW_PERMISSION

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(selectors.sync_run_list(), pk=pk)
        context = {**_progress_context(run), "detail_page": request.GET.get("detail") == "1"}
        response = render(request, "hotlines/includes/sync_progress.html", context)
        if getattr(request, "htmx", False) and run.status not in ACTIVE_SYNC_STATUSES:
            response["HX-Refresh"] = "true"
        return response


# --- actions ----------------------------------------------------------------------------------


def already_running_message(run: SyncRun) -> str:
    since = date_format(timezone.localtime(run.started_at), "DATETIME_FORMAT")
    if run.status == SyncStatus.QUEUED:
        return _t("A sync of “%(connection)s” is already waiting to start (queued since %(since)s).") % {
            "connection": run.connection.name,
            "since": since,
        }
    return _t("A sync of “%(connection)s” is already running since %(since)s.") % {
        "connection": run.connection.name,
        "since": since,
    }


class SyncStartView(PermissionRequiredMixin, View):
    """Sync now: queue a sync of one connection (or of every active one) for the background worker."""

    permission_required = RUN_PERMISSION
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        connections = Connection.objects.filter(is_active=True).order_by("name")
        chosen = request.POST.get("connection", "")
        if chosen:
            pk = id_parse(chosen)
            if pk is None:  # the form only ever sends a connection's ID: this one was made up
                return HttpResponseBadRequest(_t("Unknown connection."), content_type="text/plain; charset=utf-8")
            connections = connections.filter(pk=pk)
        connections = list(connections)
        if not connections:
            messages.error(request, _t("There is no active eTelecom connection to sync."))
            return redirect(next_url(request, reverse("hotlines:sync-list")))
        queued, busy = [], []
        for connection in connections:
            try:
                queued.append(sync_request(connection=connection, user=request.user, request=request))
            except SyncAlreadyRunning as exc:
                busy.append(exc.run)
        for run in busy:
            messages.warning(request, already_running_message(run))
        watched = queued or busy
        if len(watched) == 1 and request.user.has_perm(VIEW_PERMISSION):
            # The run's page says queued, then running, then how it ended, live: a message saying
            # "queued" on top of it would stay there, wrong, for the whole run.
            return redirect(watched[0])
        for run in queued:
            messages.success(
                request,
                _t("Sync of “%(connection)s” requested; the bar above follows it.")
                % {"connection": run.connection.name},
            )
        return redirect(next_url(request, reverse("hotlines:sync-list")))


class SyncCancelView(PermissionRequiredMixin, View):
    """Stop a queued or running sync; the data stays as it was."""

    permission_required = RUN_PERMISSION
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(SyncRun, pk=pk)
        if sync_run_cancel(run=run, user=request.user):
            messages.success(request, _t("Sync #%(id)s was cancelled; the data is unchanged.") % {"id": run.pk})
        else:
            messages.info(request, _t("Sync #%(id)s had already finished.") % {"id": run.pk})
        return HttpResponseRedirect(run.get_absolute_url())


# --- the freshness bar ------------------------------------------------------------------------


class FreshnessView(PermissionRequiredMixin, View):
    """The freshness bar alone, polled by htmx while a sync is under way."""

    permission_required = "hotlines.view_hotline"

    def get(self, request: HttpRequest) -> HttpResponse:
        fresh = selectors.freshness()
        context = {
            "freshness": fresh,
            # The bar was showing a sync under way and now it has ended: the page shows old data.
            "just_finished": request.GET.get("watching") == "1" and not fresh.running,
        }
        return render(request, "includes/freshness.html", context)
