"""The Django admin: one more door to the same services and rules as the dashboard; history is read-only.

Django's autodiscovery imports this package; importing its modules registers their admins.
"""

from . import connections, history, notifications, tenants, users

__all__ = ["connections", "history", "notifications", "tenants", "users"]
