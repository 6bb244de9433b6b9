"""Blueprint /: the fact-checker page (templates/index.html, static/app.js, static/style.css).

The page is plain HTML, CSS and JavaScript: no CDN, no build step, no external
font. Its only network call is ``POST /v1/analyze`` to this same origin; it
stores nothing (no cookie, no local storage, no permalink).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

bp = Blueprint("page", __name__)

#: The page loads only its own script and style and talks only to this API (no CDN, no
#: inline script or style attribute; app.js may still set element.style through the CSSOM).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.get("/")
def index() -> Response:
    """The page: paste an article, see its claims and caveats highlighted and linked."""
    html = render_template(
        "index.html",
        # The page checks these before sending, so a user learns the limit without a round trip.
        max_text_chars=int(current_app.config["MAX_TEXT_CHARS"]),
        max_body_bytes=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0),
    )
    response = Response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
