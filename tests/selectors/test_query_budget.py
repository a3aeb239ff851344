"""A read within a time budget: stopped by the database when it runs over, the connection (and its
transaction) usable afterwards; `cached_if_quick` caches only what it could count in time."""

import pytest
from django.core.cache import cache
from django.db import connection

from hotlines.selectors.caching import cached_if_quick, cached_once
from hotlines.selectors.query_budget import QueryTooSlow, query_time_limit

pytestmark = pytest.mark.django_db


def slow_sql() -> str:
    """A query that takes seconds, whatever the data."""
    if connection.vendor == "postgresql":
        return "SELECT pg_sleep(3)"
    return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT COUNT(*) FROM n"


def run(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_slow_read_is_stopped_at_its_budget_and_the_connection_goes_on():
    with pytest.raises(QueryTooSlow), query_time_limit(50):
        run(slow_sql())
    assert run("SELECT 41 + 1") == 42  # the request's transaction survived (a savepoint on PostgreSQL)


def test_a_quick_read_finishes_and_the_limit_is_gone_afterwards():
    with query_time_limit(5_000):
        assert run("SELECT 2") == 2
    if connection.vendor == "postgresql":
        assert run("SELECT current_setting('statement_timeout')") == "0"
    else:  # no progress handler left behind: a longer query runs to its end
        sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT COUNT(*) FROM n"
        assert run(sql) == 200000


def test_no_budget_reads_nothing():
    with pytest.raises(QueryTooSlow), query_time_limit(0):
        run("SELECT 1")


def test_only_what_was_counted_in_time_is_cached():
    assert cached_if_quick("slow", lambda: run(slow_sql()), budget_ms=50) is None
    assert cache.get("slow") is None and cache.get("slow:counting") is None  # nothing kept, the lock gone
    assert cached_if_quick("quick", lambda: run("SELECT 7"), budget_ms=5_000) == 7
    assert cache.get("quick") == 7
    assert cached_if_quick("quick", lambda: pytest.fail("counted twice"), budget_ms=0) == 7


def test_a_figure_another_process_is_counting_is_not_counted_again():
    cache.add("busy:counting", 1, 10)
    assert cached_if_quick("busy", lambda: pytest.fail("counted beside the other process"), budget_ms=5_000) is None


def test_a_count_that_ran_out_of_time_is_not_tried_again_until_it_is_counted():
    assert cached_if_quick("search", lambda: run(slow_sql()), budget_ms=50) is None
    # The next page for the same version and filters knows: no budget spent on it again.
    assert cached_if_quick("search", lambda: pytest.fail("tried again"), budget_ms=5_000) is None
    # The counts' own request counts it whatever it takes; every page then has it.
    cached_once("search", lambda: 12)
    assert cached_if_quick("search", lambda: pytest.fail("counted twice"), budget_ms=5_000) == 12
    # Another key (a new data version, other filters) is tried as before.
    assert cached_if_quick("search-2", lambda: run("SELECT 3"), budget_ms=5_000) == 3
