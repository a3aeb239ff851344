"""What pages render with less CPU writes the same HTML as before: widgets written in Python,
the hotline table's header row, and the navigation kept per permissions, language and page."""

import datetime
import re

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from hotlines.forms_renderer import FastWidgetRenderer
from hotlines.templatetags import navigation
from tests.views.header_rows import assert_header_row_is_the_templates

CHOICES = [("", "---"), ("a", "A <b>"), ("b", gettext_lazy("Yes")), ("c&d", mark_safe("<i>C</i>"))]
WIDGETS = [
    (forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}), 'x<"y>&'),
    (forms.TextInput(attrs={"inputmode": "numeric", "flag": True, "off": False}), ""),
    (forms.TextInput(), None),
    (forms.NumberInput(attrs={"min": 1, "max": 200}), 25),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 1, 31)),
    (forms.DateInput(attrs={"type": "date"}), "not a day"),
    (forms.HiddenInput(), mark_safe("<safe>")),
    (forms.EmailInput(), "a@b.example"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.CheckboxInput(), "on"),
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES), "c&d"),
    (forms.Select(choices=[(1, "one"), (2, "two")]), 2),
    (forms.Select(choices=[(25, 25), (50, 50)]), 50),  # number labels: the template localizes them
    (forms.Select(choices=[("Group", [("a", "A")]), ("b", "B")]), "a"),  # an optgroup: the template
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), False),
    (forms.SelectMultiple(choices=CHOICES), ["a", "b"]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), ["b"]),
    (forms.RadioSelect(choices=CHOICES), "a"),
    (forms.Textarea(), "x<y"),
    (forms.SplitDateTimeWidget(), datetime.datetime(2026, 1, 2, 3, 4)),
]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda item: type(item).__name__)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "required": True, "aria-describedby": "h<"}])
def test_widgets_written_in_python_are_what_django_s_templates_write(widget, value, attrs, language):
    with translation.override(language):
        theirs = widget.render("f", value, attrs=attrs, renderer=DjangoTemplates())
        ours = widget.render("f", value, attrs=attrs, renderer=FastWidgetRenderer())
    assert ours == theirs


def test_option_inputs_are_what_django_s_templates_write():
    class Form(forms.Form):
        many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
        one = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)

    def tags(renderer):
        form = Form({"many": ["a"], "one": "b"}, renderer=renderer)
        return [str(choice.tag()) for name in ("many", "one") for choice in form[name]] + [
            str(form["many"]),
            str(form["one"]),
            form.as_div(),
        ]

    assert tags(FastWidgetRenderer()) == tags(DjangoTemplates())


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=-name",
        "sort=name&q=t%E1%BB%95ng&page=3",
        "q=%3Cscript%3E%22%27&status=N&status=P&per_page=25&sort=created_at",
        "page=2&sort=nonsense&back=%26x%3D1",
    ],
)
@pytest.mark.parametrize("language", ["en", "vi"])
def test_hotline_header_row_is_what_the_template_writes(synced, viewer, rf, monkeypatch, query, language):
    from hotlines.list_page import hotline_list_page

    request = rf.get(f"/hotlines/?{query}")
    request.user = viewer
    with translation.override(language):
        table = hotline_list_page(request=request, preference=None).table
        assert_header_row_is_the_templates(table, request, monkeypatch)


def _nav(response) -> str:
    return re.search(r'<nav class="mainnav".*?</nav>', response.content.decode(), re.S)[0]


def test_nav_asks_about_exactly_the_permissions_its_key_holds():
    from pathlib import Path

    from django.conf import settings

    template = (Path(settings.BASE_DIR) / "templates" / "includes" / "nav.html").read_text()
    asked = set(re.findall(r"perms\.(\w+\.\w+)", template))
    assert asked == set(navigation.NAV_PERMISSIONS)
    assert "user.is_staff" in template  # the key holds is_staff too


@pytest.mark.django_db
def test_nav_follows_a_permission_lost_on_the_next_request(django_user_model):
    navigation._kept.clear()
    group = Group.objects.create(name="sync watchers")
    group.permissions.add(
        Permission.objects.get(codename="view_hotline"), Permission.objects.get(codename="view_syncrun")
    )
    user = django_user_model.objects.create_user(username="watcher", password="pw")
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    assert "/syncs/" in _nav(client.get("/hotlines/"))
    group.permissions.remove(Permission.objects.get(codename="view_syncrun"))
    assert "/syncs/" not in _nav(client.get("/hotlines/"))
    # And another person with the permission still sees it, from the same process.
    other = django_user_model.objects.create_user(username="other", password="pw")
    other.user_permissions.add(
        Permission.objects.get(codename="view_hotline"), Permission.objects.get(codename="view_syncrun")
    )
    client.force_login(other)
    assert "/syncs/" in _nav(client.get("/hotlines/"))


@pytest.mark.django_db
def test_nav_follows_the_language_and_the_page(viewer):
    navigation._kept.clear()
    client = Client()
    client.force_login(viewer)
    english = _nav(client.get("/hotlines/"))
    assert 'aria-label="Main"' in english
    assert re.search(r'href="/hotlines/" aria-current="page"', english)
    home = _nav(client.get("/"))
    assert not re.search(r'href="/hotlines/" aria-current="page"', home)
    assert re.search(r'href="/" aria-current="page"', home)
    client.post("/preferences/language/", {"language": "vi", "next": "/"})
    vietnamese = _nav(client.get("/hotlines/"))
    assert vietnamese != english
    with translation.override("vi"):
        assert f'aria-label="{translation.gettext("Main")}"' in vietnamese
    client.post("/preferences/language/", {"language": "en", "next": "/"})
    assert _nav(client.get("/hotlines/")) == english


@pytest.mark.django_db
def test_kept_nav_is_what_the_template_writes(viewer, superuser):
    """A page from the kept copy shows the menu the template writes for the same person and page."""
    for user in (viewer, superuser):
        client = Client()
        client.force_login(user)
        for path in ("/", "/hotlines/", "/syncs/", "/tenants/", "/views/", "/exports/mine/"):
            navigation._kept.clear()
            fresh = client.get(path)
            assert len(navigation._kept) == 1
            kept = client.get(path)
            assert _nav(fresh) == _nav(kept), path


@pytest.mark.django_db
def test_a_table_s_hidden_columns_stay_its_own():
    """The columns are copied shallowly per table: what one table hides, another still shows."""
    from hotlines.models import Hotline
    from hotlines.tables import HotlineTable

    few = HotlineTable(Hotline.objects.none(), columns=["hotline", "name"])
    every = HotlineTable(Hotline.objects.none(), columns=["hotline", "name", "status", "network"])
    again = HotlineTable(Hotline.objects.none(), columns=["hotline", "name", "status", "network"])
    assert [column.name for column in few.columns] == ["hotline", "name"]
    assert [column.name for column in every.columns] == ["hotline", "name", "status", "network"]
    assert [column.name for column in again.columns] == ["hotline", "name", "status", "network"]
    assert all(column.visible for column in type(few).base_columns.values())
