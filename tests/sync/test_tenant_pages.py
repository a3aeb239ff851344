"""What people see of a sync's tenant part: the run page, the live progress, the command's lines."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotlines.choices import SyncStatus, TenantSyncState
from hotlines.etelecom.exceptions import NotAvailable
from hotlines.models import SyncRun
from hotlines.services.connections.client import connection_client
from hotlines.services.sync import orchestrator, sync_run_start
from tests.conftest import make_user

from .tenant_upstream import TenantClient

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Tenants are not available to this API key (eTelecom refused the tenant list); the hotlines synced."


@pytest.fixture
def operator_client(client, django_user_model):
    user = make_user(django_user_model, "operator", "hotlines.view_hotline", "hotlines.view_syncrun")
    client.force_login(user)
    return client


def figures(page: str, css_class: str) -> dict[str, str]:
    """The figures (dt → dd) of the <dl> with this class."""
    import re

    block = page.split(f'class="figures {css_class}"', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block))


def test_run_page_shows_the_tenant_figures(operator_client, tenant_upstream, sync_with_tenants):
    sync_with_tenants()
    tenant_upstream.remove(tenant_upstream.items[0]["id"])
    tenant_upstream.patch(tenant_upstream.items[0]["id"], name="<b>Đổi tên</b>")
    tenant_upstream.items.append({**tenant_upstream.items[1]})  # a duplicate
    run = sync_with_tenants()
    page = operator_client.get(reverse("hotlines:sync-detail", args=[run.pk])).content.decode()
    assert figures(page, "sync-tenant-figures") == {
        "Tenant pages": "1", "Tenants fetched": "9", "Tenants created": "0", "Tenants updated": "1",
        "Tenants removed": "1", "Tenants unchanged": "7", "Duplicate tenants ignored": "1",
    }  # fmt: skip
    assert UNAVAILABLE not in page


def test_run_page_says_in_words_that_tenants_are_not_available(operator_client, tenant_upstream, sync_with_tenants):
    synced = sync_with_tenants()
    tenant_upstream.fail = NotAvailable("eTelecom refused access with this API key (403 permission_denied)")
    run = sync_with_tenants()
    assert (run.status, run.tenants) == (SyncStatus.SUCCEEDED, TenantSyncState.UNAVAILABLE)
    operator_client.get(reverse("hotlines:sync-list"))  # the session, caches: paid once
    with CaptureQueriesContext(db) as baseline:
        operator_client.get(reverse("hotlines:sync-detail", args=[synced.pk]))
    with CaptureQueriesContext(db) as queries:
        page = operator_client.get(reverse("hotlines:sync-detail", args=[run.pk])).content.decode()
    assert len(queries) == len(baseline)  # the tenant part is the run's own row: no query of its own
    assert UNAVAILABLE in page
    assert "sync-tenant-figures" not in page
    assert "Stopped after" not in page and "Finished in" in page


def test_a_failed_run_does_not_claim_the_hotlines_synced(operator_client, tenant_upstream, sync_with_tenants, sandbox):
    tenant_upstream.fail = NotAvailable("refused")
    sandbox.faults.add("malformed", page=2)
    run = sync_with_tenants()
    assert (run.status, run.tenants) == (SyncStatus.FAILED, TenantSyncState.UNAVAILABLE)
    page = operator_client.get(reverse("hotlines:sync-detail", args=[run.pk])).content.decode()
    assert UNAVAILABLE not in page and "the data was left exactly as it was" in page


def test_progress_covers_the_tenant_list_then_the_hotlines(operator_client, connection):
    run = sync_run_start(connection=connection, trigger="command")
    SyncRun.objects.filter(pk=run.pk).update(tenant_pages=3, tenants_fetched=250)
    url = reverse("hotlines:sync-progress", args=[run.pk])
    page = operator_client.get(url).content.decode()
    assert "Reading the tenant list first: 250 tenants so far." in page
    SyncRun.objects.filter(pk=run.pk).update(tenants=TenantSyncState.SYNCED, pages=2, fetched=100)
    page = operator_client.get(url).content.decode()
    assert "2 pages, 100 hotlines fetched so far." in page and "250 tenants read." in page
    SyncRun.objects.filter(pk=run.pk).update(tenants=TenantSyncState.UNAVAILABLE)
    page = operator_client.get(url).content.decode()
    assert "Tenants are not available to this API key." in page


def test_progress_reaches_the_run_row_during_the_tenant_list(connection, tenant_upstream, sync_with_tenants):
    """Heartbeats during the tenant read publish its figures (what the fragment above shows)."""
    tenant_upstream.page_size = 2
    seen = []

    def progress(run) -> None:
        if run.status == SyncStatus.RUNNING and not run.pages:
            stored = SyncRun.objects.get(pk=run.pk)
            seen.append((run.tenant_pages, stored.tenant_pages <= run.tenant_pages, stored.tenants))

    orchestrator.HEARTBEAT_EVERY, saved = 0, orchestrator.HEARTBEAT_EVERY
    try:
        sync_with_tenants(progress=progress)
    finally:
        orchestrator.HEARTBEAT_EVERY = saved
    assert [pages for pages, _, _ in seen] == [1, 2, 3, 4, 5]
    assert all(ok for _, ok, _ in seen)
    stored = SyncRun.objects.get()
    assert (stored.tenant_pages, stored.tenants_fetched, stored.tenants) == (5, 9, TenantSyncState.SYNCED)


def test_command_output_mentions_tenants(connection, tenant_upstream, monkeypatch, capsys):
    monkeypatch.setattr(
        orchestrator, "connection_client", lambda c: TenantClient(connection_client(c), tenant_upstream)
    )
    call_command("sync_hotlines", "--no-progress")
    out = capsys.readouterr().out
    assert "default: ok pages=5 created=230" in out
    assert "tenants: pages=1 created=9 updated=0 removed=0 unchanged=0" in out
    tenant_upstream.fail = NotAvailable("refused")
    call_command("sync_hotlines", "--no-progress")
    out = capsys.readouterr().out
    assert "tenants=unavailable (eTelecom refused the tenant list to this API key; the hotlines synced)" in out
