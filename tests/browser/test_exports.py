"""A person exports the filtered list from the browser: a CSV straight away, then an Excel file too
large to write on the spot, prepared by the worker while the progress page polls for it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hotlines.models import ExportRecord, ExportStatus, Hotline
from tests.browser.conftest import sign_in
from tests.conftest import make_user
from tests.exports.conftest import media, synced  # noqa: F401 - the export tests' fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_now_and_in_the_background(page, live_server, synced, django_user_model, settings, screenshot):  # noqa: F811
    make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")
    viettel = list(Hotline.objects.filter(is_removed=False, network="viettel").order_by("name", "id"))
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))

    sign_in(page, live_server, "exporter", "pw-exporter")
    page.goto(f"{live_server.url}/hotlines/?network=viettel&sort=name")
    page.locator("#export-menu summary").click()
    page.get_by_label("All fields").check()
    screenshot(page, "export-menu")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    assert download.value.suggested_filename.startswith("hotlines-default-network-viettel-")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Hotline ID", "Hotline"]
    assert [row[0] for row in rows[1:]] == [h.etelecom_id for h in viettel]

    # Too many rows to write on the spot: the worker prepares it while the page shows progress.
    settings.EXPORT_MAX_SYNC_ROWS = 10
    page.goto(f"{live_server.url}/hotlines/?network=viettel&sort=name")
    page.locator("#export-menu summary").click()
    page.get_by_role("button", name="Excel (.xlsx)").click()
    page.wait_for_url("**/exports/*/")
    expect(page.locator("#export-progress")).to_contain_text("Waiting")
    expect(page.locator(".message")).to_contain_text(f"Your export of {len(viettel)} hotlines is being prepared")
    screenshot(page, "export-progress")

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    record = ExportRecord.objects.get(format="xlsx")
    assert record.status == ExportStatus.DONE, record.error
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=8_000)  # htmx polls every 2 s
    screenshot(page, "export-ready")
    with page.expect_download() as download:
        link.click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert [row[0] for row in sheet_rows[1:]] == [h.hotline for h in viettel]
    assert not problems, problems
