"""`{% kept %}` blocks: rendered once per process for each key and language, and the column
chooser, kept that way, the same as rendered afresh for every person, column choice and language."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from hotlines.process_memo import ProcessMemo
from hotlines.templatetags import kept
from tests.conftest import kept_and_afresh, make_user


def test_a_kept_block_is_rendered_once_per_key_and_language(monkeypatch):
    monkeypatch.setattr(kept, "_kept", ProcessMemo(kept.MAX_KEPT))
    template = Template("{% load kept %}{% kept a %}{{ a }}-{{ b }}{% endkept %}")
    assert template.render(Context({"a": [1, 2], "b": "first"})) == "[1, 2]-first"
    assert template.render(Context({"a": [1, 2], "b": "later"})) == "[1, 2]-first"  # kept: b is not its key
    assert template.render(Context({"a": [2, 1], "b": "later"})) == "[2, 1]-later"
    with translation.override("vi"):
        assert template.render(Context({"a": [1, 2], "b": "vi"})) == "[1, 2]-vi"
    # Two blocks never share an entry, even with the same key.
    other = Template("{% load kept %}{% kept a %}other {{ a }}{% endkept %}")
    assert other.render(Context({"a": [1, 2]})) == "other [1, 2]"


def test_a_kept_block_needs_a_key():
    with pytest.raises(Exception, match="needs the values"):
        Template("{% load kept %}{% kept %}x{% endkept %}")


def test_the_kept_store_is_bounded(monkeypatch):
    monkeypatch.setattr(kept, "_kept", ProcessMemo(3))
    template = Template("{% load kept %}{% kept a %}{{ a }}{% endkept %}")
    for n in range(10):
        assert template.render(Context({"a": n})) == str(n)
        assert len(kept._kept) <= 3


def _chooser(response) -> str:
    return re.search(r'<ol class="column-list".*?</ol>', response.text, re.S).group(0)


COLUMN_CHOICES = [
    {"order": ["name", "status"], "columns": ["name", "status"]},
    {"order": ["status", "name", "network"], "columns": ["status", "name", "network"]},
    {"order": ["name"], "columns": ["name"]},
]


@pytest.mark.django_db
def test_the_kept_column_chooser_is_the_one_rendered_afresh(client, synced, django_user_model, settings, monkeypatch):
    monkeypatch.setattr(kept, "_kept", ProcessMemo(kept.MAX_KEPT))
    people = []
    for n, choice in enumerate(COLUMN_CHOICES):
        person = make_user(django_user_model, f"person-{n}", "hotlines.view_hotline")
        client.force_login(person)
        client.post("/preferences/list/", choice)
        people.append(person)
    seen = {}
    for language in ("en", "vi", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for person in people:
            client.force_login(person)
            kept_html, fresh = kept_and_afresh(monkeypatch, lambda: _chooser(client.get("/hotlines/")))
            assert kept_html == fresh
            seen[(language, person.pk)] = fresh
    # Each person and language has its own: the key holds what the block shows.
    assert len(set(seen.values())) == len(people) * 2
