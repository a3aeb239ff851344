"""Shared fixtures: the eTelecom sandbox over real HTTP, connections, users and clients."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.db import connection as db_connection

from hotlines.choices import SyncStatus
from hotlines.etelecom.client import EtelecomClient
from hotlines.etelecom.sandbox import DEFAULT_API_KEY, SandboxServer
from hotlines.models import Connection
from hotlines.services.sync import hotlines_sync
from tests.factories import hotlines_from_payloads

# Tests of what exists on PostgreSQL only (its GIN indexes); CI runs the suite there too.
postgresql_only = pytest.mark.skipif(
    db_connection.vendor != "postgresql", reason="PostgreSQL only (its own indexes); CI runs this there"
)
# And of what exists on SQLite only (how its planner reads its own indexes).
sqlite_only = pytest.mark.skipif(
    db_connection.vendor != "sqlite", reason="SQLite only (its own indexes); CI runs this there"
)

SANDBOX_SIZE = 230  # a few pages at page size 50, with a short last page
SANDBOX_SEED = 7


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    """Each test starts with an empty cache (counts, the freshness bar), as a new server would;
    and emptying the cache within a test also forgets the figures each process keeps of it
    (selectors/caching.py), as a restarted server would."""
    from django.core.cache import cache, caches

    from hotlines.filtersets.hotlines import filter_forms_clear
    from hotlines.list_saved_views import list_menus_clear
    from hotlines.selectors.caching import known_clear
    from hotlines.selectors.tenant_lookup import tenant_lookups_clear
    from hotlines.tables.tenant_cells import tenant_cells_clear
    from hotlines.templatetags.kept import kept_clear

    backend = type(caches["default"])
    clear = backend.clear
    monkeypatch.setattr(backend, "clear", lambda self: (known_clear(), clear(self))[1])
    cache.clear()
    # What is kept per process, keyed by data versions that a rolled-back test may repeat.
    tenant_cells_clear()  # the hotline table's tenant cells
    tenant_lookups_clear()  # the tenant filter's tenants
    filter_forms_clear()  # the hotline filters' form classes
    list_menus_clear()  # the list's Views menus
    kept_clear()  # {% kept %} blocks (the home page's charts are kept per data version)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as a new request's thread does: a request signed
    in as someone who saved Vietnamese leaves it active in the thread (UserLanguageMiddleware), and
    a later test reading a label outside a request then read it in Vietnamese, in some orders."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
    sandbox_server.network.reset()
    yield sandbox_server
    sandbox_server.faults.clear()
    sandbox_server.network.reset()


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


@pytest.fixture
def synced(request, connection, sandbox) -> list[dict]:
    """The sandbox's hotlines in the database, as a successful first sync leaves them: their payloads.

    Built by factories (no HTTP), so a view test pays only for the rows. Browser tests walk the
    whole product, so theirs arrive as production's do: a real sync from the sandbox over HTTP.
    A later real sync in any test compares with these rows exactly as with its own snapshot.
    """
    items = sandbox.dataset.all()
    mirror(request, connection=connection, items=items)
    return items


def mirror(request: pytest.FixtureRequest, *, connection: Connection, items: list[dict]) -> None:
    """Put a connection's sandbox `items` in the database as a successful sync would: by a real
    sync over HTTP in browser tests, by factories elsewhere (see `synced`)."""
    if request.node.get_closest_marker("browser"):
        run = hotlines_sync(connection=connection)
        assert run.status == SyncStatus.SUCCEEDED, run.error
    else:
        hotlines_from_payloads(connection=connection, items=items)


def kept_and_afresh(monkeypatch: pytest.MonkeyPatch, read: Callable[[], str]) -> tuple[str, str]:
    """What `read` gets with the `{% kept %}` blocks as this process keeps them, then with none kept
    (each rendered afresh); the kept ones are put back after."""
    from hotlines.process_memo import ProcessMemo
    from hotlines.templatetags import kept

    kept_html = read()
    store = kept._kept
    monkeypatch.setattr(kept, "_kept", ProcessMemo(kept.MAX_KEPT))
    fresh = read()
    monkeypatch.setattr(kept, "_kept", store)
    return kept_html, fresh


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


# --- The API key never leaves the server -------------------------------------------------------
# Every response the suite gets (test client and live server: both go through
# BaseHandler.get_response) and every log record it emits is scanned for the known test keys;
# a test during which one shows up fails. Tests using other keys add them with `secret_canary`.

SECRET_CANARIES: set[str] = {DEFAULT_API_KEY}
_secret_leaks: list[str] = []


def _scan_for_secrets(text: str, where: str) -> None:
    for key in SECRET_CANARIES:
        if key in text:
            _secret_leaks.append(f"{where} contains the API key {key[:3]}…")


def _scan_chunks(chunks, where: str):
    for chunk in chunks:
        _scan_for_secrets(chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else str(chunk), where)
        yield chunk


class _SecretLogScanner(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken log call is not ours to report here
            return
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        _scan_for_secrets(text, f"log record of {record.name}")


@pytest.fixture(scope="session", autouse=True)
def _secret_scanner():
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response

    def get_response(self, request):
        response = original(self, request)
        where = f"the response to {request.method} {request.path}"
        _scan_for_secrets(str(response.headers), where)
        if getattr(response, "streaming", False):
            if not response.is_async:
                response.streaming_content = _scan_chunks(response.streaming_content, where)
        else:
            _scan_for_secrets(response.content.decode("utf-8", "replace"), where)
        return response

    BaseHandler.get_response = get_response
    scanner = _SecretLogScanner(level=logging.DEBUG)
    logging.getLogger().addHandler(scanner)
    yield
    logging.getLogger().removeHandler(scanner)
    BaseHandler.get_response = original


@pytest.fixture(autouse=True)
def _no_secret_leaked():
    seen = len(_secret_leaks)
    yield
    if len(_secret_leaks) > seen:
        leaks = sorted(set(_secret_leaks[seen:]))
        pytest.fail("An API key left the server: " + "; ".join(leaks), pytrace=False)


@pytest.fixture
def secret_canary():
    """Register a test API key: the suite then fails if it appears in any response or log record."""

    def register(key: str) -> str:
        SECRET_CANARIES.add(key)
        return key

    return register


@pytest.fixture
def database_url(tmp_path):
    """A database of the suite's kind that other processes (gunicorn, db_worker) can reach.

    pytest's own test database is invisible to them (in memory on SQLite, inside a transaction
    elsewhere), so this is a SQLite file or a fresh PostgreSQL database, dropped afterwards.
    """
    import uuid

    from django.db import connection as django_connection

    settings = django_connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'external.sqlite3'}"
        return
    import psycopg

    name = f"external_{uuid.uuid4().hex[:10]}"
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = params["user"] + (f":{params['password']}" if params["password"] else "")
    yield f"postgres://{user}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def process_env(sandbox, database_url) -> dict[str, str]:
    """The environment of a dashboard process of its own (manage.py, gunicorn, db_worker): the
    suite's settings on `database_url`, synced from the sandbox, over plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings",
        "DATABASE_URL": database_url,
        "ETELECOM_BASE_URL": sandbox.url,
        "ETELECOM_API_KEY": "sandbox-key",
        "ETELECOM_PAGE_SIZE": "50",
        "AXES_ENABLED": "0",
        "CSRF_COOKIE_SECURE": "0",  # plain HTTP on loopback
        "SESSION_COOKIE_SECURE": "0",
    }
