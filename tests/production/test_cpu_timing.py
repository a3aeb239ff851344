"""The CPU time per request the load benchmark reads (Server-Timing), only when turned on."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SERVER_TIMING = re.compile(r"^cpu;dur=(\d+\.\d\d)$")


def test_each_response_says_its_cpu_time_when_turned_on(settings, viewer):
    settings.SERVER_TIMING_CPU = True
    client = Client()  # a new client builds its middleware stack under the setting
    client.force_login(viewer)
    for path in ("/", "/hotlines/", "/healthz", "/no-such-page/"):
        response = client.get(path)
        match = SERVER_TIMING.match(response["Server-Timing"])
        assert match, (path, response["Server-Timing"])
        assert 0 <= float(match[1]) < 60_000
    # A streamed answer says its CPU time up to the first byte, like any other.
    response = client.get("/hotlines/", {"_export": "csv"})
    assert SERVER_TIMING.match(response["Server-Timing"])


def test_no_cpu_time_is_said_by_default(settings, viewer):
    assert settings.SERVER_TIMING_CPU is False
    client = Client()
    client.force_login(viewer)
    for path in ("/", "/hotlines/", "/healthz"):
        assert "Server-Timing" not in client.get(path)


def test_the_figure_is_this_request_s_cpu_time(settings, viewer, monkeypatch):
    """The header carries the thread's CPU time between the request's start and its answer."""
    from hotlines import middleware

    clock = iter([10.0, 10.0125])
    monkeypatch.setattr(middleware, "thread_time", lambda: next(clock))
    settings.SERVER_TIMING_CPU = True
    response = Client().get("/healthz")
    assert response["Server-Timing"] == "cpu;dur=12.50"
