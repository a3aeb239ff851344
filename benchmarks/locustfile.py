"""Staff browsing the dashboard: lists with random filters, searches and sorts, detail pages, home.

Run by benchmarks/bench_load.py (headless, loopback only, bounded in time). Each simulated user
takes a ready-made session from BENCH_SESSIONS so the test measures browsing, not password
hashing.

The users are FastHttpUser (geventhttpclient): 100 of them with `requests` cost locust itself
about a core's worth of the 2-core machine the server is measured on. Each answer's
`Server-Timing: cpu;dur=…` (the server's CPU milliseconds for it, see CpuTimingMiddleware) is
kept per kind of page and written to BENCH_CPU_OUT (JSON) when locust quits; samples from before
every user arrived are dropped, as locust's own statistics are (--reset-stats).
"""

import html
import json
import os
import random
import re
from collections import defaultdict
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

SESSIONS = [s for s in os.environ.get("BENCH_SESSIONS", "").split(",") if s]
HOTLINE_IDS = [int(i) for i in os.environ.get("BENCH_HOTLINE_IDS", "").split(",") if i]
NUMBERS = [n for n in os.environ.get("BENCH_NUMBERS", "").split(",") if n]
STATUSES = ["P", "N", "Z"]
NETWORKS = ["viettel", "mobifone", "vinaphone", "other", "unknown"]
SORTS = ["hotline", "-hotline", "name", "-name", "network", "status", "-created_at", "updated_at", "-updated_at"]
CPU_TIMING = re.compile(r"cpu;dur=([0-9.]+)")
# A list page whose count is still being counted asks for it at once (htmx, hx-trigger="load").
COUNT_PENDING = re.compile(r'data-count-pending hx-get="([^"]+)"')
cpu_ms: dict[str, list[float]] = defaultdict(list)


@events.spawning_complete.add_listener
def _all_arrived(user_count: int, **_kwargs) -> None:
    cpu_ms.clear()


@events.quitting.add_listener
def _write_cpu(**_kwargs) -> None:
    if out := os.environ.get("BENCH_CPU_OUT"):
        with open(out, "w") as file:
            json.dump(cpu_ms, file)


WORDS = ["tong dai", "Tổng đài", "khách hàng", "hotline", "Hòa Phát", "Mai Linh", "ngân hàng", "đặt lịch"]


class Staff(FastHttpUser):
    # A second on average between two pages (was 1.25 s with 50 users): 100 users then ask for
    # up to ~95 pages a second, what the target of 80 requests/s needs the server to keep up with.
    wait_time = between(0.25, 1.75)

    def on_start(self) -> None:
        host = self.host.split("://", 1)[-1].split(":")[0]
        self.client.cookiejar.set_cookie(create_cookie("sessionid", random.choice(SESSIONS), domain=host))

    def _get(self, path: str, name: str, params=None, headers=None):
        if params:
            path = f"{path}?{urlencode(params)}"
        response = self.client.get(path, name=name, headers=headers)
        timing = CPU_TIMING.search(response.headers.get("Server-Timing", "") or "")
        if timing and response.status_code == 200:
            cpu_ms[name].append(float(timing[1]))
        return response

    def _list(self, name: str, params) -> None:
        """A list page, then, as a browser's htmx does when the page's count is pending, its counts."""
        response = self._get("/hotlines/", name, params)
        pending = COUNT_PENDING.search(response.text or "") if response.status_code == 200 else None
        if pending:
            self._get(html.unescape(pending[1]), "/hotlines/counts/", headers={"HX-Request": "true"})

    @task(6)
    def browse_list(self) -> None:
        params: list[tuple[str, str]] = []
        for status in random.sample(STATUSES, random.randint(0, 2)):
            params.append(("status", status))
        for network in random.sample(NETWORKS, random.randint(0, 2)):
            params.append(("network", network))
        if random.random() < 0.5:
            params.append(("sort", random.choice(SORTS)))
        if random.random() < 0.3:
            params.append(("page", str(random.randint(1, 50))))
        self._list("/hotlines/ [filters]", params)

    @task(3)
    def search(self) -> None:
        if NUMBERS and random.random() < 0.5:
            number = random.choice(NUMBERS)
            query = random.choice([number, number[:6], " ".join([number[:3], number[3:6], number[6:]])])
        else:
            query = random.choice(WORDS)
        self._list("/hotlines/ [search]", {"q": query})

    @task(2)
    def detail(self) -> None:
        if HOTLINE_IDS:
            self._get(f"/hotlines/{random.choice(HOTLINE_IDS)}/", "/hotlines/<id>/")

    @task(1)
    def home(self) -> None:
        self._get("/", "/")
