"""The fault matrix, over real HTTP against the sandbox: every fault leaves the last good snapshot
exactly as it was (and says why in words), or is recovered from and the snapshot correctly updated.

The sandbox serves 230 hotlines, 50 a page: five pages, page 3 is a middle one. Each test first
syncs successfully, then changes the upstream data (so a sync that wrongly applied would show).
"""

from __future__ import annotations

import socket
import time

import pytest

from hotlines.choices import SyncStatus
from hotlines.models import Hotline, SyncRun
from hotlines.selectors import freshness
from hotlines.services.sync import hotlines_sync

from .helpers import assert_mirrors, assert_no_leftovers, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fails_keeping_snapshot(connection, message: str, *, retryable: bool | None = None) -> SyncRun:
    """Sync, expecting a failure with exactly this message and not a byte of the snapshot changed;
    `retryable` is how the run records eTelecom's error (transient True, permanent False)."""
    before = snapshot()
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.FAILED
    assert run.error == message
    assert run.finished_at is not None
    assert snapshot() == before
    assert_no_leftovers(run)
    stored = SyncRun.objects.get(pk=run.pk)
    assert (stored.status, stored.error) == (SyncStatus.FAILED, message)
    assert stored.retryable is retryable
    fresh = freshness()
    assert fresh.last_failed and fresh.last_run.pk == run.pk
    return run


def succeeds_mirroring(connection, sandbox) -> SyncRun:
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.error == ""
    assert_mirrors(sandbox)
    assert_no_leftovers(run)
    return run


# --- faults that fail the sync ------------------------------------------------------------------


def test_401_rejected_key(connection, pending_change):
    connection.api_key = "not-the-key"
    connection.save()
    fails_keeping_snapshot(
        connection, "eTelecom rejected the API key (401 unauthenticated): invalid token", retryable=False
    )


def test_403_on_a_middle_page(connection, sandbox, pending_change):
    sandbox.faults.add("status", page=3, status=403, code="permission_denied", msg="partner suspended")
    run = fails_keeping_snapshot(
        connection,
        "eTelecom refused access with this API key (403 permission_denied): partner suspended",
        retryable=False,
    )
    assert run.pages == 2  # the two good pages were fetched (and thrown away)


def test_persistent_500_on_a_middle_page(connection, sandbox, pending_change):
    fault = sandbox.faults.add("status", page=3, status=500, code="internal", msg="database unavailable")
    fails_keeping_snapshot(
        connection,
        "eTelecom had a server error on page 3 after 2 retries (500 internal): database unavailable",
        retryable=True,
    )
    assert fault.hits == 3  # the first try and two retries


def test_read_timeout(connection, sandbox, pending_change):
    connection.timeout = 0.3
    connection.save()
    fault = sandbox.faults.add("delay", page=2, seconds=1.0)
    fails_keeping_snapshot(connection, "eTelecom timed out on page 2 after 2 retries", retryable=True)
    assert fault.hits == 3


def test_connection_refused(connection, pending_change):
    port = closed_port()
    connection.base_url = f"http://127.0.0.1:{port}"
    connection.save()
    fails_keeping_snapshot(
        connection,
        # The tenant list is read first: its first page is where a dead address shows.
        f"eTelecom could not be reached at http://127.0.0.1:{port} on tenant page 1 after 2 retries",
        retryable=True,
    )


def test_connection_dropped_without_an_answer(connection, sandbox, pending_change):
    sandbox.faults.add("drop", page=4)
    fails_keeping_snapshot(connection, "eTelecom closed the connection on page 4 after 2 retries", retryable=True)


def test_malformed_json(connection, sandbox, pending_change):
    sandbox.faults.add("malformed", page=3)
    fails_keeping_snapshot(connection, "eTelecom sent malformed JSON on page 3", retryable=False)


def test_wrong_json_shape(connection, sandbox, pending_change):
    sandbox.faults.add("shape", page=2)
    fails_keeping_snapshot(
        connection, "eTelecom sent an unexpected answer on page 2 (it has no 'hotlines' list)", retryable=False
    )


def test_missing_required_field(connection, sandbox, pending_change):
    sandbox.faults.add("missing_id", page=3)
    fails_keeping_snapshot(
        connection, "eTelecom sent an unexpected answer on page 3 (hotline 1: field 'id' is missing)", retryable=False
    )


def test_repeating_cursor(connection, sandbox, pending_change):
    sandbox.faults.add("repeat_cursor", page=3)
    fails_keeping_snapshot(
        connection, "eTelecom sent the same paging cursor twice (page 3); the list would never end", retryable=False
    )


def test_empty_pages_that_keep_pointing_to_a_next_one(connection, sandbox, pending_change):
    sandbox.faults.add("empty_with_next")  # every page from now on
    fails_keeping_snapshot(
        connection, "eTelecom sent 3 empty pages in a row that still point to a next page (page 3)", retryable=False
    )


def test_page_far_larger_than_asked(connection, sandbox, db):
    sandbox.dataset.reset(size=1200)  # enough for a page 20 times the 50 asked for
    assert hotlines_sync(connection=connection).status == SyncStatus.SUCCEEDED
    sandbox.dataset.patch(sandbox.dataset.all()[0]["id"], name="changed")
    sandbox.faults.add("oversize", page=2)
    fails_keeping_snapshot(
        connection, "eTelecom returned 1,000 hotlines on page 2, far more than the 50 asked for", retryable=False
    )


def test_page_cap(connection, settings, pending_change):
    settings.ETELECOM_MAX_PAGES = 3
    fails_keeping_snapshot(connection, "eTelecom kept sending pages past the limit of 3 pages", retryable=False)


def test_first_sync_failing_leaves_the_list_empty(connection, sandbox):
    sandbox.faults.add("status", page=5, status=502, code="unavailable", msg="bad gateway")
    run = fails_keeping_snapshot(
        connection,
        "eTelecom had a server error on page 5 after 2 retries (502 unavailable): bad gateway",
        retryable=True,
    )
    assert not Hotline.objects.exists()
    assert run.pages == 4 and run.fetched == 200


# --- faults that are recovered from -------------------------------------------------------------


def test_429_with_retry_after_then_success(connection, sandbox, pending_change):
    fault = sandbox.faults.add(
        "status", page=2, times=1, status=429, code="resource_exhausted", msg="slow down", retry_after="1"
    )
    started = time.monotonic()
    run = succeeds_mirroring(connection, sandbox)
    assert fault.hits == 1
    assert time.monotonic() - started >= 1.0  # waited as eTelecom asked, not the tiny test backoff
    assert (run.created, run.updated, run.removed) == (1, 1, 1)


def test_503_then_success(connection, sandbox, pending_change):
    fault = sandbox.faults.add("status", page=3, times=2, status=503, code="unavailable", msg="try later")
    run = succeeds_mirroring(connection, sandbox)
    assert fault.hits == 2
    assert (run.created, run.updated, run.removed, run.unchanged) == (1, 1, 1, 228)


def test_dropped_connection_once_then_success(connection, sandbox, pending_change):
    sandbox.faults.add("drop", page=2, times=1)
    succeeds_mirroring(connection, sandbox)


def test_missing_and_null_optional_fields(connection, sandbox, first_sync):
    sandbox.faults.add("nulls", page=2)
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    page_two = sandbox.dataset.all()[50:100]
    assert run.updated == 50  # their payloads changed: fields now null or missing
    nulled = Hotline.objects.get(etelecom_id=page_two[0]["id"])  # null fields
    missing = Hotline.objects.get(etelecom_id=page_two[1]["id"])  # missing fields
    for hotline in (nulled, missing):
        assert (hotline.name, hotline.description, hotline.network, hotline.status) == ("", "", "", "")
        assert (hotline.is_free_charge, hotline.created_at, hotline.updated_at, hotline.owner_id) == (
            None,
            None,
            None,
            "",
        )
        assert hotline.hotline  # the number is still there
    assert nulled.raw["name"] is None and "name" not in missing.raw  # kept exactly as received
    assert Hotline.objects.filter(is_removed=False).count() == 230


def test_unknown_enum_values_are_kept_as_received(connection, sandbox, first_sync):
    sandbox.faults.add("unknown_enums", page=2)
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    odd = Hotline.objects.get(etelecom_id=sandbox.dataset.all()[50]["id"])
    assert (odd.network, odd.status) == ("itelecom", "X")
    assert (odd.network_label, odd.status_label) == ("itelecom", "X")
    assert run.updated == 1


def test_same_id_on_two_pages(connection, sandbox, pending_change):
    sandbox.faults.add("duplicate", page=3)  # page 3 repeats the last hotline of page 2
    run = succeeds_mirroring(connection, sandbox)
    assert run.duplicates == 1
    assert run.fetched == 231  # 230 hotlines plus the repeat
    assert run.created + run.updated + run.unchanged == 230
    assert Hotline.objects.filter(is_removed=False).count() == 230


def test_same_id_on_two_pages_of_a_first_sync(connection, sandbox):
    """A first sync writes all-new pages the fast way (COPY on PostgreSQL, bound rows on SQLite):
    a repeat must still be dropped, not fail the import on the unique ID."""
    sandbox.faults.add("duplicate", page=3)
    run = succeeds_mirroring(connection, sandbox)
    assert (run.fetched, run.duplicates, run.created) == (len(sandbox.dataset.all()) + 1, 1, len(sandbox.dataset.all()))
    repeated = sandbox.dataset.all()[99]  # the last hotline of page 2, as page 2 sent it
    assert Hotline.objects.get(etelecom_id=repeated["id"]).name == repeated["name"]


def test_one_empty_page_with_a_next_one(connection, sandbox, pending_change):
    sandbox.faults.add("empty_with_next", page=2, times=1)
    run = succeeds_mirroring(connection, sandbox)
    assert run.pages == 6


def test_slow_page_within_the_timeout(connection, sandbox, pending_change):
    sandbox.faults.add("delay", page=2, seconds=0.3)
    succeeds_mirroring(connection, sandbox)


# --- a hostile upstream: each fails cleanly, with a reason that names what was wrong ----------


ECHO_CANARY = "sk-live-SYNC-ECHO-4c8e2a6f9d1b"


def test_a_key_echoed_by_etelecom_appears_nowhere(
    connection, sandbox, pending_change, secret_canary, monkeypatch, admin_client, capsys
):
    """The whole path: the run's error, the freshness bar every Viewer sees, the Syncs page, the
    audit log, the command's output, Test connection's message (and the logs, by the scanner)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.urls import reverse

    from hotlines.models import AuditEntry
    from hotlines.services.connections.probe import connection_test

    key = secret_canary(ECHO_CANARY)
    monkeypatch.setattr(sandbox, "api_key", key)
    connection.api_key = key
    connection.save()
    sandbox.faults.add("echo_key", page=3)
    run = fails_keeping_snapshot(
        connection,
        "eTelecom rejected the API key (401 unauthenticated [redacted]): invalid token: "
        "Authorization: Bearer [redacted] (api_key=[redacted], encoded [redacted])",
        retryable=False,
    )
    with pytest.raises(CommandError):
        call_command("sync_hotlines")
    output = capsys.readouterr()
    assert "Bearer [redacted]" in output.out + output.err
    assert key not in output.out + output.err
    sandbox.faults.add("echo_key", page=1)  # what "Test connection" asks for
    tested = connection_test(connection=connection)
    assert tested.outcome == "key_rejected" and "Bearer [redacted]" in tested.detail
    shown = admin_client.post(reverse("hotlines:connection-test", args=[connection.pk]), follow=True)
    assert "Key rejected" in shown.content.decode() and "SYNC-ECHO" not in shown.content.decode()
    pages = [
        reverse("hotlines:home"),
        reverse("hotlines:freshness"),
        reverse("hotlines:sync-list"),
        reverse("hotlines:sync-detail", args=[run.pk]),
        reverse("hotlines:audit-log"),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "SYNC-ECHO" not in response.content.decode(), url  # the scanner checks the whole key too
    assert "SYNC-ECHO" not in str(list(AuditEntry.objects.values("details", "target")))


def test_a_gzip_bomb(connection, sandbox, pending_change):
    sandbox.faults.add("gzip_bomb", page=2, size=64 << 20)
    fails_keeping_snapshot(
        connection,
        "eTelecom's answer on page 2 is larger than the 1,253,376 bytes allowed for the hotlines asked for; "
        "the dashboard stopped reading it",
        retryable=False,
    )


def test_a_trickling_answer_stops_at_the_call_deadline(connection, sandbox, settings, pending_change):
    settings.ETELECOM_CALL_DEADLINE = 0.5
    sandbox.faults.add("trickle", page=2, seconds=0.05)
    started = time.monotonic()
    fails_keeping_snapshot(connection, "eTelecom did not finish answering on page 2 within 0.5 seconds", retryable=True)
    assert time.monotonic() - started < 5


def test_a_redirect(connection, sandbox, pending_change):
    sandbox.faults.add("redirect", page=2)
    fails_keeping_snapshot(
        connection,
        "eTelecom answered with a redirect (302) to evil.example on page 2; the dashboard does not follow redirects",
        retryable=False,
    )


def test_deep_nesting(connection, sandbox, pending_change):
    sandbox.faults.add("deep_nesting", page=3, size=5000)
    first = sandbox.dataset.all()[100]["id"]
    fails_keeping_snapshot(
        connection,
        f"eTelecom sent an unexpected answer on page 3 (hotline 1 (id {first}): "
        "field 'extra' is nested more than 16 levels deep)",
        retryable=False,
    )


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("out_of_range_id", str(2**63), "hotline 1: field 'id' is beyond the 64-bit range, got '9223372036854775808'"),
        ("out_of_range_id", "١٢٣", "hotline 1: field 'id' should be an ID made of the digits 0-9, got '١٢٣'"),
        ("out_of_range_id", "²", "hotline 1: field 'id' should be an ID made of the digits 0-9, got '²'"),
        (
            "out_of_range_date",
            "0001-01-01T00:00:00+14:00",
            "hotline 1 (id {id}): field 'created_at' is outside the years 1970-2100: '0001-01-01T00:00:00+14:00'",
        ),
    ],
)
def test_out_of_range_values(connection, sandbox, pending_change, kind, value, reason):
    sandbox.faults.add(kind, page=3, value=value)
    reason = reason.format(id=sandbox.dataset.all()[100]["id"])
    fails_keeping_snapshot(connection, f"eTelecom sent an unexpected answer on page 3 ({reason})", retryable=False)


def test_a_lone_surrogate_is_repaired_and_the_sync_succeeds(connection, sandbox, first_sync):
    sandbox.faults.add("lone_surrogate", page=2)
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    repaired = Hotline.objects.get(etelecom_id=sandbox.dataset.all()[50]["id"])
    assert repaired.name == "Tổng đài \ufffd lỗi" and repaired.raw["name"] == repaired.name
    assert run.updated == 1


def test_peak_memory_of_a_sync_process_under_a_gzip_bomb(sandbox, process_db):
    """`manage.py sync_hotlines` in its own process, fed 1 GB that gzip squeezed into 1 MB: it
    fails with the reason, and its resident memory never passes 300 MB."""
    import subprocess
    import sys

    from .helpers import ROOT, process_env, run_in_process

    run_in_process(process_db, "setup", sandbox_url=sandbox.url)
    sandbox.faults.add("gzip_bomb", page=2, size=1 << 30)
    # The process's own peak (VmHWM): ru_maxrss would carry pytest's own size over from the fork.
    measure = (
        "import runpy, sys; sys.argv = ['manage.py', 'sync_hotlines', '--no-progress']\n"
        "try:\n    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n    hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "    print('maxrss_kb', hwm.split()[1], file=sys.stderr)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", measure], cwd=ROOT, env=process_env(process_db), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert done.returncode != 0
    assert "larger than the 1,253,376 bytes allowed" in done.stderr, done.stderr[-2000:]
    peak_mb = int(done.stderr.rsplit("maxrss_kb", 1)[1].split()[0]) / 1024
    assert peak_mb < 300, f"the sync process peaked at {peak_mb:.0f} MB"
    assert seconds < 60
