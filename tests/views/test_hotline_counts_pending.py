"""A count that cannot be had within the page's budget is left pending: the rows come at once, the
count is marked (an estimate or "counting…"), and the counts' fragment brings exactly the figures
the page would have shown counted: the count, every facet count, the page links, the export menu."""

import html
import re

import pytest
from django.core.cache import cache
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotlines.models import Hotline
from hotlines.selectors import hotline_caches_warm
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/hotlines/"}

# Lists filtered by more than status, network, account and removal (those are counted from the
# totals warmed after each sync, which the filters' choices read anyway: never pending).
QUERIES = [
    {"network": ["viettel", "mobifone"], "free": "yes"},
    {"q": "tong"},
    {"q": "09"},
    {"q": "a", "status": "N", "sort": "name", "page": "2", "per_page": "25"},
    {"q": "cong", "page": "3", "per_page": "25"},
    {"include_removed": "on", "q": "a", "page": "2", "sort": "-hotline"},
    {"owner": "1"},
    {"q": "zzzz-nothing"},
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def count_text(text: str) -> str:
    return _squash(re.search(r'id="result-count"[^>]*>(.*?)</p>', text, re.S).group(1))


def facet_counts(text: str) -> dict[str, str]:
    return dict(re.findall(r'id="(facet-[a-z]+-(?:all|\d+))"[^>]*>([^<]*)<', text))


def pagination(text: str) -> str | None:
    found = re.search(r'<nav class="pagination" id="pagination"[^>]*>(.*?)</nav>', text, re.S)
    return _squash(found.group(1)) if found else None


def export_title(text: str) -> str:
    return re.search(r'id="export-menu".*?class="menu-title">([^<]*)<', text, re.S).group(1)


@pytest.fixture
def exporter_client(client, django_user_model):
    client.force_login(make_user(django_user_model, "lister", "hotlines.view_hotline", "hotlines.export_hotline"))
    return client


def counts_url(text: str) -> str:
    """Where the page's pending count asks for the exact figures (as htmx will)."""
    return html.unescape(re.search(r'data-count-pending hx-get="([^"]+)"', text).group(1))


def rows(text: str) -> str:
    return re.search(r"<tbody.*?</tbody>", text, re.S).group(0)


def counted(client, settings, params: dict):
    """The page as it is when its counts fit the budget (the reference: today's page)."""
    settings.LIST_COUNT_BUDGET_MS = 60_000
    cache.clear()
    return client.get(reverse("hotlines:list"), params)


def pending(client, settings, params: dict):
    """The page when no count fits its budget (a new search over a million rows)."""
    settings.LIST_COUNT_BUDGET_MS = 0
    cache.clear()
    return client.get(reverse("hotlines:list"), params)


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_the_fragment_brings_exactly_what_the_counted_page_shows(exporter_client, synced, settings, params):
    viewer_client = exporter_client  # the export menu's figure too
    reference = counted(viewer_client, settings, params)
    assert reference.context["count_pending"] is False

    page = pending(viewer_client, settings, params)
    assert page.status_code == 200 and page.context["count_pending"] is True
    text = page.text
    # The same rows at once, the figures marked as pending.
    assert rows(text) == rows(reference.text)
    assert "data-count-pending" in text and 'aria-live="polite"' in text
    assert set(facet_counts(text).values()) == {"…"}
    assert export_title(text) == "Every hotline of this view, every page, in its order."

    fragment = viewer_client.get(counts_url(text), **HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    body = fragment.text
    assert _squash(body.split("<span", 1)[0].split("{% endcomment %}")[-1]).endswith(count_text(reference.text))
    assert facet_counts(body) == facet_counts(reference.text)
    assert pagination(body) == pagination(reference.text)
    assert 'hx-swap-oob="innerHTML:#export-menu-slot"' in body
    assert export_title(body) == export_title(reference.text)
    assert 'action="/hotlines/"' in body  # the menu still exports the list

    # Once counted, the page itself is exact (a reload, Back, another person).
    settings.LIST_COUNT_BUDGET_MS = 0
    again = viewer_client.get(reverse("hotlines:list"), params)
    assert again.context["count_pending"] is False
    assert count_text(again.text) == count_text(reference.text)


def test_the_pending_page_reads_its_rows_once_and_counts_nothing(viewer_client, synced, settings):
    settings.LIST_COUNT_BUDGET_MS = 0
    viewer_client.get(reverse("hotlines:list"), {"q": "tong"})  # the process's first request: imports
    cache.clear()
    hotline_caches_warm()  # as a sync that changed the data leaves the cache
    with CaptureQueriesContext(db_connection) as queries:
        response = viewer_client.get(reverse("hotlines:list"), {"q": "tong"})
    assert response.context["count_pending"] is True
    hotline_reads = [q["sql"] for q in queries if 'FROM "hotlines_hotline"' in q["sql"] and "MAX(" not in q["sql"]]
    assert not [sql for sql in hotline_reads if "COUNT(" in sql or "GROUP BY" in sql]
    assert len([sql for sql in hotline_reads if "LIMIT" in sql]) == 1, hotline_reads


def test_the_page_links_stop_at_the_next_page_until_counted(viewer_client, synced, settings):
    params = {"q": "cong", "page": "2", "per_page": "25"}
    pages = counted(viewer_client, settings, params).context["table"].paginator.num_pages
    assert pages >= 4
    nav = pagination(pending(viewer_client, settings, params).text)
    assert "Page 2" in nav and " of " not in nav
    assert 'href="?q=cong&amp;per_page=25&amp;page=3"' in nav and "page=4" not in nav
    # The exact ones replace them.
    fragment = viewer_client.get(reverse("hotlines:list-counts"), params, **HX)
    assert f"Page 2 of {pages}" in pagination(fragment.text)


@pytest.mark.parametrize("params", [{}, {"status": "P", "network": "viettel"}, {"page": "3", "include_removed": "on"}])
def test_lists_filtered_by_facets_only_are_counted_from_the_totals(viewer_client, synced, settings, params):
    assert pending(viewer_client, settings, params).context["count_pending"] is False


def test_a_page_past_the_rows_is_counted_and_sends_to_the_last_page(viewer_client, synced, settings):
    response = pending(viewer_client, settings, {"q": "tong", "page": "999"})
    assert response.context["count_pending"] is False
    assert "Page 999 does not exist; showing the last page" in response.text


def test_the_estimate_is_marked_where_the_planner_gives_one(viewer_client, synced, settings):
    text = pending(viewer_client, settings, {"owner": Hotline.objects.first().owner_id}).text
    if db_connection.vendor == "postgresql":
        assert re.search(r"About [\d,]+ hotlines match \(counting…\)", text)
    else:
        assert "Counting the matching hotlines…" in text


def test_a_text_search_shows_no_estimate_the_planner_guesses_words_badly(viewer_client, synced, settings):
    text = pending(viewer_client, settings, {"q": "tong"}).text
    assert "Counting the matching hotlines…" in text and "About" not in text


def test_without_javascript_a_link_counts_on_the_page(viewer_client, synced, settings):
    reference = counted(viewer_client, settings, {"q": "tong"})
    text = pending(viewer_client, settings, {"q": "tong"}).text
    link = re.search(r'<noscript><a href="([^"]+)">Count them exactly</a></noscript>', text).group(1)
    assert link == "/hotlines/?q=tong&amp;_count=exact"
    cache.clear()
    exact = viewer_client.get("/hotlines/?q=tong&_count=exact")
    assert exact.context["count_pending"] is False
    assert count_text(exact.text) == count_text(reference.text)
    assert "_count" not in exact.context["list_query"]  # never carried on in links


def test_results_swapped_by_htmx_leave_the_count_pending_too(viewer_client, synced, settings):
    settings.LIST_COUNT_BUDGET_MS = 0
    response = viewer_client.get("/hotlines/?q=tong", HTTP_HX_TARGET="results", **HX)
    assert "data-count-pending" in response.text
    assert 'id="facet-status-all" hx-swap-oob="true">…<' in response.text


def test_the_counts_need_the_list_permission(client, synced, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("hotlines:list-counts")).status_code == 403


def test_the_counts_fragment_never_exports(viewer_client, synced):
    response = viewer_client.get(reverse("hotlines:list-counts"), {"_export": "csv"}, **HX)
    assert response.status_code == 200 and "hotlines match" in response.text


def test_after_a_sync_that_changed_data_the_first_list_pages_count_nothing(viewer_client, viewer, connection, settings):
    """The sync counts the new data's totals before it ends and the worker's task then counts every
    saved view: the first list page after it (default, filtered by facets, or a saved view) reads
    every figure from the cache, with a budget or without."""
    from hotlines.models import SavedView
    from hotlines.services.sync import hotlines_sync
    from hotlines.tasks.watches import watch_sync_run

    settings.LIST_COUNT_BUDGET_MS = 60_000  # were anything left to count, it would be counted here
    viewer_client.get(reverse("hotlines:list"))  # the process's first request (imports), on no data
    view = SavedView.objects.create(name="Cong", owner=viewer, shared=True, query="q=cong&status=P")
    run = hotlines_sync(connection=connection)
    assert run.error == "" and run.created > 0
    watch_sync_run.call(sync_run_id=run.pk)  # what the worker does next
    for params in ({}, {"status": "N", "network": "viettel"}, {"view": view.pk, "q": "cong", "status": "P"}):
        with CaptureQueriesContext(db_connection) as queries:
            response = viewer_client.get(reverse("hotlines:list"), params)
        assert response.status_code == 200 and response.context["count_pending"] is False
        counting = [
            q["sql"] for q in queries
            if 'FROM "hotlines_hotline"' in q["sql"] and any(w in q["sql"] for w in ("COUNT(", "GROUP BY", "DISTINCT"))
        ]  # fmt: skip
        assert counting == [], (params, counting)


def test_a_count_the_planner_expects_to_be_large_is_not_even_tried(viewer_client, synced, settings, monkeypatch):
    from hotlines import list_counts

    monkeypatch.setattr(list_counts, "hotline_count_estimate", lambda queryset: 1_234_567)
    settings.LIST_COUNT_BUDGET_MS = 60_000  # time enough, but the estimate says it would not do
    with CaptureQueriesContext(db_connection) as queries:
        response = viewer_client.get(reverse("hotlines:list"), {"q": "tong"})
    assert response.context["count_pending"] is True
    assert "Counting the matching hotlines…" in response.text  # a search's estimate is not shown
    cache.clear()
    by_owner = viewer_client.get(reverse("hotlines:list"), {"owner": Hotline.objects.first().owner_id})
    assert "About 1,200,000 hotlines match (counting…)" in by_owner.text  # two significant figures
    assert not [q for q in queries if "GROUP BY" in q["sql"] and "search_text" in q["sql"]]
