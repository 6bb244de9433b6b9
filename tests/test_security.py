"""API keys, rate limits, CORS, security headers and model integrity (service/security.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from limits.storage import MemoryStorage

from service import create_app
from service.security import (
    CONTENT_SECURITY_POLICY,
    KeyRing,
    SecurityConfigError,
    client_bucket,
    parse_keys,
    parse_origins,
    read_keys_file,
)
from tests.conftest import MODELS_DIR, PROJECT

KEY = "cms-key-0123456789abcdef"
OTHER_KEY = "desk-key-fedcba9876543210"
ORIGIN = "https://cms.example.org"
ARTICLE = {"text": "Talks made tremendous progress. More work is needed."}


@pytest.fixture
def keyed_app(analyzer) -> Flask:
    """An app with two keys: cms (given with its id) and one without an id."""
    return create_app({"TESTING": True, "ANALYZER": analyzer, "API_KEYS": f"cms:{KEY},{OTHER_KEY}"})


@pytest.fixture
def keyed_client(keyed_app):
    """A client of `keyed_app`."""
    return keyed_app.test_client()


def _limited_app(analyzer, limit: str = "3/minute", **config) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "ANALYZER": analyzer,
            "RATELIMIT_ENABLED": True,
            "RATE_LIMIT": limit,
            **config,
        }
    )


# --------------------------------------------------------------------------- API keys


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"bearer {KEY}"},
        {"X-API-Key": KEY},
        {"X-API-Key": OTHER_KEY},
    ],
)
def test_a_valid_key_is_let_in(keyed_client, headers):
    response = keyed_client.post("/v1/analyze", json=ARTICLE, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["sentences"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/analyze", ARTICLE),
        ("post", "/v1/analyze/batch", {"documents": [ARTICLE]}),
        ("get", "/v1/model", None),
    ],
)
def test_a_missing_key_is_unauthorized(keyed_client, assert_error, method, path, body):
    response = getattr(keyed_client, method)(path, json=body)
    error = assert_error(response, 401, "unauthorized", "reason")
    assert error["details"] == {"reason": "missing_key"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="caveat"'


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-the-key-0123456789"},
        {"Authorization": f"Bearer {KEY}x"},
        {"Authorization": f"Bearer {KEY[:-1]}"},
        {"X-API-Key": KEY.upper()},
        {"X-API-Key": hashlib.sha256(KEY.encode()).hexdigest()},
    ],
)
def test_a_wrong_key_is_unauthorized(keyed_client, assert_error, headers):
    response = keyed_client.post("/v1/analyze", json=ARTICLE, headers=headers)
    error = assert_error(response, 401, "unauthorized", "reason")
    assert error["details"] == {"reason": "invalid_key"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="caveat"'


@pytest.mark.parametrize("authorization", [f"Basic {KEY}", KEY, f"Token {KEY}", "Bearer"])
def test_a_key_sent_other_than_as_a_bearer_token_is_not_a_key(
    keyed_client, assert_error, authorization
):
    response = keyed_client.post(
        "/v1/analyze", json=ARTICLE, headers={"Authorization": authorization}
    )
    assert_error(response, 401, "unauthorized")


def test_the_key_is_checked_before_the_body_is_read(keyed_client, assert_error, analyzer):
    response = keyed_client.post(
        "/v1/analyze", data=b"x" * (2 * 1024 * 1024), content_type="application/json"
    )
    assert_error(response, 401, "unauthorized")
    assert analyzer.calls == []


@pytest.mark.parametrize("path", ["/", "/v1/health", "/openapi.json", "/static/app.js"])
def test_the_page_health_and_openapi_stay_open(keyed_client, path):
    with keyed_client.get(path) as response:
        assert response.status_code == 200


def test_unknown_paths_are_not_found_not_unauthorized(keyed_client, assert_error):
    assert_error(keyed_client.get("/v1/nope"), 404, "not_found")


def test_without_keys_the_api_is_open(client):
    assert client.post("/v1/analyze", json=ARTICLE).status_code == 200


def test_without_keys_the_start_says_the_api_is_open(analyzer, caplog):
    create_app({"TESTING": True, "ANALYZER": analyzer})
    [record] = [r for r in caplog.records if r.name == "caveat.security" and "API" in r.msg]
    assert record.levelname == "WARNING"
    assert "open" in record.getMessage()


def test_with_keys_the_start_logs_how_many_but_no_key(analyzer, caplog, capsys):
    create_app({"TESTING": True, "ANALYZER": analyzer, "API_KEYS": f"cms:{KEY},{OTHER_KEY}"})
    [record] = [r for r in caplog.records if r.name == "caveat.security" and "API" in r.msg]
    assert record.levelname == "INFO"
    assert record.key_count == 2
    # Not in any record's fields either (caplog.text holds only the messages), nor in the JSON
    # lines the service writes.
    records = [repr(vars(r)) for r in caplog.records if r.name.startswith("caveat")]
    written = capsys.readouterr().err
    assert records and written
    for text in [*records, written]:
        assert KEY not in text and OTHER_KEY not in text


def test_keys_come_from_the_environment_verbatim(monkeypatch, analyzer):
    digits = "12345678901234567890"  # JSON would read it as a number
    monkeypatch.setenv("CAVEAT_API_KEYS", f"{digits}, ops:{KEY}")
    client = create_app({"TESTING": True, "ANALYZER": analyzer}).test_client()
    assert (
        client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": digits}).status_code == 200
    )
    assert client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": KEY}).status_code == 200


def test_keys_come_from_a_file_of_digests(tmp_path, analyzer):
    keys_file = tmp_path / "keys"
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    keys_file.write_text(f"# newsroom keys\n\ncms {digest}  # the CMS plugin\n", encoding="utf-8")
    client = create_app(
        {"TESTING": True, "ANALYZER": analyzer, "API_KEYS_FILE": str(keys_file)}
    ).test_client()
    assert client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": KEY}).status_code == 200
    assert (
        client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": digest}).status_code == 401
    )


def test_a_key_without_an_id_gets_one_from_its_digest():
    [key] = parse_keys(KEY)
    assert key.id == "key-" + hashlib.sha256(KEY.encode()).hexdigest()[:8]
    assert key.digest == hashlib.sha256(KEY.encode()).digest()


def test_the_keyring_names_the_key_sent():
    ring = KeyRing(parse_keys(f"cms:{KEY},desk:{OTHER_KEY}"))
    assert ring.identify(KEY) == "cms"
    assert ring.identify(OTHER_KEY) == "desk"
    assert ring.identify("cms") is None
    assert ring.identify(None) is None
    assert ring.identify("") is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("short", "at least 16"),
        ("cms:short", "at least 16"),
        (f"bad id:{KEY}", "id must be"),
        (f":{KEY}", "id must be"),
        (f"cms:{KEY},cms:{OTHER_KEY}", "unique: cms"),
    ],
)
def test_an_unusable_key_stops_the_start_without_quoting_it(analyzer, spec, message):
    with pytest.raises(SecurityConfigError, match=message) as info:
        create_app({"TESTING": True, "ANALYZER": analyzer, "API_KEYS": spec})
    for secret in (KEY, OTHER_KEY, "short"):
        assert secret not in str(info.value)


@pytest.mark.parametrize(
    "spec",
    [
        # A bare key with colons: read as id:key, "cms-key" would be logged as its id.
        f"cms-key:0123:456789abcdef{KEY}",
        # Or an id:key whose key holds a colon: no item may be read two ways.
        f"desk:{KEY}:{OTHER_KEY}",
        f"{KEY}:{OTHER_KEY}:desk-2",
    ],
)
def test_an_item_with_more_than_one_colon_stops_the_start(spec):
    with pytest.raises(SecurityConfigError, match="more than one ':'") as info:
        parse_keys(f"ops:{KEY},{spec}")
    message = str(info.value)
    assert "item 2" in message and "API_KEYS_FILE" in message
    for part in spec.split(":"):
        assert part not in message


@pytest.mark.parametrize("spec", ["secret-part:short", "secret-part:a key with spaces"])
def test_an_unusable_key_is_named_by_its_position_not_by_what_precedes_its_colon(spec):
    # The part before ":" may be the start of a key mistyped as id:key.
    with pytest.raises(SecurityConfigError, match="item 1: a key is at least 16") as info:
        parse_keys(spec)
    assert "secret-part" not in str(info.value)


@pytest.mark.parametrize("key", ["clé-secrète-0123456789", "key-€-0123456789abcdef"])
def test_a_key_no_client_can_send_as_is_stops_the_start(key):
    # A header's bytes are read as Latin-1: "é" sent by curl (UTF-8) arrives as "Ã©", and
    # "€" cannot be sent by a client that encodes headers as Latin-1 (requests, browsers).
    with pytest.raises(SecurityConfigError, match="visible ASCII") as info:
        parse_keys(f"cms:{key}")
    assert key not in str(info.value)


def test_an_id_and_a_key_without_colons_are_read_as_before():
    keys = parse_keys(f"cms:{KEY}, {OTHER_KEY}")
    assert [k.id for k in keys] == [
        "cms",
        "key-" + hashlib.sha256(OTHER_KEY.encode()).hexdigest()[:8],
    ]
    assert [k.digest for k in keys] == [
        hashlib.sha256(k.encode()).digest() for k in (KEY, OTHER_KEY)
    ]


@pytest.mark.parametrize(
    "line",
    ["cms", "cms abc", f"cms {'g' * 64}", f"bad/id {'a' * 64}", f"cms {'a' * 64} extra"],
)
def test_a_malformed_keys_file_names_the_line(tmp_path, line):
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# comment\n{line}\n", encoding="utf-8")
    with pytest.raises(SecurityConfigError, match="line 2"):
        read_keys_file(keys_file)


@pytest.mark.parametrize("setting", ["keys", "file"])
def test_a_key_setting_that_holds_no_key_stops_the_start(tmp_path, analyzer, setting):
    # Read as "no keys", an empty variable or a file of comments served drafts to anyone.
    keys_file = tmp_path / "keys"
    keys_file.write_text("# the keys go here\n\n", encoding="utf-8")
    config = {"API_KEYS": " , "} if setting == "keys" else {"API_KEYS_FILE": str(keys_file)}
    with pytest.raises(SecurityConfigError, match="holds no key"):
        create_app({"TESTING": True, "ANALYZER": analyzer, **config})


def test_an_empty_keys_variable_stops_the_start(monkeypatch, analyzer):
    monkeypatch.setenv("CAVEAT_API_KEYS", "")
    with pytest.raises(SecurityConfigError, match="holds no key"):
        create_app({"TESTING": True, "ANALYZER": analyzer})


def test_a_missing_keys_file_stops_the_start(tmp_path, analyzer):
    with pytest.raises(SecurityConfigError, match="cannot read"):
        create_app({"TESTING": True, "ANALYZER": analyzer, "API_KEYS_FILE": str(tmp_path / "no")})


# --------------------------------------------------------------------------- rate limits


def test_over_the_limit_is_rate_limited_with_retry_after(analyzer, assert_error):
    client = _limited_app(analyzer).test_client()
    for _ in range(3):
        response = client.post("/v1/analyze", json=ARTICLE)
        assert response.status_code == 200
        assert "Retry-After" not in response.headers
    response = client.post("/v1/analyze", json=ARTICLE)
    error = assert_error(response, 429, "rate_limited", "limit")
    assert error["details"]["limit"] == "3 per 1 minute"
    assert int(response.headers["Retry-After"]) >= 0
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert len(analyzer.calls) == 3


def test_counted_answers_report_the_smallest_window_until_a_longer_one_is_full(analyzer):
    client = _limited_app(analyzer, limit="5/minute;2/hour").test_client()
    first = client.post("/v1/analyze", json=ARTICLE)
    assert first.status_code == 200
    # Smallest window first: the minute's count, though the hour's is the tighter.
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    reset = int(first.headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 61
    assert client.post("/v1/analyze", json=ARTICLE).headers["X-RateLimit-Remaining"] == "3"
    limited = client.post("/v1/analyze", json=ARTICLE)
    assert limited.status_code == 429
    assert limited.get_json()["error"]["details"]["limit"] == "2 per 1 hour"
    assert limited.headers["X-RateLimit-Limit"] == "2"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert 0 <= int(limited.headers["Retry-After"]) <= 3600


def test_without_rate_limit_headers_a_429_still_says_when_to_retry(analyzer):
    client = _limited_app(
        analyzer, limit="1/minute", RATELIMIT_HEADERS_ENABLED=False
    ).test_client()
    ok = client.post("/v1/analyze", json=ARTICLE)
    limited = client.post("/v1/analyze", json=ARTICLE)
    assert (ok.status_code, limited.status_code) == (200, 429)
    assert not [h for h in (*ok.headers.keys(), *limited.headers.keys()) if "RateLimit" in h]
    assert 0 <= int(limited.headers["Retry-After"]) <= 60


def test_requests_that_match_no_route_are_not_counted(analyzer):
    client = _limited_app(analyzer, limit="1/minute").test_client()
    for _ in range(3):
        assert client.post("/v1/no-such-thing", json=ARTICLE).status_code == 404
        assert client.get("/v1/analyze").status_code == 405
    assert client.post("/v1/analyze", json=ARTICLE).status_code == 200


@pytest.mark.parametrize("strategy", ["fixed-window", "moving-window", "sliding-window-counter"])
def test_every_strategy_of_the_library_limits(analyzer, strategy):
    client = _limited_app(analyzer, limit="2/minute", RATELIMIT_STRATEGY=strategy).test_client()
    codes = [client.post("/v1/analyze", json=ARTICLE).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_an_unknown_strategy_stops_the_start(analyzer):
    with pytest.raises(SecurityConfigError, match="RATELIMIT_STRATEGY"):
        _limited_app(analyzer, RATELIMIT_STRATEGY="leaky-bucket")


class _FailingStorage(MemoryStorage):
    """A shared storage that fails while ``down`` is set, as Redis does when unreachable."""

    down = True

    def incr(self, *args, **kwargs):
        if self.down:
            raise ConnectionError("storage unreachable")
        return super().incr(*args, **kwargs)

    def get(self, *args, **kwargs):
        if self.down:
            raise ConnectionError("storage unreachable")
        return super().get(*args, **kwargs)

    def check(self) -> bool:
        return not self.down


def _app_with_failing_storage(analyzer, monkeypatch, fallback: bool) -> tuple[Flask, object]:
    import service.security

    storage = _FailingStorage()
    monkeypatch.setattr(service.security, "storage_from_string", lambda uri: storage)
    app = _limited_app(
        analyzer,
        limit="2/minute",
        RATELIMIT_STORAGE_URI="redis://cache.invalid:6379",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=fallback,
    )
    return app, storage


def test_an_unreachable_storage_gives_way_to_counts_in_memory(analyzer, monkeypatch, caplog):
    app, storage = _app_with_failing_storage(analyzer, monkeypatch, fallback=True)
    client = app.test_client()
    codes = [client.post("/v1/analyze", json=ARTICLE).status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # still limited, by this process's counts
    assert any("counting in memory" in r.getMessage() for r in caplog.records)
    # Back when a later check finds it reachable: its own (empty) counts apply again.
    storage.down = False
    limiter = app.extensions["caveat.limiter"]
    limiter._failed_at -= limiter.RETRY_STORAGE_EVERY
    assert client.post("/v1/analyze", json=ARTICLE).status_code == 200
    assert limiter._failed_at is None
    assert storage.get(next(iter(storage.storage))) == 1


def test_without_the_fallback_an_unreachable_storage_is_a_json_500(analyzer, monkeypatch):
    app, _ = _app_with_failing_storage(analyzer, monkeypatch, fallback=False)
    response = app.test_client().post("/v1/analyze", json=ARTICLE)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert "unreachable" not in response.get_data(as_text=True)
    assert analyzer.calls == []


def test_each_key_has_its_own_limit(analyzer):
    client = _limited_app(analyzer, API_KEYS=f"cms:{KEY},desk:{OTHER_KEY}").test_client()
    for _ in range(3):
        assert (
            client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": KEY}).status_code == 200
        )
    assert client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": KEY}).status_code == 429
    assert (
        client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": OTHER_KEY}).status_code
        == 200
    )


def test_without_keys_each_address_has_its_own_limit(analyzer):
    client = _limited_app(analyzer).test_client()
    for _ in range(3):
        client.post("/v1/analyze", json=ARTICLE, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert (
        client.post(
            "/v1/analyze", json=ARTICLE, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        ).status_code
        == 429
    )
    assert (
        client.post(
            "/v1/analyze", json=ARTICLE, environ_base={"REMOTE_ADDR": "10.0.0.2"}
        ).status_code
        == 200
    )


def test_wrong_keys_are_counted_against_the_address(analyzer):
    client = _limited_app(analyzer, API_KEYS=f"cms:{KEY}").test_client()
    for n in range(3):
        response = client.post(
            "/v1/analyze", json=ARTICLE, headers={"X-API-Key": f"guess-{n:016d}"}
        )
        assert response.status_code == 401
    response = client.post(
        "/v1/analyze", json=ARTICLE, headers={"X-API-Key": "guess-again-0000000"}
    )
    assert response.status_code == 429
    # The valid key has a bucket of its own.
    assert client.post("/v1/analyze", json=ARTICLE, headers={"X-API-Key": KEY}).status_code == 200


def test_health_the_page_and_static_files_are_not_limited(analyzer):
    client = _limited_app(analyzer, limit="1/minute").test_client()
    for _ in range(5):
        assert client.get("/v1/health").status_code == 200
        with client.get("/static/app.js") as response:
            assert response.status_code == 200
        assert client.get("/").status_code == 200


def test_a_reader_over_the_limit_can_still_load_the_page(analyzer):
    # The 429 is the analysis's: a reload must bring the page back, not a JSON error.
    client = _limited_app(analyzer, limit="1/minute").test_client()
    assert client.post("/v1/analyze", json=ARTICLE).status_code == 200
    assert client.post("/v1/analyze", json=ARTICLE).status_code == 429
    page = client.get("/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"


def test_an_ipv6_client_is_limited_by_its_64_network_not_by_each_address(analyzer):
    # One subscriber is given a whole /64: per address, each request could take a new bucket.
    client = _limited_app(analyzer, limit="1/minute", TRUSTED_PROXIES=1).test_client()
    first = {"X-Forwarded-For": "2001:db8:1:2::7"}
    assert client.post("/v1/analyze", json=ARTICLE, headers=first).status_code == 200
    same_net = {"X-Forwarded-For": "2001:db8:1:2:ffff:1:2:3"}
    assert client.post("/v1/analyze", json=ARTICLE, headers=same_net).status_code == 429
    other_net = {"X-Forwarded-For": "2001:db8:1:3::7"}
    assert client.post("/v1/analyze", json=ARTICLE, headers=other_net).status_code == 200


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, None),
        ("not an address", "not an address"),
    ],
)
def test_client_bucket(address, bucket):
    assert client_bucket(address) == bucket


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(analyzer):
    client = _limited_app(analyzer, limit="1/minute", TRUSTED_PROXIES=1).test_client()
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.post("/v1/analyze", json=ARTICLE, headers=first).status_code == 200
    assert client.post("/v1/analyze", json=ARTICLE, headers=first).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.8"}
    assert client.post("/v1/analyze", json=ARTICLE, headers=other).status_code == 200


def test_the_rate_limit_comes_from_the_environment(monkeypatch, analyzer):
    monkeypatch.setenv("CAVEAT_RATE_LIMIT", "1/second")
    app = _limited_app_from_env(analyzer)
    assert app.config["RATE_LIMIT"] == "1/second"


def _limited_app_from_env(analyzer) -> Flask:
    return create_app({"TESTING": True, "ANALYZER": analyzer, "RATELIMIT_ENABLED": True})


def test_a_bad_rate_limit_stops_the_start(analyzer):
    with pytest.raises(SecurityConfigError, match="RATE_LIMIT"):
        _limited_app(analyzer, limit="lots")


def test_apps_are_limited_unless_testing(analyzer):
    app = create_app({"ANALYZER": analyzer})
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.extensions["caveat.limiter"].enabled


def test_the_start_logs_the_storage_scheme_but_not_its_address(analyzer, caplog):
    _limited_app(analyzer, RATELIMIT_STORAGE_URI="memory://")
    [record] = [r for r in caplog.records if r.getMessage() == "rate limit"]
    assert record.rate_limit == "3/minute"
    assert record.ratelimit_storage == "memory"


def test_memory_limits_are_swept_inline_without_timer_threads(analyzer, monkeypatch):
    import limits.storage.memory

    from service.security import InlineExpiryMemoryStorage

    # The counts still limit: a 3/minute app answers the fourth call with 429.
    strict = _limited_app(analyzer).test_client()
    assert [strict.get("/v1/model").status_code for _ in range(4)] == [200, 200, 200, 429]
    app = _limited_app(analyzer, limit="1000/minute")
    storage = app.extensions["caveat.limiter"].storage
    assert type(storage) is InlineExpiryMemoryStorage
    timers = []
    monkeypatch.setattr(
        limits.storage.memory.threading, "Timer", lambda *a, **k: timers.append(a) or _NoThread()
    )
    # A counter whose window has passed, as the sweep finds it.
    storage.storage["stale"] = 5
    storage.expirations["stale"] = time.time() - 1
    storage._last_sweep = time.monotonic() + 3600  # as if it had just swept
    client = app.test_client()
    for _ in range(5):
        assert client.get("/v1/model").status_code == 200
    assert timers == []  # the library starts one on the first call after its last has run
    assert storage.storage["stale"] == 5  # not swept: the last sweep is too recent
    storage._last_sweep = time.monotonic() - 2 * storage.SWEEP_EVERY
    assert client.get("/v1/model").status_code == 200
    assert "stale" not in storage.storage and "stale" not in storage.expirations
    assert timers == []


class _NoThread:
    def start(self) -> None:
        raise AssertionError("no timer thread should start")

    def is_alive(self) -> bool:
        return False


# --------------------------------------------------------------------------- CORS


@pytest.fixture
def cors_client(analyzer):
    """A client of an app that allows one CMS origin."""
    return create_app(
        {
            "TESTING": True,
            "ANALYZER": analyzer,
            "CORS_ORIGINS": f"{ORIGIN}, https://desk.example.org",
        }
    ).test_client()


def test_an_allowed_origin_may_read_the_answer(cors_client):
    response = cors_client.post("/v1/analyze", json=ARTICLE, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_disallowed_origin_gets_no_cors_header(cors_client):
    response = cors_client.post(
        "/v1/analyze", json=ARTICLE, headers={"Origin": "https://evil.example.com"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_from_an_allowed_origin_allows_the_key_headers(cors_client):
    response = cors_client.options(
        "/v1/analyze",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-api-key",
        },
    )
    # No Content, as every automatic OPTIONS answer: a browser takes any 2xx for a preflight.
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "x-api-key"} <= {h.strip() for h in allowed.split(",")}
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_a_preflight_from_a_disallowed_origin_gets_no_cors_header(cors_client):
    response = cors_client.options(
        "/v1/analyze",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_needs_no_key(analyzer):
    client = create_app(
        {"TESTING": True, "ANALYZER": analyzer, "API_KEYS": KEY, "CORS_ORIGINS": ORIGIN}
    ).test_client()
    response = client.options(
        "/v1/analyze", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_no_origin_is_allowed_by_default(client):
    response = client.post("/v1/analyze", json=ARTICLE, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_page_is_not_shared_with_other_origins(cors_client):
    assert (
        "Access-Control-Allow-Origin"
        not in cors_client.get("/", headers={"Origin": ORIGIN}).headers
    )


@pytest.mark.parametrize(
    "origin",
    [
        "*",
        "cms.example.org",
        "https://cms.example.org/",
        "https://*.example.org",
        "ftp://x.org",
        "https://cms.example.org/path",
        "https://user@cms.example.org",
        "https://cms.example.org:0",
        "https://[::1]:8443",  # flask-cors would read the brackets as a pattern
    ],
)
def test_an_origin_that_is_not_exactly_an_origin_stops_the_start(origin):
    with pytest.raises(SecurityConfigError, match="CORS_ORIGINS"):
        parse_origins(origin)


def test_origins_are_compared_in_lower_case():
    assert parse_origins("HTTPS://CMS.Example.org:8443") == ["https://cms.example.org:8443"]


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/", None),
        ("get", "/v1/health", None),
        ("post", "/v1/analyze", ARTICLE),
        ("post", "/v1/analyze", {}),
        ("get", "/openapi.json", None),
        ("get", "/nope", None),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, body):
    response = getattr(client, method)(path, json=body)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_not_sniffed(client):
    with client.get("/static/style.css") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_policy_allows_only_this_origin():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_unauthorized_and_rate_limited_answers_carry_the_headers_too(analyzer):
    client = _limited_app(analyzer, limit="1/minute", API_KEYS=KEY).test_client()
    unauthorized = client.post("/v1/analyze", json=ARTICLE)
    client.post("/v1/analyze", json=ARTICLE)
    limited = client.post("/v1/analyze", json=ARTICLE)
    assert (unauthorized.status_code, limited.status_code) == (401, 429)
    for response in (unauthorized, limited):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


# --------------------------------------------------------------------------- model integrity


@pytest.fixture
def tampered_models(tmp_path) -> Path:
    """A copy of the committed models folder whose artifact has one byte changed."""
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    manifest = json.loads(max(folder.glob("caveat-*.json")).read_text(encoding="utf-8"))
    artifact = folder / manifest["artifact"]["file"]
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0x01
    artifact.write_bytes(bytes(data))
    return folder


def test_a_tampered_artifact_stops_the_app_with_a_clear_line(tampered_models, caplog):
    from service.analysis.model import ModelError

    with pytest.raises(ModelError, match="sha256"):
        create_app({"TESTING": True, "MODELS_DIR": tampered_models})
    [record] = [r for r in caplog.records if r.name == "caveat.model"]
    assert record.levelname == "CRITICAL"
    assert "refusing to start" in record.getMessage()
    assert "sha256" in record.reason and "caveat-" in record.reason


def test_a_tampered_artifact_stops_the_wsgi_entry_point(tampered_models):
    env = {**os.environ, "CAVEAT_MODELS_DIR": str(tampered_models)}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [critical] = [line for line in lines if line["level"] == "CRITICAL"]
    assert critical["message"] == "refusing to start: the model cannot be loaded safely"
    assert "sha256" in critical["reason"]
    assert "ModelError" in result.stderr


def test_the_security_logger_writes_json_lines(analyzer, capsys):
    create_app({"TESTING": True, "ANALYZER": analyzer})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert any(line["logger"] == "caveat.security" for line in lines)
    assert logging.getLogger("caveat.security").getEffectiveLevel() <= logging.WARNING


# --------------------------------------------------------------------------- the document


def test_with_keys_and_limits_the_document_declares_them_and_stays_valid(analyzer):
    from openapi_spec_validator import validate

    app = _limited_app(analyzer, API_KEYS=KEY)
    spec = app.test_client().get("/openapi.json").get_json()
    validate(spec)
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    analyze = spec["paths"]["/v1/analyze"]["post"]
    assert analyze["security"] == [{"bearer": []}, {"apiKey": []}]
    assert {"401", "429"} <= set(analyze["responses"])
    assert spec["paths"]["/v1/health"]["get"]["security"] == []
    assert "429" not in spec["paths"]["/v1/health"]["get"]["responses"]
    retry_after = spec["components"]["responses"]["RateLimited"]["headers"]["Retry-After"]
    assert retry_after["required"] is True


def test_without_keys_the_document_declares_no_security(spec_of_open_app):
    assert "securitySchemes" not in spec_of_open_app.get("components", {})
    assert "401" not in spec_of_open_app["paths"]["/v1/analyze"]["post"]["responses"]


@pytest.fixture
def spec_of_open_app(client) -> dict:
    """The document of the default test app: no keys, no rate limit."""
    return client.get("/openapi.json").get_json()
