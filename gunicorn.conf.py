"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (see ``make run``)."""

import os

# Local only unless told otherwise: CAVEAT_BIND="0.0.0.0:8000" behind a proxy or in a container.
bind = os.environ.get("CAVEAT_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Analysis is CPU-bound (one vectorised predict a request): a worker per core is plenty.
workers = 2
# Load (and hash-check) the model once in the master; workers share its pages after fork.
preload_app = True
# Longer than one analysis of a maximal request should take: past it a worker is stuck.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow; the jitter keeps them from
# restarting together.
max_requests = 1000
max_requests_jitter = 100
# The app writes its own JSON-lines request log (never any body content) instead.
accesslog = None
