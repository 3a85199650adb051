"""gunicorn settings for production (``make serve-prod``; see README "Production").

Threads suit this app: a request spends most of its time waiting on PostgreSQL,
and threads share one SQLAlchemy pool per worker. Size by the machine:
workers = 2 x cores + 1 (at least 2), 4 threads each. Every value can be
overridden from the environment (GUNICORN_WORKERS, GUNICORN_THREADS, PORT).
"""

import gc
import multiprocessing
import os
import sys

# A server started without settings is a production server, whatever the checkout's
# development choice (instance/settings.env, written by `make run`) says: it then refuses
# to start without a real SURVEY_SECRET_KEY. Set SURVEY_ENV to serve anything else.
os.environ.setdefault("SURVEY_ENV", "production")

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then: bounded memory over weeks. Not more often: a new worker
# starts with empty desk, page and connection caches, and at 5,000 requests each worker was
# replaced every few seconds under a QR rush, a tenth of the servers' CPU (bench/README.md,
# session 6). At a province's real rate this is a restart every few hours.
max_requests = 50000
max_requests_jitter = 5000
# The master imports (and warms, see survey_app/warmup.py) the app once; every worker,
# and every replacement of a recycled one, is a fork of it, serving at once instead of
# spending a second or two importing and compiling. A code change therefore needs a
# restart, not a HUP (docs/deploy/survey.service restarts).
preload_app = True
# No access log: it would write respondents' IP addresses and user agents next to
# the time of each submission. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """Objects made at start-up are never collected: keep the workers' collector off them.

    Otherwise each worker's garbage collector walks (and, by touching reference
    counts, copies) the whole preloaded app again and again.
    """
    gc.freeze()


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """A forked worker must not share the master's database connections (it has none, but be sure)."""
    extensions = sys.modules.get("survey_app.extensions")
    if extensions is not None and extensions.db.engine is not None:
        extensions.db.engine.dispose(close=False)
