"""python -m bench.http: POST /v1/analyze under gunicorn (shipped config, 2 workers) on loopback.

One ~400-word Reuters article is posted back to back on 1, 8 and 32 connections,
by wrk when it is installed (``bench.server.run_wrk``; ``apt-get install wrk``), else by
Python client threads (``bench.server.run_load``; ``--client python`` forces them); both
are bounded in time, loopback only;
then 100-document batches go to /v1/analyze/batch (as long as the service's cap on a
batch's characters allows; see ``_batches``). Each setting gets an untimed
warm-up round, then timed rounds; the table shows the medians of the rounds.
The floor's single-process articles/s on the same article is measured in this
run, before the server starts, so that both figures share the machine's state.
The load client runs on the same two cores as the server: its CPU use is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench.common import (
    Floor,
    build_articles,
    fmt,
    load_segmenter,
    machine_header,
    median,
    news_sentences,
    reuters_stream,
    table,
    timed_pairs,
    verdict,
)
from bench.server import (
    BENCH_SERVER_ENV,
    Gunicorn,
    analyze_body,
    batch_body,
    request,
    run_load,
    run_wrk,
    wrk_path,
)
from service.cli import command, positive_int, positive_seconds, seconds

CONNECTIONS = (1, 8, 32)
BATCH_CONNECTIONS = (1, 2)
BATCH_SIZE = 100
#: The issue's targets at 8 connections.
TARGET_CONNECTIONS = 8
TARGET_RATIO = 0.6
TARGET_P99_MS = 60.0


@command
def main(argv: list[str] | None = None) -> None:
    """Measure the floor in process, then the server under load; print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=5,
                    help="timed rounds per setting (default 5)")
    ap.add_argument("--seconds", type=positive_seconds, default=5.0,
                    help="length of a round (default 5)")
    ap.add_argument("--warmup", type=seconds, default=2.0,
                    help="untimed round first (default 2 s)")
    ap.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers (default 2)")
    ap.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                    help="load client for single articles: wrk when installed (auto), or "
                         "Python threads")
    args = ap.parse_args(argv)
    if args.client == "wrk" and not wrk_path():
        ap.error("argument --client: wrk is not installed (apt-get install wrk)")
    if args.client == "auto":
        args.client = "wrk" if wrk_path() else "python"

    from service.analysis.analyzer import Analyzer
    from service.analysis.model import load_model

    print(machine_header(
        "bench.http: POST /v1/analyze under gunicorn on loopback",
        ("flask", "werkzeug", "marshmallow", "gunicorn"),
    ))
    segmenter = load_segmenter()
    stream = reuters_stream(segmenter)
    article = build_articles(stream, 400, 1, "words")[0]
    batches = _batches(stream)
    floor = Floor(segmenter).fit(news_sentences("train"))
    analyzer = Analyzer(load_model())
    n_sent = len(analyzer.analyze(article).sentences)
    print(f"article: {len(article.split())} words, {len(article):,} chars, {n_sent} sentences; "
          "batches: " + "; ".join(f"{k} ({sum(len(a) for a in b):,} chars)"
                                  for k, b in batches.items()))

    calls = 200
    floor_t, floor_cpu = timed_pairs(lambda: [floor.classify(article) for _ in range(calls)],
                                     args.rounds)
    caveat_t, caveat_cpu = timed_pairs(lambda: [analyzer.analyze(article) for _ in range(calls)],
                                       args.rounds)
    floor_rate, inproc_rate = calls / median(floor_t), calls / median(caveat_t)
    floor_cpu_ms = 1000 * median(floor_cpu) / calls
    caveat_cpu_ms = 1000 * median(caveat_cpu) / calls
    inproc_batch = {
        name: len(b) / median(timed_pairs(
            lambda b=b: analyzer.analyze_many([(a, None, None) for a in b]), 3)[0])
        for name, b in batches.items()
    }

    body = analyze_body(article)
    rows, batch_rows, at_target, target_server_ms = [], [], None, float("nan")
    with Gunicorn(workers=args.workers) as server:
        server.wait_healthy()
        server.wait_workers()
        status, data = request(server.port, "POST", "/v1/analyze", body)
        if status != 200 or len(json.loads(data)["sentences"]) != n_sent:
            raise SystemExit(f"unexpected answer {status}: {data[:300]!r}")
        print(f"gunicorn: pid {server.proc.pid}, workers {server.worker_pids()}, "
              f"port {server.port}; shipped gunicorn.conf.py with --workers {args.workers}; "
              f"environment {BENCH_SERVER_ENV}")

        print(f"load client for single articles: {args.client}"
              + (f" ({wrk_path()}, one thread)" if args.client == "wrk" else " threads"))
        for conns in CONNECTIONS:
            _load(args.client)(server.port, "/v1/analyze", body, conns, args.warmup)
            rounds, cpu, server_ms = _rounds(
                server, "/v1/analyze", body, conns, args, _load(args.client)
            )
            row = _row(conns, rounds, cpu, server_ms, floor_rate)
            rows.append(row)
            if conns == TARGET_CONNECTIONS:
                at_target, target_server_ms = rounds, server_ms
            print(f"  done: {conns} connections", flush=True)

        for name, batch in batches.items():
            payload = batch_body(batch)
            status, data = request(server.port, "POST", "/v1/analyze/batch", payload)
            results = json.loads(data).get("results", []) if status == 200 else []
            if len(results) != len(batch) or any("error" in r for r in results):
                raise SystemExit(f"unexpected batch answer {status}: {data[:300]!r}")
            for conns in BATCH_CONNECTIONS:
                request(server.port, "POST", "/v1/analyze/batch", payload)
                rounds, cpu, server_ms = _rounds(
                    server, "/v1/analyze/batch", payload, conns, args, run_load
                )
                rates = [len(batch) * r.rate for r in rounds]
                batch_rows.append([
                    name, conns, len(rounds), sum(r.requests for r in rounds),
                    fmt(median(rates)), fmt(1000 * median([r.percentile(50) for r in rounds])),
                    sum(r.errors for r in rounds), f"{median(rates) / floor_rate:.2f}×",
                    fmt(server_ms / len(batch)), fmt(inproc_batch[name]), f"{100 * cpu:.0f}%",
                ])
                print(f"  done: batch {name}, {conns} connections", flush=True)

    print()
    print(f"in one process, same article, medians of {args.rounds}: the floor (Punkt + hashed "
          f"1-2-grams + LR) {fmt(floor_rate)} articles/s ({fmt(floor_cpu_ms)} CPU ms each); "
          f"caveat analyze() {fmt(inproc_rate)} articles/s ({fmt(caveat_cpu_ms)} CPU ms each)")
    print()
    print(f"POST /v1/analyze, one ~400-word article: medians of {args.rounds} rounds of "
          f"{args.seconds:g} s after a {args.warmup:g} s warm-up round")
    print(table(
        ["connections", "rounds", "requests", "requests/s", "p50 ms", "p99 ms", "worst p99 ms",
         "errors", "new TCP conns/request", "× floor art/s", "server CPU ms/request",
         "client CPU"],
        rows,
    ))
    print()
    print(f"POST /v1/analyze/batch: medians of {args.rounds} "
          f"rounds of {args.seconds:g} s (a request in flight at the end is completed)")
    print(table(
        ["batch", "connections", "rounds", "requests", "articles/s", "p50 ms", "errors",
         "× floor art/s", "server CPU ms/article", "in-process analyze_many art/s", "client CPU"],
        batch_rows,
    ))
    rps = median([r.rate for r in at_target])
    p99 = 1000 * median([r.percentile(99) for r in at_target])
    errors = sum(r.errors for r in at_target)
    print()
    print("targets (issue 5), 2 workers at 8 connections:")
    print(f"- requests/s ≥ {TARGET_RATIO}× the floor's single-process articles/s: "
          f"{rps / floor_rate:.2f}× -> {verdict(rps >= TARGET_RATIO * floor_rate)}")
    print(f"- p99 ≤ {TARGET_P99_MS:.0f} ms: {p99:.1f} ms -> {verdict(p99 <= TARGET_P99_MS)}")
    print(f"- no errors: {errors} -> {verdict(errors == 0)}")
    server_ms = target_server_ms
    print(f"- cost view, robust to other load: the server spent {server_ms:.2f} CPU ms a request; "
          f"two idle cores would serve at most {2000 / server_ms:,.0f} requests/s = "
          f"{2000 / server_ms * floor_cpu_ms / 1000:.2f}× the floor's one-core CPU rate "
          f"({1000 / floor_cpu_ms:,.0f} articles/s), before the load client's share")
    print("note: gunicorn's sync workers close the connection after each response (no "
          "keep-alive), so every request pays a new TCP connection; max_requests recycles "
          "workers during long runs")


def _batches(stream: list) -> dict[str, list[str]]:
    """Batches of BATCH_SIZE documents: 400-word articles when the service's cap allows them.

    The service caps a batch's characters (``service.schemas.MAX_BATCH_CHARS``); under a
    cap, the batches are 100 articles of at most cap/100 characters, and as many 400-word
    articles as the cap holds.
    """
    from service import schemas

    cap = getattr(schemas, "MAX_BATCH_CHARS", None)
    long = build_articles(stream, 400, BATCH_SIZE, "words")
    if cap is None or sum(len(a) for a in long) <= cap:
        return {f"{BATCH_SIZE} × 400 words": long}
    short = build_articles(stream, cap // BATCH_SIZE, BATCH_SIZE, "chars")
    fit, total = 0, 0
    while fit < len(long) and total + len(long[fit]) <= cap:
        total += len(long[fit])
        fit += 1
    return {
        f"{BATCH_SIZE} × ≤{cap // BATCH_SIZE:,} chars (cap {cap:,} chars)": short,
        f"{fit} × 400 words (cap {cap:,} chars)": long[:fit],
    }


def _load(client: str):
    """The load function of a client name."""
    return run_wrk if client == "wrk" else run_load


def _rounds(server: Gunicorn, path: str, body: bytes, conns: int, args: argparse.Namespace,
            load=run_load):
    """Timed rounds at one setting, the client's CPU share, the server's CPU ms per request.

    The client's share is of one core: this process's CPU time, plus its children's (wrk)."""
    cpu0, wall0, server0 = _own_cpu(), time.perf_counter(), server.cpu_seconds()
    rounds = [load(server.port, path, body, conns, args.seconds) for _ in range(args.rounds)]
    cpu = (_own_cpu() - cpu0) / (time.perf_counter() - wall0)
    requests = sum(r.requests for r in rounds)
    server_ms = 1000 * (server.cpu_seconds() - server0) / max(1, requests)
    return rounds, cpu, server_ms


def _own_cpu() -> float:
    """CPU seconds of this process and of its finished children (the wrk runs)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _row(conns: int, rounds: list, cpu: float, server_ms: float, floor_rate: float) -> list:
    n = sum(r.requests for r in rounds)
    rps = median([r.rate for r in rounds])
    connects = [r.connects for r in rounds]
    return [
        conns, len(rounds), n, fmt(rps), fmt(1000 * median([r.percentile(50) for r in rounds])),
        fmt(1000 * median([r.percentile(99) for r in rounds])),
        fmt(1000 * max(r.percentile(99) for r in rounds)), sum(r.errors for r in rounds),
        "n/a" if None in connects else f"{sum(connects) / n:.2f}",
        f"{rps / floor_rate:.2f}×", fmt(server_ms), f"{100 * cpu:.0f}%",
    ]


if __name__ == "__main__":
    main()
