"""The detail page: copy, international form, status over time, payload, previous/next."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

from hotlines.models import Hotline
from hotlines.services.sync import hotlines_sync

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced(connection, sandbox):
    assert hotlines_sync(connection=connection).error == ""
    return sandbox.dataset.all()


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
    periods = response.context["status_history"]
    assert [p.status for p in periods] == ["N", "P"]
    assert periods[0].until is None and periods[1].until == periods[0].since
    assert 'Status</strong>: <span class="old">Enabled</span> → <span class="new">Disabled</span>' in response.text
    assert "Network</strong>:" in response.text


def test_previous_and_next_follow_the_list_the_person_came_from(viewer_client, synced):
    query = "status=P&sort=name&per_page=25"
    order = list_order(viewer_client, query)
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
