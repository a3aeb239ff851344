"""The tenant table's own rows (`TenantTable.rows_html`, from plain values): cell for cell the
HTML of the table's `render_*` methods through the generic one-pass path
(`PagedListTable.rows_html`, model instances), whatever the values; and a page's rows read once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.paginator import EmptyPage
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from hotlines.dates import when_html, when_html_maker
from hotlines.models import Tenant
from hotlines.tables.base import CountedPaginator, PagedListTable
from hotlines.tables.tenants import TenantTable
from tests.factories import ConnectionFactory, TenantFactory
from tests.views.header_rows import assert_header_row_is_the_templates

HOSTILE = "<script>alert('x')</script> & \"quoted\""


@pytest.fixture
def odd_tenants(db):
    """Tenants with every kind of value a cell can meet: markup, quotes, empty and long ones."""
    account = ConnectionFactory(name=f"Tài khoản {HOSTILE}")
    stamp = datetime(2026, 12, 31, 17, 30, 5, tzinfo=UTC)  # New Year's Day in Hanoi
    rows = [
        {"name": HOSTILE, "status": "P", "hotline_count": 1234567, "enabled_count": 0, "disabled_count": 1},
        {"name": "", "domain": "chi-domain.vn", "status": "N", "owner_id": "", "created_at": None},
        {"name": "", "domain": "", "etelecom_id": "1100000000007919003", "status": "Z", "is_removed": True},
        {"name": "Công ty Huế", "status": "Q9", "connection_method": "sip<>", "updated_at": stamp},
        {"name": "Ngắn", "status": "", "owner_id": "short", "etelecom_id": "tiny", "created_at": stamp},
        {"name": "Trùng giờ", "status": "P", "created_at": stamp, "updated_at": stamp, "last_changed_at": None},
    ]
    return [TenantFactory(connection=account, **values) for values in rows]


def _table(back: str = "") -> TenantTable:
    return TenantTable(Tenant.objects.select_related("connection").order_by("pk"), back=back)


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "America/New_York"])
@pytest.mark.parametrize("back", ["", "q%3Dhu%E1%BA%BF%26status%3DN"])
def test_rows_are_the_render_methods_cell_for_cell(odd_tenants, language, zone, back):
    with translation.override(language), timezone.override(zone):
        table = _table(back)
        reference = PagedListTable.rows_html(_table(back))
        assert table.rows_html() == reference
    assert HOSTILE not in reference and "&lt;script&gt;" in reference
    assert reference.count("<tr>") == len(odd_tenants)


def test_an_empty_page_says_so(db):
    html = _table().rows_html()
    assert html == PagedListTable.rows_html(_table())
    assert 'class="empty"' in html


def test_a_counted_page_knows_its_length_without_reading_its_rows():
    rows = range(120)  # any sequence: the length comes from the count, as told
    paginator = CountedPaginator(rows, 50, count=120)
    assert [len(paginator.page(number)) for number in (1, 2, 3)] == [50, 50, 20]
    assert len(CountedPaginator(rows, 50, count=120, orphans=20).page(2)) == 70
    assert len(CountedPaginator([], 50, count=0).page(1)) == 0
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_the_tenant_list_reads_its_page_of_tenants_once(viewer_client, odd_tenants):
    url = reverse("hotlines:tenant-list")
    viewer_client.get(url)  # the per-version counts, cached as by any earlier visit
    with CaptureQueriesContext(db_connection) as captured:
        response = viewer_client.get(url, {"per_page": 25})
    assert response.status_code == 200
    reads = [q["sql"] for q in captured if 'FROM "hotlines_tenant"' in q["sql"]]
    page_reads = [sql for sql in reads if "LIMIT" in sql and "ORDER BY" in sql]
    assert len(page_reads) == 1, page_reads
    for tenant in odd_tenants:
        if not tenant.is_removed:
            assert f"/tenants/{tenant.pk}/" in response.text


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC", "America/New_York"])
def test_the_date_maker_writes_what_when_html_writes(language, zone):
    start = datetime(1999, 12, 31, 16, 59, 59, tzinfo=UTC)
    values = [start + timedelta(hours=7 * n, seconds=n) for n in range(300)]
    values += [start, None, "", datetime(2026, 3, 8, 2, 30), date(2026, 2, 29 - 1)]  # repeated, empty, naive, a day
    with translation.override(language), timezone.override(zone):
        make = when_html_maker()
        for value in values:
            assert make(value) == when_html(value), value


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=-hotline_count",
        "sort=name&q=hu%E1%BA%BF&page=3",
        "q=%3Cscript%3E%22%27&status=N&status=P&per_page=25&sort=created_at",
        "page=2&sort=nonsense&back=%26x%3D1",
    ],
)
@pytest.mark.parametrize("language", ["en", "vi"])
def test_header_row_is_what_the_template_writes(odd_tenants, viewer, rf, monkeypatch, query, language):
    from hotlines.tenant_list_page import tenant_list_page

    request = rf.get(f"/tenants/?{query}")
    request.user = viewer
    with translation.override(language):
        table = tenant_list_page(request=request, preference=None).table
        assert_header_row_is_the_templates(table, request, monkeypatch)


def test_one_tables_column_changes_never_reach_the_next_table(odd_tenants):
    """Each table gets its own columns (copied shallow, not deep: `_ColumnsCopiedShallow`)."""
    first = TenantTable(Tenant.objects.all())
    first.columns.hide("domain")
    first.columns["name"].column.verbose_name = "changed"
    second = TenantTable(Tenant.objects.all())
    assert second.columns["domain"].visible and not first.columns["domain"].visible
    assert str(second.columns["name"].header) == "Name"
    assert TenantTable.base_columns["domain"].visible
