"""The detail page: copy, international form, status over time, payload, previous/next."""

import json
import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from hotlines.models import Hotline, HotlineChange
from hotlines.services.sync import hotlines_sync

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def list_order(client, query: str) -> list[int]:
    pks, page = [], 1
    while True:
        response = client.get(f"/hotlines/?{query}&page={page}")
        pks += [row.record.pk for row in response.context["table"].paginated_rows]
        if page >= response.context["table"].paginator.num_pages:
            return pks
        page += 1


def test_copy_button_international_form_and_payload(viewer_client, synced):
    item = next(i for i in synced if i["hotline"].startswith("09"))
    hotline = Hotline.objects.get(etelecom_id=item["id"])
    text = viewer_client.get(hotline.get_absolute_url()).text
    assert f'data-copy="{item["hotline"]}"' in text and "hidden>" in text  # shown by app.js where it can copy
    assert f"+84 {item['hotline'][1:4]} {item['hotline'][4:7]} {item['hotline'][7:]}" in text
    assert '<details class="card payload">' in text  # collapsed
    payload = json.dumps(hotline.raw, indent=2, ensure_ascii=False)
    assert payload.replace('"', "&quot;") in text
    assert item["name"] in text


def test_status_over_time_and_labelled_history(viewer_client, synced, connection, sandbox):
    item = next(i for i in synced if i["status"] == "P")
    sandbox.dataset.patch(item["id"], status="N", network="mobifone" if item["network"] != "mobifone" else "viettel")
    assert hotlines_sync(connection=connection).error == ""
    hotline = Hotline.objects.get(etelecom_id=item["id"])
    response = viewer_client.get(hotline.get_absolute_url())
    periods = response.context["story"].periods
    assert [p.status for p in periods] == ["N", "P"]
    assert periods[0].until is None and periods[1].until == periods[0].since
    assert 'Status</strong>: <span class="old">Enabled</span> → <span class="new">Disabled</span>' in response.text
    assert "Network</strong>:" in response.text


def test_previous_and_next_follow_the_list_the_person_came_from(viewer_client, synced):
    query = "status=P&sort=name&per_page=25"
    order = list_order(viewer_client, query)
    viewer_client.post("/preferences/per-page/", {"per_page": "25", "query": query})  # "Rows per page" saves it
    # The last row of page 1: its next is the first of page 2.
    pk = order[24]
    response = viewer_client.get(f"/hotlines/{pk}/", {"back": f"{query}&page=1"})
    assert response.context["neighbours"].position == 25
    next_url = urlparse(response.context["next_url"])
    assert next_url.path == f"/hotlines/{order[25]}/"
    back = parse_qs(parse_qs(next_url.query)["back"][0])
    # 25 a page is now this viewer's saved choice, so links need not repeat it.
    assert back == {"status": ["P"], "sort": ["name"], "page": ["2"]}
    assert urlparse(response.context["previous_url"]).path == f"/hotlines/{order[23]}/"
    # Following next lands on No. 26, whose back link returns to page 2 of the same list.
    response = viewer_client.get(response.context["next_url"])
    assert response.context["neighbours"].position == 26
    assert response.context["back_url"] == "/hotlines/?status=P&sort=name&page=2"
    # The very first has no previous.
    response = viewer_client.get(f"/hotlines/{order[0]}/", {"back": query})
    assert response.context["previous_url"] == "" and "aria-disabled" in response.text


def test_no_neighbours_when_the_list_moved_on(viewer_client, synced):
    query = "status=N"
    first = list_order(viewer_client, query)[0]
    response = viewer_client.get(f"/hotlines/{first}/", {"back": "status=P&page=3"})
    assert response.context["neighbours"] is None
    assert response.context["back_url"] == "/hotlines/?status=P&page=3"


def test_detail_without_back_uses_the_default_list(viewer_client, synced):
    hotline = Hotline.objects.order_by("-created_at", "-id").first()
    response = viewer_client.get(hotline.get_absolute_url())
    assert response.context["neighbours"].position == 1
    assert response.context["back_url"] == "/hotlines/"


def test_detail_needs_the_browse_permission(client, django_user_model, synced):
    from tests.conftest import make_user

    client.force_login(make_user(django_user_model, "nobody"))
    assert client.get(Hotline.objects.first().get_absolute_url()).status_code == 403


# --- The status story: since when the status holds, and the last change, as the syncs saw them ---

FIRST_SEEN = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)  # 10:05 in Ho Chi Minh City
CREATED = datetime(2026, 10, 29, 8, 50, tzinfo=UTC)  # eTelecom's created_at: 15:50 local
UPDATED = datetime(2026, 11, 1, 7, 59, tzinfo=UTC)  # eTelecom's updated_at: 14:59 local


def first_seen_long_ago(item) -> Hotline:
    """The hotline first seen on 20 Nov (the sync also wrote that into `last_changed_at`)."""
    Hotline.objects.filter(etelecom_id=item["id"]).update(
        first_seen_at=FIRST_SEEN, last_changed_at=FIRST_SEEN, created_at=CREATED, updated_at=UPDATED
    )
    return Hotline.objects.get(etelecom_id=item["id"])


def text_of(html: str) -> str:
    """What a person reads: tags dropped, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def by_id(html: str, element_id: str) -> str:
    """The text of the element with this id."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no #{element_id}"
    return text_of(match.group(2))


def test_a_status_never_seen_changing_says_so_beside_etelecoms_dates(viewer_client, synced):
    hotline = first_seen_long_ago(next(i for i in synced if i["status"] == "P"))
    text = viewer_client.get(hotline.get_absolute_url()).text
    assert by_id(text, "status-since") == "— unchanged since first seen on 20 Nov 2026, 10:05"
    assert by_id(text, "status-upstream") == "On eTelecom: created 29 Oct 2026, 15:50, last updated 1 Nov 2026, 14:59"
    # "Last changed" is not the first sync's date dressed up as a change.
    assert by_id(text, "last-changed") == "No change seen since first seen on 20 Nov 2026, 10:05"
    assert "unchanged since first seen on" in text.split('id="status-title"')[1]
    assert '<time datetime="2026-11-20T03:05:00Z">20 Nov 2026, 10:05</time>' in text


def test_a_status_changed_by_a_later_sync_dates_from_that_change(viewer_client, synced, connection, sandbox):
    enabled = [i for i in synced if i["status"] == "P"]
    flipped, other = first_seen_long_ago(enabled[0]), first_seen_long_ago(enabled[1])
    sandbox.dataset.patch(flipped.etelecom_id, status="N")
    sandbox.dataset.patch(other.etelecom_id, name="Renamed upstream")  # a change, but not of the status
    assert hotlines_sync(connection=connection).error == ""
    change = HotlineChange.objects.get(hotline=flipped, field="status")
    when = date_format(timezone.localtime(change.changed_at), "DATETIME_FORMAT")

    text = viewer_client.get(flipped.get_absolute_url()).text
    assert by_id(text, "status-since") == f"since {when}"
    assert 'id="status-upstream"' not in text
    assert by_id(text, "last-changed") == when
    history = text_of(text.split('id="status-title"')[1].split("</ol>")[0])
    assert f"since {when}" in history and f"from first seen on 20 Nov 2026, 10:05 to {when}" in history

    # Renamed, still Enabled: the status is unchanged since first seen, the last change is the name's.
    text = viewer_client.get(other.get_absolute_url()).text
    renamed = HotlineChange.objects.get(hotline=other, field="name").changed_at
    assert by_id(text, "status-since") == "— unchanged since first seen on 20 Nov 2026, 10:05"
    assert by_id(text, "last-changed") == date_format(timezone.localtime(renamed), "DATETIME_FORMAT")


def test_the_detail_writes_every_date_in_the_language_format(viewer_client, synced):
    hotline = first_seen_long_ago(next(i for i in synced if i["status"] == "P"))
    english = viewer_client.get(hotline.get_absolute_url()).text
    viewer_client.post("/preferences/language/", {"language": "vi"})
    vietnamese = viewer_client.get(hotline.get_absolute_url()).text

    for html, first_seen, created, updated in (
        (english, "20 Nov 2026, 10:05", "29 Oct 2026, 15:50", "1 Nov 2026, 14:59"),
        (vietnamese, "20/11/2026 10:05", "29/10/2026 15:50", "01/11/2026 14:59"),
    ):
        assert f'<time datetime="2026-11-20T03:05:00Z">{first_seen}</time>' in html
        assert f'<time datetime="2026-10-29T08:50:00Z">{created}</time>' in html
        assert f'<time datetime="2026-11-01T07:59:00Z">{updated}</time>' in html
        # Every date the page shows is in a <time> in that one format (the payload shows eTelecom's own).
        shown = [(m.group(1), m.group(2)) for m in re.finditer(r'<time datetime="([^"]+)">([^<]*)</time>', html)]
        assert len(shown) >= 5
        pattern = r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d" if html is english else r"\d\d/\d\d/\d{4} \d\d:\d\d"
        assert all(re.fullmatch(pattern, text) for _, text in shown), shown
    assert not re.search(r"(?<!\d)1/11/2026", vietnamese)  # no unpadded variant anywhere
    assert by_id(vietnamese, "last-changed").endswith("20/11/2026 10:05")
