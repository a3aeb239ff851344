"""URL patterns of the saved views and watches pages (joined by hotlines/urls.py)."""

from django.urls import path

from ..views import saved_views, watches

urlpatterns: list = [
    path("views/", saved_views.SavedViewListView.as_view(), name="view-list"),
    path("views/add/", saved_views.SavedViewCreateView.as_view(), name="view-add"),
    path("views/<int:pk>/", saved_views.SavedViewOpenView.as_view(), name="view-open"),
    path("views/<int:pk>/edit/", saved_views.SavedViewEditView.as_view(), name="view-edit"),
    path("views/<int:pk>/save/", saved_views.SavedViewSaveStateView.as_view(), name="view-save"),
    path("views/<int:pk>/delete/", saved_views.SavedViewDeleteView.as_view(), name="view-delete"),
    path("views/<int:pk>/pin/", saved_views.SavedViewPinView.as_view(), name="view-pin"),
    path("watches/", watches.WatchListView.as_view(), name="watch-list"),
    path("watches/add/", watches.WatchCreateView.as_view(), name="watch-add"),
    path("watches/<int:pk>/", watches.WatchChannelView.as_view(), name="watch-channel"),
    path("watches/<int:pk>/delete/", watches.WatchDeleteView.as_view(), name="watch-delete"),
]
