"""GET /openapi.json: the OpenAPI 3 document, built from the schemas that validate requests."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, has_app_context
from marshmallow import fields

from . import schemas
from .errors import CODES

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"

#: The error responses, one a status, each with the one error body: (name, code, when).
_ERRORS = {
    400: ("InvalidJSON", CODES[400], "The body is not valid UTF-8 JSON."),
    404: ("NotFound", CODES[404], "No such endpoint."),
    405: ("MethodNotAllowed", CODES[405], "The endpoint does not accept that method."),
    413: ("PayloadTooLarge", CODES[413], "The body is over the configured limit (default 1 MB)."),
    415: (
        "UnsupportedMediaType",
        CODES[415],
        "Neither JSON nor, where accepted, UTF-8 text; or a compressed body (Content-Encoding).",
    ),
    422: ("ValidationError", CODES[422], "The JSON breaks the schema; details name each field."),
    500: ("Internal", CODES[500], "A bug, logged with the request id given in details."),
    503: ("ModelUnavailable", "model_unavailable", "The service started without a model."),
    401: ("Unauthorized", CODES[401], "No API key, or not a valid one, was sent."),
    429: ("RateLimited", CODES[429], "Too many requests for this key (or client address)."),
}
_ANALYZE_ERRORS = (400, 413, 415, 422, 500, 503)

#: A text that is not only whitespace: one character that ``str.isspace`` rejects (the API
#: strips with Python's rule, which is not JSON Schema's ``\s``).
_NOT_BLANK = (
    "[^\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
#: How a client sends its key; the document declares them only when keys are configured.
_SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key>"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}
_KEYED = [{"bearer": []}, {"apiKey": []}]


@bp.get("/openapi.json")
def openapi_document() -> dict:
    """The OpenAPI 3 document of this API."""
    return build_spec().to_dict()


def build_spec() -> APISpec:
    """Build the document from the marshmallow schemas, for the running configuration.

    In an app, the limits are the configured ones, the security schemes and 401s appear
    when API keys are configured, and the 429s when rate limiting is on.
    """
    keyed = limited = False
    if has_app_context():
        keyed = bool(current_app.extensions.get("caveat.keys"))
        limiter = current_app.extensions.get("caveat.limiter")
        limited = bool(limiter is not None and limiter.enabled)
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="caveat",
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={
            "description": (
                "Optimistic claims, the hedges and caveats that qualify them, and a balance "
                "score, sentence by sentence. Offsets are Unicode code point offsets into the "
                "text exactly as submitted."
            )
        },
    )
    plugin.converter.add_attribute_function(_analysis_or_error)
    plugin.converter.add_attribute_function(_any_batch_document)
    plugin.converter.add_attribute_function(_not_blank)
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    for status, (name, code, description) in _ERRORS.items():
        if (status == 401 and not keyed) or (status == 429 and not limited):
            continue
        response: dict[str, Any] = {
            "description": f"{code}: {description}",
            "content": {"application/json": {"schema": "Error"}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds until the limit lets this key in again.",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                }
            }
        spec.components.response(name, response)
    if keyed:
        for name, scheme in _SECURITY_SCHEMES.items():
            spec.components.security_scheme(name, scheme)
    _add_paths(spec, keyed, limited)
    return spec


def _add_access(path: str, operation: dict, keyed: bool, limited: bool) -> None:
    """The operation's security and its 401 and 429 answers, as the app is configured."""
    open_path = path in _OPEN_PATHS
    if keyed:
        operation["security"] = [] if open_path else _KEYED
        if not open_path:
            operation["responses"]["401"] = _ERRORS[401][0]
    if limited and path not in _UNLIMITED_PATHS:
        operation["responses"]["429"] = _ERRORS[429][0]


#: The paths of service.security.OPEN_ENDPOINTS and UNLIMITED_ENDPOINTS (static files aside).
_OPEN_PATHS = frozenset({"/", "/v1/health", "/openapi.json"})
_UNLIMITED_PATHS = frozenset({"/", "/v1/health"})


def _config(name: str) -> int:
    """A configured limit (MAX_SENTENCES, MAX_BATCH_CHARS); its default outside an app."""
    if has_app_context():
        return int(current_app.config.get(name) or 0)
    return int(getattr(schemas, name))


def _errors(*statuses: int) -> dict[str, str]:
    return {str(status): _ERRORS[status][0] for status in statuses}


def _json(schema: Any) -> dict:
    return {"application/json": {"schema": schema}}


def _add_paths(spec: APISpec, keyed: bool, limited: bool) -> None:
    def add(path: str, operations: dict) -> None:
        for operation in operations.values():
            _add_access(path, operation, keyed, limited)
        spec.path(path=path, operations=operations)

    add(
        path="/v1/analyze",
        operations={
            "post": {
                "operationId": "analyze",
                "summary": "Analyse one article.",
                "requestBody": {
                    "required": True,
                    "content": {
                        **_json(schemas.AnalyzeRequestSchema),
                        "text/plain": {
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                MAX_STRIPPED: schemas.TEXT_LENGTH.max,
                                "pattern": _NOT_BLANK,
                                "description": (
                                    "The article as UTF-8 text; no title, id or explain then. "
                                    f"At most {schemas.TEXT_LENGTH.max} characters, not "
                                    "counting surrounding whitespace, and at most "
                                    f"{_config('MAX_SENTENCES')} sentences."
                                ),
                            }
                        },
                    },
                },
                "responses": {
                    "200": {
                        "description": "The analysis.",
                        "content": _json(schemas.AnalysisSchema),
                    },
                    **_errors(*_ANALYZE_ERRORS),
                },
            }
        },
    )
    add(
        path="/v1/analyze/batch",
        operations={
            "post": {
                "operationId": "analyzeBatch",
                "summary": "Analyse several articles; a bad document gets an error of its own.",
                "description": (
                    f"The texts and titles of a batch hold at most {_config('MAX_BATCH_CHARS')} "
                    "characters in all, not counting surrounding whitespace (413 "
                    "payload_too_large otherwise, with the count); a text or title over its "
                    "own limit is not counted, since its document gets its own error; a "
                    f"document of more than {_config('MAX_SENTENCES')} sentences gets a "
                    "validation_error naming text."
                ),
                "requestBody": {"required": True, "content": _json(schemas.BatchRequestSchema)},
                "responses": {
                    "200": {
                        "description": "One result a document, in order.",
                        "content": _json(schemas.BatchResponseSchema),
                    },
                    **_errors(*_ANALYZE_ERRORS),
                },
            }
        },
    )
    add(
        path="/v1/health",
        operations={
            "get": {
                "operationId": "health",
                "summary": "Whether a model is loaded.",
                "responses": {
                    "200": {"description": "Ready.", "content": _json(schemas.HealthSchema)},
                    "503": {
                        "description": "No model: status unavailable, model null.",
                        "content": _json(schemas.HealthSchema),
                    },
                },
            }
        },
    )
    add(
        path="/v1/model",
        operations={
            "get": {
                "operationId": "modelCard",
                "summary": "The model card.",
                "responses": {
                    "200": {"description": "The card.", "content": _json(schemas.ModelCardSchema)},
                    **_errors(500, 503),
                },
            }
        },
    )
    add(
        path="/openapi.json",
        operations={
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    )
    add(
        path="/",
        operations={
            "get": {
                "operationId": "page",
                "summary": "The test page for fact-checkers.",
                "responses": {
                    "200": {
                        "description": "An HTML page.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    )


def _any_batch_document(self: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """apispec attribute function: a batch item is a Document, or anything else, answered alone.

    A document that breaks the Document schema does not fail the batch: its result is an
    error of its own (200). So the envelope takes any value as an item, and says so.
    """
    if not isinstance(field, schemas.IsolatedDocument):
        return {}
    document = {"$ref": ret.pop("$ref")} if "$ref" in ret else ret.pop("allOf")[0]
    return {
        "anyOf": [
            document,
            {"description": "Anything else: its result is a DocumentError (validation_error)."},
        ]
    }


#: Where a text's limit is documented: DESIGN.md counts a text's characters after stripping,
#: which JSON Schema's maxLength (on the string as sent) cannot say.
MAX_STRIPPED = "x-maxLengthWithoutSurroundingWhitespace"


def _not_blank(self: Any, field: fields.Field, **kwargs: Any) -> dict:
    """apispec attribute function: a text or title must hold a character that is not space;
    its maximum counts characters without surrounding whitespace, so it is no maxLength."""
    validators = getattr(field, "validators", [])
    if not any(isinstance(v, schemas.TextLength) for v in validators):
        return {}
    out: dict = {"pattern": _NOT_BLANK}
    limit = kwargs.get("ret", {}).pop("maxLength", None)
    if limit is not None:
        out[MAX_STRIPPED] = limit
        note = f"At most {limit} characters, not counting surrounding whitespace."
        description = kwargs["ret"].get("description")
        out["description"] = f"{description} {note}" if description else note
    return out


def _analysis_or_error(self: Any, field: fields.Field, **kwargs: Any) -> dict:
    """apispec attribute function: a batch result is an Analysis or a DocumentError."""
    if not isinstance(field, schemas.AnalysisOrError):
        return {}
    return {
        "oneOf": [
            self.resolve_nested_schema(schemas.AnalysisSchema),
            self.resolve_nested_schema(schemas.DocumentErrorSchema),
        ]
    }
