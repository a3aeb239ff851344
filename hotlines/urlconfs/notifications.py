"""URL patterns of the notifications pages (joined by hotlines/urls.py)."""

urlpatterns: list = []
