"""The request log: one JSON line a request, with its id, and never any body content."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid

import pytest
from flask import Flask

from service import create_app
from service.logging import FIELDS, ROOT_LOGGER, JSONLinesFormatter

#: Text only the article holds; it must not reach any log record or log line.
MARKER = f"MARKER-{uuid.uuid4().hex}"


@pytest.fixture
def log_stream(app: Flask) -> io.StringIO:
    """What the service's own handler writes, captured."""
    [handler] = [
        h for h in logging.getLogger(ROOT_LOGGER).handlers if isinstance(h, logging.StreamHandler)
    ]
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_writes_one_json_line(client, log_stream):
    client.post("/v1/analyze", json={"text": "Talks made tremendous progress."})
    [line] = _lines(log_stream)
    assert line["logger"] == "caveat.request"
    assert line["message"] == "request"
    assert line["method"] == "POST"
    assert line["path"] == "/v1/analyze"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_bytes"] > 0
    assert line["response_bytes"] > 0


def test_a_path_with_line_separators_stays_one_line_to_every_reader(client, log_stream):
    # JSON leaves U+0085, U+2028 and U+2029 raw; str.splitlines and JavaScript split there.
    client.get("/x%E2%80%A8y%C2%85z%E2%80%A9")
    written = log_stream.getvalue()
    assert not any(sep in written for sep in ("\u0085", "\u2028", "\u2029"))
    [line] = _lines(log_stream)  # splitlines: one record, one line
    assert line["path"] == "/x\u2028y\u0085z\u2029"


def test_the_line_holds_only_the_request_fields(client, log_stream):
    client.get("/v1/health")
    [line] = _lines(log_stream)
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "request_bytes",
        "response_bytes",
        "key_id",
    }


def test_the_logged_sizes_are_the_body_sizes(client, log_stream):
    body = json.dumps({"text": "An article."}).encode()
    response = client.post("/v1/analyze", data=body, content_type="application/json")
    [line] = _lines(log_stream)
    assert line["request_bytes"] == len(body)
    assert line["response_bytes"] == len(response.data)


def test_an_error_is_logged_with_its_status(client, log_stream):
    client.post("/v1/analyze", json={"text": ""})
    [line] = _lines(log_stream)
    assert line["status"] == 422


def test_the_request_id_is_a_new_uuid4_and_is_echoed(client, log_stream):
    response = client.get("/v1/health")
    request_id = response.headers["X-Request-ID"]
    assert uuid.UUID(request_id).version == 4
    assert _lines(log_stream)[0]["request_id"] == request_id


def test_a_sent_request_id_is_kept_and_echoed(client, log_stream):
    response = client.get("/v1/health", headers={"X-Request-ID": "cms-1234.abc"})
    assert response.headers["X-Request-ID"] == "cms-1234.abc"
    assert _lines(log_stream)[0]["request_id"] == "cms-1234.abc"


@pytest.mark.parametrize("sent", ["", "x" * 129, "two words", 'quote"s', "tab\there", "ünï"])
def test_an_unusable_request_id_is_replaced(client, log_stream, sent):
    response = client.get("/v1/health", headers={"X-Request-ID": sent})
    assert uuid.UUID(response.headers["X-Request-ID"]).version == 4


def test_every_response_carries_the_request_id(client):
    for response in (client.get("/nope"), client.post("/v1/analyze", json={})):
        assert uuid.UUID(response.headers["X-Request-ID"])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/analyze", {"text": f"An article about {MARKER}.", "title": MARKER, "id": MARKER}),
        ("/v1/analyze", {"text": f"An article about {MARKER}.", "explain": True}),
        ("/v1/analyze", {"text": MARKER, "explain": MARKER}),
        ("/v1/analyze", {"text": MARKER, MARKER: MARKER}),
        ("/v1/analyze/batch", {"documents": [{"text": MARKER, "id": MARKER}, {"text": 5}]}),
    ],
)
def test_no_log_record_holds_the_article(client, log_stream, caplog, path, body):
    caplog.set_level(logging.DEBUG)
    response = client.post(f"{path}?q={MARKER}", json=body)
    assert response.status_code in (200, 422)
    assert caplog.records
    for record in caplog.records:
        assert MARKER not in repr(record.__dict__)
    assert MARKER not in caplog.text
    assert MARKER not in log_stream.getvalue()


def test_no_log_record_holds_a_plain_text_article(client, log_stream, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/v1/analyze", data=f"An article about {MARKER}.", content_type="text/plain"
    )
    assert response.status_code == 200
    assert caplog.records
    assert MARKER not in caplog.text
    assert MARKER not in log_stream.getvalue()


def test_the_formatter_writes_only_whitelisted_fields_and_no_exception_text():
    try:
        raise ValueError(MARKER)
    except ValueError:
        record = logging.LogRecord(
            "caveat.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    record.body = MARKER
    record.request_id = "r1"
    line = json.loads(JSONLinesFormatter().format(record))
    assert line["request_id"] == "r1"
    assert MARKER not in json.dumps(line)
    assert set(line) <= {"time", "level", "logger", "message", *FIELDS}


def test_create_app_installs_one_handler_however_often_it_is_called(analyzer):
    for _ in range(3):
        create_app({"TESTING": True, "ANALYZER": analyzer})
    handlers = logging.getLogger(ROOT_LOGGER).handlers
    assert len([h for h in handlers if isinstance(h, logging.StreamHandler)]) == 1


def test_the_log_level_comes_from_the_config(analyzer):
    create_app({"TESTING": True, "ANALYZER": analyzer, "LOG_LEVEL": "WARNING"})
    assert logging.getLogger(ROOT_LOGGER).level == logging.WARNING


# --------------------------------------------------------------------------- keys and the 500 path

KEY = "newsroom-key-0123456789"


@pytest.fixture
def keyed_app(analyzer) -> Flask:
    """An app that asks for a key, production-like: a bug answers 500 rather than raising."""
    return create_app(
        {
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            "RATELIMIT_ENABLED": False,
            "ANALYZER": analyzer,
            "API_KEYS": f"desk-7:{KEY}",
        }
    )


@pytest.fixture
def keyed_log(keyed_app) -> io.StringIO:
    """What the service's handler writes for `keyed_app`, captured."""
    [handler] = [
        h for h in logging.getLogger(ROOT_LOGGER).handlers if isinstance(h, logging.StreamHandler)
    ]
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def test_the_line_names_the_key_id_but_never_the_key(keyed_app, keyed_log):
    keyed_app.test_client().post(
        "/v1/analyze", json={"text": "An article."}, headers={"Authorization": f"Bearer {KEY}"}
    )
    [line] = _lines(keyed_log)
    assert line["key_id"] == "desk-7"
    assert KEY not in keyed_log.getvalue()


def test_a_wrong_key_is_logged_as_401_without_a_key_id_or_the_key(keyed_app, keyed_log):
    wrong = "wrong-key-99999999999"
    keyed_app.test_client().post("/v1/analyze", json={"text": MARKER}, headers={"X-API-Key": wrong})
    [line] = _lines(keyed_log)
    assert (line["status"], line["key_id"]) == (401, None)
    assert wrong not in keyed_log.getvalue()
    assert MARKER not in keyed_log.getvalue()


class _ExplodingAnalyzer:
    """An analyzer that fails quoting the article, as a bug in the core might."""

    def __init__(self, model) -> None:
        self.model = model

    def analyze(self, text, title=None, doc_id=None, explain=False):
        raise ValueError(f"cannot analyse {text!r} titled {title!r}")

    def analyze_many(self, docs, explain=False):
        raise RuntimeError(f"cannot analyse {docs!r}")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/analyze", {"text": f"A draft about {MARKER}.", "title": f"{MARKER} resigns"}),
        ("/v1/analyze/batch", {"documents": [{"text": f"{MARKER} draft", "id": MARKER}]}),
    ],
)
def test_no_part_of_the_article_reaches_the_logs_on_a_500(analyzer, caplog, capsys, path, body):
    app = create_app(
        {
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            "ANALYZER": _ExplodingAnalyzer(analyzer.model),
            "API_KEYS": f"desk-7:{KEY}",
        }
    )
    caplog.set_level(logging.DEBUG)
    response = app.test_client().post(path, json=body, headers={"X-API-Key": KEY})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert MARKER not in response.get_data(as_text=True)
    written = capsys.readouterr().err
    lines = [json.loads(line) for line in written.splitlines()]
    [request_line] = [line for line in lines if line["logger"] == "caveat.request"]
    assert (request_line["status"], request_line["key_id"]) == (500, "desk-7")
    [error_line] = [line for line in lines if line["logger"] == "caveat.errors"]
    assert error_line["request_id"] == request_line["request_id"]
    assert error_line["exc_type"] in ("builtins.ValueError", "builtins.RuntimeError")
    for text in (written, caplog.text, *(repr(r.__dict__) for r in caplog.records)):
        assert MARKER not in text
        assert "draft" not in text
        assert KEY not in text
