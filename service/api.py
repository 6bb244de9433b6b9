"""Blueprint /v1: analyze, analyze_batch, health, model.

A view loads the request with a schema, calls the analyzer, and dumps the
result with a schema; everything about labels and scores lives in the core.
"""

from __future__ import annotations

import codecs
from typing import Any

from flask import Blueprint, current_app, request
from gunicorn.http.errors import NoMoreData, ParseException
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import (
    CODES,
    MESSAGES,
    APIError,
    WorkerTimeout,
    internal_error_body,
    log_exception,
)
from .jsontext import InvalidJSON, parse_json
from .schemas import (
    AnalyzeRequestSchema,
    BatchRequestSchema,
    BatchResponseSchema,
    DocumentError,
    HealthSchema,
    ModelCardSchema,
    analysis_dict,
)

bp = Blueprint("api", __name__, url_prefix="/v1")

#: Response schemas hold no per-request state: built once, they spare every request the
#: construction of their nested fields (half the HTTP layer's cost in bench.hotspots).
#: Analyses are dumped by ``analysis_dict``, which gives what AnalysisSchema would.
_BATCH_RESPONSE = BatchResponseSchema()
#: Request schemas too: loading keeps no state in the schema, and building one deep-copies
#: its fields.
_ANALYZE_REQUEST = AnalyzeRequestSchema()
_BATCH_REQUEST = BatchRequestSchema()
_HEALTH = HealthSchema()
_MODEL_CARD = ModelCardSchema()

#: Bodies are read as UTF-8; US-ASCII is a subset of it.
_TEXT_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


@bp.post("/analyze")
def analyze() -> dict:
    """Analyse one article, sent as JSON or as the text/plain body."""
    document = _ANALYZE_REQUEST.load(_json_or_plain_text_body())
    return analysis_dict(_analyzer().analyze(**document))


@bp.post("/analyze/batch")
def analyze_batch() -> dict:
    """Analyse 1..100 articles; a bad document gets its own error, the others are analysed."""
    batch = _BATCH_REQUEST.load(_json_body())
    results = _analyze_documents(batch["documents"], batch["explain"])
    return _BATCH_RESPONSE.dump({"results": results})


@bp.get("/health")
def health() -> tuple[dict, int]:
    """Whether a model is loaded (200) or not (503)."""
    analyzer = current_app.extensions["caveat"]
    if analyzer is None:
        return _HEALTH.dump({"status": "unavailable", "model": None}), 503
    return _HEALTH.dump({"status": "ok", "model": analyzer.model.info}), 200


@bp.get("/model")
def model_card() -> dict:
    """The model card: version, training data and hashes, library versions, metrics, thresholds."""
    return _MODEL_CARD.dump(_analyzer().model.card)


def _analyzer() -> Any:
    """The analyzer loaded at start-up; 503 model_unavailable when the service started without."""
    analyzer = current_app.extensions["caveat"]
    if analyzer is None:
        raise APIError(
            503,
            "model_unavailable",
            "No model is loaded: the service started without one (see GET /v1/health).",
        )
    return analyzer


def _analyze_documents(documents: list, explain: bool) -> list:
    """One result a document, in order: an Analysis, or the DocumentError it loaded as."""
    analyzer = _analyzer()
    valid = [d for d in documents if not isinstance(d, DocumentError)]
    inputs = [(d["text"], d["title"], d["doc_id"]) for d in valid]
    try:
        # One call for all valid documents: the core predicts their sentences in one matrix.
        analyses = analyzer.analyze_many(inputs, explain=explain) if valid else []
    except WorkerTimeout:
        raise  # out of time: no retries
    except Exception as exc:
        analyses = _one_by_one(analyzer, inputs, explain, exc)
    results = iter(analyses)
    return [d if isinstance(d, DocumentError) else next(results) for d in documents]


def _one_by_one(analyzer: Any, inputs: list, explain: bool, first: Exception) -> list:
    """The analyses of a batch whose one call failed, each document alone, so that a document
    the analyzer fails on (a bug) costs only its own result, as in ``python -m service.batch``.
    When every document fails, the first failure is raised: the request is a 500."""
    results: list = []
    for text, title, doc_id in inputs:
        try:
            [analysis] = analyzer.analyze_many([(text, title, doc_id)], explain=explain)
        except Exception:
            analysis = DocumentError(id=doc_id, error=internal_error_body()["error"])
        results.append(analysis)
    if all(isinstance(r, DocumentError) for r in results):
        raise first  # logged by the 500 handler
    log_exception(first)  # once: the retries' failures are the same bug
    return results


def _json_body() -> Any:
    """The body parsed as UTF-8 JSON: 415 unless it is JSON (in UTF-8), 400 invalid_json unless
    it parses. A byte order mark is no JSON (RFC 8259 8.1: a sender must not add one), and
    the error says so rather than point at line 1, column 1."""
    if not request.is_json:
        raise APIError(415, CODES[415], MESSAGES[415], {"content_type": request.mimetype or None})
    _require_utf8("JSON")
    body = _body_bytes()
    if body.startswith(codecs.BOM_UTF8):
        raise APIError(
            400, CODES[400], "The body starts with a byte order mark; send the JSON without it."
        )
    try:
        return parse_json(body)
    except InvalidJSON as exc:
        raise APIError(400, CODES[400], exc.message, exc.details) from None


def _require_utf8(kind: str) -> None:
    """415 for a body whose Content-Type names a charset other than UTF-8 (or its ASCII
    subset): read as UTF-8 it would be answered "not valid UTF-8", or misread."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in _TEXT_CHARSETS:
        raise APIError(415, CODES[415], f"Send {kind} in UTF-8.", {"charset": charset})


def _json_or_plain_text_body() -> Any:
    """The JSON body, or ``{"text": body}`` for text/plain (title, id and explain absent then)."""
    if request.mimetype != "text/plain":
        return _json_body()
    _require_utf8("text/plain")
    try:
        return {"text": _body_bytes().decode("utf-8")}
    except UnicodeDecodeError as exc:
        raise ValidationError({"text": [f"Not valid UTF-8 (byte {exc.start})."]}) from None


def _body_bytes() -> bytes:
    """The whole body; 413 when it is over MAX_CONTENT_LENGTH, whether or not it said its length;
    400 when it came incomplete.

    werkzeug refuses a Content-Length over the limit before the view, but a chunked body
    (no Content-Length) is read only up to the limit, and what lies beyond it is dropped
    without a word: an article cut short would be analysed as if it ended there. So when a
    body without a length fills the limit exactly, one byte more is asked of the server's
    input stream: if there is one, the body was longer than the limit.

    Under gunicorn (``wsgi.input_terminated``) werkzeug reads to the end of the stream, and
    a connection closed before Content-Length bytes ends the body early without an error:
    the bytes read are counted against the length. Broken chunked framing is the server's
    exception (``_BROKEN_FRAMING``), a client's error and no bug of ours.
    """
    _check_content_encoding()
    try:
        data = request.get_data()
    except _BROKEN_FRAMING:
        raise APIError(
            400, CODES[400], "The body's chunked encoding is broken; nothing was analysed."
        ) from None
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(data) >= limit:
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    if request.content_length is not None and len(data) < request.content_length:
        raise APIError(
            400,
            CODES[400],
            "The body ended before its Content-Length; nothing was analysed.",
            {"content_length": request.content_length, "received": len(data)},
        )
    return data


#: gunicorn's errors for a request body whose chunked framing is broken (a bad chunk size or
#: terminator) or that ends before its last chunk.
_BROKEN_FRAMING = (ParseException, NoMoreData)


def _check_content_encoding() -> None:
    """415 for a body sent compressed (Content-Encoding: gzip, br...): read as it came, it
    would be answered "not valid UTF-8" (or JSON), which sends a client looking in the
    wrong place. RFC 9110 (15.5.16): 415 with the codings accepted in Accept-Encoding."""
    codings = [c.strip().lower() for c in request.headers.get("Content-Encoding", "").split(",")]
    sent = [c for c in codings if c and c != "identity"]
    if sent:
        raise APIError(
            415,
            CODES[415],
            "Send the body uncompressed: no Content-Encoding is accepted.",
            {"content_encoding": ", ".join(sent)},
            headers={"Accept-Encoding": "identity"},
        )
