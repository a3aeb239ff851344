"""The counts and facets: a filter's values come from the cached totals, and the totals add up."""

import pytest
from django.core.cache import cache

from hotlines import selectors
from hotlines.selectors.counts import HotlineTotals
from hotlines.services.sync import hotlines_sync


@pytest.mark.django_db
def test_values_of_status_and_network_come_from_the_totals(connection, sandbox, django_assert_num_queries):
    hotlines_sync(connection=connection)
    version = selectors.hotline_caches_warm()
    with django_assert_num_queries(0):
        statuses = selectors.hotline_values("status", version=version)
        networks = selectors.hotline_values("network", version=version)
    assert set(statuses) == {item["status"] for item in sandbox.dataset.all()}
    assert set(networks) == {item["network"] for item in sandbox.dataset.all() if item["network"]}


@pytest.mark.django_db
def test_connection_methods_come_from_the_same_scan_as_the_totals(connection, sandbox, django_assert_num_queries):
    items = sandbox.dataset.all()
    sandbox.dataset.patch(items[0]["id"], connection_method="sip-trunk-mới")
    sandbox.dataset.patch(items[1]["id"], connection_method="chỉ-đã-xoá")
    hotlines_sync(connection=connection)
    sandbox.dataset.remove(items[1]["id"])  # a removed hotline's method is still offered
    hotlines_sync(connection=connection)
    cache.clear()  # what the sync warmed
    with django_assert_num_queries(2):  # the data version, the totals, and nothing for the methods
        version = selectors.data_version()
        selectors.hotline_totals(version=version)
        methods = selectors.hotline_values("connection_method", version=version)
    expected = {item["connection_method"] for item in sandbox.dataset.all() if item["connection_method"]}
    assert set(methods) == expected | {"chỉ-đã-xoá"} and "sip-trunk-mới" in methods
    assert methods == sorted(methods)


def test_totals_add_up_per_pair_status_network_and_removal():
    totals = HotlineTotals(
        by_group={
            (False, "viettel", "active", 1): 3,
            (False, "viettel", "active", 2): 2,
            (False, "mobifone", "suspended", 1): 1,
            (True, "viettel", "active", 1): 4,
        }
    )
    assert totals.by_pair == {("viettel", "active"): 5, ("mobifone", "suspended"): 1}
    assert (totals.total, totals.removed) == (6, 4)
    assert totals.by(0) == {"viettel": 5, "mobifone": 1}
    assert totals.by(1) == {"active": 5, "suspended": 1}
    assert totals.groups(removed={False}) == {
        ("viettel", "active", 1): 3,
        ("viettel", "active", 2): 2,
        ("mobifone", "suspended", 1): 1,
    }
    assert totals.groups(removed={True, False})[("viettel", "active", 1)] == 7
