"""The home page: totals and charts linking into the filtered list, last sync, latest changes."""

import re
from html import unescape

import pytest

from hotlines.services.sync import hotlines_sync
from tests.conftest import kept_and_afresh, make_user

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_totals_and_chart_links_land_on_the_filtered_list(viewer_client, synced):
    response = viewer_client.get("/")
    text = unescape(response.text)
    assert response.context["totals"].total == len(synced)
    n = sum(1 for i in synced if i["network"] == "viettel" and i["status"] == "N")
    label = f"Viettel · Disabled: {n} hotlines"
    match = re.search(rf'<a href="([^"]+)" aria-label="{label}">', text)
    assert match, label
    listed = viewer_client.get(match.group(1))
    assert listed.context["table"].paginator.count == n
    assert {c.value for c in listed.context["chips"]} == {"Viettel", "Disabled"}
    enabled = sum(1 for i in synced if i["status"] == "P")
    assert f'<span class="stat-value">{enabled}</span>' in text


def test_status_bars_are_proportional(viewer_client, synced):
    bars = {bar.key: bar for bar in viewer_client.get("/").context["status_bars"]}
    widest = max(bar.value for bar in bars.values())
    for bar in bars.values():
        assert bar.segments[0].width == pytest.approx(100 * bar.value / widest)


def test_last_sync_and_latest_changes(viewer_client, synced, connection, sandbox):
    sandbox.dataset.patch(synced[0]["id"], status="N" if synced[0]["status"] != "N" else "P")
    assert hotlines_sync(connection=connection).error == ""
    response = viewer_client.get("/")
    assert "Succeeded" in response.text
    changes = response.context["changes"]
    assert changes[0].hotline.etelecom_id == synced[0]["id"] and changes[0].field == "status"
    assert synced[0]["hotline"] in response.text


def test_a_failed_last_sync_says_why(viewer_client, synced, connection, sandbox):
    sandbox.faults.add("status", status=401, code="unauthenticated", msg="invalid token")
    run = hotlines_sync(connection=connection)
    assert run.error
    response = viewer_client.get("/")
    assert run.error in response.text
    assert response.context["totals"].total == len(synced)  # the last good snapshot is still shown


def test_before_the_first_sync(viewer_client, db):
    response = viewer_client.get("/")
    assert response.status_code == 200
    assert "No sync has run yet." in response.text
    assert "they appear after the first successful sync" in response.text


def test_home_needs_the_browse_permission(client, django_user_model, db):
    assert client.get("/").status_code == 302  # to the sign-in page
    client.force_login(make_user(django_user_model, "nobody"))
    assert client.get("/").status_code == 403


def test_home_is_cheap_once_the_figures_are_cached(viewer_client, synced, django_assert_max_num_queries):
    viewer_client.get("/")
    with django_assert_max_num_queries(14):
        viewer_client.get("/")


def _charts(client) -> str:
    """The home page's two chart cards (the block kept per data version and language)."""
    text = client.get("/").text
    charts = r'<section class="card chart-card".*?(?=<section class="card" aria-labelledby="last-sync)'
    return re.search(charts, text, re.S)[0]


def test_the_kept_charts_are_those_rendered_afresh_in_each_language(viewer_client, synced, settings, monkeypatch):
    seen = {}
    for language in ("en", "vi", "en"):
        viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        _charts(viewer_client)  # kept from here on
        kept_html, fresh = kept_and_afresh(monkeypatch, lambda: _charts(viewer_client))
        assert kept_html == fresh
        seen[language] = fresh
    assert seen["en"] != seen["vi"]  # each language has its own


def test_the_kept_charts_show_a_sync_s_change_at_once(viewer_client, synced, connection, sandbox):
    def disabled_on_viettel(text: str) -> int:
        return int(re.search(r'aria-label="Viettel · Disabled: (\d+) hotlines?"', unescape(text))[1])

    before = sum(1 for item in synced if item["network"] == "viettel" and item["status"] == "N")
    assert disabled_on_viettel(_charts(viewer_client)) == before
    assert disabled_on_viettel(_charts(viewer_client)) == before  # kept
    enabled = next(item for item in synced if item["network"] == "viettel" and item["status"] == "P")
    sandbox.dataset.patch(enabled["id"], status="N")
    assert hotlines_sync(connection=connection).error == ""
    assert disabled_on_viettel(_charts(viewer_client)) == before + 1
