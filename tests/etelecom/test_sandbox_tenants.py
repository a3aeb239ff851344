"""The sandbox's GetPartnerTenantList and its controls, spoken to as raw HTTP (as the client
would, and as tests in another process drive it)."""

import unicodedata

import pytest
import requests
from django.core.management.base import CommandError

from hotlines.etelecom.sandbox import DEFAULT_API_KEY, MAX_LIMIT, Fault
from hotlines.management.commands.etelecom_sandbox import Command

HEADERS = {"Authorization": f"Bearer {DEFAULT_API_KEY}", "Content-Type": "application/json"}


def post(sandbox, body=None, *, path="/GetPartnerTenantList", headers=HEADERS):
    return requests.post(sandbox.url + path, json=body or {}, headers=headers, timeout=10)


def control(sandbox, **command):
    return requests.post(sandbox.url + "/_sandbox/control", json=command, timeout=10)


def test_answers_tenants_with_the_apis_shape(sandbox):
    answer = post(sandbox)
    assert answer.status_code == 200
    payload = answer.json()
    assert set(payload) == {"tenants", "paging"} and payload["paging"]["next"] == ""
    assert [item["id"] for item in payload["tenants"]] == [item["id"] for item in sandbox.dataset.tenants.all()]


def test_paging_default_and_cap(sandbox):
    assert control(sandbox, reset={"tenants": 2_500}).json()["tenants"] == 2_500
    assert len(post(sandbox).json()["tenants"]) == 100
    assert len(post(sandbox, {"paging": {"limit": 5000}}).json()["tenants"]) == MAX_LIMIT
    assert post(sandbox, {"paging": {"limit": -1}}).json()["code"] == "invalid_argument"


def test_a_reset_without_tenants_returns_to_the_started_count(sandbox):
    control(sandbox, reset={"tenants": 3})
    assert len(sandbox.dataset.tenants.all()) == 3
    control(sandbox, reset={"size": 400})
    assert sandbox.dataset.tenant_count == 20  # one per 20 hotlines again


def test_same_key_and_content_type_rules_as_the_hotlines(sandbox):
    wrong = post(sandbox, headers={**HEADERS, "Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthenticated")
    text = requests.post(sandbox.url + "/GetPartnerTenantList", data="{}", headers={**HEADERS, "Content-Type": ""})
    assert (text.status_code, text.json()["code"]) == (400, "bad_route")


@pytest.mark.parametrize("value", [[], "Ánh", {"name": ["x"]}, {"owner_id": True}])
def test_a_filter_that_is_not_one_is_an_invalid_argument(sandbox, value):
    answer = post(sandbox, {"filter": value})
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_argument")


def plain(text: str) -> str:
    """`text` as someone without a Vietnamese keyboard types it."""
    text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


def test_the_filter_matches_name_parts_without_accents_and_exact_owners(sandbox):
    items = sandbox.dataset.tenants.all()
    name = items[2]["name"]
    brand = " ".join(name.split(" – ")[0].split()[-2:])  # e.g. "Ánh Dương"
    assert plain(brand) != brand.lower()  # the test needs accents to fold
    found = post(sandbox, {"filter": {"name": plain(brand).upper()}}).json()["tenants"]
    assert [item["id"] for item in found] == [item["id"] for item in items if brand in item["name"]]
    assert items[2]["id"] in {item["id"] for item in found}
    exact = post(sandbox, {"filter": {"name": name.upper()}}).json()["tenants"]
    assert [item["id"] for item in exact] == [item["id"] for item in items if item["name"] == name]
    owner = items[0]["owner_id"]
    by_owner = post(sandbox, {"filter": {"owner_id": owner}}).json()["tenants"]
    assert [item["id"] for item in by_owner] == [item["id"] for item in items if item["owner_id"] == owner]
    assert post(sandbox, {"filter": {"owner_id": owner[:-1]}}).json()["tenants"] == []  # exact, not a prefix
    assert post(sandbox, {"filter": {"name": "không có công ty này"}}).json()["tenants"] == []


def test_the_hotline_list_takes_no_filter(sandbox):
    answer = post(sandbox, {"filter": {"owner_id": "1"}, "paging": {"limit": 5}}, path="/GetPartnerHotlineList")
    assert len(answer.json()["hotlines"]) == 5


def test_tenant_control_commands(sandbox):
    items = sandbox.dataset.tenants.all()
    gone, renamed = items[0]["id"], items[1]["id"]
    new = {"id": "1169999999999999999", "name": "Công ty Mới", "domain": "moi-hn.pbx.etelecom.vn", "status": "Z"}
    answer = control(sandbox, tenant_remove=gone, tenant_patch={"id": renamed, "name": "Đổi tên"}, tenant_add=new)
    assert answer.json() == {"ok": True, "size": 230, "tenants": 12}
    served = post(sandbox).json()["tenants"]
    assert served[0] == new and gone not in {item["id"] for item in served}
    assert next(item for item in served if item["id"] == renamed)["name"] == "Đổi tên"
    assert len(post(sandbox, path="/GetPartnerHotlineList", body={"paging": {"limit": 1000}}).json()["hotlines"]) == 230
    control(sandbox, tenant_restore=gone)
    assert gone in {item["id"] for item in post(sandbox).json()["tenants"]}


def test_faults_stay_on_their_list(sandbox):
    assert control(sandbox, fault={"kind": "status", "status": 500}).status_code == 200  # hotlines by default
    assert post(sandbox).status_code == 200
    assert post(sandbox, path="/GetPartnerHotlineList").status_code == 500
    control(sandbox, clear_faults=True, fault={"kind": "status", "status": 503, "list": "tenants", "page": 2})
    first = post(sandbox, {"paging": {"limit": 4}}).json()
    assert post(sandbox, path="/GetPartnerHotlineList", body={"paging": {"limit": 4}}).status_code == 200
    assert post(sandbox, {"paging": {"limit": 4, "after": first["paging"]["next"]}}).status_code == 503


def test_refusals(sandbox):
    control(sandbox, fault={"kind": "refuse_tenants"})
    assert (post(sandbox).status_code, post(sandbox).json()["code"]) == (403, "permission_denied")
    assert post(sandbox, path="/GetPartnerHotlineList").status_code == 200
    control(sandbox, clear_faults=True, fault={"kind": "refuse_tenants", "status": 404})
    answer = post(sandbox)
    assert (answer.status_code, answer.json()["code"]) == (404, "bad_route")
    assert "GetPartnerTenantList" in answer.json()["msg"]


@pytest.mark.parametrize("fault", [{"kind": "status", "list": "calls"}, {"kind": "sleep"}])
def test_an_unknown_fault_or_list_is_refused(sandbox, fault):
    answer = control(sandbox, fault=fault)
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_argument")
    with pytest.raises(ValueError, match="unknown"):
        Fault.make(**fault)


def test_the_command_takes_tenants_and_a_refusal():
    parser = Command().create_parser("manage.py", "etelecom_sandbox")
    options = parser.parse_args(["--hotlines", "100", "--tenants", "7", "--refuse-tenants"])
    assert (options.hotlines, options.tenants, options.refuse_tenants) == (100, 7, 403)
    assert parser.parse_args(["--refuse-tenants", "404"]).refuse_tenants == 404
    assert parser.parse_args([]).refuse_tenants == 0 and parser.parse_args([]).tenants is None
    with pytest.raises(CommandError, match="invalid choice: 500"):
        parser.parse_args(["--refuse-tenants", "500"])
