"""gunicorn settings for production (``make serve-prod``; see README "Production").

Threads suit this app: a request spends most of its time waiting on PostgreSQL,
and threads share one SQLAlchemy pool per worker. Size by the machine:
workers = 2 x cores + 1 (at least 2), 4 threads each. Every value can be
overridden from the environment (GUNICORN_WORKERS, GUNICORN_THREADS, PORT).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then: bounded memory over weeks
max_requests_jitter = 500
# No access log: it would write respondents' IP addresses and user agents next to
# the time of each submission. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
