"""Demo tenants: Vietnamese companies' PBXs, one owner's tenants sharing its company's name."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from ...tenant_fields import API_FIELDS
from .owners import owner_id, tenant_owner
from .vocabulary import CITIES, CITY_CODES, CONNECTION_IDS, CONNECTION_METHODS, EPOCH, slug, timestamp

API_NAMES = tuple(field.api_name for field in API_FIELDS)  # the Partner API's order
TENANT_ID_BASE = 1_160_000_000_000_000_000
SPACING = 1_223  # seconds between tenants' creation: about 20 hotlines' worth
STATUSES = ("P", "N", "Z")
STATUS_WEIGHTS = (82, 10, 8)
KINDS = (
    "Công ty CP Dược phẩm",
    "Công ty TNHH Thương mại",
    "Công ty CP Giao hàng",
    "Công ty Du lịch",
    "Công ty CP Bất động sản",
    "Công ty Bảo hiểm",
    "Công ty TNHH Xây dựng",
    "Công ty CP Thực phẩm",
    "Công ty TNHH Công nghệ",
    "Công ty CP Vận tải",
    "Ngân hàng TMCP",
    "Bệnh viện Đa khoa",
    "Phòng khám Nha khoa",
    "Trung tâm Anh ngữ",
    "Nhà hàng",
    "Khách sạn",
    "Siêu thị Điện máy",
    "Trường Mầm non",
    "Hãng taxi",
    "Công ty CP Sữa",
)
# A brand is two words, one of each list (no word in both): 30 x 30 brands, each in 12 cities.
BRAND_FIRST = (
    "Ánh", "Bình", "Đông", "Phương", "Hòa", "Minh", "Thành", "Hưng", "Phúc", "Kim",
    "Hồng", "Trường", "Tân", "Việt", "Sao", "Tâm", "Đất", "Vinh", "Bảo", "Hải",
    "Ngọc", "Thiên", "Quang", "Gia", "Kiến", "Mai", "Thái", "Trung", "Lạc", "Cát",
)  # fmt: skip
BRAND_SECOND = (
    "Dương", "An", "Á", "Nam", "Phát", "Long", "Đạt", "Thịnh", "Lộc", "Ngân",
    "Hà", "Sơn", "Phú", "Tiến", "Vân", "Đức", "Xanh", "Mỹ", "Khang", "Lâm",
    "Hiệp", "Trí", "Lợi", "Vượng", "Tín", "Nguyên", "Hạnh", "Thuận", "Quý", "Cường",
)  # fmt: skip
COMBINATIONS = len(BRAND_FIRST) * len(BRAND_SECOND) * len(CITIES)
# Coprime with COMBINATIONS, so owners run through every (brand, city) once a cycle; and neither
# brand word repeats from one owner to the next.
SPREAD = 6_403


@dataclass(frozen=True, slots=True)
class Company:
    """An owner's company: its name's parts and where its first PBX is."""

    kind: str
    brand: str
    city: int
    cycle: int  # how many times every (brand, city) was given out before it: keeps domains unique


def company(seed: int, owner: int) -> Company:
    """The company of owner number `owner`: every owner of a cycle has its own (brand, city)."""
    cycle, place = divmod(owner, COMBINATIONS)
    combination = (place * SPREAD + seed * 104_729) % COMBINATIONS
    brand, city = divmod(combination, len(CITIES))
    first, second = divmod(brand, len(BRAND_SECOND))
    kind = KINDS[random.Random(seed * 3_000_017 + owner).randrange(len(KINDS))]
    return Company(kind, f"{BRAND_FIRST[first]} {BRAND_SECOND[second]}", city, cycle)


def tenant(seed: int, index: int, *, size: int) -> dict:
    """The payload of tenant number `index` (0 = newest) in a data set of `size` tenants."""
    rng = random.Random(seed * 2_000_029 + index)
    owner, second = tenant_owner(seed, index)
    firm = company(seed, owner)
    base = f"{slug(firm.brand)}{firm.cycle + 1 if firm.cycle else ''}-{CITY_CODES[firm.city]}"
    city = firm.city
    if second:  # the same company's PBX in another city
        city = (firm.city + 1 + owner % (len(CITIES) - 1)) % len(CITIES)
        base = f"{base}-{CITY_CODES[city]}"
    created = EPOCH - timedelta(seconds=index * SPACING + rng.randrange(SPACING))
    updated = min(created + timedelta(hours=rng.randrange(0, 24 * 200)), EPOCH)
    values = {
        "id": str(TENANT_ID_BASE + (size - index) * 1000 + rng.randrange(1000)),
        "name": f"{firm.kind} {firm.brand} – {CITIES[city]}",
        "domain": f"{base}.pbx.etelecom.vn",
        "owner_id": owner_id(owner),
        "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
        "connection_id": rng.choice(CONNECTION_IDS),
        "connection_method": rng.choice(CONNECTION_METHODS),
        "created_at": timestamp(created),
        "updated_at": timestamp(updated),
    }
    # The registry's fields in the API's order: a field it gains without a value here fails loudly.
    return {name: values[name] for name in API_NAMES}
