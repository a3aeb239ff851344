"""SQLite: a page sorted by name walks the name's index when many rows match, with the same rows
in the same order (selectors/sort_plans.py); PostgreSQL's plans are left alone."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from hotlines.collation import vietnamese_sorted
from hotlines.etelecom.demo_data import NETWORK_WEIGHTS, NETWORKS, STATUS_WEIGHTS, STATUSES
from hotlines.models import Connection, Hotline
from hotlines.selectors.sort_plans import COLLATED_SORTS, sort_index_walked

ROWS = 6_000
NAMES = ["Tổng đài", "Đường dây nóng", "Hotline", "ăn uống", "Ân", "an", "Ơn", "Bảo hiểm", "Zalo", ""]
# sqlite_stat1 after the load bench's sync of 100,000 hotlines (the sandbox's data).
STATISTICS_100K = {
    "hotline_live_status": "100000 33334 1",
    "hotline_live_network": "100000 20000 1",
    "hotline_live_name": "100000 834 1",
    "hotline_live_number": "100000 1 1",
    "hotline_live_free": "100000 50000 1",
    "hotline_live_method": "100000 33334 1",
}
# Each test runs on both databases: SQLite's plan changes, PostgreSQL's queryset comes back as it was.
SQLITE = connection.vendor == "sqlite"


@pytest.fixture
def hotlines(db):
    """Two accounts' hotlines with the sandbox's shares of statuses and networks, Vietnamese names
    (some alike but for accents and case, some empty), a few removed; and the planner statistics
    a sync leaves behind."""
    rng = random.Random(11)
    accounts = [
        Connection.objects.create(name=name, base_url="https://api.example.vn", api_key="k") for name in ("a", "b")
    ]
    Hotline.objects.bulk_create(
        Hotline(connection=accounts[n % 2], etelecom_id=str(n), hotline=f"0900{n:06d}",
                name=f"{rng.choice(NAMES)} {rng.randrange(400)}".strip() if n % 50 else "",
                status=rng.choices(STATUSES, STATUS_WEIGHTS)[0], network=rng.choices(NETWORKS, NETWORK_WEIGHTS)[0],
                is_free_charge=n % 3 == 0, connection_method=("sip", "")[n % 2], is_removed=n % 97 == 0,
                content_hash="x")
        for n in range(ROWS)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hotline._meta.db_table}")
        if connection.vendor == "sqlite":  # the statistics of 100,000 hotlines, where SQLite sorted by itself
            cursor.executemany(
                "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = 'hotlines_hotline' AND idx = %s",
                [(stat, index) for index, stat in STATISTICS_100K.items()],
            )
            cursor.execute("ANALYZE sqlite_schema")  # read them again
    return accounts


def page(*, order: tuple[str, ...] = ("name", "id"), **filters) -> tuple:
    live = Hotline.objects.filter(is_removed=False, **filters)
    return live.order_by(*order), live.count(), Hotline.objects.filter(is_removed=False).count()


def plan(queryset) -> str:
    return queryset.explain()


def test_only_the_name_is_a_collated_sort():
    assert COLLATED_SORTS == {"name": "hotline_live_name"}


@pytest.mark.parametrize("order", [("name", "id"), ("-name", "-id")])
def test_a_page_of_one_status_and_one_network_walks_the_names_index(hotlines, order):
    queryset, count, live = page(order=order, status__in=["P"], network__in=["viettel"])
    if SQLITE:
        assert "USE TEMP B-TREE FOR ORDER BY" in plan(queryset[:50])  # what SQLite chose by itself
    walked = sort_index_walked(queryset, count=count, offset=0, limit=50, live=lambda: live)
    if SQLITE:
        assert "USING INDEX hotline_live_name" in plan(walked[:50])
        assert "TEMP B-TREE" not in plan(walked[:50])
    else:
        assert walked is queryset  # PostgreSQL knows its collation's cost: its plan is left alone
    for start in (0, 50, count - 30):  # the same rows in the same order, to the last page
        assert list(walked[start : start + 50].values_list("pk", flat=True)) == list(
            queryset[start : start + 50].values_list("pk", flat=True)
        )
    names = list(queryset.values_list("name", flat=True))
    expected = vietnamese_sorted(names)
    assert list(walked.values_list("name", flat=True)) == (expected if order[0] == "name" else expected[::-1])


@pytest.mark.parametrize(
    "condition",
    [
        Q(status__in=["P", "N"], network__in=["viettel"]),
        Q(is_free_charge=True, connection_method__in=["sip"], network__in=["viettel", "mobifone"]),
        Q(network__in=["viettel"]) & (Q(status="P") | Q(status="Z")),
        ~Q(network__in=["other"]) & Q(status__in=["P"]),
        Q(status__in=["P"]) & ~Q(name__contains="Zalo"),
    ],
    ids=["statuses", "free-method-networks", "nested-or", "negated", "a-name-condition"],
)
def test_the_walk_changes_the_plan_never_the_rows(hotlines, condition):
    live = Hotline.objects.filter(is_removed=False)
    queryset = live.filter(condition).filter(connection__in=hotlines).order_by("-name", "-id")
    count = queryset.count()
    walked = sort_index_walked(queryset, count=count, offset=0, limit=50, live=lambda: live.count())
    assert list(walked.values_list("pk", flat=True)) == list(queryset.values_list("pk", flat=True))
    assert "INDEXED BY" not in str(queryset.query)  # the original is untouched
    if SQLITE:
        assert "INDEXED BY" in str(walked.query)
        assert "TEMP B-TREE" not in plan(walked[:50])
    else:
        assert walked is queryset


def test_few_matches_or_a_deep_page_keep_the_sort(hotlines):
    """Walking to fill a page of few matches, or to a deep page, would read most of the index."""
    queryset, count, live = page(status__in=["Z"], network__in=["other"])
    assert count < 100
    assert sort_index_walked(queryset, count=count, offset=0, limit=50, live=lambda: live) is queryset
    queryset, count, live = page(status__in=["P"], network__in=["viettel"])
    deep = count - 50
    assert sort_index_walked(queryset, count=count, offset=deep, limit=50, live=lambda: live * 100) is queryset


def test_other_sorts_removed_rows_and_unknown_totals_are_left_alone(hotlines):
    asked = []

    def live():
        asked.append(True)
        return ROWS

    for order in (("hotline", "id"), ("-created_at", "-id"), ("status", "id")):
        queryset, count, _live = page(order=order, status__in=["P"], network__in=["viettel"])
        assert sort_index_walked(queryset, count=count, offset=0, limit=50, live=live) is queryset
    assert not asked  # the total is only read for a name sort
    with_removed = Hotline.objects.filter(status__in=["P"], network__in=["viettel"]).order_by("name", "id")
    assert sort_index_walked(with_removed, count=3000, offset=0, limit=50, live=lambda: ROWS) is with_removed
    queryset, count, _live = page(status__in=["P"], network__in=["viettel"])
    assert sort_index_walked(queryset, count=count, offset=0, limit=50, live=lambda: None) is queryset


def test_the_list_sorted_by_name_reads_its_page_along_the_names_index(hotlines, viewer_client):
    """Through the page: the rows' query walks the index on SQLite, and the page shows the rows in
    Vietnamese order on both databases."""
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(
            "/hotlines/", {"status": "P", "network": "viettel", "sort": "name", "per_page": 100}
        )
    assert response.status_code == 200
    # The page's rows: read as values (selectors.hotline_rows), the only query with a LIMIT.
    rows = [q["sql"] for q in queries if 'FROM "hotlines_hotline"' in q["sql"] and "LIMIT 100" in q["sql"]]
    assert len(rows) == 1, [q["sql"] for q in queries]
    assert ('INDEXED BY "hotline_live_name"' in rows[0]) == (connection.vendor == "sqlite")
    expected = vietnamese_sorted(
        # in id order first: a stable sort then breaks ties by id, as the page does
        Hotline.objects.filter(is_removed=False, status="P", network="viettel")
        .order_by("id")
        .values_list("hotline", "name"),
        key=lambda row: row[1],
    )
    shown = [row.record.hotline for row in response.context["table"].page.object_list]
    assert shown == [number for number, _name in expected[:100]]
