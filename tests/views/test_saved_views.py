"""Saved views through their pages: save from the list, open at the stable address, the list's
Views menu and bar, the Views page, edit, update, delete, pin to home; POST only, CSRF, 404s."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from hotlines.models import SavedView, SavedViewPin, ViewSyncDelta
from hotlines.services.users import ADMINISTRATOR, OPERATOR, VIEWER
from tests.factories import (
    ConnectionFactory,
    HotlineFactory,
    SavedViewFactory,
    SyncRunFactory,
    TenantFactory,
    UserFactory,
    WatchFactory,
)
from tests.forms import form_data_from_html

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data(db):
    """Two eTelecom accounts: 3 enabled and 2 disabled Viettel hotlines on one, 4 enabled Mobifone on the other."""
    main, second = ConnectionFactory(name="main"), ConnectionFactory(name="second")
    HotlineFactory.create_batch(3, connection=main, status="P", network="viettel")
    HotlineFactory.create_batch(2, connection=main, status="N", network="viettel")
    HotlineFactory.create_batch(4, connection=second, status="P", network="mobifone")
    return {"main": main, "second": second}


@pytest.fixture
def viewer(db):
    return UserFactory(username="lan", roles=[VIEWER])


@pytest.fixture
def operator(db):
    return UserFactory(username="minh", roles=[OPERATOR])


@pytest.fixture
def admin(db):
    return UserFactory(username="an", roles=[ADMINISTRATOR])


def test_save_from_the_list_then_open_it_at_its_address(viewer, data):
    client = _client(viewer)
    page = client.get("/hotlines/?status=N&sort=-name&page=1&per_page=25")
    form = form_data_from_html(page.content.decode(), "form.views-save-form")
    form.set("name", "Bị tắt")
    response = client.post(reverse("hotlines:view-add"), form)
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/views/{view.pk}/"
    assert QueryDict(view.query) == QueryDict("status=N&sort=-name")  # no paging
    assert view.columns == page.context["columns_visible"]
    opened = client.get(f"/views/{view.pk}/")
    assert opened.status_code == 302
    assert QueryDict(opened["Location"].split("?", 1)[1]) == QueryDict(f"status=N&sort=-name&view={view.pk}")
    listed = client.get(opened["Location"])
    assert listed.context["table"].paginator.count == 2
    assert listed.context["views"].open == view
    assert "Bị tắt" in unescape(listed.content.decode().split('id="view-bar-name"')[1][:60])
    # Every link of the list keeps the view open (its bar, its columns).
    assert listed.context["list_query"]["view"] == str(view.pk)


def test_the_view_applies_its_columns_not_the_persons(viewer, data):
    view = SavedViewFactory(owner=viewer, query="status=P", columns=["hotline", "status"])
    response = _client(viewer).get(f"/hotlines/?status=P&view={view.pk}")
    assert response.context["columns_visible"] == ["hotline", "status"]
    assert _client(viewer).get("/hotlines/?status=P").context["columns_visible"] != ["hotline", "status"]


def test_views_menu_lists_own_and_shared_views_with_counts(viewer, operator, data):
    SavedViewFactory(owner=viewer, name="Mine", query="status=N")
    SavedViewFactory(owner=operator, name="Ours", query="network=mobifone", shared=True)
    SavedViewFactory(owner=operator, name="Operator's secret", query="")
    response = _client(viewer).get("/hotlines/")
    menu = {view.name: count for view, count, _url in response.context["views"].menu}
    assert menu == {"Mine": 2, "Ours": 4}
    assert "Operator&#x27;s secret" not in response.content.decode() and "Operator's secret" not in response.text


def test_counts_are_cached_per_data_version(viewer, data, django_assert_max_num_queries):
    for n in range(5):
        SavedViewFactory(owner=viewer, name=f"V{n}", query=f"q=tong+{n}")
    client = _client(viewer)
    client.get("/hotlines/")
    with django_assert_max_num_queries(30) as warm:
        client.get("/hotlines/")
    warm_queries = len(warm)  # read now: the next request resets the connection's query log
    SavedViewFactory.create_batch(10, owner=viewer, query="q=tong")
    client.get("/hotlines/")
    with django_assert_max_num_queries(warm_queries):
        client.get("/hotlines/")  # fifteen views cost what five did: no count per view


def test_another_persons_private_view_is_404_everywhere(viewer, operator, admin, data):
    private = SavedViewFactory(owner=operator, name="Private")
    for user in (viewer, admin):
        client = _client(user)
        assert client.get(f"/views/{private.pk}/").status_code == 404
        assert client.get(f"/views/{private.pk}/edit/").status_code == 404
        assert client.get(f"/views/{private.pk}/delete/").status_code == 404
        assert client.post(f"/views/{private.pk}/delete/").status_code == 404
        assert client.post(f"/views/{private.pk}/save/", {"query": ""}).status_code == 404
        assert client.post(f"/views/{private.pk}/pin/", {"pinned": "1"}).status_code == 404
        assert client.post("/watches/add/", {"view": private.pk, "channel": "dashboard"}).status_code == 404
        listed = client.get(f"/hotlines/?view={private.pk}")
        assert listed.status_code == 200 and listed.context["views"].open is None
        assert "does not exist, or is not shared with you" in unescape(listed.content.decode())
    assert SavedView.objects.filter(pk=private.pk, name="Private").exists()


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999", "١", "0x1", "%00"])
def test_a_crafted_view_parameter_is_a_note_not_an_error(viewer, data, raw):
    response = _client(viewer).get("/hotlines/", {"view": raw})
    assert response.status_code == 200 and response.context["views"].open is None


def test_an_operator_cannot_edit_another_shared_view_an_admin_can(operator, admin, data):
    other = UserFactory(username="hoa", roles=[OPERATOR])
    shared = SavedViewFactory(owner=other, name="Shared", shared=True)
    client = _client(operator)
    assert client.get(f"/views/{shared.pk}/").status_code == 302  # may open it
    assert client.get(f"/views/{shared.pk}/edit/").status_code == 403
    assert client.post(f"/views/{shared.pk}/edit/", {"name": "Taken", "shared": "on"}).status_code == 403
    assert client.post(f"/views/{shared.pk}/save/", {"query": "status=P"}).status_code == 403
    assert client.post(f"/views/{shared.pk}/delete/").status_code == 403
    listed = client.get(f"/hotlines/?view={shared.pk}")
    assert not listed.context["views"].can_edit and "Update view" not in listed.content.decode()
    admin_client = _client(admin)
    assert admin_client.post(f"/views/{shared.pk}/edit/", {"name": "Renamed", "shared": "on"}).status_code == 302
    shared.refresh_from_db()
    assert shared.name == "Renamed" and shared.shared and shared.owner == other
    assert admin_client.post(f"/views/{shared.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_a_viewer_cannot_share_even_by_posting_the_box(viewer, data):
    response = _client(viewer).post("/views/add/", {"name": "Mine", "query": "status=P", "shared": "on"})
    assert response.status_code == 302
    assert not SavedView.objects.get().shared
    page = _client(viewer).get("/hotlines/")
    assert 'name="shared"' not in page.content.decode()


def test_a_taken_or_empty_name_shows_the_form_again(viewer, data):
    SavedViewFactory(owner=viewer, name="Mine")
    client = _client(viewer)
    response = client.post("/views/add/", {"name": "mine", "query": "status=N", "columns": ["hotline", "name"]})
    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "There is already a view named “mine”." in text
    assert 'value="status=N"' in text and 'name="columns" value="name"' in text  # nothing typed is lost
    assert client.post("/views/add/", {"name": "   "}).status_code == 400
    assert client.post("/views/add/", {"name": "x" * 5000}).status_code == 400
    assert SavedView.objects.count() == 1


def test_the_add_page_without_script(viewer, data):
    response = _client(viewer).get("/views/add/", {"query": "status=N&sort=name"})
    assert response.status_code == 200
    data_ = form_data_from_html(response.content.decode(), "form.form-card")
    assert data_["query"] == ["status=N&sort=name"]


def test_update_view_saves_the_current_state(viewer, data):
    view = SavedViewFactory(owner=viewer, name="V", query="status=P", columns=["hotline", "name"])
    client = _client(viewer)
    page = client.get(f"/hotlines/?status=N&network=viettel&view={view.pk}&page=1")
    form = form_data_from_html(page.content.decode(), f'form[action="/views/{view.pk}/save/"]')
    response = client.post(f"/views/{view.pk}/save/", form)
    assert response.status_code == 302
    view.refresh_from_db()
    assert QueryDict(view.query) == QueryDict("status=N&network=viettel")
    assert view.columns == ["hotline", "name"] and view.name == "V"


def test_renaming_keeps_the_address_and_only_the_name(viewer, data):
    view = SavedViewFactory(owner=viewer, name="Old", query="status=N", columns=["hotline", "status"])
    client = _client(viewer)
    form = form_data_from_html(client.get(f"/views/{view.pk}/edit/").content.decode(), "form.form-card")
    assert "shared" not in form.fields  # a viewer may not share
    form.set("name", "New")
    assert client.post(f"/views/{view.pk}/edit/", form).status_code == 302
    view.refresh_from_db()
    assert (view.name, view.query, view.columns, view.shared) == ("New", "status=N", ["hotline", "status"], False)
    assert client.get(view.get_absolute_url())["Location"].endswith(f"view={view.pk}")


def test_unsharing_says_whose_watches_go(operator, viewer, data):
    view = SavedViewFactory(owner=operator, name="Ours", shared=True)
    WatchFactory(user=viewer, view=view)
    client = _client(operator)
    page = client.get(f"/views/{view.pk}/edit/")
    assert "1 other person watches this view" in unescape(page.content.decode())
    form = form_data_from_html(page.content.decode(), "form.form-card")
    form.set("shared")
    response = client.post(f"/views/{view.pk}/edit/", form, follow=True)
    assert "1 other person’s watch of it was removed" in unescape(response.content.decode())
    assert not view.watches.exists()


def test_delete_asks_then_deletes(viewer, data):
    view = SavedViewFactory(owner=viewer, name="Gone")
    WatchFactory(user=viewer, view=view)
    client = _client(viewer)
    page = client.get(f"/views/{view.pk}/delete/")
    assert "1 watch of it is removed too." in page.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()  # a GET deletes nothing
    assert client.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()
    assert client.get(f"/views/{view.pk}/").status_code == 404


def test_actions_are_post_only_and_need_csrf(viewer, data):
    view = SavedViewFactory(owner=viewer)
    client = _client(viewer)
    for url in (f"/views/{view.pk}/save/", f"/views/{view.pk}/pin/", "/watches/add/"):
        assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert strict.post(f"/views/{view.pk}/pin/", {"pinned": "1"}).status_code == 403
    assert strict.post("/views/add/", {"name": "x"}).status_code == 403
    assert strict.post(f"/views/{view.pk}/delete/").status_code == 403
    assert not SavedViewPin.objects.exists() and SavedView.objects.count() == 1


def test_the_views_page(viewer, operator, data):
    mine = SavedViewFactory(owner=viewer, name="Mine", query="status=N")
    SavedViewFactory(owner=operator, name="Ours", query="network=mobifone", shared=True)
    SavedViewFactory(owner=operator, name="Hidden", query="")
    SavedViewPin.objects.create(user=viewer, view=mine)
    WatchFactory(user=viewer, view=mine)
    response = _client(viewer).get("/views/")
    text = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Mine" in text and "Ours" in text and "Hidden" not in text
    rows = {row.record.name: row for row in response.context["table"].rows}
    assert rows["Mine"].get_cell("count") == "2" and rows["Ours"].get_cell("count") == "4"
    assert rows["Mine"].get_cell("pinned") == "Yes" and rows["Ours"].get_cell("pinned") == "—"
    assert f"/views/{mine.pk}/edit/" in text
    assert "/edit/" not in str(rows["Ours"].get_cell("actions"))  # another's shared view: not a viewer's to edit


def test_pin_shows_on_home_with_count_and_the_last_syncs_change(viewer, data, django_assert_max_num_queries):
    view = SavedViewFactory(owner=viewer, name="Disabled", query="status=N")
    client = _client(viewer)
    response = client.post(f"/views/{view.pk}/pin/", {"pinned": "1", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = unescape(client.get("/").content.decode())
    assert "Pinned views" in home and "2 hotlines" in home and "since the last sync" not in home
    run = SyncRunFactory(connection=data["main"], status="succeeded")
    ViewSyncDelta.objects.create(view=view, sync_run=run, entered=12, left=3, changed=1)
    home = unescape(client.get("/").content.decode())
    assert "since the last sync: 12 entered, 3 left" in home
    # Home's query count does not grow with the pins.
    client.get("/")
    with django_assert_max_num_queries(100) as one:
        client.get("/")
    one_pin = len(one)  # read now: the next request resets the connection's query log
    for n in range(4):
        other = SavedViewFactory(owner=viewer, name=f"P{n}", query=f"q=x{n}")
        SavedViewPin.objects.create(user=viewer, view=other)
        ViewSyncDelta.objects.create(view=other, sync_run=run, entered=n, left=0)
    client.get("/")
    with django_assert_max_num_queries(one_pin):
        client.get("/")
    assert client.post(f"/views/{view.pk}/pin/", {"pinned": "0"}).status_code == 302
    assert not SavedViewPin.objects.filter(view=view).exists()


def test_pin_next_must_be_this_site(viewer, data):
    view = SavedViewFactory(owner=viewer)
    response = _client(viewer).post(f"/views/{view.pk}/pin/", {"pinned": "1", "next": "https://evil.example/"})
    assert response["Location"].startswith("/hotlines/?")


def test_a_view_naming_what_is_gone_still_opens_and_says_what_was_dropped(viewer, data):
    tenant = TenantFactory(connection=data["main"])
    inactive = ConnectionFactory(name="old", is_active=False)
    view = SavedViewFactory(
        owner=viewer, query=f"status=N&tenant={tenant.pk}&tenant=987654&connection={inactive.pk}&network=viettel"
    )
    tenant.delete()
    response = _client(viewer).get(view.get_absolute_url(), follow=True)
    assert response.status_code == 200
    notes = " ".join(response.context["notes"])
    assert "987654" in notes and "left out" in notes
    assert "ignored" in notes  # the inactive account's filter
    assert response.context["table"].paginator.count == 2  # status and network still apply


def test_a_view_of_one_account_keeps_to_it(viewer, data):
    view = SavedViewFactory(owner=viewer, query=f"connection={data['second'].pk}")
    response = _client(viewer).get(view.get_absolute_url(), follow=True)
    assert response.context["table"].paginator.count == 4
    menu = {v.pk: count for v, count, _url in response.context["views"].menu}
    assert menu[view.pk] == 4


def test_htmx_swaps_keep_the_views_menu_and_bar_in_step(viewer, data):
    view = SavedViewFactory(owner=viewer, query="status=P")
    response = _client(viewer).get(
        f"/hotlines/?status=N&view={view.pk}", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    text = response.content.decode()
    assert 'hx-swap-oob="innerHTML:#views-menu-slot"' in text and 'hx-swap-oob="innerHTML:#view-bar-slot"' in text
    assert re.search(r'name="query" value="status=N&amp;view=\d+"', text)
    assert f"view={view.pk}" in response["HX-Push-Url"]


def test_exporting_an_open_view_gives_its_rows_and_its_columns(data):
    exporter = UserFactory(username="thu", roles=["Exporter"])
    view = SavedViewFactory(owner=exporter, query="status=N", columns=["hotline", "status"])
    client = _client(exporter)
    page = client.get(view.get_absolute_url(), follow=True)
    form = form_data_from_html(page.content.decode(), "form.export-form", submitter="_export=csv")
    response = client.get("/hotlines/", form)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 2  # the header and the view's two disabled hotlines
    assert lines[0].count(",") == 1  # its two columns, not the person's own


def test_a_huge_query_is_a_clear_400(viewer, data):
    response = _client(viewer).post("/views/add/", {"name": "big", "query": "q=" + "x" * 20_000})
    assert response.status_code == 400
    assert "This view’s filters are too long to save." in unescape(response.content.decode())
    assert not SavedView.objects.exists()


def test_from_a_view_to_a_hotline_and_back_to_the_view(viewer, data):
    view = SavedViewFactory(owner=viewer, query="status=N")
    client = _client(viewer)
    listed = client.get(f"/hotlines/?status=N&view={view.pk}")
    detail_url = re.search(r'href="(/hotlines/\d+/\?back=[^"]+)"', listed.content.decode()).group(1)
    detail = client.get(unescape(detail_url))
    back = detail.context["back_url"]
    assert f"view={view.pk}" in back and "status=N" in back
    assert client.get(back).context["views"].open == view


@pytest.mark.parametrize(
    "query", ["sort=pinned", "sort=-watched", "sort=owner", "sort=bogus", "sort=count", "page=999", "page=abc"]
)
def test_the_views_page_sorts_and_pages_without_error(viewer, data, query):
    for n in range(3):
        SavedViewFactory(owner=viewer, name=f"V{n}")
    assert _client(viewer).get(f"/views/?{query}").status_code in (200, 404)
    assert _client(viewer).get(f"/watches/?{query}").status_code in (200, 404)


def test_the_columns_menu_changes_an_open_views_columns_for_its_editors(viewer, operator, data):
    from hotlines.models import UserPreference

    view = SavedViewFactory(owner=viewer, query="status=N", columns=["hotline", "name", "status"])
    client = _client(viewer)
    page = client.get(f"/hotlines/?status=N&view={view.pk}")
    assert "Saved into the view" in page.content.decode()
    form = form_data_from_html(page.content.decode(), 'form[action="/preferences/list/"]', submitter="action=save")
    form.set("columns", "name")
    assert client.post("/preferences/list/", form).status_code == 302
    view.refresh_from_db()
    assert view.columns == ["hotline", "name"]
    assert not UserPreference.objects.filter(user=viewer).exclude(columns=[]).exists()  # the person's own untouched
    # Someone who may not edit it: told, and a crafted POST is refused.
    shared = SavedViewFactory(owner=viewer, name="Shared", shared=True, columns=["hotline", "status"])
    other = _client(operator)
    page = other.get(f"/hotlines/?view={shared.pk}")
    assert "shows its own columns" in unescape(page.content.decode())
    assert other.post("/preferences/list/", {"view": shared.pk, "columns": ["name"]}).status_code == 403
    assert other.post("/preferences/list/", {"view": "999999", "columns": ["name"]}).status_code == 404
    shared.refresh_from_db()
    assert shared.columns == ["hotline", "status"]


def test_the_forms_lead_back_to_the_views_page(viewer, data):
    view = SavedViewFactory(owner=viewer)
    client = _client(viewer)
    for url in ("/views/add/", f"/views/{view.pk}/edit/", f"/views/{view.pk}/delete/"):
        text = client.get(url).content.decode()
        assert re.search(r'<a class="btn btn-ghost" href="/views/">', text), url  # Cancel


def test_the_pages_in_vietnamese(viewer, data):
    view = SavedViewFactory(owner=viewer, name="Đã tắt", query="status=N")
    SavedViewPin.objects.create(user=viewer, view=view)
    WatchFactory(user=viewer, view=view)
    client = _client(viewer)
    client.post("/preferences/language/", {"language": "vi"})
    for url in ("/views/", "/watches/", f"/hotlines/?view={view.pk}", "/", f"/views/{view.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="vi">' in response.content.decode(), url
        assert "Đã tắt" in unescape(response.content.decode()), url
