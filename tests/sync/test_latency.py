"""A sync over a slow network: its own work (compare, write) hides behind the wait for the next
page, so N pages at latency L take about N x L, not N x (L + the work)."""

from __future__ import annotations

import time

import pytest

from hotlines.services.sync import compare, hotlines_sync

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
