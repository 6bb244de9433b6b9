"""The structured log: one JSON line a request, and never any body content.

A line carries the request id, method, path, status, duration, the sizes of
the request and response bodies and the id of the API key that was sent (never
the key); never the text, title, cues or any other part of a body, because
drafts are confidential. ``configure_logging`` is called by
``create_app``; importing this module configures nothing.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request

#: Every logger of the service hangs below this one.
ROOT_LOGGER = "caveat"
logger = logging.getLogger(f"{ROOT_LOGGER}.request")

#: The only record attributes a line may carry besides time, level, logger and message:
#: a whitelist, so that nothing passed by accident (a body, an exception's args) is written.
FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "request_bytes",
    "response_bytes",
    "key_id",
    "exc_type",
    "exc_chain",
    "model_version",
    "models_dir",
    "reason",
    "key_count",
    "rate_limit",
    "ratelimit_storage",
    "cors_origins",
)

REQUEST_ID_HEADER = "X-Request-ID"
# An id sent by a client or proxy is echoed only when it is short and plain; else we make one.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


_LINE_SEPARATORS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class JSONLinesFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and whitelisted fields."""

    def format(self, record: logging.LogRecord) -> str:
        """One line of JSON; ``exc_info`` is ignored on purpose (its message may quote text)."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            if key in record.__dict__:
                line[key] = record.__dict__[key]
        text = json.dumps(line, ensure_ascii=False, default=str)
        # Line separators that JSON leaves raw but many log readers split lines at (a
        # request path may hold them): escaped, so a record stays one line to every reader.
        return text.translate(_LINE_SEPARATORS)


class _ServiceHandler(logging.StreamHandler):
    """The handler create_app installs; a type of its own so a second app replaces it."""


def configure_logging(app: Flask) -> None:
    """Send the service's logs to stderr as JSON lines and log every request."""
    root = logging.getLogger(ROOT_LOGGER)
    level = app.config["LOG_LEVEL"]
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for handler in list(root.handlers):
        if isinstance(handler, _ServiceHandler):
            root.removeHandler(handler)
    handler = _ServiceHandler(sys.stderr)
    handler.setFormatter(JSONLinesFormatter())
    root.addHandler(handler)
    app.before_request(_start_request)
    app.after_request(_log_request)


def _start_request() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if _CLIENT_REQUEST_ID.fullmatch(sent) else str(uuid.uuid4())
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = None if started is None else round((time.perf_counter() - started) * 1000, 2)
    logger.info(
        "request",
        extra={
            "request_id": g.get("request_id"),
            "method": request.method,
            # The path only: a query string is client data we have no use for in a log.
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "request_bytes": request.content_length,
            "response_bytes": response.content_length,
            # Set by the key check (service.security); null when open or no valid key was sent.
            "key_id": g.get("key_id"),
        },
    )
    if g.get("request_id"):
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
