"""A sync over a slow network: its own work (compare, write) hides behind the wait for the next
page, so N pages at latency L take about N x L, not N x (L + the work)."""

from __future__ import annotations

import sys
import time

import pytest

from hotlines.etelecom.client import EtelecomClient
from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models.connections import DEFAULT_PAGE_SIZE
from hotlines.services.connections.writes import connection_create
from hotlines.services.sync import compare, hotlines_sync, orchestrator

LATENCY_MS = 100
WORK_S = 0.08  # what comparing and writing a page is made to cost: nearly the latency itself


@pytest.mark.django_db(transaction=True)
def test_pages_are_fetched_while_the_one_before_is_written(connection, sandbox, first_sync, monkeypatch):
    connection.page_size = 26  # 230 hotlines: 9 pages, and 1 tenant page: 10 answers
    connection.save()
    original = compare.PageComparer.compare

    def slow_compare(self, page):
        time.sleep(WORK_S)  # the main thread's share of a page (outside the GIL, as database waits are)
        original(self, page)

    monkeypatch.setattr(compare.PageComparer, "compare", slow_compare)
    sandbox.network.configure(latency_ms=LATENCY_MS)
    requests_before = sandbox.requests
    started = time.monotonic()
    run = hotlines_sync(connection=connection)
    took = time.monotonic() - started
    assert run.status == "succeeded", run.error
    answers = sandbox.requests - requests_before
    assert (run.pages, run.tenant_pages, answers) == (9, 1, 10)
    assert run.unchanged == 230
    # One after the other: 10 x 100 ms + 9 x 80 ms = 1.7 s at the very least (2 s at 2 x N x L).
    # Overlapped: about 10 x 100 ms + one page's work; 1.6 s leaves room for a busy machine.
    assert took < 1.6, f"{took:.2f} s for {answers} answers at {LATENCY_MS} ms: the fetch waits for the writes"


@pytest.mark.django_db(transaction=True)
def test_the_reading_thread_gets_the_interpreter_promptly_during_a_sync_and_only_then(connection, sandbox):
    """During a sync a thread waiting for the GIL gets it within 1 ms (the thread that reads the
    answers wakes from each socket wait needing it); the process's setting is restored after."""
    before = sys.getswitchinterval()
    seen: list[float] = []
    run = hotlines_sync(connection=connection, progress=lambda run: seen.append(sys.getswitchinterval()))
    assert run.status == "succeeded", run.error
    assert seen and set(seen[:-1]) == {orchestrator.SWITCH_INTERVAL}  # the last call comes after the sync
    assert sys.getswitchinterval() == before


@pytest.mark.django_db(transaction=True)
def test_a_sync_over_a_slow_network_asks_for_the_largest_page_it_is_served(sandbox):
    """A connection made with the defaults asks for the largest page (1,000), and learns the
    smaller one eTelecom serves from the first answer; never more than its configured maximum."""
    connection = connection_create(name="defaults", base_url=sandbox.url, api_key=DEFAULT_API_KEY)
    assert connection.page_size == DEFAULT_PAGE_SIZE == 1000
    sandbox.network.configure(latency_ms=20, max_limit=100)
    asked = []
    run = hotlines_sync(connection=connection, client=_Recording(connection, asked))
    assert run.status == "succeeded", run.error
    assert (run.pages, run.fetched) == (3, 230)  # 100, 100 and 30: the cut page is kept
    assert asked == [1000, 100, 100]
    sandbox.network.configure(max_limit=1_000_000)
    connection.page_size = 60
    connection.save()
    asked.clear()
    run = hotlines_sync(connection=connection, client=_Recording(connection, asked))
    assert run.status == "succeeded", run.error
    assert asked == [60] * 4  # eTelecom would serve more: never above the configured maximum


class _Recording(EtelecomClient):
    """The connection's client, recording each hotline page's `limit`."""

    def __init__(self, connection, asked: list) -> None:
        super().__init__(connection.base_url, connection.api_key, timeout=5, retries=0)
        self.asked = asked

    def _fetch_body(self, listing, *, after, limit, page, filters):
        if listing.key == "hotlines":
            self.asked.append(limit)
        return super()._fetch_body(listing, after=after, limit=limit, page=page, filters=filters)
