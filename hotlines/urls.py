from django.urls import path

from .urlconfs import notifications as notification_urls
from .urlconfs import saved_views as saved_view_urls
from .urlconfs import webhooks as webhook_urls
from .views import (
    audit,
    connections,
    exports,
    health,
    home,
    hotlines,
    preferences,
    syncs,
    tenant_options,
    tenants,
    users,
)

app_name = "hotlines"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", home.HomeView.as_view(), name="home"),
    path("hotlines/", hotlines.HotlineListView.as_view(), name="list"),
    path("hotlines/<int:pk>/", hotlines.HotlineDetailView.as_view(), name="detail"),
    path("hotlines/counts/", hotlines.HotlineCountsView.as_view(), name="list-counts"),
    path("tenants/options/", tenant_options.TenantOptionsView.as_view(), name="tenant-options"),
    path("tenants/", tenants.TenantListView.as_view(), name="tenant-list"),
    path("tenants/<int:pk>/", tenants.TenantDetailView.as_view(), name="tenant-detail"),
    path("preferences/list/", preferences.ListPreferencesView.as_view(), name="list-preferences"),
    path("preferences/per-page/", preferences.ListPerPageView.as_view(), name="list-per-page"),
    path("preferences/language/", preferences.LanguageView.as_view(), name="language"),
    path("syncs/", syncs.SyncRunListView.as_view(), name="sync-list"),
    path("syncs/<int:pk>/", syncs.SyncRunDetailView.as_view(), name="sync-detail"),
    path("syncs/<int:pk>/progress/", syncs.SyncRunProgressView.as_view(), name="sync-progress"),
    path("syncs/<int:pk>/cancel/", syncs.SyncCancelView.as_view(), name="sync-cancel"),
    path("syncs/start/", syncs.SyncStartView.as_view(), name="sync-start"),
    path("freshness/", syncs.FreshnessView.as_view(), name="freshness"),
    path("exports/", exports.ExportRecordListView.as_view(), name="export-list"),
    path("exports/mine/", exports.MyExportListView.as_view(), name="export-mine"),
    path("exports/<int:pk>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/progress/", exports.ExportProgressView.as_view(), name="export-progress"),
    path("exports/<int:pk>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    # Administrators: connections, users and roles, the audit log.
    path("connections/", connections.ConnectionListView.as_view(), name="connection-list"),
    path("connections/add/", connections.ConnectionCreateView.as_view(), name="connection-add"),
    path("connections/<int:pk>/", connections.ConnectionUpdateView.as_view(), name="connection-edit"),
    path("connections/<int:pk>/active/", connections.ConnectionActiveView.as_view(), name="connection-active"),
    path("connections/<int:pk>/test/", connections.ConnectionTestView.as_view(), name="connection-test"),
    path("users/", users.UserListView.as_view(), name="user-list"),
    path("users/add/", users.UserCreateView.as_view(), name="user-add"),
    path("users/<int:pk>/", users.UserUpdateView.as_view(), name="user-edit"),
    path("users/<int:pk>/active/", users.UserActiveView.as_view(), name="user-active"),
    path("users/<int:pk>/unlock/", users.UserUnlockView.as_view(), name="user-unlock"),
    path("audit/", audit.AuditLogView.as_view(), name="audit-log"),
]
# Saved views and watches, notifications, webhooks: one module each.
urlpatterns += saved_view_urls.urlpatterns + notification_urls.urlpatterns + webhook_urls.urlpatterns
