"""What hotlines and tenants share: the clock, the cities, the connections, ASCII slugs."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

EPOCH = datetime(2026, 11, 1, 8, 0, 0, tzinfo=UTC)  # the newest item's time
# Cities and the short codes a PBX domain uses for them, in the same order.
CITIES = (
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Huế",
    "Nha Trang",
    "Biên Hòa",
    "Vũng Tàu",
    "Quy Nhơn",
    "Buôn Ma Thuột",
    "Hạ Long",
)
CITY_CODES = ("hn", "hcm", "dn", "hp", "ct", "hue", "nt", "bh", "vt", "qn", "bmt", "hl")
CONNECTION_IDS = tuple(str(1_120_000_000_000_000_000 + n * 104_729) for n in range(1, 6))
CONNECTION_METHODS = ("unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "sip", "trunk")


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits of a Vietnamese text ("Ánh Dương" -> "anhduong")."""
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in folded.lower() if char.isascii() and char.isalnum())


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as eTelecom writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
