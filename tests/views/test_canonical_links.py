"""The sort and page links of the browsing lists carry the list's canonical query (what the address
bar shows), not the request's own: htmx sends the filter form whole, its empty fields included,
and a value the page set aside (an unknown parameter, a sort it does not have) must not come back
with every link, nor its note with every page.

Found using the list in Chromium: after ticking a filter, a sort link read
`?q=tong+dai&status=Z&tenant_search=&free=&owner=&created_after=&…&per_page=50&sort=name`."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import SANDBOX_SEED, make_user, mirror
from tests.factories import ConnectionFactory, TenantFactory

pytestmark = pytest.mark.django_db

HX_RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
# What the hotline list's filter form sends with one box ticked and nothing typed (htmx sends it whole).
FORM_AS_SENT = {
    "q": "", "status": "P", "tenant_search": "", "free": "", "owner": "", "created_after": "",
    "created_before": "", "updated_after": "", "updated_before": "", "changed_since": "",
    "include_removed": "", "sort": "", "per_page": "25",
}  # fmt: skip


@pytest.fixture
def synced(request, connection, sandbox) -> None:
    sandbox.dataset.reset(size=400, seed=SANDBOX_SEED)
    mirror(request, connection=connection, items=sandbox.dataset.all())


def sort_links(text: str) -> dict[str, str]:
    """{column: its sort link's query} of a table's header row."""
    return {
        column: html.unescape(href)
        for column, href in re.findall(r'<th scope="col" class="col-([\w]+)[^"]*"\s*[^>]*>\s*<a href="\?([^"]*)"', text)
    }


def page_links(text: str) -> list[str]:
    nav = re.search(r'<nav class="pagination".*?</nav>', text, re.S)
    assert nav, "no page links"
    return [html.unescape(href) for href in re.findall(r'<a href="\?([^"]*)"', nav[0])]


def test_an_htmx_answer_to_the_filter_form_links_with_the_canonical_query(viewer_client, synced):
    response = viewer_client.get(reverse("hotlines:list"), FORM_AS_SENT, **HX_RESULTS)
    assert response.status_code == 200
    pushed = response.headers["HX-Push-Url"].split("?", 1)[1]
    assert pushed == "status=P&per_page=25"
    sorts = sort_links(response.text)
    assert sorts["hotline"] == "status=P&per_page=25&sort=hotline"
    assert sorts["name"] == "status=P&per_page=25&sort=name"
    assert page_links(response.text)[:2] == ["status=P&per_page=25&page=2", "status=P&per_page=25&page=3"]
    for query in [*sorts.values(), *page_links(response.text)]:
        assert "tenant_search" not in query and not re.search(r"=(&|$)", query), query


def test_a_value_the_page_set_aside_stays_out_of_its_links(viewer_client, synced):
    response = viewer_client.get(reverse("hotlines:list"), {"status": "P", "colour": "red", "sort": "nonsense"})
    assert "colour" in response.text  # the note on what was ignored, once
    links = page_links(response.text)
    assert links[0] == "status=P&page=2"
    for query in [*links, *sort_links(response.text).values()]:
        assert "colour" not in query and "nonsense" not in query, query
    following = viewer_client.get(reverse("hotlines:list") + "?" + links[0])
    assert "colour" not in following.text


def test_the_pending_count_and_its_exact_figures_give_the_same_links(viewer_client, synced, settings):
    """A page shown before its count (links up to the next page) and the counts' fragment that
    replaces its page links: both from the canonical query, whatever the form sent."""
    settings.LIST_COUNT_BUDGET_MS = 0
    query = {**FORM_AS_SENT, "q": "a"}
    cache.clear()
    pending = viewer_client.get(reverse("hotlines:list"), query, **HX_RESULTS)
    assert pending.context["count_pending"] is True
    assert page_links(pending.text)[0] == "q=a&status=P&per_page=25&page=2"
    counted = viewer_client.get(reverse("hotlines:list-counts"), query, HTTP_HX_REQUEST="true")
    assert page_links(counted.text)[0] == "q=a&status=P&per_page=25&page=2"


def test_the_tenant_list_links_with_its_canonical_query_and_caches_one_table_for_both(viewer_client):
    account = ConnectionFactory()
    TenantFactory.create_batch(30, connection=account, status="P")
    url = reverse("hotlines:tenant-list")
    as_sent = viewer_client.get(url, {"q": "", "status": "P", "sort": "", "per_page": "25"}, **HX_RESULTS)
    assert sort_links(as_sent.text)["name"] == "status=P&per_page=25&sort=name"
    assert page_links(as_sent.text) == ["status=P&per_page=25&page=2"] * 2  # "2" and "Next"
    # The same list asked for by its canonical address: the table rendered above, from the cache.
    canonical = viewer_client.get(url, {"status": "P", "per_page": "25"}, **HX_RESULTS)
    assert canonical.context["table_key"] == as_sent.context["table_key"]
    assert sort_links(canonical.text) == sort_links(as_sent.text)


def export_fields(text: str) -> list[tuple[str, str]]:
    """The (name, value) hidden fields of the export menu's form: the view it exports."""
    form = re.search(r'<form method="get" action="[^"]*" class="menu-panel export-form".*?</form>', text, re.S)
    assert form, "no export menu"
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form[0])
    ]


@pytest.mark.parametrize("counted", [True, False], ids=["counted", "count-pending"])
def test_the_export_menu_carries_the_canonical_query(client, django_user_model, synced, settings, counted):
    """The export menu, in the htmx answer and in the counts' fragment that replaces it, holds the
    view's filters as the address bar shows them: not the form's empty fields, nor what the page
    set aside."""
    client.force_login(make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline"))
    settings.LIST_COUNT_BUDGET_MS = 10_000 if counted else 0
    cache.clear()
    query = {**FORM_AS_SENT, "q": "a", "colour": "red", "sort": "-name"}
    answer = client.get(reverse("hotlines:list"), query, **HX_RESULTS)
    expected = parse_qsl(answer.headers["HX-Push-Url"].split("?", 1)[1])  # the address bar's
    assert sorted(expected) == [("per_page", "25"), ("q", "a"), ("sort", "-name"), ("status", "P")]
    assert export_fields(answer.text) == expected
    if not counted:
        fragment = client.get(reverse("hotlines:list-counts"), query, HTTP_HX_REQUEST="true")
        assert export_fields(fragment.text) == expected
    # The tenant list's menu too.
    tenants = client.get(reverse("hotlines:tenant-list"), {"q": "", "status": "", "per_page": "25"}, **HX_RESULTS)
    assert export_fields(tenants.text) == [("per_page", "25")]
