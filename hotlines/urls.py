from django.urls import path
from django.views.generic import RedirectView

from .views import health, hotlines, syncs

app_name = "hotlines"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", RedirectView.as_view(pattern_name="hotlines:list", query_string=True), name="home"),
    path("hotlines/", hotlines.HotlineListView.as_view(), name="list"),
    path("hotlines/<int:pk>/", hotlines.HotlineDetailView.as_view(), name="detail"),
    path("syncs/", syncs.SyncRunListView.as_view(), name="sync-list"),
    path("syncs/<int:pk>/", syncs.SyncRunDetailView.as_view(), name="sync-detail"),
]
