"""The eTelecom client over real HTTP against the sandbox."""

import json
import time

import pytest
import responses

from hotlines.etelecom import exceptions as exc
from hotlines.etelecom.client import EtelecomClient


def test_pages_to_the_end_newest_first(client_factory, sandbox):
    client = client_factory()
    pages = list(client.iter_hotline_pages(limit=50))
    assert [len(p.hotlines) for p in pages] == [50, 50, 50, 50, 30]
    assert pages[-1].paging.next == ""
    ids = [h.id for p in pages for h in p.hotlines]
    assert ids == [item["id"] for item in sandbox.dataset.all()]
    assert len(set(ids)) == 230
    created = [h.created_at for p in pages for h in p.hotlines]
    assert created == sorted(created, reverse=True)


def test_default_page_size_is_about_a_hundred(client_factory):
    page = client_factory().get_partner_hotline_list()
    assert len(page.hotlines) == 100
    assert page.paging.next


def test_ids_stay_exact_strings(client_factory, sandbox):
    first = client_factory().get_partner_hotline_list(limit=1).hotlines[0]
    assert isinstance(first.id, str) and first.id == sandbox.dataset.all()[0]["id"]
    assert first.raw["id"] == first.id


def test_typed_fields(client_factory):
    hotline = client_factory().get_partner_hotline_list(limit=1).hotlines[0]
    assert hotline.created_at.tzinfo is not None
    assert hotline.network in {"viettel", "mobifone", "vinaphone", "other", "unknown"}
    assert hotline.status in {"Z", "P", "N"}
    assert isinstance(hotline.is_free_charge, bool)


def test_bad_key_raises_auth_error_with_code(client_factory):
    with pytest.raises(exc.AuthError) as info:
        client_factory(api_key="wrong").get_partner_hotline_list()
    assert info.value.status == 401
    assert info.value.code == "unauthenticated"
    assert "rejected the API key (401 unauthenticated)" in str(info.value)


def test_retries_503_then_succeeds(client_factory, sandbox):
    sandbox.faults.add("status", status=503, code="unavailable", msg="try later", times=2)
    page = client_factory(retries=3).get_partner_hotline_list(limit=10)
    assert len(page.hotlines) == 10


def test_honours_retry_after_on_429(client_factory, sandbox):
    sandbox.faults.add("status", status=429, code="resource_exhausted", msg="slow down", retry_after="1", times=1)
    started = time.monotonic()
    page = client_factory(retries=2).get_partner_hotline_list(limit=5)
    assert len(page.hotlines) == 5
    assert time.monotonic() - started >= 0.9  # waited as told, not the tiny backoff


def test_persistent_500_raises_server_error(client_factory, sandbox):
    sandbox.faults.add("status", status=500, code="internal", msg="boom")
    with pytest.raises(exc.ServerError) as info:
        client_factory(retries=2).get_partner_hotline_list(page=3)
    assert info.value.code == "internal" and info.value.msg == "boom"
    assert "page 3 after 2 retries" in str(info.value)


def test_malformed_json_raises_bad_payload(client_factory, sandbox):
    sandbox.faults.add("malformed")
    with pytest.raises(exc.BadPayload, match="malformed JSON"):
        client_factory().get_partner_hotline_list()


def test_wrong_shape_raises_bad_payload(client_factory, sandbox):
    sandbox.faults.add("shape")
    with pytest.raises(exc.BadPayload, match="no 'hotlines' list"):
        client_factory().get_partner_hotline_list()


def test_read_timeout_raises_timeout(client_factory, sandbox):
    sandbox.faults.add("delay", seconds=1.0)
    with pytest.raises(exc.Timeout, match="timed out on page 1 after 1 retries"):
        client_factory(timeout=0.3, retries=1).get_partner_hotline_list()


def test_connection_refused_raises_connection_failed():
    client = EtelecomClient("http://127.0.0.1:9", "key", timeout=1, retries=1, backoff_factor=0.01)
    with pytest.raises(exc.ConnectionFailed, match="could not be reached"):
        client.get_partner_hotline_list()
    assert isinstance(exc.ConnectionFailed(), exc.TransientError)


def test_repeating_cursor_is_refused(client_factory, sandbox):
    sandbox.faults.add("repeat_cursor", page=2)
    with pytest.raises(exc.BadPayload, match="same paging cursor twice"):
        list(client_factory().iter_hotline_pages(limit=50))


def test_page_cap(client_factory):
    with pytest.raises(exc.BadPayload, match="limit of 2 pages"):
        list(client_factory().iter_hotline_pages(limit=50, max_pages=2))


def test_oversize_page_is_refused(client_factory, sandbox):
    sandbox.faults.add("oversize")
    with pytest.raises(exc.BadPayload, match="far more than the 5 asked for"):
        client_factory().get_partner_hotline_list(limit=5)


@responses.activate
def test_sends_bearer_and_json_headers_and_cursor():
    calls = []

    def reply(request):
        calls.append(request)
        body = json.loads(request.body)
        nxt = "" if body["paging"].get("after") == "c2" else "c2"
        return 200, {}, json.dumps({"hotlines": [], "paging": {"next": nxt}})

    responses.add_callback(responses.POST, "https://api.example.vn/v1/GetPartnerHotlineList", callback=reply)
    client = EtelecomClient("https://api.example.vn/v1/", "s3cret", retries=0)
    list(client.iter_hotline_pages(limit=7))
    assert len(calls) == 2
    headers = calls[0].headers
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["Content-Type"] == "application/json" and headers["Accept"] == "application/json"
    assert json.loads(calls[0].body) == {"paging": {"limit": 7}}
    assert json.loads(calls[1].body) == {"paging": {"after": "c2", "limit": 7}}


@responses.activate
def test_unknown_error_code_keeps_its_message():
    responses.add(
        responses.POST, "https://x.vn/GetPartnerHotlineList", status=400, json={"code": "weird", "msg": "Sai tham số"}
    )
    with pytest.raises(exc.BadRequest) as info:
        EtelecomClient("https://x.vn", "k", retries=0).get_partner_hotline_list()
    assert info.value.code == "weird" and "Sai tham số" in str(info.value)


@responses.activate
def test_float_ids_are_refused_but_integer_ids_kept_exact():
    item = {"id": 1150000000000000001, "hotline": "19006868"}
    responses.add(responses.POST, "https://x.vn/GetPartnerHotlineList", json={"hotlines": [item], "paging": {}})
    page = EtelecomClient("https://x.vn", "k", retries=0).get_partner_hotline_list()
    assert page.hotlines[0].id == "1150000000000000001"
    responses.replace(
        responses.POST, "https://x.vn/GetPartnerHotlineList", json={"hotlines": [{**item, "id": 1.15e18}]}
    )
    with pytest.raises(exc.BadPayload, match="floating-point"):
        EtelecomClient("https://x.vn", "k", retries=0).get_partner_hotline_list()
