"""The quick search `q`: what people type, turned into a query on the stored number and folded text.

A query that is only a phone number (digits, spaces, + . - ( )) searches the number: any form
people type it in (`090 123 4567`, `+84 90 123 4567`, `84901234567`) is brought back to the
national digits eTelecom stores, and partial numbers match anywhere in it. Anything else searches
the name and description through `Hotline.search_text` (lowercase, without accents, written by the
sync), every word having to appear; a word made of digits may also match the number.

Both use plain `LIKE '%…%'` on already-normalised columns, which PostgreSQL serves from trigram
indexes (migration 0005). SQLite reads the whole table for them, but for a selective number search
it asks its own trigram index of the numbers first (FTS5, migration 0020).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .normalize import fold, looks_like_number, number_digits

MAX_LENGTH = 100  # characters kept of a search; longer ones are cut (with a note to the person)
MAX_WORDS = 8
# SQLite's trigram index of every hotline's number, removed ones included (migration 0020).
NUMBER_TRIGRAMS = "hotline_number_trigrams"
# A needle this long matches few numbers: finding them through the trigram index, then fetching
# the page by id, beats SQLite's scan in created-at order. Measured at 100,000 rows, for a page:
# 0.1 ms instead of 62 for a 5-digit needle; but 60 instead of 0.1 for "1900", whose trigrams are
# in a tenth of the numbers while the scan meets 50 of them on its first rows.
SELECTIVE_DIGITS = 5


@dataclass(frozen=True, slots=True)
class Search:
    """A parsed quick search: the words and number it looks for, and whether it was cut short."""

    text: str  # as used (trimmed, maybe shortened)
    number: str = ""  # national digits, when the whole query is a number
    words: tuple[str, ...] = ()  # folded words otherwise
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.number and not self.words

    def q(self) -> Q:
        """The condition on Hotline rows (an always-true Q when empty)."""
        if self.number:
            return _number_q(_number_needle(self.number))
        condition = Q()
        for word in self.words:
            match = Q(search_text__contains=word)
            digits = word.replace("-", "").replace(".", "")
            if digits.isdigit():
                match |= Q(hotline__contains=digits)
            condition &= match
        return condition

    def words_q(self, field: str = "search_text") -> Q:
        """Every word in one folded column (tenants: name and domain); an always-true Q when empty."""
        condition = Q()
        for word in self.words:
            condition &= Q(**{f"{field}__contains": word})
        return condition


def _number_q(needle: str) -> Q:
    if connection.vendor != "sqlite" or len(needle) < SELECTIVE_DIGITS:
        return Q(hotline__contains=needle)
    # The IDs of the numbers holding the needle's trigrams, each checked against its number by the
    # LIKE: 0.2-0.4 ms at 100,000 rows where reading every number took 14-15, for the count and
    # facets as well as the page. The needle is digits only; FTS5 uses its index for a LIKE
    # without an ESCAPE clause.
    sql = f"SELECT rowid FROM {NUMBER_TRIGRAMS} WHERE hotline LIKE %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [f"%{needle}%"]))  # noqa: S611 - the name is a constant, the needle a parameter


def _number_needle(digits: str) -> str:
    """What to look for in stored numbers: a full national number without its trunk 0, so that
    one stored with the country code (84…) matches too; partial numbers as typed."""
    if digits.startswith("0") and len(digits) >= 9:
        return digits[1:]
    return digits


def search_parse(text: str | None, *, numbers: bool = True) -> Search:
    """Parse what was typed in the search box; never fails, whatever the input. Without `numbers`
    (a list with no phone numbers: tenants) digits are words like any other."""
    raw = " ".join((text or "").replace("\x00", "").split())
    truncated = len(raw) > MAX_LENGTH
    if truncated:
        raw = raw[:MAX_LENGTH].rstrip()
    if not raw:
        return Search(text="", truncated=truncated)
    if numbers and looks_like_number(raw):
        digits = number_digits(raw)
        if digits:
            return Search(text=raw, number=digits, truncated=truncated)
    words = tuple(dict.fromkeys(word for word in fold(raw).split(" ") if word))
    if len(words) > MAX_WORDS:
        words, truncated = words[:MAX_WORDS], True
    return Search(text=raw, words=words, truncated=truncated)
