"""URL patterns of the notifications pages (joined by hotlines/urls.py)."""

from django.urls import path

from ..views import notifications

urlpatterns: list = [
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/bell/", notifications.NotificationBellView.as_view(), name="notification-bell"),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/read/", notifications.NotificationReadView.as_view(), name="notification-read"),
]
