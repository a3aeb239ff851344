"""Demo hotlines: Vietnamese service, landline and mobile numbers of many companies."""

from __future__ import annotations

import random
from datetime import timedelta

from ...hotline_fields import API_FIELDS
from .owners import default_tenants, hotline_owner
from .vocabulary import CITIES, CONNECTION_IDS, CONNECTION_METHODS, EPOCH, timestamp

# The Partner API's fields, in its order.
API_NAMES = tuple(field.api_name for field in API_FIELDS)
ID_BASE = 1_150_000_000_000_000_000

NETWORKS = ("viettel", "mobifone", "vinaphone", "other", "unknown")
NETWORK_WEIGHTS = (35, 20, 25, 10, 10)
STATUSES = ("P", "N", "Z")
STATUS_WEIGHTS = (70, 20, 10)
MOBILE_PREFIXES = {
    "viettel": ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    "mobifone": ("089", "090", "093", "070", "076", "077", "078", "079"),
    "vinaphone": ("088", "091", "094", "081", "082", "083", "084", "085"),
}
LANDLINE_PREFIXES = ("024", "028", "0236", "0225", "0292", "0234", "0258", "0251")
COMPANIES = (
    "Công ty TNHH Thương mại Hòa Phát",
    "Công ty CP Dược phẩm Ánh Dương",
    "Ngân hàng TMCP Đông Á",
    "Công ty CP Giao hàng Nhanh Việt",
    "Bệnh viện Đa khoa Tâm Đức",
    "Trung tâm Anh ngữ Sao Việt",
    "Công ty Du lịch Phương Nam",
    "Siêu thị Điện máy Xanh Lá",
    "Công ty Bảo hiểm Bình An",
    "Nhà hàng Phở Thìn Bờ Hồ",
    "Công ty CP Bất động sản Đất Xanh",
    "Trường Đại học Bách khoa",
    "Công ty Điện lực Miền Trung",
    "Hãng taxi Mai Linh Xanh",
    "Công ty CP Sữa Vinh Mỹ",
)
PURPOSES = (
    "Tổng đài chăm sóc khách hàng",
    "Đường dây nóng",
    "Hotline bán hàng",
    "Tổng đài hỗ trợ kỹ thuật",
    "Tổng đài đặt lịch",
    "Đường dây tư vấn",
    "Tổng đài khiếu nại",
    "Hotline giao nhận",
)
DESCRIPTIONS = (
    "Hỗ trợ khách hàng 24/7 tại {city}",
    "Tiếp nhận đơn hàng và phản hồi khiếu nại khu vực {city}",
    "Tư vấn sản phẩm, giờ làm việc 8:00–17:30 từ thứ Hai đến thứ Bảy",
    "Chi nhánh {city}: đặt lịch hẹn và tra cứu thông tin",
    "Số dùng cho chiến dịch quảng cáo quý {quarter}/2026",
    "Đường dây ưu tiên cho khách hàng doanh nghiệp ở {city}",
    "",
)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _number(rng: random.Random, network: str) -> tuple[str, str]:
    """A realistic Vietnamese number and its kind ('1900', '1800', 'landline' or 'mobile')."""
    roll = rng.random()
    if network in MOBILE_PREFIXES and roll < 0.6:
        return rng.choice(MOBILE_PREFIXES[network]) + _digits(rng, 7), "mobile"
    if roll < 0.8:
        prefix = "1900" if rng.random() < 0.6 else "1800"
        return prefix + _digits(rng, 4 if rng.random() < 0.5 else 6), prefix
    landline = rng.choice(LANDLINE_PREFIXES)
    return landline + _digits(rng, 11 - len(landline)), "landline"


def hotline(seed: int, index: int, *, size: int, tenants: int | None = None) -> dict:
    """The payload of hotline number `index` (0 = newest) in a data set of `size`, whose owner is
    one of `tenants` tenants' owners (by default `default_tenants(size)`) or, for ~5%, none's."""
    tenants = default_tenants(size) if tenants is None else tenants
    rng = random.Random(seed * 1_000_003 + index)
    network = rng.choices(NETWORKS, NETWORK_WEIGHTS)[0]
    number, kind = _number(rng, network)
    city = rng.choice(CITIES)
    created = EPOCH - timedelta(seconds=index * 61 + rng.randrange(60))
    updated = min(created + timedelta(hours=rng.randrange(0, 24 * 200)), EPOCH)
    free = True if kind == "1800" else False if kind == "1900" else rng.random() < 0.3
    values = {
        "id": str(ID_BASE + (size - index) * 1000 + rng.randrange(1000)),
        "hotline": number,
        "name": f"{rng.choice(PURPOSES)} {rng.choice(COMPANIES)}",
        "description": rng.choice(DESCRIPTIONS).format(city=city, quarter=rng.randint(1, 4)),
        "network": network,
        "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
        "is_free_charge": free,
        "connection_id": rng.choice(CONNECTION_IDS),
        "connection_method": rng.choice(CONNECTION_METHODS),
        # Drawn last: the other fields are what they were when owners were 8 fixed IDs.
        "owner_id": hotline_owner(rng, index, size=size, tenants=tenants),
        "created_at": timestamp(created),
        "updated_at": timestamp(updated),
    }
    # The payload holds the registry's fields in the API's order: a field the registry gains
    # without a value here fails loudly instead of going missing from the sandbox.
    return {name: values[name] for name in API_NAMES}
