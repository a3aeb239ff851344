"""The tenant readers: their hotlines by the mapping rule, the counts, the data version, and
whether eTelecom refuses tenants to every account."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotlines import selectors
from hotlines.choices import SyncStatus, TenantSyncState
from hotlines.models import SyncRun, Tenant
from tests.factories import ConnectionFactory, HotlineFactory, TenantFactory

pytestmark = pytest.mark.django_db


def test_a_tenants_hotlines_are_its_accounts_live_ones_with_its_owner():
    account, other = ConnectionFactory(), ConnectionFactory()
    tenant = TenantFactory(connection=account, owner_id="42")
    mine = [HotlineFactory(connection=account, owner_id="42", hotline=f"0900{i:06d}") for i in range(3)]
    HotlineFactory(connection=other, owner_id="42")
    HotlineFactory(connection=account, owner_id="43")
    HotlineFactory(connection=account, owner_id="42", is_removed=True)
    assert selectors.tenant_hotlines(tenant=tenant) == mine
    assert len(selectors.tenant_hotlines(tenant=tenant, limit=2)) == 2
    tenant.is_removed = True
    assert selectors.tenant_hotlines(tenant=tenant) == []


def test_an_owner_less_tenant_owns_nothing():
    account = ConnectionFactory()
    HotlineFactory(connection=account, owner_id="")
    assert selectors.tenant_hotlines(tenant=TenantFactory(connection=account, owner_id="")) == []


def test_groups_count_under_the_filters():
    account, other = ConnectionFactory(), ConnectionFactory()
    TenantFactory.create_batch(2, connection=account, status="P")
    TenantFactory(connection=other, status="N")
    TenantFactory(connection=account, status="P", is_removed=True)
    version = selectors.tenant_data_version()
    groups = selectors.tenant_groups(queryset=Tenant.objects.filter(is_removed=False), key="live", version=version)
    assert groups == {("P", account.pk): 2, ("N", other.pk): 1}


def test_the_data_version_moves_with_tenant_writes():
    assert selectors.tenant_data_version() == "empty"
    tenant = TenantFactory()
    first = selectors.tenant_data_version()
    assert first != "empty"
    Tenant.objects.filter(pk=tenant.pk).update(last_changed_at=timezone.now() + timezone.timedelta(seconds=1))
    assert selectors.tenant_data_version() != first


def _run(connection, tenants: str, status: str = SyncStatus.SUCCEEDED) -> SyncRun:
    return SyncRun.objects.create(connection=connection, status=status, finished_at=timezone.now(), tenants=tenants)


def test_unavailable_only_when_every_accounts_latest_success_says_so():
    assert selectors.tenants_unavailable() is False  # never synced: nothing is known
    first = ConnectionFactory()
    _run(first, TenantSyncState.SYNCED)
    _run(first, TenantSyncState.UNAVAILABLE)
    _run(first, "", status=SyncStatus.FAILED)  # a later failure says nothing about tenants
    assert selectors.tenants_unavailable() is True
    second = ConnectionFactory()
    assert selectors.tenants_unavailable() is True  # the second one has not synced yet
    _run(second, TenantSyncState.SYNCED)
    assert selectors.tenants_unavailable() is False
    second.is_active = False
    second.save()
    assert selectors.tenants_unavailable() is True
