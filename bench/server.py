"""The service under gunicorn for the HTTP benchmarks, and bounded load clients on loopback.

``Gunicorn`` starts ``python -m gunicorn -c gunicorn.conf.py wsgi:app`` (the shipped
configuration) as a subprocess bound to 127.0.0.1 on a free port, and stops it by its
own pid. ``run_load`` drives it from threads, each with one ``http.client``
connection (kept alive when the server allows), for a bounded time and count.
``run_wrk`` drives it with wrk (Debian's ``wrk`` package; C, one event loop), whose
own CPU use is a fraction of Python threads': on a two-core machine the client shares
the cores with the server, so a lighter client measures more of the server.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import ROOT, free_port, server_env

#: Only loopback is ever a target.
HOST = "127.0.0.1"
#: How long a server may take to answer /v1/health before the benchmark gives up.
START_TIMEOUT = 60.0
#: A hard cap on requests per load round, whatever the duration.
MAX_REQUESTS_PER_ROUND = 50_000
#: Settings the benchmarks change from the shipped ones: the per-client rate limit
#: (120/minute by default) is raised out of reach, so that a load test from one address
#: measures the service, limiter included, rather than its 429 answers.
BENCH_SERVER_ENV = {"CAVEAT_RATE_LIMIT": "1000000/minute"}


class Gunicorn:
    """One gunicorn master (shipped gunicorn.conf.py) on 127.0.0.1:<free port>, as a subprocess."""

    def __init__(self, workers: int = 2) -> None:
        for needed in ("gunicorn.conf.py", "wsgi.py"):
            if not (ROOT / needed).is_file():
                raise SystemExit(f"{ROOT / needed} is missing: the HTTP benchmarks need it")
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        fd, name = tempfile.mkstemp(prefix="caveat-bench-gunicorn-", suffix=".log")
        self._log = os.fdopen(fd, "w")
        self._log_path = Path(name)

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go."""
        return self._log_path

    def start(self) -> float:
        """Start the master; returns the perf_counter time just before the process was created."""
        cmd = [
            sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
            "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers), "wsgi:app",
        ]
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env(**BENCH_SERVER_ENV), stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return self.started_at

    def wait_healthy(self, timeout: float = START_TIMEOUT, poll: float = 0.01) -> float:
        """Poll GET /v1/health until 200; returns the perf_counter time of that answer."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.tail()}")
            try:
                status, _ = request(self.port, "GET", "/v1/health", timeout=1.0)
                if status == 200:
                    return time.perf_counter()
            except OSError:
                pass
            time.sleep(poll)
        raise RuntimeError(f"no healthy answer in {timeout:.0f} s: {self.tail()}")

    def worker_pids(self) -> list[int]:
        """The master's child processes (the workers), from /proc."""
        if self.proc is None:
            return []
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def wait_workers(self, timeout: float = START_TIMEOUT) -> list[int]:
        """Wait until all workers are forked; returns their pids."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            pids = self.worker_pids()
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.02)
        raise RuntimeError(f"only {self.worker_pids()} of {self.workers} workers: {self.tail()}")

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the master, its live workers and its reaped workers.

        Workers that gunicorn recycled (max_requests) are counted through the master's
        cutime/cstime once it has reaped them.
        """
        if self.proc is None:
            return 0.0
        master = _stat_times(self.proc.pid)
        total = sum(master)
        for pid in self.worker_pids():
            try:
                total += sum(_stat_times(pid)[:2])
            except OSError:
                pass  # exited between the listing and the read
        return total

    def stop(self) -> None:
        """SIGTERM the master (gunicorn stops its workers), SIGKILL it if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._log.close()
        self.log_path.unlink(missing_ok=True)


def request(
    port: int, method: str, path: str, body: bytes | None = None,
    content_type: str = "application/json", timeout: float = 60.0,
) -> tuple[int, bytes]:
    """One request on a new connection: (status, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def analyze_body(text: str) -> bytes:
    """The JSON body of POST /v1/analyze for one article."""
    return json.dumps({"text": text}).encode("utf-8")


def batch_body(texts: list[str]) -> bytes:
    """The JSON body of POST /v1/analyze/batch for several articles."""
    docs = [{"id": f"a{i}", "text": t} for i, t in enumerate(texts)]
    return json.dumps({"documents": docs}).encode("utf-8")


@dataclass
class LoadResult:
    """What one load round saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    connects: int = 0
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        """Completed requests (any status)."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Completed requests (any status) per second of the round."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in seconds."""
        return float(np.percentile(self.latencies, q)) if self.latencies else float("nan")


def run_load(
    port: int, path: str, body: bytes, connections: int, seconds: float,
    max_requests: int = MAX_REQUESTS_PER_ROUND,
) -> LoadResult:
    """``connections`` threads POST ``body`` back to back for ``seconds`` (or ``max_requests``).

    Each thread keeps one HTTPConnection; when the server closes it (gunicorn's sync
    workers do after every response), the next request reconnects, and that time
    counts in its latency, as it would for a real client. A request that fails or
    answers other than 200 counts as an error.
    """
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(connections + 1)
    per_thread = max(1, max_requests // connections)
    deadline = [0.0]

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        latencies, statuses, errors, connects = [], Counter(), 0, 0
        start.wait()
        for _ in range(per_thread):
            if time.perf_counter() >= deadline[0]:
                break
            t0 = time.perf_counter()
            try:
                if conn.sock is None:
                    connects += 1
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            latencies.append(time.perf_counter() - t0)
            statuses[status] += 1
            errors += status != 200
        conn.close()
        with lock:
            result.latencies += latencies
            result.statuses.update(statuses)
            result.errors += errors
            result.connects += connects

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(timeout=seconds + 120)
    result.elapsed = time.perf_counter() - began
    return result


#: wrk's report, printed by the Lua ``done`` hook below: one "name value" a line.
_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("CAVEAT_WRK_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests %d\\n", summary.requests))
  io.write(string.format("duration_us %d\\n", summary.duration))
  io.write(string.format("errors %d\\n", e.connect + e.read + e.write + e.status + e.timeout))
  io.write(string.format("p50_us %d\\n", latency:percentile(50)))
  io.write(string.format("p99_us %d\\n", latency:percentile(99)))
end
"""
_WRK_LINE = re.compile(r"^(requests|duration_us|errors|p50_us|p99_us) (\d+)$", re.M)


@dataclass
class WrkResult:
    """What one wrk round saw (its histogram's percentiles; wrk counts no connections)."""

    requests: int
    elapsed: float
    errors: int
    p50: float
    p99: float
    connects: int | None = None

    @property
    def rate(self) -> float:
        """Completed requests per second of the round."""
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in seconds (50 or 99: the ones wrk's report gives)."""
        return {50: self.p50, 99: self.p99}[q]


def wrk_path() -> str | None:
    """The wrk binary, when installed (``apt-get install wrk``)."""
    return shutil.which("wrk")


def run_wrk(port: int, path: str, body: bytes, connections: int, seconds: float) -> WrkResult:
    """wrk POSTs ``body`` on ``connections`` connections (one client thread) for ``seconds``.

    A request that fails, times out or answers other than 2xx/3xx counts as an error.
    """
    binary = wrk_path()
    if binary is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="caveat-wrk-") as tmp:
        script, payload = Path(tmp) / "post.lua", Path(tmp) / "body"
        script.write_text(_WRK_SCRIPT, encoding="utf-8")
        payload.write_bytes(body)
        out = subprocess.run(
            [binary, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
             "-s", str(script), f"http://{HOST}:{port}{path}"],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
            env={**os.environ, "CAVEAT_WRK_BODY": str(payload)},
        ).stdout
    got = {k: int(v) for k, v in _WRK_LINE.findall(out)}
    if len(got) != 5:
        raise RuntimeError(f"unexpected wrk output: {out[-500:]!r}")
    return WrkResult(
        requests=got["requests"], elapsed=got["duration_us"] / 1e6, errors=got["errors"],
        p50=got["p50_us"] / 1e6, p99=got["p99_us"] / 1e6,
    )


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_times(pid: int) -> tuple[float, float, float, float]:
    """utime, stime, cutime, cstime of a process in seconds, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return tuple(int(v) / _TICKS for v in fields[11:15])  # type: ignore[return-value]


def status_of(pid: int, key: str) -> int:
    """A kB figure (VmRSS, VmHWM, ...) from /proc/<pid>/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def smaps_of(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup figures in kB (Pss, Private_Dirty, ...)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0].rstrip(":")] = int(parts[1])
    return out
