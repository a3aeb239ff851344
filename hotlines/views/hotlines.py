"""The hotline list and detail pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, QueryDict
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from .. import listing, selectors
from ..ids import id_parse
from ..list_page import COUNT_PARAM, hotline_list_page
from ..list_saved_views import list_views
from ..listing import VIEW_PARAM, canonical_query, list_url, safe_back_query
from ..models import Hotline
from ..normalize import international
from ..selectors.saved_views import watch_of
from ..selectors.tenancy import owner_key, tenants_by_owner
from .browsing import FORM_TARGET, RESULTS_TARGET, HtmxListMixin
from .exports import ExportMixin


class HotlineListView(PermissionRequiredMixin, ExportMixin, HtmxListMixin, TemplateView):
    """The list: quick search, filters with facet counts, chips, sorting, paging, chosen columns.

    Built once per request by `hotline_list_page`, then rendered; an htmx request aimed at the
    results gets only them (and the facet counts, out of band)."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/hotline_list.html"
    partial_templates = {
        RESULTS_TARGET: "hotlines/includes/results.html",
        FORM_TARGET: "hotlines/includes/list_form.html",
    }

    def get_context_data(self, **kwargs):
        preference = selectors.user_preference_get(user=self.request.user)
        version = selectors.data_version()  # once per request: the menu's counts and the list's
        views = list_views(user=self.request.user, raw=self.request.GET.get(VIEW_PARAM), version=version)
        # Without script, the pending count's link asks for the exact figures on the page itself.
        exact = self.request.GET.get(COUNT_PARAM) == "exact"
        page = hotline_list_page(
            request=self.request, preference=preference, view=views.open, exact=exact, version=version
        )
        context = page.context()
        context["notes"] = [*views.notes, *context["notes"]]
        return super().get_context_data(
            **kwargs,
            **context,
            **self.htmx_context(),
            views=views,
            columns_open=self.request.session.pop("hotline_columns_open", False),
        )

    def list_url(self, query: QueryDict) -> str:
        return list_url(query)


class HotlineCountsView(PermissionRequiredMixin, ExportMixin, TemplateView):
    """`GET /hotlines/counts/?<the list's query>`: the list's exact count, facet counts, page links
    and export menu, as a fragment; the list page asks for it (htmx, on load) when it showed its
    rows before a slow count was done. Counted once per data version and query, as the page counts."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/includes/list_counts.html"

    def get(self, request, *args, **kwargs):
        return TemplateView.get(self, request, *args, **kwargs)  # counts only: never an export

    def get_context_data(self, **kwargs):
        preference = selectors.user_preference_get(user=self.request.user)
        version = selectors.data_version()
        views = list_views(user=self.request.user, raw=self.request.GET.get(VIEW_PARAM), version=version)
        page = hotline_list_page(
            request=self.request, preference=preference, view=views.open, exact=True, version=version
        )
        context = super().get_context_data(**kwargs, **page.context())
        context["export_url"] = reverse("hotlines:list")  # the menu's form exports the list, not this
        return context


class HotlineDetailView(PermissionRequiredMixin, DetailView):
    """One hotline: every field, its status over time, its history, the payload as received, and
    the previous and next hotline of the list the person came from."""

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
        back = QueryDict(safe_back_query(self.request.GET.get("back", "")))
        preference = selectors.user_preference_get(user=self.request.user)
        asked = listing.list_request(back, preference=preference, request=self.request)
        # Back to the saved view the person came from (the list checks again that they may see it).
        asked.view = id_parse(back.get(VIEW_PARAM, ""))
        page = max(listing.parse_int(back.get("page")) or 1, 1)
        neighbours = selectors.hotline_neighbours(
            queryset=asked.queryset, pk=self.object.pk, page=page, per_page=asked.per_page
        )
        back = canonical_query(asked.canonical(), page=(neighbours.page if neighbours else page))
        context.update(
            back_url=list_url(canonical_query(back, page=back.get("page") if back.get("page") != "1" else None)),
            neighbours=neighbours,
            previous_url=_detail_url(neighbours.previous, back, neighbours.previous_page) if neighbours else "",
            next_url=_detail_url(neighbours.next, back, neighbours.next_page) if neighbours else "",
            international=international(self.object.hotline),
            story=selectors.hotline_status_story(hotline=self.object),
            changes=self.object.changes.select_related("sync_run")[:200],
            tenants=tenants_by_owner([self.object]).get(owner_key(self.object), []),
            watch=watch_of(user=self.request.user, hotline=self.object),
        )
        return context


def _detail_url(pk: int | None, back: QueryDict, page: int) -> str:
    if pk is None:
        return ""
    query = canonical_query(back, page=page if page > 1 else None)
    return reverse("hotlines:detail", args=[pk]) + "?" + urlencode({"back": query.urlencode()})
