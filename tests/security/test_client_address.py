"""The client's address behind a proxy: what django-axes locks and the audit log records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from hotlines.client_address import client_ip
from hotlines.models import AuditAction, AuditEntry

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that came through our proxy
GOOD_PASSWORD = "pw-viewer-Long-enough-1"


def _request(forwarded: str | None = None, remote: str = PROXY):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def _sign_in(client, password: str, forwarded: str):
    return client.post(
        LOGIN, {"username": "viewer", "password": password}, REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": forwarded}
    )


# --- the one function -------------------------------------------------------------------------------


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_the_header_is_ignored():
    assert client_ip(_request("203.0.113.7", remote="198.51.100.9")) == "198.51.100.9"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),  # what our proxy saw
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry, then our proxy's: the latter
        ("6.6.6.6,1.1.1.1 ,  203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),  # a proxy that appends the port
        ("[2001:DB8::1]:443", "2001:db8::1"),  # canonical form: one lock per address
        ("2001:db8:0:0::1", "2001:db8::1"),
        ("6.6.6.6, not-an-address", PROXY),  # garbage from our side of the chain: nothing trusted
        ("6.6.6.6, 203.0.113.7\r\nX: y", PROXY),
        ("", PROXY),  # the request did not come through the proxy
        (None, PROXY),
    ],
)
def test_behind_one_proxy_the_rightmost_entry_is_the_client(forwarded, expected):
    assert client_ip(_request(forwarded)) == expected


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client():
    # client -> CDN (appends the client) -> nginx (appends the CDN) -> app
    assert client_ip(_request("6.6.6.6, 203.0.113.7, 192.0.2.50")) == "203.0.113.7"
    assert client_ip(_request("192.0.2.50")) == PROXY  # fewer hops than proxies: not through the chain


# --- django-axes and the audit log ---------------------------------------------------------------------


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=1)
def test_two_people_behind_one_proxy_do_not_lock_each_other_out(client, role_users):
    for _attempt in range(5):
        _sign_in(client, "wrong", "203.0.113.66")  # someone guessing viewer's password
    assert _sign_in(client, GOOD_PASSWORD, "203.0.113.66").status_code == 429
    colleague = client.__class__()
    response = _sign_in(colleague, GOOD_PASSWORD, "203.0.113.7")  # viewer at their own desk
    assert response.status_code == 302 and colleague.session["_auth_user_id"] == str(role_users["viewer"].pk)
    lock = AuditEntry.objects.get(action=AuditAction.SIGN_IN_LOCKED)
    assert lock.ip_address == "203.0.113.66"
    assert AuditEntry.objects.get(action=AuditAction.SIGN_IN).ip_address == "203.0.113.7"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_entry_does_not_escape_the_lock(client, role_users):
    for attempt in range(5):
        # The attacker sends a new X-Forwarded-For each time; our proxy appends their real address.
        _sign_in(client, "wrong", f"198.51.100.{attempt}, 203.0.113.66")
    response = _sign_in(client, GOOD_PASSWORD, "198.51.100.200, 203.0.113.66")
    assert response.status_code == 429
    addresses = set(AuditEntry.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.66"}


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_a_forwarded_header_cannot_pick_the_address(client, role_users):
    for attempt in range(5):
        client.post(
            LOGIN,
            {"username": "viewer", "password": "wrong"},
            REMOTE_ADDR="203.0.113.66",
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
        )
    response = client.post(
        LOGIN,
        {"username": "viewer", "password": GOOD_PASSWORD},
        REMOTE_ADDR="203.0.113.66",
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    assert response.status_code == 429
    assert set(AuditEntry.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


# --- the setting ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "ok"), [("2", True), ("0", False)])
def test_settings_refuse_fewer_than_one_trusted_proxy(count, ok):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "x" * 50,
        "BEHIND_PROXY": "1",
        "TRUSTED_PROXY_COUNT": count,
    }
    code = "import etelecom_admin.settings as s; print(s.BEHIND_PROXY, s.TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ok:
        assert result.returncode == 0 and result.stdout.split() == ["True", count], result.stderr
    else:
        assert result.returncode != 0 and "TRUSTED_PROXY_COUNT must be at least 1" in result.stderr
