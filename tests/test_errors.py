"""Every error is the one JSON body, with DESIGN.md's status and code, and never a trace."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    InternalServerError,
    TooManyRequests,
    Unauthorized,
    default_exceptions,
)

from service import create_app
from service.errors import MESSAGES, APIError, error_code

#: Text only an article holds: it must never reach a log or an error body.
SECRET = "CONFIDENTIAL-DRAFT-7f3a9c: the minister will resign on Friday"


@pytest.fixture
def error_app(analyzer) -> Flask:
    """An app with test-only routes that raise, for what no real route raises yet."""
    app = create_app({"TESTING": True, "ANALYZER": analyzer})

    @app.get("/test/http/<int:status>")
    def raise_http(status: int):
        raise default_exceptions[status]()

    @app.get("/test/unauthorized")
    def raise_unauthorized():
        raise Unauthorized(www_authenticate=WWWAuthenticate("Bearer"))

    @app.get("/test/rate-limited")
    def raise_rate_limited():
        raise TooManyRequests(retry_after=30)

    @app.get("/test/api-error")
    def raise_api_error():
        raise APIError(409, "conflict_of_drafts", "Two drafts collide.", {"id": "d1"})

    return app


# --------------------------------------------------------------------------- DESIGN.md's table


def test_body_that_is_not_json_is_invalid_json(client, assert_error):
    response = client.post(
        "/v1/analyze", data='{"text": "unclosed', content_type="application/json"
    )
    error = assert_error(response, 400, "invalid_json", "line", "column")
    assert error["details"] == {"line": 1, "column": 10}


def test_empty_json_body_is_invalid_json(client, assert_error):
    response = client.post("/v1/analyze", data=b"", content_type="application/json")
    assert_error(response, 400, "invalid_json")


def test_json_that_is_not_utf8_is_invalid_json(client, assert_error):
    response = client.post(
        "/v1/analyze", data=b'{"text": "caf\xe9"}', content_type="application/json"
    )
    error = assert_error(response, 400, "invalid_json", "byte")
    assert error["details"]["byte"] == 13


def test_json_in_utf16_is_invalid_json(client, assert_error):
    response = client.post(
        "/v1/analyze",
        data=json.dumps({"text": "an article"}).encode("utf-16"),
        content_type="application/json",
    )
    assert_error(response, 400, "invalid_json")


def test_json_with_a_lone_surrogate_escape_is_invalid_json(client, assert_error):
    response = client.post(
        "/v1/analyze", data='{"text": "half \\ud800 a pair"}', content_type="application/json"
    )
    assert_error(response, 400, "invalid_json")


def test_json_with_an_escaped_surrogate_pair_is_text(client):
    response = client.post(
        "/v1/analyze", data='{"text": "party \\ud83c\\udf89"}', content_type="application/json"
    )
    assert response.status_code == 200
    assert response.get_json()["sentences"][0]["text"] == "party \U0001f389"


def test_json_nested_too_deeply_is_invalid_json(client, assert_error):
    response = client.post(
        "/v1/analyze", data="[" * 200_000 + "]" * 200_000, content_type="application/json"
    )
    assert_error(response, 400, "invalid_json")


def test_batch_body_that_is_not_json_is_invalid_json(client, assert_error):
    response = client.post("/v1/analyze/batch", data="documents", content_type="application/json")
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("path", ["/nope", "/v1", "/v1/analyse", "/v2/analyze", "/v1/health/"])
def test_unknown_path_is_not_found(client, assert_error, path):
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/analyze"),
        ("put", "/v1/analyze/batch"),
        ("post", "/v1/health"),
        ("delete", "/v1/model"),
        ("post", "/openapi.json"),
        ("post", "/"),
    ],
)
def test_wrong_method_is_method_not_allowed(client, assert_error, method, path):
    response = getattr(client, method)(path)
    error = assert_error(response, 405, "method_not_allowed", "allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == set(
        error["details"]["allowed"]
    )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/analyze", {"POST", "OPTIONS"}),
        ("/v1/analyze/batch", {"POST", "OPTIONS"}),
        ("/v1/health", {"GET", "HEAD", "OPTIONS"}),
        ("/v1/model", {"GET", "HEAD", "OPTIONS"}),
        ("/openapi.json", {"GET", "HEAD", "OPTIONS"}),
        ("/", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_is_no_content_with_allow_and_no_html_type(client, path, allowed):
    # Flask's own answer was a 200 with an empty body labelled text/html.
    response = client.options(path)
    assert response.status_code == 204
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""


def test_batch_over_the_limit_is_payload_too_large(client, assert_error):
    documents = [{"text": "a" * 30_000} for _ in range(40)]
    response = client.post("/v1/analyze/batch", json={"documents": documents})
    assert_error(response, 413, "payload_too_large")


def test_configured_body_limit_is_enforced(analyzer, assert_error):
    app = create_app({"TESTING": True, "ANALYZER": analyzer, "MAX_CONTENT_LENGTH": 100})
    response = app.test_client().post("/v1/analyze", json={"text": "a" * 200})
    assert_error(response, 413, "payload_too_large")


def test_xml_is_unsupported_media_type(client, assert_error):
    response = client.post(
        "/v1/analyze", data="<article>text</article>", content_type="application/xml"
    )
    error = assert_error(response, 415, "unsupported_media_type", "content_type")
    assert error["details"]["content_type"] == "application/xml"


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/html", None])
def test_other_media_types_are_unsupported(client, assert_error, content_type):
    response = client.post("/v1/analyze", data="text=an+article", content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")


def test_schema_violation_is_validation_error_naming_the_field(client, assert_error):
    response = client.post("/v1/analyze", json={"text": 5})
    error = assert_error(response, 422, "validation_error", "text")
    assert error["details"] == {"text": ["Not a valid string."]}


def test_unauthorized_keeps_its_code_and_challenge(error_app, assert_error):
    response = error_app.test_client().get("/test/unauthorized")
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_too_many_requests_is_rate_limited_with_retry_after(error_app, assert_error):
    response = error_app.test_client().get("/test/rate-limited")
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "30"


def test_api_error_keeps_its_status_code_and_details(error_app, assert_error):
    response = error_app.test_client().get("/test/api-error")
    error = assert_error(response, 409, "conflict_of_drafts", "id")
    assert error == {
        "code": "conflict_of_drafts",
        "message": "Two drafts collide.",
        "details": {"id": "d1"},
    }


# --------------------------------------------------------------------------- every werkzeug status

#: DESIGN.md's codes; every other status is the snake_case of its name.
DESIGN_CODES = {
    400: "invalid_json",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal",
}


@pytest.mark.parametrize("status", sorted(default_exceptions))
def test_every_werkzeug_error_is_the_json_error_body(error_app, assert_error, status):
    expected = DESIGN_CODES.get(status, error_code(status, default_exceptions[status]().name))
    response = error_app.test_client().get(f"/test/http/{status}")
    assert_error(response, status, expected)
    assert b"<" not in response.data  # no HTML page


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "forbidden"),
        (409, "conflict"),
        (418, "im_a_teapot"),
        (503, "service_unavailable"),
        (414, "request_uri_too_long"),
        (505, "http_version_not_supported"),
    ],
)
def test_other_statuses_get_the_snake_case_of_their_name(status, code):
    assert error_code(status, default_exceptions[status]().name) == code


# --------------------------------------------------------------------------- 500 internal


@pytest.fixture
def failing_app(analyzer) -> Flask:
    """A production-like app (errors not propagated) whose route fails quoting the article."""
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "ANALYZER": analyzer})

    @app.post("/test/fail")
    def fail():
        try:
            raise KeyError(SECRET)
        except KeyError as exc:
            raise ValueError(f"could not analyse {SECRET!r}") from exc

    return app


def test_a_bug_is_internal_with_the_request_id_and_no_trace(failing_app, assert_error):
    response = failing_app.test_client().post("/test/fail", json={"text": SECRET})
    error = assert_error(response, 500, "internal", "request_id")
    assert error["details"] == {"request_id": response.headers["X-Request-ID"]}
    body = response.get_data(as_text=True)
    for leak in (SECRET, "CONFIDENTIAL", "Traceback", "ValueError", "KeyError", ".py"):
        assert leak not in body


def test_a_bug_is_logged_with_the_request_id_and_type_but_no_article_text(failing_app, caplog):
    response = failing_app.test_client().post(
        "/test/fail", json={"text": SECRET}, headers={"X-Request-ID": "req-500-test"}
    )
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "caveat.errors"]
    assert record.request_id == "req-500-test"
    assert record.exc_type == "builtins.ValueError"
    assert [link["type"] for link in record.exc_chain] == [
        "builtins.ValueError",
        "builtins.KeyError",
    ]
    assert any("in fail" in frame for frame in record.exc_chain[0]["frames"])
    assert record.exc_info is None
    assert "CONFIDENTIAL" not in caplog.text
    for r in caplog.records:
        assert "CONFIDENTIAL" not in repr(r.__dict__)


def test_a_bug_in_an_error_path_is_internal_and_logged_without_text(analyzer, caplog, assert_error):
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "ANALYZER": analyzer})

    @app.get("/test/fail-twice")
    def fail_twice():
        raise APIError(409, "conflict", "first")

    @app.errorhandler(APIError)
    def broken_handler(error):
        # A handler that fails lands in Flask's handle_exception -> app.log_exception.
        raise RuntimeError(SECRET)

    response = app.test_client().get("/test/fail-twice")
    assert_error(response, 500, "internal", "request_id")
    assert "CONFIDENTIAL" not in caplog.text
    assert "CONFIDENTIAL" not in response.get_data(as_text=True)
    [record] = [r for r in caplog.records if r.name == "caveat.errors"]
    assert record.exc_type == "builtins.RuntimeError"


def test_a_raised_internal_server_error_is_internal(error_app, assert_error, caplog):
    response = error_app.test_client().get("/test/http/500")
    assert_error(response, 500, "internal", "request_id")
    assert [r.exc_type for r in caplog.records if r.name == "caveat.errors"] == [
        f"{InternalServerError.__module__}.InternalServerError"
    ]


# --------------------------------------------------------------------------- a bug in a batch


class _FailsOn:
    """The stand-in analyzer, except that it raises on any article holding ``word``; the
    exception's message quotes the article, as a real one could."""

    def __init__(self, analyzer, word: str):
        self._analyzer = analyzer
        self.model = analyzer.model
        self.word = word
        self.calls = 0

    def analyze_many(self, docs, explain=False):
        self.calls += 1
        for text, _, _ in docs:
            if self.word in text:
                raise ValueError(f"could not analyse {text!r}")
        return self._analyzer.analyze_many(docs, explain=explain)


def _failing_batch_app(analyzer, word: str) -> tuple[Flask, _FailsOn]:
    failing = _FailsOn(analyzer, word)
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "ANALYZER": failing})
    return app, failing


def test_a_document_the_analyzer_fails_on_costs_only_its_own_result(analyzer, caplog):
    app, failing = _failing_batch_app(analyzer, "CONFIDENTIAL")
    documents = [
        {"id": "a", "text": "It is a breakthrough."},
        {"id": "b", "text": SECRET},
        {"id": "c", "text": "It may work."},
    ]
    response = app.test_client().post(
        "/v1/analyze/batch", json={"documents": documents}, headers={"X-Request-ID": "req-b"}
    )
    assert response.status_code == 200, response.get_json()
    a, b, c = response.get_json()["results"]
    assert a["id"] == "a" and a["sentences"]
    assert c["id"] == "c" and c["sentences"]
    assert b == {
        "id": "b",
        "error": {
            "code": "internal",
            "message": MESSAGES[500],
            "details": {"request_id": "req-b"},
        },
    }
    assert failing.calls == 4  # the batch, then each document alone
    [record] = [r for r in caplog.records if r.name == "caveat.errors"]  # logged once
    assert record.request_id == "req-b"
    assert record.exc_type == "builtins.ValueError"
    assert "CONFIDENTIAL" not in caplog.text
    assert "CONFIDENTIAL" not in response.get_data(as_text=True)


def test_a_batch_the_analyzer_fails_on_entirely_is_internal(analyzer, caplog, assert_error):
    app, _ = _failing_batch_app(analyzer, "CONFIDENTIAL")
    documents = [{"id": "b", "text": SECRET}, {"id": "d", "text": SECRET + " Again."}]
    response = app.test_client().post("/v1/analyze/batch", json={"documents": documents})
    assert_error(response, 500, "internal", "request_id")
    assert len([r for r in caplog.records if r.name == "caveat.errors"]) == 1
    assert "CONFIDENTIAL" not in caplog.text
