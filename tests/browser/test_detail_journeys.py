"""Issue 15 item 7: the detail tells since when a status holds, and every date reads the same way.

A person opens a hotline whose status a later sync saw change and one it never saw change, reads
what each detail says, then switches to Vietnamese and reads the same dates in its format."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from hotlines.models import Hotline, HotlineChange
from hotlines.services.sync import hotlines_sync
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_SEEN = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)  # the first sync: 10:05 in Ho Chi Minh City
CREATED = datetime(2026, 10, 29, 8, 50, tzinfo=UTC)  # eTelecom's created_at: 15:50 local
UPDATED = datetime(2026, 11, 1, 7, 59, tzinfo=UTC)  # eTelecom's updated_at: 14:59 local


def local(moment: datetime, language: str) -> str:
    with translation.override(language):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def open_from_the_list(page, live_server, number: str) -> None:
    """What a person does: search the list for the number, then follow it to its detail."""
    page.goto(f"{live_server.url}/hotlines/")
    page.locator("#id_q").fill(number)  # labelled "Search" or "Tìm kiếm"
    rows = page.locator("#hotline-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(re.compile(r"\s?".join(number)))  # shown in groups of digits
    rows.locator("td").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/hotlines/\d+/"))
    assert re.sub(r"\D", "", page.locator("#hotline-number").inner_text()) == number


def test_the_detail_tells_since_when_in_either_language(page, live_server, connection, sandbox, superuser, screenshot):
    assert hotlines_sync(connection=connection).error == ""
    enabled = [item for item in sandbox.dataset.all() if item["status"] == "P"]
    changed_item, still_item = enabled[0], enabled[1]
    # The first sync was on 20 Nov (it also wrote that into last_changed_at, as it does on insert).
    Hotline.objects.filter(etelecom_id__in=[changed_item["id"], still_item["id"]]).update(
        first_seen_at=FIRST_SEEN, last_changed_at=FIRST_SEEN, created_at=CREATED, updated_at=UPDATED
    )
    # eTelecom disables one; the next sync sees it.
    sandbox.dataset.patch(changed_item["id"], status="N")
    assert hotlines_sync(connection=connection).error == ""
    disabled_at = HotlineChange.objects.get(hotline__etelecom_id=changed_item["id"], field="status").changed_at

    sign_in(page, live_server, "root", "pw-root")

    # The one that changed: disabled since that sync, enabled from first seen until then.
    open_from_the_list(page, live_server, changed_item["hotline"])
    when = local(disabled_at, "en")
    expect(page.locator(".detail-summary .badge")).to_have_text("Disabled")
    expect(page.locator("#status-since")).to_have_text(f"since {when}")
    expect(page.locator("#status-upstream")).to_have_count(0)
    expect(page.locator("#last-changed")).to_have_text(when)
    periods = page.locator(".status-history li")
    expect(periods).to_have_count(2)
    expect(periods.nth(0)).to_contain_text(f"Disabled since {when}")
    expect(periods.nth(1)).to_contain_text(f"Enabled from first seen on 20 Nov 2026, 10:05 to {when}")
    screenshot(page, "detail-story-changed-en")

    # Back to the list, and into the one that never changed: said honestly, with eTelecom's dates.
    open_from_the_list(page, live_server, still_item["hotline"])
    expect(page.locator(".detail-summary .badge")).to_have_text("Enabled")
    expect(page.locator("#status-since")).to_have_text("— unchanged since first seen on 20 Nov 2026, 10:05")
    expect(page.locator("#status-upstream")).to_have_text(
        "On eTelecom: created 29 Oct 2026, 15:50, last updated 1 Nov 2026, 14:59"
    )
    expect(page.locator("#last-changed")).to_have_text("No change seen since first seen on 20 Nov 2026, 10:05")
    expect(page.locator(".status-history li")).to_have_count(1)
    expect(page.locator(".status-history")).to_contain_text("unchanged since first seen on 20 Nov 2026, 10:05")
    screenshot(page, "detail-story-unchanged-en")

    # Vietnamese: the same page, the same dates, in dd/mm/yyyy hh:mm; nothing in another format.
    page.get_by_label("Language").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#status-since")).to_contain_text("20/11/2026 10:05")
    expect(page.locator("#status-upstream")).to_contain_text("29/10/2026 15:50")
    expect(page.locator("#status-upstream")).to_contain_text("01/11/2026 14:59")
    expect(page.locator("#last-changed")).to_contain_text("20/11/2026 10:05")
    shown = page.locator("main time").all_inner_texts()
    assert shown and all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", text) for text in shown), shown
    screenshot(page, "detail-story-unchanged-vi")

    # Back to the one that changed, from the list, still in Vietnamese.
    open_from_the_list(page, live_server, changed_item["hotline"])
    expect(page.locator("#status-since")).to_contain_text(local(disabled_at, "vi"))
    expect(page.locator(".status-history li").nth(1)).to_contain_text("20/11/2026 10:05")

    # The audit log (this sign-in is its newest entry) writes its dates the same way.
    page.goto(f"{live_server.url}/audit/")
    first = page.locator(".table-audit tbody tr").first.locator("time")
    expect(first).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))

    # A phone: the story still fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    open_from_the_list(page, live_server, still_item["hotline"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "detail-story-unchanged-vi-phone")
