"""A running sync's estimate: never "171,400 of ~4,999", never a bar sitting at 99%."""

import pytest

from hotlines.selectors import SyncEstimate, sync_progress_estimate


@pytest.mark.parametrize(
    ("fetched", "expected", "estimate"),
    [
        (0, 5_000, SyncEstimate(expected=5_000, percent=0)),
        (2_500, 5_000, SyncEstimate(expected=5_000, percent=50)),
        (4_999, 5_000, SyncEstimate(expected=5_000, percent=99)),
        (5_000, 5_000, None),  # as many as last time, and maybe more to come
        (171_400, 4_999, None),  # the data grew: the old total says nothing
        (10, None, None),  # no successful run yet
        (10, 0, None),  # the last run found nothing
    ],
)
def test_the_estimate(fetched, expected, estimate):
    assert sync_progress_estimate(fetched=fetched, expected=expected) == estimate
