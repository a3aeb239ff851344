"""Reads: the querysets and figures that views, tables and exports show, one module per reader.

hotlines     the list's rows, one hotline, its status story and neighbours, the latest changes
counts       the list's count and facets, the home page's totals, a filter's values (cached per data version)
caching      `cached_once`: one process computes a cold figure, the others wait for it; `cached_if_quick`:
             a page computes it only within its budget
query_budget a read stopped by the database when it runs over its time budget
freshness    the freshness bar (last success and run per eTelecom account) and its cache
syncs        the Syncs list, a run's changes, a running sync's estimate
connections  eTelecom accounts with their last sync and test, their activity
tenants      the tenant list's rows and counts, one tenant's history and hotlines
tenancy      the mapping rule: which tenants a hotline belongs to
users        the Users page, locked-out user names, a person's preferences
audit        the audit log
readiness    what /readyz reports
saved_views  saved views a person may see, their live counts, home's pins, a person's watches (imported
             from its module: it reads the list's query through listing.py, which imports this package)

Callers import from here (`selectors.hotline_list(...)`); the modules import one another directly.
"""

from .audit import audit_entry_list
from .caching import cached_once
from .connections import connection_activity, connection_count, connection_list
from .counts import HotlineTotals, data_version, hotline_caches_warm, hotline_groups, hotline_totals, hotline_values
from .freshness import FRESHNESS_KEY, AccountFreshness, Freshness, freshness, freshness_cached, freshness_forget
from .hotlines import (
    Neighbours,
    StatusPeriod,
    StatusStory,
    hotline_change_latest,
    hotline_get,
    hotline_list,
    hotline_neighbours,
    hotline_rows,
    hotline_status_history,
    hotline_status_story,
)
from .readiness import readiness
from .syncs import (
    SyncEstimate,
    sync_expected_total,
    sync_progress_estimate,
    sync_run_change_counts,
    sync_run_changes,
    sync_run_list,
)
from .tenants import (
    tenant_changes,
    tenant_data_version,
    tenant_get,
    tenant_groups,
    tenant_hotlines,
    tenant_list,
    tenant_list_versions,
    tenant_values,
    tenants_unavailable,
)
from .users import user_list, user_locked_usernames, user_preference_get

__all__ = [
    "FRESHNESS_KEY",
    "AccountFreshness",
    "Freshness",
    "HotlineTotals",
    "Neighbours",
    "StatusPeriod",
    "StatusStory",
    "SyncEstimate",
    "audit_entry_list",
    "cached_once",
    "connection_activity",
    "connection_count",
    "connection_list",
    "data_version",
    "freshness",
    "freshness_cached",
    "freshness_forget",
    "hotline_caches_warm",
    "hotline_change_latest",
    "hotline_get",
    "hotline_groups",
    "hotline_list",
    "hotline_neighbours",
    "hotline_rows",
    "hotline_status_history",
    "hotline_status_story",
    "hotline_totals",
    "hotline_values",
    "readiness",
    "sync_expected_total",
    "sync_progress_estimate",
    "sync_run_change_counts",
    "sync_run_changes",
    "sync_run_list",
    "tenant_changes",
    "tenant_data_version",
    "tenant_get",
    "tenant_groups",
    "tenant_hotlines",
    "tenant_list",
    "tenant_list_versions",
    "tenant_values",
    "tenants_unavailable",
    "user_list",
    "user_locked_usernames",
    "user_preference_get",
]
