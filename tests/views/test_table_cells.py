"""The list table's own cell rendering (`HotlineTable.rows_html`): the same HTML as Django's and
django-tables2's generic paths would give, only cheaper."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.html import escape

from hotlines import tables
from hotlines.models import Hotline
from hotlines.tables import HotlineTable, _short_datetime, _when


@pytest.fixture
def stamps():
    rng = random.Random(7)
    start = datetime(1999, 12, 31, 16, 59, 59, tzinfo=UTC)  # New Year's Eve in Hanoi: date edges
    return [start] + [start + timedelta(seconds=rng.randint(0, 10**9)) for _ in range(500)]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC", "America/New_York"])
def test_dates_are_what_django_would_write(language, zone, stamps):
    with translation.override(language), timezone.override(zone):
        assert _short_datetime(language) is not None  # the project's formats take the fast path
        for value in stamps:
            local = timezone.localtime(value)
            text = escape(dateformat.format(local, get_format("SHORT_DATETIME_FORMAT")))
            iso = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert _when(value) == f'<time datetime="{iso}">{text}</time>'


def test_a_format_the_fast_path_does_not_know_falls_back_to_django(monkeypatch, stamps):
    _short_datetime.cache_clear()
    monkeypatch.setattr(tables, "get_format", lambda name, lang=None: r"D, N jS \o\f Y, P")
    try:
        with translation.override("en"), timezone.override("UTC"):
            assert _short_datetime("en") is None
            for value in stamps[:50]:
                expected = escape(dateformat.format(timezone.localtime(value), r"D, N jS \o\f Y, P"))
                assert f">{expected}</time>" in _when(value)
    finally:
        _short_datetime.cache_clear()


def test_rows_link_to_each_detail_and_render_each_value(db, connection):
    rows = [
        Hotline(connection=connection, etelecom_id=f"h{n}", hotline=f"09012345{n:02d}", name=f"<b>Tên {n}</b>",
                status=status, network=network, is_free_charge=free, content_hash="x", search_text="")
        for n, (status, network, free) in enumerate(
            [("P", "viettel", True), ("N", "mobifone", False), ("P", "viettel", None), ("X9", "new-net", True)]
        )
    ]  # fmt: skip
    Hotline.objects.bulk_create(rows)
    table = HotlineTable(Hotline.objects.order_by("pk"), back="q%3D1")
    html = table.rows_html()
    for hotline in Hotline.objects.all():
        assert f'<a href="{hotline.get_absolute_url()}?back=q%3D1">{hotline.hotline}</a>' in html
        assert escape(hotline.name) in html and hotline.name not in html
        # A value rendered once and reused gives the same cell as rendering it for this row.
        assert str(table.render_status(value=hotline.status, record=hotline)) in html
        assert str(table.render_network(value=hotline.network, record=hotline)) in html
    assert html.count("badge-enabled") == 2 and html.count(">X9<") == 1 and html.count(">new-net<") == 1
    assert html.count("yes-no-yes") == 2 and html.count("yes-no-no") == 1
