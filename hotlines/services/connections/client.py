"""The eTelecom client for a connection, configured from it and from the settings."""

from __future__ import annotations

from django.conf import settings

from ...etelecom.client import EtelecomClient
from ...models import Connection


def connection_client(connection: Connection, *, wait_at_most: float | None = None) -> EtelecomClient:
    """A client for the connection's account, retrying as the settings say.

    With `wait_at_most` (a person is waiting on "Test connection"): one try, no retry (it would
    hide the problem), and the whole call within that many seconds however slowly eTelecom answers.
    """
    if wait_at_most is None:
        timeout, retries, deadline = connection.timeout, settings.ETELECOM_RETRIES, settings.ETELECOM_CALL_DEADLINE
    else:
        timeout, retries, deadline = wait_at_most, 0, min(wait_at_most, settings.ETELECOM_CALL_DEADLINE)
    return EtelecomClient(
        connection.base_url,
        connection.api_key,
        timeout=timeout,
        retries=retries,
        backoff_factor=settings.ETELECOM_BACKOFF,
        backoff_max=settings.ETELECOM_BACKOFF_MAX,
        deadline=deadline,
        answer_bytes_per_hotline=settings.ETELECOM_ANSWER_BYTES_PER_HOTLINE,
    )
