"""The watch.changed body: its shape, IDs as strings, absolute links, bounded events, hostile values."""

from __future__ import annotations

import json

import pytest

from hotlines.services.webhooks.payloads import encode, watch_changed_payload, watch_url
from tests.factories import HotlineFactory, WatchEventFactory, WatchFactory

pytestmark = pytest.mark.django_db


def test_shape_ids_and_links(news, settings):
    payload = watch_changed_payload(notification=news, delivery_id="key-1", max_events=10)
    run, watch = news.sync_run, news.watch
    assert payload["event"] == "watch.changed" and payload["id"] == "key-1"
    assert payload["sync_run"] == {
        "id": str(run.pk),
        "finished_at": run.finished_at.isoformat(),
        "connection": run.connection.name,
        "url": f"https://admin.example.vn/syncs/{run.pk}/",
    }
    assert payload["watch"]["id"] == str(watch.pk) and payload["watch"]["kind"] == "view"
    assert payload["watch"]["subject"] == news.subject
    assert payload["watch"]["url"].startswith("https://admin.example.vn/")
    (event,) = payload["events"]
    hotline = event["hotline"]
    assert hotline["number"] == "19006868" and isinstance(hotline["id"], str)
    assert hotline["url"] == f"https://admin.example.vn/hotlines/{hotline['id']}/"
    assert event["kind"] == "changed" and event["changes"] == [{"field": "status", "old": "P", "new": "N"}]
    assert (payload["count"], payload["truncated"]) == (1, False)
    assert (payload["entered"], payload["left"], payload["changed"]) == (0, 0, 1)


def test_events_are_bounded_with_a_flag_and_the_full_count(news, connection):
    for n in range(4):
        WatchEventFactory(notification=news, hotline=HotlineFactory(connection=connection, hotline=f"1900000{n}"))
    payload = watch_changed_payload(notification=news, delivery_id="k", max_events=2)
    assert len(payload["events"]) == 2 and payload["count"] == 5 and payload["truncated"] is True


def test_hostile_values_are_cut_and_flattened(news, connection):
    hostile = [
        {"field": "name", "old": "x" * 100_000, "new": {"nested": [1, {"deep": True}]}},
        "not a change",
        {"no": "field"},
    ] + [{"field": f"f{n}", "old": n, "new": None} for n in range(200)]
    WatchEventFactory(notification=news, hotline=HotlineFactory(connection=connection), changes=hostile)
    payload = watch_changed_payload(notification=news, delivery_id="k", max_events=10)
    changes = payload["events"][1]["changes"]
    assert len(changes) <= 50
    assert len(changes[0]["old"]) == 1000 and isinstance(changes[0]["new"], str)
    assert len(encode(payload)) < 100_000


def test_a_single_hotline_watch_links_to_the_hotline(connection):
    hotline = HotlineFactory(connection=connection)
    watch = WatchFactory(view=None, hotline=hotline)
    assert watch_url(watch) == f"https://admin.example.vn/hotlines/{hotline.pk}/"


def test_a_view_links_to_its_address_or_the_list_in_its_state():
    watch = WatchFactory(view__query="status=N&q=t%E1%BB%95ng")
    url = watch_url(watch)
    assert url.startswith("https://admin.example.vn/")
    assert url.endswith(f"/views/{watch.view.pk}/") or url.endswith("/hotlines/?status=N&q=t%E1%BB%95ng")


def test_the_body_is_utf8_json_with_vietnamese_kept(news):
    news.subject = "Tổng đài Hà Nội"
    body = encode(watch_changed_payload(notification=news, delivery_id="k", max_events=5))
    assert "Tổng đài Hà Nội" in body and json.loads(body)["watch"]["subject"] == "Tổng đài Hà Nội"


def test_notification_without_finished_run(news):
    news.sync_run.finished_at = None
    assert watch_changed_payload(notification=news, delivery_id="k", max_events=1)["sync_run"]["finished_at"] is None
