"""`matching` agrees with the list: for many random views (valid, odd and junk values alike) and
rows, a view's Python filter selects exactly the rows the list's filterset selects in SQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from hotlines.filtersets import HotlineFilterSet
from hotlines.listing import query_clean
from hotlines.models import Hotline
from hotlines.services.watch_events.changed import STATE_FIELDS
from hotlines.services.watch_events.matching import view_filters
from tests.factories import ConnectionFactory, HotlineFactory, TenantFactory

pytestmark = pytest.mark.django_db

NAMES = ["Tổng đài Đà Nẵng", "CSKH Viettel", "Hỗ trợ khách hàng", "Bán hàng 24/7", "tong dai", "", "Café ĐẶT BÀN"]
NUMBERS = ["19006868", "0901234567", "02438251234", "18001090", "84901234567", "0281234"]


@pytest.fixture
def rows():
    rng = random.Random(17)
    first, second = ConnectionFactory(name="one"), ConnectionFactory(name="two")
    inactive = ConnectionFactory(name="off", is_active=False)
    for n, connection in enumerate([first, second, first, inactive]):
        TenantFactory(
            connection=connection, owner_id=f"77{n % 3}", name=["Công ty Sao Mai", "Nam Á", "Tổng đài Bắc"][n % 3]
        )
    TenantFactory(connection=first, owner_id="779", name="Gone Ltd", is_removed=True)
    for n in range(90):
        HotlineFactory(
            connection=rng.choice([first, second, first, inactive]),
            hotline=rng.choice(NUMBERS)[: rng.randint(6, 11)] + str(n),
            name=rng.choice(NAMES),
            description=rng.choice(["", "Hà Nội", "miễn phí 1900"]),
            status=rng.choice(["P", "N", "Z", "X", ""]),
            network=rng.choice(["viettel", "mobifone", "other", "weird"]),
            is_free_charge=rng.choice([True, False, None]),
            connection_method=rng.choice(["sip", "trunk", ""]),
            owner_id=rng.choice(["770", "771", "772", "779", "", "123"]),
            created_at=rng.choice([None, datetime(2024, 5, n % 28 + 1, 23, 30, tzinfo=UTC)]),
            updated_at=rng.choice([None, datetime(2025, 1, n % 28 + 1, 0, 5, tzinfo=UTC)]),
            is_removed=rng.random() < 0.2,
        )
    return {"connections": [first.pk, second.pk, inactive.pk]}


def _random_query(rng: random.Random, connections: list[int], tenant_ids: list[int]) -> str:
    params: list[tuple[str, str]] = []
    choices = {
        "q": ["tong dai", "Tổng", "0901", "+84 90 123", "1900 68", "sao mai", "nam", "24/7", "ĐÀ", "x" * 200,
              "  ", "a b c d e f g h i j", "%", "_", "19-00", "ha noi 1900"],
        "status": ["P", "N", "Z", "X", "bogus", ""],
        "network": ["viettel", "mobifone", "weird", "nope"],
        "free": ["yes", "no", "maybe"],
        "method": ["sip", "trunk", "fax"],
        "owner": ["770", "771", "", "x" * 40, " 772 "],
        "connection": [*(str(pk) for pk in connections), "0", "abc", "007", str(connections[0])],
        "tenant": [*(str(pk) for pk in tenant_ids), "999999", "junk", ""],
        "created_after": ["2024-05-10", "1900-01-01", "2024-13-01"],
        "created_before": ["2024-05-20"],
        "updated_after": ["2025-01-15"],
        "updated_before": ["2025-01-03", "garbage"],
        "include_removed": ["on", "only", "", "all"],
    }  # fmt: skip
    for name in rng.sample(sorted(choices), rng.randint(0, 4)):
        for _n in range(rng.choice([1, 1, 2])):
            params.append((name, rng.choice(choices[name])))
    return urlencode(params)


def test_views_select_exactly_what_the_list_selects(rows):
    from hotlines.models import Tenant

    rng = random.Random(2026)
    tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    queries = {n: _random_query(rng, rows["connections"], tenant_ids) for n in range(300)}
    filters = view_filters(queries)
    states = [dict(zip(STATE_FIELDS, values, strict=True)) for values in Hotline.objects.values_list(*STATE_FIELDS)]
    checked = 0
    for n, query in queries.items():
        listed = HotlineFilterSet(query_clean(QueryDict(query)), queryset=Hotline.objects.all())
        expected = set(listed.qs.values_list("pk", flat=True))
        got = {state["id"] for state in states if filters[n].matches(state)}
        assert got == expected, query
        checked += bool(expected) and len(expected) < len(states)
    assert checked > 100  # most views select some rows, not all: the comparison means something


def test_dated_filters_leave_membership_before_unknown(rows):
    (view_filter,) = view_filters({1: "updated_after=2025-01-01&status=P"}).values()
    state = dict(zip(STATE_FIELDS, Hotline.objects.values_list(*STATE_FIELDS).first(), strict=True))
    assert view_filter.unknown_before == ("updated_at",)
    assert view_filter.matched_before({**state, "status": "N", "is_removed": False}) is False
    assert view_filter.matched_before({**state, "status": "P", "is_removed": False}) is None
    assert view_filter.matched_before(None) is False
