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
    client.post("/v1/analyze", data=f"An article about {MARKER}.", content_type="text/plain")
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
