"""Exports: the list's `?…&_export=csv|xlsx|json`, background exports' progress and download, and
the admins' record of every export."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ..filtersets.exports import ExportRecordFilterSet
from ..models import ExportFormat, ExportKind, ExportRecord, ExportStatus
from ..services import exports
from ..tables.exports import (
    ExportRecordTable,
    MyExportTable,
    describe_columns,
    describe_filters,
    export_status_badge,
)

EXPORT_PERMISSION = "hotlines.export_hotline"
WORKER_LATE_AFTER = 60  # seconds an export may wait for the worker before the page says so
# The browser tells no page when a download starts. The export form (with JS) sends a random token;
# every answer to it sets this cookie to that token, and static/js/exports.js, polling for it,
# knows that the file is coming and ends its "Preparing…" state.
STARTED_COOKIE = "export_token"
STARTED_COOKIE_AGE = 120  # seconds: read within a quarter of a second by the page that waits for it
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9]{8,64}")
WHY_PARAM = "why"  # on the progress page: the limit that sent the export to the worker, if one did
QUEUED_REASONS = (exports.QUEUED_USER_LIMIT, exports.QUEUED_SITE_LIMIT)


def export_response(request: HttpRequest, *, kind: str = ExportKind.HOTLINES) -> HttpResponse:
    """The file for the list's query (streamed), or, for a large export, the way to its progress page."""
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
    fmt = request.GET.get(exports.EXPORT_PARAM, "")
    if fmt not in ExportFormat.values:
        return HttpResponseBadRequest(_("Unknown export format."), content_type="text/plain; charset=utf-8")
    choice = request.GET.get(exports.COLUMNS_PARAM, exports.VISIBLE)
    if choice not in exports.COLUMN_CHOICES:
        choice = exports.VISIBLE
    job = exports.export_start(
        user=request.user, query=request.GET, fmt=fmt, columns=choice, request=request, kind=kind
    )
    record = job.record
    if record.background:
        # Why it was queued travels with the address: the progress fragment says it while it polls,
        # and stops saying it once the file is ready (a flash message would stay on the page).
        # (A large export needs no reason: the banner's default says it.)
        limited = job.queued_because in QUEUED_REASONS
        why = {WHY_PARAM: job.queued_because} if limited else {}
        response = redirect(_with_query(reverse("hotlines:export-detail", args=[record.pk]), why))
    else:
        # Every format streams: the file's first bytes leave before its first row is read.
        response = StreamingHttpResponse(exports.export_stream(job=job), content_type=job.content_type)
        response["Content-Disposition"] = content_disposition_header(True, record.filename)
    response["Cache-Control"] = "private, no-store"
    _mark_started(request, response)
    return response


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def _mark_started(request: HttpRequest, response: HttpResponse) -> None:
    """Echo the form's token in a cookie, with the headers of the file (or of the way to its
    progress page), for the page that waits for it. A malformed token is ignored: the export is
    the same, only the page's wait ends by its own timeout."""
    token = request.GET.get(exports.EXPORT_TOKEN_PARAM, "")
    if not TOKEN_SHAPE.fullmatch(token):
        return
    response.set_cookie(
        STARTED_COOKIE,
        token,
        max_age=STARTED_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=False,  # read by the page's script; it holds only the random token the page chose
    )


def _queued_message(record: ExportRecord, reason: str) -> str:
    """Why the export is prepared in the background, and where its download link will appear."""
    count = record.row_count or 0
    if reason == exports.QUEUED_USER_LIMIT:
        return ngettext(
            "You already have %(count)s download under way, so this export is prepared in the background; "
            "the download link appears here when it is ready.",
            "You already have %(count)s downloads under way, so this export is prepared in the background; "
            "the download link appears here when it is ready.",
            settings.EXPORT_MAX_CONCURRENT_PER_USER,
        ) % {"count": settings.EXPORT_MAX_CONCURRENT_PER_USER}
    if reason == exports.QUEUED_SITE_LIMIT:
        return _(
            "Many downloads are under way right now, so this export is prepared in the background; "
            "the download link appears here when it is ready."
        )
    if record.kind == ExportKind.TENANTS:
        return ngettext(
            "Your export of %(count)s tenant is being prepared; the download link appears here when it is ready.",
            "Your export of %(count)s tenants is being prepared; the download link appears here when it is ready.",
            count,
        ) % {"count": number_format(count, force_grouping=True)}
    return ngettext(
        "Your export of %(count)s hotline is being prepared; the download link appears here when it is ready.",
        "Your export of %(count)s hotlines is being prepared; the download link appears here when it is ready.",
        count,
    ) % {"count": number_format(count, force_grouping=True)}


class ExportMixin:
    """Makes the list answer `?…&_export=csv|xlsx|json` (django-tables2's convention) with exactly its
    rows: every filter, the search and the sort, all pages."""

    export_kind: str = ExportKind.HOTLINES  # which list's rows and columns (services/exports/columns.py)

    def get(self, request, *args, **kwargs):
        if exports.EXPORT_PARAM in request.GET:
            return export_response(request, kind=self.export_kind)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context.get("table")
        rows = table.paginator.count if table is not None and hasattr(table, "paginator") else 0
        slow = [label for value, label in ExportFormat.choices if not exports.export_is_direct(fmt=value, rows=rows)]
        context["export_background_formats"] = get_text_list([str(label) for label in slow], _("and"))
        context["export_kind"] = self.export_kind
        context["export_url"] = self.request.path  # the list the menu sits on: its rows are the file's
        return context


# --- pages about exports ---------------------------------------------------------------------


class ExportRecordListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Admins: every export anybody made."""

    permission_required = "hotlines.view_exportrecord"
    table_class = ExportRecordTable
    filterset_class = ExportRecordFilterSet
    template_name = "hotlines/exports/export_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return ExportRecord.objects.all()


class MyExportListView(PermissionRequiredMixin, SingleTableMixin, ListView):
    """The signed-in person's own exports."""

    permission_required = EXPORT_PERMISSION
    table_class = MyExportTable
    template_name = "hotlines/exports/my_exports.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return ExportRecord.objects.filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "retention_hours": settings.EXPORT_RETENTION_HOURS}


class OwnExportMixin(PermissionRequiredMixin):
    """A background export, seen only by the person who asked for it (404 for anybody else)."""

    permission_required = EXPORT_PERMISSION

    def get_record(self) -> ExportRecord:
        return get_object_or_404(ExportRecord, pk=self.kwargs["pk"], user=self.request.user, background=True)


def _progress_context(record: ExportRecord, why: str = "") -> dict:
    total = record.row_count or 0
    done = min(record.progress, total) if total else record.progress
    in_flight = record.status in exports.IN_FLIGHT
    why = why if why in QUEUED_REASONS else ""
    return {
        "record": record,
        "in_flight": in_flight,
        # The "being prepared" banner belongs to the polled fragment: gone once the file is ready.
        "banner": _queued_message(record, why) if in_flight else "",
        "poll_url": _with_query(reverse("hotlines:export-progress", args=[record.pk]), {WHY_PARAM: why} if why else {}),
        "badge": export_status_badge(record),
        # Nobody picked it up within a minute: the worker is probably not running.
        "waiting_long": record.status == ExportStatus.PENDING
        and timezone.now() - record.created_at > timedelta(seconds=WORKER_LATE_AFTER),
        "available": exports.export_is_available(record=record),
        "done_rows": done,
        "percent": int(done * 100 / total) if total else (100 if record.status == ExportStatus.DONE else 0),
        "filters_text": describe_filters(record.filters, record.kind),
        "columns_text": describe_columns(record.columns, record.kind),
    }


class ExportDetailView(OwnExportMixin, DetailView):
    """A background export: its progress while it is written, then its download link."""

    template_name = "hotlines/exports/export_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None) -> ExportRecord:
        return self.get_record()

    def get_context_data(self, **kwargs):
        why = self.request.GET.get(WHY_PARAM, "")
        return {**super().get_context_data(**kwargs), **_progress_context(self.object, why)}


class ExportProgressView(OwnExportMixin, View):
    """The progress fragment htmx polls; it stops polling once the export is done or failed."""

    def get(self, request, *args, **kwargs):
        why = request.GET.get(WHY_PARAM, "")
        return render(request, "hotlines/exports/progress.html", _progress_context(self.get_record(), why))


class ExportDownloadView(OwnExportMixin, View):
    """A finished background export's file, to the person who asked only, while it is kept."""

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        if exports.export_is_available(record=record):
            response = FileResponse(
                record.file.open("rb"),
                as_attachment=True,
                filename=record.filename,
                content_type=exports.CONTENT_TYPES[record.format],
            )
            response["Cache-Control"] = "private, no-store"
            return response
        if record.status in exports.IN_FLIGHT:
            return redirect("hotlines:export-detail", pk=record.pk)
        return render(request, "hotlines/exports/export_gone.html", _progress_context(record), status=410)
