"""The tenant list and detail pages."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, QueryDict
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from .. import selectors
from ..models import ExportKind, Tenant
from ..tenant_list_page import tenant_back_url, tenant_list_page, tenant_list_url
from .browsing import FORM_TARGET, RESULTS_TARGET, HtmxListMixin
from .exports import ExportMixin


class TenantListView(PermissionRequiredMixin, ExportMixin, HtmxListMixin, TemplateView):
    """The tenants: quick search by name or domain, status and account filters with counts,
    sort on every column, paging, exports; htmx swaps as on the hotline list."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/tenants/list.html"
    partial_templates = {
        RESULTS_TARGET: "hotlines/tenants/results.html",
        FORM_TARGET: "hotlines/tenants/list_form.html",
    }
    export_kind = ExportKind.TENANTS

    def get_context_data(self, **kwargs):
        preference = selectors.user_preference_get(user=self.request.user)
        page = tenant_list_page(request=self.request, preference=preference)
        return super().get_context_data(**kwargs, **page.context(), **self.htmx_context())

    def list_url(self, query: QueryDict) -> str:
        return tenant_list_url(query)


class TenantDetailView(PermissionRequiredMixin, DetailView):
    """One tenant: every field, its change history, its hotlines (counts, the first ones, a link
    to all of them on the hotline list)."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/tenants/detail.html"
    context_object_name = "tenant"

    def get_object(self, queryset=None) -> Tenant:
        try:
            return selectors.tenant_get(pk=self.kwargs["pk"])
        except Tenant.DoesNotExist as exc:
            raise Http404("No such tenant.") from exc

    def get_context_data(self, **kwargs):
        tenant = self.object
        return super().get_context_data(
            **kwargs,
            back_url=tenant_back_url(self.request.GET.get("back", "")),
            hotlines=selectors.tenant_hotlines(tenant=tenant),
            hotlines_url=reverse("hotlines:list") + f"?tenant={tenant.pk}",
            changes=selectors.tenant_changes(tenant=tenant),
        )
