"""caveat: claims and caveats in news, sentence by sentence.

``create_app`` is the only place that configures logging and loads the model;
importing the package does neither.
"""

from __future__ import annotations

from logging import getLogger
from pathlib import Path
from typing import Any

from flask import Flask

from . import api, openapi, page
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


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config -> logging -> the model (once) -> blueprints -> error handlers."""
    app = CaveatFlask(__name__)
    app.config.from_mapping(
        # The committed artifacts and manifests (models/ beside service/).
        MODELS_DIR=Path(__file__).resolve().parents[1] / "models",
        # None loads the newest manifest; a version ("1.2.0") pins one.
        MODEL_VERSION=None,
        # DESIGN.md: a body over 1 MB is 413 payload_too_large.
        MAX_CONTENT_LENGTH=1024 * 1024,
        # DESIGN.md: text is 1..100000 characters after stripping.
        MAX_TEXT_CHARS=100_000,
        # DESIGN.md: a batch holds 1..100 documents.
        MAX_BATCH_DOCUMENTS=100,
        # Level of the JSON-lines log on stderr (one INFO line a request).
        LOG_LEVEL="INFO",
    )
    # CAVEAT_MODELS_DIR, CAVEAT_LOG_LEVEL, ... (values are parsed as JSON when they parse).
    app.config.from_prefixed_env("CAVEAT")
    app.config.update(config or {})
    # Keys in the order the schemas declare them, and UTF-8 rather than \u escapes.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    configure_logging(app)
    app.extensions["caveat"] = app.config.get("ANALYZER") or _load_analyzer(app)
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
    except ModelError:
        logger.critical(
            "refusing to start: the model cannot be loaded safely",
            extra={"models_dir": str(models_dir)},
        )
        raise
    logger.info(
        "model loaded", extra={"model_version": model.info.version, "models_dir": str(models_dir)}
    )
    return Analyzer(model)
