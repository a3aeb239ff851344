"""The audit log: what is recorded (never a secret), the page admins filter it on, and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hotlines.models import AuditAction, AuditEntry
from hotlines.services.audit import audit_purge, audit_record


def _entry(action, username: str, days_ago: float = 0, target: str = "") -> AuditEntry:
    entry = audit_record(action=action, username=username, target=target)
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days_ago))
    return entry


@pytest.fixture
def entries(db):
    return {
        "export": _entry(AuditAction.EXPORT, "alice", days_ago=1, target="hotlines csv"),
        "sync": _entry(AuditAction.SYNC_REQUESTED, "bob", days_ago=2, target="connection default"),
        "failed": _entry(AuditAction.SIGN_IN_FAILED, "mallory", days_ago=10, target="user mallory"),
        "old": _entry(AuditAction.SIGN_IN, "alice", days_ago=400, target="user alice"),
    }


def _shown(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].paginated_rows}


def test_the_audit_page_filters_by_action_user_dates_and_text(admin_client, entries):
    url = reverse("hotlines:audit-log")
    assert {entries[k].pk for k in entries} <= _shown(admin_client.get(url))
    only = _shown(admin_client.get(url, {"action": [AuditAction.EXPORT, AuditAction.SYNC_REQUESTED]}))
    assert only == {entries["export"].pk, entries["sync"].pk}
    assert _shown(admin_client.get(url, {"user": "ALICE"})) == {entries["export"].pk, entries["old"].pk}
    today = timezone.localdate()
    window = {"at_after": (today - timedelta(days=3)).isoformat(), "at_before": today.isoformat()}
    assert _shown(admin_client.get(url, window)) >= {entries["export"].pk, entries["sync"].pk}
    assert entries["failed"].pk not in _shown(admin_client.get(url, window))
    assert _shown(admin_client.get(url, {"q": "default"})) == {entries["sync"].pk}


def test_the_audit_page_sorts_and_pages_in_few_queries(admin_client, entries, django_assert_max_num_queries):
    for i in range(60):
        audit_record(action=AuditAction.EXPORT, username=f"user{i}", details={"rows": i, "fields": ["a", "b"]})
    admin_client.get(reverse("hotlines:audit-log"))  # the first request starts the session clocks
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("hotlines:audit-log"), {"sort": "actor_username", "page": 2})
    assert response.status_code == 200
    assert len(response.context["table"].paginated_rows) == AuditEntry.objects.count() - 50 > 0


def test_only_administrators_see_the_audit_log(client, role_users):
    client.force_login(role_users["operator"])
    assert client.get(reverse("hotlines:audit-log")).status_code == 403
    assert b"Audit log" not in client.get(reverse("hotlines:list")).content


def test_secret_valued_details_are_hidden_whatever_the_caller_passes(db):
    entry = audit_record(
        action=AuditAction.CONNECTION_CHANGED,
        details={"api_key": "sk-1", "nested": {"Password": "p", "ok": 1}, "fields": ["api_key"]},
    )
    assert entry.details == {"api_key": "[hidden]", "nested": {"Password": "[hidden]", "ok": 1}, "fields": ["api_key"]}


@override_settings(AUDIT_RETENTION_DAYS=365)
def test_purge_keeps_the_retention_window_and_records_itself(entries):
    assert audit_purge() == 1
    assert not AuditEntry.objects.filter(pk=entries["old"].pk).exists()
    assert AuditEntry.objects.filter(pk=entries["failed"].pk).exists()
    purge = AuditEntry.objects.get(action=AuditAction.AUDIT_PURGED)
    assert purge.details["deleted"] == 1 and purge.details["older_than_days"] == 365
    assert audit_purge() == 0  # nothing left to purge: no new entry either
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_PURGED).count() == 1


def test_the_purge_command(entries, capsys):
    call_command("purge_audit_log", "--days", "5")
    assert "Deleted 2 audit entries older than 5 days." in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("purge_audit_log", "--days", "0")
