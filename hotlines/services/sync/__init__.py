"""Mirror a connection's eTelecom hotlines and tenants into the local database, all or nothing.

A sync runs in two phases:

1. **Fetch and compare**: first every page of the tenant list (`tenants.py`: small, and a key
   refused it is known early), then every page of the hotlines (`compare.py`); each is validated
   and compared (by a fingerprint of its payload) with the current snapshot. Memory holds one
   page at a time; the next page is fetched in a background thread while this one is written.
2. **Publish**: only once every page arrived do the new hotlines, the new tenants (with each
   tenant's hotline counts) and the run's outcome become visible, together, in one transaction.
   Readers see the old snapshot or the new one, never a mix. A tenant list refused to the key
   (`NotAvailable`) leaves the tenants as they were; the hotlines sync all the same.

How the pages are written in between depends on the database. SQLite stages them in
`StagedHotline` and applies them at the end in one short transaction (`staging.py`); PostgreSQL
writes them straight into the snapshot inside one transaction that spans the sync and commits at
the end (`direct.py`, which says why). Tenants are staged in `StagedTenant` on both, and applied
inside either transaction. All write only new and changed rows, with set-based SQL (`sql.py`,
`sql_staging.py`, `sql_direct.py`, `sql_tenants.py`).

`orchestrator.py` runs a sync and records how it ended; `runs.py` alone writes a run's state
(single flight, heartbeats, success, failure, cancel, dead runs); `interrupt.py` stops a sync on a
signal or past its time limit. Any failure leaves the snapshot exactly as it was and records a
message a person understands.
"""

from __future__ import annotations

from .interrupt import SyncInterrupted, SyncTooLong, sync_raise_if_interrupted, sync_stop_on_signals
from .orchestrator import hotlines_sync, hotlines_sync_queued, sync_request
from .runs import (
    SyncAlreadyRunning,
    SyncStopped,
    sync_run_begin_queued,
    sync_run_cancel,
    sync_run_dead_reason,
    sync_run_fail_if_dead,
    sync_run_start,
)

__all__ = [
    "SyncAlreadyRunning",
    "SyncInterrupted",
    "SyncStopped",
    "SyncTooLong",
    "hotlines_sync",
    "hotlines_sync_queued",
    "sync_raise_if_interrupted",
    "sync_request",
    "sync_run_begin_queued",
    "sync_run_cancel",
    "sync_run_dead_reason",
    "sync_run_fail_if_dead",
    "sync_run_start",
    "sync_stop_on_signals",
]
