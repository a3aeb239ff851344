"""The site's main navigation (base.html), rendered once per kind of person, language and page.

The menu is two dozen `{% if perms… %}{% url %}{% translate %}` tags: ~2.5 ms of every page's CPU.
What it shows depends only on the person's permissions (the ones it asks about, and is_staff),
the active language, the page's URL name and the script prefix; so its HTML is kept in this
process keyed by those, and a request pays for reading the permissions (as the template did) and
a dictionary look-up. A permission taken away, a language switched or another page gives another
key, never a stale menu; no data of a sync is in it.
"""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from ..process_memo import ProcessMemo

register = template.Library()

# Every permission includes/nav.html asks about (a test checks the list against the template).
NAV_PERMISSIONS = (
    "hotlines.view_hotline",
    "hotlines.view_syncrun",
    "hotlines.export_hotline",
    "hotlines.view_connection",
    "auth.view_user",
    "hotlines.view_exportrecord",
    "hotlines.view_auditentry",
    "hotlines.view_webhook",
)
NAV_TEMPLATE = "includes/nav.html"
MAX_KEPT = 1024  # keys: languages × URL names × permission sets actually seen; cleared if ever full

_kept: ProcessMemo[tuple, SafeString] = ProcessMemo(MAX_KEPT)


def nav_key(request, user) -> tuple:
    match = getattr(request, "resolver_match", None)
    return (
        translation.get_language(),
        get_script_prefix(),
        match is None,
        match.url_name if match is not None else None,
        bool(user.is_staff),
        tuple(user.has_perm(perm) for perm in NAV_PERMISSIONS),
    )


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    """includes/nav.html as it renders for this request, from the process's copy when it has one."""
    request, user = context.get("request"), context.get("user")
    # Rendered in the page's own context, as `{% include %}` would.
    render = context.template.engine.get_template(NAV_TEMPLATE).render
    if request is None or user is None:
        return mark_safe(render(context))  # noqa: S308 - a template's output
    return _kept.get_or_make(nav_key(request, user), lambda: mark_safe(render(context)))  # noqa: S308 - a template's output
