"""Text and number normalisation shared by sync (what is stored) and search (what is asked)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

from .process_memo import ProcessMemo

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
_NUMBER_LIKE = re.compile(r"[\d\s+().\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]{1,15}")
_SERVICE_PREFIXES = ("1800", "1900")


def fold(text: str) -> str:
    """Lowercase without accents: 'Tổng Đài' -> 'tong dai' (đ has no decomposition, so by hand)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def number_digits(text: str) -> str:
    """The national digits of a number typed any way: '+84 90 123 4567' -> '0901234567'.

    Numbers typed nationally are kept digit for digit (that is how eTelecom stores them, and a
    partial number must stay partial). A country code (+84, 0084, or a bare 84 in front of a
    full-length number) is turned back into the trunk 0, except for 1800/1900 service numbers.
    """
    raw = text.strip()
    digits = _NON_DIGITS.sub("", raw)
    if not digits:
        return ""
    if raw.startswith("+"):
        international_form = "+" + digits
    elif digits.startswith("0084"):
        international_form = "+" + digits[2:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        international_form = "+" + digits
    else:
        return digits
    try:
        parsed = phonenumbers.parse(international_form, "VN")
    except phonenumbers.NumberParseException:
        return digits
    if parsed.country_code != 84:
        return digits
    national = phonenumbers.national_significant_number(parsed)
    return national if national.startswith(("1800", "1900")) else "0" + national


def looks_like_number(text: str) -> bool:
    """True when the text is only a phone number as people type it: digits, spaces, + . - ( )."""
    return bool(_NUMBER_LIKE.fullmatch(text.strip())) and any(ch.isdigit() for ch in text)


def international(number: str) -> str:
    """E.164-style international form, e.g. '+84 90 123 4567', or '' when not a VN number."""
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# phonenumbers picks a Vietnamese number's national format from its length (every format pattern
# is groups of fixed digit counts) and its first digits: the trunk 0, then at most three digits of
# the national number (the longest leading-digits pattern, `1(?:2[02]|[89])`; the general pattern
# reads one). So numbers of the same length and the same first SHAPE_HEAD digits are grouped alike,
# and phonenumbers runs once per such shape (310 of them in the sandbox's 1,000,000 numbers), not
# once per number: 18 us a new number before, 2 after. A test holds every four-digit head of the
# usual lengths to phonenumbers' own answers, so a newer phonenumbers that read further would fail
# it. Not for numbers that start with an international call prefix (00) or with 84, which
# phonenumbers may read as another country's, or as Vietnam's without the trunk 0.
SHAPE_HEAD = 4
_SHAPE_FREE_PREFIXES = ("00", "84")
MAX_SHAPES = 4096  # (head, length) pairs remembered; forgotten all at once past it (upstream data)
_shapes: ProcessMemo[tuple[str, int], tuple[int, ...]] = ProcessMemo(MAX_SHAPES)


@lru_cache(maxsize=8192)
def number_groups(number: str) -> tuple[str, ...]:
    """A number's digits in the groups Vietnamese people write them in.

    '0901234567' -> ('0901', '234', '567'), '02438251234' -> ('024', '3825', '1234') (phonenumbers'
    national format for Vietnam), '19006868' -> ('1900', '6868') and '1900123456' -> ('1900', '123',
    '456') (phonenumbers writes the latter '1900 123456'). A number phonenumbers would rewrite (a
    short landline loses its 0) falls back to 4-3-3 at ten digits; anything else that is not a
    plain run of digits, or that no rule fits, is one group, as stored. Cached per number, and
    phonenumbers asked once per shape (SHAPE_HEAD): a list page groups up to 200 numbers.
    """
    if not _ASCII_DIGITS.fullmatch(number):
        return (number,)
    if number.startswith(_SERVICE_PREFIXES) and len(number) in (8, 10):
        head, rest = number[:4], number[4:]
        return (head, rest) if len(rest) == 4 else (head, rest[:3], rest[3:])
    if number.startswith(_SHAPE_FREE_PREFIXES):
        return _groups_by_phonenumbers(number)
    shape = (number[:SHAPE_HEAD], len(number))
    lengths = _shapes.get(shape)
    if lengths is None:
        groups = _groups_by_phonenumbers(number)
        _shapes.put(shape, tuple(map(len, groups)))
        return groups
    groups, start = [], 0
    for length in lengths:
        groups.append(number[start : start + length])
        start += length
    return tuple(groups)


def _groups_by_phonenumbers(number: str) -> tuple[str, ...]:
    """`number_groups` of a plain run of digits, asking phonenumbers (their concatenation is
    always the number itself)."""
    try:
        national = phonenumbers.format_number(phonenumbers.parse(number, "VN"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = ""
    if _NON_DIGITS.sub("", national) == number:
        return tuple(national.split())
    if len(number) == 10 and number.startswith("0"):
        return (number[:4], number[4:7], number[7:])
    return (number,)
