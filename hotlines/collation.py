"""Vietnamese alphabetical order (CLDR, through ICU) for the text columns people sort by.

PostgreSQL has it built in as the ICU collation `vi-x-icu`. SQLite has no ICU collations, so
every SQLite connection gets one registered under the same name, computed by PyICU's collator
for "vi" (the same CLDR rules and the same tertiary strength as PostgreSQL's): a < ă < â < b <
d < đ < e < ê < … < o < ô < ơ < … < u < ư, tones after the letters, case only as a late
tie-breaker (an < An < ăn). A column declared with `db_collation=DB_COLLATION` then sorts, and
its indexes are built, in that order on both databases, with no change to the SQL that reads or
writes it.
"""

from __future__ import annotations

from functools import lru_cache

import icu

# One name for both databases. Tenant names and any other text column sorted for people use it.
COLLATION = "vi-x-icu"
# As `db_collation`: pre-quoted, since SQLite's schema editor writes a column's collation as is
# (`COLLATE vi-x-icu` is a syntax error there) while PostgreSQL's leaves a quoted name alone.
DB_COLLATION = f'"{COLLATION}"'

_collator = icu.Collator.createInstance(icu.Locale("vi"))


@lru_cache(maxsize=65_536)
def sort_key(text: str) -> bytes:
    """The CLDR Vietnamese sort key of `text` (bytes compare in collation order)."""
    return _collator.getSortKey(text)


def vietnamese_sorted(texts, *, key=None) -> list:
    """`sorted()` in the order the database gives (for the rare sort done in Python)."""
    pick = key or (lambda text: text)
    return sorted(texts, key=lambda item: (sort_key(pick(item)), pick(item)))


def compare(left: str, right: str, _compare=_collator.compare) -> int:
    """SQLite's collating function: CLDR order, then code point order when ICU sees no difference.

    The tie-break makes it deterministic as PostgreSQL's ICU collations are: strings that differ
    only by normalisation or by characters ICU ignores are still different (a sync still sees
    the change, a unique index still tells them apart). SQLite calls it about 17 times per row
    written to a 100,000-row index, so it stays this small: ICU's own incremental comparison (no
    sort keys built), and the tie-break only on a tie. UTF-8 byte order is code point order.
    """
    return _compare(left, right) or (left > right) - (left < right)


def register_on_sqlite(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give each new SQLite connection the collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)
