"""Whether an export streams in the request or goes to the worker.

Direct or background, by the time an export is expected to take (rows / the format's measured
rate), not by a row count alone: the person never waits more than EXPORT_MAX_DIRECT_SECONDS before
a download starts, and a fast format is not sent to the worker for nothing.

Exports streamed in the request are capped, per person and in all: beyond the caps the worker
writes them, so that one person exporting cannot hold every web process (issue: 20 parallel
50,000-row exports made a Viewer's page take 9 s). A slot is freed when the stream ends, however
it ends, and a slot whose process died is not held forever.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotlines.models import AuditAction, AuditEntry, ExportRecord, ExportStatus
from hotlines.services import exports
from hotlines.services.exports import export_run
from hotlines.views.hotlines import HotlineListView
from tests.conftest import make_user

from .conftest import DUMMY, LIST, body, read_csv
from .conftest import FEW_ROWS as ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults(settings):
    """The settings' defaults, whatever the environment running the tests says."""
    settings.EXPORT_MAX_DIRECT_SECONDS = 3.0
    settings.EXPORT_MAX_SYNC_ROWS = 1_000_000
    return settings


def test_the_rates_are_the_measured_ones():
    # docs/benchmarks.md: CSV 103,000-209,000 rows/s, JSON 69,000-90,000; Excel streamed (issue 18).
    assert exports.EXPORT_RATES == {"csv": 120_000, "json": 70_000, "xlsx": 60_000}
    assert exports.export_expected_seconds(fmt="xlsx", rows=120_000) == 2.0
    assert exports.export_expected_seconds(fmt="csv", rows=0) == 0.0


@pytest.mark.parametrize(
    ("fmt", "rows", "direct"),
    [
        ("csv", 300_000, True),  # 2.5 s
        ("csv", 400_000, False),  # 3.3 s
        ("json", 150_000, True),  # 2.1 s: between CSV and Excel
        ("json", 300_000, False),  # 4.3 s
        ("xlsx", 180_000, True),  # 3.0 s: the limit itself still streams
        ("xlsx", 180_001, False),
        ("xlsx", 300_000, False),  # 5 s of a web process held
        ("xlsx", 0, True),
    ],
)
def test_the_expected_time_decides(defaults, fmt, rows, direct):
    assert exports.export_is_direct(fmt=fmt, rows=rows) is direct


def test_the_row_limit_still_bounds_a_fast_format(defaults):
    defaults.EXPORT_MAX_DIRECT_SECONDS = 3600
    assert exports.export_is_direct(fmt="csv", rows=1_000_000)
    assert not exports.export_is_direct(fmt="csv", rows=1_000_001)


def test_a_lower_limit_sends_more_to_the_worker(defaults):
    defaults.EXPORT_MAX_DIRECT_SECONDS = 0.5
    assert exports.export_is_direct(fmt="xlsx", rows=30_000)
    assert not exports.export_is_direct(fmt="xlsx", rows=30_001)
    assert exports.export_is_direct(fmt="csv", rows=60_000)


# --- the slots of exports streamed at once -------------------------------------------------------


@pytest.fixture
def caps(settings):
    """Two streams per person, three in all; background exports are stored, not run."""
    settings.EXPORT_MAX_CONCURRENT_PER_USER = 2
    settings.EXPORT_MAX_CONCURRENT = 3
    settings.EXPORT_SLOT_TIMEOUT = 600
    settings.TASKS = DUMMY
    return settings


@pytest.fixture
def exporters(db, django_user_model):
    """Three people who may export, each signed in on their own client."""
    clients = {}
    for name in ("anh", "binh", "chi"):
        client = Client()
        client.force_login(make_user(django_user_model, name, "hotlines.view_hotline", "hotlines.export_hotline"))
        clients[name] = client
    return clients


def start(client, fmt: str = "csv", **query):
    """Ask for an export and leave its stream open (the browser is still downloading)."""
    return client.get(LIST, {"_export": fmt, **query})


def streaming(response) -> bool:
    return response.status_code == 200 and response.streaming


def queued(response) -> ExportRecord:
    assert response.status_code == 302, response
    record = ExportRecord.objects.latest("pk")
    assert urlsplit(response.url).path == reverse("hotlines:export-detail", args=[record.pk])
    assert record.background and record.status == ExportStatus.PENDING
    return record


def progress_url(page) -> str:
    """The address the progress fragment polls, as htmx reads it from the page."""
    polled = [url for url in re.findall(r'hx-get="([^"]+)"', page.text) if "/notifications/" not in url]  # not the bell
    return polled[0].replace("&amp;", "&")


def start_raw(rf, user, **query):
    """The view itself: the test client would wrap the stream and read it to the end when closed."""
    request = rf.get(LIST, {"_export": "csv", **query})
    request.user, request.session = user, {}
    return HotlineListView.as_view()(request)


def close_quietly(response) -> None:
    """The browser went away mid-download (keeping the test's database connection, as the test
    client does)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_a_person_streams_at_most_their_share_the_next_goes_to_the_worker(exporters, rows, caps):
    anh = exporters["anh"]
    first, second = start(anh), start(anh, sort="hotline")
    assert streaming(first) and streaming(second)
    third = start(anh, sort="name")
    record = queued(third)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert entry.target == f"export #{record.pk}" and entry.details["background"] is True
    # The page it lands on says why, in the fragment it polls while it waits for the worker.
    page = anh.get(third.url)
    assert page.status_code == 200 and "You already have 2 downloads under way" in page.text
    assert "You already have 2 downloads under way" in anh.get(progress_url(page)).text
    # Somebody else is not held back by this person's streams.
    assert streaming(start(exporters["binh"]))
    # The two streams are still whole files.
    assert len(read_csv(body(first))) == 1 + ROWS and len(read_csv(body(second))) == 1 + ROWS


def test_the_site_streams_at_most_its_share_in_all(exporters, rows, caps):
    held = [start(exporters["anh"]), start(exporters["anh"]), start(exporters["binh"])]
    assert all(streaming(response) for response in held)
    response = start(exporters["chi"])  # chi streams nothing, but the site already streams 3
    queued(response)
    assert "Many downloads are under way right now" in exporters["chi"].get(response.url).text


def test_the_worker_writes_a_queued_export_exactly(exporters, rows, caps):
    anh = exporters["anh"]
    held = [start(anh), start(anh)]
    record = queued(start(anh, sort="hotline"))
    export_run(export_id=record.pk)
    record.refresh_from_db()
    assert record.status == ExportStatus.DONE and record.row_count == ROWS
    download = anh.get(reverse("hotlines:export-download", args=[record.pk]))
    assert len(read_csv(body(download))) == 1 + ROWS
    for response in held:
        body(response)


def test_the_same_export_asked_many_times_over_the_limit_is_queued_once(exporters, rows, caps):
    anh = exporters["anh"]
    held = [start(anh), start(anh)]
    first, again = queued(start(anh, sort="hotline")), start(anh, sort="hotline")
    assert again.status_code == 302 and urlsplit(again.url).path == reverse("hotlines:export-detail", args=[first.pk])
    assert ExportRecord.objects.filter(background=True).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 3  # 2 streams, 1 queued
    for response in held:
        body(response)


def test_a_finished_download_frees_its_slot(exporters, rows, caps):
    caps.EXPORT_MAX_CONCURRENT_PER_USER = 1
    anh = exporters["anh"]
    first = start(anh)
    queued(start(anh, sort="hotline"))
    assert len(read_csv(body(first))) == 1 + ROWS
    assert ExportRecord.objects.get(background=False).status == ExportStatus.DONE
    assert streaming(start(anh))


def test_an_interrupted_download_frees_its_slot(rf, exporters, rows, caps, django_user_model):
    caps.EXPORT_MAX_CONCURRENT_PER_USER = 1
    anh = exporters["anh"]
    first = start_raw(rf, django_user_model.objects.get(username="anh"))
    next(iter(first.streaming_content))  # some bytes arrived, then the browser went away
    queued(start(anh, sort="hotline"))
    close_quietly(first)
    assert ExportRecord.objects.get(background=False).status == ExportStatus.FAILED
    assert streaming(start(anh))


def test_a_download_closed_before_its_first_byte_frees_its_slot(rf, exporters, rows, caps, django_user_model):
    caps.EXPORT_MAX_CONCURRENT_PER_USER = 1
    # e.g. a HEAD request, or Cancel in the browser's download dialog
    close_quietly(start_raw(rf, django_user_model.objects.get(username="anh")))
    assert streaming(start(exporters["anh"]))


def test_an_excel_export_streams_and_holds_its_slot_until_its_last_byte(exporters, rows, caps):
    """Excel streams as CSV does (its first bytes leave at once): the slot is held while the
    browser receives the file, and freed with its last byte."""
    caps.EXPORT_MAX_CONCURRENT_PER_USER = 1
    anh = exporters["anh"]
    workbook = start(anh, "xlsx")
    assert streaming(workbook)
    queued(start(anh, sort="hotline"))
    assert body(workbook).startswith(b"PK")
    assert ExportRecord.objects.get(background=False).status == ExportStatus.DONE
    assert streaming(start(anh))


def test_a_stale_slot_of_a_dead_process_is_not_held_forever(exporters, rows, caps):
    caps.EXPORT_MAX_CONCURRENT_PER_USER = 1
    anh = exporters["anh"]
    start(anh)  # its process dies: the record stays "running"
    queued(start(anh, sort="hotline"))
    dead = ExportRecord.objects.get(background=False)
    ExportRecord.objects.filter(pk=dead.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    assert streaming(start(anh))


def test_the_list_is_served_while_a_person_holds_every_slot(exporters, rows, caps, viewer_client):
    caps.EXPORT_MAX_CONCURRENT = caps.EXPORT_MAX_CONCURRENT_PER_USER = 2
    held = [start(exporters["anh"]), start(exporters["anh"])]
    queued(start(exporters["anh"], sort="hotline"))
    page = viewer_client.get(LIST)
    assert page.status_code == 200 and page.context["table"].paginator.count == ROWS
    for response in held:
        body(response)
