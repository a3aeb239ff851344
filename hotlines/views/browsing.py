"""What the browsing lists' views share (hotlines, tenants): htmx swaps of the results or the
whole form, with the list's address pushed so that Back, Forward and reload restore it."""

from __future__ import annotations

from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

RESULTS_TARGET = "results"  # htmx swaps only the results (filter change, sort, page)...
FORM_TARGET = "filter-form"  # ...or the whole form, when a chip or Reset changes the filters too


class HtmxListMixin:
    """A list page answering htmx with the part it targets, and pushing the list's canonical URL."""

    template_name: str
    partial_templates: dict[str, str]  # the template of each htmx target

    def htmx_target(self) -> str | None:
        """What an htmx request swaps (None for a full page, a history restore included)."""
        htmx = getattr(self.request, "htmx", None)
        return htmx.target if htmx and not htmx.history_restore_request else None

    def htmx_context(self) -> dict:
        """What the templates need to know about the swap."""
        target = self.htmx_target()
        return {
            "oob": target == RESULTS_TARGET,  # facet counts change beside the swapped results
            "partial": target in (RESULTS_TARGET, FORM_TARGET),  # the export menu follows too
        }

    def get_template_names(self) -> list[str]:
        return [self.partial_templates.get(self.htmx_target(), self.template_name)]

    def list_url(self, query: QueryDict) -> str:
        """The list's address for a canonical query."""
        raise NotImplementedError

    def render_to_response(self, context, **kwargs) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        if getattr(self.request, "htmx", None):
            push_url(response, self.list_url(context["list_query"]))
        return response
