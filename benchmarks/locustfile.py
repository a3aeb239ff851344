"""Staff browsing the dashboard: lists with random filters, searches and sorts, detail pages, home.

Run by benchmarks/bench_load.py (headless, loopback only, bounded in time). Each simulated user
takes a ready-made session from BENCH_SESSIONS so the test measures browsing, not password
hashing.
"""

import os
import random

from locust import HttpUser, between, task

SESSIONS = [s for s in os.environ.get("BENCH_SESSIONS", "").split(",") if s]
HOTLINE_IDS = [int(i) for i in os.environ.get("BENCH_HOTLINE_IDS", "").split(",") if i]
NUMBERS = [n for n in os.environ.get("BENCH_NUMBERS", "").split(",") if n]
STATUSES = ["P", "N", "Z"]
NETWORKS = ["viettel", "mobifone", "vinaphone", "other", "unknown"]
SORTS = ["hotline", "-hotline", "name", "-name", "network", "status", "-created_at", "updated_at", "-updated_at"]
WORDS = ["tong dai", "Tổng đài", "khách hàng", "hotline", "Hòa Phát", "Mai Linh", "ngân hàng", "đặt lịch"]


class Staff(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        session = random.choice(SESSIONS)
        self.client.cookies.set("sessionid", session)

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
        self.client.get("/hotlines/", params=params, name="/hotlines/ [filters]")

    @task(3)
    def search(self) -> None:
        if NUMBERS and random.random() < 0.5:
            number = random.choice(NUMBERS)
            query = random.choice([number, number[:6], " ".join([number[:3], number[3:6], number[6:]])])
        else:
            query = random.choice(WORDS)
        self.client.get("/hotlines/", params={"q": query}, name="/hotlines/ [search]")

    @task(2)
    def detail(self) -> None:
        if HOTLINE_IDS:
            self.client.get(f"/hotlines/{random.choice(HOTLINE_IDS)}/", name="/hotlines/<id>/")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="/")
