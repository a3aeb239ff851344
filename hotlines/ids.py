"""IDs and numbers read from a request (query string, form, recorded filters): one strict reading.

Python is generous where a request must not be: `"²".isdigit()` is True, `int("١٢٣")` is 123,
`int(" 1_0 ")` is 10, and an int of any size reaches the database, where SQLite raises
OverflowError and PostgreSQL an error of its own. Every view and filter that takes an ID from a
request reads it here, so a crafted one is refused the same way everywhere (then ignored with a
note, or answered with a 4xx), never a 500.
"""

from __future__ import annotations

ID_MAX = 2**63 - 1  # the largest BIGINT: no primary key of any of our databases is beyond it
_ID_DIGITS = len(str(ID_MAX))
_ASCII_DIGITS = frozenset("0123456789")


def id_parse(value: object) -> int | None:
    """The row ID `value` spells, or None: ASCII digits only (no sign, space, underscore or other
    script's digits), from 1 to 2**63 - 1. An int within that range is taken as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= ID_MAX else None
    if not isinstance(value, str) or not 0 < len(value) <= _ID_DIGITS or not set(value) <= _ASCII_DIGITS:
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def int_parse(value: str | None, *, max_digits: int = 11) -> int | None:
    """A small whole number as typed in a query (a page, a page size): an optional minus sign and
    at most `max_digits` ASCII digits, else None."""
    if not value:
        return None
    digits = value.removeprefix("-")
    if not 0 < len(digits) <= max_digits or not set(digits) <= _ASCII_DIGITS:
        return None
    return int(value)
