"""Which of the client's exceptions an HTTP answer other than a 200 is (redirects, eTelecom's
`{code, msg}` errors), with the words a person reads in the sync log and the freshness bar."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from . import exceptions as exc

# eTelecom's codes for "this key may not call this method" (403) and "no such method" (404).
REFUSAL_CODES = frozenset({"permission_denied", "bad_route"})


def redirect_error(status: int, *, url: str, location: str, where: str) -> exc.BadRequest:
    """A redirect, never followed: it names only the host it points to (a URL may carry secrets)."""
    host = urlsplit(urljoin(url, location)).hostname if location else ""
    target = f" to {host}" if host else ""
    return exc.BadRequest(
        f"eTelecom answered with a redirect ({status}){target}{where}; the dashboard does not follow redirects",
        status=status,
    )


def error_for(
    status: int, code: str, msg: str, *, where: str, after_retries: str, refusable: str = ""
) -> exc.EtelecomError:
    """The exception for an error answer; with `refusable` (how messages name the method's data,
    "the tenant list"), a refusal of that method alone is a NotAvailable, not an AuthError."""
    detail = f"{status} {code}" if code else str(status)
    said = f": {msg}" if msg else ""
    kwargs = {"status": status, "code": code, "msg": msg}
    # 401 is the key itself; 403, 404 and the refusal codes, on a method a key may lack, mean
    # only that method is out of reach: its callers carry on without it.
    if refusable and status != 401 and (status in (403, 404) or code in REFUSAL_CODES):
        refused = f"eTelecom does not make {refusable} available to this API key ({detail}){said}"
        return exc.NotAvailable(refused, **kwargs)
    if status in (401, 403):
        verb = "rejected the API key" if status == 401 else "refused access with this API key"
        return exc.AuthError(f"eTelecom {verb} ({detail}){said}", **kwargs)
    if status == 429:
        return exc.RateLimited(f"eTelecom kept rate limiting{where}{after_retries} ({detail}){said}", **kwargs)
    if status >= 500:
        return exc.ServerError(f"eTelecom had a server error{where}{after_retries} ({detail}){said}", **kwargs)
    if status == 404 or code == "bad_route":
        return exc.BadRequest(f"This base URL does not look like the eTelecom Partner API ({detail}){said}", **kwargs)
    return exc.BadRequest(f"eTelecom rejected the request{where} ({detail}){said}", **kwargs)
