"""The filter panel's parts written in Python (templatetags/filter_panel.py) against the templates
they stand for: the same characters for every facet, field and date range of real list pages
(bound to hostile values, with counts and while counting), in both languages."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from hotlines.templatetags.filter_panel import date_range, facet_fieldsets, filter_field

pytestmark = pytest.mark.django_db

HOSTILE = '<b>"x"</b>&'
QUERIES = [
    {},
    {"status": ["P", "N"], "network": "viettel", "free": "yes", "owner": HOSTILE, "include_removed": "on"},
    {
        "created_after": "2024-01-02",
        "created_before": "not-a-date",
        "updated_after": HOSTILE,
        "changed_since": "2025-02-30",
    },
    {"q": "tong", "network": ["<script>", "other"], "free": HOSTILE, "include_removed": "only"},
]
FIELDS = [("free", "Free of charge", ""), ("owner", "Owner ID", ""), ("include_removed", "Removed hotlines", "")]
HINTED = ("changed_since", "Changed since", 'Hotlines a sync <i>created</i> & "changed"')
RANGES = [("Created", "created_after", "created_before"), ("Updated", "updated_after", "updated_before")]


@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(q) or "none")
def test_the_panels_parts_are_their_templates(viewer_client, synced, settings, query, language, pending):
    settings.LIST_COUNT_BUDGET_MS = 0 if pending else 60_000
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    context = viewer_client.get(reverse("hotlines:list"), query).context
    groups, form = context["facet_groups"], context["filter"].form
    counting = any(choice["count"] is None for group in groups for choice in group["choices"])
    assert groups and counting == (pending and bool(query))  # facets only or nothing: from the totals
    with translation.override(language):
        assert facet_fieldsets(groups) + "\n" == render_to_string(
            "hotlines/includes/facet_groups.html", {"facet_groups": groups}
        )
        for name, label, hint in [*FIELDS, HINTED]:
            ours = filter_field(form[name], label, hint)
            assert ours == render_to_string(
                "hotlines/includes/filter_field.html", {"field": form[name], "label": label, "hint": hint}
            )
            assert "<b>" not in ours and "<i>" not in ours
        for legend, after, before in RANGES:
            assert date_range(legend, form[after], form[before]) == render_to_string(
                "hotlines/includes/date_range.html", {"legend": legend, "after": form[after], "before": form[before]}
            )


def test_the_list_page_shows_the_panel(viewer_client, synced):
    text = viewer_client.get(reverse("hotlines:list"), {"status": "P", "owner": HOSTILE}).text
    assert 'id="facet-status-all"' in text and re.search(r'name="status" value="P" id="id_status_\d" checked', text)
    assert 'class="filter-label">Owner ID</label>' in text and "<b>" not in text.split('id="filters"')[1][:20000]
    assert text.count('<div class="date-range">') == 2


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_account_facet_of_two_accounts_is_its_template(viewer_client, synced, settings, language):
    """With a second active eTelecom account the panel offers the account facet: its names (set
    by an administrator, so anything) are escaped as the template escapes them."""
    from tests.factories import ConnectionFactory, HotlineFactory

    other = ConnectionFactory(name='Chi nhánh <b>"Đà Nẵng"</b> & co')
    HotlineFactory(connection=other, owner_id="1")
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    context = viewer_client.get(reverse("hotlines:list"), {"connection": str(other.pk)}).context
    groups = context["facet_groups"]
    accounts = next(group for group in groups if group["name"] == "connection")
    assert len(accounts["choices"]) == 2 and sum(choice["checked"] for choice in accounts["choices"]) == 1
    with translation.override(language):
        ours = facet_fieldsets(groups)
        assert ours + "\n" == render_to_string("hotlines/includes/facet_groups.html", {"facet_groups": groups})
    assert "<b>" not in ours and "Chi nhánh &lt;b&gt;" in ours


def test_each_filterset_has_filters_of_its_own(db):
    """Copied shallowly (not deep-copied) per filterset: what one filterset sets of its filters
    (choices per data version, its model and parent, the field made) never reaches another."""
    from django.http import QueryDict

    from hotlines.filtersets import HotlineFilterSet

    first = HotlineFilterSet(QueryDict("status=P"), version="own-filters-1")
    second = HotlineFilterSet(QueryDict("network=viettel"), version="own-filters-2")
    assert first.is_valid() and second.is_valid()
    assert first.form.cleaned_data["status"] == ["P"] and second.form.cleaned_data["network"] == ["viettel"]
    for name, filter_ in first.filters.items():
        other, base = second.filters[name], HotlineFilterSet.base_filters[name]
        assert filter_ is not other and filter_ is not base
        assert filter_.extra is not other.extra and filter_.extra is not base.extra
        assert filter_.parent is first and other.parent is second
    first.filters["status"].extra["choices"] = [("X", "only in the first")]
    assert second.filters["status"].extra["choices"] != [("X", "only in the first")]
    assert HotlineFilterSet.base_filters["status"].extra["choices"] == []
    assert first.filters["owner"].field is not second.filters["owner"].field
    assert "_field" not in HotlineFilterSet.base_filters["owner"].__dict__
    # A `method=` filter calls its own filterset's method (django-filter binds it to the filter).
    assert first.filters["free"].filter.f is first.filters["free"]
    assert first.filters["free"].filter.method == first.filter_free
