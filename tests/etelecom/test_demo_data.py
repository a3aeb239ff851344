"""The demo data's tenants and owners: consistent with the hotlines, realistic, O(1) per item."""

import time
from collections import Counter

import pytest

from hotlines import tenant_fields
from hotlines.etelecom import demo_data
from hotlines.etelecom.demo_data.tenants import COMBINATIONS
from hotlines.etelecom.types import Tenant


@pytest.mark.parametrize(
    ("hotlines", "tenants"), [(1_000_000, 50_000), (100_000, 5_000), (1_000, 50), (230, 11), (5, 1)]
)
def test_one_tenant_per_20_hotlines_by_default(hotlines, tenants):
    assert demo_data.default_tenants(hotlines) == tenants


def tenants_of(size: int, seed: int = 1) -> list[dict]:
    return [demo_data.tenant(seed, index, size=size) for index in range(size)]


def test_most_owners_have_one_tenant_about_one_in_ten_two_and_none_more():
    tenants = tenants_of(2_000)
    per_owner = Counter(Counter(item["owner_id"] for item in tenants).values())
    assert set(per_owner) == {1, 2}
    assert per_owner == {1: demo_data.owner_counts(2_000)[0] - per_owner[2], 2: demo_data.owner_counts(2_000)[1]}
    assert 0.08 < per_owner[2] / (per_owner[1] + per_owner[2]) < 0.12


def test_an_owners_two_tenants_are_one_company_in_two_cities():
    tenants = tenants_of(500)
    by_owner: dict[str, list[dict]] = {}
    for item in tenants:
        by_owner.setdefault(item["owner_id"], []).append(item)
    pairs = [items for items in by_owner.values() if len(items) == 2]
    assert len(pairs) == 45
    for first, second in pairs:
        company = lambda item: item["name"].split(" – ")[0]  # noqa: E731
        city = lambda item: item["name"].split(" – ")[1]  # noqa: E731
        assert company(first) == company(second) and city(first) != city(second)


def test_hotlines_agree_with_tenants_on_owners():
    """~5% of hotlines have an owner with no tenant, every tenant's owner has hotlines, unevenly."""
    size = 20_000
    tenant_owners = {item["owner_id"] for item in tenants_of(demo_data.default_tenants(size))}
    owners = Counter(demo_data.hotline(1, index, size=size)["owner_id"] for index in range(size))
    without = sum(count for owner, count in owners.items() if owner not in tenant_owners)
    assert 0.04 < without / size < 0.06
    assert tenant_owners <= set(owners)  # every tenant's owner has some hotlines
    counts = sorted(owners[owner] for owner in tenant_owners)
    assert counts[0] >= 1 and counts[-1] > 10 * counts[len(counts) // 2]  # a few big customers


def test_tenants_are_realistic_and_in_the_apis_field_order():
    tenants = tenants_of(13_200)  # past the first cycle of (brand, city) pairs
    assert demo_data.owner_counts(13_200)[0] > COMBINATIONS
    assert all(list(item) == [field.api_name for field in tenant_fields.API_FIELDS] for item in tenants[:50])
    domains = [item["domain"] for item in tenants]
    assert len(set(domains)) == len(domains)  # a PBX's domain is its own
    assert all(domain.isascii() and domain.endswith(".pbx.etelecom.vn") for domain in domains)
    assert len({item["id"] for item in tenants}) == len(tenants)
    ids = [int(item["id"]) for item in tenants]
    assert ids == sorted(ids, reverse=True)  # newest first, as the API pages them
    statuses = Counter(item["status"] for item in tenants)
    assert set(statuses) == {"P", "N", "Z"} and statuses["P"] > 0.7 * len(tenants)
    assert any("Đ" in item["name"] or "ư" in item["name"] for item in tenants)
    for item in tenants[:200]:
        parsed = Tenant.from_payload(item)
        assert parsed.created_at <= parsed.updated_at
        assert parsed.name.count(" – ") == 1


def test_each_item_is_made_on_its_own_in_constant_time():
    assert demo_data.tenant(3, 49_999, size=50_000) == demo_data.tenant(3, 49_999, size=50_000)
    assert demo_data.tenant(3, 7, size=50_000) != demo_data.tenant(4, 7, size=50_000)
    started = time.perf_counter()
    for index in (0, 25_000, 49_999):
        demo_data.tenant(1, index, size=50_000)
        demo_data.hotline(1, index * 20, size=1_000_000)
    assert time.perf_counter() - started < 0.5  # a walk over the items before it would take seconds


def test_owner_counts_follow_tenant_counts():
    assert demo_data.owner_counts(0) == (0, 0)
    assert demo_data.owner_counts(10) == (10, 0)
    assert demo_data.owner_counts(11) == (10, 1)
    assert demo_data.owner_counts(50_000) == (45_455, 4_545)
    # With no tenant at all, every hotline's owner is one without a tenant.
    assert demo_data.hotline(1, 0, size=100, tenants=0)["owner_id"] != demo_data.hotline(1, 0, size=100)["owner_id"]
