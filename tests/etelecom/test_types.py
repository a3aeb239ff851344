"""Validation of eTelecom payloads at the boundary: every field checked, every refusal placed."""

from datetime import UTC

import pytest

from hotlines.etelecom.exceptions import BadPayload
from hotlines.etelecom.types import TENANTS, Hotline, HotlinePage, Paging, RawHotlinePage, RawPage, Tenant, TenantPage

GOOD = {"id": "1150000000000000001", "hotline": "19006868", "created_at": "2024-03-01T08:00:00Z"}


def parse(**fields):
    return Hotline.from_payload({**GOOD, **fields}, where="hotline 3")


@pytest.mark.parametrize("value", ["0", "42", str(2**63 - 1), 9007199254740993])
def test_ids_within_int64_are_kept_exactly(value):
    assert parse(id=value).id == str(value)
    assert parse(owner_id=value, connection_id=value).owner_id == str(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (str(2**63), "is beyond the 64-bit range"),
        ("99999999999999999999", "should be an ID made of the digits 0-9"),
        (2**64, "should be an ID made of the digits 0-9"),
        ("١٢٣", "should be an ID made of the digits 0-9"),  # Arabic-Indic digits
        ("²", "should be an ID made of the digits 0-9"),
        ("１２３", "should be an ID made of the digits 0-9"),  # full-width
        ("-1", "should be an ID made of the digits 0-9"),
        ("12a", "should be an ID made of the digits 0-9"),
    ],
)
@pytest.mark.parametrize("field", ["id", "owner_id", "connection_id"])
def test_ids_outside_ascii_digits_or_int64_are_refused_with_the_field(field, value, reason):
    with pytest.raises(BadPayload, match=f"^hotline 3.*: field '{field}' {reason}"):
        parse(**{field: value})


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",  # overflows when converted to UTC
        "9999-12-31T23:59:59-14:00",
        "1900-01-01T00:00:00Z",
        "2101-01-01T00:00:00Z",
    ],
)
def test_dates_outside_a_sane_range_are_refused(value):
    with pytest.raises(BadPayload, match=r"^hotline 3 \(id 1150000000000000001\): field 'updated_at' is outside"):
        parse(updated_at=value)


def test_dates_at_the_edges_of_the_range_are_kept():
    assert parse(created_at="1970-01-01T00:00:00Z").created_at.year == 1970
    assert parse(created_at="2100-12-31T23:59:59+00:00").created_at.year == 2100


@pytest.mark.parametrize(
    ("value", "utc"),
    [
        ("2024-03-01T08:00:00Z", "2024-03-01 08:00:00+00:00"),
        ("2024-03-01T08:00:00z", "2024-03-01 08:00:00+00:00"),
        ("2024-03-01T15:00:00+07:00", "2024-03-01 08:00:00+00:00"),
        ("1971-01-01T00:30:00+01:00", "1970-12-31 23:30:00+00:00"),
        ("2099-12-31T23:00:00-02:00", "2100-01-01 01:00:00+00:00"),
    ],
)
def test_dates_near_the_edges_of_the_common_case_are_read_exactly(value, utc):
    # Most dates take a short path (a zone, a year well inside the range); these sit at its edges.
    assert str(parse(updated_at=value).updated_at.astimezone(UTC)) == utc


@pytest.mark.parametrize("value", ["1970-01-01T00:30:00+01:00", "2100-12-31T23:00:00-02:00"])
def test_a_year_inside_the_range_but_outside_it_in_utc_is_refused(value):
    with pytest.raises(BadPayload, match="field 'updated_at' is outside the years 1970-2100"):
        parse(updated_at=value)


@pytest.mark.parametrize(("value", "reason"), [("2024-03-01T08:00:00", "has no time zone"), ("2024-13-01Z", "is not")])
def test_dates_without_a_zone_or_not_dates_are_refused(value, reason):
    with pytest.raises(BadPayload, match=f"field 'updated_at' {reason}"):
        parse(updated_at=value)


def test_text_and_ids_off_the_common_case_are_cleaned_as_always():
    hotline = parse(id=" 42 ", owner_id="4\x002", name="a\x00b", hotline=" 19006868 ")
    assert (hotline.id, hotline.owner_id, hotline.name) == ("42", "42", "ab")
    assert hotline.hotline == "19006868"
    with pytest.raises(BadPayload, match="field 'hotline' is missing"):
        parse(hotline="   ")
    with pytest.raises(BadPayload, match="field 'name' is 501 characters long"):
        parse(name="x" * 501)


def test_nesting_is_bounded_and_named():
    shallow = {"a": [{"b": [1, 2]}]}
    assert parse(extra=shallow).raw["extra"] == shallow
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(BadPayload, match="field 'extra' is nested more than 16 levels deep"):
        parse(extra=deep)


def test_paging_keeps_the_cursor_and_refuses_one_that_is_not_text():
    assert Paging.from_payload({"next": "c2", "prev": "c0", "limit": 100}) == Paging(next="c2")
    assert Paging.from_payload(None) == Paging.from_payload({}) == Paging(next="")
    for paging in ({"next": 5}, {"next": "c2", "prev": ["c0"]}):
        with pytest.raises(BadPayload, match=r"'paging\.next' should be text"):
            Paging.from_payload(paging)
    with pytest.raises(BadPayload, match="'paging' is not an object"):
        Paging.from_payload([])


# --- tenants ------------------------------------------------------------------------------------

TENANT = {"id": "1160000000000000001", "name": "Công ty CP Ánh Dương – Đà Nẵng", "owner_id": "1100000000007919003"}


def test_a_tenant_keeps_its_fields_and_raw_payload():
    tenant = Tenant.from_payload({**TENANT, "status": "Q", "domain": " anhduong-dn.pbx.etelecom.vn "})
    assert (tenant.id, tenant.owner_id, tenant.status) == ("1160000000000000001", "1100000000007919003", "Q")
    assert tenant.domain == " anhduong-dn.pbx.etelecom.vn "  # text people wrote is kept as sent
    assert tenant.raw["name"] == tenant.name


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": None}, r"^tenant 2: field 'id' is missing"),
        ({"owner_id": "12a"}, r"^tenant 2 \(id 1160000000000000001\): field 'owner_id' should be an ID"),
        ({"name": "x" * 501}, "field 'name' is 501 characters long"),
        ({"domain": {"a": 1}}, "field 'domain' should be text, got dict"),
        ({"created_at": "yesterday"}, "field 'created_at' is not a date-time"),
    ],
)
def test_a_tenant_field_that_is_not_the_apis_is_refused_with_its_place(fields, reason):
    with pytest.raises(BadPayload, match=reason):
        Tenant.from_payload({**TENANT, **fields}, where="tenant 2")


def test_a_raw_page_of_tenants_checks_its_own_key():
    page = RawPage.from_payload({"tenants": [TENANT], "paging": {"next": "c2"}}, number=4, listing=TENANTS).parse()
    assert isinstance(page, TenantPage) and page.number == 4 and page.paging.next == "c2"
    assert page.tenants[0].name == TENANT["name"]
    with pytest.raises(BadPayload, match="it has no 'tenants' list"):
        RawPage.from_payload({"hotlines": []}, number=1, listing=TENANTS)
    with pytest.raises(BadPayload, match=r"^tenant 1 is not an object"):
        RawPage.from_payload({"tenants": ["x"]}, number=1, listing=TENANTS).parse()
    # The hotline list's envelope, under the name its callers know, is unchanged.
    assert RawHotlinePage.from_payload({"hotlines": None}, number=1).parse() == HotlinePage(1, (), Paging(""))
