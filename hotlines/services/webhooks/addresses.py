"""Where a webhook may point: checked when it is saved (the URL as typed) and again before every
post (each address its host resolves to, so a name that later resolves elsewhere, DNS rebinding,
is refused too).

https only, except loopback receivers (`http://127.0.0.1`, `localhost`, `[::1]`); never link-local
addresses or the clouds' metadata endpoints; no credentials in the URL; ports 80, 443 or 1024-65535.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 500
# Where instance credentials are handed out (AWS, GCP, Azure, ... over IPv4; AWS over IPv6).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"})
LOW_PORTS = frozenset({80, 443})
MIN_HIGH_PORT = 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# getaddrinfo's shape: [(family, type, proto, canonname, sockaddr), ...]; a stub in tests.
Resolver = Callable[..., list]


class UnsafeAddress(Exception):
    """The webhook's host resolved to an address it may not be posted to (or did not resolve)."""


def _host(hostname: str) -> str:
    return hostname.strip("[]").rstrip(".").lower()


def _literal(host: str) -> Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    # ::ffff:169.254.169.254 reaches the IPv4 address: judge it as that.
    return _plain(address)


def is_loopback_host(host: str) -> bool:
    """True for `localhost` (and *.localhost) and loopback literals (127.0.0.0/8, ::1)."""
    host = _host(host)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _literal(host)
    return address is not None and address.is_loopback


def _plain(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def address_refusal(address: Address) -> str:
    """Why a webhook may not be posted to `address`, or "" when it may."""
    address = _plain(address)
    if address in METADATA_ADDRESSES:
        return _("%(address)s is a cloud metadata address.") % {"address": address}
    if address.is_link_local:
        return _("%(address)s is a link-local address.") % {"address": address}
    if address.is_unspecified or address.is_multicast:
        return _("%(address)s cannot receive a webhook.") % {"address": address}
    return ""


def webhook_url_clean(url: str) -> str:
    """The URL as it will be stored, or ValidationError saying which rule it breaks."""
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(_("At most 500 characters."), code="max_length")
    if any(ord(c) < 33 or c == "\\" for c in url):
        raise ValidationError(_("The URL cannot contain spaces or control characters."), code="invalid")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter a full URL starting with https://."), code="invalid")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            _("Do not put a user name or password in the URL: receivers check the signature instead."),
            code="credentials",
        )
    if parts.fragment:
        raise ValidationError(_("The URL cannot have a fragment (#…)."), code="fragment")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("The port must be a number from 1 to 65535."), code="port") from None
    if port is not None and port not in LOW_PORTS and not MIN_HIGH_PORT <= port <= 65535:
        raise ValidationError(_("The port must be 80, 443 or from 1024 to 65535."), code="port")
    host = _host(parts.hostname)
    if not host.isascii():
        # Sent as is in the Host header and TLS name, which are ASCII: the punycode form works.
        raise ValidationError(_("Write the host name in ASCII (its punycode form, xn--…)."), code="idn")
    if host in METADATA_HOSTS or host.endswith(".metadata.google.internal"):
        raise ValidationError(_("The clouds' metadata addresses cannot receive webhooks."), code="metadata")
    address = _literal(host)
    if address is not None and (refusal := address_refusal(address)):
        raise ValidationError(refusal, code="address")
    if scheme == "http" and not is_loopback_host(host):
        raise ValidationError(
            _("The URL must use https (plain http only to this machine: 127.0.0.1, localhost or [::1])."),
            code="https_required",
        )
    return url


def webhook_addresses(url: str, *, resolver: Resolver = socket.getaddrinfo) -> list[Address]:
    """The addresses to post `url` to, each checked, or UnsafeAddress. Called right before a post:
    the URL's rules again (they may have changed since it was saved), then every address its host
    resolves to now. Plain http must stay on loopback whatever the name resolves to."""
    try:
        url = webhook_url_clean(url)
    except ValidationError as exc:
        raise UnsafeAddress(" ".join(exc.messages)) from None
    parts = urlsplit(url)
    host = _host(parts.hostname or "")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise UnsafeAddress(_("%(host)s could not be resolved: %(error)s") % {"host": host, "error": exc}) from None
        found = []
        for info in infos:
            try:
                address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            except (ValueError, IndexError, TypeError):
                continue
            if address not in found:
                found.append(address)
    if not found:
        raise UnsafeAddress(_("%(host)s resolved to no address.") % {"host": host})
    for address in found:
        # Every address, not just the first: the connection may take any of them.
        if refusal := address_refusal(address):
            raise UnsafeAddress(_("%(host)s resolves to a refused address: %(why)s") % {"host": host, "why": refusal})
        if parts.scheme.lower() == "http" and not _plain(address).is_loopback:
            raise UnsafeAddress(
                _("%(host)s no longer resolves to this machine (%(address)s): plain http is refused.")
                % {"host": host, "address": address}
            )
    return found
