"""The audit log's table: who did what and when, its details in words."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..dates import WhenColumn
from ..models import AuditAction, AuditEntry
from .base import ListTable

# How the details' keys read; ids are left out (the target names the object), empty values too.
DETAIL_LABELS = {
    "fields": _("fields"),
    "outcome": _("outcome"),
    "count": _("hotlines"),
    "ms": _("time (ms)"),
    "error": _("error"),
    "reason": _("reason"),
    "added": _("added"),
    "removed": _("removed"),
    "roles": _("roles"),
    "is_active": _("active"),
    "locked_out": _("while locked out"),
    "failures": _("failures"),
    "unlocked": _("lock-outs lifted"),
    "deleted": _("deleted"),
    "rotated": _("re-encrypted"),
    "were_old": _("under an older key"),
    "older_than_days": _("older than (days)"),
    "via": _("via"),
}
HIDDEN_DETAILS = {"connection_id", "user_id", "before"}


def _humanize(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _details(value: dict):
    for key, item in value.items():
        if key in HIDDEN_DETAILS or item in ("", None, []):
            continue
        yield DETAIL_LABELS.get(key, key.replace("_", " ")), _humanize(item)


class AuditEntryTable(ListTable):
    """Who did what and when, newest first, the details in words."""

    label = _("Audit log")
    at = WhenColumn(verbose_name=_("When"), order_by=("at", "id"))
    actor_username = tables.Column(verbose_name=_("Who"), order_by=("actor_username", "id"))
    action = tables.Column(verbose_name=_("Action"), order_by=("action", "id"))
    target = tables.Column(verbose_name=_("Target"), order_by=("target", "id"))
    details = tables.Column(verbose_name=_("Details"), orderable=False)
    ip_address = tables.Column(verbose_name=_("IP address"), orderable=False, attrs={"td": {"class": "mono"}})

    class Meta(ListTable.Meta):
        model = AuditEntry
        fields = ("at", "actor_username", "action", "target", "details", "ip_address")
        order_by = ("-at",)
        attrs = {"class": "table table-audit"}
        empty_text = _("No audit entry matches these filters.")

    def render_actor_username(self, value: str) -> str:
        return value or "—"

    def render_action(self, value, record: AuditEntry) -> str:
        css = "badge-disabled" if record.action in (AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN_LOCKED) else ""
        return format_html('<span class="badge {}">{}</span>', css, record.get_action_display())

    def render_details(self, value: dict) -> str:
        shown = list(_details(value or {}))
        if not shown:
            return "—"
        return format_html('<dl class="details">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", shown))
