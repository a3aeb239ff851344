"""The Users list's filters: a quick search by name or email, role and state."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy

from ..services.users import ROLE_LABELS, ROLES

User = get_user_model()


class UserFilterSet(django_filters.FilterSet):
    """Quick search by name or email, and filters by role and state."""

    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="search")
    # Each empty choice says what it does ("---------" says nothing, and reads as an error).
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("Role"),
        field_name="groups__name",
        choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        empty_label=gettext_lazy("Any role"),
    )
    is_active = django_filters.BooleanFilter(
        label=gettext_lazy("State"),
        widget=forms.Select(
            choices=[
                ("", gettext_lazy("Any state")),
                ("true", gettext_lazy("Active")),
                ("false", gettext_lazy("Inactive")),
            ]
        ),
    )

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
