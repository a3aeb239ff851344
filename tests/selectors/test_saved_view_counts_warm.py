"""After a sync the worker counts every saved view for the new data, so that the list's Views menu
and the home page's pins count nothing while a person waits."""

from __future__ import annotations

import pytest

from hotlines.selectors.counts import data_version
from hotlines.selectors.saved_views import saved_view_counts, saved_view_counts_warm
from hotlines.tasks.watches import watch_sync_run
from tests.factories import HotlineFactory, SavedViewFactory, SyncRunFactory

pytestmark = pytest.mark.django_db


def test_every_saved_views_count_is_ready_after_the_warm_up(connection, django_assert_num_queries):
    HotlineFactory.create_batch(3, connection=connection, status="P")
    HotlineFactory(connection=connection, status="N")
    views = [
        SavedViewFactory(query="status=P"),
        SavedViewFactory(query="status=N", shared=True),
        SavedViewFactory(query="status=P"),  # the same query: counted once
    ]
    assert saved_view_counts_warm() == 2
    version = data_version()
    with django_assert_num_queries(0):
        assert saved_view_counts(views, version=version) == {views[0].pk: 3, views[1].pk: 1, views[2].pk: 3}


def test_the_watch_task_warms_them_after_a_sync(connection, django_assert_num_queries):
    HotlineFactory.create_batch(2, connection=connection, status="P")
    view = SavedViewFactory(query="status=P")
    watch_sync_run.call(sync_run_id=SyncRunFactory(connection=connection, updated=2).pk)
    version = data_version()
    with django_assert_num_queries(0):
        assert saved_view_counts([view], version=version) == {view.pk: 2}
