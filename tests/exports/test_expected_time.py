"""Direct or background, by the time an export is expected to take (rows / the format's measured
rate), not by a row count alone: the person never waits more than EXPORT_MAX_DIRECT_SECONDS before
a download starts, and a fast format is not sent to the worker for nothing."""

from __future__ import annotations

import pytest

from hotlines.services import exports


@pytest.fixture
def defaults(settings):
    """The settings' defaults, whatever the environment running the tests says."""
    settings.EXPORT_MAX_DIRECT_SECONDS = 3.0
    settings.EXPORT_MAX_SYNC_ROWS = 1_000_000
    return settings


def test_the_rates_are_the_measured_ones():
    # docs/benchmarks.md: CSV 103,000-209,000 rows/s, JSON 69,000-90,000, Excel 18,800-25,300.
    assert exports.EXPORT_RATES == {"csv": 120_000, "json": 70_000, "xlsx": 20_000}
    assert exports.export_expected_seconds(fmt="xlsx", rows=100_000) == 5.0
    assert exports.export_expected_seconds(fmt="csv", rows=0) == 0.0


@pytest.mark.parametrize(
    ("fmt", "rows", "direct"),
    [
        ("csv", 300_000, True),  # 2.5 s
        ("csv", 400_000, False),  # 3.3 s
        ("json", 150_000, True),  # 2.1 s: between CSV and Excel
        ("json", 300_000, False),  # 4.3 s
        ("xlsx", 60_000, True),  # 3.0 s: the limit itself still streams
        ("xlsx", 60_001, False),
        ("xlsx", 100_000, False),  # 5 s: the 9-12 s wait of the issue, halved, is still too long
        ("xlsx", 0, True),
    ],
)
def test_the_expected_time_decides(defaults, fmt, rows, direct):
    assert exports.export_is_direct(fmt=fmt, rows=rows) is direct


def test_the_row_limit_still_bounds_a_fast_format(defaults):
    defaults.EXPORT_MAX_DIRECT_SECONDS = 3600
    assert exports.export_is_direct(fmt="csv", rows=1_000_000)
    assert not exports.export_is_direct(fmt="csv", rows=1_000_001)


def test_a_lower_limit_sends_more_to_the_worker(defaults):
    defaults.EXPORT_MAX_DIRECT_SECONDS = 0.5
    assert exports.export_is_direct(fmt="xlsx", rows=10_000)
    assert not exports.export_is_direct(fmt="xlsx", rows=10_001)
    assert exports.export_is_direct(fmt="csv", rows=60_000)
