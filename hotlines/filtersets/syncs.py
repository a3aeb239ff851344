"""The Syncs list's filters, as checkbox groups like the hotline list's (several may be ticked)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import SyncStatus, SyncTrigger
from ..models import Connection, SyncRun
from .fields import IdChoiceFilter


class SyncRunFilterSet(django_filters.FilterSet):
    """The Syncs list's filters, as checkbox groups like the hotline list's (several may be ticked)."""

    status = django_filters.MultipleChoiceFilter(
        choices=SyncStatus.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    trigger = django_filters.MultipleChoiceFilter(
        choices=SyncTrigger.choices, label=_("Trigger"), widget=forms.CheckboxSelectMultiple
    )
    # By ID, read strictly (`id_parse`): a crafted one is ignored with a note, never a 500.
    connection = IdChoiceFilter(
        queryset=Connection.objects.only("pk", "name").order_by("name"),
        label=_("eTelecom account"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SyncRun
        fields = ["status", "trigger", "connection"]
