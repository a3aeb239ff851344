"""A time budget for one read: the database stops it when it runs over, so a page can show its rows
at once and leave a slow count to a request of its own (list_counts.py, the list's counts view).

PostgreSQL cancels the statement (`statement_timeout`, inside a savepoint so the request's
transaction survives); SQLite interrupts it from its progress handler. Either way the caller gets
`QueryTooSlow` and nothing is cached: the work done so far is lost, which bounds what a cold count
costs a page to the budget."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout
SQLITE_STEPS = 1000  # virtual machine steps between two looks at the clock (a few microseconds)


class QueryTooSlow(Exception):
    """The read did not finish within its budget."""


@contextmanager
def query_time_limit(milliseconds: float) -> Iterator[None]:
    """Run the block's queries within `milliseconds` of wall time, else raise `QueryTooSlow`."""
    if milliseconds <= 0:
        raise QueryTooSlow
    if connection.vendor == "postgresql":
        with _postgresql_limit(milliseconds):
            yield
    elif connection.vendor == "sqlite":
        with _sqlite_limit(milliseconds):
            yield
    else:  # no way to stop a query: count as before
        yield


@contextmanager
def _postgresql_limit(milliseconds: float) -> Iterator[None]:
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(int(milliseconds), 1)}ms"])
            yield
            # A released savepoint keeps SET LOCAL until the outer transaction ends: put it back.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise QueryTooSlow from exc
        raise


@contextmanager
def _sqlite_limit(milliseconds: float) -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.perf_counter() + milliseconds / 1000
    raw.set_progress_handler(lambda: time.perf_counter() > deadline, SQLITE_STEPS)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc):
            raise QueryTooSlow from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)
