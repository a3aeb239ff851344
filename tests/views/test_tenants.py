"""The Tenants page: what a person sees, finds, filters, sorts and pages; its cost per page."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotlines.choices import SyncStatus, TenantSyncState
from hotlines.models import SyncRun, Tenant
from hotlines.tables.tenants import COLUMN_FIELDS
from tests.conftest import make_user
from tests.factories import ConnectionFactory, TenantFactory

LIST = reverse("hotlines:tenant-list")


@pytest.fixture
def account(db):
    return ConnectionFactory(name="Đối tác chính")


@pytest.fixture
def tenants(account):
    """Four live tenants (one of an unknown status) and a removed one."""
    return {
        "abc": TenantFactory(connection=account, name="Công ty ABC", domain="abc.example.vn", status="P",
                             hotline_count=3, enabled_count=2, disabled_count=1),
        "xyz": TenantFactory(connection=account, name="Tổng đài XYZ", domain="xyz.pbx.vn", status="N", hotline_count=1),
        "new": TenantFactory(connection=account, name="Beta", domain="beta.vn", status="Z"),
        "odd": TenantFactory(connection=account, name="Lạ", domain="la.vn", status="Q"),
        "gone": TenantFactory(connection=account, name="Đã xoá", domain="gone.vn", status="P", is_removed=True,
                              removed_at=timezone.now()),
    }  # fmt: skip


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


def test_sign_in_required(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_browsing_permission_required(client, django_user_model, tenants):
    client.force_login(make_user(django_user_model, "nobody"))
    assert client.get(LIST).status_code == 403
    assert client.get(tenants["abc"].get_absolute_url()).status_code == 403


def test_the_list_shows_live_tenants_with_their_hotline_counts(viewer_client, tenants):
    response = viewer_client.get(LIST)
    assert response.status_code == 200
    assert "4 tenants match" in response.text
    assert set(names(response)) == {"Công ty ABC", "Tổng đài XYZ", "Beta", "Lạ"}
    row = next(r for r in response.context["table"].paginated_rows if r.record.name == "Công ty ABC")
    assert row.record.hotline_count == 3
    html = response.text
    assert f'href="{tenants["abc"].get_absolute_url()}' in html  # the name links to the detail
    assert "abc.example.vn" in html
    assert "Đã xoá" not in html


def test_every_registry_column_is_a_header(viewer_client, tenants):
    response = viewer_client.get(LIST)
    headers = [str(column.header) for column in response.context["table"].columns]
    assert headers == [
        "Name", "Domain", "Owner ID", "Status", "Hotlines", "Enabled hotlines", "eTelecom account",
        "Connection method", "Tenant ID", "Created", "Updated", "Disabled hotlines", "Last changed",
    ]  # fmt: skip


def test_removed_tenants_on_request(viewer_client, tenants):
    included = viewer_client.get(LIST, {"include_removed": "on"})
    assert "Đã xoá" in names(included)
    assert 'badge-removed">removed' in included.text
    only = viewer_client.get(LIST, {"include_removed": "only"})
    assert names(only) == ["Đã xoá"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("cong ty", {"Công ty ABC"}),  # without accents
        ("CÔNG TY abc", {"Công ty ABC"}),  # case and accents
        ("tong dai", {"Tổng đài XYZ"}),
        ("pbx.vn", {"Tổng đài XYZ"}),  # the domain
        ("abc.example", {"Công ty ABC"}),
        ("vn", {"Công ty ABC", "Tổng đài XYZ", "Beta", "Lạ"}),
        ("xoa", set()),  # removed: hidden
        ("nothing-like-it", set()),
    ],
)
def test_quick_search_on_name_or_domain(viewer_client, tenants, typed, found):
    response = viewer_client.get(LIST, {"q": typed})
    assert set(names(response)) == found
    assert response.context["table"].paginator.count == len(found)


def test_status_filter_with_counts_under_the_other_filters(viewer_client, tenants):
    response = viewer_client.get(LIST, {"status": ["P", "N"]})
    assert set(names(response)) == {"Công ty ABC", "Tổng đài XYZ"}
    [status] = [group for group in response.context["facet_groups"] if group["name"] == "status"]
    counts = {choice["value"]: choice["count"] for choice in status["choices"]}
    assert counts == {"Z": 1, "P": 1, "N": 1, "Q": 1}  # the unknown status is offered as received
    assert [c["checked"] for c in status["choices"] if c["value"] in ("P", "N")] == [True, True]
    searched = viewer_client.get(LIST, {"q": "cong"})
    [status] = [group for group in searched.context["facet_groups"] if group["name"] == "status"]
    assert {c["value"]: c["count"] for c in status["choices"]} == {"Z": 0, "P": 1, "N": 0, "Q": 0}


def test_the_account_filter_only_with_several_accounts(viewer_client, tenants):
    assert [g["name"] for g in viewer_client.get(LIST).context["facet_groups"]] == ["status"]
    other = ConnectionFactory(name="Second")
    TenantFactory(connection=other, name="Khác")
    response = viewer_client.get(LIST, {"connection": other.pk})
    assert [g["name"] for g in response.context["facet_groups"]] == ["status", "connection"]
    assert names(response) == ["Khác"]
    assert "eTelecom account:</span> Second" in response.text  # its chip


@pytest.mark.parametrize("column", list(COLUMN_FIELDS))
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_with_a_stable_tie_breaker(viewer_client, account, column, descending):
    for i in range(12):  # few distinct values per column: the tie-breaker decides
        TenantFactory(connection=account, name=f"T {i % 3}", domain=f"d{i % 4}.vn", status="PNZ"[i % 3],
                      hotline_count=i % 2, enabled_count=i % 3, disabled_count=i % 4)  # fmt: skip
    sort = ("-" if descending else "") + column
    response = viewer_client.get(LIST, {"sort": sort, "per_page": 25})
    assert response.status_code == 200
    assert response.context["notes"] == []
    path = COLUMN_FIELDS[column]
    sign = "-" if descending else ""  # the tie-breaker follows the column's direction
    expected = list(
        Tenant.objects.filter(is_removed=False).order_by(sign + path, sign + "id").values_list("pk", flat=True)
    )
    assert [row.record.pk for row in response.context["table"].paginated_rows] == expected


def test_an_unknown_sort_is_ignored_with_a_note(viewer_client, tenants):
    response = viewer_client.get(LIST, {"sort": "raw", "bogus": "1"})
    assert response.status_code == 200
    assert "cannot be sorted by “raw”" in response.text
    assert "Ignored unknown parameters: bogus" in response.text


def test_paging_and_page_size(viewer_client, account):
    TenantFactory.create_batch(60, connection=account)
    first = viewer_client.get(LIST, {"per_page": 25})
    assert len(names(first)) == 25
    last = viewer_client.get(LIST, {"per_page": 25, "page": 3})
    assert len(names(last)) == 10
    beyond = viewer_client.get(LIST, {"per_page": 25, "page": 99})
    assert "Page 99 does not exist" in beyond.text
    odd = viewer_client.get(LIST, {"per_page": 7})
    assert len(names(odd)) == 25 and "Rows per page must be one of" in odd.text


def _queries(client, **query) -> int:
    with CaptureQueriesContext(db_connection) as captured:
        assert client.get(LIST, query).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, account, django_assert_max_num_queries):
    ConnectionFactory(name="Second")  # the account facet and column shown, read too
    TenantFactory.create_batch(3, connection=account)
    viewer_client.get(LIST)  # warms the per-version caches, as any earlier visit would
    few = _queries(viewer_client, per_page=200)
    TenantFactory.create_batch(150, connection=account)
    viewer_client.get(LIST)
    many = _queries(viewer_client, per_page=200)
    assert few == many
    with django_assert_max_num_queries(10):
        viewer_client.get(LIST, {"q": "cong", "status": "P", "sort": "-hotline_count", "per_page": 200})


def test_htmx_swaps_the_results_and_pushes_the_address(viewer_client, tenants):
    response = viewer_client.get(
        LIST, {"q": "cong", "status": "P"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.templates[0].name == "hotlines/tenants/results.html"
    assert response["HX-Push-Url"] == f"{LIST}?q=cong&status=P"
    assert "HX-Target" in response["Vary"]
    assert 'hx-swap-oob="true"' in response.text  # the facet counts follow
    form = viewer_client.get(LIST, headers={"HX-Request": "true", "HX-Target": "filter-form"})
    assert form.templates[0].name == "hotlines/tenants/list_form.html"


def test_empty_until_a_sync_reads_tenants(viewer_client, account):
    response = viewer_client.get(LIST)
    assert "No tenants yet: tenants are read by every sync." in response.text


def test_empty_because_etelecom_refuses_the_tenant_list(viewer_client, account):
    SyncRun.objects.create(connection=account, status=SyncStatus.SUCCEEDED, finished_at=timezone.now(),
                           tenants=TenantSyncState.UNAVAILABLE)  # fmt: skip
    response = viewer_client.get(LIST)
    assert "eTelecom does not make tenants available to this key." in response.text
    # A second account that does read tenants: the refusal is not everyone's.
    second = ConnectionFactory()
    SyncRun.objects.create(connection=second, status=SyncStatus.SUCCEEDED, finished_at=timezone.now(),
                           tenants=TenantSyncState.SYNCED)  # fmt: skip
    assert "No tenants yet" in viewer_client.get(LIST).text


def test_tenants_is_in_the_navigation_beside_hotlines(viewer_client, tenants):
    html = viewer_client.get(reverse("hotlines:list")).text
    assert html.index(">Hotlines</a>") < html.index(">Tenants</a>")
    assert 'aria-current="page">Tenants' in viewer_client.get(LIST).text
