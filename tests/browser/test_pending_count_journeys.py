"""A search whose count is slow (none fits the budget here): the rows come at once with the count
marked as pending, and the exact figures (count, facet counts, page links) replace the marks
without a reload; Back, Forward and reload still show exact figures for the list in the address."""

import re

import pytest
from playwright.sync_api import expect

from hotlines.filtersets import HotlineFilterSet
from hotlines.models import Hotline
from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import collect_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def exact_count(query: str) -> int:
    from django.http import QueryDict

    return HotlineFilterSet(QueryDict(query), queryset=Hotline.objects.all()).qs.count()


def expect_exact(page, n: int, *, arrived: bool = True) -> None:
    """The exact figures; `arrived`: after a pending mark (then in a live region, read out)."""
    count = page.locator("#result-count")
    expect(count).to_have_text(re.compile(rf"^\s*{n:,} hotlines? match\s*$"))
    if arrived:
        expect(count).to_have_attribute("aria-live", "polite")
    expect(page.locator("#filter-form .facet-count").first).not_to_have_text("…")
    expect(page.locator("#pagination .page-of")).to_have_text(re.compile(r"^Page \d+ of \d+$"))


def test_the_pending_count_becomes_exact_without_a_reload(page, live_server, connection, superuser, settings):
    assert hotlines_sync(connection=connection).error == ""
    settings.LIST_COUNT_BUDGET_MS = 0  # every count not cached is left pending
    errors = collect_errors(page)
    sign_in(page, live_server, "root", "pw-root")
    documents = []
    page.on("request", lambda request: documents.append(request.url) if request.resource_type == "document" else None)
    counts = []
    page.on("request", lambda request: counts.append(request.url) if "/hotlines/counts/" in request.url else None)

    page.goto(f"{live_server.url}/hotlines/?q=a")
    expect_exact(page, exact_count("q=a"))
    assert len(documents) == 1 and len(counts) == 1  # brought by htmx, not by a reload

    # A new search swaps the results: pending again, then exact again, still without a reload.
    page.get_by_label("Search", exact=True).fill("cong")
    expect(page).to_have_url(re.compile(r"q=cong"))
    expect_exact(page, exact_count("q=cong"))
    # The next page: exact page links come with the count.
    page.locator("#pagination").get_by_role("link", name="Next ›").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#pagination .page-of")).to_have_text(re.compile(r"^Page 2 of \d+$"))
    assert len(documents) == 1

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=2"))
    expect_exact(page, exact_count("q=cong"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=a$"))
    expect_exact(page, exact_count("q=a"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"q=cong"))
    expect_exact(page, exact_count("q=cong"))
    page.reload()  # counted by now: exact on the page itself
    expect_exact(page, exact_count("q=cong"), arrived=False)
    assert errors == []
