"""The freshness bar's figures and the copy of them shared between requests."""

import pickle

import pytest
from django.core.cache import cache

from hotlines import selectors
from hotlines.choices import SyncTrigger
from hotlines.services.sync import hotlines_sync
from hotlines.services.sync.runs import sync_run_start


@pytest.mark.django_db
def test_the_cached_copy_holds_no_api_key(connection, sandbox, superuser):
    hotlines_sync(connection=connection)
    sync_run_start(connection=connection, trigger=SyncTrigger.BUTTON, user=superuser, queued=True)
    selectors.freshness_cached()
    stored = pickle.dumps(cache.get(selectors.FRESHNESS_KEY))
    assert connection.api_key.encode() not in stored
    assert b"api_key" not in stored
