"""Logging: one line per event, plain or JSON (`LOG_FORMAT=json`), with the request's ID and user.

The request context travels in a contextvar set by `hotlines.middleware.RequestLogMiddleware`, so every log line
made while serving a request (sync requests, exports, errors) carries the same request ID.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_var: ContextVar[str] = ContextVar("user", default="-")

# Characters that end a line or drive a terminal: C0 and C1 controls, DEL, and the Unicode line and
# paragraph separators (which str.splitlines() and some log viewers also break on). A message that
# carries them (an upstream error text, a request path with %0d%0a) could otherwise forge log lines.
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_PLAIN_ESCAPES = {code: "\\" + {0x09: "t", 0x0A: "n", 0x0D: "r"}.get(code, f"x{code:02x}") for code in _CONTROLS}
_PLAIN_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})
# json.dumps already escapes C0 controls; the rest are left raw, which is valid JSON but splits lines.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _CONTROLS if code >= 0x7F}


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (CR as \\r, ESC as \\x1b): one line."""
    return text.translate(_PLAIN_ESCAPES)


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class ContextFilter(logging.Filter):
    """Stamp each record with the current request ID and user."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user = user_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given with `extra=` are included."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user": getattr(record, "user", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        # Those characters can only stand inside JSON strings, where their \u escape is equivalent.
        return json.dumps(payload, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)


class PlainFormatter(logging.Formatter):
    """One line per event, starting with its time; a traceback follows on indented lines.

    Whatever the message carries (upstream text, a path, a name) cannot start a line of its own:
    its control characters are escaped, and every line of an appended traceback or stack is
    indented, so a line at the left margin is always the start of a real event.
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", "-")
        record.user = getattr(record, "user", "-")
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        # Not cached in record.exc_text like logging.Formatter does: another handler's formatter
        # (the JSON one) must not receive our indented copy.
        exc_text = self.formatException(record.exc_info) if record.exc_info else record.exc_text
        if exc_text:
            line += "\n" + _indented(exc_text)
        if record.stack_info:
            line += "\n" + _indented(self.formatStack(record.stack_info))
        return line


def _indented(text: str) -> str:
    """A traceback keeps its lines, each indented, with any other control character escaped."""
    return "\n".join("    " + escape_controls(line) for line in text.splitlines())
