"""Upstream text is untrusted: HTML or script in what eTelecom sends renders as text everywhere."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from hotlines.models import Hotline, SyncRun
from tests.security.test_access import page_problems

HOSTILE_NAME = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_DESCRIPTION = '"><svg onload="window.__pwned=3"><a href="javascript:alert(1)">click</a>'
HOSTILE_NETWORK = "<b onmouseover=alert(4)>net</b>"
ESCAPED_NAME = "&lt;script&gt;window.__pwned=1&lt;/script&gt;"
# The sync commits (on PostgreSQL it heartbeats on a second connection), so no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hostile(sandbox, connection):
    """A synced hotline whose name, description and network carry markup."""
    from hotlines.services.sync import hotlines_sync

    assert hotlines_sync(connection=connection).error == ""
    first = sandbox.dataset.all()[0]
    # A second sync: the markup arrives as a change, so it also shows in the histories.
    sandbox.dataset.patch(first["id"], name=HOSTILE_NAME, description=HOSTILE_DESCRIPTION, network=HOSTILE_NETWORK)
    assert hotlines_sync(connection=connection).error == ""
    return Hotline.objects.get(etelecom_id=first["id"])


def _assert_inert(html: str) -> None:
    for raw in (
        HOSTILE_NAME,
        HOSTILE_DESCRIPTION,
        HOSTILE_NETWORK,
        "<script>window",
        "<img src=x",
        "<svg onload",
        "<b onm",
    ):
        assert raw not in html, f"{raw!r} reached the page unescaped"
    assert page_problems(html) == []  # no tag carries a handler or a javascript: URL


def test_list_detail_home_and_syncs_show_markup_as_text(client, role_users, hostile):
    client.force_login(role_users["operator"])
    listing = client.get(reverse("hotlines:list")).content.decode()
    _assert_inert(listing)
    assert ESCAPED_NAME in listing
    detail = client.get(reverse("hotlines:detail", args=[hostile.pk])).content.decode()
    _assert_inert(detail)
    assert ESCAPED_NAME in detail and "&quot;&gt;&lt;svg onload=" in detail
    _assert_inert(client.get(reverse("hotlines:home")).content.decode())
    _assert_inert(client.get(reverse("hotlines:list"), {"q": "pwned"}).content.decode())
    run = SyncRun.objects.filter(connection=hostile.connection).latest("pk")
    history = client.get(reverse("hotlines:sync-detail", args=[run.pk])).content.decode()
    _assert_inert(history)
    assert ESCAPED_NAME in history or "&lt;script&gt;" in history


def test_exports_carry_the_text_as_data(client, role_users, hostile):
    client.force_login(role_users["exporter"])
    response = client.get(reverse("hotlines:list"), {"_export": "json", "q": "pwned", "columns": "all"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    names = [row["name"] for row in json.loads(body)]
    assert names == [HOSTILE_NAME]  # JSON: a string value, never markup
    response = client.get(reverse("hotlines:list"), {"_export": "csv", "q": "pwned"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(HOSTILE_NAME in cell for row in rows for cell in row)


def test_the_django_admin_escapes_it_too(client, superuser, hostile):
    client.force_login(superuser)
    _assert_inert(client.get(reverse("admin:hotlines_hotline_changelist")).content.decode())
    _assert_inert(client.get(reverse("admin:hotlines_hotline_change", args=[hostile.pk])).content.decode())


def test_a_hostile_user_name_tried_at_sign_in_is_text_in_the_audit_log(client, role_users):
    client.post("/accounts/login/", {"username": HOSTILE_NAME[:150], "password": "x"})
    client.force_login(role_users["administrator"])
    html = client.get(reverse("hotlines:audit-log")).content.decode()
    _assert_inert(html)
    assert ESCAPED_NAME in html
