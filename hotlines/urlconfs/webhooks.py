"""URL patterns of the webhooks pages (joined by hotlines/urls.py)."""

urlpatterns: list = []
