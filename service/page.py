"""Blueprint /: the fact-checker page (templates/index.html, static/)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

bp = Blueprint("page", __name__)

#: The page loads only its own script and style and talks only to this API (no CDN).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.get("/")
def index() -> Response:
    """The page: paste an article, see its claims and caveats highlighted."""
    response = Response(render_template("index.html"))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
