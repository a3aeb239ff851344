"""The hotline list and detail pages."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_htmx.http import push_url
from django_tables2 import SingleTableMixin

from .. import listing, selectors
from ..filtersets import FACETS, HotlineFilterSet
from ..models import Hotline
from ..normalize import international
from ..services.preferences import user_preference_update
from ..tables import HotlineTable, columns_all
from .exports import ExportMixin

RESULTS_TARGET = "results"  # htmx swaps only the results (filter change, sort, page)...
FORM_TARGET = "filter-form"  # ...or the whole form, when a chip or Reset changes the filters too


def safe_back_query(raw: str) -> str:
    """A list query string to go back to, re-encoded so it can only ever be a query string."""
    return urlencode(list(QueryDict(raw).lists()), doseq=True)


def canonical_query(query: QueryDict, **replace: str | int | None) -> QueryDict:
    """The query without empty values (what a shared link needs), with some keys replaced."""
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        kept = [value for value in values if value != ""]
        if kept and key not in replace:
            clean.setlist(key, kept)
    for key, value in replace.items():
        if value not in (None, ""):
            clean[key] = str(value)
    return clean


class HotlineListView(PermissionRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """The list: quick search, filters with facet counts, chips, sorting, paging, chosen columns.

    An htmx request aimed at the results gets only them (and the facet counts, out of band)."""

    permission_required = "hotlines.view_hotline"
    table_class = HotlineTable
    filterset_class = HotlineFilterSet
    template_name = "hotlines/hotline_list.html"
    strict = False  # an unusable filter value is reported and ignored, the others still apply

    def get_filterset(self, filterset_class):
        preference = selectors.user_preference_get(user=self.request.user)
        self.version = selectors.data_version()
        asked = listing.list_request(
            self.request.GET, preference=preference, request=self.request, version=self.version
        )
        if asked.per_page_chosen and (preference is None or preference.per_page != asked.per_page):
            user_preference_update(user=self.request.user, per_page=asked.per_page)
        self.asked = asked
        return asked.filterset

    def get_table(self, **kwargs):
        asked = self.asked
        table = asked.table()
        table.request = self.request  # not as an argument: that would paginate it a first time
        count, self.facets = listing.list_counts(asked.filterset, version=self.version)
        page, notes = listing.page_number(asked.query, count=count, per_page=asked.per_page)
        asked.notes += notes
        table.paginate(paginator_class=listing.CountedPaginator, per_page=asked.per_page, page=page, count=count)
        self.query = canonical_query(asked.canonical(), page=page if page > 1 else None)
        table.back = quote(self.query.urlencode())
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asked, filterset = self.asked, self.asked.filterset
        facets = self.facets
        chips = filterset.chips(asked.canonical())
        context.update(
            list_query=self.query,
            oob=self._htmx_target() == RESULTS_TARGET,  # facet counts change beside the swapped results
            partial=self._htmx_target() in (RESULTS_TARGET, FORM_TARGET),  # the export menu follows too
            facet_groups=[
                _facet_group(filterset, name, facets[name])
                for name in FACETS
                # The account filter only when there is a choice (several active accounts).
                if name != "connection" or selectors.connection_count() > 1
            ],
            show_methods=bool(filterset.filters["method"].extra["choices"]),
            notes=asked.notes,
            chips=chips,
            filter_count=len(chips) - ("q" in filterset.active()),  # the Filters button's; the search has its box
            per_page=asked.per_page,
            per_page_choices=listing.PER_PAGE_CHOICES,
            sort=asked.sort,
            columns_visible=asked.columns,
            columns_all=_columns_in_order(asked.columns),
            columns_open=self.request.session.pop("hotline_columns_open", False),
        )
        return context

    def _htmx_target(self) -> str | None:
        htmx = getattr(self.request, "htmx", None)
        return htmx.target if htmx and not htmx.history_restore_request else None

    def get_template_names(self):
        partial = {RESULTS_TARGET: "hotlines/includes/results.html", FORM_TARGET: "hotlines/includes/list_form.html"}
        return [partial.get(self._htmx_target(), self.template_name)]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        if getattr(self.request, "htmx", None):
            query = self.query.urlencode()
            push_url(response, reverse("hotlines:list") + (f"?{query}" if query else ""))
        return response


def _facet_group(filterset: HotlineFilterSet, name: str, counts: dict[str, int]) -> dict:
    """A facet filter for the template: each choice with its count under the other filters."""
    field = filterset.form[name]
    # Strings throughout: an account's choice value is its ID, and what is ticked are Connections.
    checked = {str(getattr(item, "pk", item)) for item in filterset.form.cleaned_data.get(name) or ()}
    choices = [
        {"value": str(value), "label": label, "count": counts.get(str(value), 0), "checked": str(value) in checked}
        for value, label in field.field.choices
    ]
    return {"name": name, "label": field.label, "choices": choices, "total": sum(counts.values())}


def _columns_in_order(visible: list[str]) -> list[tuple[str, str, bool]]:
    """Every column as (name, label, shown): the shown ones in their order, then the others."""
    labels = dict(columns_all())
    hidden = [name for name in labels if name not in visible]
    return [(name, labels[name], True) for name in visible] + [(name, labels[name], False) for name in hidden]


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
        page = max(listing.parse_int(back.get("page")) or 1, 1)
        neighbours = selectors.hotline_neighbours(
            queryset=asked.queryset, pk=self.object.pk, page=page, per_page=asked.per_page
        )
        back = canonical_query(asked.canonical(), page=(neighbours.page if neighbours else page))
        context.update(
            back_url=_list_url(canonical_query(back, page=back.get("page") if back.get("page") != "1" else None)),
            neighbours=neighbours,
            previous_url=_detail_url(neighbours.previous, back, neighbours.previous_page) if neighbours else "",
            next_url=_detail_url(neighbours.next, back, neighbours.next_page) if neighbours else "",
            international=international(self.object.hotline),
            story=selectors.hotline_status_story(hotline=self.object),
            changes=self.object.changes.select_related("sync_run")[:200],
        )
        return context


def _list_url(query: QueryDict) -> str:
    encoded = query.urlencode()
    return reverse("hotlines:list") + (f"?{encoded}" if encoded else "")


def _detail_url(pk: int | None, back: QueryDict, page: int) -> str:
    if pk is None:
        return ""
    query = canonical_query(back, page=page if page > 1 else None)
    return reverse("hotlines:detail", args=[pk]) + "?" + urlencode({"back": query.urlencode()})
