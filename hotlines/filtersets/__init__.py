"""The lists' filters (django-filter), one module per list, what the browsing lists share
(lenient.py) and the filters any list may use (fields.py); the hotline list's are re-exported here."""

from .hotlines import FACETS, HotlineFilterSet
from .tenants import TENANT_FACETS, TenantFilterSet

__all__ = ["FACETS", "TENANT_FACETS", "HotlineFilterSet", "TenantFilterSet"]
