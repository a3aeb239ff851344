from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "hotlines"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="hotlines:list", query_string=True), name="home"),
    path("hotlines/", views.HotlineListView.as_view(), name="list"),
    path("hotlines/<int:pk>/", views.HotlineDetailView.as_view(), name="detail"),
    path("syncs/", views.SyncRunListView.as_view(), name="sync-list"),
    path("syncs/<int:pk>/", views.SyncRunDetailView.as_view(), name="sync-detail"),
]
