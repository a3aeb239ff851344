"""Quick search: numbers in any form people type them, names and descriptions without accents."""

import pytest
from django.urls import reverse

from hotlines.models import Hotline
from hotlines.normalize import fold, international, looks_like_number, number_digits
from hotlines.search import MAX_LENGTH, NUMBER_TRIGRAMS, search_parse
from hotlines.services.sync import hotlines_sync

from .test_hotline_list import all_ids


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0901234567", "0901234567"),
        ("090 123 4567", "0901234567"),
        ("090.123.4567", "0901234567"),
        ("090-123-4567", "0901234567"),
        ("+84 90 123 4567", "0901234567"),
        ("+84 (0) 90 123 4567", "0901234567"),
        ("84901234567", "0901234567"),
        ("0084 90 123 4567", "0901234567"),
        ("1900 6868", "19006868"),
        ("+84 1900 6868", "19006868"),
        ("(028) 3822 1234", "02838221234"),
        ("123 4567", "1234567"),  # partial: kept as typed
        ("+84 90", "090"),
        ("8490", "8490"),  # too short to be a country code
        ("+1 555 1234", "15551234"),  # not Vietnamese: digits as typed
        ("", ""),
    ],
)
def test_number_digits(typed, digits):
    assert number_digits(typed) == digits


def test_number_helpers():
    assert looks_like_number("+84 (90) 123-4567") and looks_like_number("1900.6868")
    assert not looks_like_number("tổng đài 1900") and not looks_like_number("+ - ()")
    assert international("0901234567") == "+84 901 234 567"
    assert international("19006868") == "+84 1900 6868"
    assert international("abc") == ""
    assert fold("  Tổng   ĐÀI  Đà Nẵng ") == "tong dai da nang"


def test_search_parse_is_bounded_and_never_fails():
    long = search_parse("tổng " * 2000)
    assert long.truncated and len(long.text) <= MAX_LENGTH and long.words == ("tong",)
    many = search_parse("a b c d e f g h i j k")
    assert many.truncated and len(many.words) == 8
    assert search_parse("\x00\x00").is_empty
    assert search_parse("0901\x00234567").number == "0901234567"
    assert search_parse("  ").is_empty and not search_parse("  ").truncated
    assert search_parse("Tổng Đài").words == ("tong", "dai")


pytestmark = pytest.mark.django_db(transaction=True)  # the sync commits (see test_hotline_list)


def search(client, q: str) -> set[str]:
    return set(all_ids(client, reverse("hotlines:list"), {"q": q}))


def test_a_mobile_number_in_every_form(viewer_client, synced):
    item = next(i for i in synced if i["hotline"].startswith("09") and len(i["hotline"]) == 10)
    n = item["hotline"]
    for typed in (n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}.{n[3:6]}.{n[6:]}", f"+84 {n[1:3]} {n[3:6]} {n[6:]}",
                  f"84{n[1:]}", f"(+84) {n[1:]}"):  # fmt: skip
        assert item["id"] in search(viewer_client, typed), typed
        assert len(search(viewer_client, typed)) == 1, typed


def test_a_service_number_with_spaces(viewer_client, synced):
    item = next(i for i in synced if i["hotline"].startswith("1900") and len(i["hotline"]) == 8)
    n = item["hotline"]
    assert item["id"] in search(viewer_client, f"{n[:4]} {n[4:]}")
    assert item["id"] in search(viewer_client, f"+84 {n[:4]} {n[4:]}")


def test_partial_numbers_match_anywhere(viewer_client, synced):
    item = synced[3]
    part = item["hotline"][-5:]
    found = search(viewer_client, f"{part[:2]} {part[2:]}")
    assert found == {i["id"] for i in synced if part in i["hotline"]}
    assert item["id"] in found


def test_a_number_stored_with_the_country_code_is_found_by_its_national_form(viewer_client, synced, connection,
                                                                              sandbox):  # fmt: skip
    sandbox.dataset.patch(synced[0]["id"], hotline="84912345678")
    assert hotlines_sync(connection=connection).error == ""
    assert synced[0]["id"] in search(viewer_client, "091 234 5678")
    assert synced[0]["id"] in search(viewer_client, "+84912345678")


def test_names_without_accents_or_case(viewer_client, synced):
    expected = {i["id"] for i in synced if "tong dai" in fold(f"{i['name']} {i['description']}")}
    assert expected
    assert search(viewer_client, "tong dai") == expected
    assert search(viewer_client, "TỔNG ĐÀI") == expected
    assert search(viewer_client, "Tổng đài") == expected


def test_every_word_must_match_name_or_description(viewer_client, synced):
    expected = {
        i["id"] for i in synced if all(w in fold(f"{i['name']} {i['description']}") for w in ("ho tro", "ha noi"))
    }
    assert search(viewer_client, "hỗ trợ  Hà Nội") == expected
    described = {i["id"] for i in synced if "24/7" in i["description"]}
    assert search(viewer_client, "24/7") == described


def test_a_word_of_digits_also_matches_the_number(viewer_client, synced):
    item = next(i for i in synced if i["hotline"].startswith("1900"))
    words = f"{fold(item['name']).split()[0]} {item['hotline'][:6]}"
    assert item["id"] in search(viewer_client, words)


def test_search_combines_with_filters_and_shows_a_chip(viewer_client, synced):
    response = viewer_client.get("/hotlines/", {"q": "tong dai", "status": "P"})
    expected = {
        i["id"] for i in synced if i["status"] == "P" and "tong dai" in fold(i["name"] + " " + i["description"])
    }
    assert response.context["table"].paginator.count == len(expected)
    assert "“tong dai”" in response.text


def test_wildcards_are_literal(viewer_client, synced):
    assert search(viewer_client, "%") == set()
    assert search(viewer_client, "_") == set()
    assert len(search(viewer_client, "")) == len(synced)


def test_removed_hotlines_are_not_found_unless_asked(viewer_client, synced, connection, sandbox):
    gone = synced[0]
    sandbox.dataset.remove(gone["id"])
    hotlines_sync(connection=connection)
    assert gone["id"] not in search(viewer_client, gone["hotline"])
    found = all_ids(viewer_client, "/hotlines/", {"q": gone["hotline"], "include_removed": "on"})
    assert gone["id"] in found
    assert Hotline.objects.get(etelecom_id=gone["id"]).is_removed


def test_a_selective_number_search_on_sqlite_reads_the_number_trigrams(viewer_client, synced, connection, sandbox):
    """On SQLite a number search of 5 digits or more finds its rows through the trigram index of
    the numbers; it must find exactly what a plain `contains` finds, with removed rows only when
    asked."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    gone = synced[1]
    sandbox.dataset.remove(gone["id"])
    assert hotlines_sync(connection=connection).error == ""

    def stored(needle: str) -> str:  # a full national number is looked for without its trunk 0
        return needle[1:] if needle.startswith("0") and len(needle) >= 9 else needle

    for item in synced[:6]:
        for needle in (item["hotline"][-5:], item["hotline"][2:8], item["hotline"]):
            matching = Hotline.objects.filter(hotline__contains=stored(needle))
            live = set(matching.filter(is_removed=False).values_list("etelecom_id", flat=True))
            with CaptureQueriesContext(db) as queries:
                assert search(viewer_client, needle) == live, needle
            named = any(NUMBER_TRIGRAMS in q["sql"] for q in queries.captured_queries)
            assert named == (db.vendor == "sqlite")
            everything = set(matching.values_list("etelecom_id", flat=True))
            assert set(all_ids(viewer_client, "/hotlines/", {"q": needle, "include_removed": "on"})) == everything
    only = set(all_ids(viewer_client, "/hotlines/", {"q": gone["hotline"], "include_removed": "only"}))
    assert only == {gone["id"]}


def _trigrams_match_the_numbers() -> None:
    """SQLite: FTS5's own check that its index holds exactly the trigrams of the hotline table's
    numbers (PostgreSQL's trigram index is its own business)."""
    from django.db import connection as db

    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            cursor.execute(f"INSERT INTO {NUMBER_TRIGRAMS}({NUMBER_TRIGRAMS}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


def test_a_number_search_follows_every_write_to_the_numbers(viewer_client, synced, connection, sandbox):
    """A number added by a sync, one changed upstream, a hotline removed, a number edited and a row
    deleted outside the sync are all searched as they now are, on both databases. On SQLite the
    trigram index is kept by triggers (migration 0020): Django rebuilds a SQLite table to alter it,
    dropping its triggers, so a later migration that alters Hotline without making them again
    fails here."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    changed, gone, edited, deleted = synced[2], synced[3], synced[4], synced[5]
    fresh, added_number, edited_number = "0966123457", "02873001234", "0911222333"
    assert not {fresh, added_number, edited_number} & {item["hotline"] for item in synced}
    sandbox.dataset.patch(changed["id"], hotline=fresh)
    sandbox.dataset.remove(gone["id"])
    added = {**synced[6], "id": "9" * 18, "hotline": added_number}
    sandbox.dataset.add(added)
    assert hotlines_sync(connection=connection).error == ""
    _trigrams_match_the_numbers()

    assert search(viewer_client, fresh) == {changed["id"]}
    assert changed["id"] not in search(viewer_client, changed["hotline"])
    assert search(viewer_client, added_number[1:]) == {added["id"]}
    assert search(viewer_client, gone["hotline"]) == set()
    assert search(viewer_client, "")  # the list itself still shows the rest

    Hotline.objects.filter(etelecom_id=edited["id"]).update(hotline=edited_number)
    Hotline.objects.filter(etelecom_id=deleted["id"]).delete()
    _trigrams_match_the_numbers()
    with CaptureQueriesContext(db) as queries:
        assert search(viewer_client, edited_number) == {edited["id"]}
    assert any(NUMBER_TRIGRAMS in q["sql"] for q in queries.captured_queries) == (db.vendor == "sqlite")
    assert search(viewer_client, edited["hotline"]) == set()
    assert search(viewer_client, deleted["hotline"]) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["a" * 50_000, "%_" * 25_000, "0" * 50_000, "tổng đài " * 5_000])
def test_a_50000_character_search_is_cut_with_a_note_on_every_database(viewer_client, connection, typed):
    """SQLite and PostgreSQL refuse LIKE patterns that long: the search is cut before the query."""
    response = viewer_client.get(reverse("hotlines:list"), {"q": typed})
    assert response.status_code == 200
    assert "The search was shortened" in response.text
    assert len(response.context["filter"].search.text) <= MAX_LENGTH
