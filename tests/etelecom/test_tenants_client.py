"""The client's tenant list over real HTTP against the sandbox: the hotline list's guarantees,
the filter, a refusal told apart from a wrong key, and a hostile upstream."""

import json

import pytest
import requests
import responses

from hotlines.etelecom import exceptions as exc
from hotlines.etelecom.client import EtelecomClient
from hotlines.etelecom.types import Tenant, TenantPage

CANARY = "sk-live-TENANT-5d1e8b7c3a9f2046"


def control(sandbox, **command):
    """Drive the sandbox as a test in another process would: over HTTP."""
    answer = requests.post(sandbox.url + "/_sandbox/control", json=command, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- paging -----------------------------------------------------------------------------------


def test_pages_every_tenant_to_the_end_newest_first(client_factory, sandbox):
    expected = sandbox.dataset.tenants.all()
    assert len(expected) == 11  # 230 hotlines: one tenant per 20
    pages = list(client_factory().iter_tenant_pages(limit=4))
    assert all(isinstance(page, TenantPage) for page in pages)
    assert [page.number for page in pages] == [1, 2, 3]
    assert [len(page.tenants) for page in pages] == [4, 4, 3]
    assert pages[-1].paging.next == ""
    tenants = [tenant for page in pages for tenant in page.tenants]
    assert [t.id for t in tenants] == [item["id"] for item in expected]
    assert [t.created_at for t in tenants] == sorted((t.created_at for t in tenants), reverse=True)
    first = tenants[0]
    assert isinstance(first, Tenant) and first.raw == expected[0]
    assert (first.name, first.domain, first.owner_id) == (
        expected[0]["name"],
        expected[0]["domain"],
        expected[0]["owner_id"],
    )
    assert first.domain.endswith(".pbx.etelecom.vn") and first.created_at.tzinfo is not None


def test_read_ahead_gives_the_same_pages(client_factory, sandbox):
    plain = [t.id for page in client_factory().iter_tenant_pages(limit=3) for t in page.tenants]
    ahead = [t.id for page in client_factory().iter_tenant_pages(limit=3, read_ahead=True) for t in page.tenants]
    assert ahead == plain and len(plain) == 11


def test_one_page_follows_the_cursor_it_is_given(client_factory):
    client = client_factory()
    first = client.get_partner_tenant_list(limit=5)
    second = client.get_partner_tenant_list(limit=5, after=first.paging.next, page=2)
    assert second.number == 2 and len(second.tenants) == 5
    assert not {t.id for t in first.tenants} & {t.id for t in second.tenants}


def test_tenant_and_hotline_pages_are_counted_apart(client_factory, sandbox):
    """A fault on page 2 of the tenant list leaves page 2 of the hotlines alone, and the other way round."""
    sandbox.faults.add("status", list="tenants", page=2, status=400, code="invalid_argument", msg="bad page")
    client = client_factory()
    assert sum(len(p.hotlines) for p in client.iter_hotline_pages(limit=50)) == 230
    with pytest.raises(exc.BadRequest, match=r"^eTelecom rejected the request on tenant page 2 \(400 invalid_argument"):
        list(client.iter_tenant_pages(limit=4))


@pytest.mark.parametrize(
    ("kind", "options", "error", "message"),
    [
        ("repeat_cursor", {"page": 2}, exc.BadPayload, r"same paging cursor twice \(tenant page 2\)"),
        ("empty_with_next", {}, exc.BadPayload, r"3 empty tenant pages in a row .* \(tenant page 3\)"),
        ("oversize", {}, exc.BadPayload, "returned 11 tenants on tenant page 1, far more than the 1 asked for"),
        ("malformed", {}, exc.BadPayload, "malformed JSON on tenant page 1"),
        ("shape", {}, exc.BadPayload, r"unexpected answer on tenant page 1 \(it has no 'tenants' list\)"),
        ("status", {"status": 503, "code": "unavailable", "msg": "later"}, exc.ServerError, "tenant page 1 after 1"),
        ("redirect", {}, exc.BadRequest, r"redirect \(302\) to evil.example on tenant page 1"),
    ],
)
def test_every_guard_of_the_hotline_pages_holds_for_tenants(client_factory, sandbox, kind, options, error, message):
    sandbox.faults.add(kind, list="tenants", **options)
    with pytest.raises(error, match=message):
        list(client_factory(retries=1).iter_tenant_pages(limit=1))
    # The hotlines are untouched by a tenant fault.
    assert len(client_factory().get_partner_hotline_list(limit=5).hotlines) == 5


def test_the_page_cap_holds_for_tenants(client_factory):
    with pytest.raises(exc.BadPayload, match="kept sending tenant pages past the limit of 2 pages"):
        list(client_factory().iter_tenant_pages(limit=2, max_pages=2))


def test_the_byte_budget_holds_for_tenants(client_factory, sandbox):
    sandbox.faults.add("gzip_bomb", list="tenants", size=64 << 20)
    with pytest.raises(exc.BadPayload, match="larger than the 1,058,576 bytes allowed for the tenants asked for"):
        client_factory(answer_bytes_per_hotline=1000).get_partner_tenant_list(limit=10)


# --- the filter -------------------------------------------------------------------------------


def test_the_owner_filter_returns_that_owners_tenants_only(client_factory, sandbox):
    tenants = sandbox.dataset.tenants.all()
    by_owner: dict[str, list[str]] = {}
    for item in tenants:
        by_owner.setdefault(item["owner_id"], []).append(item["id"])
    owner, ids = next((owner, ids) for owner, ids in by_owner.items() if len(ids) == 2)
    pages = list(client_factory().iter_tenant_pages(limit=1, owner_id=owner))
    assert [t.id for page in pages for t in page.tenants] == ids
    assert all(t.owner_id == owner for page in pages for t in page.tenants)
    assert client_factory().get_partner_tenant_list(owner_id="1").tenants == ()


def test_the_name_filter_ignores_case_and_accents(client_factory, sandbox):
    target = sandbox.dataset.tenants.all()[3]
    brand = target["name"].split(" – ")[0].split()[-2:]  # the company's two-word brand, e.g. "Ánh Dương"
    plain = " ".join(brand).upper().replace("Đ", "D")
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    found = client_factory().get_partner_tenant_list(name=plain)
    assert target["id"] in {t.id for t in found.tenants}
    assert all(" ".join(brand) in t.name for t in found.tenants)
    both = client_factory().get_partner_tenant_list(name=plain, owner_id=target["owner_id"])
    assert target["id"] in {t.id for t in both.tenants}
    assert all(t.owner_id == target["owner_id"] for t in both.tenants)


@responses.activate
def test_the_filter_is_sent_only_with_what_is_set_on_every_page():
    bodies = []

    def reply(request):
        bodies.append(json.loads(request.body))
        nxt = "" if bodies[-1]["paging"].get("after") == "c2" else "c2"
        return 200, {}, json.dumps({"tenants": [], "paging": {"next": nxt}})

    url = "https://api.example.vn/v1/GetPartnerTenantList"
    responses.add_callback(responses.POST, url, callback=reply)
    client = EtelecomClient("https://api.example.vn/v1/", "s3cret", retries=0)
    list(client.iter_tenant_pages(limit=7, name="Ánh Dương"))
    assert bodies == [
        {"filter": {"name": "Ánh Dương"}, "paging": {"limit": 7}},
        {"filter": {"name": "Ánh Dương"}, "paging": {"after": "c2", "limit": 7}},
    ]
    bodies.clear()
    client.get_partner_tenant_list(owner_id="42")
    client.get_partner_tenant_list()
    assert bodies == [{"filter": {"owner_id": "42"}, "paging": {}}, {"paging": {}}]


# --- a refused method, a wrong key ------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [({}, 403, "permission_denied"), ({"status": 404}, 404, "bad_route")],
)
def test_a_refused_tenant_list_is_not_available_while_hotlines_still_work(
    client_factory, sandbox, options, status, code
):
    control(sandbox, fault={"kind": "refuse_tenants", **options})
    client = client_factory()
    with pytest.raises(exc.NotAvailable) as info:
        list(client.iter_tenant_pages(limit=50))
    error = info.value
    assert isinstance(error, exc.AuthError) and isinstance(error, exc.PermanentError)
    assert (error.status, error.code) == (status, code)
    assert str(error).startswith(f"eTelecom does not make the tenant list available to this API key ({status} {code})")
    assert sum(len(p.hotlines) for p in client.iter_hotline_pages(limit=50)) == 230


def test_a_wrong_key_is_an_auth_error_not_a_refusal(client_factory, sandbox):
    sandbox.faults.add("refuse_tenants")  # even where the list is refused, 401 names the key
    with pytest.raises(exc.AuthError) as info:
        client_factory(api_key="wrong").get_partner_tenant_list()
    assert not isinstance(info.value, exc.NotAvailable)
    assert info.value.status == 401 and "rejected the API key (401 unauthenticated)" in str(info.value)


@responses.activate
@pytest.mark.parametrize(
    ("status", "code", "refused"),
    [
        (403, "", True),
        (403, "forbidden", True),
        (404, "", True),
        (400, "bad_route", True),
        (400, "permission_denied", True),
        (401, "permission_denied", False),
        (400, "invalid_argument", False),
        (429, "resource_exhausted", False),
    ],
)
def test_which_answers_are_a_refusal_of_the_tenant_list(status, code, refused):
    body = {"code": code, "msg": "no"} if code else {}
    for method in ("GetPartnerTenantList", "GetPartnerHotlineList"):
        responses.add(responses.POST, f"https://x.vn/{method}", status=status, json=body)
    client = EtelecomClient("https://x.vn", "k", retries=0)
    with pytest.raises(exc.EtelecomError) as tenants:
        client.get_partner_tenant_list()
    assert isinstance(tenants.value, exc.NotAvailable) is refused
    with pytest.raises(exc.EtelecomError) as hotlines:
        client.get_partner_hotline_list()
    assert not isinstance(hotlines.value, exc.NotAvailable)  # the hotline list keeps today's mapping
    if refused:
        assert hotlines.value.status == status and type(hotlines.value) in (exc.AuthError, exc.BadRequest)


def test_the_refusal_switch_of_the_server_refuses_whatever_the_faults(client_factory, sandbox, monkeypatch):
    monkeypatch.setattr(sandbox, "refuse_tenants", 404)
    sandbox.faults.clear()
    with pytest.raises(exc.NotAvailable, match=r"\(404 bad_route\)"):
        client_factory().get_partner_tenant_list()
    assert client_factory().get_partner_hotline_list(limit=1).hotlines


# --- a hostile upstream -----------------------------------------------------------------------


def test_html_and_formulas_in_names_are_kept_as_sent(client_factory, sandbox):
    first = sandbox.dataset.tenants.all()[0]["id"]
    name, domain = '<img src=x onerror="alert(1)"> Công ty', "=cmd|' /C calc'!A0"
    control(sandbox, tenant_patch={"id": first, "name": name, "domain": domain})
    tenant = client_factory().get_partner_tenant_list(limit=1).tenants[0]
    assert (tenant.name, tenant.domain) == (name, domain)  # escaping is the pages' and exports' job


def test_a_10_kb_name_is_refused_naming_the_tenant(client_factory, sandbox):
    first = sandbox.dataset.tenants.all()[0]["id"]
    control(sandbox, tenant_patch={"id": first, "name": "Công ty " + "A" * 10_240})
    with pytest.raises(exc.BadPayload) as info:
        client_factory().get_partner_tenant_list(limit=3)
    assert str(info.value) == (
        "eTelecom sent an unexpected answer on tenant page 1 "
        f"(tenant 1 (id {first}): field 'name' is 10,248 characters long)"
    )


def test_unknown_statuses_are_kept_and_missing_fields_are_blank(client_factory, sandbox):
    sandbox.faults.add("unknown_enums", list="tenants")
    tenant = client_factory().get_partner_tenant_list(limit=2).tenants[0]
    assert tenant.status == "X"
    sandbox.faults.clear()
    sandbox.faults.add("nulls", list="tenants")
    tenants = client_factory().get_partner_tenant_list(limit=2).tenants
    for tenant in tenants:  # null on the first, missing on the second
        assert tenant.id and (tenant.name, tenant.domain, tenant.owner_id, tenant.status) == ("", "", "", "")
        assert tenant.created_at is None and tenant.updated_at is None


def test_a_tenant_without_an_id_is_refused(client_factory, sandbox):
    sandbox.faults.add("missing_id", list="tenants")
    with pytest.raises(exc.BadPayload, match=r"on tenant page 1 \(tenant 1: field 'id' is missing\)"):
        client_factory().get_partner_tenant_list()


def test_duplicate_ids_are_passed_through_for_the_sync_to_judge(client_factory, sandbox):
    sandbox.faults.add("duplicate", list="tenants")
    pages = list(client_factory().iter_tenant_pages(limit=4))
    ids = [t.id for page in pages for t in page.tenants]
    assert len(ids) == 13 and len(set(ids)) == 11
    assert pages[1].tenants[0].id == pages[0].tenants[-1].id


def test_deep_nesting_in_a_tenant_is_refused_with_its_place(client_factory, sandbox):
    sandbox.faults.add("deep_nesting", list="tenants", size=5000)
    first = sandbox.dataset.tenants.all()[0]["id"]
    with pytest.raises(exc.BadPayload, match=rf"tenant page 1 \(tenant 1 \(id {first}\): field 'extra' is nested"):
        client_factory().get_partner_tenant_list()


@responses.activate
def test_float_ids_are_refused_and_integer_ids_kept_exact():
    item = {"id": 1160000000000000001, "name": "Công ty", "owner_id": 1100000000007919003}
    responses.add(responses.POST, "https://x.vn/GetPartnerTenantList", json={"tenants": [item], "paging": {}})
    tenant = EtelecomClient("https://x.vn", "k", retries=0).get_partner_tenant_list().tenants[0]
    assert (tenant.id, tenant.owner_id) == ("1160000000000000001", "1100000000007919003")
    responses.replace(
        responses.POST, "https://x.vn/GetPartnerTenantList", json={"tenants": [{**item, "owner_id": 1.1e18}]}
    )
    with pytest.raises(exc.BadPayload, match="field 'owner_id' is a floating-point number"):
        EtelecomClient("https://x.vn", "k", retries=0).get_partner_tenant_list()


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "echo_key"},  # 401 quoting the key
        {"kind": "echo_key", "status": 403, "code": "permission_denied", "msg": "refused"},  # a refusal quoting it
        {"kind": "echo_key", "status": 500, "page": 2},  # on a page fetched ahead
    ],
)
def test_the_key_never_appears_in_a_tenant_error(client_factory, sandbox, secret_canary, monkeypatch, fault):
    key = secret_canary(CANARY)
    monkeypatch.setattr(sandbox, "api_key", key)
    sandbox.faults.add(list="tenants", **fault)
    with pytest.raises(exc.EtelecomError) as info:
        list(client_factory(api_key=key, retries=0).iter_tenant_pages(limit=4, read_ahead=True))
    error = info.value
    for text in (str(error), error.msg, error.code, repr(error.args)):
        assert key not in text and key[:12] not in text and "TENANT-5d1e" not in text, text
    assert "[redacted]" in str(error) + error.msg
