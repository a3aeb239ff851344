"""The hotline list and detail pages, read from the local mirror of the sandbox."""

import pytest
from django.urls import reverse

from hotlines.collation import vietnamese_sorted
from hotlines.hotline_fields import DEFAULT_COLUMNS
from hotlines.models import Hotline
from hotlines.services.sync import hotlines_sync

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def ids_on_page(response):
    """The eTelecom IDs of a page's rows, in order. Read by primary key: a page shown before its
    count (the count over its time budget, `paged_table_uncounted`) holds plain rows with the
    shown columns only, not models."""
    pks = [row.record.pk for row in response.context["table"].paginated_rows]
    upstream = dict(Hotline.objects.filter(pk__in=pks).values_list("pk", "etelecom_id"))
    return [upstream[pk] for pk in pks]


def all_ids(client, url: str, params: dict | None = None) -> list[str]:
    """Every row of a list, page after page (200 a page, the most it shows)."""
    ids: list[str] = []
    page = 1
    while True:
        response = client.get(url, {**(params or {}), "per_page": 200, "page": page})
        assert response.status_code == 200
        ids += ids_on_page(response)
        if page >= response.context["table"].paginator.num_pages:
            return ids
        page += 1


def test_sign_in_required(client):
    response = client.get(reverse("hotlines:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_root_is_the_home_page(viewer_client):
    response = viewer_client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "hotlines/home.html"


def test_list_shows_count_and_last_sync(viewer_client, synced):
    response = viewer_client.get(reverse("hotlines:list"))
    assert response.status_code == 200
    assert "230 hotlines match" in response.text
    assert "Data last synced" in response.text


def test_filter_by_status_matches_the_sandbox(viewer_client, synced):
    for statuses in (["P"], ["N"], ["Z"], ["P", "N"]):
        expected = {item["id"] for item in synced if item["status"] in statuses}
        assert set(all_ids(viewer_client, reverse("hotlines:list"), {"status": statuses})) == expected
        response = viewer_client.get(reverse("hotlines:list"), {"status": statuses})
        assert response.context["table"].paginator.count == len(expected)


def test_filter_by_network_matches_the_sandbox(viewer_client, synced):
    for networks in (["viettel"], ["mobifone"], ["vinaphone", "other"], ["unknown"]):
        found = all_ids(viewer_client, reverse("hotlines:list"), {"network": networks})
        assert set(found) == {item["id"] for item in synced if item["network"] in networks}, networks


def test_status_and_network_combine(viewer_client, synced):
    found = all_ids(viewer_client, "/hotlines/", {"status": ["P", "N"], "network": "viettel"})
    expected = {i["id"] for i in synced if i["status"] in ("P", "N") and i["network"] == "viettel"}
    assert set(found) == expected


SORTS = {
    "hotline": "hotline",
    "name": "name",
    "network": "network",
    "status": "status",
    "is_free_charge": "is_free_charge",
    "owner_id": "owner_id",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def test_every_column_sorts_with_a_stable_tie_breaker(viewer_client, synced):
    for column in SORTS:
        for descending in (False, True):
            sort = f"-{column}" if descending else column
            found = all_ids(viewer_client, reverse("hotlines:list"), {"sort": sort})
            response = viewer_client.get(reverse("hotlines:list"), {"sort": sort})
            expected = list(
                Hotline.objects.filter(is_removed=False)
                .order_by(sort, "-id" if descending else "id")
                .values_list("etelecom_id", flat=True)
            )
            assert found == expected, sort
            if column in DEFAULT_COLUMNS:  # a column a person has not chosen sorts all the same, unseen
                assert f'aria-sort="{"descending" if descending else "ascending"}"' in response.text, sort


def test_sorted_name_matches_sandbox_order(viewer_client, synced):
    names = dict(Hotline.objects.values_list("etelecom_id", "name"))
    found = [names[i] for i in all_ids(viewer_client, reverse("hotlines:list"), {"sort": "name"})]
    assert found == vietnamese_sorted(found) != sorted(found)  # "Đường…" before "Tổng…", not after
    assert len(found) == len(synced)


def test_pagination(viewer_client, synced):
    first = ids_on_page(viewer_client.get("/hotlines/?per_page=25"))
    second = ids_on_page(viewer_client.get("/hotlines/?per_page=25&page=2"))
    assert len(first) == len(second) == 25 and not set(first) & set(second)
    assert first == [item["id"] for item in synced[:25]]  # newest first, as upstream


def test_removed_hotlines_leave_the_default_list(viewer_client, synced, connection, sandbox):
    sandbox.dataset.remove(synced[0]["id"])
    hotlines_sync(connection=connection)
    assert synced[0]["id"] not in all_ids(viewer_client, "/hotlines/")
    assert "229 hotlines match" in viewer_client.get("/hotlines/").text


def test_unknown_enum_values_are_kept_and_shown(viewer_client, synced, connection, sandbox):
    sandbox.dataset.patch(synced[0]["id"], network="itelecom", status="X")
    hotlines_sync(connection=connection)
    response = viewer_client.get("/hotlines/?network=itelecom&status=X")
    assert ids_on_page(response) == [synced[0]["id"]]
    assert "itelecom" in response.text


def test_query_count_does_not_grow_with_rows(viewer_client, synced, django_assert_max_num_queries):
    viewer_client.get("/hotlines/")  # warm the per-sync caches (filter choices)
    viewer_client.get("/hotlines/?per_page=25")  # and remember the page size (a write)
    with django_assert_max_num_queries(14) as small:
        viewer_client.get("/hotlines/?page=2")
    viewer_client.get("/hotlines/?per_page=200")
    with django_assert_max_num_queries(14) as large:
        viewer_client.get("/hotlines/?page=1")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_same_url_same_view_for_another_user(client, synced, django_user_model):
    from tests.conftest import make_user

    url = "/hotlines/?status=P&network=viettel&sort=-name&per_page=25&page=2"
    views = []
    for name in ("alice", "bob"):
        client.force_login(make_user(django_user_model, name, "hotlines.view_hotline"))
        views.append(ids_on_page(client.get(url)))
    assert views[0] == views[1] and len(views[0]) > 0


def test_detail_shows_every_field_and_back_link(viewer_client, synced):
    item = synced[5]
    hotline = Hotline.objects.get(etelecom_id=item["id"])
    response = viewer_client.get(f"{hotline.get_absolute_url()}?back=status%3DP%26sort%3D-name")
    assert response.status_code == 200
    for value in (item["hotline"], item["id"], item["owner_id"], item["connection_id"], item["connection_method"]):
        assert value in response.text
    assert 'href="/hotlines/?status=P&amp;sort=-name"' in response.text


def test_detail_back_link_cannot_leave_the_site(viewer_client, synced):
    hotline = Hotline.objects.first()
    response = viewer_client.get(f"{hotline.get_absolute_url()}?back=//evil.example/x")
    assert response.context["back_url"] == "/hotlines/"
    assert 'href="//evil' not in response.text and 'href="http' not in response.text


def test_detail_shows_local_time(viewer_client, synced):
    hotline = Hotline.objects.exclude(created_at=None).first()
    response = viewer_client.get(hotline.get_absolute_url())
    from django.utils import timezone

    local = timezone.localtime(hotline.created_at, timezone.get_default_timezone())
    assert f"{local:%-d %b %Y, %H:%M}" in response.text  # Asia/Ho_Chi_Minh, the one English format (3 Dec 2026, 15:50)
    assert f'datetime="{hotline.created_at:%Y-%m-%dT%H:%M:%S}' in response.text


def test_list_links_to_detail_keeping_the_query(viewer_client, synced):
    response = viewer_client.get("/hotlines/?status=P&sort=name")
    assert "?back=status%3DP%26sort%3Dname" in response.text


def test_unknown_hotline_is_404(viewer_client, db):
    assert viewer_client.get("/hotlines/999999/").status_code == 404
