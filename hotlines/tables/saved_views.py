"""The Views page's table (the saved views a person may see) and the Watches page's table."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..dates import WhenColumn
from ..models import SavedView, Watch
from ..selectors.saved_views import saved_view_count
from ..services.saved_views import saved_view_can_delete, saved_view_can_edit
from .base import ListTable


def _yes(value: bool) -> str:
    return _("Yes") if value else "—"


class SavedViewTable(ListTable):
    """Every view the person may see: its name (opening it), owner, sharing, live count, whether
    they pinned and watch it, when it changed, and what they may do with it."""

    label = gettext_lazy("Saved views")

    name = tables.Column(verbose_name=gettext_lazy("Name"))
    owner = tables.Column(verbose_name=gettext_lazy("Owner"), accessor="owner__username")
    shared = tables.Column(verbose_name=gettext_lazy("Shared"))
    count = tables.Column(verbose_name=gettext_lazy("Hotlines"), empty_values=(), orderable=False,
                          attrs={"td": {"class": "num"}, "th": {"class": "num"}})  # fmt: skip
    pinned = tables.Column(verbose_name=gettext_lazy("Pinned"))
    watched = tables.Column(verbose_name=gettext_lazy("Watched"))
    updated_at = WhenColumn(verbose_name=gettext_lazy("Updated"))
    actions = tables.Column(verbose_name=gettext_lazy("Actions"), empty_values=(), orderable=False)

    class Meta(ListTable.Meta):
        model = SavedView
        fields = ("name", "owner", "shared", "count", "pinned", "watched", "updated_at", "actions")
        empty_text = gettext_lazy("No saved views yet: filter the hotline list, then “Save view” in its Views menu.")

    def __init__(self, *args, user, version: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.version = version

    def render_name(self, record: SavedView, value: str) -> str:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_shared(self, value: bool) -> str:
        if value:
            return format_html('<span class="badge badge-new">{}</span>', _("Shared"))
        return format_html('<span class="muted">{}</span>', _("Private"))

    def render_count(self, record: SavedView) -> str:
        return number_format(saved_view_count(query=record.query, version=self.version), force_grouping=True)

    def render_pinned(self, value: bool) -> str:
        return _yes(value)

    def render_watched(self, value: bool) -> str:
        return _yes(value)

    def render_actions(self, record: SavedView) -> str:
        links = []
        if saved_view_can_edit(user=self.user, view=record):
            links.append(format_html(
                '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
                reverse("hotlines:view-edit", args=[record.pk]), _("Edit"), record.name,
            ))  # fmt: skip
        if saved_view_can_delete(user=self.user, view=record):
            links.append(format_html(
                '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
                reverse("hotlines:view-delete", args=[record.pk]), _("Delete"), record.name,
            ))  # fmt: skip
        return format_html(" · ".join(["{}"] * len(links)), *links) if links else "—"


class WatchTable(ListTable):
    """A person's watches: what (a view or a hotline), how they are told, since when, and the
    forms to change the channel or stop watching."""

    label = gettext_lazy("Watches")

    target = tables.Column(verbose_name=gettext_lazy("Watching"), empty_values=(), orderable=False)
    email = tables.Column(verbose_name=gettext_lazy("Channel"), orderable=False)
    created_at = WhenColumn(verbose_name=gettext_lazy("Since"), orderable=False)
    actions = tables.TemplateColumn(
        template_name="hotlines/watches/actions.html", verbose_name=gettext_lazy("Actions"), orderable=False
    )

    class Meta(ListTable.Meta):
        model = Watch
        fields = ("target", "email", "created_at", "actions")
        attrs = {"class": "table", "id": "watches"}
        empty_text = gettext_lazy("You watch nothing yet: use “Watch” on a saved view or a hotline’s page.")

    def render_target(self, record: Watch) -> str:
        if record.view_id:
            return format_html('{} <a href="{}">{}</a>', _("View"), record.view.get_absolute_url(), record.view.name)
        return format_html(
            '{} <a href="{}" class="num">{}</a>',
            _("Hotline"), reverse("hotlines:detail", args=[record.hotline_id]), record.hotline.hotline,
        )  # fmt: skip

    def render_email(self, value: bool) -> str:
        return _("In the dashboard and by email") if value else _("In the dashboard")
