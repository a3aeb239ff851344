"""Figures a request reads once, beside another query, and keeps until it ends: the tenant data
version and the number of active eTelecom accounts, which `data_version` reads in its own round
trip (one query per list page instead of three).

Open between Django's request_started and request_finished signals, in the request's thread
(gunicorn's sync or threaded workers). Closed (commands, tasks, tests outside a request),
nothing is kept, and every reader asks the database itself. Within a request every reader sees
the same figure: what it reads after is at least as new, so nothing older is ever kept under a
newer version.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.signals import request_finished, request_started

_request = threading.local()


def request_opened(**kwargs) -> None:
    _request.open, _request.values = True, {}


def request_closed(**kwargs) -> None:
    _request.open, _request.values = False, {}


def request_remember(key: str, value: Any) -> None:
    """Keep `value` under `key` for the rest of the request (the first one kept stays); outside a
    request, nothing."""
    if getattr(_request, "open", False):
        _request.values.setdefault(key, value)


def request_recall(key: str) -> Any:
    """What the request kept under `key`, else None (and always None outside a request)."""
    return _request.values.get(key) if getattr(_request, "open", False) else None


request_started.connect(request_opened, dispatch_uid="request-memo-opened")
request_finished.connect(request_closed, dispatch_uid="request-memo-closed")
