"""The list table's own cell rendering (`HotlineTable.rows_html`): the same HTML as Django's and
django-tables2's generic paths would give, only cheaper; numbers grouped the Vietnamese way yet
plain digits in the text, long IDs short on screen, names clamped to two lines."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.html import escape

from hotlines import dates, normalize
from hotlines.columns import DEFAULT_COLUMNS
from hotlines.dates import _datetime_format as _short_datetime
from hotlines.dates import when_html as _when
from hotlines.models import Hotline
from hotlines.normalize import number_digits, number_groups
from hotlines.process_memo import ProcessMemo
from hotlines.services.sync import hotlines_sync
from hotlines.tables import HotlineTable, long_id_html, number_html


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
    monkeypatch.setattr(dates, "get_format", lambda name, lang=None: r"D, N jS \o\f Y, P")
    try:
        with translation.override("en"), timezone.override("UTC"):
            assert _short_datetime("en") is None
            for value in stamps[:50]:
                expected = escape(dateformat.format(timezone.localtime(value), r"D, N jS \o\f Y, P"))
                assert f">{expected}</time>" in _when(value)
    finally:
        _short_datetime.cache_clear()


@pytest.mark.parametrize("fmt", ["d/m/y G:i:s", "j.n.Y {H}i <M> & s"])
def test_every_character_the_fast_path_writes_is_what_django_would_write(monkeypatch, stamps, fmt):
    """Each format character the compiled format knows, and literal braces (which `str.format`
    would otherwise read as fields) and characters to escape, in a table's cells and alone."""
    _short_datetime.cache_clear()
    monkeypatch.setattr(dates, "get_format", lambda name, lang=None: fmt)
    try:
        with translation.override("vi"), timezone.override("Asia/Ho_Chi_Minh"):
            assert _short_datetime("vi") is not None
            cells = dates.when_html_maker()
            for value in stamps:
                expected = escape(dateformat.format(timezone.localtime(value), fmt))
                iso = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                assert _when(value) == cells(value) == f'<time datetime="{iso}">{expected}</time>'
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
        assert f'<a href="{hotline.get_absolute_url()}?back=q%3D1">{number_html(hotline.hotline)}</a>' in html
        assert escape(hotline.name) in html and hotline.name not in html
        # A value rendered once and reused gives the same cell as rendering it for this row.
        assert str(table.render_status(value=hotline.status, record=hotline)) in html
        assert str(table.render_network(value=hotline.network, record=hotline)) in html
    assert html.count("badge-enabled") == 2 and html.count(">X9<") == 1 and html.count(">new-net<") == 1
    assert html.count("yes-no-yes") == 2 and html.count("yes-no-no") == 1


def text_of(html: str) -> str:
    """What a person who selects the HTML and copies it gets (the tags' text, entities decoded)."""
    return re.sub(r"<[^>]*>", "", str(html)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def a_cell(html: str, css: str) -> str:
    return re.search(rf'<td class="{css}"[^>]*>(.*?)</td>', html).group(1)


@pytest.mark.parametrize(
    ("number", "groups"),
    [
        ("0901234567", ("0901", "234", "567")),  # mobile: 4-3-3
        ("0869123456", ("0869", "123", "456")),
        ("19006868", ("1900", "6868")),  # service numbers: the prefix, then the rest
        ("18001234", ("1800", "1234")),
        ("1900123456", ("1900", "123", "456")),  # phonenumbers writes '1900 123456'
        ("1800123456", ("1800", "123", "456")),
        ("02438251234", ("024", "3825", "1234")),  # Hà Nội landline, as phonenumbers writes it
        ("02838221234", ("028", "3822", "1234")),
        ("02363123456", ("0236", "3123", "456")),  # a four-digit area code
        ("0281234567", ("0281", "234", "567")),  # phonenumbers would drop the 0: 4-3-3 instead
        ("113", ("113",)),  # short codes, partial and odd values: one group, as stored
        ("190012", ("190012",)),
        ("+84901234567", ("+84901234567",)),
        ("0901 234 567", ("0901 234 567",)),
        ("٠٩٠١٢٣٤٥٦٧", ("٠٩٠١٢٣٤٥٦٧",)),  # not ASCII digits
        ("9" * 40, ("9" * 40,)),
        ("", ("",)),
    ],
)
def test_numbers_are_grouped_the_vietnamese_way(number, groups):
    assert number_groups(number) == groups
    # What the page shows, typed back into the search, is the number again.
    if number.isascii() and number.isdigit():
        assert number_digits(" ".join(groups)) == number


def _random_numbers(rng: random.Random, count: int) -> list[str]:
    """Digit runs of every length 1-15, most starting as Vietnamese numbers do (0, 1, 2, 84, 00)."""
    heads = ["0", "02", "03", "09", "08", "01", "1", "18", "19", "12", "16", "84", "840", "00", "2", "6", "7", "9"]
    out = []
    for _ in range(count):
        head = rng.choice(heads) if rng.random() < 0.8 else ""
        length = rng.randint(max(1, len(head)), 15)
        out.append(head + "".join(rng.choice("0123456789") for _ in range(length - len(head))))
    return out


def test_numbers_of_one_shape_are_grouped_as_phonenumbers_groups_each_of_them():
    """Grouping asks phonenumbers once per shape (first digits and length): every number must get
    what phonenumbers gives it, the first of its shape and the ones after it alike."""
    rng = random.Random(18)
    normalize._shapes.clear()
    number_groups.cache_clear()
    # Every four-digit head at the usual lengths, then random runs of every length.
    numbers = [f"{head:04d}{rng.randrange(10**9):09d}"[:length] for head in range(10_000) for length in (8, 10, 11)]
    numbers += _random_numbers(rng, 20_000)
    # Two numbers of each shape one after the other, the second one served from the shape.
    for number in numbers:
        twin = number[: normalize.SHAPE_HEAD] + "".join(
            rng.choice("0123456789") for _ in range(len(number) - normalize.SHAPE_HEAD)
        )
        for each in (number, twin):
            got = number_groups(each)
            assert "".join(got) == each
            if not (each.startswith(normalize._SERVICE_PREFIXES) and len(each) in (8, 10)):  # grouped by hand
                assert got == normalize._groups_by_phonenumbers(each), each
    assert 0 < len(normalize._shapes) <= normalize.MAX_SHAPES


def test_the_remembered_shapes_stay_bounded(monkeypatch):
    monkeypatch.setattr(normalize, "_shapes", ProcessMemo(50))
    number_groups.cache_clear()
    for number in _random_numbers(random.Random(3), 2_000):
        number_groups(number)
        assert len(normalize._shapes) <= 50


def test_a_number_is_drawn_in_groups_but_its_text_is_the_plain_digits():
    html = number_html("0901234567")
    assert html == '<span class="digits"><span>0901</span><span>234</span><span>567</span></span>'
    assert text_of(html) == "0901234567"  # no space in the text: selecting and copying gives digits
    assert number_html("113") == "113"
    assert number_html('<b x="1">09</b>') == "&lt;b x=&quot;1&quot;&gt;09&lt;/b&gt;"  # one escaped group


def test_long_ids_are_short_on_screen_and_whole_in_the_text():
    owner = "1100000000015838006"
    html = long_id_html(owner)
    assert f'title="{owner}"' in html and text_of(html) == owner and " " not in text_of(html)
    assert '<span class="long-id-head">11000000000</span><span>15838006</span>' in html
    assert long_id_html("123456") == "123456"
    assert long_id_html('"><svg onload=x>' * 2).count("<svg") == 0


def test_the_row_cells_show_numbers_grouped_names_clamped_and_ids_short(db, connection):
    name = "Tổng đài chăm sóc khách hàng <Công ty> Cổ phần Thương mại và Dịch vụ Kỹ thuật Hòa Phát"
    Hotline.objects.bulk_create(
        [Hotline(connection=connection, etelecom_id="1150000000000001702", hotline="02438251234", name=name,
                 owner_id="1100000000015838006", status="P", network="viettel", content_hash="x", search_text="")]
    )  # fmt: skip
    table = HotlineTable(Hotline.objects.all(), columns=[*DEFAULT_COLUMNS, "owner_id", "etelecom_id"])
    html = table.rows_html()
    number = re.search(r"<a [^>]*>(.*?)</a>", html).group(1)
    assert number == '<span class="digits"><span>024</span><span>3825</span><span>1234</span></span>'
    assert text_of(a_cell(html, "col-wide")) == name
    assert f'<span class="clamp-2" title="{escape(name)}">{escape(name)}</span>' in html
    ids = re.findall(r'<td class="mono col-id"[^>]*>(.*?)</td>', html)
    assert [text_of(cell) for cell in ids] == ["1100000000015838006", "1150000000000001702"]
    assert all('class="long-id"' in cell for cell in ids)


@pytest.mark.django_db(transaction=True)
def test_the_detail_page_shows_the_number_grouped_and_copies_its_digits(viewer_client, connection, sandbox):
    assert hotlines_sync(connection=connection).error == ""
    hotline = Hotline.objects.filter(hotline__regex=r"^09[0-9]{8}$").order_by("pk").first()
    text = viewer_client.get(hotline.get_absolute_url()).text
    heading = re.search(r'<span class="mono" id="hotline-number">(.*?)</span>\s*<button', text).group(1)
    assert heading == number_html(hotline.hotline) and text_of(heading) == hotline.hotline
    assert f'data-copy="{hotline.hotline}"' in text  # the copy button: plain digits


@pytest.mark.django_db(transaction=True)
def test_a_number_typed_as_the_table_shows_it_finds_it(viewer_client, connection, sandbox):
    assert hotlines_sync(connection=connection).error == ""
    numbers = Hotline.objects.values_list("hotline", flat=True)
    kinds = {
        "mobile": next(n for n in numbers if re.fullmatch(r"0[3-9][0-9]{8}", n)),
        "service": next(n for n in numbers if n.startswith("1900") and len(n) == 8),
        "service, 10 digits": next(n for n in numbers if n.startswith(("1800", "1900")) and len(n) == 10),
        "landline": next(n for n in numbers if n.startswith("02")),
    }
    for kind, number in kinds.items():
        shown = " ".join(number_groups(number))
        assert " " in shown, kind
        response = viewer_client.get("/hotlines/", {"q": shown})
        assert [row.record.hotline for row in response.context["table"].paginated_rows] == [number], kind


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("columns", [None, "all", ["connection", "tenant_name", "last_changed_at", "is_free_charge"]])
def test_plain_rows_render_the_page_the_models_render(db, connection, language, columns):
    """`hotline_rows` reads a page's rows as plain values: every column's cells are what model
    instances give, with odd values (no name, None, removed rows, huge IDs, an unknown status)."""
    from hotlines.columns import COLUMN_FIELDS
    from hotlines.selectors import hotline_list, hotline_rows
    from hotlines.selectors.hotlines import HotlineRow
    from hotlines.selectors.tenancy import owner_key

    shown = list(COLUMN_FIELDS) if columns == "all" else columns
    now = timezone.now()
    Hotline.objects.bulk_create(
        [
            Hotline(connection=connection, etelecom_id=f"{10**18 + n}", hotline=number, name=name, status=status,
                    network=network, is_free_charge=free, owner_id=owner, is_removed=n % 3 == 0,
                    description="x" * (50 * n), content_hash="x", search_text="",
                    last_changed_at=None if n % 2 else now - timedelta(days=n), connection_method="SIP" if n else "")
            for n, (number, name, status, network, free, owner) in enumerate(
                [("0901234567", "<b>Tên</b>", "P", "viettel", True, "1100000000015838006"),
                 ("19006868", "", "N", "mobifone", None, ""), ("113", "Ả" * 300, "X9", "", False, "7"),
                 ("02438251234", "Hòa Phát & Co", "Z", "vinaphone", True, "1100000000015838006")]
            )
        ]
    )  # fmt: skip
    from hotlines.columns import columns_fields, columns_resolve

    queryset = hotline_list(include_removed=True, fields=columns_fields(columns_resolve(shown))).order_by("-pk")
    rows = hotline_rows(queryset)
    assert rows and all(isinstance(row, HotlineRow) for row in rows)
    with translation.override(language), timezone.override("Asia/Ho_Chi_Minh"):
        plain = HotlineTable(queryset, columns=shown, back="q%3D1")
        plain.paginate(per_page=50, page=1)
        models = HotlineTable(queryset, columns=shown, back="q%3D1")
        models.paginate(per_page=50, page=1)
        models.page.object_list.data._result_cache = list(queryset)  # as models (the page's own read)
        assert plain.page_records()[0].__class__ is HotlineRow
        assert plain.rows_html() == models.rows_html()
    visible = columns_resolve(shown)
    labels = [name for name in ("status_label", "network_label") if name.removesuffix("_label") in visible]
    for row, model in zip(rows, queryset, strict=True):
        assert row.pk == model.pk and owner_key(row) == owner_key(model) and row.is_removed == model.is_removed
        assert [getattr(row, name) for name in labels] == [getattr(model, name) for name in labels]


def test_rows_of_a_queryset_not_limited_to_some_fields_are_its_models(db, connection):
    from hotlines.selectors import hotline_rows

    Hotline.objects.create(connection=connection, etelecom_id="1", hotline="0901234567", content_hash="x")
    assert [type(row) for row in hotline_rows(Hotline.objects.all())] == [Hotline]


def test_detail_links_escape_the_list_query_and_the_sites_prefix(connection):
    """The link's site part and list query are escaped once a page, not once a row: still escaped,
    whatever they hold (a prefix from the proxy's SCRIPT_NAME, a query from the address bar)."""
    from django.urls import set_script_prefix

    Hotline.objects.create(connection=connection, etelecom_id="e1", hotline="0901234567", content_hash="x")
    hotline = Hotline.objects.get()
    set_script_prefix("/a&b'c/")
    try:
        url = hotline.get_absolute_url()
        html = HotlineTable(Hotline.objects.all(), back='q=1&x="<y>').rows_html()
    finally:
        set_script_prefix("/")
    assert url == f"/a&b'c/hotlines/{hotline.pk}/"
    assert f'<a href="/a&amp;b&#x27;c/hotlines/{hotline.pk}/?back=q=1&amp;x=&quot;&lt;y&gt;">' in html
