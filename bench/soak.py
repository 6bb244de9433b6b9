"""Soak test (not in CI): gunicorn with the shipped config on 127.0.0.1, good and bad requests.

    python -m bench.soak [--clients 16] [--seconds 60] [--max-requests 200000]

Starts ``gunicorn -c gunicorn.conf.py wsgi:app`` on a free loopback port with an API
key configured, then runs ``--clients`` threads (8-32), each on its own keep-alive
connection, for ``--seconds`` or ``--max-requests`` in all, whichever comes first.
Each request is drawn from a fixed mix of good requests (articles, plain text,
batches, health) and bad ones (malformed JSON, wrong and missing keys, wrong media
type, blank and over-long texts, a body over 1 MiB, 20,000 one-line sentences, lone
surrogates, deep nesting, unknown paths and methods, a disallowed origin), and its
status is checked against the one the contract gives.

Reports requests, answers by status, mismatched statuses, 5xx (must be 0), dropped
connections (resets, timeouts, closed without an answer), latency percentiles, and
the resident memory of each worker at the start (after a warm-up) and at the end.
Only 127.0.0.1 is ever contacted, and the server is stopped by its own pid.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import server_env
from service.cli import command, count, output_file, positive_int, positive_seconds

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
#: Bounds, whatever the arguments: the run stops by itself.
MAX_SECONDS = 600
MAX_CLIENTS = 32
MAX_REQUESTS = 500_000
#: A request that takes longer than this counts as dropped.
REQUEST_TIMEOUT = 60.0
KEY = "soak-" + secrets.token_hex(16)
SEED = ROOT.parent / "shared" / "seeds" / "000_622f453118fedc3c.txt"
ARTICLE = (
    SEED.read_text(encoding="utf-8")
    if SEED.is_file()
    else "Officials hailed tremendous progress in the talks on Friday. More work is needed "
    "to finalise the deal, which will then need Russia's agreement. Critics argue the "
    "timetable may slip."
)


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to send it and the status the contract gives it."""

    name: str
    method: str
    path: str
    expect: int
    weight: int
    body: bytes = b""
    content_type: str | None = "application/json"
    key: str | None = KEY
    headers: tuple[tuple[str, str], ...] = ()


def _json(value: object) -> bytes:
    return json.dumps(value).encode("utf-8")


KINDS = [
    # Good requests: most of the traffic, as a CMS would send it.
    Kind("analyze", "POST", "/v1/analyze", 200, 30, _json({"text": ARTICLE, "title": "Talks"})),
    Kind("analyze-plain", "POST", "/v1/analyze", 200, 8, ARTICLE.encode(), "text/plain"),
    Kind(
        "batch",
        "POST",
        "/v1/analyze/batch",
        200,
        8,
        _json({"documents": [{"id": str(k), "text": ARTICLE} for k in range(5)] + [{"text": ""}]}),
    ),
    Kind("health", "GET", "/v1/health", 200, 4, content_type=None, key=None),
    Kind("model", "GET", "/v1/model", 200, 2, content_type=None),
    # Bad requests, each answered on purpose.
    Kind("malformed-json", "POST", "/v1/analyze", 400, 3, b'{"text": "unclosed'),
    Kind("lone-surrogate", "POST", "/v1/analyze", 400, 2, b'{"text": "a \\ud800 b"}'),
    Kind("deep-nesting", "POST", "/v1/analyze", 400, 2, b"[" * 50_000 + b"]" * 50_000),
    Kind("missing-key", "POST", "/v1/analyze", 401, 3, _json({"text": ARTICLE}), key=None),
    Kind("wrong-key", "POST", "/v1/analyze", 401, 3, _json({"text": ARTICLE}), key="x" * 32),
    Kind("not-found", "GET", "/v1/nope", 404, 2, content_type=None),
    Kind("wrong-method", "GET", "/v1/analyze", 405, 2, content_type=None),
    Kind("over-1-mib", "POST", "/v1/analyze", 413, 2, _json({"text": "x" * (1024 * 1024)})),
    Kind("wrong-type", "POST", "/v1/analyze", 415, 2, b"<text>a</text>", "application/xml"),
    Kind("blank-text", "POST", "/v1/analyze", 422, 2, _json({"text": " \n "})),
    Kind("text-too-long", "POST", "/v1/analyze", 422, 2, _json({"text": "word " * 30_000})),
    Kind("20k-sentences", "POST", "/v1/analyze", 422, 2, _json({"text": "word\n" * 20_000})),
    Kind("wrong-field-type", "POST", "/v1/analyze", 422, 2, _json({"text": 5, "explain": "yes"})),
    Kind(
        "other-origin",
        "POST",
        "/v1/analyze",
        200,
        2,
        _json({"text": ARTICLE}),
        headers=(("Origin", "https://evil.example.com"),),
    ),
]


@dataclass
class Tally:
    """What the clients saw; one lock guards it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    mismatched: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    cors_leaks: int = 0
    latencies: list[float] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    return server_env(
        CAVEAT_API_KEYS=f"soak:{KEY}",
        # The mix sends wrong keys on purpose: they count per address, all of them here.
        CAVEAT_RATE_LIMIT="1000000/minute",
        CAVEAT_LOG_LEVEL="WARNING",
    )


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _request(conn: http.client.HTTPConnection, kind: Kind) -> http.client.HTTPResponse:
    headers = dict(kind.headers)
    if kind.content_type:
        headers["Content-Type"] = kind.content_type
    if kind.key:
        headers["Authorization"] = f"Bearer {kind.key}"
    conn.request(kind.method, kind.path, body=kind.body or None, headers=headers)
    return conn.getresponse()


def _client(port: int, deadline: float, budget: int, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    weights = [k.weight for k in KINDS]
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    while time.monotonic() < deadline:
        with tally.lock:
            if tally.sent >= budget:
                break
            tally.sent += 1
        kind = rng.choices(KINDS, weights)[0]
        started = time.perf_counter()
        try:
            response = _request(conn, kind)
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            with tally.lock:
                tally.dropped[f"{kind.name}: {type(exc).__name__}"] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            continue
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.statuses[response.status] += 1
            tally.by_kind[kind.name] += 1
            tally.latencies.append(elapsed)
            if response.status != kind.expect:
                tally.mismatched[f"{kind.name}: {response.status} (expected {kind.expect})"] += 1
            if kind.name == "other-origin" and response.getheader("Access-Control-Allow-Origin"):
                tally.cors_leaks += 1
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.close()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@command
def main(argv: list[str] | None = None) -> int:
    """Run the soak; exit 1 if any 5xx, dropped connection or mismatched status was seen."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=positive_int, default=16, help="8-32 concurrent clients")
    parser.add_argument("--seconds", type=positive_seconds, default=60.0)
    parser.add_argument("--max-requests", type=positive_int, default=200_000)
    parser.add_argument("--warmup", type=count, default=40, help="good requests before start RSS")
    parser.add_argument("--json", type=output_file, help="also write the summary here")
    args = parser.parse_args(argv)
    clients = max(8, min(MAX_CLIENTS, args.clients))
    seconds = max(1.0, min(MAX_SECONDS, args.seconds))
    budget = max(1, min(MAX_REQUESTS, args.max_requests))

    port = _free_port()
    log = tempfile.NamedTemporaryFile("w", prefix="caveat-soak-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    cmd += ["--bind", f"{HOST}:{port}", "wsgi:app"]
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=_server_env(), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_healthy(port, server)
        _warm_up(port, args.warmup)
        workers_start = {pid: _rss_mib(pid) for pid in _children(server.pid)}
        master_start = _rss_mib(server.pid)
        tally = Tally()
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(target=_client, args=(port, deadline, budget, tally, n), daemon=True)
            for n in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + REQUEST_TIMEOUT + 30)
        wall = time.monotonic() - started
        workers_end = {pid: _rss_mib(pid) for pid in _children(server.pid)}
        master_end = _rss_mib(server.pid)
        alive = server.poll() is None
    finally:
        _stop(server)
        log.close()

    five_xx = sum(n for status, n in tally.statuses.items() if status >= 500)
    answered = sum(tally.statuses.values())
    summary = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": answered + sum(tally.dropped.values()),
        "answered": answered,
        "requests_per_second": round(answered / wall, 1),
        "statuses": dict(sorted(tally.statuses.items())),
        "errors_5xx": five_xx,
        "dropped_connections": sum(tally.dropped.values()),
        "dropped_by_kind": dict(tally.dropped),
        "mismatched_statuses": dict(tally.mismatched),
        "cors_header_for_disallowed_origin": tally.cors_leaks,
        "latency_ms": {
            "p50": round(_percentile(tally.latencies, 0.50) * 1000, 1),
            "p90": round(_percentile(tally.latencies, 0.90) * 1000, 1),
            "p99": round(_percentile(tally.latencies, 0.99) * 1000, 1),
            "max": round(max(tally.latencies, default=float("nan")) * 1000, 1),
        },
        "rss_mib": {
            "master": {"start": master_start, "end": master_end},
            "workers_start": workers_start,
            "workers_end": workers_end,
            "workers_recycled": sorted(set(workers_start) - set(workers_end)),
        },
        "server_alive_at_end": alive,
        "server_log": log.name,
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    failed = five_xx or tally.dropped or tally.mismatched or tally.cors_leaks or not alive
    return 1 if failed else 0


def _wait_healthy(port: int, server: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before it was healthy")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"no healthy answer from 127.0.0.1:{port} in {timeout:.0f} s")


def _warm_up(port: int, count: int) -> None:
    """Good requests first, so that the start RSS is of workers that have served."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    good = [k for k in KINDS if k.expect == 200 and k.key]
    for n in range(count):
        response = _request(conn, good[n % len(good)])
        response.read()
    conn.close()


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
