"""The security area's costs: the audit log page over a year of entries (beside the Django admin's
changelist for the same filters), decrypting an API key, re-encrypting every stored key, and the
peak memory and wall time of `manage.py sync_hotlines` against each hostile upstream mode.

The audit log grows with every sign-in, export and sync request; a year of a busy partner
(50 people, ~20 entries each a working day) is ~365,000 entries, the default size here. The
entries are bulk-created with timestamps spread over the retention period and removed afterwards.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta
from urllib.parse import urlencode

from .common import Context, Result, fmt_speedup, median_ms

SUITE = "security"
AUDIT_PAGE_TARGET_MS = 150.0  # median, every case, a year of entries
MARK = "bench:"  # the targets of the entries this suite creates (deleted at the end)


def _entries(size: int) -> None:
    from django.utils import timezone

    from hotlines.models import AuditAction, AuditEntry

    rng = random.Random(6)
    actions = [a for a, _label in AuditAction.choices]
    weights = [30 if a in ("sign_in", "sign_out") else 10 if a in ("export", "sync_requested") else 1 for a in actions]
    users = [f"staff{i:02d}" for i in range(50)]
    now = timezone.now()
    batch = []
    for i in range(size):
        action = rng.choices(actions, weights)[0]
        batch.append(
            AuditEntry(
                action=action,
                actor_username=rng.choice(users),
                target=f"{MARK} {action} #{i}",
                details={"fields": ["page_size"], "count": i % 97} if "connection" in action else {},
                ip_address=f"10.0.{i % 256}.{(i // 256) % 256}",
            )
        )
        if len(batch) == 5000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEntry.objects.bulk_create(batch)
    # `at` is auto_now_add: spread the entries over the year afterwards, in one statement per day.
    pks = list(AuditEntry.objects.filter(target__startswith=MARK).order_by("pk").values_list("pk", flat=True))
    per_day = max(1, len(pks) // 365)
    for day in range(0, len(pks), per_day):
        chunk = pks[day : day + per_day]
        AuditEntry.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).update(
            at=now - timedelta(days=day // per_day, minutes=rng.randint(0, 600))
        )


def _timed(client, url: str, repeat: int) -> tuple[list[float], str]:
    times, text = [], ""
    for i in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        if i == 0:
            text = response.content.decode()
    return times[1:], text


def _audit_page(ctx: Context, size: int) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    user, _ = get_user_model().objects.get_or_create(
        username="bench-auditor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    repeat = 3 if ctx.quick else 7
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    cases = [
        ("page 1, no filter", {}, {}),
        ("action = export", {"action": "export"}, {"action__exact": "export"}),
        ("user = staff07", {"user": "staff07"}, None),
        ("last 7 days", {"at_after": week_ago}, None),
        ("search “connection_changed”", {"q": "connection_changed"}, {"q": "connection_changed"}),
        ("page 200, no filter", {"page": 200}, {"p": 199}),
    ]
    results = []
    for case, ours, admin in cases:
        ours_times, _text = _timed(client, "/audit/?" + urlencode(ours), repeat)
        ours_ms = statistics.median(ours_times)
        peer = peer_value = ratio = ""
        if admin is not None:
            admin_times, _text = _timed(client, "/admin/hotlines/auditentry/?" + urlencode(admin), repeat)
            admin_ms = statistics.median(admin_times)
            peer, peer_value = "Django admin changelist", f"{admin_ms:.1f} ms"
            ratio = fmt_speedup(ours_ms, admin_ms)
        results.append(
            Result(
                suite=SUITE, case=f"audit log: {case}, {ctx.db}, {size:,} entries",
                value=f"{ours_ms:.1f} ms", peer=peer, peer_value=peer_value, ratio=ratio,
                target=f"< {AUDIT_PAGE_TARGET_MS:g} ms", ok=ours_ms < AUDIT_PAGE_TARGET_MS,
                extra={"ours_ms": [round(t, 1) for t in ours_times]},
            )
        )  # fmt: skip
    return results


def _keys(ctx: Context) -> list[Result]:
    from cryptography.fernet import Fernet
    from django.test import override_settings

    from hotlines.fields import decrypt, effective_keys, encrypt
    from hotlines.models import Connection
    from hotlines.services.encryption import encryption_keys_rotate

    token = encrypt("sk-bench-" + "x" * 40)
    per_call = median_ms(lambda: [decrypt(token) for _ in range(1000)]) / 1000
    results = [
        Result(suite=SUITE, case="decrypt one API key (Fernet)", value=f"{per_call * 1000:.0f} µs", target="< 1 ms",
               ok=per_call < 1.0)
    ]  # fmt: skip
    count = 200 if ctx.quick else 1000
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    current = effective_keys()  # the keys the rest of the database (the benchmark's connection) is under
    with override_settings(FIELD_ENCRYPTION_KEY=[old]):
        Connection.objects.bulk_create(
            Connection(name=f"{MARK}{i}", base_url="https://api.example.com", api_key=f"sk-{i:06d}-bench")
            for i in range(count)
        )
    with override_settings(FIELD_ENCRYPTION_KEY=[new, old, *current]):
        started = time.perf_counter()
        result = encryption_keys_rotate()
        seconds = time.perf_counter() - started
        Connection.objects.filter(name__startswith=MARK).delete()
    with override_settings(FIELD_ENCRYPTION_KEY=[*current, new]):
        encryption_keys_rotate()  # put the benchmark's own connection back under the keys in force
    results.append(
        Result(suite=SUITE, case=f"rotate_encryption_keys, {ctx.db}, {result.rotated:,} stored keys",
               value=f"{seconds * 1000:.0f} ms", target="< 10 s", ok=seconds < 10)
    )  # fmt: skip
    return results


HOSTILE_MODES = [  # (sandbox fault, its options, what the sync must end with)
    ("echo_key", {"page": 2}, "[redacted]"),
    ("gzip_bomb", {"page": 2, "size": 1 << 30}, "larger than the"),
    ("trickle", {"page": 2, "seconds": 2.0}, "did not finish answering"),
    ("redirect", {"page": 2}, "redirect (302) to evil.example"),
    ("deep_nesting", {"page": 2, "size": 5000}, "nested more than"),
    ("lone_surrogate", {"page": 2}, ""),  # repaired: the sync succeeds
    ("out_of_range_id", {"page": 2}, "beyond the 64-bit range"),
    ("out_of_range_date", {"page": 2}, "outside the years"),
]
HOSTILE_PEAK_TARGET_MB = 300.0
HOSTILE_DEADLINE = 10  # ETELECOM_CALL_DEADLINE for the trickle (the default 60 s would only slow the bench)


def _hostile(ctx: Context) -> list[Result]:
    """Each hostile mode against a fresh sandbox and database, the sync in its own process (as
    cron runs it): its peak resident memory (VmHWM) and wall time."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from hotlines.etelecom.sandbox import DEFAULT_API_KEY, SandboxServer

    # The process's own peak (VmHWM of its memory map). Not ru_maxrss: Linux carries that over
    # exec from the forking parent, so it reported this bench runner's size, not the sync's.
    measure = (
        "import runpy, sys; sys.argv = ['manage.py', 'sync_hotlines', '--no-progress']\n"
        "try:\n    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n    hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "    print('maxrss_kb', hwm.split()[1], file=sys.stderr)\n"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'hostile.sqlite3'}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings", "DATABASE_URL": db,
               "ETELECOM_CALL_DEADLINE": str(HOSTILE_DEADLINE), "ETELECOM_RETRIES": "0"}  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=root, env=env, check=True)
        server = SandboxServer("127.0.0.1", 0, hotlines=300, seed=5).start()
        try:
            setup = (
                "import django; django.setup()\n"
                "from hotlines.services.connections.writes import connection_upsert\n"
                f"connection_upsert(name='default', base_url={server.url!r}, api_key={DEFAULT_API_KEY!r},"
                " page_size=100)"
            )
            subprocess.run([sys.executable, "-c", setup], cwd=root, env=env, check=True)
            for kind, options, expected in HOSTILE_MODES:
                server.faults.clear()
                server.faults.add(kind, **options)
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-c", measure], cwd=root, env=env, capture_output=True, text=True, timeout=300
                )
                seconds = time.perf_counter() - started
                peak_mb = int(done.stderr.rsplit("maxrss_kb", 1)[1].split()[0]) / 1024
                ended = (done.returncode != 0) == bool(expected) and expected in done.stdout + done.stderr
                results.append(
                    Result(suite=SUITE, case=f"sync_hotlines against a hostile upstream: {kind}",
                           value=f"{peak_mb:.0f} MB peak, {seconds:.1f} s", target=f"< {HOSTILE_PEAK_TARGET_MB:g} MB",
                           ok=peak_mb < HOSTILE_PEAK_TARGET_MB and ended,
                           extra={"peak_mb": round(peak_mb, 1), "seconds": round(seconds, 2), "exit": done.returncode})
                )  # fmt: skip
        finally:
            server.stop()
    return results


def run(ctx: Context) -> list[Result]:
    from hotlines.models import AuditEntry

    size = int(os.environ.get("BENCH_AUDIT_SIZE", 20_000 if ctx.quick else 365_000))
    started = time.perf_counter()
    _entries(size)
    built = time.perf_counter() - started
    print(f"   (built {size:,} audit entries in {built:.0f} s)", flush=True)
    try:
        return _audit_page(ctx, size) + _keys(ctx) + _hostile(ctx)
    finally:
        AuditEntry.objects.filter(target__startswith=MARK).delete()
