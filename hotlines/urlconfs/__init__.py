"""The URL patterns of each feature, joined by hotlines/urls.py (one module per feature, so that
features grow without editing one shared list)."""
