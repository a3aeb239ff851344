"""What every page reads once per request, in fewer queries: the signed-in person with their list
preference (hotlines.authentication), the number of active eTelecom accounts beside the data
version (selectors/request_memo.py). Same pages, same figures, one round trip less each."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotlines.models import Connection, UserPreference
from hotlines.selectors import connection_count, request_memo, user_preference_get
from hotlines.services.preferences import user_preference_reset_list, user_preference_update
from tests.conftest import make_user

LIST = reverse("hotlines:list")


def _sqls(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("saved", [True, False])
def test_the_list_reads_the_person_and_their_preference_in_one_query(viewer_client, viewer, synced, saved):
    if saved:
        user_preference_update(user=viewer, per_page=25, columns=["hotline", "status"])
    viewer_client.get(LIST)
    with CaptureQueriesContext(db_connection) as queries:
        response = viewer_client.get(LIST)
    assert not [sql for sql in _sqls(queries) if sql.startswith('SELECT "hotlines_userpreference"')]
    assert [sql for sql in _sqls(queries) if "hotlines_userpreference" in sql and '"auth_user"' in sql]
    table = response.context["table"]
    assert table.paginator.per_page == (25 if saved else 50)
    visible = [column.name for column in table.columns]
    assert visible == (["hotline", "status"] if saved else visible)


def test_a_saved_choice_is_what_the_rest_of_the_request_reads(viewer, db):
    """The preference that came with the user is replaced by what was saved, and forgotten on a reset."""
    from hotlines.authentication import PreferenceModelBackend

    user_preference_update(user=viewer, per_page=100)
    user = PreferenceModelBackend().get_user(viewer.pk)
    assert user_preference_get(user=user).per_page == 100
    user_preference_update(user=user, per_page=25)
    with CaptureQueriesContext(db_connection) as queries:
        assert user_preference_get(user=user).per_page == 25
    assert not queries.captured_queries
    user_preference_reset_list(user=user)
    assert user_preference_get(user=user).per_page is None
    assert UserPreference.objects.get(user=viewer).per_page is None


def test_a_person_without_a_preference_gets_none_without_a_query(viewer, db):
    from hotlines.authentication import PreferenceModelBackend

    user = PreferenceModelBackend().get_user(viewer.pk)
    with CaptureQueriesContext(db_connection) as queries:
        assert user_preference_get(user=user) is None
    assert not queries.captured_queries
    assert user_preference_update(user=user, language="vi").language == "vi"
    assert user_preference_get(user=user).language == "vi"


def test_a_deactivated_person_is_signed_out_by_the_backend(viewer_client, viewer, synced):
    assert viewer_client.get(LIST).status_code == 200
    viewer.is_active = False
    viewer.save()
    response = viewer_client.get(LIST)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_signed_in_through_model_backend_stays_signed_in(django_user_model, synced):
    """Sessions from before PreferenceModelBackend name ModelBackend: still valid, preference still read."""
    user = make_user(django_user_model, "old-session", "hotlines.view_hotline")
    user_preference_update(user=user, per_page=25)
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies["sessionid"] = store.session_key
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == 25


def test_a_sign_in_stores_the_backend_that_reads_the_preference(client, django_user_model, synced):
    make_user(django_user_model, "signs-in", "hotlines.view_hotline")
    response = client.post(reverse("login"), {"username": "signs-in", "password": "pw-signs-in"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "hotlines.authentication.PreferenceModelBackend"


def test_the_number_of_accounts_comes_with_the_data_version(viewer_client, synced, connection):
    viewer_client.get(LIST)
    with CaptureQueriesContext(db_connection) as queries:
        response = viewer_client.get(LIST)
    counted = 'SELECT COUNT(*) AS "__count" FROM "hotlines_connection"'
    assert not [sql for sql in _sqls(queries) if sql.startswith(counted)]
    assert "connection" not in [group["name"] for group in response.context["facet_groups"]]
    # A second active account: the next request offers the account filter.
    Connection.objects.create(name="second", base_url="http://127.0.0.1:9/", page_size=100)
    response = viewer_client.get(LIST)
    assert "connection" in [group["name"] for group in response.context["facet_groups"]]


def test_the_remembered_count_lasts_one_request(db, connection):
    from hotlines.selectors import data_version

    assert connection_count() == 1  # outside a request: counted each time
    request_memo.request_opened()
    try:
        data_version()
        Connection.objects.create(name="second", base_url="http://127.0.0.1:9/", page_size=100)
        with CaptureQueriesContext(db_connection) as queries:
            assert connection_count() == 1  # what this request read first
        assert not queries.captured_queries
    finally:
        request_memo.request_closed()
    assert connection_count() == 2


def test_rows_per_page_chosen_in_the_form_hold_for_the_next_pages_and_a_new_session(client, django_user_model, synced):
    """The journey through the sign-in form (the session then names PreferenceModelBackend): the
    Rows per page form posted as the page posts it, then the next page, Back to the first, and a
    second sign-in elsewhere; each reads the saved choice with the person, no query of its own."""
    make_user(django_user_model, "chooser", "hotlines.view_hotline")
    client.post(reverse("login"), {"username": "chooser", "password": "pw-chooser"})
    page = client.get(LIST, {"status": "P"})
    response = client.post(
        reverse("hotlines:list-per-page"),
        {"per_page": "25", "query": page.context["list_query"].urlencode(),
         "csrfmiddlewaretoken": page.context["csrf_token"]},
    )  # fmt: skip
    assert response.status_code == 302
    for params in ({"status": "P", "page": "2"}, {"status": "P"}):
        with CaptureQueriesContext(db_connection) as queries:
            shown = client.get(LIST, params)
        assert shown.context["table"].paginator.per_page == 25
        assert not [sql for sql in _sqls(queries) if sql.startswith('SELECT "hotlines_userpreference"')]
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": "chooser", "password": "pw-chooser"})
    assert elsewhere.get(LIST).context["table"].paginator.per_page == 25
