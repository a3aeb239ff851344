"""A deterministic, realistic demo data set of Vietnamese hotlines and tenants, generated lazily.

Item `index` 0 of each list is the newest. Any item can be generated on its own from (seed,
index) in O(1), so a sandbox can serve a million hotlines and 50,000 tenants without holding
them in memory. Hotlines and tenants agree on owners (`owners.py`): most owners have one
tenant, about one in ten has two, and about 5% of hotlines have an owner with no tenant.
"""

from .hotlines import NETWORK_WEIGHTS, NETWORKS, STATUS_WEIGHTS, STATUSES, hotline
from .owners import default_tenants, owner_counts
from .tenants import tenant

__all__ = [
    "NETWORKS",
    "NETWORK_WEIGHTS",
    "STATUSES",
    "STATUS_WEIGHTS",
    "default_tenants",
    "hotline",
    "owner_counts",
    "tenant",
]
