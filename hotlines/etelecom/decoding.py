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


_PAGING_KEY = b'"paging"'
_BACKSLASH = ord("\\")
_tail_decoder = json.JSONDecoder()


def next_cursor(body: bytes) -> str | None:
    """`paging.next` of a list answer read from its end, without decoding the whole body (a page
    of a thousand hotlines takes milliseconds, and paging is sequential: the next request waits
    for this cursor). None whenever it is not certain: then the caller decodes the whole body.

    Certain means the body ends with the envelope's `"paging": {...}` member, where `json.loads`
    would take it from too (the last `paging` key of the top-level object): the key's opening
    quote is not escaped, the object after it decodes, and only the envelope's closing brace
    follows. The caller still decodes and validates the whole page, and checks the two agree.
    """
    at = body.rfind(_PAGING_KEY)
    if at < 0:
        return None
    backslashes = 0
    while at - backslashes > 0 and body[at - backslashes - 1] == _BACKSLASH:
        backslashes += 1
    if backslashes % 2:  # `\"paging"`: the end of a string, not a key
        return None
    try:
        tail = body[at + len(_PAGING_KEY) :].decode("utf-8")
    except UnicodeDecodeError:
        return None  # the whole decode replaces what is not UTF-8: let it
    rest = tail.lstrip(" \t\r\n")
    if not rest.startswith(":"):
        return None
    try:
        paging, end = _tail_decoder.raw_decode(rest[1:].lstrip(" \t\r\n"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(paging, dict) or rest[1:].lstrip(" \t\r\n")[end:].strip(" \t\r\n") != "}":
        return None
    cursor, prev = paging.get("next") or "", paging.get("prev") or ""
    if not isinstance(cursor, str) or not isinstance(prev, str) or _SURROGATE_RE.search(cursor):
        return None  # not the API's shape, or text the whole decode would repair: let it say so
    return cursor
