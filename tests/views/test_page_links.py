"""The list's page links written in Python (`tables/page_links.py`) against pagination.html's own
loop: the same characters on every kind of page (first, middle, last, few pages, many, a pending
count, the counts' fragment), for any query, in both languages."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from hotlines.templatetags import browsing
from tests.conftest import SANDBOX_SEED, mirror

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}

CASES = [
    {},
    {"page": "2"},
    {"page": "14", "per_page": "25"},  # the middle of many pages: an ellipsis on each side
    {"page": "9999", "per_page": "25"},  # past the end: the last page
    {"per_page": "25", "sort": "-name", "status": ["P", "N"]},
    {"q": "<b>a&b</b>\"'", "page": "1"},  # escaped in every link
    {"network": "viettel", "per_page": "200"},  # maybe a single page: no links at all
    {"q": "zzzz-nothing"},  # no rows
]


@pytest.fixture
def synced(request, connection, sandbox) -> None:
    """Enough hotlines for more than ten pages of 25: links with an ellipsis on each side."""
    sandbox.dataset.reset(size=700, seed=SANDBOX_SEED)
    mirror(request, connection=connection, items=sandbox.dataset.all())


def _stable(text: str) -> str:
    """The page without what differs per request (the CSRF token, the CSP nonce)."""
    text = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1…", text)
    return re.sub(r'nonce="[^"]+"', 'nonce="…"', text)


def _both(client, monkeypatch, url: str, params: dict, **headers) -> tuple[str, str]:
    cache.clear()
    ours = client.get(url, params, **headers)
    assert ours.status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(browsing, "page_links_html", lambda *args, **kwargs: None)  # the template's loop
        cache.clear()
        theirs = client.get(url, params, **headers)
    return _stable(ours.text), _stable(theirs.text)


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("params", CASES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_the_page_links_are_the_templates(viewer_client, synced, monkeypatch, settings, params, language):
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    ours, theirs = _both(viewer_client, monkeypatch, reverse("hotlines:list"), params)
    assert ours == theirs
    if params.get("page") == "14":
        assert ours.count('class="ellipsis"') == 2 and 'rel="prev"' in ours and 'rel="next"' in ours
    if "q" in params and "<b>" in params["q"]:
        assert "<b>a&b" not in ours


@pytest.mark.parametrize("params", CASES[:4], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_the_pending_and_the_counted_links_are_the_templates(viewer_client, synced, monkeypatch, settings, params):
    settings.LIST_COUNT_BUDGET_MS = 0  # the page's count pending: links stop at the next page
    ours, theirs = _both(viewer_client, monkeypatch, reverse("hotlines:list"), {**params, "q": "a"})
    assert ours == theirs
    # The counts' fragment: the exact links, out of band.
    ours, theirs = _both(viewer_client, monkeypatch, reverse("hotlines:list-counts"), {**params, "q": "a"}, **HX)
    assert ours == theirs and 'hx-swap-oob="true"' in ours
