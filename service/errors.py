"""One error body for every failure: ``{"error": {"code", "message", "details"}}``.

The handlers turn our ``APIError``, marshmallow's ``ValidationError``, every
werkzeug ``HTTPException`` and any other exception into that shape. A bug is a
500 ``internal`` logged with the request id, the exception type and its
traceback frames, never its message: messages can quote the article, and
drafts are confidential.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from flask import Flask, Response, g, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

logger = logging.getLogger("caveat.errors")

#: The stable codes of DESIGN.md; any other status gets the snake_case of its name.
CODES = {
    400: "invalid_json",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal",
}

#: Messages for the statuses the API produces itself (werkzeug's are written for browsers).
MESSAGES = {
    400: "The body is not valid JSON (UTF-8).",
    401: "Send a valid API key, as Authorization: Bearer KEY or X-API-Key: KEY.",
    404: "No such endpoint.",
    405: "This endpoint does not accept that method.",
    413: "The body is larger than the configured limit.",
    415: "Send application/json (or text/plain where the endpoint accepts it).",
    422: "The request does not match the schema; details names each field.",
    429: "Too many requests; retry after the seconds in Retry-After.",
    500: "An internal error occurred; it has been logged with this request id.",
}


_TAG = re.compile(r"<[^>]+>")


class WorkerTimeout(Exception):
    """Raised in a request whose worker ran past gunicorn's timeout (gunicorn.conf.py's
    ``worker_abort``), so that the client gets the JSON 500 rather than gunicorn's HTML page."""


class APIError(Exception):
    """An error the API answers on purpose, with its status, stable code and details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_code(status: int, name: str) -> str:
    """The stable code of a status: DESIGN.md's table, else the snake_case of its name."""
    if status in CODES:
        return CODES[status]
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")


def error_body(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    """The one error shape of DESIGN.md."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    """A JSON error response."""
    response = jsonify(error_body(code, message, details))
    response.status_code = status
    return response


def log_exception(exc: BaseException) -> None:
    """Log an unhandled exception by type and traceback frames only: no message, args or locals."""
    chain = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(
            {
                "type": f"{type(current).__module__}.{type(current).__qualname__}",
                # file:line in function, from the code; FrameSummary never holds locals here.
                "frames": [
                    f"{frame.filename}:{frame.lineno} in {frame.name}"
                    for frame in traceback.extract_tb(current.__traceback__)
                ],
            }
        )
        current = current.__cause__ or current.__context__
    logger.error(
        "unhandled exception",
        extra={
            "request_id": g.get("request_id"),
            "exc_type": chain[0]["type"],
            "exc_chain": chain,
        },
    )


def _handle_api_error(e: APIError) -> Response:
    response = error_response(e.status, e.code, e.message, e.details)
    response.headers.update(e.headers)
    return response


def _handle_validation_error(e: ValidationError) -> Response:
    # A schema-level error comes as a list; keep details a mapping of field -> messages.
    details = e.messages if isinstance(e.messages, dict) else {"_schema": e.messages}
    return error_response(422, CODES[422], MESSAGES[422], details)


def _handle_http_exception(e: HTTPException) -> Response:
    status = e.code or 500
    if isinstance(e, InternalServerError):
        # With an original_exception, Flask's handle_exception has wrapped a failure (in an
        # error handler or after_request) and logged it through app.log_exception already.
        if e.original_exception is None:
            log_exception(e)
        return _internal_response()
    details = {}
    if status == 405 and getattr(e, "valid_methods", None):
        details["allowed"] = sorted(e.valid_methods)
    # werkzeug's descriptions are written for HTML pages ("<code>Content-Length</code>").
    message = MESSAGES.get(status) or _TAG.sub("", e.description or e.name)
    response = error_response(status, error_code(status, e.name), message, details)
    # Keep Allow, Retry-After, WWW-Authenticate...; the body is ours, so not its Content-Type.
    for key, value in e.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def internal_error_body() -> dict[str, Any]:
    """The body of a 500 internal: the request id names the failure in the log."""
    return error_body(CODES[500], MESSAGES[500], {"request_id": g.get("request_id")})


def _internal_response() -> Response:
    response = jsonify(internal_error_body())
    response.status_code = 500
    return response


def _handle_unexpected(e: Exception) -> Response:
    log_exception(e)
    return _internal_response()


def register_error_handlers(app: Flask) -> None:
    """Answer every error of the app with the JSON error body."""
    app.register_error_handler(APIError, _handle_api_error)
    app.register_error_handler(ValidationError, _handle_validation_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
