"""The benchmarks' command lines: a wrong count or path is a usage error (exit 2, one line
naming the argument) before any work starts, not a traceback after minutes of it.

Each test replaces the first step of the benchmark's work with ``_started``, so that a
mistake the parser lets through fails here at once instead of running the benchmark.
"""

from __future__ import annotations

import importlib
import os
import re
from types import SimpleNamespace

import pytest


class StartedWork(Exception):
    """The benchmark got past its arguments."""


def _started(*args, **kwargs):
    raise StartedWork


#: module, its first step of work after the arguments.
FIRST_STEP = {
    "bench.throughput": "machine_header",
    "bench.hotspots": "machine_header",
    "bench.startup": "machine_header",
    "bench.http": "machine_header",
    "bench.peers": "os",  # os.environ.update(...), then torch
    "bench.soak": "_free_port",
    "bench.segment_bench": "caveat_splitter",
    "bench.batch_bench": "header",
}


@pytest.fixture
def bench(monkeypatch):
    """Import a benchmark with its first step of work replaced by ``_started``."""

    def load(name: str):
        module = importlib.import_module(name)
        # Importing bench pins the thread pools of this process: undo it for the other tests.
        from bench import ORIGINAL_THREAD_ENV

        for var, value in ORIGINAL_THREAD_ENV.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        step = FIRST_STEP[name]
        if step == "os":
            fake = SimpleNamespace(environ=SimpleNamespace(update=_started))
            monkeypatch.setattr(module, "os", fake)
        else:
            monkeypatch.setattr(module, step, _started)
        return module

    return load


@pytest.mark.parametrize(
    ("name", "argv", "message"),
    [
        ("bench.throughput", ["--repeats", "0"], "argument --repeats: 0 is not at least 1"),
        ("bench.hotspots", ["--repeats", "0"], "argument --repeats: 0 is not at least 1"),
        ("bench.startup", ["--runs", "0"], "argument --runs: 0 is not at least 1"),
        ("bench.peers", ["--repeats", "0"], "argument --repeats: 0 is not at least 1"),
        ("bench.http", ["--rounds", "0"], "argument --rounds: 0 is not at least 1"),
        ("bench.http", ["--seconds", "0"], "argument --seconds: 0 is not above 0"),
        ("bench.http", ["--seconds", "inf"], "argument --seconds: inf is not a finite number"),
        ("bench.http", ["--warmup", "-1"], "argument --warmup: -1 is not at least 0"),
        ("bench.http", ["--workers", "0"], "argument --workers: 0 is not at least 1"),
        ("bench.soak", ["--clients", "0"], "argument --clients: 0 is not at least 1"),
        ("bench.soak", ["--seconds", "nan"], "argument --seconds: nan is not a finite number"),
        ("bench.soak", ["--max-requests", "0"], "argument --max-requests: 0 is not at least 1"),
        ("bench.soak", ["--warmup", "-1"], "argument --warmup: -1 is not at least 0"),
        ("bench.soak", ["--json", "{tmp}/no/s.json"], "argument --json: {tmp}/no does not exist"),
        ("bench.soak", ["--json", "{tmp}"], "argument --json: {tmp} is a folder"),
        ("bench.segment_bench", ["--repeats", "0"], "argument --repeats: 0 is not at least 1"),
        ("bench.segment_bench", ["--cases", "{tmp}/no.jsonl"], "--cases: {tmp}/no.jsonl does not"),
        ("bench.segment_bench", ["--cases", "{tmp}"], "--cases: {tmp} is a folder, not a file"),
        ("bench.segment_bench", ["--data", "{tmp}/no"], "argument --data: {tmp}/no does not exist"),
        ("bench.batch_bench", ["--runs", "0"], "argument --runs: 0 is not at least 1"),
        ("bench.batch_bench", ["--limit", "0"], "argument --limit: 0 is not at least 1"),
        ("bench.batch_bench", ["--keep", "{tmp}/no/k.jsonl"], "--keep: {tmp}/no does not exist"),
        ("bench.batch_bench", ["--keep", "{tmp}"], "argument --keep: {tmp} is a folder"),
    ],
)  # fmt: skip
def test_a_wrong_argument_is_a_usage_error_before_any_work(
    bench, tmp_path, capsys, name, argv, message
):
    module = bench(name)
    with pytest.raises(SystemExit) as stop:
        module.main([a.format(tmp=tmp_path) for a in argv])
    assert stop.value.code == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err


def test_http_wrk_client_when_wrk_is_missing(bench, monkeypatch, capsys):
    http = bench("bench.http")
    monkeypatch.setattr(http, "wrk_path", lambda: None)
    with pytest.raises(SystemExit) as stop:
        http.main(["--client", "wrk"])
    assert stop.value.code == 2
    assert "argument --client: wrk is not installed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("bench.throughput", []),
        ("bench.throughput", ["--repeats", "1"]),
        ("bench.hotspots", ["--repeats", "1", "--pyinstrument"]),
        ("bench.startup", ["--runs", "1"]),
        ("bench.peers", ["--repeats", "1"]),
        ("bench.http", ["--rounds", "1", "--seconds", "0.5", "--warmup", "0", "--workers", "1"]),
        ("bench.soak", ["--clients", "9", "--seconds", "0.5", "--warmup", "0"]),
        ("bench.soak", ["--max-requests", "1", "--json", "{tmp}/s.json"]),
        ("bench.segment_bench", []),
        ("bench.segment_bench", ["--repeats", "1", "--data", "{tmp}", "--cases", "{tmp}/c.jsonl"]),
        ("bench.batch_bench", ["--runs", "1", "--limit", "5", "--keep", "{tmp}/k.jsonl"]),
    ],
)  # fmt: skip
def test_right_arguments_still_reach_the_work(bench, tmp_path, name, argv):
    (tmp_path / "c.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(StartedWork):
        bench(name).main([a.format(tmp=tmp_path) for a in argv])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("not json\n", "line 1 is not JSON"),
        ('{"text": "A b.", "sentences": ["A b."], "note": "n"}\n[1, 2]\n', "line 2 is not a case"),
        ('{"text": "A b.", "sentences": ["C d."], "note": "n"}\n', "line 1 is not a case"),
    ],
)  # fmt: skip
def test_segment_bench_a_bad_case_file_is_one_line_of_error(
    bench, monkeypatch, tmp_path, lines, message
):
    segment_bench = bench("bench.segment_bench")
    monkeypatch.setattr(segment_bench, "caveat_splitter", lambda: (lambda text: [], 0.0))
    monkeypatch.setattr(segment_bench, "nltk_splitters", lambda root: (None, None, 0.0))
    monkeypatch.setattr(segment_bench, "reuters_prose", _started)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(lines, encoding="utf-8")
    with pytest.raises(SystemExit, match=f"^error: {re.escape(str(cases))} {message}") as stop:
        segment_bench.main(["--cases", str(cases)])
    assert stop.value.__cause__ is None


def test_segment_bench_a_data_root_without_punkt_is_one_line_of_error(bench, monkeypatch, tmp_path):
    import nltk

    segment_bench = bench("bench.segment_bench")
    monkeypatch.setattr(nltk.data, "path", [])  # only the root given: no Punkt in it
    # Past the stubbed first step (our splitter), to NLTK's, which reads the root.
    monkeypatch.setattr(segment_bench, "caveat_splitter", lambda: (None, 0.0))
    with pytest.raises(SystemExit, match="^error: no NLTK English Punkt .* under"):
        segment_bench.main(["--data", str(tmp_path)])


def test_batch_bench_keeps_the_table_when_keep_cannot_be_written(
    bench, monkeypatch, tmp_path, capsys
):
    batch_bench = bench("bench.batch_bench")
    monkeypatch.setattr(batch_bench, "header", lambda: "# header")

    def write_reuters(path, limit=None):
        path.write_text('{"id": "a", "text": "A b."}\n', encoding="utf-8")
        return 1

    def timed_batch(source, out, workers):
        out.write_bytes(source.read_bytes())
        return 1.0, 1.0

    def copyfile(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(batch_bench, "write_reuters", write_reuters)
    monkeypatch.setattr(batch_bench, "timed_batch", timed_batch)
    monkeypatch.setattr(batch_bench.shutil, "copyfile", copyfile)
    keep = tmp_path / "k.jsonl"
    with pytest.raises(SystemExit, match="^error: the 2-worker output could not be kept at"):
        batch_bench.main(["--runs", "1", "--keep", str(keep)])
    assert "target: 2 workers" in capsys.readouterr().out  # the runs' table came first
