"""The lists' tables (django-tables2), one module per list; the hotline list's are re-exported
here so `from hotlines.tables import HotlineTable` keeps working."""

from .hotlines import STATUS_BADGES, HotlineTable, columns_all, long_id_html, number_html
from .tenants import TenantTable

__all__ = ["STATUS_BADGES", "HotlineTable", "TenantTable", "columns_all", "long_id_html", "number_html"]
