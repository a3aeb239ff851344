"""On PostgreSQL an export's rows are fetched by a thread one chunk ahead of the writer
(`streaming._read_ahead`): the same file, in the same order, whatever the chunks; a download
abandoned while the thread reads leaves no thread, no open cursor and a usable connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.db import connection as db_connection

from hotlines.models import ExportRecord, ExportStatus, Hotline
from hotlines.services.exports import export_run, streaming, writers
from hotlines.views.hotlines import HotlineListView

from .conftest import LIST, body

pytestmark = pytest.mark.django_db(transaction=True)
QUERY = {"_columns": "all", "sort": "name"}


def readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("export-rows")]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_small_chunks_give_the_same_file(exporter_client, hostile_synced, monkeypatch, fmt):
    whole = body(exporter_client.get(LIST, {**QUERY, "_export": fmt}))
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 7)  # 229 rows: 33 chunks, most read ahead
    chunked = body(exporter_client.get(LIST, {**QUERY, "_export": fmt}))
    if fmt == "xlsx":
        from .conftest import read_xlsx

        assert read_xlsx(chunked) == read_xlsx(whole)
    else:
        assert chunked == whole
    assert not readers()


def test_a_download_abandoned_while_rows_are_read_ahead_leaves_nothing_behind(
    rf, exporter, hostile_synced, monkeypatch
):
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 5)
    monkeypatch.setattr(writers, "BATCH_ROWS", 5)  # a chunk of the file every five rows
    request = rf.get(LIST, {**QUERY, "_export": "csv"})
    request.user, request.session = exporter, {}
    response = HotlineListView.as_view()(request)
    stream = iter(response.streaming_content)
    for _ in range(3):
        next(stream)
    if db_connection.vendor == "postgresql":
        assert readers(), "the rows after the first should be read by a thread"
    request_finished.disconnect(close_old_connections)  # keep the test's connection
    try:
        response.close()  # the browser went away
    finally:
        request_finished.connect(close_old_connections)
    deadline = time.monotonic() + 5
    while readers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not readers()
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.FAILED and "interrupted" in record.error
    # The connection is out of the export's transaction and answers.
    assert not db_connection.in_atomic_block
    assert Hotline.objects.filter(is_removed=False).count() > 200


def test_only_a_streamed_download_reads_ahead_never_the_background_worker(
    exporter_client, exporter, hostile_synced, monkeypatch
):
    started = []
    real = streaming.read_ahead
    monkeypatch.setattr(streaming, "read_ahead", lambda *args, **kwargs: started.append(1) or real(*args, **kwargs))
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 20)
    streamed = body(exporter_client.get(LIST, {**QUERY, "_export": "csv"}))
    assert started == ([1] if db_connection.vendor == "postgresql" else [])
    record = ExportRecord.objects.latest("pk")
    ExportRecord.objects.filter(pk=record.pk).update(status=ExportStatus.PENDING, background=True)
    export_run(export_id=record.pk)  # what the worker does with a queued export
    record.refresh_from_db()
    assert record.status == ExportStatus.DONE and record.row_count > 200
    assert len(started) == (1 if db_connection.vendor == "postgresql" else 0)  # none more
    with record.file.open("rb") as stored:
        assert stored.read() == streamed
