"""An export holds what the list shows for the same query: every page, in the same order; and its
file name says what it holds."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from hotlines.models import Connection
from hotlines.services.exports import export_filename, export_params

from .conftest import LIST, body, read_json

pytestmark = pytest.mark.django_db

LIST_QUERIES = [
    {},
    {"status": ["P", "N"], "sort": "-name"},
    {"network": "viettel", "sort": "hotline"},
    {"q": "tổng đài", "sort": "-updated_at"},
    {"q": "0912"},
    {"free": "no", "method": "trunk", "sort": "owner_id"},
    {"include_removed": "on", "sort": "-etelecom_id"},
    {"created_after": "2026-10-01", "sort": "created_at"},
    {"sort": "no-such-column"},
    {"status": "not-a-status", "network": "viettel"},
]


def list_ids(client, query: dict) -> list[str]:
    """Every page of the list, as a person would page through it."""
    ids, page = [], 1
    while True:
        response = client.get(LIST, {**query, "per_page": 200, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        ids += [row.record.etelecom_id for row in table.paginated_rows]
        if not table.page.has_next():
            return ids
        page += 1


@pytest.mark.parametrize("query", LIST_QUERIES, ids=lambda query: urlencode(query, doseq=True) or "all")
def test_export_holds_every_page_of_the_list_in_its_order(exporter_client, hostile_synced, query):
    shown = list_ids(exporter_client, query)
    exported = [item["id"] for item in read_json(body(exporter_client.get(LIST, {**query, "_export": "json"})))]
    assert exported == shown


def test_the_list_query_is_recorded_without_paging_or_export_parameters():
    query = QueryDict("status=P&status=N&q=t%E1%BB%95ng&sort=-name&page=3&per_page=100&_export=csv&_columns=all&x=")
    assert export_params(query) == {"status": ["P", "N"], "q": ["tổng"], "sort": ["-name"]}


def test_file_name_says_what_it_holds(connection):
    at = timezone.make_aware(timezone.datetime(2026, 3, 4, 5, 6))
    name = export_filename(params={"status": ["P", "N"], "q": ["Tổng Đài"], "sort": ["-name"]}, extension="csv", at=at)
    assert name == "hotlines-default-q-tong-dai_status-p-n-20260304-0506.csv"
    assert export_filename(params={}, extension="xlsx", at=at) == "hotlines-default-all-20260304-0506.xlsx"


def test_file_name_is_ascii_and_bounded_whatever_the_query(connection):
    Connection.objects.create(name="Chi nhánh Đà Nẵng " * 5, base_url="http://x.example", api_key="k")
    params = {"q": ["../../etc/passwd\r\n" + "đ" * 500], "connection": [str(connection.pk)], "network": ["a/b"]}
    name = export_filename(params=params, extension="json")
    assert re.fullmatch(r"hotlines-[a-z0-9_-]+-\d{8}-\d{4}\.json", name), name
    assert len(name) <= 130
    assert "-default-" in name
    many = export_filename(params={}, extension="csv")
    assert "-all-connections-" in many
