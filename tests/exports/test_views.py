"""The export pages and the list's export answer: who may export, what each export leaves behind
(record and audit), and the admins' list of them; and what a person sees around an export: the
menu says which formats go to the background, the answer to an export form carries the cookie its
page waits for, the "being prepared" banner lives in the polled fragment (gone once the file is
ready), "My exports" is in the main navigation for exporters, and an export's status badge is the
same on every page that shows it."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotlines.models import AuditAction, AuditEntry, ExportRecord, ExportStatus
from hotlines.services.exports import export_run, limits
from hotlines.views.exports import describe_columns, describe_filters
from hotlines.views.hotlines import HotlineListView
from tests.conftest import make_user
from tests.sql import hotline_counts

from .conftest import DUMMY, LIST, body, read_csv, read_xlsx
from .conftest import FEW_ROWS as ROWS

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client, hostile_synced):
    response = client.get(LIST, {"_export": "csv"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_without_the_export_permission_the_url_answers_403(viewer_client, hostile_synced, fmt):
    response = viewer_client.get(LIST, {"_export": fmt, "status": "P"})
    assert response.status_code == 403
    assert not ExportRecord.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_without_the_export_permission_there_is_no_export_button(viewer_client, hostile_synced):
    response = viewer_client.get(LIST)
    assert response.status_code == 200
    assert 'id="export-menu"' not in response.text


def test_the_export_menu_carries_the_list_query(exporter_client, hostile_synced):
    response = exporter_client.get(LIST, {"status": ["P", "N"], "q": "tổng", "sort": "-name", "page": "2"})
    html = response.text
    assert 'id="export-menu"' in html
    menu = html[html.index('id="export-menu"') :]
    menu = menu[: menu.index("</details>")]
    for name, value in (("status", "P"), ("status", "N"), ("q", "tổng"), ("sort", "-name")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in menu
    assert 'name="page"' not in menu
    for fmt in ("csv", "xlsx", "json"):
        assert f'name="_export" value="{fmt}"' in menu
    assert 'name="_columns" value="all"' in menu


def test_an_unknown_format_is_a_bad_request(exporter_client, hostile_synced):
    assert exporter_client.get(LIST, {"_export": "pdf"}).status_code == 400
    assert not ExportRecord.objects.exists()


def test_each_export_is_recorded_and_audited(exporter_client, exporter, hostile_synced):
    response = exporter_client.get(LIST, {"_export": "csv", "network": "viettel", "sort": "name", "page": "2"})
    rows = read_csv(body(response))
    record = ExportRecord.objects.get()
    assert record.user == exporter and record.username == "exporter"
    assert record.format == "csv" and not record.background
    assert record.filters == {"network": ["viettel"], "sort": ["name"]}
    assert record.columns[:2] == ["hotline", "name"]
    assert record.status == ExportStatus.DONE and record.row_count == len(rows) - 1 and record.finished_at
    assert response["Content-Disposition"] == f'attachment; filename="{record.filename}"'
    assert record.filename.startswith("hotlines-default-network-viettel-") and record.filename.endswith(".csv")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == exporter and entry.target == f"export #{record.pk}"
    assert entry.details["format"] == "csv" and entry.details["rows"] == record.row_count
    assert entry.details["filters"] == record.filters and entry.details["background"] is False


def test_an_abandoned_download_is_recorded_as_interrupted(rf, exporter, hostile_synced):
    # The view itself (the test client would wrap the stream and read it to the end).
    request = rf.get(LIST, {"_export": "json"})
    request.user, request.session = exporter, {}
    response = HotlineListView.as_view()(request)
    next(iter(response.streaming_content))
    request_finished.disconnect(close_old_connections)  # keep the test's connection, as the test client does
    try:
        response.close()  # the browser went away
    finally:
        request_finished.connect(close_old_connections)
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.FAILED and "interrupted" in record.error


def test_excel_export_is_recorded_with_its_row_count(exporter_client, hostile_synced):
    response = exporter_client.get(LIST, {"_export": "xlsx", "status": "P"})
    assert response.status_code == 200 and body(response).startswith(b"PK")
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.DONE and record.row_count > 0


def test_admins_list_every_export(exporter_client, django_user_model, hostile_synced):
    body(exporter_client.get(LIST, {"_export": "csv", "status": "P"}))
    body(exporter_client.get(LIST, {"_export": "json"}))
    assert exporter_client.get(reverse("hotlines:export-list")).status_code == 403

    admin = make_user(django_user_model, "auditor", "hotlines.view_exportrecord")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("hotlines:export-list"))
    assert response.status_code == 200
    assert response.text.count("exporter") >= 2
    assert "Status: Enabled" in response.text
    filtered = client.get(reverse("hotlines:export-list"), {"format": "json"})
    assert list(filtered.context["table"].data) == list(ExportRecord.objects.filter(format="json"))


def test_my_exports_shows_only_mine(exporter_client, django_user_model, hostile_synced):
    body(exporter_client.get(LIST, {"_export": "csv"}))
    other = make_user(django_user_model, "other", "hotlines.view_hotline", "hotlines.export_hotline")
    other_client = Client()
    other_client.force_login(other)
    response = other_client.get(reverse("hotlines:export-mine"))
    assert response.status_code == 200
    assert list(response.context["table"].data) == []
    mine = exporter_client.get(reverse("hotlines:export-mine"))
    assert len(mine.context["table"].data) == 1


def test_recorded_queries_read_in_words():
    text = describe_filters({"status": ["P", "Z"], "network": ["viettel"], "q": ["tổng"], "sort": ["-name"], "x": "1"})
    assert text == "Status: Enabled, New · Network: Viettel · Search: tổng · Sorted by: Name (descending) · x: 1"
    assert describe_filters({}) == "all hotlines"
    assert describe_columns(["hotline", "upstream_connection_id", "gone"]) == "Hotline, Connection ID, gone"


# --- what a person sees around an export ---------------------------------------------------------

TOKEN = "0123456789abcdef0123456789abcdef"
STARTED_COOKIE = "export_token"  # static/js/exports.js waits for it


@pytest.fixture
def slow_excel(settings, monkeypatch):
    """Excel written at 1 row/s: 5 rows take 5 s, over the 3 s a person may wait; the others stay
    fast. Background exports are stored, not run (the test runs them as the worker would)."""
    settings.EXPORT_MAX_DIRECT_SECONDS = 3.0
    settings.EXPORT_MAX_SYNC_ROWS = 1_000_000
    settings.TASKS = DUMMY
    rates = {"csv": 120_000, "json": 70_000, "xlsx": 1}
    monkeypatch.setattr(limits, "EXPORT_RATES", rates, raising=False)
    return rates


def test_the_expected_time_sends_a_slow_format_to_the_worker_and_streams_a_fast_one(exporter_client, rows, slow_excel):
    excel = exporter_client.get(LIST, {"_export": "xlsx"})
    record = ExportRecord.objects.get()
    assert excel.status_code == 302 and urlsplit(excel.url).path == reverse("hotlines:export-detail", args=[record.pk])
    assert record.background and record.status == ExportStatus.PENDING and record.row_count == ROWS
    csv = exporter_client.get(LIST, {"_export": "csv"})
    assert csv.status_code == 200 and csv.streaming
    b"".join(csv.streaming_content)
    assert ExportRecord.objects.filter(background=False, status=ExportStatus.DONE).count() == 1


def test_the_menu_names_the_formats_prepared_in_the_background(exporter_client, rows, slow_excel):
    page = exporter_client.get(LIST)
    assert "Prepared in the background for this many rows: Excel." in page.text
    slow_excel["json"] = 1
    assert "for this many rows: Excel and JSON." in exporter_client.get(LIST).text
    slow_excel.update(xlsx=20_000, json=70_000)
    assert "Prepared in the background" not in exporter_client.get(LIST).text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_file_sets_the_cookie_its_page_waits_for(exporter_client, rows, fmt):
    response = exporter_client.get(LIST, {"_export": fmt, "_export_token": TOKEN, "network": "viettel"})
    assert response.status_code == 200
    cookie = response.cookies[STARTED_COOKIE]
    assert cookie.value == TOKEN and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["httponly"] and 0 < int(cookie["max-age"]) <= 120
    # The token is not one of the filters: not recorded, not in the file name.
    record = ExportRecord.objects.get()
    assert record.filters == {"network": ["viettel"]} and TOKEN not in record.filename


def test_the_way_to_the_progress_page_sets_it_too(exporter_client, rows, slow_excel):
    response = exporter_client.get(LIST, {"_export": "xlsx", "_export_token": TOKEN})
    assert response.status_code == 302 and response.cookies[STARTED_COOKIE].value == TOKEN


@pytest.mark.parametrize("token", ["", "short", "a" * 65, "abc;def=1234", "ab\r\nSet-Cookie: x=1", "tổngđài123"])
def test_a_malformed_token_sets_no_cookie_and_the_export_still_works(exporter_client, rows, token):
    response = exporter_client.get(LIST, {"_export": "csv", "_export_token": token})
    assert response.status_code == 200 and STARTED_COOKIE not in response.cookies
    assert ExportRecord.objects.get().filters == {}


def progress(client, record):
    return client.get(reverse("hotlines:export-progress", args=[record.pk])).text


def test_the_being_prepared_banner_is_polled_and_gone_once_the_file_is_ready(exporter_client, rows, slow_excel):
    response = exporter_client.get(LIST, {"_export": "xlsx"})
    record = ExportRecord.objects.get()
    page = exporter_client.get(response.url)
    banner = f"Your export of {ROWS} hotlines is being prepared"
    # Shown once, in the fragment htmx replaces, not as a flash message that would outlive it.
    assert page.text.count(banner) == 1 and 'class="messages"' not in page.text
    assert 'id="export-banner"' in progress(exporter_client, record)

    export_run(export_id=record.pk)
    done = progress(exporter_client, record)
    assert "export-banner" not in done and banner not in done and 'id="export-download"' in done
    reloaded = exporter_client.get(response.url).text
    assert banner not in reloaded and 'id="export-download"' in reloaded


def test_the_reason_for_the_worker_is_kept_while_polling_and_only_a_known_one(exporter_client, rows, slow_excel):
    exporter_client.get(LIST, {"_export": "xlsx"})
    record = ExportRecord.objects.get()
    detail = reverse("hotlines:export-detail", args=[record.pk])
    page = exporter_client.get(detail, {"why": "site_limit"}).text
    assert "Many downloads are under way right now" in page
    poll = next(url for url in re.findall(r'hx-get="([^"]+)"', page) if "/notifications/" not in url)  # not the bell
    poll = poll.replace("&amp;", "&")
    assert "Many downloads are under way right now" in exporter_client.get(poll).text
    # Anything else reads as the plain "being prepared", never echoed.
    crafted = exporter_client.get(detail, {"why": "<script>x</script>"})
    assert crafted.status_code == 200 and "<script>x" not in crafted.text
    assert f"Your export of {ROWS} hotlines is being prepared" in crafted.text


def mainnav(client) -> str:
    return re.search(r'<nav class="mainnav".*?</nav>', client.get(reverse("hotlines:home")).text, re.S)[0]


def test_my_exports_is_in_the_main_navigation_for_exporters_only(exporter, viewer):
    link = f'href="{reverse("hotlines:export-mine")}"'
    exporter_client, viewer_client = Client(), Client()
    exporter_client.force_login(exporter)
    viewer_client.force_login(viewer)
    assert link in mainnav(exporter_client) and "My exports" in mainnav(exporter_client)
    assert link not in mainnav(viewer_client) and "My exports" not in mainnav(viewer_client)
    # On its own pages, it is the current one.
    mine = exporter_client.get(reverse("hotlines:export-mine")).text
    assert f'<a href="{reverse("hotlines:export-mine")}" aria-current="page">My exports</a>' in mine


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge ([^"]+)"[^>]*>([^<]*)</span>', html)


@pytest.mark.parametrize(
    ("status", "kept", "want"),
    [
        (ExportStatus.PENDING, False, ("badge-export-pending", "Waiting")),
        (ExportStatus.RUNNING, False, ("badge-export-running", "Running")),
        (ExportStatus.DONE, True, ("badge-export-done", "Done")),
        (ExportStatus.DONE, False, ("badge-removed", "Expired")),
        (ExportStatus.FAILED, False, ("badge-export-failed", "Failed")),
    ],
)
def test_my_exports_shows_the_status_badge_of_the_export_page(exporter_client, exporter, media, status, kept, want):
    now = timezone.now()
    record = ExportRecord.objects.create(
        user=exporter, username="exporter", format="xlsx", background=True, status=status, row_count=3,
        filename="hotlines.xlsx", expires_at=now + timedelta(hours=1 if kept else -1),
        file="exports/1-hotlines.xlsx" if status == ExportStatus.DONE else "",
    )  # fmt: skip
    mine = badges(exporter_client.get(reverse("hotlines:export-mine")).text)
    detail = exporter_client.get(reverse("hotlines:export-detail", args=[record.pk]))
    assert mine == [want]
    assert badges(detail.text) == [want]


def test_the_admins_list_uses_the_same_badges(admin_user_client, django_user_model):
    user = make_user(django_user_model, "someone", "hotlines.export_hotline")
    ExportRecord.objects.create(
        user=user, username="someone", format="csv", background=True, status=ExportStatus.DONE,
        expires_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    assert badges(admin_user_client.get(reverse("hotlines:export-list")).text) == [("badge-removed", "Expired")]


def test_an_excel_download_starts_before_its_rows_are_read(exporter_client, rows):
    """The workbook streams: its first bytes (the zip's fixed parts) leave before the database is
    asked for a single hotline, then the rest reads back whole."""
    response = exporter_client.get(LIST, {"_export": "xlsx"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(db_connection) as queries:
        first = next(chunks)
    assert first.startswith(b"PK")
    assert not [query for query in queries if '"hotlines_hotline"' in query["sql"]], queries.captured_queries
    [(_, sheet)] = read_xlsx(first + b"".join(chunks))
    assert len(sheet) == 1 + ROWS
    assert ExportRecord.objects.get().status == ExportStatus.DONE


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "P"},
        {"network": ["viettel", "mobifone"], "status": "N"},
        {"include_removed": "on"},
        {"include_removed": "only"},
        {"q": "tổng đài"},
        {"q": "090", "network": "viettel"},
        {"status": "no-such-status"},
    ],
    ids=repr,
)
def test_the_recorded_row_count_is_the_rows_written(exporter_client, hostile_synced, query):
    # The count comes from the list's cached counts, not a COUNT of the export's own query.
    rows = read_csv(body(exporter_client.get(LIST, {**query, "_export": "csv"})))
    record = ExportRecord.objects.latest("pk")
    assert record.row_count == len(rows) - 1


def test_an_export_after_the_list_reads_the_lists_count_instead_of_counting(exporter_client, hostile_synced):
    exporter_client.get(LIST, {"status": "P"})  # the list counted these rows
    with CaptureQueriesContext(db_connection) as queries:
        body(exporter_client.get(LIST, {"status": "P", "_export": "csv"}))
    sql = [q["sql"] for q in queries.captured_queries]
    assert hotline_counts(sql) == []
    assert ExportRecord.objects.latest("pk").row_count > 0
