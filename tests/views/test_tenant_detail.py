"""A tenant's page: every field, its history, its hotlines by the mapping rule."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from hotlines.choices import ChangeKind, SyncStatus
from hotlines.models import SyncRun, TenantChange
from tests.conftest import make_user
from tests.factories import ConnectionFactory, HotlineFactory, TenantFactory


@pytest.fixture
def account(db):
    return ConnectionFactory(name="Đối tác")


@pytest.fixture
def tenant(account):
    return TenantFactory(connection=account, name="Công ty ABC", domain="abc.example.vn", owner_id="111",
                         status="P", hotline_count=25, enabled_count=20, disabled_count=5)  # fmt: skip


@pytest.fixture
def hotlines(account, tenant):
    """25 hotlines of the tenant, and decoys: same owner in another account, another owner, removed."""
    mine = [HotlineFactory(connection=account, owner_id="111", hotline=f"1900{i:04d}") for i in range(25)]
    HotlineFactory(connection=ConnectionFactory(), owner_id="111", hotline="0999000001", name="Other account")
    HotlineFactory(connection=account, owner_id="222", hotline="0999000002", name="Other owner")
    HotlineFactory(connection=account, owner_id="111", hotline="0999000003", name="Removed one", is_removed=True)
    return mine


def test_every_field_and_the_counts(viewer_client, tenant):
    response = viewer_client.get(tenant.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    for text in ("Công ty ABC", "abc.example.vn", tenant.etelecom_id, "Enabled", "Đối tác"):
        assert text in html
    assert '<dd id="count-hotlines">25</dd>' in html
    assert '<dd id="count-enabled">20</dd>' in html
    assert '<dd id="count-disabled">5</dd>' in html


def test_its_first_hotlines_inline_and_a_link_to_all(viewer_client, tenant, hotlines):
    response = viewer_client.get(tenant.get_absolute_url())
    shown = response.context["hotlines"]
    assert [h.hotline for h in shown] == [f"1900{i:04d}" for i in range(20)]
    html = response.text
    assert f'href="{reverse("hotlines:detail", args=[hotlines[0].pk])}"' in html
    assert f'href="{reverse("hotlines:list")}?tenant={tenant.pk}"' in html
    assert "See all 25 of its hotlines" in html
    for decoy in ("Other account", "Other owner", "Removed one"):
        assert decoy not in html


def test_a_tenant_without_hotlines_says_so(viewer_client, account):
    lonely = TenantFactory(connection=account, owner_id="404")
    response = viewer_client.get(lonely.get_absolute_url())
    assert "No hotline has this tenant" in response.text


def test_its_history_with_the_sync_linked(client, django_user_model, tenant):
    run = SyncRun.objects.create(connection=tenant.connection, status=SyncStatus.SUCCEEDED)
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.APPEARED)
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.CHANGED, field="domain",
                                old_value="old.vn", new_value="abc.example.vn")  # fmt: skip
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.CHANGED, field="status",
                                old_value="N", new_value="P")  # fmt: skip
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.REMOVED)
    TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.REAPPEARED)
    client.force_login(make_user(django_user_model, "ops", "hotlines.view_hotline", "hotlines.view_syncrun"))
    html = client.get(tenant.get_absolute_url()).text
    assert '<strong>Domain</strong>: <span class="old">old.vn</span> → <span class="new">abc.example.vn</span>' in html
    assert '<strong>Status</strong>: <span class="old">Disabled</span> → <span class="new">Enabled</span>' in html
    for word in ("Appeared", "Removed", "Reappeared"):
        assert word in html
    assert f'href="{run.get_absolute_url()}"' in html


def test_a_removed_tenant_says_so(viewer_client, account, hotlines):
    gone = TenantFactory(connection=account, owner_id="111", is_removed=True, removed_at=timezone.now())
    response = viewer_client.get(gone.get_absolute_url())
    assert response.status_code == 200
    assert 'id="removed-banner"' in response.text
    assert "Removed upstream on" in response.text
    assert response.context["hotlines"] == []  # removed tenants own nothing


@pytest.mark.parametrize("pk", [0, 999999, 2**63 - 1])
def test_a_missing_tenant_is_404(viewer_client, db, pk):
    assert viewer_client.get(reverse("hotlines:tenant-detail", args=[pk])).status_code == 404


def test_back_leads_to_the_list_as_it_was(viewer_client, tenant):
    listed = viewer_client.get(reverse("hotlines:tenant-list"), {"q": "cong", "sort": "-name"})
    assert f"?back={quote('q=cong&sort=-name')}" in listed.text
    detail = viewer_client.get(tenant.get_absolute_url(), {"back": "q=cong&sort=-name"})
    assert detail.context["back_url"] == reverse("hotlines:tenant-list") + "?q=cong&sort=-name"
    crafted = viewer_client.get(tenant.get_absolute_url(), {"back": "//evil.example/x"})
    assert crafted.context["back_url"].startswith(reverse("hotlines:tenant-list"))


def test_the_detail_reads_a_constant_number_of_queries(viewer_client, tenant, hotlines, django_assert_max_num_queries):
    run = SyncRun.objects.create(connection=tenant.connection, status=SyncStatus.SUCCEEDED)
    for i in range(30):  # many changes, 25 hotlines: still one query each (the site's bar and session aside)
        TenantChange.objects.create(tenant=tenant, sync_run=run, kind=ChangeKind.CHANGED, field="name",
                                    old_value=str(i), new_value=str(i + 1))  # fmt: skip
    with django_assert_max_num_queries(14):
        viewer_client.get(tenant.get_absolute_url())
