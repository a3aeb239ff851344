"""The lists' filters (django-filter), one module per list, and the filters they share
(fields.py); the hotline list's are re-exported here."""

from .hotlines import FACETS, HotlineFilterSet

__all__ = ["FACETS", "HotlineFilterSet"]
