"""The hotline list and detail pages."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, QueryDict
from django.urls import reverse
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .. import selectors
from ..filtersets import HotlineFilterSet
from ..models import Hotline
from ..normalize import international
from ..tables import HotlineTable

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 500


def safe_back_query(raw: str) -> str:
    """A list query string to go back to, re-encoded so it can only ever be a query string."""
    return urlencode(list(QueryDict(raw).lists()), doseq=True)


class HotlineListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "hotlines.view_hotline"
    table_class = HotlineTable
    filterset_class = HotlineFilterSet
    template_name = "hotlines/hotline_list.html"

    def get_queryset(self):
        return selectors.hotline_list()

    def get_table_kwargs(self):
        return {"back": quote(self.request.GET.urlencode())}

    def get_table_pagination(self, table):
        try:
            per_page = int(self.request.GET.get("per_page", PER_PAGE_DEFAULT))
        except ValueError:
            per_page = PER_PAGE_DEFAULT
        return {"per_page": min(max(per_page, 1), PER_PAGE_MAX)}


class HotlineDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/hotline_detail.html"
    context_object_name = "hotline"

    def get_object(self, queryset=None) -> Hotline:
        try:
            return selectors.hotline_get(pk=self.kwargs["pk"])
        except Hotline.DoesNotExist as exc:
            raise Http404("No such hotline.") from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back = safe_back_query(self.request.GET.get("back", ""))
        context["back_url"] = reverse("hotlines:list") + (f"?{back}" if back else "")
        context["international"] = international(self.object.hotline)
        context["changes"] = self.object.changes.select_related("sync_run")[:200]
        return context
