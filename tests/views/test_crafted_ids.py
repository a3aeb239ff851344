"""Crafted IDs in requests (other scripts' digits, superscripts, numbers past any database integer)
are refused the same way everywhere: ignored with a note on the list, a 4xx elsewhere, never a 500."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from hotlines.models import Connection, ExportRecord, Hotline, SyncRun
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"  # past 2**63: SQLite raises OverflowError on it
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # int() reads these as ASCII digits


def arabic(pk: int) -> str:
    return str(pk).translate(ARABIC_INDIC)


@pytest.fixture
def hotlines(connection):
    other = Connection.objects.create(name="other", base_url=connection.base_url, api_key="k-other")
    made = [
        Hotline.objects.create(
            connection=conn, etelecom_id=str(i), hotline=f"1900{i:04d}", name=f"Tổng đài {i}", content_hash="x", raw={}
        )
        for i, conn in enumerate([connection, connection, other])
    ]
    return made


@pytest.fixture
def staff(client, django_user_model):
    user = make_user(
        django_user_model, "staff", "hotlines.view_hotline", "hotlines.export_hotline", "hotlines.view_syncrun",
        "hotlines.run_sync",
    )  # fmt: skip
    client.force_login(user)
    return client


@pytest.mark.parametrize("crafted", ["²", "abc", HUGE, "-1", "1_0", "0"])
def test_a_crafted_connection_on_the_list_is_ignored_with_a_note(staff, hotlines, crafted):
    response = staff.get(reverse("hotlines:list"), {"connection": crafted})
    assert response.status_code == 200
    assert any("“eTelecom account” was ignored" in note for note in response.context["notes"])
    assert response.context["table"].paginator.count == len(hotlines)


def test_other_scripts_digits_are_not_read_as_an_id_on_the_list(staff, hotlines, connection):
    """int("١") is 1: without the strict reading, "١" would quietly filter by connection 1."""
    response = staff.get(reverse("hotlines:list"), {"connection": arabic(connection.pk)})
    assert response.status_code == 200
    assert any("“eTelecom account” was ignored" in note for note in response.context["notes"])
    assert response.context["table"].paginator.count == len(hotlines)
    assert "connection" not in response.context["list_query"]


@pytest.mark.parametrize("crafted", ["²", HUGE, "١"])
def test_an_export_with_a_crafted_connection_exports_what_the_list_shows(staff, hotlines, crafted):
    response = staff.get(reverse("hotlines:list"), {"_export": "csv", "connection": crafted})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + len(hotlines)  # the header, then every row: the filter was ignored
    assert ExportRecord.objects.get().filename.startswith("hotlines-all-connections-")


def test_an_export_by_a_real_connection_still_names_it(staff, hotlines, connection):
    response = staff.get(reverse("hotlines:list"), {"_export": "csv", "connection": str(connection.pk)})
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 1 + 2
    assert ExportRecord.objects.get().filename.startswith(f"hotlines-{connection.name}-")


@pytest.mark.parametrize("crafted", ["²", HUGE, "-1", "0", "1_0", " 1", "abc"])
def test_sync_now_with_a_crafted_connection_is_a_400(staff, connection, crafted):
    response = staff.post(reverse("hotlines:sync-start"), {"connection": crafted})
    assert response.status_code == 400
    assert not SyncRun.objects.exists()


def test_sync_now_does_not_read_other_scripts_digits_as_an_id(staff, connection):
    response = staff.post(reverse("hotlines:sync-start"), {"connection": arabic(connection.pk)})
    assert response.status_code == 400
    assert not SyncRun.objects.exists()


def test_sync_now_with_a_real_connection_queues_it(staff, connection, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = staff.post(reverse("hotlines:sync-start"), {"connection": str(connection.pk)})
    assert response.status_code == 302
    assert SyncRun.objects.get().connection == connection


@pytest.fixture
def runs(connection):
    return [SyncRun.objects.create(connection=connection, trigger="command", status=s) for s in ("succeeded", "failed")]


@pytest.mark.parametrize("crafted", ["²", HUGE, "abc"])
def test_the_syncs_list_ignores_a_crafted_connection_with_a_note(staff, runs, crafted):
    response = staff.get(reverse("hotlines:sync-list"), {"connection": crafted, "status": "failed"})
    assert response.status_code == 200
    assert "“eTelecom account” was ignored: " in response.text
    assert [run.pk for run in response.context["table"].data] == [runs[1].pk]  # the valid filter still applies


def test_the_syncs_list_does_not_read_other_scripts_digits_as_an_id(staff, runs, connection):
    response = staff.get(reverse("hotlines:sync-list"), {"connection": arabic(connection.pk)})
    assert response.status_code == 200
    assert "connection" in response.context["filter"].errors
    assert len(response.context["table"].data) == len(runs)


def test_the_syncs_list_filters_by_a_real_connection(staff, runs, connection):
    response = staff.get(reverse("hotlines:sync-list"), {"connection": str(connection.pk)})
    assert response.status_code == 200 and not response.context["filter"].errors
    assert len(response.context["table"].data) == len(runs)


def test_a_page_number_in_other_scripts_digits_is_not_a_page_number(staff, hotlines):
    response = staff.get(reverse("hotlines:list"), {"page": "٢"})
    assert response.status_code == 200
    assert any("is not a page number" in note for note in response.context["notes"])


@pytest.mark.parametrize(
    "path",
    ["/hotlines/{}/", "/syncs/{}/", "/syncs/{}/progress/", "/exports/{}/", "/exports/{}/progress/",
     "/exports/{}/download/"],
)  # fmt: skip
def test_an_id_past_any_database_integer_in_a_url_is_a_404(staff, path):
    assert staff.get(path.format(HUGE)).status_code == 404


def test_a_detail_page_with_a_crafted_back_query_still_opens(staff, hotlines):
    for back in (f"connection={HUGE}", "connection=%C2%B2", "page=%D9%A2", f"connection={quote('١')}"):
        response = staff.get(hotlines[0].get_absolute_url(), {"back": back})
        assert response.status_code == 200, back
