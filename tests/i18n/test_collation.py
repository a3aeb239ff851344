"""Vietnamese alphabetical order (CLDR, through ICU): in Python, in the database, on the list and
in its exports, on SQLite and PostgreSQL alike (hotlines/collation.py, migration 0009)."""

from __future__ import annotations

import json
import random
import unicodedata

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from hotlines.collation import COLLATION, compare, vietnamese_sorted
from hotlines.models import Connection, Hotline
from tests.conftest import make_user
from tests.views.test_sort_indexes import index_collations

# CLDR's Vietnamese order: letters a ă â b c d đ e ê … o ô ơ … u ư; tones after the letters, in
# the order a à ả ã á ạ (all before "an"); case only as a late tie-breaker (an, An, ăn).
VIETNAMESE_ORDER = [
    "a", "A", "à", "ả", "ã", "á", "ạ", "an", "An", "ăn", "Ân", "b", "c", "d", "đ", "đi", "Đường dây nóng", "e", "ê",
    "Hotline bán hàng", "o", "ô", "ơ", "Tổng đài", "u", "ư", "y",
]  # fmt: skip


def shuffled(items: list[str]) -> list[str]:
    copy = list(items)
    random.Random(5).shuffle(copy)
    return copy


def make_hotlines(names: list[str], **extra) -> Connection:
    owner = Connection.objects.create(name="vi", base_url="https://api.example.vn", api_key="k")
    Hotline.objects.bulk_create(
        Hotline(connection=owner, etelecom_id=str(n), hotline=f"0900{n:06d}", name=name, content_hash="x", **extra)
        for n, name in enumerate(shuffled(names))
    )
    return owner


def test_python_sorts_in_cldr_vietnamese_order():
    assert vietnamese_sorted(shuffled(VIETNAMESE_ORDER)) == VIETNAMESE_ORDER
    assert sorted(VIETNAMESE_ORDER) != VIETNAMESE_ORDER  # code point order puts "Đ" after "T"


def test_equal_only_when_identical():
    """Like PostgreSQL's deterministic collations: ICU sees no difference between the composed and
    decomposed "ế", but they are different strings (a sync must see the change)."""
    composed, decomposed = "Tổng đài ế", unicodedata.normalize("NFD", "Tổng đài ế")
    assert compare(composed, composed) == 0
    assert compare(composed, decomposed) == -compare(decomposed, composed) != 0
    assert compare("an", "An") < 0 < compare("ăn", "An")


@pytest.mark.django_db
def test_the_database_orders_names_and_descriptions_in_vietnamese():
    make_hotlines(VIETNAMESE_ORDER)
    live = Hotline.objects.filter(is_removed=False)
    assert list(live.order_by("name", "id").values_list("name", flat=True)) == VIETNAMESE_ORDER
    assert list(live.order_by("-name", "-id").values_list("name", flat=True)) == VIETNAMESE_ORDER[::-1]
    for hotline in live:  # descriptions too (a sortable column of the list)
        hotline.description = hotline.name
        hotline.save(update_fields=["description"])
    assert list(live.order_by("description", "id").values_list("description", flat=True)) == VIETNAMESE_ORDER


@pytest.mark.django_db
def test_equality_and_uniqueness_stay_exact():
    composed, decomposed = "Tổng đài ế", unicodedata.normalize("NFD", "Tổng đài ế")
    make_hotlines([composed, decomposed, "an", "An"])
    assert Hotline.objects.filter(name=composed).count() == 1
    assert Hotline.objects.filter(name="an").count() == 1
    Connection.objects.create(name=composed, base_url="https://a.example.vn", api_key="k")
    Connection.objects.create(name=decomposed, base_url="https://b.example.vn", api_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(name=composed, base_url="https://c.example.vn", api_key="k")


@pytest.mark.django_db
def test_connection_names_sort_in_vietnamese():
    for name in shuffled(["Tổng công ty", "Đà Nẵng", "an giang", "Bình Dương"]):
        Connection.objects.create(name=name, base_url="https://api.example.vn", api_key="k")
    assert list(Connection.objects.values_list("name", flat=True)) == [
        "an giang",
        "Bình Dương",
        "Đà Nẵng",
        "Tổng công ty",
    ]


@pytest.fixture
def vietnamese_names(db):
    return make_hotlines(VIETNAMESE_ORDER)


def names_on_page(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_the_list_sorted_by_name_is_in_vietnamese_order(viewer_client, vietnamese_names, sort):
    response = viewer_client.get(reverse("hotlines:list"), {"sort": sort, "per_page": 100})
    expected = VIETNAMESE_ORDER if sort == "name" else VIETNAMESE_ORDER[::-1]
    assert response.status_code == 200 and names_on_page(response) == expected


def test_the_export_follows_the_lists_vietnamese_order(client, django_user_model, vietnamese_names):
    client.force_login(make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline"))
    response = client.get(reverse("hotlines:list"), {"sort": "name", "_export": "json", "columns": "name"})
    assert response.status_code == 200
    rows = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    assert [row["name"] for row in rows] == VIETNAMESE_ORDER


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_reapplies_without_losing_a_name():
    make_hotlines(VIETNAMESE_ORDER)

    def names() -> list[str]:
        return list(Hotline.objects.filter(is_removed=False).order_by("name", "id").values_list("name", flat=True))

    try:
        call_command("migrate", "hotlines", "0008", verbosity=0)
        assert names() == sorted(VIETNAMESE_ORDER)  # code point order again, every name kept
        assert COLLATION not in index_collations("hotline_live_name")
    finally:
        call_command("migrate", "hotlines", verbosity=0)
    assert names() == VIETNAMESE_ORDER
    assert index_collations("hotline_live_name")[:2] == [COLLATION, ""]  # SQLite: then the facets (0021)
    assert is_partial("hotline_live_name")


def is_partial(index: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [index])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [index])
        return " WHERE " in cursor.fetchone()[0].upper()
