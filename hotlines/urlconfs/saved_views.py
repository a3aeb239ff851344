"""URL patterns of the saved views pages (joined by hotlines/urls.py)."""

urlpatterns: list = []
