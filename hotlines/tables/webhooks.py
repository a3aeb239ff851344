"""The Webhooks table (name, host, watches, state, failures, last delivery) and one webhook's delivery log."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..dates import WhenColumn, when_html
from ..models import DeliveryStatus, Webhook, WebhookDelivery
from .base import ListTable

STATUS_BADGES = {
    DeliveryStatus.PENDING: "badge-run-queued",
    DeliveryStatus.DELIVERING: "badge-run-running",
    DeliveryStatus.DELIVERED: "badge-run-succeeded",
    DeliveryStatus.FAILED: "badge-run-failed",
}


def status_badge(status: str) -> str:
    label = DeliveryStatus(status).label if status in DeliveryStatus.values else status
    return format_html('<span class="badge {}">{}</span>', STATUS_BADGES.get(status, ""), label)


class WebhookTable(ListTable):
    """Every webhook: where it posts, how many watches, whether it is on, failures, last delivery."""

    label = gettext_lazy("Webhooks")
    name = tables.Column(verbose_name=gettext_lazy("Name"))
    url = tables.Column(verbose_name=gettext_lazy("Host"), orderable=False)
    watch_count = tables.Column(verbose_name=gettext_lazy("Watches"), attrs={"td": {"class": "num"}})
    is_active = tables.Column(verbose_name=gettext_lazy("State"))
    consecutive_failures = tables.Column(verbose_name=gettext_lazy("Failures"), attrs={"td": {"class": "num"}})
    last_delivery_at = WhenColumn(verbose_name=gettext_lazy("Last delivery"))

    class Meta(ListTable.Meta):
        model = Webhook
        fields = ("name", "url", "watch_count", "is_active", "consecutive_failures", "last_delivery_at")
        order_by = ("name",)
        empty_text = gettext_lazy("No webhook yet. Add the address of a system that should hear about changes.")

    def render_name(self, value: str, record: Webhook) -> str:
        return format_html('<a href="{}">{}</a>', reverse("hotlines:webhook-edit", args=[record.pk]), value)

    def render_url(self, value: str, record: Webhook) -> str:
        parts = urlsplit(value)
        return format_html('<span class="mono" title="{}">{}</span>', value, parts.netloc or value)

    def render_is_active(self, value: bool, record: Webhook) -> str:
        if value:
            return format_html('<span class="badge badge-enabled">{}</span>', _("Active"))
        reason = (
            format_html('<br><span class="muted">{}</span>', record.disabled_reason) if record.disabled_reason else ""
        )
        return format_html('<span class="badge badge-removed">{}</span>{}', _("Inactive"), reason)

    def render_consecutive_failures(self, value: int, record: Webhook) -> str:
        return format_html("{} / {}", value, record.failure_limit)

    def render_last_delivery_at(self, value, record: Webhook) -> str:
        link = reverse("hotlines:webhook-deliveries", args=[record.pk])
        return format_html(
            '<a href="{}">{}</a> {}', link, when_html(value),
            status_badge(record.last_delivery_status),
        )  # fmt: skip


class WebhookDeliveryTable(ListTable):
    """One webhook's deliveries: what, status, tries, the receiver's answer, when, the error, the key."""

    label = gettext_lazy("Deliveries")
    created_at = WhenColumn(verbose_name=gettext_lazy("Made"), orderable=False)
    event = tables.Column(verbose_name=gettext_lazy("Event"), orderable=False)
    status = tables.Column(verbose_name=gettext_lazy("Status"), orderable=False)
    tries = tables.Column(verbose_name=gettext_lazy("Tries"), orderable=False, attrs={"td": {"class": "num"}})
    response_code = tables.Column(
        verbose_name=gettext_lazy("Response"), orderable=False, attrs={"td": {"class": "num"}}
    )
    last_try_at = WhenColumn(verbose_name=gettext_lazy("Last try"), orderable=False)
    error = tables.Column(verbose_name=gettext_lazy("Error"), orderable=False)
    idempotency_key = tables.Column(verbose_name=gettext_lazy("Idempotency key"), orderable=False)

    class Meta(ListTable.Meta):
        model = WebhookDelivery
        fields = (
            "created_at", "event", "status", "tries", "response_code", "last_try_at", "error", "idempotency_key"
        )  # fmt: skip
        empty_text = gettext_lazy("Nothing delivered yet. “Send test” posts a test delivery.")

    def render_event(self, value: str, record: WebhookDelivery) -> str:
        if record.sync_run_id:
            link = reverse("hotlines:sync-detail", args=[record.sync_run_id])
            return format_html('<span class="mono">{}</span><br><a href="{}">{}</a>', value, link, _("Sync run"))
        return format_html('<span class="mono">{}</span>', value)

    def render_status(self, value: str, record: WebhookDelivery) -> str:
        if record.status == DeliveryStatus.PENDING and record.next_try_at:
            return format_html(
                '{}<br><span class="muted">{}</span>',
                status_badge(record.status),
                _("next try %(when)s") % {"when": when_html(record.next_try_at)},
            )
        return status_badge(record.status)  # `value` is the label (a field with choices)

    def render_error(self, value: str, record: WebhookDelivery) -> str:
        tries = [a for a in record.attempts if isinstance(a, dict)] if isinstance(record.attempts, list) else []
        if len(tries) < 2:
            return value
        items = format_html_join(
            "",
            "<li>{} · {} · {}</li>",
            ((when_html(_parse(t.get("at"))), t.get("code") or "—", t.get("error") or _("OK")) for t in tries),
        )
        return format_html(
            '{}<details><summary>{}</summary><ol class="tries">{}</ol></details>', value, _("Every try"), items
        )

    def render_idempotency_key(self, value) -> str:
        return format_html('<span class="mono">{}</span>', value)


def _parse(value):
    """A try's time as stored (ISO text), or None when it is not one."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
