"""Who sent a request: the one answer used by django-axes (AXES_CLIENT_IP_CALLABLE) and the audit log.

Behind a proxy (`BEHIND_PROXY=1`) REMOTE_ADDR is the proxy, the same for everyone, so the client
is read from X-Forwarded-For. Each proxy *appends* the address it received the request from, so
only the last `TRUSTED_PROXY_COUNT` entries were written by our own proxies; whatever stands left
of them came from the client and proves nothing. With one trusted proxy the rightmost entry is
the address that proxy saw; with two, the second from the right; and so on.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    """`text` as a canonical IP address (a port some proxies append is dropped), or None."""
    text = text.strip()
    candidates = [text]
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        candidates.append(text[1 : text.index("]")])
    elif text.count(":") == 1:  # 203.0.113.7:51234
        candidates.append(text.partition(":")[0])
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if getattr(address, "scope_id", None):  # fe80::1%eth0: not storable, never a remote client
            return None
        return str(address)
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: from X-Forwarded-For behind our proxies, else REMOTE_ADDR.

    Without BEHIND_PROXY the header is ignored (anyone can send it). With it, a header shorter
    than the number of trusted proxies, or an entry that is not an IP address, falls back to
    REMOTE_ADDR: the request did not come the way the deployment says, so nothing in it is trusted.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_PROXY:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted < 1 or len(hops) < trusted:
        return remote
    return _address(hops[-trusted]) or remote
