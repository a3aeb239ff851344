"""Where a webhook may point: the URL's rules on save, and every resolved address before a post."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from hotlines.services.webhooks.addresses import UnsafeAddress, webhook_addresses, webhook_url_clean


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.vn/etelecom",
        "https://hooks.example.vn:8443/x?team=ops",
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]:8080/hook",
        "https://10.0.0.5/hook",  # a receiver inside the partner's own network
        "https://[2001:db8::1]/hook",
        "https://xn--tngi-x0a7c.vn/đường-dẫn",
    ],
)
def test_allowed_urls(url):
    assert webhook_url_clean(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.vn/x", "https_required"),
        ("http://10.0.0.5/x", "https_required"),
        ("ftp://hooks.example.vn/x", "invalid"),
        ("hooks.example.vn/x", "invalid"),
        ("https://", "invalid"),
        ("https://user:pw@hooks.example.vn/x", "credentials"),
        ("https://token@hooks.example.vn/x", "credentials"),
        ("https://169.254.169.254/latest/meta-data", "address"),
        ("https://169.254.10.1/x", "address"),
        ("https://[fe80::1]/x", "address"),
        ("https://[fd00:ec2::254]/x", "address"),
        ("https://[::ffff:169.254.169.254]/x", "address"),
        ("https://0.0.0.0/x", "address"),
        ("https://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("https://METADATA.google.internal./x", "metadata"),
        ("https://hooks.example.vn:22/x", "port"),
        ("https://hooks.example.vn:0/x", "port"),
        ("https://hooks.example.vn:70000/x", "port"),
        ("https://hooks.example.vn:http/x", "port"),
        ("https://hooks.example.vn/x#frag", "fragment"),
        ("https://hooks.example.vn/a b", "invalid"),
        ("https://tổngđài.vn/x", "idn"),
        ("https://hooks.example.vn/" + "a" * 600, "max_length"),
    ],
)
def test_refused_urls_say_why(url, code):
    with pytest.raises(ValidationError) as caught:
        webhook_url_clean(url)
    assert caught.value.code == code, caught.value.messages


def resolver_of(*addresses: str):
    """A getaddrinfo stand-in answering `addresses` (DNS as an attacker would set it)."""
    calls = []

    def resolve(host, port, **kwargs):
        calls.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    resolve.calls = calls
    return resolve


def test_a_public_name_resolving_to_public_addresses_is_posted_to_them():
    found = webhook_addresses("https://hooks.example.vn/x", resolver=resolver_of("203.0.113.7", "2001:db8::7"))
    assert [str(a) for a in found] == ["203.0.113.7", "2001:db8::7"]


REBOUND = ["169.254.169.254", "169.254.1.1", "fe80::1%eth0", "fd00:ec2::254", "::ffff:169.254.169.254"]


@pytest.mark.parametrize("address", REBOUND)
def test_dns_rebinding_to_a_refused_address_is_caught_at_delivery(address):
    """The name passed the rules when it was saved; at delivery it resolves to metadata/link-local."""
    resolve = resolver_of("203.0.113.7", address)
    with pytest.raises(UnsafeAddress, match="refused address"):
        webhook_addresses("https://hooks.example.vn/x", resolver=resolve)
    assert resolve.calls == ["hooks.example.vn"]


def test_plain_http_must_stay_on_loopback_whatever_localhost_resolves_to():
    assert [str(a) for a in webhook_addresses("http://localhost:8080/x", resolver=resolver_of("127.0.0.1", "::1"))]
    with pytest.raises(UnsafeAddress, match="plain http"):
        webhook_addresses("http://localhost:8080/x", resolver=resolver_of("203.0.113.7"))


def test_a_name_that_does_not_resolve_is_a_clear_failure():
    def fails(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(UnsafeAddress, match="could not be resolved"):
        webhook_addresses("https://nowhere.invalid/x", resolver=fails)
    with pytest.raises(UnsafeAddress, match="no address"):
        webhook_addresses("https://hooks.example.vn/x", resolver=resolver_of())


def test_rules_are_checked_again_at_delivery():
    """A URL stored before a rule existed (or written past the service) is still refused."""
    with pytest.raises(UnsafeAddress, match="metadata"):
        webhook_addresses("https://169.254.169.254/x", resolver=resolver_of("169.254.169.254"))
