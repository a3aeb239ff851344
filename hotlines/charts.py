"""Bar charts of the home page, as numbers a template turns into SVG (no JavaScript, no CDN).

Each bar and each segment carries the list URL it stands for, so a click on "Viettel · Disabled"
lands on that list.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import HotlineStatus, Network, label_for
from .listing import list_url
from .selectors import HotlineTotals

STATUS_CSS = {HotlineStatus.ENABLED: "enabled", HotlineStatus.DISABLED: "disabled", HotlineStatus.NEW: "new"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of a bar: its value, where it starts and how wide it is (in % of the widest bar)."""

    key: str
    label: str
    value: int
    x: float
    width: float
    url: str
    css: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a chart: a label, a total, a link, and its segments."""

    key: str
    label: str
    value: int
    url: str
    segments: tuple[Segment, ...]
    share: float  # % of the chart's total


def _ordered(known: list[str], present: dict[str, int]) -> list[str]:
    """Documented values first (when present), then any other value eTelecom sent, biggest first."""
    extra = sorted((value for value in present if value not in known), key=lambda v: (-present[v], v))
    return [value for value in known if present.get(value)] + extra


def status_bars(totals: HotlineTotals) -> list[Bar]:
    """Live hotlines per status."""
    by_status = totals.by(1)
    widest = max(by_status.values(), default=0) or 1
    total = sum(by_status.values()) or 1
    bars = []
    for status in _ordered(list(HotlineStatus.values), by_status):
        value, url = by_status[status], list_url(status=status)
        label = label_for(HotlineStatus, status)
        css = STATUS_CSS.get(status, "other")
        segment = Segment(status, label, value, 0.0, 100 * value / widest, url, css)
        bars.append(Bar(status, label, value, url, (segment,), 100 * value / total))
    return bars


def network_bars(totals: HotlineTotals) -> list[Bar]:
    """Live hotlines per network, each bar split by status."""
    by_network, by_status = totals.by(0), totals.by(1)
    widest = max(by_network.values(), default=0) or 1
    total = sum(by_network.values()) or 1
    statuses = _ordered(list(HotlineStatus.values), by_status)
    bars = []
    for network in _ordered(list(Network.values), by_network):
        network_label = label_for(Network, network)
        segments, x = [], 0.0
        for status in statuses:
            value = totals.by_pair.get((network, status), 0)
            if not value:
                continue
            width = 100 * value / widest
            segments.append(
                Segment(
                    status, f"{network_label} · {label_for(HotlineStatus, status)}", value, x, width,
                    list_url(network=network, status=status), STATUS_CSS.get(status, "other"),
                )
            )  # fmt: skip
            x += width
        value = by_network[network]
        bars.append(Bar(network, network_label, value, list_url(network=network), tuple(segments), 100 * value / total))
    return bars


def status_legend(totals: HotlineTotals) -> list[tuple[str, str, str]]:
    """(status, label, css) for every status the charts show."""
    by_status = totals.by(1)
    return [
        (status, label_for(HotlineStatus, status), STATUS_CSS.get(status, "other"))
        for status in _ordered(list(HotlineStatus.values), by_status)
    ]
