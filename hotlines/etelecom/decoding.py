"""Reading eTelecom's answers as JSON: what Python and the database accept, nothing more."""

from __future__ import annotations

import json
import re
from typing import Any

from . import exceptions as exc
from .redaction import Redactor

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_REPAIR_DEPTH = 64


def loads(body: bytes, *, where: str, status: int) -> Any:
    """JSON from an answer: invalid UTF-8 and lone surrogates (`"\\ud800"`, which no database or
    encoder accepts) are replaced by U+FFFD; nesting Python cannot decode is a BadPayload."""
    text = body.decode("utf-8-sig", "replace")
    try:
        payload = json.loads(text)
    except RecursionError as e:
        raise exc.BadPayload(
            f"eTelecom sent JSON nested too deeply to read{where}; it does not look like the eTelecom Partner API",
            status=status,
        ) from e
    except ValueError as e:
        raise exc.BadPayload(f"eTelecom sent malformed JSON{where}", status=status) from e
    if "\\ud" in text or "\\uD" in text:  # the only way a surrogate gets into decoded text
        payload = _repaired(payload, depth=0)
    return payload


def _repaired(value: Any, *, depth: int) -> Any:
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if depth > MAX_REPAIR_DEPTH:
        return value  # far deeper than the API's answers: types.py refuses it anyway
    if isinstance(value, dict):
        return {_SURROGATE_RE.sub("\ufffd", k): _repaired(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_repaired(v, depth=depth + 1) for v in value]
    return value


def error_body(body: bytes, redact: Redactor) -> tuple[str, str]:
    """eTelecom's {code, msg} (the key scrubbed before they are cut short), or ('', '')."""
    try:
        parsed = json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError):
        return "", ""
    if not isinstance(parsed, dict):
        return "", ""
    code, msg = _scalar(parsed.get("code")), _scalar(parsed.get("msg"))
    return redact(code)[:100], redact(msg)[:300]


def _scalar(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
        return _SURROGATE_RE.sub("\ufffd", str(value))
    return ""
