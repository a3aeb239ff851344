"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (values overridable by env)."""

import multiprocessing
import os

wsgi_app = "etelecom_admin.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the dashboard is database-bound and short-request; 2×cores+1 is gunicorn's advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Exports stream for a while; anything slower than this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Django logs each request itself (one line, with request ID and timing): no separate access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "etelecom-admin"


def post_worker_init(worker) -> None:
    """Each worker imports its views, compiles its templates and counts the data before serving,
    then freezes that heap out of the garbage collector's way."""
    from etelecom_admin.warmup import heap_freeze, warm_up

    warm_up()
    heap_freeze()
