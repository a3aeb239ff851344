"""Health endpoints and the one-line-per-event logs."""

import json
import logging

import pytest
from django.test import override_settings
from django.utils import timezone

from etelecom_admin.logs import ContextFilter, JsonFormatter
from etelecom_admin.middleware import QUERY_LOGGED
from hotlines.choices import SyncStatus
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
