"""The Syncs pages: every run with its figures and outcome."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView, ListView

from .. import selectors


class SyncRunListView(PermissionRequiredMixin, ListView):
    permission_required = "hotlines.view_syncrun"
    template_name = "hotlines/syncrun_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.sync_run_list()


class SyncRunDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "hotlines.view_syncrun"
    template_name = "hotlines/syncrun_detail.html"
    context_object_name = "run"

    def get_queryset(self):
        return selectors.sync_run_list()
