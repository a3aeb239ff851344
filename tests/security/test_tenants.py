"""Tenants are untrusted upstream data, and their pages and admin doors read-only: hostile names
are shown as text, crafted queries never fail, nothing can be changed from the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotlines.choices import ChangeKind, SyncStatus
from hotlines.etelecom import types
from hotlines.etelecom.exceptions import BadPayload
from hotlines.models import SyncRun, Tenant, TenantChange
from tests.factories import ConnectionFactory, TenantFactory

LIST = reverse("hotlines:tenant-list")
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# A 10 KB name is refused at the boundary (etelecom/types.py: BadPayload); the longest one let
# through is the registry's 500 characters, and a person may still type 10 KB into the search.
HUGE = "Công ty " + "đ" * 492


@pytest.fixture
def hostile(db):
    account = ConnectionFactory(name='<b>"acct"</b>')
    return {
        "html": TenantFactory(connection=account, name=SCRIPT, domain='"><svg onload=alert(1)>.vn', status="<i>"),
        "formula": TenantFactory(connection=account, name='=cmd|" /C calc"!A0', domain="+evil.vn"),
        "huge": TenantFactory(connection=account, name=HUGE, domain="x" * 255),
        "blank": TenantFactory(connection=account, name="", domain="", etelecom_id="123"),
    }


def test_html_in_upstream_fields_is_text_on_the_list(viewer_client, hostile):
    html = viewer_client.get(LIST, {"include_removed": "on"}).text
    assert "<script>alert" not in html and "<svg onload" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;i&gt;" in html  # the unknown status as received, escaped


def test_html_in_upstream_fields_is_text_on_the_detail(viewer_client, hostile):
    tenant = hostile["html"]
    run = SyncRun.objects.create(connection=tenant.connection, status=SyncStatus.SUCCEEDED)
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.CHANGED, field="name",
                                old_value="<b>old</b>", new_value=SCRIPT)  # fmt: skip
    html = viewer_client.get(tenant.get_absolute_url()).text
    assert "<script>alert" not in html and "<b>old</b>" not in html and '<b>"acct"</b>' not in html
    assert "&lt;b&gt;old&lt;/b&gt;" in html


def test_the_longest_name_is_shown_whole_and_found_and_a_10_kb_one_never_arrives(viewer_client, hostile):
    response = viewer_client.get(LIST, {"q": "cong ty dddd"})
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [hostile["huge"].pk]
    assert HUGE in viewer_client.get(hostile["huge"].get_absolute_url()).text
    with pytest.raises(BadPayload):
        types.Tenant.from_payload({"id": "1", "name": "Công ty " + "đ" * 10_000, "owner_id": "1", "status": "P"})
    searched = viewer_client.get(LIST, {"q": "đ" * 10_000})
    assert searched.status_code == 200 and "The search was shortened" in searched.text


def test_a_tenant_without_name_or_domain_still_links(viewer_client, hostile):
    html = viewer_client.get(LIST).text
    assert f'href="{hostile["blank"].get_absolute_url()}' in html


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"q": "a" * 50_000},
        {"q": "%_\\'\""},
        {"status": ["\x00", "<x>"]},
        {"connection": ["1e9", "-1", "99999999999999999999", "١"]},
        {"sort": "-" * 500},
        {"sort": "raw__name"},
        {"page": "99999999999999999999"},
        {"per_page": "-5"},
        {"include_removed": "<script>"},
    ],
)
def test_crafted_queries_never_fail(viewer_client, hostile, query):
    response = viewer_client.get(LIST, query)
    assert response.status_code == 200
    assert "<script>" not in response.text  # nothing typed comes back as markup (the page has no inline script)


def test_the_admin_shows_tenants_read_only(admin_user_client, hostile):
    changelist = reverse("admin:hotlines_tenant_changelist")
    response = admin_user_client.get(changelist, {"q": "cong", "status__exact": "P"})
    assert response.status_code == 200
    assert admin_user_client.get(changelist, {"name__regex": "((("}).status_code == 400  # undeclared lookup
    tenant = hostile["formula"]
    assert admin_user_client.get(reverse("admin:hotlines_tenant_add")).status_code == 403
    change = reverse("admin:hotlines_tenant_change", args=[tenant.pk])
    delete = reverse("admin:hotlines_tenant_delete", args=[tenant.pk])
    assert admin_user_client.post(change, {"name": "x"}).status_code == 403
    assert admin_user_client.post(delete, {"post": "yes"}).status_code == 403
    tenant.refresh_from_db()
    assert tenant.name == '=cmd|" /C calc"!A0'
    assert Tenant.objects.count() == 4
    history = reverse("admin:hotlines_tenantchange_changelist")
    assert admin_user_client.get(history).status_code == 200
    assert admin_user_client.get(reverse("admin:hotlines_tenantchange_add")).status_code == 403


def test_the_admin_changelist_filters_by_status_and_connection(admin_user_client, hostile):
    account = hostile["html"].connection
    response = admin_user_client.get(
        reverse("admin:hotlines_tenant_changelist"),
        {"connection__id__exact": account.pk, "is_removed__exact": "0", "connection_method": "", "q": "=cmd"},
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [hostile["formula"]]
