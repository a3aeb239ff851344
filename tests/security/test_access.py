"""Every URL pattern of the project, walked anonymously and as each role, against an explicit table.

A URL without an entry in ACCESS fails the suite (the message says what to add), so no page
can ship without somebody deciding who may open it. The walk also checks, on every page it
gets, that no link or form points to a URL that identity would be refused, and that the page
carries no inline script (the Content-Security-Policy would block it anyway).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from hotlines.models import (
    AuditAction,
    AuditEntry,
    EmailDigest,
    ExportRecord,
    Hotline,
    HotlineChange,
    SyncRun,
    TenantChange,
)
from hotlines.services.audit import audit_record
from tests.factories import (
    NotificationFactory,
    SavedViewFactory,
    TenantFactory,
    WatchFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
)

IDENTITIES = ("anonymous", "no_role", "viewer", "exporter", "operator", "administrator", "superuser")
RANK = {name: rank for rank, name in enumerate(IDENTITIES)}
STAFF = ("administrator", "superuser")

# What an identity may get from a URL.
ALLOW, DENY, LOGIN, MISSING = "allowed", "403", "sent to sign-in", "404"


@dataclass(frozen=True)
class Rule:
    """Who may open a URL: "public", "signed_in", the lowest role allowed, or explicit per identity."""

    who: str
    kwargs: Callable[[World], dict] | None = None
    only: dict[str, str] = field(default_factory=dict)  # identity -> outcome, overriding `who`
    note: str = ""

    def expected(self, identity: str) -> str:
        if identity in self.only:
            return self.only[identity]
        if self.who == "public":
            return ALLOW
        if identity == "anonymous":
            return LOGIN
        if self.who == "signed_in":
            return ALLOW
        return ALLOW if RANK[identity] >= RANK[self.who] else DENY


def _pk(attr: str) -> Callable[[World], dict]:
    return lambda world: {"pk": getattr(world, attr).pk}


# Only the exporter who asked for a background export may see it; anybody else gets a 404.
OWN_EXPORT = {"operator": MISSING, "administrator": MISSING, "superuser": MISSING}

# Nobody sees another person's private saved view, administrators included: it is as absent as a deleted one.
OWN_VIEW = {"exporter": MISSING, "operator": MISSING, "administrator": MISSING, "superuser": MISSING}

ACCESS: dict[str, Rule] = {
    "login": Rule("public"),
    "logout": Rule("signed_in", note="POST only: GET answers 405"),
    "set_language": Rule("signed_in", note="Django's; the sign-in page uses hotlines:language"),
    "hotlines:healthz": Rule("public"),
    "hotlines:readyz": Rule("public"),
    "hotlines:home": Rule("viewer"),
    "hotlines:list": Rule("viewer"),
    "hotlines:detail": Rule("viewer", kwargs=_pk("hotline")),
    "hotlines:list-counts": Rule("viewer", note="the list's pending counts (htmx fragment)"),
    "hotlines:tenant-list": Rule("viewer"),
    "hotlines:tenant-detail": Rule("viewer", kwargs=_pk("tenant")),
    "hotlines:tenant-options": Rule("viewer"),
    # Saved views and watches.
    "hotlines:view-list": Rule("viewer"),
    "hotlines:view-add": Rule("viewer", note="the Save view form; the list's Views menu posts to it"),
    "hotlines:view-open": Rule("viewer", kwargs=_pk("saved_view"), only=OWN_VIEW),
    "hotlines:view-edit": Rule("viewer", kwargs=_pk("saved_view"), only=OWN_VIEW),
    "hotlines:view-delete": Rule("viewer", kwargs=_pk("saved_view"), only=OWN_VIEW, note="GET confirms, POST deletes"),
    "hotlines:view-save": Rule("viewer", kwargs=_pk("saved_view"), note="POST only (404 for another's private view)"),
    "hotlines:view-pin": Rule("viewer", kwargs=_pk("saved_view"), note="POST only (404 for another's private view)"),
    "hotlines:watch-list": Rule("viewer"),
    "hotlines:watch-add": Rule("viewer", note="POST only"),
    "hotlines:watch-channel": Rule("viewer", kwargs=_pk("watch"), note="POST only (404 for another's watch)"),
    "hotlines:watch-delete": Rule("viewer", kwargs=_pk("watch"), note="POST only (404 for another's watch)"),
    "hotlines:list-preferences": Rule("viewer", note="POST only"),
    "hotlines:list-per-page": Rule("viewer", note="POST only"),
    "hotlines:language": Rule("public", note="POST only; the sign-in page switches language too"),
    "hotlines:sync-list": Rule("operator"),
    "hotlines:sync-detail": Rule("operator", kwargs=_pk("sync_run")),
    "hotlines:sync-progress": Rule("operator", kwargs=_pk("sync_run")),
    "hotlines:sync-start": Rule("operator", note="POST only"),
    "hotlines:sync-cancel": Rule("operator", kwargs=_pk("sync_run"), note="POST only"),
    "hotlines:freshness": Rule("viewer"),
    # Notifications.
    "hotlines:notifications": Rule("viewer", note="my own only"),
    "hotlines:notification-bell": Rule("viewer"),
    "hotlines:notification-read": Rule(
        "viewer", kwargs=_pk("notification"), note="POST only (GET answers 405); somebody else's is a 404"
    ),
    "hotlines:notification-read-all": Rule("viewer", note="POST only; marks my own"),
    "hotlines:export-list": Rule("administrator"),
    "hotlines:export-mine": Rule("exporter"),
    "hotlines:export-detail": Rule("exporter", kwargs=_pk("export"), only=OWN_EXPORT),
    "hotlines:export-progress": Rule("exporter", kwargs=_pk("export"), only=OWN_EXPORT),
    "hotlines:export-download": Rule("exporter", kwargs=_pk("export"), only=OWN_EXPORT),
    "hotlines:connection-list": Rule("administrator"),
    "hotlines:connection-add": Rule("administrator"),
    "hotlines:connection-edit": Rule("administrator", kwargs=_pk("connection")),
    "hotlines:connection-active": Rule("administrator", kwargs=_pk("connection"), note="POST only"),
    "hotlines:connection-test": Rule("administrator", kwargs=_pk("connection"), note="POST only"),
    "hotlines:user-list": Rule("administrator"),
    "hotlines:user-add": Rule("administrator"),
    "hotlines:user-edit": Rule("administrator", kwargs=_pk("target_user")),
    "hotlines:user-active": Rule("administrator", kwargs=_pk("target_user"), note="POST only"),
    "hotlines:user-unlock": Rule("administrator", kwargs=_pk("target_user"), note="POST only"),
    "hotlines:audit-log": Rule("administrator"),
    # Webhooks.
    "hotlines:webhook-list": Rule("administrator"),
    "hotlines:webhook-add": Rule("administrator"),
    "hotlines:webhook-edit": Rule("administrator", kwargs=_pk("webhook")),
    "hotlines:webhook-delete": Rule("administrator", kwargs=_pk("webhook"), note="GET asks, POST deletes"),
    "hotlines:webhook-active": Rule("administrator", kwargs=_pk("webhook"), note="POST only"),
    "hotlines:webhook-test": Rule("administrator", kwargs=_pk("webhook"), note="POST only"),
    "hotlines:webhook-rotate": Rule("administrator", kwargs=_pk("webhook"), note="POST only"),
    "hotlines:webhook-secret": Rule("administrator", kwargs=_pk("webhook"), note="shows a new secret once"),
    "hotlines:webhook-deliveries": Rule("administrator", kwargs=_pk("webhook")),
}
# The Django admin: staff only (the Administrator role and superusers). Its views check the model
# permissions themselves; these are refused by design even to them (history - the audit log, sync
# runs, hotline changes, sign-in records - is read-only, hotlines only come from eTelecom and only a
# sync removes them, a connection is deactivated rather than deleted).
ADMIN_REFUSED_TO_STAFF = {
    "admin:autocomplete",  # answers only the admin's own widgets (403 without their parameters)
    "admin:axes_accessattempt_add",
    "admin:axes_accessattempt_delete",
    "admin:axes_accessfailurelog_add",
    "admin:axes_accessfailurelog_delete",
    "admin:axes_accesslog_add",
    "admin:axes_accesslog_delete",
    "admin:django_tasks_database_dbtaskresult_add",
    "admin:django_tasks_database_dbtaskresult_delete",
    "admin:hotlines_auditentry_add",
    "admin:hotlines_auditentry_delete",
    "admin:hotlines_connection_delete",
    "admin:hotlines_emaildigest_add",  # the digests' state belongs to services/digests.py
    "admin:hotlines_emaildigest_delete",
    "admin:hotlines_hotline_add",
    "admin:hotlines_hotline_delete",
    "admin:hotlines_hotlinechange_add",
    "admin:hotlines_hotlinechange_delete",
    "admin:hotlines_syncrun_add",
    "admin:hotlines_syncrun_delete",
    "admin:hotlines_tenant_add",
    "admin:hotlines_tenant_delete",
    "admin:hotlines_tenantchange_add",
    "admin:hotlines_tenantchange_delete",
}
STATIC_PREFIXES = ("/static/", "/media/")


@dataclass
class World:
    """One real object of each kind the URLs point to."""

    users: dict
    connection: object
    hotline: Hotline
    sync_run: SyncRun
    export: ExportRecord
    target_user: object
    tenant: object = None
    saved_view: object = None  # the viewer's private view
    shared_view: object = None  # the operator's shared view
    watch: object = None  # the viewer's watch of the hotline
    notification: object = None  # the viewer's
    webhook: object = None
    delivery: object = None


@pytest.fixture
def world(db, role_users, connection, django_user_model) -> World:
    users = dict(role_users)
    users["superuser"] = django_user_model.objects.create_superuser("superuser", "su@example.com", "pw-superuser-1")
    run = SyncRun.objects.create(
        connection=connection, trigger="command", status="succeeded", finished_at=timezone.now()
    )
    hotline = Hotline.objects.create(
        connection=connection, etelecom_id="1", hotline="19001234", name="Tổng đài", content_hash="x", raw={}
    )
    HotlineChange.objects.create(hotline=hotline, sync_run=run, kind="appeared")
    tenant = TenantFactory(connection=connection)
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind="appeared")
    export = ExportRecord.objects.create(
        user=users["exporter"], username="exporter", format="csv", background=True, status="done"
    )
    audit_record(action=AuditAction.SIGN_IN, actor=users["viewer"])
    attempt = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "viewer", "http_accept": "*/*"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", path_info="/", failures_since_start=1)
    AccessLog.objects.create(**attempt, path_info="/")
    AccessFailureLog.objects.create(**attempt, path_info="/", locked_out=False)
    apps.get_model("django_tasks_database", "DBTaskResult").objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="hotlines.tasks.export_hotlines",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    saved_view = SavedViewFactory(owner=users["viewer"], name="Mine")
    shared_view = SavedViewFactory(owner=users["operator"], name="Ours", shared=True)
    watch = WatchFactory(user=users["viewer"], view=None, hotline=hotline)
    notification = NotificationFactory(user=users["viewer"], sync_run=run, watch=watch, subject=hotline.hotline)
    webhook = WebhookFactory(created_by=users["administrator"])
    delivery = WebhookDeliveryFactory(webhook=webhook, sync_run=run)
    EmailDigest.objects.create(user=users["viewer"], sync_run=run)  # the admin lists the digests
    return World(
        users,
        connection,
        hotline,
        run,
        export,
        target_user=users["viewer"],
        tenant=tenant,
        saved_view=saved_view,
        shared_view=shared_view,
        watch=watch,
        notification=notification,
        webhook=webhook,
        delivery=delivery,
    )


# --- walking the resolver ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or "namespace:<route>" for unnamed ones
    route: str
    converters: tuple[str, ...]
    namespace: str
    named: bool


def url_patterns(patterns=None, prefix: str = "", namespace: str = "") -> list[Pattern]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            found += url_patterns(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<{route}>"
            key = f"{namespace}:{name}" if namespace else name
            converters = tuple(entry.pattern.converters) or tuple(re.findall(r"\(\?P<(\w+)>", route))
            found.append(Pattern(key, route, converters, namespace, bool(entry.name)))
    return found


def rule_for(pattern: Pattern) -> Rule | None:
    if pattern.namespace == "admin":
        return Rule("admin")
    return ACCESS.get(pattern.key)


def admin_expected(pattern: Pattern, identity: str) -> str:
    if pattern.key == "admin:login":
        return ALLOW  # the admin's own sign-in page (throttled and audited like ours)
    if identity == "anonymous":
        return LOGIN
    if pattern.key == "admin:logout":
        return ALLOW  # signs out staff (POST); sends anybody else back to the admin index
    if identity not in STAFF:
        return LOGIN  # the admin's sign-in page, saying this account is not allowed in
    if pattern.key == "admin:<admin/(?P<url>.*)$>":
        return MISSING  # the catch-all, asked for a page that does not exist
    return DENY if pattern.key in ADMIN_REFUSED_TO_STAFF else ALLOW


def _admin_object_id(pattern: Pattern) -> str:
    from django.contrib import admin

    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if pattern.key.startswith(f"admin:{prefix}") or pattern.route.startswith(route):
            obj = model._default_manager.order_by("pk").first()
            assert obj is not None, f"Create a {model._meta.label} in the `world` fixture to walk {pattern.key}"
            return str(obj.pk)
    raise AssertionError(f"Cannot tell which model the admin URL {pattern.key} is about")


def build_url(pattern: Pattern, world: World) -> str:
    if pattern.namespace == "admin":
        if "url" in pattern.converters:
            return "/admin/no-such-page/"
        if "app_label" in pattern.converters:
            kwargs = {"app_label": "hotlines"}
        elif "content_type_id" in pattern.converters:  # "view on site": a hotline's page
            content_type = ContentType.objects.get_for_model(Hotline)
            kwargs = {"content_type_id": str(content_type.pk), "object_id": str(world.hotline.pk)}
        else:
            kwargs = {name: _admin_object_id(pattern) for name in pattern.converters}
    else:
        rule = ACCESS[pattern.key]
        kwargs = rule.kwargs(world) if rule.kwargs else {}
        missing = set(pattern.converters) - set(kwargs)
        assert not missing, f"ACCESS[{pattern.key!r}] needs kwargs=... giving {sorted(missing)} (real object ids)"
    if pattern.named:
        return reverse(pattern.key, kwargs=kwargs)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], pattern.route)
    return "/" + path


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
        return LOGIN if location in (reverse("login"), reverse("admin:login")) else ALLOW
    if status in (401, 403):
        return DENY
    if status == 404:
        return MISSING
    if status >= 500:
        return f"a server error {status}"
    return ALLOW


# --- what every page must not contain ------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_JS_URL = re.compile(r"\b(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.I)
_LINK = re.compile(r"""\b(?:href|action|hx-get|hx-post|formaction)=["']([^"']*)["']""")


def page_problems(html: str, csp: str = "script-src 'self'") -> list[str]:
    problems = []
    script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
    if not script_src or "unsafe-inline" in script_src or "unsafe-eval" in script_src:
        problems.append(f"a Content-Security-Policy that does not forbid inline script: {csp!r}")
    if _INLINE_SCRIPT.search(html):
        problems.append(f"an inline <script>: {_INLINE_SCRIPT.search(html).group(0)[:80]}")
    for tag in _TAG.findall(html):
        # Quoted values are data (escaped text may well read "onerror="): look at the attribute names.
        if _HANDLER.search(_QUOTED.sub('""', tag)) or _JS_URL.search(tag):
            problems.append(f"an inline event handler or javascript: URL in {tag[:100]}")
    return problems


def links(html: str, base: str) -> set[str]:
    found = set()
    for raw in _LINK.findall(html):
        parts = urlsplit(urljoin(base, raw.replace("&amp;", "&")))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith(STATIC_PREFIXES):
            continue
        found.add(parts.path)
    return found


def link_rule(path: str) -> tuple[str, Pattern | None]:
    try:
        match = resolve(path)
    except Resolver404:
        return "broken", None
    route = match.route
    for pattern in url_patterns():
        if pattern.route == route:
            return "ok", pattern
    return "ok", None


# --- the tests -----------------------------------------------------------------------------------


def test_every_url_pattern_has_an_access_decision():
    missing = [p for p in url_patterns() if rule_for(p) is None]
    hints = "\n".join(
        f'    "{p.key}": Rule("<public|signed_in|viewer|exporter|operator|administrator>"),' for p in missing
    )
    assert not missing, (
        "These URL patterns have no access decision. Add them to ACCESS in tests/security/test_access.py "
        f"(with kwargs=... when the URL takes ids):\n{hints}"
    )
    stale = set(ACCESS) - {p.key for p in url_patterns()}
    assert not stale, f"ACCESS lists URL names that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("identity", IDENTITIES)
def test_walk_every_url(identity, world, client):
    if identity != "anonymous":
        client.force_login(world.users[identity])
    wrong, problems, checked_pages = [], [], 0
    for pattern in url_patterns():
        rule = rule_for(pattern)
        if rule is None:
            continue  # reported by test_every_url_pattern_has_an_access_decision
        url = build_url(pattern, world)
        response = client.get(url)
        expected = admin_expected(pattern, identity) if rule.who == "admin" else rule.expected(identity)
        got = outcome(response)
        if got != expected:
            wrong.append(f"{pattern.key} ({url}): expected {expected}, got {got} ({response.status_code})")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked_pages += 1
        html = response.content.decode()
        csp = response.get("Content-Security-Policy", "")
        problems += [f"{url}: {problem}" for problem in page_problems(html, csp)]
        if pattern.namespace == "admin":
            continue  # Django's own pages: their links are Django's business
        for path in links(html, url):
            state, target = link_rule(path)
            if state == "broken":
                problems.append(f"{url} links to {path}, which no URL pattern matches")
                continue
            target_rule = rule_for(target) if target else None
            if target_rule is None:
                continue
            allowed = admin_expected(target, identity) if target_rule.who == "admin" else target_rule.expected(identity)
            if allowed not in (ALLOW, MISSING):
                problems.append(f"{url} shows {identity} a link to {path} ({target.key}), which answers {allowed}")
    assert not wrong, f"Access for {identity} differs from the table:\n" + "\n".join(wrong)
    assert not problems, f"Pages seen by {identity}:\n" + "\n".join(sorted(set(problems)))
    if identity != "anonymous":
        assert checked_pages > 0


def test_roles_are_the_four_groups_with_cumulative_permissions(db):
    def perms(role: str) -> set[str]:
        group = Group.objects.get(name=role)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    assert perms("Viewer") == {"hotlines.view_hotline"}
    assert perms("Exporter") == {"hotlines.view_hotline", "hotlines.export_hotline"}
    assert perms("Operator") == perms("Exporter") | {
        "hotlines.run_sync",
        "hotlines.view_syncrun",
        "hotlines.share_savedview",
    }
    admin = perms("Administrator")
    assert perms("Operator") < admin
    for needed in (
        "hotlines.change_connection",
        "auth.change_user",
        "hotlines.view_auditentry",
        "axes.delete_accessattempt",
    ):
        assert needed in admin
    assert {"hotlines.share_savedview", "hotlines.change_savedview", "hotlines.delete_savedview"} <= admin


def test_audit_entries_are_immutable_even_for_superusers(world, client):
    client.force_login(world.users["superuser"])
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:hotlines_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.post(reverse("admin:hotlines_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_page_checks_catch_what_they_look_for():
    assert page_problems('<p>ok</p><script src="/static/js/app.js" defer></script>') == []
    assert page_problems('<script type="application/json" id="data">{}</script>') == []
    assert page_problems("<script>alert(1)</script>")
    assert page_problems('<img src="x" onerror="alert(1)">')
    assert page_problems('<a href="javascript:alert(1)">x</a>')
    assert page_problems('<input value="&lt;b onmouseover=alert(1)&gt;">') == []  # escaped text in a value
    assert page_problems("<p>ok</p>", csp="script-src 'self' 'unsafe-inline'")
    assert page_problems("<p>ok</p>", csp="")
    found = links('<a href="../password/">x</a><form action="?page=2"></form>', "/users/1/change/")
    assert found == {"/users/1/password/", "/users/1/change/"}
