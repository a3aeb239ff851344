"""Shared fixtures: the eTelecom sandbox over real HTTP, connections, users and clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from hotlines.etelecom.client import EtelecomClient
from hotlines.etelecom.sandbox import DEFAULT_API_KEY, SandboxServer
from hotlines.models import Connection

SANDBOX_SIZE = 230  # a few pages at page size 50, with a short last page
SANDBOX_SEED = 7


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer("127.0.0.1", 0, hotlines=SANDBOX_SIZE, seed=SANDBOX_SEED).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The sandbox, with its data and faults reset for this test."""
    sandbox_server.dataset.reset(size=SANDBOX_SIZE, seed=SANDBOX_SEED)
    sandbox_server.faults.clear()
    yield sandbox_server
    sandbox_server.faults.clear()


@pytest.fixture
def client_factory(sandbox):
    """Make an EtelecomClient for the sandbox with fast retries."""
    made = []

    def make(**kwargs) -> EtelecomClient:
        options = {
            "timeout": 5.0,
            "retries": 2,
            "backoff_factor": 0.01,
            "backoff_max": 0.05,
            "api_key": DEFAULT_API_KEY,
        }
        options.update(kwargs)
        client = EtelecomClient(sandbox.url, options.pop("api_key"), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def connection(db, sandbox) -> Connection:
    return Connection.objects.create(
        name="default", base_url=sandbox.url, api_key=DEFAULT_API_KEY, page_size=50, timeout=5
    )


def make_user(django_user_model, username: str, *perms: str, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def viewer(db, django_user_model):
    return make_user(django_user_model, "viewer", "hotlines.view_hotline")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root", email="root@example.com")


@pytest.fixture
def admin_user_client(client, superuser):
    client.force_login(superuser)
    return client
