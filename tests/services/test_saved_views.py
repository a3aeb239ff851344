"""Saved views' writes: who may save, share, edit and delete; names; the query kept; unsharing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict

from hotlines.models import SavedView, SavedViewPin, Watch
from hotlines.services.saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_pin,
    saved_view_query,
    saved_view_update,
)
from hotlines.services.users import ADMINISTRATOR, OPERATOR, VIEWER
from tests.factories import HotlineFactory, SavedViewFactory, UserFactory, WatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(db):
    return UserFactory(username="vi", roles=[VIEWER])


@pytest.fixture
def operator(db):
    return UserFactory(username="op", roles=[OPERATOR])


@pytest.fixture
def admin(db):
    return UserFactory(username="ad", roles=[ADMINISTRATOR])


def test_create_keeps_the_canonical_query_without_paging(viewer):
    view = saved_view_create(
        user=viewer, name="Disabled Viettel",
        query=QueryDict("status=N&network=viettel&page=3&per_page=100&view=9&q=&sort=-name"),
        columns=["hotline", "name", "status", "nonsense"],
    )  # fmt: skip
    assert QueryDict(view.query) == QueryDict("status=N&network=viettel&sort=-name")
    assert view.columns == ["hotline", "name", "status"]
    assert not view.shared and view.owner == viewer


def test_a_query_with_junk_keeps_only_what_the_list_uses(viewer):
    query = saved_view_query(QueryDict("status=N&status=Z%00&bogus=1&sort=nope&created_after=not-a-date&q=%00tong"))
    parsed = QueryDict(query)
    assert parsed.getlist("status") == ["N", "Z"]  # a status eTelecom may add later is kept, as the list keeps it
    assert "bogus" not in parsed and "sort" not in parsed and "created_after" not in parsed
    assert parsed.get("q") == "tong"


def test_a_huge_query_is_refused(viewer):
    with pytest.raises(ValidationError):
        saved_view_create(user=viewer, name="big", query=QueryDict("q=" + "a" * 10_000 + "&" + "status=P&" * 10))
    # (the search is bounded by the list, the rest refused as too long)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  Tổng   đài\tHà Nội ", "Tổng đài Hà Nội"),
        ("a\x00b\u202ec", "abc"),
        ("<script>x</script>", "<script>x</script>"),
    ],
)
def test_names_are_cleaned_not_refused(viewer, raw, kept):
    assert saved_view_create(user=viewer, name=raw, query=QueryDict()).name == kept


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "x" * 101])
def test_empty_or_huge_names_are_refused(viewer, raw):
    with pytest.raises(ValidationError):
        saved_view_create(user=viewer, name=raw, query=QueryDict())
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner_whatever_the_case(viewer, operator):
    saved_view_create(user=viewer, name="Mine", query=QueryDict())
    with pytest.raises(ValidationError, match="already a view"):
        saved_view_create(user=viewer, name="MINE", query=QueryDict())
    saved_view_create(user=operator, name="Mine", query=QueryDict())  # another owner may
    assert SavedView.objects.count() == 2


def test_only_those_who_may_share_share(viewer, operator):
    with pytest.raises(PermissionDenied):
        saved_view_create(user=viewer, name="Ours", query=QueryDict(), shared=True)
    assert saved_view_create(user=operator, name="Ours", query=QueryDict(), shared=True).shared
    own = saved_view_create(user=viewer, name="Mine", query=QueryDict())
    with pytest.raises(PermissionDenied):
        saved_view_update(user=viewer, view=own, shared=True)


def test_renaming_keeps_the_address_and_changes_only_the_name(viewer):
    view = saved_view_create(user=viewer, name="Old", query=QueryDict("status=P"), columns=["name"])
    address = view.get_absolute_url()
    result = saved_view_update(user=viewer, view=view, name="New")
    view.refresh_from_db()
    assert result.changed == ["name"]
    assert view.get_absolute_url() == address and view.name == "New"
    assert view.query == "status=P" and view.columns == ["hotline", "name"]


def test_updating_the_state_changes_query_and_columns(viewer):
    view = saved_view_create(user=viewer, name="V", query=QueryDict("status=P"))
    result = saved_view_update(user=viewer, view=view, query=QueryDict("status=N&page=2"), columns=["status"])
    assert set(result.changed) == {"query", "columns"}
    view.refresh_from_db()
    assert view.query == "status=N" and view.columns == ["hotline", "status"]
    assert saved_view_update(user=viewer, view=view, query=QueryDict("status=N")).changed == []


def test_rename_to_a_taken_name_is_refused(viewer):
    saved_view_create(user=viewer, name="A", query=QueryDict())
    b = saved_view_create(user=viewer, name="B", query=QueryDict())
    with pytest.raises(ValidationError):
        saved_view_update(user=viewer, view=b, name="a")
    assert saved_view_update(user=viewer, view=b, name="b").changed == ["name"]  # its own name, recased


def test_an_operator_cannot_edit_another_shared_view_an_admin_can(operator, admin):
    other = UserFactory(username="op2", roles=[OPERATOR])
    view = SavedViewFactory(owner=other, name="Theirs", shared=True)
    with pytest.raises(PermissionDenied):
        saved_view_update(user=operator, view=view, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_view_delete(user=operator, view=view)
    assert saved_view_update(user=admin, view=view, name="Renamed").changed == ["name"]
    saved_view_delete(user=admin, view=view)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_an_admin_cannot_touch_a_private_view(admin, viewer):
    view = SavedViewFactory(owner=viewer, name="Private")
    with pytest.raises(PermissionDenied):
        saved_view_update(user=admin, view=view, name="x")
    with pytest.raises(PermissionDenied):
        saved_view_pin(user=admin, view=view, pinned=True)


def test_unsharing_removes_other_peoples_watches_and_pins(operator, viewer):
    view = saved_view_create(user=operator, name="Ours", query=QueryDict(), shared=True)
    WatchFactory(user=viewer, view=view)
    WatchFactory(user=operator, view=view)
    saved_view_pin(user=viewer, view=view, pinned=True)
    saved_view_pin(user=operator, view=view, pinned=True)
    result = saved_view_update(user=operator, view=view, shared=False)
    assert result.watches_removed == 1 and result.pins_removed == 1
    assert list(Watch.objects.values_list("user__username", flat=True)) == ["op"]
    assert list(SavedViewPin.objects.values_list("user__username", flat=True)) == ["op"]


def test_pin_is_idempotent(viewer):
    view = SavedViewFactory(owner=viewer)
    assert saved_view_pin(user=viewer, view=view, pinned=True)
    assert not saved_view_pin(user=viewer, view=view, pinned=True)
    assert saved_view_pin(user=viewer, view=view, pinned=False)
    assert not saved_view_pin(user=viewer, view=view, pinned=False)


def test_deleting_a_view_removes_its_watches(viewer):
    view = SavedViewFactory(owner=viewer)
    WatchFactory(user=viewer, view=view)
    WatchFactory(user=viewer, view=None, hotline=HotlineFactory())
    saved_view_delete(user=viewer, view=view)
    assert Watch.objects.count() == 1
