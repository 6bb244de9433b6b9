"""The bounds on one request's work: body, text, batch, sentences, characters a batch; gunicorn.

Body size (413), text length and batch size (422) are tested in test_errors.py and
test_api.py; this file tests the sentence and batch-character bounds, the sentence
count they rest on, and that a request at the limits finishes well within the
worker timeout that gunicorn.conf.py ships.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import create_app
from service.analysis.model import load_model
from service.errors import MESSAGES
from service.schemas import MAX_BATCH_CHARS, MAX_SENTENCES, sentence_upper_bound

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def segmenter():
    """The segmenter the committed model ships."""
    return load_model(PROJECT / "models").segmenter


# --------------------------------------------------------------------------- sentences


def test_20000_one_word_sentences_are_refused_naming_text(real_client, assert_error):
    text = "word\n" * 20_000  # 100,000 characters: within the text limit
    response = real_client.post("/v1/analyze", json={"text": text})
    error = assert_error(response, 422, "validation_error", "text")
    assert error["details"]["text"] == [
        f"More than {MAX_SENTENCES} sentences (20000); send the article in parts."
    ]


def test_20000_one_word_sentences_in_a_batch_fail_that_document_alone(real_client):
    documents = [{"id": "long", "text": "Yes\n" * 19_999}, {"id": "ok", "text": "It may rain."}]
    response = real_client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200
    long, ok = response.get_json()["results"]
    assert long["id"] == "long"
    assert long["error"]["code"] == "validation_error"
    assert "sentences" in long["error"]["details"]["text"][0]
    assert ok["sentences"]


def test_the_sentence_limit_counts_sentences_not_marks(real_client):
    # 2,500 decimals: the cheap bound passes the limit; the segmenter finds a few sentences.
    text = "Prices rose by " + "5.93 and " * 2_500 + "more."
    assert sentence_upper_bound(text) > MAX_SENTENCES
    response = real_client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["sentences"]) < 10


def test_a_document_at_the_sentence_limit_is_analysed(real_client):
    response = real_client.post("/v1/analyze", json={"text": "word\n" * MAX_SENTENCES})
    assert response.status_code == 200
    assert len(response.get_json()["sentences"]) == MAX_SENTENCES


def test_the_sentence_limit_comes_from_the_config(analyzer, assert_error):
    client = create_app({"TESTING": True, "ANALYZER": analyzer, "MAX_SENTENCES": 3}).test_client()
    # The stand-in analyzer has no segmenter: the cheap bound (one a line here) is the count.
    assert client.post("/v1/analyze", json={"text": "A\nB\nC"}).status_code == 200
    response = client.post("/v1/analyze", data="A\nB\nC\nD", content_type="text/plain")
    assert_error(response, 422, "validation_error", "text")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.one_of(
            st.sampled_from(list(".?!…。！？｡\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029 \"')»”ab1ZIW")),
            st.characters(),
        ),
        max_size=3_000,
    )
)
def test_the_cheap_bound_is_never_below_the_segmenter(segmenter, text):
    assert sentence_upper_bound(text) >= len(segmenter.split(text))


@pytest.mark.parametrize("length", [5_001, 12_345, 40_000, 100_000])
def test_the_cheap_bound_covers_the_cuts_of_long_sentences(segmenter, length):
    for text in ("x" * length, ("word " * length)[:length]):
        assert sentence_upper_bound(text) >= len(segmenter.split(text))


def test_the_cheap_bound_counts_sentences_that_end_in_the_ellipsis_character(segmenter):
    # "…" before a capitalised function word ends a sentence (segment.py); the bound once
    # counted no "…", so this 100,000-character text passed as about 50 sentences, and was
    # analysed as 16,667.
    text = ("a… We " * 16_667)[:100_000]
    assert sentence_upper_bound(text) >= len(segmenter.split(text)) > MAX_SENTENCES


def test_sentences_that_end_in_the_ellipsis_character_count_towards_the_limit(
    real_client, assert_error
):
    text = "a… We " * 3_000  # 18,000 characters, 3,001 sentences
    response = real_client.post("/v1/analyze", json={"text": text})
    error = assert_error(response, 422, "validation_error", "text")
    assert error["details"]["text"] == [
        f"More than {MAX_SENTENCES} sentences (3001); send the article in parts."
    ]


# --------------------------------------------------------------------------- characters a batch


def test_a_batch_over_the_character_budget_is_payload_too_large(client, assert_error, analyzer):
    documents = [{"text": "x" * 90_000} for _ in range(2)]
    response = client.post("/v1/analyze/batch", json={"documents": documents})
    error = assert_error(response, 413, "payload_too_large", "characters", "limit")
    assert error["details"] == {"characters": 180_000, "limit": MAX_BATCH_CHARS}
    assert analyzer.calls == []


def test_titles_count_towards_the_batch_budget(analyzer, assert_error):
    client = create_app(
        {"TESTING": True, "ANALYZER": analyzer, "MAX_BATCH_CHARS": 10}
    ).test_client()
    ok = client.post("/v1/analyze/batch", json={"documents": [{"text": "12345", "title": "12345"}]})
    assert ok.status_code == 200
    over = client.post(
        "/v1/analyze/batch", json={"documents": [{"text": "12345", "title": "123456"}]}
    )
    assert_error(over, 413, "payload_too_large", "characters")


def test_a_batch_of_one_document_at_its_own_limits_is_analysed(client, analyzer):
    # 100,000 characters of text with whitespace around them and a 1,000-character title:
    # /v1/analyze takes it, so a batch of it alone is never over the budget.
    text = "\n" + "x" * 100_000 + "\n"
    assert client.post("/v1/analyze", json={"text": text, "title": "t" * 1_000}).status_code == 200
    documents = [{"id": "one", "text": text, "title": "t" * 1_000}]
    response = client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()["results"]
    assert result["id"] == "one" and "error" not in result


def test_a_text_over_its_own_limit_fails_alone_not_the_batch(client, analyzer):
    documents = [{"id": "ok", "text": "It may rain."}, {"id": "long", "text": "x" * 100_001}]
    response = client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200, response.get_json()
    ok, long = response.get_json()["results"]
    assert ok["id"] == "ok" and ok["sentences"]
    assert long["id"] == "long"
    assert long["error"]["code"] == "validation_error"
    assert list(long["error"]["details"]) == ["text"]
    [(docs, _)] = analyzer.calls
    assert [d[2] for d in docs] == ["ok"]


def test_a_batch_at_the_character_budget_is_analysed(client):
    documents = [{"text": "x" * (MAX_BATCH_CHARS // 4)} for _ in range(4)]
    assert client.post("/v1/analyze/batch", json={"documents": documents}).status_code == 200


# --------------------------------------------------------------------------- time bound


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", PROJECT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gunicorn_timeout() -> int:
    return _gunicorn_conf().timeout


@pytest.mark.slow
def test_the_worst_document_at_the_limits_finishes_well_within_the_worker_timeout(real_client):
    # Short sentences that are each a claim and a hedge: the most work a sentence can make
    # (every claim is paired with every hedge), as many as the limit allows.
    text = " ".join(["Huge win, may fail."] * MAX_SENTENCES)
    started = time.perf_counter()
    response = real_client.post("/v1/analyze", json={"text": text})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < _gunicorn_timeout() / 2, f"{elapsed:.1f} s"


def test_the_gunicorn_config_keeps_the_preloaded_model_from_the_collector_before_forking():
    import gc

    conf = _gunicorn_conf()
    loaded = [["model"], ["vocabulary"]]  # containers the collector tracks
    assert gc.is_tracked(loaded)
    before = gc.get_freeze_count()
    try:
        conf.pre_fork(server=None, worker=None)
        # Every object the collector tracked, this one included, is now in the permanent
        # generation: a collection in a forked worker no longer visits (and writes to) it.
        assert gc.get_freeze_count() > before
        collected = (obj for g in range(3) for obj in gc.get_objects(generation=g))
        assert not any(obj is loaded for obj in collected)
    finally:
        gc.unfreeze()


def test_the_gunicorn_config_bounds_and_recycles_workers():
    conf = _gunicorn_conf()
    assert conf.preload_app is True
    assert conf.workers >= 1
    assert 0 < conf.timeout <= 120
    assert 0 < conf.graceful_timeout <= conf.timeout
    assert conf.max_requests > 0 and 0 < conf.max_requests_jitter < conf.max_requests
    assert conf.bind.startswith("127.0.0.1:")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _send_raw(port: int, request: bytes, stop_sending: bool = False) -> bytes:
    """The server's whole answer to raw bytes, read until it closes the connection;
    ``stop_sending``: the client closes its side once it has sent what it had."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        if stop_sending:
            conn.shutdown(socket.SHUT_WR)
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
        return response


@contextlib.contextmanager
def _gunicorn(app: str, *options: str):
    """gunicorn with the shipped config and ``options``, serving ``app`` on a free port; yields
    a dict with the "port" once it answers, and holds its whole "log" after the block."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *options]
        + ["--workers", "1", "--bind", f"127.0.0.1:{port}", app],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    run = {"port": port}
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        yield run
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
        run["log"] = (out + err).decode("utf-8", "replace")


def test_past_the_worker_timeout_the_answer_is_json_and_gunicorns_log_quotes_nothing_sent():
    """gunicorn with the shipped config (a 2 s timeout for the test) and an app whose
    analysis never ends: the client gets the JSON 500, and neither gunicorn's log nor the
    app's holds the query string, a malformed request line or a malformed header."""
    with _gunicorn("tests.gunicorn_apps:slow_app()", "--timeout", "2") as run:
        port = run["port"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            "/v1/analyze?draft=SECRET-IN-QUERY",
            body=json.dumps({"text": "SECRET-IN-BODY: it may rain."}),
            headers={"Content-Type": "application/json", "X-Request-ID": "req-timeout"},
        )
        response = conn.getresponse()
        body = response.read()
        assert response.status == 500
        assert response.getheader("Content-Type") == "application/json"
        assert json.loads(body)["error"] == {
            "code": "internal",
            "message": MESSAGES[500],
            "details": {"request_id": "req-timeout"},
        }
        bad_line = _send_raw(port, b"GET /x?SECRET-IN-LINE\x00 HTTP/1.1\r\nHost: a\r\n\r\n")
        assert bad_line.startswith(b"HTTP/1.1 400")
        bad_header = _send_raw(port, b"GET / HTTP/1.1\r\nHost: a\r\nSECRET-IN HEADER\r\n\r\n")
        assert bad_header.startswith(b"HTTP/1.1 400")
    log = run["log"]
    assert "SECRET" not in log
    assert "service.errors.WorkerTimeout" in log  # the app logged the failure, by its type
    assert "Invalid request from ip=127.0.0.1: malformed request (not quoted)" in log


def _answer(port: int, head: bytes, body: bytes, stop_sending: bool = False) -> tuple[int, dict]:
    """Status and JSON body of a raw request (``Connection: close``; ``_send_raw``)."""
    response = _send_raw(port, head + b"Connection: close\r\n\r\n" + body, stop_sending)
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2])


def test_under_gunicorn_a_body_cut_short_or_badly_chunked_is_refused_not_analysed_or_a_bug():
    """A body that ends before its Content-Length came through whole-looking (200, the part
    analysed), and a broken chunk size or terminator was an unhandled exception (500)."""
    post = b"POST /v1/analyze HTTP/1.1\r\nHost: a\r\n"
    with _gunicorn("tests.gunicorn_apps:fake_app()") as run:
        port = run["port"]
        cut = _answer(
            port,
            post + b"Content-Type: text/plain\r\nContent-Length: 5000\r\n",
            b"SECRET-CUT: a historic breakthrough.",
            stop_sending=True,
        )
        assert cut[0] == 400 and cut[1]["error"]["code"] == "invalid_json"
        assert cut[1]["error"]["details"] == {"content_length": 5000, "received": 36}
        chunked = post + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        for framing in (
            b'ZZ\r\n{"text": "SECRET-SIZE"}\r\n0\r\n\r\n',  # a chunk size that is no number
            b'16\r\n{"text": "SECRET-END"}XX\r\n0\r\n\r\n',  # a chunk without its line end
        ):
            status, body = _answer(port, chunked, framing)
            assert status == 400, body
            assert body["error"]["code"] == "invalid_json"
            assert "chunked" in body["error"]["message"]
    assert "SECRET" not in run["log"]
    assert "unhandled" not in run["log"]


@pytest.mark.slow
def test_the_worst_batch_with_explain_finishes_well_within_the_worker_timeout(real_client):
    # 100 documents of one-letter lines at the batch's character budget: ~50,000 sentences,
    # each explained. Explaining a sentence once cost a scan of every feature column: 55 s.
    documents = [{"text": ("a\n" * 600)[: MAX_BATCH_CHARS // 100]} for _ in range(100)]
    started = time.perf_counter()
    response = real_client.post("/v1/analyze/batch", json={"documents": documents, "explain": True})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) == 100 and all(r["sentences"][0]["features"] for r in results)
    assert elapsed < _gunicorn_timeout() / 2, f"{elapsed:.1f} s"
