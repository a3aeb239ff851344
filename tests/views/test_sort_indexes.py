"""Every sortable column of the live list has an index that gives its order (with the id that
breaks ties), also under a filter on the sorted column: at 1,000,000 rows a sort the database
must do itself costs seconds (measured: 2 s for status before these indexes)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from hotlines.collation import COLLATION, vietnamese_sorted
from hotlines.etelecom.demo_data import NETWORK_WEIGHTS, NETWORKS, STATUS_WEIGHTS, STATUSES
from hotlines.models import Connection, Hotline
from hotlines.tables import HotlineTable
from tests.conftest import postgresql_only, sqlite_only

# Long free text, and a join: not worth an index each (see the model's Meta).
UNINDEXED = {"description", "connection"}
FILTERS = {"status": ["N", "Z"], "network": ["viettel", "other"]}


def sorted_columns() -> list[tuple[str, ...]]:
    return [
        tuple(column.order_by)
        for name, column in HotlineTable.base_columns.items()
        if name not in UNINDEXED and column.orderable  # a hotline's tenants do not sort (it may have several)
    ]


def sorts_itself(queryset) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")  # a Sort now means no index gives the order
        return "Sort" in queryset.explain()
    return "USE TEMP B-TREE FOR ORDER BY" in queryset.explain()


@pytest.fixture
def table_with_statistics(db):
    """Some hotlines, and the planner statistics a sync leaves behind (ANALYZE after large ones)."""
    owner = Connection.objects.create(name="stats", base_url="https://api.example.vn", api_key="k")
    Hotline.objects.bulk_create(
        Hotline(connection=owner, etelecom_id=str(n), hotline=f"0900{n:06d}", name=f"Hotline {n % 37}",
                status="PNZ"[n % 3], network=("viettel", "other", "mobifone")[n % 3], content_hash="x",
                is_free_charge=n % 2 == 0, connection_method=("sip", "")[n % 2], owner_id=str(n % 50))
        for n in range(2000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hotline._meta.db_table}")


@pytest.mark.parametrize("order_by", sorted_columns(), ids="-".join)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_sort_is_served_by_an_index(table_with_statistics, order_by, direction):
    fields = [f"-{field}" if direction == "desc" else field for field in order_by]
    live = Hotline.objects.filter(is_removed=False)
    assert not sorts_itself(live.order_by(*fields)[:25])
    column = order_by[0]
    if column in FILTERS:  # a filter on the sorted column itself keeps the order
        assert not sorts_itself(live.filter(**{f"{column}__in": FILTERS[column]}).order_by(*fields)[:25])


def index_collations(index: str) -> list[str]:
    """The collations of an index's key columns, as the database reports them (none for `id`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.collname FROM pg_index i JOIN pg_class r ON r.oid = i.indexrelid "
                "CROSS JOIN LATERAL unnest(i.indcollation::oid[]) WITH ORDINALITY AS k(oid, n) "
                "LEFT JOIN pg_collation c ON c.oid = k.oid WHERE r.relname = %s ORDER BY k.n",
                [index],
            )
            return [name or "" for (name,) in cursor.fetchall()]
        cursor.execute(f"PRAGMA index_xinfo('{index}')")
        return [row[4] if row[2] != "id" else "" for row in cursor.fetchall() if row[5]]  # key columns


def test_the_name_index_is_in_vietnamese_order(db):
    """The index that serves the name sort holds names in Vietnamese order (CLDR), so the
    sort is both right ("Đường…" before "Tổng…") and read from the index, on both databases."""
    # The name, then the id; on SQLite the facets follow in the key (migration 0021).
    assert index_collations("hotline_live_name")[:2] == [COLLATION, ""]
    owner = Connection.objects.create(name="vi", base_url="https://api.example.vn", api_key="k")
    names = [f"{purpose} {n}" for n in range(300) for purpose in ("Tổng đài", "Đường dây nóng", "Hotline", "ăn")]
    Hotline.objects.bulk_create(
        Hotline(connection=owner, etelecom_id=str(n), hotline=f"0900{n:06d}", name=name, content_hash="x")
        for n, name in enumerate(names)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hotline._meta.db_table}")
    for fields in (("name", "id"), ("-name", "-id")):
        page = Hotline.objects.filter(is_removed=False).order_by(*fields)
        assert not sorts_itself(page[:25])
        expected = vietnamese_sorted(names)
        assert list(page.values_list("name", flat=True)) == (expected if fields[0] == "name" else expected[::-1])


PAIR_INDEX = "hotline_live_status_network"


@pytest.fixture
def hotlines_like_production(db):
    """10,000 hotlines with the sandbox's shares of statuses and networks (independent of each
    other, as there): a status and a network together can be rare (Z and Other: 1 in 100)."""
    rng = random.Random(7)
    owner = Connection.objects.create(name="stats", base_url="https://api.example.vn", api_key="k")
    Hotline.objects.bulk_create(
        Hotline(connection=owner, etelecom_id=str(n), hotline=f"0900{n:06d}", name=f"Hotline {rng.random()}",
                status=rng.choices(STATUSES, STATUS_WEIGHTS)[0], network=rng.choices(NETWORKS, NETWORK_WEIGHTS)[0],
                content_hash="x")
        for n in range(10_000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hotline._meta.db_table}")


@postgresql_only
def test_a_deep_page_of_a_rare_status_and_network_is_read_from_their_index(hotlines_like_production):
    """Walking the name index to skip to the 80th row of one status and one network would read
    most of it (0.5-1.4 s at 1,000,000 rows): their own index fetches the pair's rows for sorting.
    (At 10,000 rows the status index alone is as cheap, so it is put out of the way here; at 1M
    PostgreSQL picks the pair's index by itself: see the migration.)"""
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back
        cursor.execute("DROP INDEX hotline_live_status, hotline_live_network")
        cursor.execute("SET LOCAL enable_seqscan = off")
    page = Hotline.objects.filter(is_removed=False, status__in=["Z"], network__in=["other"]).order_by("-name", "-id")
    assert f"Bitmap Index Scan on {PAIR_INDEX}" in page[80:100].explain()


@postgresql_only
def test_the_status_and_network_index_gives_no_order(db):
    """As a B-tree on (status, network, id) it also gave rows in network order within a status,
    and PostgreSQL 15 walked it for `status=P&network=other&network=viettel&sort=network`, past
    every row of the networks before (230 ms at 1M, against 4 ms by the network index). A GIN
    index gives no order: it can only find a pair's rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam WHERE i.relname = %s", [PAIR_INDEX]
        )
        assert cursor.fetchone() == ("gin",)


def test_a_tenants_hotlines_in_the_default_order_are_served_by_an_index(table_with_statistics):
    """The list filtered by a tenant (its connection and owner): the first page comes from an index
    in the list's order, not from the owner's rows sorted, nor from the date index filtered."""
    owner = Connection.objects.get(name="stats")
    tenant_rows = Hotline.objects.filter(is_removed=False, connection=owner, owner_id__in=["7"])
    assert not sorts_itself(tenant_rows.order_by("-created_at", "-id")[:50])
    assert "hotline_live_owner_created" in tenant_rows.order_by("-created_at", "-id")[:50].explain()


def index_columns(index: str) -> tuple[list[str], list[str]]:
    """An index's key columns and its included (non-key) ones, in order, as the database has them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT a.attname, k.n <= i.indnkeyatts FROM pg_index i JOIN pg_class r ON r.oid = i.indexrelid "
                "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE r.relname = %s ORDER BY k.n",
                [index],
            )
            rows = cursor.fetchall()
            return [name for name, key in rows if key], [name for name, key in rows if not key]
        cursor.execute(f'PRAGMA index_info("{index}")')
        return [name for _seqno, _cid, name in sorted(cursor.fetchall())], []


def test_the_sort_indexes_carry_the_facets_on_both_databases(db):
    """PostgreSQL includes them (INCLUDE, migration 0019); SQLite has no INCLUDE, so migration 0021
    puts them after the key's own columns, where they change nothing in its order. A later
    migration that rebuilds the table on SQLite makes the indexes again from the model, without
    them: this fails until it runs 0021's again."""
    carried = [index for index in Hotline._meta.indexes if index.include]
    assert {index.name for index in carried} >= {"hotline_live_created", "hotline_live_name", "hotline_live_status"}
    for index in carried:
        key = [Hotline._meta.get_field(name.lstrip("-")).column for name in index.fields]
        if connection.vendor == "postgresql":
            assert index_columns(index.name) == (key, list(index.include)), index.name
        else:
            assert index_columns(index.name) == ([*key, *index.include], []), index.name


@sqlite_only
def test_on_sqlite_a_page_filtered_by_status_and_network_tests_them_in_the_sort_index(table_with_statistics):
    """Page 14 of one status and one network, sorted by date: SQLite walks the date index and, with
    the facets in it, skips the rows of other pairs without reading them from the table (5 ms ->
    1.2 ms at 100,000 hotlines; 50 -> 12.6 ms for a rare pair deep in its pages)."""
    page = Hotline.objects.filter(is_removed=False, status__in=["Z"], network__in=["other"]).order_by(
        "-created_at", "-id"
    )[650:700]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        opcodes = cursor.fetchall()
    # The filters' columns are read from the index cursor (Column on it) before the table's row is
    # sought (DeferredSeek): a row of another pair is skipped without reading the table.
    index_cursor = next(row[2] for row in opcodes if row[1] == "OpenRead" and row[3] != _root_page(Hotline))
    status_at = index_columns("hotline_live_created")[0].index("status")
    assert any(row[1] == "Column" and row[2] == index_cursor and row[3] == status_at for row in opcodes)
    assert any(row[1] == "DeferredSeek" for row in opcodes)


def _root_page(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = %s", [model._meta.db_table])
        return cursor.fetchone()[0]
