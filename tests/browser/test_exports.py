"""A person exports the filtered list from the browser: a CSV straight away, then an Excel file too
large to write on the spot, prepared by the worker while the progress page polls for it."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from openpyxl.utils import get_column_letter
from playwright.sync_api import expect

from hotlines.models import ExportRecord, ExportStatus, Hotline
from tests.browser.conftest import collect_errors, sign_in
from tests.conftest import make_user
from tests.exports.conftest import HOSTILE_NAMES, hostile_synced, media  # noqa: F401 - the export tests' fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_now_and_in_the_background(page, live_server, hostile_synced, django_user_model, settings, screenshot):  # noqa: F811
    make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")
    viettel = list(Hotline.objects.filter(is_removed=False, network="viettel").order_by("name", "id"))
    problems = collect_errors(page)

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


def test_export_after_filtering_and_sorting_in_the_page(page, live_server, hostile_synced, django_user_model):  # noqa: F811
    """The view built by clicking (a box ticked and a header sorted, both answered by htmx) is the
    one exported: its rows, its order, and a file name with only the filter in use."""
    make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")
    viettel = list(Hotline.objects.filter(is_removed=False, network="viettel").order_by("-name", "-id"))
    problems = collect_errors(page)

    sign_in(page, live_server, "exporter", "pw-exporter")
    page.goto(f"{live_server.url}/hotlines/")
    page.locator("#filter-form .filters").get_by_role("checkbox", name=re.compile("^Viettel")).check()
    expect(page).to_have_url(re.compile(r"\?network=viettel$"))
    fields = page.locator("#export-menu input[type=hidden]")
    expect(fields).to_have_count(1)  # the address's query, not the form's empty fields
    expect(fields).to_have_attribute("name", "network")
    page.locator("#hotline-table thead").get_by_role("link", name="Name").click()
    expect(page).to_have_url(re.compile(r"\?network=viettel&sort=name$"))
    page.locator("#hotline-table thead").get_by_role("link", name="Name").click()
    expect(page).to_have_url(re.compile(r"\?network=viettel&sort=-name$"))
    expect(fields).to_have_count(2)

    page.locator("#export-menu summary").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    assert download.value.suggested_filename.startswith("hotlines-default-network-viettel-")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    number = rows[0].index("Hotline")
    assert [row[number] for row in rows[1:]] == [h.hotline for h in viettel]
    assert not problems, problems


def test_excel_keeps_text_exact_and_fits_its_columns(page, live_server, hostile_synced, django_user_model):  # noqa: F811
    """A person exports Excel and opens it: a name that looks like a formula reads exactly as in the
    list (no apostrophe: a string cell is never run), whole names and headers show, and it prints
    one page wide in landscape with the header on every page."""
    make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")
    formula_name = next(name for name in HOSTILE_NAMES if name.startswith("=HYPERLINK"))
    longest = max(Hotline.objects.filter(is_removed=False).values_list("name", flat=True), key=len)

    sign_in(page, live_server, "exporter", "pw-exporter")
    page.goto(f"{live_server.url}/hotlines/?sort=name")
    page.locator("#export-menu summary").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Excel (.xlsx)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("Name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert formula_name in names and not any(str(name).startswith("'") for name in names if name)
    widths = {title: sheet.column_dimensions[get_column_letter(at + 1)].width for at, title in enumerate(header)}
    assert widths["Free of charge"] >= len("Free of charge") + 2
    assert widths["Name"] >= min(len(longest), 60)
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows.replace("$", "") == "1:1"
