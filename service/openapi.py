"""GET /openapi.json: the OpenAPI 3 document, built from the schemas that validate requests."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
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
    415: ("UnsupportedMediaType", CODES[415], "Neither JSON nor, where accepted, UTF-8 text."),
    422: ("ValidationError", CODES[422], "The JSON breaks the schema; details name each field."),
    500: ("Internal", CODES[500], "A bug, logged with the request id given in details."),
    503: ("ModelUnavailable", "model_unavailable", "The service started without a model."),
}
_ANALYZE_ERRORS = (400, 413, 415, 422, 500, 503)


@bp.get("/openapi.json")
def openapi_document() -> dict:
    """The OpenAPI 3 document of this API."""
    return build_spec().to_dict()


def build_spec() -> APISpec:
    """Build the document from the marshmallow schemas (limits as configured when in an app)."""
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
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    for name, code, description in _ERRORS.values():
        spec.components.response(
            name,
            {
                "description": f"{code}: {description}",
                "content": {"application/json": {"schema": "Error"}},
            },
        )
    _add_paths(spec)
    return spec


def _errors(*statuses: int) -> dict[str, str]:
    return {str(status): _ERRORS[status][0] for status in statuses}


def _json(schema: Any) -> dict:
    return {"application/json": {"schema": schema}}


def _add_paths(spec: APISpec) -> None:
    spec.path(
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
                                "maxLength": schemas.TEXT_LENGTH.max,
                                "description": (
                                    "The article as UTF-8 text; no title, id or explain then. "
                                    "Limits count characters without surrounding whitespace."
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
    spec.path(
        path="/v1/analyze/batch",
        operations={
            "post": {
                "operationId": "analyzeBatch",
                "summary": "Analyse several articles; a bad document gets an error of its own.",
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
    spec.path(
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
    spec.path(
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
    spec.path(
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
    spec.path(
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
