"""Warm a fresh web process before it takes requests (gunicorn's `post_worker_init`).

Otherwise its first request pays for importing every view (0.3 s), compiling the templates
(0.15 s) and, on a new data version, counting the hotlines (1.5 s at 1,000,000 rows on
PostgreSQL): under load, with every process starting at once, that made the first seconds'
requests take 2–3 s.

Then `heap_freeze` takes what the warm-up built out of the cyclic garbage collector's sight.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> None:
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports the URL conf, hence every view
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            get_template(str(path.relative_to(directory)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Hotlines")  # loads the language's catalogue
    from hotlines.selectors import hotline_caches_warm

    try:
        hotline_caches_warm()
    except DatabaseError:
        # Not migrated yet, or the database is down: /readyz says so, and the first request counts.
        logger.warning("warm-up: could not count the hotlines ahead of the first request", exc_info=True)
    finally:
        connections.close_all()  # the process opens its own connections when requests come
    logger.info("warm-up done in %.0f ms", (time.perf_counter() - started) * 1000)


def heap_freeze() -> None:
    """Move every object alive now (modules, URL patterns, compiled templates, translation
    catalogues: about 150,000) to the collector's permanent generation (`gc.freeze`), after a
    last collection. They live as long as the process, yet each full collection walked them
    all: a 60 ms pause every few hundred requests, and 0.4 ms of a request's CPU on average
    spent collecting. Frozen, the pauses are under 6 ms and collecting costs about 0.2 ms a
    request (docs/benchmarks.md, "load and first import, session 12"). Only for a long-lived
    web process, once it is warm: what is frozen is never collected."""
    gc.collect()
    gc.freeze()
