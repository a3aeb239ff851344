"""What the tests read in captured SQL."""

from __future__ import annotations

from collections.abc import Iterable


def hotline_counts(sqls: Iterable[str]) -> list[str]:
    """The statements that count hotlines. Not `data_version`'s (a MAX over them, read beside the
    number of active accounts, which is a COUNT of another table)."""
    return [
        sql
        for sql in sqls
        if "COUNT(" in sql.upper() and "hotlines_hotline" in sql and not sql.startswith("SELECT (SELECT MAX(id) FROM")
    ]
