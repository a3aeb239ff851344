"""Where a form asks to go back to (its `next` field): a path on this site, or the view's default.

Every form that has one sends `request.get_full_path()`: a path. Anything else is refused, not
only other sites (`url_has_allowed_host_and_scheme`): a bare word such as `on` would pass that
check as a relative URL, and Django's `redirect()` takes a bare word for a view's name to reverse,
a NoReverseMatch (a 500) for a made-up one.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, default: str) -> str:
    """The form's `next` when it is a path on this site; else `default`."""
    target = request.POST.get("next", "")
    on_this_site = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target.startswith("/") and on_this_site else default
