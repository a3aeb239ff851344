"""The Connections pages: write-only API key, https rule, test button with clear reasons, audit."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.test import override_settings
from django.urls import reverse

from hotlines.models import AuditAction, AuditEntry, Connection
from hotlines.services.connections import probe, writes
from hotlines.services.connections.client import connection_client
from hotlines.services.connections.probe import ConnectionTestOutcome as Outcome

NEW_KEY = "sk-live-NEW-key-0123456789abcdef"


def _raw_key(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT api_key FROM hotlines_connection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _form(**overrides) -> dict:
    data = {"name": "second", "base_url": "https://api.example.com/v1", "api_key": "", "page_size": 100, "timeout": 30}
    data.update(overrides)
    return data


# --- pages -----------------------------------------------------------------------------------


def test_list_shows_the_key_masked_only(admin_client, connection):
    response = admin_client.get(reverse("hotlines:connection-list"))
    assert response.status_code == 200
    assert connection.masked_api_key.encode() in response.content  # ••••-key
    assert b"Test connection" in response.content and b"Deactivate" in response.content


def test_add_stores_the_key_encrypted_and_audits_the_fields_not_the_key(admin_client, sandbox, secret_canary):
    key = secret_canary("sk-live-ADD-0123456789abcdef")
    response = admin_client.post(
        reverse("hotlines:connection-add"), _form(base_url=sandbox.url, api_key=key, page_size=25)
    )
    assert response.status_code == 302
    added = Connection.objects.get(name="second")
    assert (added.api_key, added.page_size, added.base_url) == (key, 25, sandbox.url)
    assert key not in _raw_key(added.pk) and _raw_key(added.pk).startswith("gAAAA")  # a Fernet token
    entry = AuditEntry.objects.get(action=AuditAction.CONNECTION_CREATED)
    assert entry.actor.username == "administrator" and entry.details["connection_id"] == added.pk
    assert "api_key" in entry.details["fields"] and key not in json.dumps(entry.details)


def test_add_requires_a_key(admin_client):
    response = admin_client.post(reverse("hotlines:connection-add"), _form())
    assert response.status_code == 200
    assert response.context["form"].errors["api_key"]
    assert not Connection.objects.filter(name="second").exists()


def test_edit_page_never_renders_the_key(admin_client, connection):
    response = admin_client.get(reverse("hotlines:connection-edit", args=[connection.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    field = html[html.index('name="api_key"') - 200 : html.index('name="api_key"') + 200]
    assert 'type="password"' in field and "value=" not in field
    assert connection.masked_api_key in html  # "ends in ••••-key"


def test_edit_with_an_empty_key_keeps_it_and_records_which_fields_changed(admin_client, connection):
    url = reverse("hotlines:connection-edit", args=[connection.pk])
    response = admin_client.post(url, _form(name="default", base_url=connection.base_url, page_size=75, timeout=5))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.page_size, connection.api_key) == (75, "sandbox-key")
    entry = AuditEntry.objects.get(action=AuditAction.CONNECTION_CHANGED)
    assert entry.details["fields"] == ["page_size"]


def test_typing_a_new_key_replaces_it_and_the_audit_names_the_field_only(admin_client, connection, secret_canary):
    secret_canary(NEW_KEY)
    url = reverse("hotlines:connection-edit", args=[connection.pk])
    response = admin_client.post(
        url, _form(name="default", base_url=connection.base_url, timeout=5, page_size=50, api_key=NEW_KEY)
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.api_key == NEW_KEY
    entry = AuditEntry.objects.get(action=AuditAction.CONNECTION_CHANGED)
    assert entry.details["fields"] == ["api_key"]
    assert NEW_KEY not in json.dumps(entry.details) and "sandbox-key" not in json.dumps(entry.details)
    listing = admin_client.get(reverse("hotlines:connection-list")).content.decode()
    assert f"••••{NEW_KEY[-4:]}" in listing


def test_deactivate_and_activate_are_posts_and_audited(admin_client, connection):
    url = reverse("hotlines:connection-active", args=[connection.pk])
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url, {"active": "0"}).status_code == 302
    connection.refresh_from_db()
    assert not connection.is_active
    admin_client.post(url, {"active": "1"})
    connection.refresh_from_db()
    assert connection.is_active
    changes = AuditEntry.objects.filter(action=AuditAction.CONNECTION_CHANGED).order_by("at", "id")
    assert [e.details["is_active"] for e in changes] == [False, True]


# --- the https rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.etelecom.vn/v1", True),
        ("http://api.etelecom.vn/v1", False),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765/", True),
        ("http://[::1]:8765", True),
        ("http://10.0.0.5", False),
        ("https://user:secret@api.etelecom.vn", False),
        ("ftp://api.etelecom.vn", False),
        ("https://api.etelecom.vn/v1?key=x", False),
        ("api.etelecom.vn", False),
    ],
)
def test_base_url_must_be_https_unless_loopback(url, ok):
    if ok:
        assert writes.connection_base_url_clean(url) == url.rstrip("/")
    else:
        with pytest.raises(ValidationError):
            writes.connection_base_url_clean(url)


@override_settings(DEBUG=True)
def test_plain_http_is_allowed_in_debug():
    assert writes.connection_base_url_clean("http://etelecom.test/") == "http://etelecom.test"


def test_the_form_and_the_service_both_refuse_plain_http(admin_client, db):
    response = admin_client.post(
        reverse("hotlines:connection-add"), _form(base_url="http://api.example.com", api_key="k" * 20)
    )
    assert "https" in str(response.context["form"].errors["base_url"])
    with pytest.raises(ValidationError) as caught:
        writes.connection_create(name="x", base_url="http://api.example.com", api_key="k" * 20)
    assert "base_url" in caught.value.error_dict
    with pytest.raises(ValidationError):
        writes.connection_upsert(name="y", base_url="http://api.example.com", api_key="k" * 20)
    assert not Connection.objects.exists()


# --- Test connection -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NotEtelecom(BaseHTTPRequestHandler):
    def do_POST(self):
        body = b"<!doctype html><title>Welcome to nginx!</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotEtelecom)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_test_connection_reports_count_and_time(connection):
    result = probe.connection_test(connection=connection)
    assert result.ok and result.outcome == Outcome.OK
    assert result.count == probe.TEST_LIMIT and result.has_more and result.seconds > 0
    assert f"returned {probe.TEST_LIMIT} hotlines in" in result.message
    entry = AuditEntry.objects.get(action=AuditAction.CONNECTION_TESTED)
    assert entry.details["outcome"] == "ok" and entry.details["count"] == probe.TEST_LIMIT


def test_test_connection_says_the_key_was_rejected(connection, secret_canary):
    Connection.objects.filter(pk=connection.pk).update(api_key=secret_canary("sk-wrong-0123456789abcdef"))
    connection.refresh_from_db()
    result = probe.connection_test(connection=connection)
    assert result.outcome == Outcome.KEY_REJECTED and result.message.startswith("Key rejected")


def test_test_connection_says_the_host_is_unreachable(connection):
    connection.base_url = f"http://127.0.0.1:{_free_port()}"
    result = probe.connection_test(connection=connection, record=False)
    assert result.outcome == Outcome.UNREACHABLE and result.message.startswith("Host unreachable")


def test_test_connection_says_tls_failed(connection, sandbox):
    connection.base_url = sandbox.url.replace("http://", "https://")  # TLS spoken to a plain HTTP server
    result = probe.connection_test(connection=connection, record=False)
    assert result.outcome == Outcome.TLS_ERROR and result.message.startswith("TLS error")


@override_settings(ETELECOM_RETRIES=4, ETELECOM_CALL_DEADLINE=60.0)
def test_a_sync_client_retries_and_a_test_client_tries_once_within_its_wait(connection):
    with connection_client(connection) as for_sync:
        assert (for_sync.retries, for_sync.deadline, for_sync.timeout[1]) == (4, 60.0, connection.timeout)
    with connection_client(connection, wait_at_most=7.0) as for_a_person:
        assert (for_a_person.retries, for_a_person.deadline, for_a_person.timeout[1]) == (0, 7.0, 7.0)


def test_test_connection_says_it_timed_out(connection, sandbox):
    connection.timeout = 1
    sandbox.faults.add("delay", seconds=2)
    result = probe.connection_test(connection=connection, record=False)
    assert result.outcome == Outcome.TIMEOUT and "within 1 seconds" in result.message


def test_test_connection_says_it_is_not_an_etelecom_api(connection, web_server, sandbox):
    connection.base_url = web_server  # a web server answering HTML
    assert probe.connection_test(connection=connection, record=False).outcome == Outcome.NOT_ETELECOM
    connection.base_url = sandbox.url + "/somewhere-else"  # a 404 bad_route
    result = probe.connection_test(connection=connection, record=False)
    assert result.outcome == Outcome.NOT_ETELECOM and result.message.startswith("Not an eTelecom API")


def test_test_button_reports_in_a_message(admin_client, connection):
    url = reverse("hotlines:connection-test", args=[connection.pk])
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("hotlines:connection-list") + f"#connection-{connection.pk}"
    assert "default: Connected: eTelecom returned 10 hotlines in" in response.content.decode()


def test_save_and_test_reports_a_failure_reason(admin_client, connection, secret_canary):
    key = secret_canary("sk-wrong-9876543210fedcba")
    url = reverse("hotlines:connection-edit", args=[connection.pk])
    data = _form(name="default", base_url=connection.base_url, timeout=5, page_size=50, api_key=key, test="1")
    html = admin_client.post(url, data, follow=True).content.decode()
    assert "Key rejected" in html and "401" in html


# --- the result said once, on its row, and the state told honestly -------------------------------

WRONG_KEY = "sk-wrong-ROW-0123456789abcdef"


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def _row(html: str, pk: int) -> str:
    start = html.index(f'id="connection-{pk}"')
    return html[start : html.index("</tr>", start)]


def test_a_failed_test_is_said_once_and_its_upstream_detail_only_on_the_row(admin_client, connection, secret_canary):
    Connection.objects.filter(pk=connection.pk).update(api_key=secret_canary(WRONG_KEY))
    response = admin_client.post(reverse("hotlines:connection-test", args=[connection.pk]), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#connection-{connection.pk}")
    [(level, text)] = _messages(response)
    assert level == "error" and text.startswith("default: Key rejected")
    # The diagnosis once: the client's own wording of the same failure is not appended to it.
    detail = AuditEntry.objects.get(action=AuditAction.CONNECTION_TESTED).details["error"]
    assert detail and detail not in text
    assert "It is still active, so its syncs may fail too." in text
    row = _row(response.content.decode(), connection.pk)
    assert '<span class="badge badge-disabled">Key rejected</span>' in row
    assert "<summary>Technical detail</summary>" in row and "401" in row and WRONG_KEY not in row


def test_the_row_shows_the_last_test_and_each_connection_its_own(admin_client, connection, sandbox):
    other = Connection.objects.create(
        name="other", base_url=sandbox.url, api_key="sk-wrong-OTHER-0123456789", page_size=50, timeout=5
    )
    untested = Connection.objects.create(name="untested", base_url=sandbox.url, api_key="k" * 20)
    probe.connection_test(connection=other)  # fails: the wrong key
    probe.connection_test(connection=connection)  # works
    Connection.objects.filter(pk=other.pk).update(api_key="sandbox-key")
    other.refresh_from_db()
    probe.connection_test(connection=other)  # works now: the latest test is the one shown
    probe.connection_test(connection=connection, record=False)  # not recorded: not shown either
    html = admin_client.get(reverse("hotlines:connection-list")).content.decode()
    for tested in (connection, other):
        row = _row(html, tested.pk)
        assert '<span class="badge badge-enabled">Connected</span>' in row and "10 hotlines in" in row
        assert "Key rejected" not in row and "Technical detail" not in row
    assert "never" in _row(html, untested.pk) and "Connected" not in _row(html, untested.pk)


def test_malformed_test_entries_neither_break_the_list_nor_lend_their_result(admin_client, connection):
    for details in (
        {"connection_id": "not-a-number", "outcome": "ok"},
        {"outcome": "ok"},
        {"connection_id": [connection.pk], "outcome": "ok"},
    ):
        AuditEntry.objects.create(action=AuditAction.CONNECTION_TESTED, details=details)
    response = admin_client.get(reverse("hotlines:connection-list"))
    assert response.status_code == 200 and "Connected" not in _row(response.content.decode(), connection.pk)
    # A well-formed entry whose fields are odd (an older release, a hand edit) still renders.
    details = {"connection_id": connection.pk, "outcome": "gone_away", "count": "lots", "ms": None, "error": 42}
    AuditEntry.objects.create(action=AuditAction.CONNECTION_TESTED, details=details)
    row = _row(admin_client.get(reverse("hotlines:connection-list")).content.decode(), connection.pk)
    assert '<span class="badge badge-disabled">Failed</span>' in row and '<p class="mono">42</p>' in row


def test_save_and_test_leaves_a_failing_new_connection_inactive_and_says_so(admin_client, sandbox, secret_canary):
    key = secret_canary("sk-wrong-NEW-0123456789abcdef")
    data = _form(name="second", base_url=sandbox.url, api_key=key, test="1")
    response = admin_client.post(reverse("hotlines:connection-add"), data, follow=True)
    added = Connection.objects.get(name="second")
    assert not added.is_active and added.api_key == key  # kept, so nothing is typed again
    assert response.redirect_chain[-1][0].endswith(f"#connection-{added.pk}")
    [(level, text)] = _messages(response)
    assert level == "error" and "saved but left inactive because its test failed" in text
    assert "Key rejected" in text and "activate it from its row" in text
    assert AuditEntry.objects.get(action=AuditAction.CONNECTION_TESTED).details["error"] not in text
    row = _row(response.content.decode(), added.pk)
    assert '<span class="badge badge-removed">Inactive</span>' in row and "Key rejected" in row
    assert ">Activate</button>" in row
    change = AuditEntry.objects.get(action=AuditAction.CONNECTION_CHANGED)
    assert change.details == {"connection_id": added.pk, "fields": ["is_active"], "is_active": False}


def test_save_and_test_keeps_a_working_new_connection_active(admin_client, sandbox):
    data = _form(name="second", base_url=sandbox.url, api_key="sandbox-key", test="1")
    response = admin_client.post(reverse("hotlines:connection-add"), data, follow=True)
    added = Connection.objects.get(name="second")
    assert added.is_active
    [added_message, tested_message] = _messages(response)
    assert added_message == ("success", "Connection “second” added.")
    assert tested_message[0] == "success" and tested_message[1].startswith("second: Connected: eTelecom returned 10")
    row = _row(response.content.decode(), added.pk)
    assert '<span class="badge badge-enabled">Active</span>' in row and "Connected" in row
    assert not AuditEntry.objects.filter(action=AuditAction.CONNECTION_CHANGED).exists()


def test_plain_save_of_a_new_connection_runs_no_test(admin_client, sandbox):
    response = admin_client.post(
        reverse("hotlines:connection-add"), _form(base_url=sandbox.url, api_key="sk-wrong-0123456789"), follow=True
    )
    assert _messages(response) == [("success", "Connection “second” added.")]
    assert Connection.objects.get(name="second").is_active
    assert not AuditEntry.objects.filter(action=AuditAction.CONNECTION_TESTED).exists()


def test_badges_are_capitalised_words_not_codes(admin_client, connection, secret_canary):
    inactive = Connection.objects.create(
        name="spare", base_url=connection.base_url, api_key=secret_canary("sk-wrong-SPARE-0123456789"), is_active=False
    )
    admin_client.post(reverse("hotlines:connection-test", args=[inactive.pk]))
    html = admin_client.get(reverse("hotlines:connection-list")).content.decode()
    assert ">Active</span>" in html and ">Inactive</span>" in html
    assert ">active<" not in html and ">inactive<" not in html
    edit = admin_client.get(reverse("hotlines:connection-edit", args=[inactive.pk])).content.decode()
    assert ">Inactive</span>" in edit and ">Key rejected</span>" in edit and "key_rejected" not in edit


def test_names_and_masked_keys_are_kept_on_one_line(admin_client, connection):
    html = admin_client.get(reverse("hotlines:connection-list")).content.decode()
    row = _row(html, connection.pk)
    assert f'class="mono nowrap">{connection.masked_api_key}</td>' in row
    assert 'data-label="Name" class="nowrap"' in row


# --- where the key must never appear -------------------------------------------------------------


def test_a_crash_while_saving_does_not_put_the_key_in_the_error_page_or_report(
    admin_client, connection, monkeypatch, secret_canary
):
    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    key = secret_canary("sk-live-CRASH-0123456789abcdef")
    reports = []

    def capture(sender, request, **kwargs):
        import sys

        reports.append(ExceptionReporter(request, *sys.exc_info()).get_traceback_text())

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("hotlines.views.connections.connection_update", boom)
    got_request_exception.connect(capture)
    admin_client.raise_request_exception = False
    try:
        url = reverse("hotlines:connection-edit", args=[connection.pk])
        response = admin_client.post(url, _form(name="default", base_url=connection.base_url, timeout=5, api_key=key))
    finally:
        got_request_exception.disconnect(capture)
    assert response.status_code == 500
    assert key not in response.content.decode()
    assert reports and "database went away" in reports[0] and key not in reports[0]


def test_the_django_admin_shows_the_key_masked_and_saves_through_the_service(client, superuser, connection):
    client.force_login(superuser)
    listing = client.get(reverse("admin:hotlines_connection_changelist")).content.decode()
    assert connection.masked_api_key in listing
    url = reverse("admin:hotlines_connection_change", args=[connection.pk])
    page = client.get(url).content.decode()
    assert 'name="api_key"' in page
    data = {
        "name": "default",
        "base_url": connection.base_url,
        "api_key": "",
        "page_size": 60,
        "timeout": 5,
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    connection.refresh_from_db()
    assert (connection.page_size, connection.api_key) == (60, "sandbox-key")
    assert AuditEntry.objects.get(action=AuditAction.CONNECTION_CHANGED).details["fields"] == ["page_size"]


@pytest.mark.django_db(transaction=True)  # the sync commits (a second connection on PostgreSQL)
def test_a_failed_sync_records_no_key(connection, secret_canary):
    from hotlines.services.sync import hotlines_sync

    Connection.objects.filter(pk=connection.pk).update(api_key=secret_canary("sk-wrong-SYNC-0123456789ab"))
    connection.refresh_from_db()
    run = hotlines_sync(connection=connection)
    assert run.error and "401" in run.error and "sk-wrong" not in run.error


def test_a_plain_http_base_url_in_the_environment_is_refused_with_its_name(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ETELECOM_BASE_URL, settings.ETELECOM_API_KEY = "http://api.example.com", "k" * 20
    with pytest.raises(ImproperlyConfigured, match="ETELECOM_BASE_URL: The base URL must use https"):
        writes.connection_ensure_from_settings()
    settings.ETELECOM_BASE_URL = "https://api.example.com/"
    created = writes.connection_ensure_from_settings()
    assert created.base_url == "https://api.example.com" and created.name == "default"
    assert AuditEntry.objects.get(action=AuditAction.CONNECTION_CREATED).actor_username == "settings"


# --- a new server needs the key typed again ------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers nothing useful; remembers what it was sent (the server a hostile admin would run)."""

    def do_POST(self):
        self.server.seen.append(self.headers.get("Authorization", ""))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _listener_url(listener) -> str:
    return f"http://127.0.0.1:{listener.server_address[1]}/v1"


def test_save_and_test_never_sends_the_stored_key_to_a_new_host(admin_client, connection, listener):
    url = reverse("hotlines:connection-edit", args=[connection.pk])
    data = _form(name="default", base_url=_listener_url(listener), timeout=5, page_size=50, test="1")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "type the API key again" in str(response.context["form"].errors["api_key"])
    connection.refresh_from_db()
    assert connection.base_url != _listener_url(listener)
    assert listener.seen == []
    assert not AuditEntry.objects.filter(action__in=[AuditAction.CONNECTION_CHANGED, AuditAction.CONNECTION_TESTED])


def test_a_new_host_with_the_key_typed_again_is_saved_and_tested_there(admin_client, connection, listener):
    url = reverse("hotlines:connection-edit", args=[connection.pk])
    data = _form(name="default", base_url=_listener_url(listener), timeout=5, page_size=50, api_key=NEW_KEY, test="1")
    admin_client.post(url, data)
    connection.refresh_from_db()
    assert (connection.base_url, connection.api_key) == (_listener_url(listener), NEW_KEY)
    assert listener.seen == [f"Bearer {NEW_KEY}"]


def test_the_django_admin_also_needs_the_key_for_a_new_host(client, superuser, connection, listener):
    client.force_login(superuser)
    url = reverse("admin:hotlines_connection_change", args=[connection.pk])
    data = {"name": "default", "base_url": _listener_url(listener), "api_key": "", "page_size": 50, "timeout": 5}
    response = client.post(url, {**data, "is_active": "on"})
    assert response.status_code == 200
    assert "type the API key again" in str(response.context["adminform"].form.errors["api_key"])
    connection.refresh_from_db()
    assert connection.base_url != _listener_url(listener) and connection.api_key == "sandbox-key"
    assert listener.seen == []


@pytest.mark.parametrize(
    ("new_url", "needs_key"),
    [
        ("https://api.example.com/v2", False),  # another path on the same server
        ("https://API.example.com:443/v1/", False),  # the same origin, spelled differently
        ("https://api.example.org/v1", True),  # another host
        ("https://api.example.com:8443/v1", True),  # another port
        ("http://api.example.com/v1", True),  # another scheme
    ],
)
def test_the_service_needs_the_key_when_scheme_host_or_port_change(db, settings, new_url, needs_key):
    settings.DEBUG = True  # plain http allowed, so the scheme case reaches the key rule
    stored = Connection.objects.create(name="x", base_url="https://api.example.com/v1", api_key="k-0123456789")
    if needs_key:
        with pytest.raises(ValidationError) as caught:
            writes.connection_update(connection=stored, base_url=new_url)
        assert "api_key" in caught.value.error_dict
        stored.refresh_from_db()
        assert stored.base_url == "https://api.example.com/v1"
        assert writes.connection_update(connection=stored, base_url=new_url, api_key="k-new-0123456789")
    else:
        writes.connection_update(connection=stored, base_url=new_url)
    stored.refresh_from_db()
    assert stored.base_url == new_url.rstrip("/")
