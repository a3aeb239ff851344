"""The eTelecom client over real HTTP against the sandbox."""

import json
import ssl
import time

import pytest
import requests
import responses
from urllib3.exceptions import ProtocolError

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


def test_tls_failure_raises_tls_error_a_permanent_one(sandbox):
    client = EtelecomClient(sandbox.url.replace("http://", "https://"), "key", timeout=2, retries=0)
    with pytest.raises(exc.TlsError, match="TLS handshake with eTelecom failed on page 1") as info:
        client.get_partner_hotline_list()  # TLS spoken to a plain HTTP server
    # A certificate or a base URL has to be fixed by a person: trying again later will not help.
    assert isinstance(info.value, exc.PermanentError) and not isinstance(info.value, exc.TransientError)
    assert not isinstance(info.value.__cause__, exc.EtelecomError)  # the transport's error, kept as the cause


def test_tls_failure_mid_answer_raises_tls_error():
    """ssl's error while the body is read reaches the client wrapped (urllib3, OSError): still TlsError."""

    class Raw:
        def read1(self, *args, **kwargs):
            try:
                raise ssl.SSLError("decryption failed or bad record mac")
            except ssl.SSLError as e:
                raise ProtocolError("Connection broken", e) from e

    response = requests.Response()
    response.raw, response.status_code = Raw(), 200
    client = EtelecomClient("https://etelecom.test", "key", retries=0)
    with pytest.raises(exc.TlsError, match="eTelecom closed the connection on page 1"):
        client._read(response, max_bytes=1024, deadline=time.monotonic() + 5, where=" on page 1")


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


# --- a hostile upstream ---------------------------------------------------------------------------

CANARY = "sk-live-ECHO-7f3a9c2e1b5d4086"


def test_an_echoed_key_is_scrubbed_from_the_message_msg_and_code(client_factory, sandbox, secret_canary):
    key = secret_canary(CANARY)
    sandbox.faults.add("echo_key")  # 401 quoting the Authorization header, the key and its URL encoding
    with pytest.raises(exc.AuthError) as info:
        client_factory(api_key=key).get_partner_hotline_list()
    error = info.value
    for text in (str(error), error.msg, error.code, repr(error.args)):
        assert key not in text and key[:12] not in text
    assert "Bearer [redacted]" in error.msg and "api_key=[redacted]" in error.msg
    assert error.status == 401 and error.code.startswith("unauthenticated")


def test_echoed_keys_are_scrubbed_on_every_path_of_the_sync_iterator(
    client_factory, sandbox, secret_canary, monkeypatch
):
    key = secret_canary(CANARY)
    monkeypatch.setattr(sandbox, "api_key", key)  # page 1 succeeds, page 2 (fetched ahead) echoes
    sandbox.faults.add("echo_key", page=2, status=500, code="internal", msg="upstream failed")
    with pytest.raises(exc.ServerError) as info:
        list(client_factory(api_key=key).iter_hotline_pages(limit=50, read_ahead=True))
    assert key not in str(info.value) and key not in info.value.msg and "[redacted]" in str(info.value)


@responses.activate
@pytest.mark.parametrize(
    "echo",
    [
        f"token {CANARY} is not valid",  # as sent
        "token sk-live-ECHO%2D7f3a9c2e1b5d4086 is not valid".replace("%2D", "-").replace("sk-live", "sk%2Dlive"),
        f"Authorization: Bearer {CANARY[:-3]}",  # a Bearer token, even cut short
        f"authorization={CANARY[4:]}",  # an Authorization value without the scheme
        f"...{CANARY[5:19]}... (cut)",  # a long enough piece of it
        f"{'x' * 290} {CANARY}",  # where eTelecom's msg is cut at 300 characters
    ],
)
def test_partial_and_encoded_echoes_are_scrubbed(echo, secret_canary):
    key = secret_canary(CANARY)
    responses.add(responses.POST, "https://x.vn/GetPartnerHotlineList", status=400, json={"code": "bad", "msg": echo})
    with pytest.raises(exc.BadRequest) as info:
        EtelecomClient("https://x.vn", key, retries=0).get_partner_hotline_list()
    for text in (str(info.value), info.value.msg):
        assert "ECHO-7f3a" not in text and "9c2e1b5d" not in text, text


def test_a_short_key_does_not_blank_ordinary_words(client_factory, sandbox):
    with pytest.raises(exc.AuthError, match=r"rejected the API key \(401 unauthenticated\): invalid token$"):
        client_factory(api_key="key").get_partner_hotline_list()


def test_a_gzip_bomb_is_refused_at_the_byte_cap(client_factory, sandbox):
    sandbox.faults.add("gzip_bomb", size=256 << 20)
    client = client_factory(answer_bytes_per_hotline=1000)
    started = time.monotonic()
    with pytest.raises(exc.BadPayload, match=r"answer on page 1 is larger than the 1,058,576 bytes allowed"):
        client.get_partner_hotline_list(limit=10)
    assert time.monotonic() - started < 2  # stopped reading, did not inflate 256 MB


def test_the_byte_cap_follows_the_page_size(client_factory, sandbox):
    sandbox.faults.add("gzip_bomb", size=1_500_000)  # valid JSON: no hotline, 1.5 MB of padding
    client = client_factory(answer_bytes_per_hotline=1000)
    assert client.get_partner_hotline_list(limit=1000).hotlines == ()  # within 1,000 x 1,000 B + 1 MiB
    with pytest.raises(exc.BadPayload, match="larger than the 1,058,576 bytes allowed"):
        client.get_partner_hotline_list(limit=10)


def test_a_trickling_answer_ends_at_the_call_deadline(client_factory, sandbox):
    sandbox.faults.add("trickle", seconds=0.05)  # every byte well within the 5 s read timeout
    started = time.monotonic()
    with pytest.raises(exc.Timeout, match=r"did not finish answering on page 1 within 0\.5 seconds"):
        client_factory(deadline=0.5).get_partner_hotline_list(limit=5)
    assert time.monotonic() - started < 1.0
    assert isinstance(exc.Timeout(), exc.TransientError)  # a sync may try again later


def test_closing_the_client_from_another_thread_ends_a_read_in_progress(client_factory, sandbox):
    import threading

    sandbox.faults.add("trickle", seconds=0.05)
    client = client_factory(deadline=30)
    threading.Timer(0.3, client.close).start()
    started = time.monotonic()
    with pytest.raises(exc.ConnectionFailed, match="client was closed"):
        client.get_partner_hotline_list(limit=5)
    assert time.monotonic() - started < 1.5


def test_a_redirect_is_not_followed(client_factory, sandbox):
    sandbox.faults.add("redirect", page=1, times=1, location=sandbox.url + "/GetPartnerHotlineList")
    before = sandbox.requests
    with pytest.raises(exc.BadRequest) as info:
        client_factory().get_partner_hotline_list()
    assert str(info.value) == (
        "eTelecom answered with a redirect (302) to 127.0.0.1 on page 1; the dashboard does not follow redirects"
    )
    assert sandbox.requests - before == 1 and info.value.status == 302


def test_a_redirect_names_the_host_it_points_to(client_factory, sandbox):
    sandbox.faults.add("redirect")
    with pytest.raises(exc.BadRequest, match=r"redirect \(302\) to evil.example on page 1"):
        client_factory().get_partner_hotline_list()


def test_a_lone_surrogate_is_replaced_not_fatal(client_factory, sandbox):
    sandbox.faults.add("lone_surrogate")
    hotline = client_factory().get_partner_hotline_list(limit=5).hotlines[0]
    assert hotline.name == "Tổng đài \ufffd lỗi" and hotline.raw["name"] == hotline.name
    json.dumps(hotline.raw, ensure_ascii=False).encode()  # storable: no UnicodeEncodeError


@responses.activate
def test_invalid_utf8_is_replaced_not_fatal():
    body = b'{"hotlines": [{"id": "1", "hotline": "1900", "name": "T\xed\xa0\x80 \xff"}], "paging": {}}'
    responses.add(responses.POST, "https://x.vn/GetPartnerHotlineList", body=body)
    hotline = EtelecomClient("https://x.vn", "k", retries=0).get_partner_hotline_list().hotlines[0]
    assert hotline.name.startswith("T\ufffd") and hotline.name.endswith("\ufffd")
    hotline.name.encode()


def test_deep_nesting_in_a_hotline_is_refused_with_its_place(client_factory, sandbox):
    sandbox.faults.add("deep_nesting", size=5000)
    first = sandbox.dataset.all()[0]["id"]
    with pytest.raises(exc.BadPayload) as info:
        client_factory().get_partner_hotline_list(limit=5)
    assert str(info.value) == (
        f"eTelecom sent an unexpected answer on page 1 (hotline 1 (id {first}): "
        "field 'extra' is nested more than 16 levels deep)"
    )


def test_json_too_deep_for_the_decoder_is_a_bad_payload(client_factory, sandbox):
    sandbox.faults.add("deep_nesting", size=200_000)
    with pytest.raises(exc.BadPayload, match="JSON nested too deeply to read on page 1; it does not look like"):
        client_factory().get_partner_hotline_list(limit=5)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("out_of_range_id", str(2**63), "hotline 1: field 'id' is beyond the 64-bit range, got '9223372036854775808'"),
        ("out_of_range_id", "١٢٣", "hotline 1: field 'id' should be an ID made of the digits 0-9, got '١٢٣'"),
        ("out_of_range_date", "0001-01-01T00:00:00+14:00", "field 'created_at' is outside the years 1970-2100"),
    ],
)
def test_out_of_range_values_name_the_page_hotline_and_field(client_factory, sandbox, kind, value, message):
    sandbox.faults.add(kind, page=2, value=value)
    with pytest.raises(exc.BadPayload, match=r"^eTelecom sent an unexpected answer on page 2 \(") as info:
        list(client_factory().iter_hotline_pages(limit=50))
    assert message in str(info.value)


def test_hostile_faults_can_be_switched_on_over_http(client_factory, sandbox):
    import requests

    control = requests.post(sandbox.url + "/_sandbox/control", json={"fault": {"kind": "redirect", "times": 1}})
    assert control.status_code == 200
    with pytest.raises(exc.BadRequest, match="redirect"):
        client_factory().get_partner_hotline_list()
    assert len(client_factory().get_partner_hotline_list(limit=3).hotlines) == 3
