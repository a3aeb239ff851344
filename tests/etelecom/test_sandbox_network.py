"""The sandbox's network switches: a latency per answer, a bandwidth, the largest page it serves;
set in-process, at start (the command) and at run time over HTTP (`/_sandbox/control`)."""

import io
import time

import pytest
import requests
from django.core.management.base import CommandError

from hotlines.etelecom.sandbox import DEFAULT_API_KEY, MAX_LIMIT, Network, SandboxServer
from hotlines.management.commands.etelecom_sandbox import Command

HEADERS = {"Authorization": f"Bearer {DEFAULT_API_KEY}", "Content-Type": "application/json"}


def post(sandbox, body=None, *, path="/GetPartnerHotlineList", headers=HEADERS):
    return requests.post(sandbox.url + path, json=body or {}, headers=headers, timeout=10)


def control(sandbox, **command):
    return requests.post(sandbox.url + "/_sandbox/control", json=command, timeout=10)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# --- the switches themselves ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("switches", "error"),
    [
        ({"latency_ms": -1}, ValueError),
        ({"latency_ms": 60_001}, ValueError),
        ({"bandwidth_kbps": 10**12}, ValueError),
        ({"max_limit": 0}, ValueError),
        ({"latency_ms": "80"}, TypeError),
        ({"latency_ms": 80.5}, TypeError),
        ({"max_limit": True}, TypeError),
        ({"jitter_ms": 5}, ValueError),
    ],
)
def test_a_switch_out_of_range_or_not_a_whole_number_is_refused_and_nothing_changes(switches, error):
    network = Network(latency_ms=10)
    with pytest.raises(error):
        network.configure(**{"bandwidth_kbps": 50, **switches})
    assert (network.latency_ms, network.bandwidth_kbps, network.max_limit) == (10, 0, MAX_LIMIT)  # not even 50


def test_latency_counts_from_the_requests_arrival():
    network = Network(latency_ms=120)
    arrived = time.monotonic()
    time.sleep(0.05)  # the page took this long to build: it is part of the latency
    _, waited = timed(lambda: network.wait_latency(arrived))
    assert 0.05 <= waited < 0.1
    _, waited = timed(lambda: network.wait_latency(arrived - 1))  # already late: no wait
    assert waited < 0.01


def test_bandwidth_paces_the_body_and_sends_it_whole():
    body = bytes(range(256)) * 40  # 10,240 bytes
    out = io.BytesIO()
    _, took = timed(lambda: Network(bandwidth_kbps=400).write(out, body))  # 50,000 bytes a second
    assert out.getvalue() == body
    assert 0.18 <= took < 1.0
    out = io.BytesIO()
    _, took = timed(lambda: Network().write(out, body))
    assert out.getvalue() == body and took < 0.05


# --- over HTTP ----------------------------------------------------------------------------------


def test_every_partner_api_answer_waits_out_the_latency_but_control_does_not(sandbox):
    sandbox.network.configure(latency_ms=200)
    answer, took = timed(lambda: post(sandbox, {"paging": {"limit": 5}}))
    assert answer.status_code == 200 and len(answer.json()["hotlines"]) == 5
    assert took >= 0.2
    refused, took = timed(lambda: post(sandbox, headers={**HEADERS, "Authorization": "Bearer wrong"}))
    assert refused.status_code == 401 and took >= 0.2  # errors travel the same network
    answer, took = timed(lambda: control(sandbox, clear_faults=True))
    assert answer.status_code == 200 and took < 0.2


def test_bandwidth_over_http_trickles_the_same_answer(sandbox):
    plain = post(sandbox, {"paging": {"limit": 50}}).content
    sandbox.network.configure(bandwidth_kbps=len(plain) * 8 // 1000 * 4)  # a quarter of a second's worth
    slow, took = timed(lambda: post(sandbox, {"paging": {"limit": 50}}).content)
    assert slow == plain
    assert took >= 0.2


def test_a_limit_above_the_largest_page_is_cut_to_it_with_a_next_cursor(sandbox):
    sandbox.network.configure(max_limit=40)
    payload = post(sandbox, {"paging": {"limit": 100}}).json()
    assert len(payload["hotlines"]) == 40 and payload["paging"]["next"]
    assert payload["paging"]["limit"] == 40  # what was served
    tenants = post(sandbox, {"paging": {"limit": 100}}, path="/GetPartnerTenantList").json()
    assert len(tenants["tenants"]) == len(sandbox.dataset.tenants.all())  # 11: under the cap
    assert len(post(sandbox, {"paging": {"limit": 30}}).json()["hotlines"]) == 30


def test_control_switches_the_network_at_run_time(sandbox):
    answer = control(sandbox, network={"latency_ms": 150, "bandwidth_kbps": 8_000, "max_limit": 25})
    assert answer.status_code == 200
    assert answer.json()["network"] == {"latency_ms": 150, "bandwidth_kbps": 8_000, "max_limit": 25}
    payload, took = timed(lambda: post(sandbox, {"paging": {"limit": 100}}).json())
    assert len(payload["hotlines"]) == 25 and took >= 0.15
    control(sandbox, network={"latency_ms": 0})  # one switch: the others stay
    assert (sandbox.network.bandwidth_kbps, sandbox.network.max_limit) == (8_000, 25)
    back = control(sandbox, network={}).json()["network"]  # back to loopback
    assert back == {"latency_ms": 0, "bandwidth_kbps": 0, "max_limit": MAX_LIMIT}
    control(sandbox, network={"max_limit": 7})
    assert control(sandbox, reset_network=True).json()["network"]["max_limit"] == MAX_LIMIT


@pytest.mark.parametrize(
    "network",
    [{"latency_ms": -5}, {"latency_ms": "80"}, {"max_limit": 0}, {"bandwidth_kbps": None}, {"nope": 1}, [80], "80"],
)
def test_a_bad_network_command_is_a_400_and_changes_nothing(sandbox, network):
    sandbox.network.configure(latency_ms=0, max_limit=30)
    answer = control(sandbox, network=network)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_argument"
    assert (sandbox.network.latency_ms, sandbox.network.max_limit) == (0, 30)


def test_a_server_started_with_a_network():
    server = SandboxServer(hotlines=30, latency_ms=100, max_limit=20).start()
    try:
        answer, took = timed(lambda: post(server, {"paging": {"limit": 50}}))
        assert len(answer.json()["hotlines"]) == 20 and took >= 0.1
    finally:
        server.stop()


def test_the_command_takes_the_network_switches():
    parser = Command().create_parser("manage.py", "etelecom_sandbox")
    options = parser.parse_args(["--latency-ms", "80", "--bandwidth-kbps", "2000", "--max-limit", "500"])
    assert (options.latency_ms, options.bandwidth_kbps, options.max_limit) == (80, 2000, 500)
    defaults = parser.parse_args([])
    assert (defaults.latency_ms, defaults.bandwidth_kbps, defaults.max_limit) == (0, 0, MAX_LIMIT)
    for bad in (["--latency-ms", "-1"], ["--max-limit", "0"], ["--bandwidth-kbps", "fast"]):
        with pytest.raises(CommandError):
            parser.parse_args(bad)
