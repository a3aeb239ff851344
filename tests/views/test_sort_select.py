"""The list's order as a select, for phones, whose cards hide the header row that sorts: every
column that sorts, both ways, after the default order; the order in use selected, even when its
column is hidden; part of the list's GET form, so it travels with the filters."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from hotlines.listing import list_request
from hotlines.tables.base import sort_choices
from tests.factories import ConnectionFactory, TenantFactory

pytestmark = pytest.mark.django_db


def sort_select(text: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the page's Sort select."""
    select = re.search(r'<select name="sort" id="id_sort">(.*?)</select>', text, re.S)
    assert select, "no sort select"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
    ]


def test_the_hotline_list_offers_every_shown_column_that_sorts_both_ways(viewer_client):
    choices = sort_select(viewer_client.get(reverse("hotlines:list")).text)
    assert choices[0] == ("", "Newest first (default)", True)
    assert choices[1:5] == [
        ("hotline", "Hotline (ascending)", False),
        ("-hotline", "Hotline (descending)", False),
        ("name", "Name (ascending)", False),
        ("-name", "Name (descending)", False),
    ]
    values = [value for value, _, _ in choices]
    assert "tenant" not in values and "-tenant" not in values  # that column does not sort
    assert len(values) == len(set(values))
    assert sum(selected for _, _, selected in choices) == 1


@pytest.mark.parametrize(
    ("query", "selected"), [("sort=-name", "-name"), ("sort=network&status=P", "network"), ("sort=nonsense", "")]
)
def test_the_order_in_use_is_selected(viewer_client, query, selected):
    choices = sort_select(viewer_client.get(reverse("hotlines:list") + "?" + query).text)
    assert [value for value, _, chosen in choices if chosen] == [selected]


def test_a_sort_by_a_hidden_column_is_offered_so_the_select_shows_it():
    listed = list_request(QueryDict("sort=-network"), columns=["hotline", "name"])
    table = listed.table()
    choices = sort_choices(table, listed.sort)
    assert [value for value, _, _ in choices] == ["", "hotline", "-hotline", "name", "-name", "network", "-network"]
    assert ("-network", "Network (descending)", True) in choices


def test_the_htmx_answer_and_the_tenant_list_carry_it(viewer_client):
    answer = viewer_client.get(
        reverse("hotlines:list"), {"q": "", "sort": "-created_at"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert ("-created_at", "Created (descending)", True) in sort_select(answer.text)
    TenantFactory.create_batch(3, connection=ConnectionFactory())
    tenants = sort_select(viewer_client.get(reverse("hotlines:tenant-list") + "?sort=-name").text)
    assert tenants[0] == ("", "Newest first (default)", False)
    assert ("-name", "Name (descending)", True) in tenants


def test_in_vietnamese():
    listed = list_request(QueryDict("sort=-name"))
    with translation.override("vi"):
        choices = sort_choices(listed.table(), listed.sort)
    assert choices[0] == ("", "Mới nhất trước (mặc định)", False)
    assert all("(tăng dần)" in label for value, label, _ in choices[1:] if not value.startswith("-"))
    assert all("(giảm dần)" in label for value, label, _ in choices[1:] if value.startswith("-"))
