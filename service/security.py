"""Who may call the API and how often, from which origins, and the headers every response carries.

- **API keys.** ``API_KEYS`` (``CAVEAT_API_KEYS``: ``key`` or ``id:key``, comma-separated;
  a key there holds no ":", see ``parse_keys``) and ``API_KEYS_FILE``
  (``CAVEAT_API_KEYS_FILE``: lines of ``id sha256hex``). A request sends its key as
  ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; the sha256 of what it sent
  is compared with every configured digest by ``hmac.compare_digest``, so neither the
  answer nor its timing tells which key came close. With no key configured the API is
  open, and start-up logs a warning that says so. ``OPEN_ENDPOINTS`` (the page, its
  static files, /v1/health, /openapi.json) never ask for a key.
- **Rate limits** (``RateLimiter``, on the ``limits`` library): ``RATE_LIMIT`` per key id,
  or per client address when no valid key was sent (so guessing keys is limited too); in
  memory by default (``memory://``, served by ``InlineExpiryMemoryStorage``), shared by
  several instances with ``RATELIMIT_STORAGE_URI=redis://...``.
- **CORS** (Flask-CORS): only the origins listed in ``CORS_ORIGINS``, only on /v1/*.
- **Headers**: a Content-Security-Policy that allows only this origin's script, style
  and API, ``nosniff``, no referrer, no framing, and ``Cache-Control: no-store`` on
  everything but the static files (analyses of drafts are confidential).

``init_app`` is called by ``create_app``; importing this module configures nothing (beyond
registering the ``caveat-memory`` storage scheme with ``limits``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask_cors import CORS
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import STRATEGIES
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import CODES, APIError
from .logging import ROOT_LOGGER

logger = logging.getLogger(f"{ROOT_LOGGER}.security")

#: Endpoints anyone may call, keys configured or not: the page and its files, the
#: liveness probe, and the API's own description.
OPEN_ENDPOINTS = frozenset({"page.index", "static", "api.health", "openapi.openapi_document"})
#: The rate limit does not count these: probes, preflights, the page and its static files.
#: (The page costs a template; were it counted, a reader over their limit could not even
#: reload it, and one newsroom behind one address would spend its analyses on page loads.)
UNLIMITED_ENDPOINTS = frozenset({"api.health", "page.index", "static"})

#: The page loads only its own script and style and talks only to this API: nothing inline,
#: nothing from another origin, no plugins, no framing, no <base>. Its form is sent by
#: script (fetch), never submitted: form-action 'none' stops a script-less submission from
#: putting a draft into a URL. default-src 'none' refuses every kind not listed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
#: Set on every response, the page's and the API's alike.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Every response except the static files: an analysis quotes a confidential draft.
NO_STORE = "no-store"

#: What a browser on an allowed origin may send and read (CORS).
CORS_ALLOW_HEADERS = ["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"]
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]
#: How long a browser may cache a preflight answer, in seconds.
CORS_MAX_AGE = 600

#: A key id as it appears in logs and rate-limit buckets.
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: A shorter key can be guessed; 16 characters of a random token is the least we accept.
MIN_KEY_CHARS = 16
_BEARER = re.compile(r"Bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)


class SecurityConfigError(ValueError):
    """A security setting that cannot be used: the service refuses to start."""


# --------------------------------------------------------------------------- API keys


@dataclass(frozen=True)
class APIKey:
    """A configured key: its id (logged, rate-limited by) and the sha256 digest of the key."""

    id: str
    digest: bytes


def key_digest(key: str) -> bytes:
    """The sha256 digest of a key as sent (UTF-8)."""
    return hashlib.sha256(key.encode("utf-8")).digest()


def parse_keys(spec: str | Iterable[str] | None) -> list[APIKey]:
    """Keys from ``CAVEAT_API_KEYS``: ``key`` or ``id:key`` items, comma-separated (or a list).

    A key given here never holds ":": an item with one ":" is always ``id:key``, one
    without is a bare key, and one with more has no single reading (``a:b:c`` could be a
    key, or the id ``a`` of the key ``b:c``) and stops the start. Read as ``id:key``, a
    bare key with a colon would have its first part logged as the id, so a key that
    holds ":" is given in ``API_KEYS_FILE``, as a digest beside its id.

    A key without an id gets ``key-`` and the first 8 hex digits of its sha256. An error
    names an item by its position only: what stands before its ":" may be part of a key
    mistyped as ``id:key``, and a key is never quoted.
    """
    if spec is None:
        return []
    items = spec.split(",") if isinstance(spec, str) else [str(item) for item in spec]
    keys = []
    for position, item in enumerate((item.strip() for item in items), start=1):
        if not item:
            continue
        if item.count(":") > 1:
            raise SecurityConfigError(
                f"API_KEYS item {position}: more than one ':'. An item is 'key' or "
                "'id:key', and a key here holds no ':' (a bare key with one would be read "
                "as id:key, its first part logged as the id); give such a key in "
                "API_KEYS_FILE as 'id sha256hex'"
            )
        key_id, sep, key = item.partition(":")
        if not sep:
            key_id, key = f"key-{hashlib.sha256(item.encode()).hexdigest()[:8]}", item
        if not _KEY_ID.fullmatch(key_id):
            raise SecurityConfigError(
                f"API_KEYS item {position}: the id must be 1-64 of A-Z a-z 0-9 . _ -"
            )
        # Visible ASCII only: a header carries bytes, and a server reads them as Latin-1,
        # so a key of other characters matches only clients that happen to encode it so
        # (curl sends UTF-8), and one beyond Latin-1 none: a 401 to every client.
        if len(key) < MIN_KEY_CHARS or not all("!" <= c <= "~" for c in key):
            raise SecurityConfigError(
                f"API_KEYS item {position}: a key is at least {MIN_KEY_CHARS} "
                "characters of visible ASCII (no spaces, no accents)"
            )
        keys.append(APIKey(key_id, key_digest(key)))
    return keys


def read_keys_file(path: str | Path) -> list[APIKey]:
    """Keys from ``CAVEAT_API_KEYS_FILE``: lines of ``id sha256hex``; blank lines and # comments.

    The file holds digests only, so reading it cannot leak a key; make one line with
    ``printf %s "$KEY" | sha256sum``.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SecurityConfigError(
            f"API_KEYS_FILE {path}: cannot read it ({exc.strerror})"
        ) from None
    keys = []
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if (
            len(parts) != 2
            or not _KEY_ID.fullmatch(parts[0])
            or not _SHA256_HEX.fullmatch(parts[1].lower())
        ):
            raise SecurityConfigError(
                f"API_KEYS_FILE {path}, line {number}: expected 'id sha256hex' "
                "(an id of A-Z a-z 0-9 . _ -, then 64 hex digits)"
            )
        keys.append(APIKey(parts[0], bytes.fromhex(parts[1])))
    return keys


class KeyRing:
    """The configured keys; ``identify`` names the key a request sent, in constant time."""

    def __init__(self, keys: list[APIKey]):
        ids = [k.id for k in keys]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SecurityConfigError(f"API key ids must be unique: {', '.join(duplicates)}")
        self.keys = tuple(keys)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def identify(self, presented: str | None) -> str | None:
        """The id of the key ``presented`` is, or None; compares the digest with every key."""
        if not presented or not self.keys:
            return None
        digest = key_digest(presented)
        found = None
        # No early exit: the time taken does not depend on which key (if any) matched.
        for key in self.keys:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key.id
        return found


def load_keyring(config: dict) -> KeyRing:
    """The keys of ``API_KEYS`` and ``API_KEYS_FILE`` together.

    A setting that is given but holds no key (an empty variable, a file of comments, a
    secret mounted empty) stops the start: read as "no keys", it would serve confidential
    drafts to anyone. Running open takes leaving both unset.
    """
    spec, path = config.get("API_KEYS"), config.get("API_KEYS_FILE")
    keys = parse_keys(spec)
    if path:
        keys += read_keys_file(path)
    if not keys and (spec is not None or path is not None):
        raise SecurityConfigError(
            "API_KEYS or API_KEYS_FILE is set but holds no key: refusing to start with the "
            "API open. Give a key, or unset both to run without keys."
        )
    return KeyRing(keys)


def presented_key() -> str | None:
    """The key the request sent: ``Authorization: Bearer <key>``, else ``X-API-Key``."""
    authorization = request.headers.get("Authorization", "")
    match = _BEARER.fullmatch(authorization)
    if match:
        return match.group(1)
    return request.headers.get("X-API-Key", "").strip() or None


def current_key_id() -> str | None:
    """The id of the valid key this request sent (None: none, a wrong one, or no keys set)."""
    if "key_id" not in g:
        g.key_id = current_app.extensions["caveat.keys"].identify(presented_key())
    return g.key_id


def _require_key() -> None:
    """before_request: 401 unless the endpoint is open or the request sent a valid key."""
    keyring = current_app.extensions["caveat.keys"]
    # No endpoint: routing failed, and the 404 or 405 says nothing a key would protect.
    # OPTIONS: a CORS preflight never carries the key.
    if not keyring or request.endpoint is None or request.method == "OPTIONS":
        return
    if request.endpoint in OPEN_ENDPOINTS:
        current_key_id()  # only so that the request log names a key that was sent
        return
    if current_key_id() is None:
        sent = presented_key() is not None
        raise APIError(
            401,
            CODES[401],
            "The API key is not valid."
            if sent
            else "Send an API key, as Authorization: Bearer KEY or X-API-Key: KEY.",
            {"reason": "invalid_key" if sent else "missing_key"},
            headers={"WWW-Authenticate": 'Bearer realm="caveat"'},
        )


# --------------------------------------------------------------------------- rate limits

#: The storage scheme ``init_app`` puts in place of ``memory://``.
MEMORY_SCHEME = "caveat-memory"


class InlineExpiryMemoryStorage(MemoryStorage):
    """limits' in-process counters (``memory://``), with expired counters swept inline.

    limits sweeps by a ``threading.Timer`` of 10 ms that it starts again whenever the last
    one has run: under steady traffic, a new thread about every 10 ms in each worker and a
    hand-over of the GIL to it in the middle of requests. Here the counting call that
    comes 10 ms or more after the last sweep sweeps, on its own thread. Against the
    library's storage, in alternating gunicorn runs (2 workers, wrk at 8 connections, six
    4 s rounds each): 667 against 571 requests/s, 2.87 against 3.31 server CPU ms a request.

    It overrides limits' private ``__schedule_expiry`` hook, which every counting call runs
    first; the pinned limits version and ``tests/test_security.py`` hold it to that.
    """

    STORAGE_SCHEME = [MEMORY_SCHEME]
    #: Seconds between sweeps, as limits' timer.
    SWEEP_EVERY = 0.01

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # The library's constructor starts one timer of its own: a sweep of empty counters,
        # 10 ms later, on a thread. Cancelled, so that no sweep runs off a request's thread.
        self.timer.cancel()
        self._sweep_lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (limits' mangled name)
        now = time.monotonic()
        if now - self._last_sweep < self.SWEEP_EVERY:
            return
        if not self._sweep_lock.acquire(blocking=False):
            return  # another thread is sweeping
        try:
            self._last_sweep = now
            self._MemoryStorage__expire_events()
        except KeyError:
            # A counter another thread removed mid-sweep (limits reads expirations[key]
            # after listing the keys): nothing left to sweep, and no reason to fail a request.
            pass
        finally:
            self._sweep_lock.release()


def rate_limit_key() -> str:
    """The bucket a request counts against: its key id, else its client address (an IPv6
    client's /64 network, which one subscriber is given whole: counted per address, it
    could take a new bucket for every request)."""
    key_id = current_key_id()
    return f"key:{key_id}" if key_id else f"addr:{client_bucket(request.remote_addr)}"


def client_bucket(address: str | None) -> str | None:
    """An IPv4 address as it is; an IPv6 address as its /64 network (an IPv4-mapped one as
    its IPv4 address); anything else (no address, a socket path) as it is."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _exempt_from_rate_limit() -> bool:
    """Preflights, the unlimited endpoints, and requests that match no route (404, 405)."""
    return (
        request.method == "OPTIONS"
        or request.endpoint is None
        or request.endpoint in UNLIMITED_ENDPOINTS
    )


class RateLimiter:
    """``RATE_LIMIT`` for each key id, or client address without a valid key, counted by the
    ``limits`` library in ``RATELIMIT_STORAGE_URI`` with ``RATELIMIT_STRATEGY``.

    Each limit of the setting is counted (smallest window first); the first one that is
    full answers 429 rate_limited, which names it and carries Retry-After. With
    ``RATELIMIT_HEADERS_ENABLED``, every counted response also carries X-RateLimit-Limit,
    -Remaining and -Reset (epoch seconds) of the limit that answered 429, else of the
    smallest window. With ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``, a shared storage that
    fails (Redis unreachable) gives way to counts in this process, and is tried again
    every ``RETRY_STORAGE_EVERY`` seconds; without it, the failure is a 500.

    These are the rules Flask-Limiter applied to this one application-wide limit, which
    ran its per-route machinery on every request (the limit parsed again, decorators and
    blueprints resolved): 0.32 CPU ms a request against 0.11 for this (Flask's test client,
    the analysis stubbed; a request costs the server about 3).
    """

    #: Seconds between attempts to reach a failed storage, while counting in memory.
    RETRY_STORAGE_EVERY = 30.0
    #: The namespace of caveat's counters in a shared storage.
    NAMESPACE = "caveat"

    def __init__(self, config) -> None:
        self.enabled = bool(config.get("RATELIMIT_ENABLED"))
        # Smallest window first, as the 429 and the headers report them.
        self.limits = sorted(parse_many(_check_rate_limit(str(config["RATE_LIMIT"]))))
        self.headers_enabled = bool(config.get("RATELIMIT_HEADERS_ENABLED"))
        name = str(config.get("RATELIMIT_STRATEGY") or "fixed-window")
        if name not in STRATEGIES:
            raise SecurityConfigError(
                f"RATELIMIT_STRATEGY {name!r}: expected one of {', '.join(sorted(STRATEGIES))}"
            )
        strategy = STRATEGIES[name]
        uri = str(config["RATELIMIT_STORAGE_URI"])
        #: The storage's scheme as configured (logged: the URI itself can hold a password).
        self.scheme = urlsplit(uri).scheme
        if self.scheme == "memory":
            # The same counters, swept without a timer thread (InlineExpiryMemoryStorage).
            uri = MEMORY_SCHEME + uri[len("memory") :]
        self.storage = storage_from_string(uri)
        self.strategy = strategy(self.storage)
        # Only a storage outside this process can fail; one in memory has nothing to fall to.
        shared = self.scheme not in ("memory", MEMORY_SCHEME)
        self.fallback = (
            strategy(InlineExpiryMemoryStorage())
            if shared and config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED")
            else None
        )
        self._failed_at: float | None = None

    def _counting(self):
        """The strategy to count with: the storage's, or the fallback's while it is down."""
        if self._failed_at is None:
            return self.strategy
        if time.monotonic() - self._failed_at >= self.RETRY_STORAGE_EVERY:
            try:
                reachable = self.storage.check()
            except Exception:  # noqa: BLE001 (any failure of the storage's client)
                reachable = False
            if reachable:
                self._failed_at = None
                logger.info("rate limit storage reachable again")
                return self.strategy
            self._failed_at = time.monotonic()
        return self.fallback

    def _count(self, key: str):
        """Count a request of ``key``: (the strategy that counted, the limit to report, full?)."""
        strategy = self._counting()
        try:
            for limit in self.limits:
                if not strategy.hit(limit, self.NAMESPACE, key):
                    return strategy, limit, True
            return strategy, self.limits[0], False
        except Exception:
            if self.fallback is None or strategy is self.fallback:
                raise
            # No address or key in the log line: the storage's failure is not the client's.
            logger.warning("rate limit storage unreachable: counting in memory until it is back")
            self._failed_at = time.monotonic()
            return self._count(key)

    def check(self) -> None:
        """before_request (registered when ``enabled``): count the request; 429 rate_limited
        when a limit is full."""
        if _exempt_from_rate_limit():
            return
        key = rate_limit_key()
        strategy, limit, full = self._count(key)
        g.rate_limit = (strategy, limit, key)
        if full:
            reset_at = self._window(strategy, limit, key)[0]
            raise APIError(
                429,
                CODES[429],
                f"Too many requests: the limit is {limit} for this key (or address when none "
                "is sent).",
                {"limit": str(limit)},
                headers={"Retry-After": str(max(0, int(reset_at - time.time())))},
            )

    @staticmethod
    def _window(strategy, limit, key: str) -> tuple[int, int]:
        """When the limit's window lets ``key`` in again (epoch seconds), and what remains."""
        stats = strategy.get_window_stats(limit, RateLimiter.NAMESPACE, key)
        return int(stats.reset_time + 1), stats.remaining

    def add_headers(self, response: Response) -> Response:
        """after_request: X-RateLimit-* of a counted request, when the headers are on."""
        counted = g.pop("rate_limit", None)
        if counted is None or not self.headers_enabled:
            return response
        strategy, limit, key = counted
        try:
            reset_at, remaining = self._window(strategy, limit, key)
        except Exception:  # noqa: BLE001 (the storage failed since it counted: no headers)
            logger.warning("rate limit storage unreachable: no X-RateLimit headers")
            return response
        response.headers["X-RateLimit-Limit"] = str(limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset_at)
        return response


def _check_rate_limit(value: str) -> str:
    try:
        if not parse_many(value):
            raise ValueError
    except ValueError:
        raise SecurityConfigError(
            f"RATE_LIMIT {value!r}: expected limits such as '120/minute;2000/hour'"
        ) from None
    return value


# --------------------------------------------------------------------------- CORS


def parse_origins(spec: str | Iterable[str] | None) -> list[str]:
    """``CORS_ORIGINS``: comma-separated ``scheme://host[:port]`` origins, exactly as browsers send.

    No wildcard and no pattern: an origin is allowed only when it is listed.
    """
    if not spec:
        return []
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    origins = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        parts = urlsplit(item)
        try:
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            port_ok = False
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or not port_ok
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username is not None
            or "*" in item
            or "[" in item
        ):
            raise SecurityConfigError(
                f"CORS_ORIGINS {item!r}: list origins as scheme://host[:port], without a path, "
                "a wildcard or an IPv6 address (https://cms.example.org)"
            )
        origins.append(item.lower())
    return origins


# --------------------------------------------------------------------------- headers


def _security_headers(response: Response) -> Response:
    """after_request: the security headers on every response, no-store on all but static files."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if request.endpoint != "static":
        response.headers["Cache-Control"] = NO_STORE
    return response


# --------------------------------------------------------------------------- set-up


def init_app(app: Flask) -> None:
    """Keys, rate limits, CORS and headers for ``app``; a bad setting raises SecurityConfigError.

    Registered after the request log's before_request, and the limiter before the key
    check, so that a request with a wrong key is still counted (per address) and logged.
    """
    if app.config.get("TRUSTED_PROXIES"):
        # Behind N reverse proxies the client is the N-th address from the right of
        # X-Forwarded-For; without this, every client would share the proxy's bucket.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]

    keyring = load_keyring(app.config)
    app.extensions["caveat.keys"] = keyring
    if keyring:
        logger.info(
            "API keys configured: /v1/analyze, /v1/analyze/batch and /v1/model need one",
            extra={"key_count": len(keyring.keys)},
        )
    else:
        logger.warning(
            "no API keys configured: the API is open to anyone who can reach it "
            "(set CAVEAT_API_KEYS or CAVEAT_API_KEYS_FILE)"
        )

    if app.config.get("RATELIMIT_ENABLED") is None:
        # The test fixtures build many apps and send bursts; tests that check the limits
        # turn them on. Any other app is limited unless RATELIMIT_ENABLED is false.
        app.config["RATELIMIT_ENABLED"] = not app.testing
    limiter = RateLimiter(app.config)
    app.extensions["caveat.limiter"] = limiter
    if limiter.enabled:
        app.before_request(limiter.check)
        app.after_request(limiter.add_headers)
        logger.info(
            "rate limit",
            extra={
                "rate_limit": app.config["RATE_LIMIT"],
                # The scheme only: a storage URI can hold a password.
                "ratelimit_storage": limiter.scheme,
            },
        )
    else:
        # Expected in tests; anywhere else it is worth a warning.
        (logger.info if app.testing else logger.warning)(
            "rate limiting is off (RATELIMIT_ENABLED is false)"
        )

    app.before_request(_require_key)

    origins = parse_origins(app.config.get("CORS_ORIGINS"))
    app.config["CORS_ORIGINS"] = origins
    if origins:
        CORS(
            app,
            resources={r"/v1/*": {"origins": origins}},
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            methods=["GET", "POST", "OPTIONS"],
            max_age=CORS_MAX_AGE,
            # Keys travel in headers, never in cookies.
            supports_credentials=False,
        )
        logger.info("CORS origins", extra={"cors_origins": origins})

    app.after_request(_security_headers)
