"""The list's filters (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import HotlineStatus, Network, label_for
from .models import Hotline
from .selectors import hotline_values


def _choices(enum, field: str) -> list[tuple[str, str]]:
    """The documented values first, then any other value found in the data, shown as received."""
    known = [(value, str(label)) for value, label in enum.choices]
    extra = [(value, label_for(enum, value)) for value in hotline_values(field) if value not in enum.values]
    return known + extra


class HotlineFilterSet(django_filters.FilterSet):
    """Filters for the hotline list; each is repeatable in the query string."""

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=lambda: _choices(HotlineStatus, "status"), widget=forms.CheckboxSelectMultiple
    )
    network = django_filters.MultipleChoiceFilter(
        label=_("Network"), choices=lambda: _choices(Network, "network"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Hotline
        fields = ["status", "network"]
