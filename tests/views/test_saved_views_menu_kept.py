"""The list's Views menu is kept per process for each person and saved views' version
(list_saved_views.py): a list page reads no saved view, yet every change to any view, made by
anyone through any page, shows in the next list page of everyone it concerns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hotlines.models import SavedView
from hotlines.services.users import ADMINISTRATOR, OPERATOR, VIEWER
from tests.factories import ConnectionFactory, HotlineFactory, SavedViewFactory, UserFactory
from tests.forms import form_data_from_html

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _menu(client) -> dict[str, tuple[int, bool]]:
    response = client.get("/hotlines/")
    assert response.status_code == 200
    return {view.name: (count, view.shared) for view, count, _url in response.context["views"].menu}


@pytest.fixture
def people(db):
    main = ConnectionFactory(name="main")
    HotlineFactory.create_batch(3, connection=main, status="P", network="viettel")
    HotlineFactory.create_batch(2, connection=main, status="N", network="mobifone")
    return {
        "viewer": UserFactory(username="lan", roles=[VIEWER]),
        "operator": UserFactory(username="minh", roles=[OPERATOR]),
        "admin": UserFactory(username="an", roles=[ADMINISTRATOR]),
    }


def test_a_list_page_reads_no_saved_view_once_its_menu_is_kept(people):
    SavedViewFactory(owner=people["viewer"], name="Mine", query="status=N")
    client = _client(people["viewer"])
    client.get("/hotlines/")
    with CaptureQueriesContext(connection) as queries:
        assert _menu(client) == {"Mine": (2, False)}
    own = [q["sql"] for q in queries if 'FROM "hotlines_savedview"' in q["sql"]]
    assert own == [], own  # only the version, in data_version's one round trip
    versions = [q["sql"] for q in queries if "FROM hotlines_savedview)" in q["sql"]]
    assert len(versions) == 1 and "MAX(last_changed_at)" in versions[0]


def test_every_change_by_anyone_shows_in_the_next_page(people):
    """Another person shares, renames, unshares and deletes through the pages; each shows at once."""
    viewer, operator = _client(people["viewer"]), _client(people["operator"])
    assert _menu(viewer) == {}
    # Saved from the list's Views menu, as the browser submits its form.
    listed = operator.get("/hotlines/", {"status": "P"}).content.decode()
    save = form_data_from_html(listed, "form.views-save-form")
    save.set("name", "Enabled")
    save.set("shared", "on")
    assert operator.post("/views/add/", save).status_code == 302
    view = SavedView.objects.get(name="Enabled")
    assert _menu(viewer) == {"Enabled": (3, True)}
    page = operator.get(f"/views/{view.pk}/edit/")
    form = form_data_from_html(page.content.decode(), "form.form-card")
    form.set("name", "Enabled lines")
    assert operator.post(f"/views/{view.pk}/edit/", form).status_code == 302
    assert _menu(viewer) == {"Enabled lines": (3, True)}
    form.set("shared")  # unticked
    assert operator.post(f"/views/{view.pk}/edit/", form).status_code == 302
    assert _menu(viewer) == {}
    assert _menu(operator) == {"Enabled lines": (3, False)}
    assert operator.post(f"/views/{view.pk}/delete/").status_code == 302
    assert _menu(operator) == {}


def test_each_person_keeps_their_own_menu(people):
    """Kept per person: one's private views never reach another's menu, under the same version."""
    SavedViewFactory(owner=people["viewer"], name="Lan's", query="")
    SavedViewFactory(owner=people["operator"], name="Minh's", query="network=mobifone")
    SavedViewFactory(owner=people["admin"], name="Shared", query="status=N", shared=True)
    viewer, operator = _client(people["viewer"]), _client(people["operator"])
    for _ in range(2):  # the second time from the kept menus
        assert _menu(viewer) == {"Lan's": (5, False), "Shared": (2, True)}
        assert _menu(operator) == {"Minh's": (2, False), "Shared": (2, True)}


def test_a_delete_and_an_add_between_two_pages_still_show(people):
    """The version is the views' count, highest ID and latest save: a view deleted and another
    added (same count), or a change saved outside the pages (the Django admin saves too), moves it."""
    first = SavedViewFactory(owner=people["viewer"], name="First", query="")
    client = _client(people["viewer"])
    assert _menu(client) == {"First": (5, False)}
    first.delete()
    SavedViewFactory(owner=people["viewer"], name="Second", query="status=P")
    assert _menu(client) == {"Second": (3, False)}
    second = SavedView.objects.get(name="Second")
    second.query = "status=N"
    second.save()
    assert _menu(client) == {"Second": (2, False)}


def test_an_open_view_still_shows_its_bar_and_may_be_edited(people):
    """The open view is read for the page (what the person may do with it), not from the menu."""
    view = SavedViewFactory(owner=people["operator"], name="Ours", query="status=P", shared=True)
    operator, viewer = _client(people["operator"]), _client(people["viewer"])
    mine = operator.get("/hotlines/", {"view": view.pk})
    assert mine.context["views"].open == view and mine.context["views"].can_edit
    theirs = viewer.get("/hotlines/", {"view": view.pk})
    assert theirs.context["views"].open == view and not theirs.context["views"].can_edit
    assert 'aria-current="true"' in theirs.content.decode()
    view.shared = False
    view.save()
    gone = viewer.get("/hotlines/", {"view": view.pk})
    assert gone.context["views"].open is None and gone.context["views"].notes
