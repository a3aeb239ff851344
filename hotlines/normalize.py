"""Text and number normalisation shared by sync (what is stored) and search (what is asked)."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase without accents: 'Tổng Đài' -> 'tong dai' (đ has no decomposition, so by hand)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def number_digits(text: str) -> str:
    """The national digits of a number typed any way: '+84 90 123 4567' -> '0901234567'.

    Full numbers go through phonenumbers (region VN); partial ones keep their digits, with a
    leading 84 country code turned back into the trunk 0 where that is what was meant.
    """
    raw = text.strip()
    digits = _NON_DIGITS.sub("", raw)
    if not digits:
        return ""
    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.country_code == 84 and phonenumbers.is_possible_number(parsed):
        national = phonenumbers.national_significant_number(parsed)
        return national if national.startswith(("1800", "1900")) else "0" + national
    if raw.startswith("+84") or (digits.startswith("84") and len(digits) >= 10):
        return "0" + digits[2:]
    return digits


def international(number: str) -> str:
    """E.164-style international form, e.g. '+84 90 123 4567', or '' when not a VN number."""
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
