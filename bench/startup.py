"""python -m bench.startup: model size on disk, one worker's RSS, start to first answer.

Each run starts gunicorn (shipped gunicorn.conf.py, 2 workers, 127.0.0.1 on a free
port) as a fresh subprocess, polls GET /v1/health every 5 ms, then POSTs one
~400-word article: the time from just before the process is created to that
answer is "first answer". Worker memory is read from /proc/<pid>/status (VmRSS,
VmHWM) and /proc/<pid>/smaps_rollup (Pss, private pages) right after the first
answer and again after a warm load (3 s of requests at 2 connections plus
100,000-character articles). The table shows the medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench.common import (
    ROOT,
    build_articles,
    fmt,
    load_segmenter,
    machine_header,
    median,
    reuters_stream,
    server_env,
    table,
    verdict,
)
from bench.server import (
    BENCH_SERVER_ENV,
    Gunicorn,
    analyze_body,
    request,
    run_load,
    smaps_of,
    status_of,
)
from service.cli import command, positive_int

#: The issue's targets.
TARGET_RSS_MB = 250
TARGET_FIRST_ANSWER_S = 3.0


@command
def main(argv: list[str] | None = None) -> None:
    """Size the artifacts, time fresh starts, read the workers' memory; print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=positive_int, default=5, help="fresh server starts (default 5)")
    args = ap.parse_args(argv)

    print(machine_header(
        "bench.startup: model size, worker memory, start to first answer",
        ("flask", "gunicorn"),
    ))
    print()
    print("model on disk (the newest manifest in models/ and the files it names)")
    print(table(["file", "bytes", "MB"], _model_files()))

    stream = reuters_stream(load_segmenter())
    article = analyze_body(build_articles(stream, 400, 1, "words")[0])
    big = analyze_body(build_articles(stream, 100_000, 1, "chars")[0])

    imports = [_time_subprocess("import wsgi") for _ in range(args.runs)]
    bare = [_time_subprocess("pass") for _ in range(args.runs)]

    runs = []
    for k in range(args.runs):
        runs.append(_one_start(article, big))
        print(f"  done: start {k + 1}", flush=True)

    def mb(key: str) -> str:
        return fmt(median([r[key] for r in runs]) / 1024, 3)

    def ms(key: str) -> str:
        return fmt(1000 * median([r[key] for r in runs]), 4)

    print()
    print(f"medians of {args.runs} fresh starts; worker figures are the larger of the 2 workers; "
          f"server environment {BENCH_SERVER_ENV}")
    print(table(["measure", "median"], [
        ["python interpreter start (python -c pass), ms", fmt(1000 * median(bare), 4)],
        ["python -c 'import wsgi' (imports + model load + create_app), ms",
         fmt(1000 * median(imports), 4)],
        ["process start -> GET /v1/health 200, ms", ms("health")],
        ["process start -> first POST /v1/analyze answered, ms", ms("first")],
        ["master VmRSS after first answer, MB", mb("master_rss")],
        ["worker VmRSS after first answer, MB", mb("rss_first")],
        ["worker VmRSS after warm load, MB", mb("rss_warm")],
        ["worker VmHWM (peak RSS) after warm load, MB", mb("hwm_warm")],
        ["worker Pss after warm load (shared pages split), MB", mb("pss_warm")],
        ["worker private pages after warm load, MB", mb("private_warm")],
    ]))
    rss = median([r["rss_warm"] for r in runs]) / 1024
    first = median([r["first"] for r in runs])
    print()
    print("targets (issue 5):")
    print(f"- one worker's RSS ≤ {TARGET_RSS_MB} MB: {rss:.0f} MB after warm load -> "
          f"{verdict(rss <= TARGET_RSS_MB)}")
    print(f"- first answer ≤ {TARGET_FIRST_ANSWER_S:.0f} s after start: {first:.2f} s -> "
          f"{verdict(first <= TARGET_FIRST_ANSWER_S)}")


def _model_files() -> list[list]:
    manifests = sorted(
        (ROOT / "models").glob("caveat-*.json"),
        key=lambda p: tuple(int(x) for x in p.stem.split("-", 1)[1].split(".")),
    )
    if not manifests:
        raise SystemExit("no caveat-<version>.json in models/")
    card = json.loads(manifests[-1].read_text(encoding="utf-8"))
    from service.analysis.model import ARTIFACTS

    parts = tuple(ARTIFACTS)
    paths = [manifests[-1]] + [ROOT / "models" / card[k]["file"] for k in parts if k in card]
    rows = [[p.name, f"{p.stat().st_size:,}", fmt(p.stat().st_size / 1e6, 3)] for p in paths]
    total = sum(p.stat().st_size for p in paths)
    rows.append(["total", f"{total:,}", fmt(total / 1e6, 3)])
    return rows


def _time_subprocess(code: str) -> float:
    """Wall seconds of ``python -c code`` in the project root."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=server_env(), check=True,
                   capture_output=True)
    return time.perf_counter() - start


def _one_start(article: bytes, big: bytes) -> dict[str, float]:
    with Gunicorn(workers=2) as server:
        t0 = server.started_at
        health = server.wait_healthy(poll=0.005)
        status, data = request(server.port, "POST", "/v1/analyze", article)
        first = time.perf_counter()
        if status != 200:
            raise SystemExit(f"first answer {status}: {data[:300]!r}")
        workers = server.wait_workers()
        master = server.proc.pid
        out = {
            "health": health - t0,
            "first": first - t0,
            "master_rss": status_of(master, "VmRSS"),
            "rss_first": max(status_of(p, "VmRSS") for p in workers),
        }
        load = run_load(server.port, "/v1/analyze", article, 2, 3.0)
        statuses = [request(server.port, "POST", "/v1/analyze", big)[0] for _ in range(4)]
        if load.errors or any(s != 200 for s in statuses):
            raise SystemExit(f"warm load failed: {dict(load.statuses)}, 100k: {statuses}")
        workers = server.worker_pids()
        smaps = [smaps_of(p) for p in workers]
        out.update(
            rss_warm=max(status_of(p, "VmRSS") for p in workers),
            hwm_warm=max(status_of(p, "VmHWM") for p in workers),
            pss_warm=max(s["Pss"] for s in smaps),
            private_warm=max(s["Private_Clean"] + s["Private_Dirty"] for s in smaps),
        )
        return out


if __name__ == "__main__":
    main()
