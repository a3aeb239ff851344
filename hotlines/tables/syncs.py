"""The Syncs tables: every run with its figures and outcome, and what one run changed."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ..choices import SyncStatus
from ..dates import when_html
from ..models import Hotline, SyncRun
from .base import ListTable


def duration_text(run: SyncRun) -> str:
    """How long a run took (or has been going), e.g. '12.3 s' or '4 min 05 s'."""
    if run.status == SyncStatus.QUEUED:
        return "—"
    end = run.finished_at or timezone.now()
    seconds = max((end - run.started_at).total_seconds(), 0.0)
    if seconds < 60:
        return _t("%(seconds).1f s") % {"seconds": seconds}
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return _t("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": rest}
    return _t("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}


class SyncRunTable(ListTable):
    """Every sync run, newest first: who asked, how long it took, its figures and outcome."""

    label = _("Sync runs")
    id = tables.Column(verbose_name="#", linkify=True, attrs={"td": {"class": "nowrap"}})
    connection = tables.Column(verbose_name=_("Connection"), accessor="connection__name")
    trigger = tables.Column(verbose_name=_("Trigger · who"), orderable=False, empty_values=())
    started_at = tables.Column(verbose_name=_("Started"))
    duration = tables.Column(verbose_name=_("Duration"), orderable=False, empty_values=(), attrs=NUMBER)
    status = tables.Column(verbose_name=_("Status"))
    fetched = tables.Column(verbose_name=_("Fetched"), attrs=NUMBER)
    created = tables.Column(verbose_name=_("Created"), attrs=NUMBER)
    updated = tables.Column(verbose_name=_("Updated"), attrs=NUMBER)
    removed = tables.Column(verbose_name=_("Removed"), attrs=NUMBER)
    error = tables.Column(verbose_name=_("Error"), orderable=False, attrs={"td": {"class": "col-error"}})

    class Meta(ListTable.Meta):
        model = SyncRun
        fields = ("id", "connection", "trigger", "started_at", "duration", "status")
        sequence = (*fields, "fetched", "created", "updated", "removed", "error")
        order_by = ("-started_at",)
        empty_text = _("No sync has run yet.")

    def render_id(self, value) -> str:
        return f"#{value}"

    def render_trigger(self, record: SyncRun) -> str:
        who = record.requested_by.get_username() if record.requested_by else ""
        return f"{record.get_trigger_display()} · {who}" if who else record.get_trigger_display()

    def render_started_at(self, value) -> str:
        return when_html(value)

    def render_duration(self, record: SyncRun) -> str:
        return duration_text(record)

    def render_status(self, record: SyncRun) -> str:
        return format_html('<span class="badge badge-run-{}">{}</span>', record.status, record.get_status_display())

    def render_error(self, value: str) -> str:
        return format_html('<span title="{}">{}</span>', value, value if len(value) <= 90 else value[:88] + "…")

    def _figure(self, value: int) -> str:
        return f"{value:,}"

    render_fetched = render_created = render_updated = render_removed = _figure


class SyncChangeTable(ListTable):
    """What one run changed: one row per hotline, its changes (field by field, old → new) inside."""

    label = _("Changes")
    hotline = tables.Column(verbose_name=_("Hotline"), linkify=True, orderable=False, attrs={"td": {"class": "mono"}})
    name = tables.Column(verbose_name=_("Name"), orderable=False)
    changes = tables.TemplateColumn(
        template_name="hotlines/includes/sync_change_cell.html",
        verbose_name=_("What changed"),
        orderable=False,
        empty_values=(),
    )

    class Meta(ListTable.Meta):
        model = Hotline
        fields = ("hotline", "name")
        empty_text = _("This sync changed nothing.")
