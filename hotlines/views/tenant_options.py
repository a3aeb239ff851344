"""The tenant picker's options (htmx): the chosen tenants and those matching what was typed."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from ..listing import TENANT_SEARCH_PARAM
from ..selectors.tenant_lookup import tenants_by_ids
from ..tenant_picker import tenant_picker


class TenantOptionsView(PermissionRequiredMixin, TemplateView):
    """`GET /tenants/options/?q=…&tenant=3`: the picker's checkboxes, as a partial. Whoever may
    browse hotlines may see their tenants' names; bad IDs are left out as the list leaves them."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/includes/tenant_options.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET
        chosen = tenants_by_ids(query.getlist("tenant")[:50]).found
        # `q` when asked directly; the search box's own name when htmx sends it.
        text = query.get("q") or query.get(TENANT_SEARCH_PARAM, "")
        return super().get_context_data(**kwargs, picker=tenant_picker(chosen=chosen, text=text))
