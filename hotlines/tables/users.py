"""The Users table: each account with its roles, state and badges (superuser, locked out)."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..dates import WhenColumn
from ..services.users import ROLE_LABELS
from .base import ListTable

User = get_user_model()


class UserTable(ListTable):
    """Every account: roles, state, last sign-in; badges for superusers and lock-outs."""

    label = gettext_lazy("Users")
    username = tables.Column(verbose_name=gettext_lazy("Username"), order_by=("username",))
    full_name = tables.Column(
        verbose_name=gettext_lazy("Name"), accessor="get_full_name", order_by=("first_name", "last_name")
    )
    email = tables.Column(verbose_name=gettext_lazy("Email"))
    roles = tables.Column(verbose_name=gettext_lazy("Role"), accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"))
    last_login = WhenColumn(verbose_name=gettext_lazy("Last sign-in"))

    class Meta(ListTable.Meta):
        model = User
        fields = ("username", "full_name", "email", "roles", "is_active", "last_login")
        order_by = ("username",)
        empty_text = gettext_lazy("No user matches these filters.")

    def __init__(self, *args, locked: set[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked

    def render_username(self, value: str, record) -> str:
        badges = []
        if record.is_superuser:
            badges.append(("badge-new", _("Superuser")))
        if value in self.locked:
            badges.append(("badge-disabled", _("Locked out")))
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("hotlines:user-edit", args=[record.pk]),
            value,
            format_html_join("", ' <span class="badge {}">{}</span>', badges),
        )

    def render_roles(self, value, record) -> str:
        names = [ROLE_LABELS.get(g.name, g.name) for g in record.groups.all()]
        return ", ".join(str(n) for n in names) or "—"
