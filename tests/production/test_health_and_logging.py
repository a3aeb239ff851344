"""Health endpoints and the one-line-per-event logs."""

import json
import logging
import sys

import pytest
from django.test import override_settings
from django.utils import timezone

from etelecom_admin.logs import ContextFilter, JsonFormatter, PlainFormatter
from hotlines.choices import SyncStatus
from hotlines.middleware import QUERY_LOGGED
from hotlines.models import SyncRun

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_sign_in_and_shows_no_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_reports_database_migrations_and_sync(client, connection):
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["migrations"] == "ok"
    assert body["last_sync"] == {"succeeded_at": None, "age_seconds": None, "last_outcome": None, "stale": True}
    SyncRun.objects.create(
        connection=connection, trigger="command", status=SyncStatus.FAILED, error="x", finished_at=timezone.now()
    )
    body = client.get("/readyz").json()
    assert body["last_sync"]["last_outcome"] == "failed"


def test_readyz_is_503_when_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("hotlines", "9999_future")])
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["migrations"] == "1 pending"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_is_exempt_from_https_redirect(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_every_response_carries_a_request_id_and_logs_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="etelecom_admin.requests"):
        response = client.get("/accounts/login/?next=/hotlines/%3Fstatus%3DZ", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    lines = [r for r in caplog.records if r.name == "etelecom_admin.requests"]
    assert len(lines) == 1
    assert lines[0].status == 200 and lines[0].path == "/accounts/login/" and lines[0].duration_ms >= 0
    assert lines[0].query == "next=/hotlines/%3Fstatus%3DZ"
    with caplog.at_level(logging.INFO, logger="etelecom_admin.requests"):
        bogus = client.get("/accounts/login/?q=" + "9" * 5000, HTTP_X_REQUEST_ID="<script>")
    assert bogus["X-Request-ID"] != "<script>" and len(bogus["X-Request-ID"]) == 32
    assert len([r for r in caplog.records if r.name == "etelecom_admin.requests"][-1].query) == QUERY_LOGGED


def test_json_log_format_is_one_object_per_line():
    record = logging.LogRecord("hotlines.sync", logging.INFO, __file__, 1, "sync %s done", ("#1",), None)
    record.fetched = 230
    ContextFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["msg"] == "sync #1 done" and payload["fetched"] == 230
    assert payload["level"] == "INFO" and payload["request_id"] == "-"


# --- log injection: text from eTelecom or a request never forges a line ------------------------------

FORGED = "\r\n2026-01-01 00:00:00,000 INFO hotlines.sync [- admin] sync #9 done"


def _record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    record = logging.LogRecord("hotlines.sync", logging.WARNING, __file__, 1, msg, args, exc_info)
    ContextFilter().filter(record)
    return record


def test_plain_log_escapes_control_characters_in_the_message():
    hostile = f"bad key{FORGED}\n\x1b[2Jcleared\u2028\u2029\x85\x0b\x00\ttab"
    line = PlainFormatter().format(_record("eTelecom said: %s", hostile))
    assert len(line.splitlines()) == 1 and "\n" not in line and "\r" not in line
    assert "eTelecom said: bad key\\r\\n2026-01-01 00:00:00,000 INFO hotlines.sync" in line
    assert "\\x1b[2Jcleared\\u2028\\u2029\\x85\\x0b\\x00\\ttab" in line
    assert PlainFormatter().format(_record("Tiếng Việt ✓")).endswith("Tiếng Việt ✓")  # only controls change


def test_plain_log_keeps_a_traceback_but_on_indented_lines():
    try:
        raise ValueError(f"upstream says{FORGED}")
    except ValueError:
        record = _record("sync failed: %s", f"msg{FORGED}", exc_info=sys.exc_info())
    first, *rest = PlainFormatter().format(record).splitlines()
    assert first.endswith("sync failed: msg\\r\\n2026-01-01 00:00:00,000 INFO hotlines.sync [- admin] sync #9 done")
    assert rest[0] == "    Traceback (most recent call last):"
    assert any(line.startswith("    ValueError: upstream says") for line in rest)
    assert all(line.startswith("    ") for line in rest)  # nothing at the left margin but the event itself
    assert JsonFormatter().format(record).count("\n") == 0  # the JSON formatter did not get an indented copy
    assert json.loads(JsonFormatter().format(record))["exc"].startswith("Traceback (most recent call last):")


def test_json_log_escapes_the_separators_json_leaves_raw():
    hostile = f"a{FORGED}\u2028b\u2029c\x85d\x7fe\x1bf"
    line = JsonFormatter().format(_record("%s", hostile))
    assert len(line.splitlines()) == 1 and "\u2028" not in line and "\x85" not in line
    assert json.loads(line)["msg"] == hostile  # escaped, not altered


def test_a_request_path_cannot_forge_a_log_line(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/nothing%0d%0a2026-01-01%2000:00:00,000%20INFO%20etelecom_admin.requests%20GET%20/")
    assert response.status_code in (302, 404)
    records = [r for r in caplog.records if r.name in ("etelecom_admin.requests", "django.request")]
    access = [r for r in records if r.name == "etelecom_admin.requests"]
    assert len(access) == 1 and "\r\n" in access[0].path  # the path as Django decoded it
    for record in records:
        line = PlainFormatter().format(record)
        assert len(line.splitlines()) == 1 and "/nothing\\r\\n2026-01-01" in line
