"""The hotline list table (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .choices import HotlineStatus
from .models import Hotline

STATUS_BADGES = {
    HotlineStatus.ENABLED: "badge-enabled",
    HotlineStatus.DISABLED: "badge-disabled",
    HotlineStatus.NEW: "badge-new",
}


class HotlineTable(tables.Table):
    """Every column sorts; `id` breaks ties so paging is stable."""

    hotline = tables.Column(verbose_name=_("Hotline"), order_by=("hotline", "id"), attrs={"td": {"class": "mono"}})
    name = tables.Column(verbose_name=_("Name"), order_by=("name", "id"))
    network = tables.Column(verbose_name=_("Network"), order_by=("network", "id"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "id"))
    is_free_charge = tables.BooleanColumn(verbose_name=_("Free of charge"), order_by=("is_free_charge", "id"))
    owner_id = tables.Column(verbose_name=_("Owner ID"), order_by=("owner_id", "id"), attrs={"td": {"class": "mono"}})
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), order_by=("created_at", "id"), format="Y-m-d H:i")
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), order_by=("updated_at", "id"), format="Y-m-d H:i")

    class Meta:
        model = Hotline
        fields = ("hotline", "name", "network", "status", "is_free_charge", "owner_id", "created_at", "updated_at")
        order_by = ("-created_at",)
        attrs = {"class": "table"}
        empty_text = _("No hotline matches these filters.")

    def __init__(self, *args, back: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.back = back

    def render_hotline(self, value: str, record: Hotline) -> str:
        url = record.get_absolute_url()
        if self.back:
            url = f"{url}?back={self.back}"
        removed = format_html(' <span class="badge badge-removed">{}</span>', _("removed")) if record.is_removed else ""
        return format_html('<a href="{}">{}</a>{}', url, value, removed)

    def render_network(self, value: str, record: Hotline) -> str:
        return record.network_label

    def render_status(self, value: str, record: Hotline) -> str:
        css = STATUS_BADGES.get(value, "badge-other")
        return format_html('<span class="badge {}">{}</span>', css, record.status_label)
