"""The admins' Exports list's filters: user, format, status, in background or not."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy

from ..models import ExportFormat, ExportRecord, ExportStatus


class ExportRecordFilterSet(django_filters.FilterSet):
    """Filters for the admins' list of exports."""

    username = django_filters.CharFilter(label=gettext_lazy("User"), lookup_expr="icontains")
    format = django_filters.ChoiceFilter(label=gettext_lazy("Format"), choices=ExportFormat.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=ExportStatus.choices)
    background = django_filters.BooleanFilter(
        label=gettext_lazy("In background"),
        widget=forms.Select(
            choices=[("", gettext_lazy("Any")), ("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]
        ),
    )

    class Meta:
        model = ExportRecord
        fields = ["username", "format", "status", "background"]
