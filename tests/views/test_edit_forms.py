"""Every edit form, as a browser uses it: open the page, change one field, submit what the page sends.

Whatever the person did not touch must come back unchanged. The edit views are discovered from
the URL conf and the Django admin's registry, and a view found without an entry in CASES fails
the suite: a form added later cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic.edit import BaseUpdateView, ProcessFormView

from hotlines.models import Connection, UserPreference
from hotlines.services.users import ADMINISTRATOR, VIEWER
from tests.forms import FormData, form_data_from_html
from tests.security.conftest import make_role_user

# Views in this module are edit forms whatever their shape (POST-only views fed by a form on another page).
EDIT_VIEW_MODULES = ("hotlines.views.preferences",)


def _walk(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace != "admin":  # the admin's edit views are found through its registry
                yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def dashboard_edit_views() -> set[str]:
    """URL names of the dashboard's edit views: "-edit" names, form views of one object, preferences."""
    found = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", pattern.callback)
        is_form_view = isinstance(view, type) and issubclass(view, (ProcessFormView, BaseUpdateView))
        if (
            name.endswith("-edit")
            or (is_form_view and "pk" in pattern.pattern.converters)
            or view.__module__ in EDIT_VIEW_MODULES
        ):
            found.add(name)
    return found


def admin_edit_views(superuser) -> set[str]:
    """URL names of the Django admin's change forms that a superuser may save."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_change_permission(request)
    }


def snapshot(obj) -> dict:
    """Every stored field of the object (and its many-to-many links), read again from the database."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not getattr(f, "auto_now", False)  # a save's own time stamp
    }
    for m2m in obj._meta.many_to_many:
        values[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return values


@dataclass
class Target:
    """The object an edit view changes, who edits it, and where its form is."""

    client: Client
    obj: object
    page: str
    form: str = "form.form-card"
    submitter: str | None = None


@dataclass(frozen=True)
class Case:
    view: str
    name: str
    change: Callable[[FormData], object]
    expect: set[str] = field(default_factory=set)


@pytest.fixture
def people(db, django_user_model, connection):
    """An administrator (not a superuser), a superuser, a viewer with a full profile and preferences."""
    administrator = make_role_user(django_user_model, "administrator", ADMINISTRATOR)
    superuser = django_user_model.objects.create_superuser(username="root", password="pw-root", email="r@example.com")
    viewer = make_role_user(
        django_user_model, "lan", VIEWER, first_name="Lan", last_name="Phạm", email="lan@example.com"
    )
    viewer.last_login = timezone.now()
    viewer.save(update_fields=["last_login"])
    viewer.user_permissions.add(Permission.objects.get(codename="export_hotline"))
    UserPreference.objects.create(user=viewer, per_page=25, columns=["hotline", "name", "status"], language="en")
    group = Group.objects.create(name="Auditors")
    group.permissions.add(*Permission.objects.filter(codename__in=["view_auditentry", "view_syncrun"]))
    return {"administrator": administrator, "superuser": superuser, "viewer": viewer, "group": group}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user_edit(people, connection) -> Target:
    viewer = people["viewer"]
    return Target(_client(people["administrator"]), viewer, reverse("hotlines:user-edit", args=[viewer.pk]))


def _connection_edit(people, connection) -> Target:
    page = reverse("hotlines:connection-edit", args=[connection.pk])
    return Target(_client(people["administrator"]), connection, page)


def _list_preferences(people, connection) -> Target:
    viewer = people["viewer"]
    page = reverse("hotlines:list")
    return Target(_client(viewer), viewer.hotline_preference, page, 'form[action="/preferences/list/"]', "action=save")


def _list_per_page(people, connection) -> Target:
    viewer = people["viewer"]
    return Target(_client(viewer), viewer.hotline_preference, reverse("hotlines:list"), "#per-page-form")


def _language(people, connection) -> Target:
    viewer = people["viewer"]
    return Target(_client(viewer), viewer.hotline_preference, reverse("hotlines:list"), "form.language-switcher")


def _admin(model_name: str, obj_of: Callable) -> Callable:
    def target(people, connection) -> Target:
        obj = obj_of(people, connection)
        page = reverse(f"admin:{model_name}_change", args=[obj.pk])
        return Target(_client(people["superuser"]), obj, page, f"#{model_name.split('_', 1)[1]}_form", "_save")

    return target


def _view_edit(people, connection) -> Target:
    """An administrator editing a shared view another person (an operator) saved."""
    from hotlines.models import SavedView
    from hotlines.services.users import OPERATOR

    owner = make_role_user(get_user_model(), "minh", OPERATOR)
    view = SavedView.objects.create(
        owner=owner, name="Viettel tắt", shared=True, query="network=viettel&status=N", columns=["hotline", "name"]
    )
    return Target(_client(people["administrator"]), view, reverse("hotlines:view-edit", args=[view.pk]))


def _webhook_edit(people, connection) -> Target:
    """An administrator editing a webhook that carries one of two watches."""
    from tests.factories import HotlineFactory, WatchFactory, WebhookFactory

    webhook = WebhookFactory(url="https://hooks.example.com/etelecom", failure_limit=7)
    WatchFactory(user=people["viewer"], view=None, hotline=HotlineFactory(connection=connection))  # not carried
    webhook.watches.set([WatchFactory(user=people["viewer"])])
    return Target(_client(people["administrator"]), webhook, reverse("hotlines:webhook-edit", args=[webhook.pk]))


TARGETS: dict[str, Callable[[dict, Connection], Target]] = {
    "hotlines:user-edit": _user_edit,
    "hotlines:connection-edit": _connection_edit,
    "hotlines:list-preferences": _list_preferences,
    "hotlines:list-per-page": _list_per_page,
    "hotlines:language": _language,
    "hotlines:view-edit": _view_edit,
    "hotlines:webhook-edit": _webhook_edit,
    "admin:hotlines_connection_change": _admin("hotlines_connection", lambda people, connection: connection),
    "admin:auth_user_change": _admin("auth_user", lambda people, connection: people["viewer"]),
    "admin:auth_group_change": _admin("auth_group", lambda people, connection: people["group"]),
}


def _untick_a_column(data: FormData) -> None:
    data.set("columns", *[name for name in data["columns"] if name != "status"])


CASES = [
    Case("hotlines:user-edit", "role only", lambda d: d.set("role", "Exporter"), {"groups"}),
    Case("hotlines:user-edit", "first name only", lambda d: d.set("first_name", "Linh"), {"first_name"}),
    Case("hotlines:connection-edit", "page size only", lambda d: d.set("page_size", "75"), {"page_size"}),
    Case("hotlines:connection-edit", "name only", lambda d: d.set("name", "main"), {"name"}),
    Case("hotlines:list-preferences", "one column hidden", _untick_a_column, {"columns"}),
    Case("hotlines:list-per-page", "rows per page only", lambda d: d.set("per_page", "100"), {"per_page"}),
    Case("hotlines:language", "language only", lambda d: d.set("language", "vi"), {"language"}),
    Case("hotlines:view-edit", "name only", lambda d: d.set("name", "Viettel disabled"), {"name"}),
    Case("hotlines:view-edit", "unshare only", lambda d: d.set("shared"), {"shared"}),
    Case("hotlines:webhook-edit", "name only", lambda d: d.set("name", "Ticketing"), {"name"}),
    Case("hotlines:webhook-edit", "failure limit only", lambda d: d.set("failure_limit", "3"), {"failure_limit"}),
    Case("hotlines:webhook-edit", "no watch any more", lambda d: d.set("watches"), {"watches"}),
    Case("admin:hotlines_connection_change", "page size only", lambda d: d.set("page_size", "75"), {"page_size"}),
    Case("admin:auth_user_change", "first name only", lambda d: d.set("first_name", "Linh"), {"first_name"}),
    Case(
        "admin:auth_user_change",
        "role only",
        lambda d: d.set("groups", str(Group.objects.get(name="Exporter").pk)),
        {"groups"},
    ),
    Case("admin:auth_group_change", "name only", lambda d: d.set("name", "Auditors (read)"), {"name"}),
]


def test_every_edit_view_has_a_case(people):
    """A new edit form fails here until it gets a target and at least one case below."""
    discovered = dashboard_edit_views() | admin_edit_views(people["superuser"])
    assert discovered - TARGETS.keys() == set(), "edit views with no entry in TARGETS"
    assert TARGETS.keys() - {case.view for case in CASES} == set(), "targets with no case"
    # The discovery itself works: the known edit views are found.
    assert {"hotlines:user-edit", "hotlines:connection-edit", "admin:auth_user_change"} <= discovered


@pytest.mark.parametrize("case", CASES, ids=[f"{case.view}: {case.name}" for case in CASES])
def test_an_edit_changes_only_the_field_changed(case, people, connection):
    target = TARGETS[case.view](people, connection)
    page = target.client.get(target.page)
    assert page.status_code == 200
    data = form_data_from_html(page.content.decode(), target.form, submitter=target.submitter)
    before = snapshot(target.obj)

    case.change(data)
    response = target.client.post(reverse(case.view, args=_args(case.view, target.obj)), data)

    assert response.status_code == 302, _errors(response)
    after = snapshot(target.obj)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == case.expect, {name: (before[name], after[name]) for name in changed ^ case.expect}


def _args(view: str, obj) -> list:
    return [] if view in ("hotlines:list-preferences", "hotlines:list-per-page", "hotlines:language") else [obj.pk]


def _errors(response) -> object:
    context = response.context or {}
    if "adminform" in context:
        return context["adminform"].form.errors
    return context["form"].errors if "form" in context else response.status_code
