"""Stopping a sync before it ends: on SIGINT or SIGTERM, and when it runs past its time limit.

A sync calls `sync_check_stop` at every page and, while it waits for a page that is slow to come,
several times a second (`read_ahead`'s `on_wait`). So whatever eTelecom does (an answer trickling
in byte by byte, a read that never ends), `sync_hotlines` and `db_worker` stop within a second or
two of a signal and record the run as failed with the reason, and no sync holds its connection's
single flight (nor a worker) longer than SYNC_MAX_DURATION.

The signal handler only notes the signal: the sync raises at one of those checks, never in the
middle of a database statement, so it can still record its failure on a healthy connection.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ...models import SyncRun

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: int | None = None  # the stop signal received while a `sync_stop_on_signals` block runs
_depth = 0


class SyncInterrupted(BaseException):
    """A signal asked the process to stop. Not an Exception, like KeyboardInterrupt, so that no
    error handler swallows it: the sync records its run as failed, then lets it through."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.run: SyncRun | None = None  # the run it stopped, once recorded
        name = signal.Signals(signum).name
        super().__init__(gettext("Interrupted by %(signal)s; the previous data is unchanged.") % {"signal": name})

    @property
    def message(self) -> str:
        return str(self)


class SyncTooLong(Exception):
    """The sync ran longer than SYNC_MAX_DURATION allows."""

    def __init__(self, limit: int) -> None:
        self.message = gettext(
            "The sync ran longer than its limit of %(limit)s (SYNC_MAX_DURATION) and was stopped; "
            "the previous data is unchanged."
        ) % {"limit": _duration(limit)}
        super().__init__(self.message)


def _duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


@contextmanager
def sync_stop_on_signals() -> Iterator[None]:
    """While this block runs, SIGINT and SIGTERM ask the sync in progress to stop.

    The handler that was there before is called too (so `db_worker` takes no further task and
    exits once this one has stopped), and gets its signal back after the first one: a second
    Ctrl-C or SIGTERM forces, as it would have without this block. Signals the process ignores
    stay ignored. Outside the main thread (which alone receives signals) this does nothing.
    """
    global _depth, _received
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def handler(signum: int, frame) -> None:
        global _received
        _received = signum
        restore()
        logger.warning("%s received: stopping the sync in progress", signal.Signals(signum).name)
        chained = previous[signum]
        if callable(chained) and chained is not signal.default_int_handler:
            chained(signum, frame)

    for signum in STOP_SIGNALS:
        current = signal.getsignal(signum)
        if current in (signal.SIG_IGN, None):  # ignored on purpose, or set outside Python: leave it
            continue
        previous[signum] = current
        signal.signal(signum, handler)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        restore()
        if not _depth:
            _received = None


def sync_raise_if_interrupted() -> None:
    """Raise SyncInterrupted if a stop signal arrived (inside `sync_stop_on_signals`)."""
    if _received is not None:
        raise SyncInterrupted(_received)


def sync_check_stop(*, run: SyncRun) -> None:
    """Raise if the sync must stop now: a stop signal arrived, or it ran past SYNC_MAX_DURATION."""
    sync_raise_if_interrupted()
    limit = settings.SYNC_MAX_DURATION
    if limit and timezone.now() - run.started_at > timedelta(seconds=limit):
        raise SyncTooLong(limit)
