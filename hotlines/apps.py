from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .collation import register_on_sqlite


class HotlinesConfig(AppConfig):
    name = "hotlines"
    verbose_name = _("Hotlines")

    def ready(self) -> None:
        # Every SQLite connection, the migrating one included, needs the collation its columns use.
        connection_created.connect(register_on_sqlite, dispatch_uid="hotlines.sqlite_collation")
        post_migrate.connect(_ensure_default_connection, sender=self)
        from . import signals  # the security area's receivers: audit of sign-ins, roles after migrate

        signals.connect(self)


def _ensure_default_connection(**kwargs) -> None:
    """After migrate, ETELECOM_BASE_URL and ETELECOM_API_KEY (when set) define the `default` connection."""
    from .services.connections.writes import connection_ensure_from_settings

    connection_ensure_from_settings()
