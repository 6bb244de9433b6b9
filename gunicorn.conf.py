"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (see ``make run``).

Run it behind a reverse proxy that buffers requests (nginx, a load balancer): a sync
worker reads the body itself, so a client that sends slowly would hold it.
"""

import gc
import os
import re

from gunicorn.glogging import Logger


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Local only unless told otherwise: CAVEAT_BIND="0.0.0.0:8000" behind a proxy or in a container.
bind = os.environ.get("CAVEAT_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Analysis is CPU-bound (one vectorised predict a request): a worker a core. Each worker
# holds the model (~190 MiB resident once it has served); CAVEAT_WORKERS overrides.
workers = int(os.environ.get("CAVEAT_WORKERS") or _cores())
worker_class = "sync"
# Load (and hash-check) the model once in the master: a tampered artifact stops the start
# before any worker forks, and the workers share its pages after fork.
preload_app = True
# A worker silent for this long is killed and replaced. The request limits (MAX_SENTENCES,
# MAX_BATCH_CHARS, MAX_CONTENT_LENGTH) keep the slowest request measured under ~11 s on
# one core, so only a stuck worker gets here.
timeout = 30
# On a restart (HUP, max_requests), a worker finishes its request within this time.
graceful_timeout = 20
# Recycle workers now and then so a slow leak cannot grow; the jitter keeps them from
# restarting together. Not more often: a new worker starts with cold memos, and with 1,000
# a worker under full load (~250 requests/s) was replaced every 4 s, which put p99 at
# 135-476 ms at 8 connections against 20-28 ms with 50,000 (bench.http, wrk). Memory stays
# bounded meanwhile: every cache of a worker has a cap (bench/soak.py watches RSS).
max_requests = 50_000
max_requests_jitter = 5_000
# Idle keep-alive connections are closed after this many seconds.
keepalive = 5
# Request line and headers: an API key or a request id is far below these.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# The heartbeat file in memory: a slow or full disk cannot make workers look stuck.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# The app writes its own JSON-lines request log (never any body content) instead.
accesslog = None

#: A request target's query: gunicorn's own log lines quote the whole target.
_QUERY = re.compile(r"\?\S*")


class PrivateLogger(Logger):
    """gunicorn's error log without what a request sent: a failed request's line is logged
    without its query string (the app's log never has it either), and a malformed
    request, whose error gunicorn logs with the raw line or header it could not read, by
    the client's address alone. Drafts are confidential; a client may put text anywhere."""

    def exception(self, msg, *args, **kwargs) -> None:
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            args = tuple(_QUERY.sub("", a) if isinstance(a, str) else a for a in args)
        super().exception(msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs) -> None:
        if isinstance(msg, str) and msg.startswith("Invalid request from ip="):
            msg, args = msg.partition(": ")[0] + ": malformed request (not quoted)", ()
        super().warning(msg, *args, **kwargs)


logger_class = PrivateLogger


def pre_request(worker, req) -> None:
    """Mark the worker busy with a request, for ``worker_abort``."""
    worker.caveat_in_request = True


def post_request(worker, req, environ, resp) -> None:
    """The request is done."""
    worker.caveat_in_request = False


def worker_abort(worker) -> None:
    """gunicorn's timeout (SIGABRT) in the middle of a request: raise into the request, so
    the app answers its JSON 500 (and logs it with the request id) before the worker goes,
    where gunicorn would send an HTML page. Idle, the worker just exits, as gunicorn does."""
    if getattr(worker, "caveat_in_request", False):
        from service.errors import WorkerTimeout

        worker.caveat_in_request = False  # once: a second abort finds the worker leaving
        raise WorkerTimeout


def pre_fork(server, worker) -> None:
    """Move everything the master has loaded (the model, its maps and vocabularies) out of
    the garbage collector's reach before a worker forks. A collection in the worker would
    otherwise write to the header of every one of those objects and so copy every page
    that holds one: the pages preload_app shares. With it, one worker's private memory
    after a warm load is 32 MB instead of 77 (bench.startup, model 1.2.0); the objects
    live as long as the process anyway."""
    gc.freeze()
