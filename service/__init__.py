"""caveat: claims and caveats in news, sentence by sentence.

``create_app`` is the only place that configures logging and loads the model;
importing the package does neither.
"""

from __future__ import annotations

import os
from logging import getLogger
from pathlib import Path
from typing import Any

from flask import Flask, Response

from . import api, openapi, page, schemas, security
from .errors import log_exception, register_error_handlers
from .logging import ROOT_LOGGER, configure_logging

# Not ``logging.getLogger``: importing the submodule service/logging.py binds the name
# ``logging`` in this package to it.
logger = getLogger(f"{ROOT_LOGGER}.model")


class CaveatFlask(Flask):
    """Flask, except that an exception is never logged with its message."""

    def log_exception(self, exc_info: Any) -> None:
        """Log type and frames only: Flask's default writes the message, which can quote text."""
        log_exception(exc_info[1])

    def make_default_options_response(self) -> Response:
        """204 No Content with Allow: Flask's default is a 200 with an empty body labelled
        text/html, where every other answer of the API is JSON or says it has no content.

        CORS preflights are answered by this too (flask-cors adds its headers after it);
        a browser takes any 2xx for a preflight.
        """
        response = super().make_default_options_response()
        response.status_code = 204
        del response.headers["Content-Type"]
        return response


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config -> logging -> the model (once) -> blueprints -> error handlers."""
    app = CaveatFlask(__name__)
    # werkzeug answers "/v1//analyze" with a redirect to "/v1/analyze" (an HTML body, and a
    # POST a client may not repeat); such a path is no route of ours: a JSON 404.
    app.url_map.merge_slashes = False
    app.config.from_mapping(
        # The committed artifacts and manifests (models/ beside service/).
        MODELS_DIR=Path(__file__).resolve().parents[1] / "models",
        # None loads the newest manifest; a version ("1.5.0") pins one.
        MODEL_VERSION=None,
        # DESIGN.md: a body over 1 MB is 413 payload_too_large.
        MAX_CONTENT_LENGTH=1024 * 1024,
        # DESIGN.md: text is 1..100000 characters after stripping.
        MAX_TEXT_CHARS=100_000,
        # DESIGN.md: a batch holds 1..100 documents.
        MAX_BATCH_DOCUMENTS=100,
        # Sentences in one document: bounds the work of one analysis (linking pairs claims
        # with hedges). A 100,000-character article of news prose has about 700-1,600.
        MAX_SENTENCES=schemas.MAX_SENTENCES,
        # Characters of all texts and titles in one batch: with MAX_SENTENCES, keeps the
        # worst batch (~11 s on one core) well inside gunicorn's 30 s worker timeout.
        MAX_BATCH_CHARS=schemas.MAX_BATCH_CHARS,
        # Level of the JSON-lines log on stderr (one INFO line a request).
        LOG_LEVEL="INFO",
        # API keys, "key" or "id:key" items, comma-separated; none: the API is open.
        API_KEYS=None,
        # A file of "id sha256hex" lines (digests of keys), read at start-up.
        API_KEYS_FILE=None,
        # The limits library's syntax; counted per key id, per client address without a key.
        RATE_LIMIT="120/minute;2000/hour",
        # memory:// counts per process; redis://host:6379 shares counts between instances.
        RATELIMIT_STORAGE_URI="memory://",
        # Smooths the burst a fixed window allows at its edges, at one counter per window.
        RATELIMIT_STRATEGY="sliding-window-counter",
        # X-RateLimit-* on every counted response (Retry-After is on every 429 regardless).
        RATELIMIT_HEADERS_ENABLED=True,
        # If Redis is unreachable, count in memory (per instance) rather than answer 500s.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        # None: on, except in apps built with TESTING (see service.security.init_app).
        RATELIMIT_ENABLED=None,
        # Browser origins allowed to call /v1/* (CMS plugins), comma-separated; none by default.
        CORS_ORIGINS=None,
        # Reverse proxies in front of the service that set X-Forwarded-For; 0: none.
        TRUSTED_PROXIES=0,
    )
    # CAVEAT_MODELS_DIR, CAVEAT_LOG_LEVEL, ... (values are parsed as JSON when they parse).
    app.config.from_prefixed_env("CAVEAT")
    # Keys are taken verbatim: parsed as JSON, a key of digits would become a number.
    if "CAVEAT_API_KEYS" in os.environ:
        app.config["API_KEYS"] = os.environ["CAVEAT_API_KEYS"]
    app.config.update(config or {})
    # Keys in the order the schemas declare them, and UTF-8 rather than \u escapes.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    configure_logging(app)
    app.extensions["caveat"] = app.config.get("ANALYZER") or _load_analyzer(app)
    # After the request log (so a 401 or 429 is logged too), before the blueprints' views.
    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(page.bp)
    register_error_handlers(app)
    return app


def _load_analyzer(app: Flask) -> Any:
    """Load the model once; None (degraded: 503s) when the folder holds no manifest at all.

    A ModelError (tampered artifact, other scikit-learn) propagates: the service
    refuses to start rather than serve a model it cannot vouch for.
    """
    # Imported here so that importing the package, or testing the HTTP layer with a
    # stand-in analyzer, does not import scikit-learn.
    from .analysis.analyzer import Analyzer
    from .analysis.model import ModelError, load_model

    models_dir = Path(app.config["MODELS_DIR"])
    version = app.config["MODEL_VERSION"]
    # from_prefixed_env parses CAVEAT_MODEL_VERSION as JSON; a version is a name, not a number.
    version = None if version is None else str(version)
    try:
        model = load_model(models_dir, version)
    except FileNotFoundError:
        if version is not None:
            raise  # a pinned version that is not there is a configuration error
        logger.warning(
            "no model manifest: starting without a model; /v1/health and /v1/analyze answer 503",
            extra={"models_dir": str(models_dir)},
        )
        return None
    except ModelError as exc:
        # The reason names files and hashes, never an article: safe to log in full.
        logger.critical(
            "refusing to start: the model cannot be loaded safely",
            extra={"models_dir": str(models_dir), "reason": str(exc)},
        )
        raise
    logger.info(
        "model loaded", extra={"model_version": model.info.version, "models_dir": str(models_dir)}
    )
    return Analyzer(model)
