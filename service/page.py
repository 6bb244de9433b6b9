"""Blueprint /: the fact-checker page (templates/index.html, static/app.js, static/style.css).

The page is plain HTML, CSS and JavaScript: no CDN, no build step, no external
font. Its only network call is ``POST /v1/analyze`` to this same origin; it
stores nothing (no cookie, no local storage, no permalink).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from service.analysis.balance import BALANCED_FROM, ONE_SIDED_BELOW
from service.schemas import MAX_TITLE_CHARS

bp = Blueprint("page", __name__)


@bp.get("/")
def index() -> Response:
    """The page: paste an article, see its claims and caveats highlighted and linked."""
    html = render_template(
        "index.html",
        # The page checks these before sending, so a user learns the limit without a round trip.
        max_text_chars=int(current_app.config["MAX_TEXT_CHARS"]),
        max_body_bytes=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0),
        max_title_chars=MAX_TITLE_CHARS,
        # The score's explanation gives the label cut-offs the service uses.
        one_sided_below=ONE_SIDED_BELOW,
        balanced_from=BALANCED_FROM,
    )
    # Its Content-Security-Policy is set with the other security headers, on every
    # response (service.security.SECURITY_HEADERS).
    return Response(html)
