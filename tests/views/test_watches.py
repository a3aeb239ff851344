"""Watches through their pages: watch a view or a hotline (twice is no error), the Watches page,
change the channel, stop watching; another person's watch is 404; bad input is a 4xx."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from hotlines.models import Watch
from hotlines.services.users import OPERATOR, VIEWER
from tests.factories import HotlineFactory, SavedViewFactory, UserFactory, WatchFactory
from tests.forms import form_data_from_html

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(db):
    return UserFactory(username="lan", roles=[VIEWER])


def test_watch_a_hotline_from_its_page_by_email(viewer):
    hotline = HotlineFactory(hotline="19006868")
    client = _client(viewer)
    page = client.get(f"/hotlines/{hotline.pk}/")
    form = form_data_from_html(page.content.decode(), 'form[action="/watches/add/"]')
    form.set("channel", "email")
    response = client.post("/watches/add/", form)
    watch = Watch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/watches/#watch-{watch.pk}"
    assert watch.hotline == hotline and watch.email and watch.view is None
    page = client.get(f"/hotlines/{hotline.pk}/")
    assert f"/watches/#watch-{watch.pk}" in page.content.decode()  # "Watching", linking to it
    listed = unescape(client.get("/watches/").content.decode())
    assert "19006868" in listed and "In the dashboard and by email" in listed


def test_watching_twice_shows_the_watch(viewer):
    view = SavedViewFactory(owner=viewer, name="Mine")
    client = _client(viewer)
    first = client.post("/watches/add/", {"view": view.pk, "channel": "dashboard"})
    again = client.post("/watches/add/", {"view": view.pk, "channel": "email"}, follow=True)
    watch = Watch.objects.get()
    assert first["Location"] == f"/watches/#watch-{watch.pk}"
    assert "You already watch “Mine”" in unescape(again.content.decode())
    assert not watch.email


def test_watch_a_view_from_the_view_bar(viewer):
    other = UserFactory(username="minh", roles=[OPERATOR])
    shared = SavedViewFactory(owner=other, name="Ours", shared=True)
    client = _client(viewer)
    page = client.get(f"/hotlines/?view={shared.pk}")
    form = form_data_from_html(page.content.decode(), 'form[action="/watches/add/"]')
    assert client.post("/watches/add/", form).status_code == 302
    assert Watch.objects.get().view == shared


def test_change_channel_and_stop_watching(viewer):
    watch = WatchFactory(user=viewer, view=None, hotline=HotlineFactory())
    client = _client(viewer)
    page = client.get("/watches/")
    form = form_data_from_html(page.content.decode(), f'form[action="/watches/{watch.pk}/"]')
    form.set("channel", "email")
    assert client.post(f"/watches/{watch.pk}/", form).status_code == 302
    watch.refresh_from_db()
    assert watch.email and watch.hotline_id  # only the channel changed
    assert client.post(f"/watches/{watch.pk}/delete/").status_code == 302
    assert not Watch.objects.exists()


def test_another_persons_watch_is_404(viewer):
    theirs = WatchFactory(view=None, hotline=HotlineFactory(), email=False)
    client = _client(viewer)
    assert client.post(f"/watches/{theirs.pk}/", {"channel": "email"}).status_code == 404
    assert client.post(f"/watches/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.email
    assert str(theirs.hotline.hotline) not in client.get("/watches/").content.decode()


@pytest.mark.parametrize(
    "post",
    [
        {"channel": "sms", "hotline": "1"},
        {"channel": "dashboard"},
        {"channel": "dashboard", "hotline": "1", "view": "1"},
    ],
)
def test_bad_watch_requests_are_400(viewer, post):
    HotlineFactory()
    SavedViewFactory(owner=viewer)
    assert _client(viewer).post("/watches/add/", post).status_code == 400
    assert not Watch.objects.exists()


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999", "١", "\x00"])
def test_crafted_ids_are_404(viewer, raw):
    client = _client(viewer)
    assert client.post("/watches/add/", {"channel": "dashboard", "hotline": raw}).status_code == 404
    assert client.post("/watches/add/", {"channel": "dashboard", "view": raw}).status_code == 404


def test_the_watches_page_lists_mine_newest_first(viewer):
    view = SavedViewFactory(owner=viewer, name="<b>Mine</b>")
    WatchFactory(user=viewer, view=view)
    WatchFactory(user=viewer, view=None, hotline=HotlineFactory(hotline="02438251234"))
    text = _client(viewer).get("/watches/").content.decode()
    assert "&lt;b&gt;Mine&lt;/b&gt;" in text and "<b>Mine</b>" not in text
    assert text.index("02438251234") < text.index("&lt;b&gt;Mine")
