"""The client learns the page size eTelecom serves: a first answer cut below the `limit` asked
(fewer items, but a next cursor) sets the size of every later request, never above the limit."""

import json
import logging

import pytest

from hotlines.etelecom.client import EtelecomClient
from hotlines.models import SyncRun
from hotlines.services.sync import hotlines_sync


class CappedUpstream(EtelecomClient):
    """The client over a fake transport: `total` hotlines, at most `cap` a page; records each `limit`."""

    def __init__(self, *, total: int, cap: int, first_page: int | None = None) -> None:
        super().__init__("http://etelecom.invalid", "key", retries=0)
        self.total, self.cap, self.first_page = total, cap, first_page
        self.asked: list[int | None] = []

    def _request(self, method, body, **kwargs):
        paging = body["paging"]
        limit = paging.get("limit")
        self.asked.append(limit)
        start = int(paging.get("after") or 0)
        size = min(limit or 100, self.cap)
        first = "after" not in paging
        if self.first_page is not None and first:
            size = self.first_page
        end = min(start + size, self.total)
        items = [{"id": str(n + 1), "hotline": f"1900{n:06d}"} for n in range(start, end)]
        nxt = f"{end}" if end < self.total else ""
        if first and nxt == "0":
            nxt = "00"  # an empty first page: a cursor of its own
        payload = {"hotlines": items, "paging": {"next": nxt}}
        return json.dumps(payload).encode() if kwargs.get("raw") else payload


def ids(pages):
    return [hotline.id for page in pages for hotline in page.hotlines]


def test_a_cut_first_page_sets_the_size_of_every_later_one():
    client = CappedUpstream(total=1_000, cap=300)
    pages = list(client.iter_hotline_pages(limit=1_000))
    assert client.asked == [1_000, 300, 300, 300]  # no wasted call: the cut page is used, not asked again
    assert [len(page.hotlines) for page in pages] == [300, 300, 300, 100]
    assert ids(pages) == [str(n) for n in range(1, 1_001)]
    assert client.page_sizes == {"hotlines": 300}


def test_it_is_learned_with_the_read_ahead_too_and_logged(caplog):
    client = CappedUpstream(total=2_500, cap=500)
    with caplog.at_level(logging.INFO, logger="hotlines.etelecom.client"):
        pages = list(client.iter_hotline_pages(limit=1_000, read_ahead=True))
    assert client.asked == [1_000, 500, 500, 500, 500]
    assert len(ids(pages)) == 2_500
    assert "eTelecom serves at most 500 hotlines a page (1000 asked): asking for 500 from now on" in caplog.text


def test_never_more_than_the_limit_when_eTelecom_would_serve_more():
    client = CappedUpstream(total=1_000, cap=1_000)
    pages = list(client.iter_hotline_pages(limit=250))
    assert client.asked == [250, 250, 250, 250]
    assert len(pages) == 4 and client.page_sizes == {"hotlines": 250}


@pytest.mark.parametrize(
    ("total", "first_page", "asked"),
    [
        (80, None, [100]),  # the only page is short because the list ends: nothing to learn
        (250, 0, [100, 100, 100, 100]),  # an empty first page that goes on says nothing of the size
    ],
)
def test_a_short_page_that_is_not_a_cut_teaches_nothing(total, first_page, asked):
    client = CappedUpstream(total=total, cap=1_000, first_page=first_page)
    pages = list(client.iter_hotline_pages(limit=100))
    assert client.asked == asked
    assert len(ids(pages)) == total
    assert client.page_sizes == {"hotlines": 100}


def test_without_a_limit_nothing_is_sent_nor_learned():
    client = CappedUpstream(total=150, cap=100)
    list(client.iter_hotline_pages())
    assert client.asked == [None, None]
    assert client.page_sizes == {}


def test_each_list_learns_its_own_size(sandbox, client_factory):
    sandbox.network.configure(max_limit=40)
    client = client_factory()
    hotlines = list(client.iter_hotline_pages(limit=100))
    tenants = list(client.iter_tenant_pages(limit=5))
    assert [len(page.hotlines) for page in hotlines] == [40] * 5 + [30]
    assert ids(hotlines) == [item["id"] for item in sandbox.dataset.all()]
    assert len(tenants) == 3  # 11 tenants at 5 a page: under the cap, nothing to learn
    assert client.page_sizes == {"hotlines": 40, "tenants": 5}


def test_over_http_the_sandbox_is_asked_no_more_than_it_serves(sandbox, client_factory):
    sandbox.network.configure(max_limit=40)
    before = sandbox.requests
    pages = list(client_factory().iter_hotline_pages(limit=1_000, read_ahead=True))
    assert len(pages) == 6 and sandbox.requests - before == 6  # 230 hotlines: 5 x 40 and 30
    assert len(ids(pages)) == 230


@pytest.mark.django_db(transaction=True)
def test_a_sync_asks_for_what_eTelecom_serves_under_the_connections_page_size(connection, sandbox, caplog):
    connection.page_size = 100  # the configured maximum
    connection.save()
    sandbox.network.configure(max_limit=40)
    with caplog.at_level(logging.INFO):
        run = hotlines_sync(connection=connection)
    assert run.status == "succeeded", run.error
    assert (run.pages, run.fetched, run.created) == (6, 230, 230)
    assert "page_size=40" in caplog.text
    assert SyncRun.objects.get(pk=run.pk).pages == 6


@pytest.mark.django_db(transaction=True)
def test_a_sync_never_asks_for_more_than_the_connections_page_size(connection, sandbox, caplog):
    # The connection fixture asks 50 a page; the sandbox would serve 1,000.
    with caplog.at_level(logging.INFO):
        run = hotlines_sync(connection=connection)
    assert run.status == "succeeded", run.error
    assert (run.pages, run.fetched) == (5, 230)
    assert "page_size=50" in caplog.text
