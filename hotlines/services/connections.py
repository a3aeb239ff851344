"""Writes to connections."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from ..etelecom.client import EtelecomClient
from ..models import Connection

DEFAULT_CONNECTION_NAME = "default"


def connection_ensure_from_settings() -> Connection | None:
    """Create or update the connection named `default` from ETELECOM_BASE_URL and ETELECOM_API_KEY."""
    base_url, api_key = settings.ETELECOM_BASE_URL, settings.ETELECOM_API_KEY
    if not (base_url and api_key):
        return None
    return connection_upsert(name=DEFAULT_CONNECTION_NAME, base_url=base_url, api_key=api_key)


@transaction.atomic
def connection_upsert(*, name: str, base_url: str, api_key: str, page_size: int | None = None) -> Connection:
    """Create the named connection or point it at a new URL and key (writes only when something changed)."""
    connection = Connection.objects.select_for_update().filter(name=name).first()
    if connection is None:
        return Connection.objects.create(
            name=name,
            base_url=base_url,
            api_key=api_key,
            page_size=page_size or settings.ETELECOM_PAGE_SIZE,
            timeout=settings.ETELECOM_TIMEOUT,
        )
    changed = connection.base_url != base_url or connection.api_key != api_key or not connection.is_active
    if page_size and connection.page_size != page_size:
        connection.page_size, changed = page_size, True
    if changed:
        connection.base_url, connection.api_key, connection.is_active = base_url, api_key, True
        connection.save()
    return connection


def connection_client(connection: Connection) -> EtelecomClient:
    """A client for the connection's account."""
    return EtelecomClient(connection.base_url, connection.api_key, timeout=connection.timeout)
