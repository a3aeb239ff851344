"""PostgreSQL: a list page filtered by its facets alone reads its IDs from the sort's index, then
its rows (selectors/sort_plans.py `ids_first`), with the same rows in the same order; any other
page, and every page on SQLite, keeps its one-step query."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotlines.etelecom.demo_data import NETWORK_WEIGHTS, NETWORKS, STATUS_WEIGHTS, STATUSES
from hotlines.models import Connection, Hotline
from hotlines.selectors.sort_plans import SORT_INDEXED, WALK_ROWS_IDS_FIRST
from hotlines.selectors.sort_plans import ids_first as ids_first_of


def ids_first(page):
    """`ids_first` told a walk long enough for the IDs to be read first whatever the page."""
    return ids_first_of(page, count=1, live=lambda: 10**9)


ROWS = 3_000
POSTGRESQL = connection.vendor == "postgresql"
NAMES = ["Tổng đài", "Đường dây nóng", "Hotline", "ăn uống", "Ân", "an", "Bảo hiểm", ""]


def _make_hotlines() -> list[Connection]:
    """Two accounts' hotlines with the sandbox's shares of statuses and networks, names and dates
    that tie (the `id` breaks the ties), a few removed."""
    rng = random.Random(5)
    accounts = [
        Connection.objects.create(name=name, base_url="https://api.example.vn", api_key="k") for name in ("a", "b")
    ]
    days = [f"2026-0{month}-1{day}T08:00:00+07:00" for month in range(1, 4) for day in range(3)]
    Hotline.objects.bulk_create(
        Hotline(connection=accounts[n % 2], etelecom_id=str(n), hotline=f"0900{rng.randrange(10**6):06d}",
                name=f"{rng.choice(NAMES)} {rng.randrange(50)}".strip(),
                status=rng.choices(STATUSES, STATUS_WEIGHTS)[0], network=rng.choices(NETWORKS, NETWORK_WEIGHTS)[0],
                is_free_charge=(None, True, False)[n % 3], connection_method=("sip", "", "gsm")[n % 3],
                owner_id=str(n % 40), created_at=rng.choice(days), updated_at=rng.choice(days),
                is_removed=n % 97 == 0, content_hash="x")
        for n in range(ROWS)
    )  # fmt: skip
    return accounts


@pytest.fixture
def hotlines(db):
    return _make_hotlines()


def _pks(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


FACETS = [
    {},
    {"status__in": ["P"]},
    {"status__in": ["N"], "network__in": ["viettel"]},
    {"status__in": ["P", "Z"], "network__in": ["other", "unknown"]},
]


@pytest.mark.parametrize("sort", sorted(SORT_INDEXED))
@pytest.mark.parametrize("descending", [False, True])
def test_the_same_rows_in_the_same_order_on_every_page(hotlines, sort, descending):
    """Every sort the indexes carry the facets for, each way, under facet filters: the first page,
    a deep one and the last are the rows the one-step query reads, in its order."""
    sign = "-" if descending else ""
    for filters in FACETS:
        live = Hotline.objects.filter(is_removed=False, **filters).order_by(f"{sign}{sort}", f"{sign}id")
        count = live.count()
        for offset in {0, min(950, count // 2), max(count - 30, 0)}:
            page = live[offset : offset + 50]
            read = ids_first(page)
            assert _pks(read) == _pks(page), (filters, offset)
            if POSTGRESQL:
                sql = str(read.query)
                limit = f"LIMIT 50 OFFSET {offset})" if offset else "LIMIT 50)"
                assert limit in sql and '"hotlines_hotline"."id" IN (SELECT' in sql
            else:
                assert read is page


def test_the_fields_asked_for_are_those_read(hotlines):
    """The page's rows keep the fields the list limited them to and the relation it reads."""
    page = (
        Hotline.objects.filter(is_removed=False, status__in=["P"])
        .only("hotline", "name", "connection__name")
        .select_related("connection")
        .order_by("-created_at", "-id")[100:150]
    )
    read = ids_first(page)
    assert read.query.deferred_loading == page.query.deferred_loading
    assert [(h.pk, h.name, h.connection.name) for h in read] == [(h.pk, h.name, h.connection.name) for h in page]


def test_only_a_long_walk_reads_the_ids_first(hotlines):
    """The walk to a page reads about (offset + limit) × live / count index entries; the IDs come
    first from WALK_ROWS_IDS_FIRST of them. Not yet counted: from that offset on."""
    live = Hotline.objects.filter(is_removed=False, status__in=["P"]).order_by("-created_at", "-id")
    total = 1_000_000
    first_page = live[:50]
    assert ids_first_of(first_page, count=total, live=lambda: total) is first_page  # 50 entries
    assert ids_first_of(first_page, count=total // 10, live=lambda: total) is first_page  # 500
    assert (ids_first_of(first_page, count=total // 50, live=lambda: total) is first_page) != POSTGRESQL  # 2,500
    deep = live[WALK_ROWS_IDS_FIRST : WALK_ROWS_IDS_FIRST + 50]
    assert (ids_first_of(deep, count=total, live=lambda: total) is deep) != POSTGRESQL
    assert (ids_first_of(deep, count=None, live=lambda: None) is deep) != POSTGRESQL
    assert ids_first_of(first_page, count=None, live=lambda: None) is first_page
    assert ids_first_of(first_page, count=10, live=lambda: None) is first_page  # the total not known quickly


def test_pages_filtered_by_more_than_the_facets_keep_their_query(hotlines):
    """An account, an owner, a search, removed rows, a sort without such an index, or no slice:
    the page is read as it was (the indexes carry status and network only)."""
    live = Hotline.objects.filter(is_removed=False)
    for queryset in (
        live.filter(connection=hotlines[0]).order_by("-created_at", "-id")[:50],
        live.filter(owner_id="3").order_by("-created_at", "-id")[:50],
        live.filter(search_text__contains="tong").order_by("-created_at", "-id")[:50],
        live.exclude(status="P").order_by("-created_at", "-id")[:50],
        Hotline.objects.filter(status__in=["P"]).order_by("-created_at", "-id")[:50],
        live.order_by("connection__name", "id")[:50],
        live.order_by("-created_at", "-id"),
    ):
        assert ids_first(queryset) is queryset


@pytest.mark.django_db(transaction=True)
def test_a_deep_pages_ids_come_from_the_index_alone():
    """PostgreSQL, after the VACUUM a large sync runs: the page's IDs come from an index-only scan
    of the sort's index, no row fetched from the table to test the facets. SQLite: the page's
    query as it was, the same rows."""
    _make_hotlines()
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM (ANALYZE)' if POSTGRESQL else 'ANALYZE'} {Hotline._meta.db_table}")
    page = Hotline.objects.filter(is_removed=False, status__in=["P"], network__in=["viettel", "mobifone"])
    page = page.order_by("-updated_at", "-id")[200:250]
    read = ids_first(page)
    assert _pks(read) == _pks(page)
    if POSTGRESQL:
        plan = read.explain(analyze=True)
        assert "Index Only Scan using hotline_live_updated" in plan, plan
        assert "Heap Fetches: 0" in plan, plan
    else:
        assert read is page


def test_every_sort_index_carries_the_facets(db):
    """PostgreSQL: INCLUDE (status, network), less the index's own key. SQLite has no INCLUDE:
    Django builds the same indexes as before there (its warning W040, silenced in settings)."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Hotline._meta.db_table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                           [Hotline._meta.db_table])  # fmt: skip
        definitions = {name: sql or "" for name, sql in cursor.fetchall()}
    sort_indexes = {"hotline_live_created", "hotline_live_updated", "hotline_live_name", "hotline_live_number"}
    if POSTGRESQL:
        carried = {name for name, definition in definitions.items() if "INCLUDE (status, network)" in definition}
        assert carried >= sort_indexes
        assert definitions["hotline_live_status"].endswith("INCLUDE (network) WHERE (NOT is_removed)")
        assert definitions["hotline_live_network"].endswith("INCLUDE (status) WHERE (NOT is_removed)")
    else:
        assert sort_indexes <= set(definitions)
        assert not [name for name, definition in definitions.items() if "INCLUDE" in definition.upper()]


def test_the_list_page_shows_a_deep_facet_page_as_before(hotlines, viewer_client):
    """Through the page: the rows shown are the filtered, sorted slice, read in one statement."""
    expected = Hotline.objects.filter(is_removed=False, status="N", network="viettel").order_by("-updated_at", "-id")
    page = -(-expected.count() // 25)  # the last: its walk reads past nearly every live hotline
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(
            "/hotlines/", {"status": "N", "network": "viettel", "sort": "-updated_at", "page": page, "per_page": 25}
        )
    assert response.status_code == 200
    offset = (page - 1) * 25
    rows = [q["sql"] for q in queries if f" OFFSET {offset}" in q["sql"]]  # the last page's LIMIT: what is left
    assert len(rows) == 1, [q["sql"] for q in queries]
    assert (" IN (SELECT " in rows[0]) == POSTGRESQL
    shown = [row.record.pk for row in response.context["table"].page.object_list]
    assert shown == _pks(expected[offset : offset + 25])


def test_a_deep_page_shown_before_its_count_reads_the_same_rows(hotlines, viewer_client, monkeypatch):
    """Counts pending (as over a million rows, where the planner expects too many to count within
    the page's budget): the page reads one row more than it shows, from its offset, without knowing
    how many match; deep enough, its IDs come first (PostgreSQL), the same rows."""
    from django.core.cache import cache

    from hotlines import list_page
    from hotlines.list_counts import ListCounts

    # Not counted within the page's budget, as a million rows would not be (3,000 always are).
    monkeypatch.setattr(list_page, "hotline_list_counts_quick", lambda **_kwargs: ListCounts(count=None, facets=None))
    cache.clear()
    page, per_page = 81, 25  # offset 2,000: the walk passes WALK_ROWS_IDS_FIRST whatever the count
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get("/hotlines/", {"sort": "name", "page": page, "per_page": per_page})
    assert response.status_code == 200 and response.context["count_pending"] is True
    offset = (page - 1) * per_page
    rows = [q["sql"] for q in queries if f"LIMIT {per_page + 1} OFFSET {offset}" in q["sql"]]
    assert len(rows) == 1, [q["sql"] for q in queries]
    assert (" IN (SELECT " in rows[0]) == POSTGRESQL
    expected = Hotline.objects.filter(is_removed=False).order_by("name", "id")
    shown = [row.record.pk for row in response.context["table"].page.object_list]
    assert shown == _pks(expected[offset : offset + per_page])
