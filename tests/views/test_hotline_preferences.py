"""Per-user choices: rows per page, columns (shown, hidden, order), language; each with a reset."""

import pytest
from django.contrib.auth.models import Permission

from hotlines.columns import DEFAULT_COLUMNS
from hotlines.models import UserPreference
from tests.conftest import make_user

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)
PER_PAGE = "/preferences/per-page/"


def columns_of(response) -> list[str]:
    return [column.name for column in response.context["table"].columns]


def test_rows_per_page_is_remembered(viewer_client, viewer, synced):
    assert len(viewer_client.get("/hotlines/").context["table"].page) == 50
    assert len(viewer_client.get("/hotlines/?per_page=25").context["table"].page) == 25
    assert not UserPreference.objects.filter(user=viewer).exists()  # a GET never writes
    response = viewer_client.post(PER_PAGE, {"per_page": "25", "query": "status=P&page=3&sort=name"})
    assert response.status_code == 302 and response.url == "/hotlines/?status=P&sort=name&per_page=25"
    assert UserPreference.objects.get(user=viewer).per_page == 25
    assert len(viewer_client.get("/hotlines/").context["table"].page) == 25
    viewer_client.get("/hotlines/?per_page=100000")  # clamped for this view, never remembered
    response = viewer_client.post(PER_PAGE, {"per_page": "100000", "query": ""})
    assert response.url == "/hotlines/?per_page=100000"  # the list says what it shows instead
    assert UserPreference.objects.get(user=viewer).per_page == 25


def test_the_per_page_form_is_a_post_of_its_own(viewer_client, viewer, synced):
    """The list's select and "Show" belong to the POST form; the list's GET form takes the select in."""
    text = viewer_client.get("/hotlines/?status=P").text
    assert '<form id="per-page-form" method="post" action="/preferences/per-page/" hidden></form>' in text
    assert '<select name="per_page" id="id_per_page" form="per-page-form">' in text
    assert '<input type="hidden" name="query" value="status=P" form="per-page-form">' in text
    assert 'hx-include="#id_per_page"' in text
    assert viewer_client.get(PER_PAGE).status_code == 405
    assert not UserPreference.objects.filter(user=viewer).exists()


def test_columns_shown_hidden_and_ordered(viewer_client, viewer, synced):
    assert columns_of(viewer_client.get("/hotlines/")) == list(DEFAULT_COLUMNS)
    order = ["hotline", "name", "description", "network", "status", "owner_id", "created_at"]
    response = viewer_client.post(
        "/preferences/list/",
        {"order": order, "columns": ["name", "description", "status", "created_at", "bogus"], "next": "/hotlines/?q=x"},
    )
    assert response.status_code == 302 and response.url == "/hotlines/?q=x"
    assert columns_of(viewer_client.get("/hotlines/")) == ["hotline", "name", "description", "status", "created_at"]
    # Move "status" up (above description), then "name" down.
    shown = ["name", "description", "status", "created_at"]
    viewer_client.post("/preferences/list/", {"order": order, "columns": shown, "move": "up:status"})
    assert columns_of(viewer_client.get("/hotlines/")) == ["hotline", "name", "status", "description", "created_at"]
    response = viewer_client.get("/hotlines/")
    assert response.context["columns_open"] is False  # the panel reopened once after the move, then closes
    # The description column renders its text, accents and all.
    first = response.context["table"].paginated_rows[0].record
    assert f'data-label="Description">{first.description or "—"}</td>' in response.text


def test_the_hotline_column_cannot_be_hidden_and_a_move_past_the_ends_is_ignored(viewer_client, synced):
    viewer_client.post("/preferences/list/", {"order": ["name", "hotline"], "columns": ["name"], "move": "up:name"})
    assert columns_of(viewer_client.get("/hotlines/")) == ["hotline", "name"]


def test_sorting_by_a_hidden_column_still_works(viewer_client, synced):
    viewer_client.post("/preferences/list/", {"order": ["name"], "columns": ["name"]})
    response = viewer_client.get("/hotlines/?sort=-owner_id")
    owners = [row.record.owner_id for row in response.context["table"].paginated_rows]
    assert owners == sorted(owners, reverse=True) and not response.context["notes"]


def test_reset_brings_back_the_defaults(viewer_client, viewer, synced):
    viewer_client.post(PER_PAGE, {"per_page": "100"})
    assert UserPreference.objects.get(user=viewer).per_page == 100
    viewer_client.post("/preferences/list/", {"order": ["name"], "columns": ["name"]})
    viewer_client.post("/preferences/list/", {"action": "reset"})
    response = viewer_client.get("/hotlines/")
    assert columns_of(response) == list(DEFAULT_COLUMNS) and len(response.context["table"].page) == 50


def test_preferences_are_per_user(client, synced, django_user_model):
    alice = make_user(django_user_model, "alice", "hotlines.view_hotline")
    bob = make_user(django_user_model, "bob", "hotlines.view_hotline")
    client.force_login(alice)
    client.post("/preferences/list/", {"order": ["name"], "columns": ["name"]})
    client.force_login(bob)
    assert columns_of(client.get("/hotlines/")) == list(DEFAULT_COLUMNS)


def test_next_cannot_leave_the_site(viewer_client, synced):
    response = viewer_client.post("/preferences/list/", {"columns": ["name"], "next": "https://evil.example/"})
    assert response.url == "/hotlines/"
    response = viewer_client.post("/preferences/language/", {"language": "vi", "next": "//evil.example/"})
    assert response.url == "/"


def test_list_preferences_need_the_browse_permission(client, django_user_model, db):
    client.force_login(make_user(django_user_model, "nobody"))
    assert client.post("/preferences/list/", {"columns": ["name"]}).status_code == 403
    assert client.get("/preferences/list/").status_code in (403, 405)


def test_language_is_remembered_for_the_user_on_any_device(client, viewer, synced):
    client.force_login(viewer)
    response = client.post("/preferences/language/", {"language": "vi", "next": "/hotlines/"})
    assert response.url == "/hotlines/" and response.cookies["django_language"].value == "vi"
    assert UserPreference.objects.get(user=viewer).language == "vi"
    page = client.get("/hotlines/")
    assert '<html lang="vi">' in page.text and page["Content-Language"] == "vi"
    # Another browser: no cookie, an English browser; the account's choice wins.
    from django.test import Client

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(viewer)
    assert '<html lang="vi">' in other.get("/hotlines/").text
    # Back to English.
    client.post("/preferences/language/", {"language": "en"})
    assert '<html lang="en">' in client.get("/hotlines/").text


def test_language_on_the_sign_in_page_without_an_account(client, db):
    response = client.post("/preferences/language/", {"language": "vi", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert '<html lang="vi">' in client.get("/accounts/login/").text
    assert client.post("/preferences/language/", {"language": "xx"}).status_code == 302
    assert '<html lang="vi">' in client.get("/accounts/login/").text  # unknown language: nothing changes


def test_vietnamese_formats_numbers_and_dates(client, viewer, synced):
    client.force_login(viewer)
    client.post("/preferences/language/", {"language": "vi"})
    response = client.get("/hotlines/")
    first = response.context["table"].paginated_rows[0].record
    from django.utils import timezone

    assert timezone.localtime(first.created_at).strftime("%d/%m/%Y %H:%M") in response.text
    assert "230 hotline phù hợp" in response.text
    note = client.get("/hotlines/?page=12345").context["notes"][0]
    assert note == "Không có trang 12.345; đang hiển thị trang cuối (5)."  # Vietnamese digit grouping
    client.post("/preferences/language/", {"language": "en"})
    assert "Page 12,345 does not exist" in client.get("/hotlines/?page=12345").text
    assert first.created_at.astimezone(timezone.get_default_timezone()).strftime("%-d %b %Y, %H:%M") in (
        client.get("/hotlines/").text
    )


def test_user_without_permission_rows_for_language(client, django_user_model, db):
    user = make_user(django_user_model, "plain")
    user.user_permissions.add(Permission.objects.get(codename="view_syncrun"))
    client.force_login(user)
    assert client.post("/preferences/language/", {"language": "vi"}).status_code == 302
    assert UserPreference.objects.get(user=user).language == "vi"
