"""The hotline's tenants in every export format: names and domains joined in CSV and Excel (made
safe in CSV like every cell, exact in Excel), a `tenants` array in JSON; an account's tenants read
once per export (per chunk of rows for an account with very many tenants)."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from hotlines.models import Hotline
from hotlines.services.exports import streaming, tenant_values
from tests.factories import DEMO_OWNER_IDS, ConnectionFactory, HotlineFactory, TenantFactory

from .conftest import LIST, TENANT_FORMULA, TENANT_HTML, TENANT_LONG, body, read_csv, read_json, read_xlsx

pytestmark = pytest.mark.django_db
QUERY = {"_columns": "all", "sort": "hotline"}


def by_number(rows: list[list], header: list[str]) -> dict[str, dict[str, str]]:
    return {row[header.index("Hotline")]: dict(zip(header, row, strict=True)) for row in rows}


def owned(owner: str) -> list[str]:
    return list(Hotline.objects.filter(is_removed=False, owner_id=owner).values_list("hotline", flat=True))


def test_csv_and_excel_join_several_tenants_and_neutralise_formulas_only_in_csv(exporter_client, hostile_synced):
    # Another eTelecom account's tenant with one of these owner IDs: not these hotlines' tenant.
    TenantFactory(connection=ConnectionFactory(), owner_id=DEMO_OWNER_IDS[3], name="Công ty khác tài khoản")
    csv_rows = read_csv(body(exporter_client.get(LIST, {**QUERY, "_export": "csv"})))
    [(_, xlsx_rows)] = read_xlsx(body(exporter_client.get(LIST, {**QUERY, "_export": "xlsx"})))
    csv_cells, xlsx_cells = by_number(csv_rows[1:], csv_rows[0]), by_number(xlsx_rows[1:], xlsx_rows[0])
    two = owned(DEMO_OWNER_IDS[0])[0]
    # Named in order: "<script>…" sorts before "=cmd…"; the cell does not start with "=".
    assert csv_cells[two]["Tenant name"] == f"{TENANT_HTML}; {TENANT_FORMULA}"
    assert csv_cells[two]["Tenant domain"] == "<i>abc</i>.vn; =1+1.example.vn"
    assert xlsx_cells[two]["Tenant name"] == f"{TENANT_HTML}; {TENANT_FORMULA}"
    long = owned(DEMO_OWNER_IDS[1])[0]
    assert csv_cells[long]["Tenant name"] == xlsx_cells[long]["Tenant name"] == TENANT_LONG
    for owner in (DEMO_OWNER_IDS[2], DEMO_OWNER_IDS[3], DEMO_OWNER_IDS[4]):  # removed tenant, other account's, none
        number = owned(owner)[0]
        assert csv_cells[number]["Tenant name"] == "" and xlsx_cells[number]["Tenant name"] in ("", None)


def test_a_formula_first_tenant_is_neutralised_in_csv_and_exact_in_excel(exporter_client, hostile_synced):
    Hotline.objects.filter(owner_id=DEMO_OWNER_IDS[0]).update(owner_id=DEMO_OWNER_IDS[5])
    TenantFactory(connection=hostile_synced, owner_id=DEMO_OWNER_IDS[5], name="=HYPERLINK(1)", domain="+84.vn")
    number = owned(DEMO_OWNER_IDS[5])[0]
    csv_rows = read_csv(body(exporter_client.get(LIST, {**QUERY, "_export": "csv"})))
    [(_, xlsx_rows)] = read_xlsx(body(exporter_client.get(LIST, {**QUERY, "_export": "xlsx"})))
    assert by_number(csv_rows[1:], csv_rows[0])[number]["Tenant name"] == "'=HYPERLINK(1)"
    assert by_number(csv_rows[1:], csv_rows[0])[number]["Tenant domain"] == "'+84.vn"
    assert by_number(xlsx_rows[1:], xlsx_rows[0])[number]["Tenant name"] == "=HYPERLINK(1)"


def test_json_holds_each_hotlines_tenants_as_an_array_with_string_ids(exporter_client, hostile_synced):
    objects = {item["hotline"]: item for item in read_json(body(exporter_client.get(LIST, {"_export": "json"})))}
    two = objects[owned(DEMO_OWNER_IDS[0])[0]]["tenants"]
    assert [tenant["name"] for tenant in two] == [TENANT_HTML, TENANT_FORMULA]
    assert all(list(tenant) == ["id", "name", "domain"] and isinstance(tenant["id"], str) for tenant in two)
    assert all(len(tenant["id"]) >= 16 for tenant in two)  # eTelecom's 64-bit ID, as its digits
    assert objects[owned(DEMO_OWNER_IDS[1])[0]]["tenants"][0]["name"] == TENANT_LONG
    assert objects[owned(DEMO_OWNER_IDS[3])[0]]["tenants"] == []


def tenant_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "hotlines_tenant"' in q["sql"]]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_accounts_tenants_are_read_once_whatever_the_chunks(exporter_client, hostile_synced, monkeypatch, fmt):
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 50)
    with CaptureQueriesContext(db_connection) as queries:
        data = body(exporter_client.get(LIST, {**QUERY, "_export": fmt}))
    assert Hotline.objects.filter(is_removed=False).count() > 4 * 50
    assert len(tenant_reads(queries)) == 2  # how many tenants the account has, then all of them
    assert len(data) > 1000


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_account_with_very_many_tenants_gets_the_same_file_without_reading_them_whole(
    exporter_client, hostile_synced, monkeypatch, fmt
):
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 50)
    whole = body(exporter_client.get(LIST, {**QUERY, "_export": fmt}))
    monkeypatch.setattr(tenant_values, "PRELOAD_MAX_TENANTS", 1)  # fewer than the account has
    with CaptureQueriesContext(db_connection) as queries:
        large = body(exporter_client.get(LIST, {**QUERY, "_export": fmt}))
    rows = Hotline.objects.filter(is_removed=False).count()
    if db_connection.vendor == "postgresql":
        # Each row brings its owner's tenants, from the export's own query: no other read of
        # tenants but the check of how many the account has.
        exported = [sql for sql in (q["sql"] for q in queries.captured_queries) if "export_owner_tenants" in sql]
        assert len(exported) == 1 and "hotlines_tenant t" in exported[0]
        assert len(tenant_reads(queries)) == 1
    else:
        assert len(tenant_reads(queries)) == 1 + -(-rows // 50)  # the count, then once per chunk of 50 rows
    if fmt == "xlsx":
        assert read_xlsx(large) == read_xlsx(whole)
    else:
        assert large == whole


@pytest.mark.parametrize("preload_max", [tenant_values.PRELOAD_MAX_TENANTS, 1], ids=["read whole", "very many"])
def test_each_account_in_one_export_has_its_own_tenants(exporter_client, hostile_synced, monkeypatch, preload_max):
    """Two accounts with the same owner ID: each hotline is named after its own account's tenant,
    whichever account the export meets first and in whichever chunk, however the tenants are read."""
    monkeypatch.setattr(streaming, "ITERATOR_CHUNK", 7)
    monkeypatch.setattr(tenant_values, "PRELOAD_MAX_TENANTS", preload_max)
    other = ConnectionFactory()
    TenantFactory(connection=other, owner_id=DEMO_OWNER_IDS[0], name="Công ty tài khoản hai")
    theirs = HotlineFactory(connection=other, owner_id=DEMO_OWNER_IDS[0], hotline="19009999")
    csv_rows = read_csv(body(exporter_client.get(LIST, {**QUERY, "_export": "csv"})))
    cells = by_number(csv_rows[1:], csv_rows[0])
    assert cells[theirs.hotline]["Tenant name"] == "Công ty tài khoản hai"
    ours = Hotline.objects.filter(connection=hostile_synced, owner_id=DEMO_OWNER_IDS[0], is_removed=False).first()
    assert cells[ours.hotline]["Tenant name"] == f"{TENANT_HTML}; {TENANT_FORMULA}"
