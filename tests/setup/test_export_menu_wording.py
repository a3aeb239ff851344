"""The export menu, the README and the code agree on what JSON holds: the Partner API's fields,
whichever columns are shown or chosen (the column choice is for CSV and Excel)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from hotlines.services.exports.columns import ALL_COLUMNS, API_COLUMNS
from hotlines.services.sync import hotlines_sync

from ..conftest import make_user

ROOT = Path(__file__).resolve().parents[2]
API_NAMES = [column.api_name for column in API_COLUMNS]


@pytest.fixture
def exporter_client(client, django_user_model, connection, sandbox):
    sandbox.dataset.reset(size=3, seed=7)
    hotlines_sync(connection=connection)
    client.force_login(make_user(django_user_model, "exp", "hotlines.view_hotline", "hotlines.export_hotline"))
    return client


@pytest.mark.django_db
def test_json_holds_the_api_fields_whichever_columns_are_chosen(exporter_client):
    url = reverse("hotlines:list")
    for columns in ("visible", "all"):
        response = exporter_client.get(url, {"_export": "json", "_columns": columns})
        objects = json.loads(b"".join(response.streaming_content))
        assert [list(item) for item in objects] == [[*API_NAMES, "tenants"]] * 3
    assert len(ALL_COLUMNS) > len(API_COLUMNS)  # "All fields" is more than JSON holds

    menu = exporter_client.get(url).content.decode()
    assert "Columns of the CSV and Excel files" in menu
    note = re.search(r'<p class="export-note muted">(.*?)</p>', menu).group(1)
    assert note == (
        "JSON always holds the fields of the eTelecom API, named as there, and the hotline’s tenants, "
        "whichever columns are chosen."
    )


def test_the_readme_says_the_same():
    readme = (ROOT / "README.md").read_text()
    bullet = re.search(r"^- \*\*JSON\*\* (.*?)\n(?=- )", readme, re.M | re.S).group(1)
    assert re.findall(r"`(\w+)`", bullet.split("named as in the Partner API", 1)[1])[: len(API_NAMES)] == API_NAMES
    assert "always the Partner API's fields, whichever columns the list shows or\n  `_columns` asks for" in bullet
    assert "`tenants`" in bullet  # the JSON's own array of the hotline's tenants
    own = [str(column.header) for column in ALL_COLUMNS if not column.api_name]
    assert all(f"*{label}*" in bullet for label in own)  # and says which are CSV and Excel only
