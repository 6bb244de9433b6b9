"""python -m service.batch: the API's JSON for every line, error records, resuming, folders."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.analysis.analyzer import Analyzer
from service.analysis.model import load_model
from service.batch import main
from service.schemas import AnalysisSchema
from training.datasets import iter_reuters

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real_analyzer() -> Analyzer:
    """The committed model, as the batch workers load it."""
    return Analyzer(load_model())


@pytest.fixture(scope="module")
def reuters() -> list[dict]:
    """The first 40 Reuters articles as archive lines (id, text, title, ISO date)."""
    return [
        {
            "id": d.source,
            "text": d.text,
            "title": d.title or None,
            "date": f"1987-03-{i % 28 + 1:02d}",
        }
        for i, d in enumerate(itertools.islice(iter_reuters(), 40))
    ]


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows (dicts, or raw strings for bad lines) one a line."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    """The records of an OUT file."""
    # split("\n"), not splitlines(): a record may hold U+2028, which splitlines() splits on.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def run_batch(source: Path, out: Path, *args: str) -> list[dict]:
    """Run the CLI in this process and return OUT's records."""
    assert main([str(source), str(out), "--no-progress", *args]) == 0
    return read_jsonl(out)


def without_date(record: dict) -> dict:
    """The record as the API returns it (the batch adds the archive's date)."""
    return {k: v for k, v in record.items() if k != "date"}


def test_output_equals_the_schema_dump_of_the_analyzer(tmp_path, reuters, real_analyzer):
    source = write_jsonl(tmp_path / "in.jsonl", reuters[:12])
    records = run_batch(source, tmp_path / "out.jsonl", "--workers", "2")
    expected = [
        AnalysisSchema().dump(real_analyzer.analyze(r["text"], title=r["title"], doc_id=r["id"]))
        for r in reuters[:12]
    ]
    assert [without_date(r) for r in records] == expected


def test_output_equals_the_http_api_response(tmp_path, reuters, real_client):
    source = write_jsonl(tmp_path / "in.jsonl", reuters[:5])
    records = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    for line, record in zip(reuters[:5], records, strict=True):
        response = real_client.post(
            "/v1/analyze", json={k: line[k] for k in ("id", "text", "title")}
        )
        assert response.status_code == 200
        assert without_date(record) == response.get_json()


def test_output_keeps_the_input_date_beside_the_id(tmp_path, reuters):
    source = write_jsonl(tmp_path / "in.jsonl", reuters[:3])
    records = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert [list(r)[:2] for r in records] == [["id", "date"]] * 3
    assert [r["date"] for r in records] == [r["date"] for r in reuters[:3]]


def test_output_order_is_the_input_order_with_two_workers(tmp_path, reuters):
    source = write_jsonl(tmp_path / "in.jsonl", reuters)
    records = run_batch(source, tmp_path / "out.jsonl", "--workers", "2")
    assert [r["id"] for r in records] == [r["id"] for r in reuters]


def test_summary_holds_id_model_balance_and_counts(tmp_path, reuters, real_analyzer):
    line = reuters[0]
    source = write_jsonl(tmp_path / "in.jsonl", [line])
    [record] = run_batch(source, tmp_path / "out.jsonl", "--summary", "--workers", "1")
    full = AnalysisSchema().dump(real_analyzer.analyze(line["text"], line["title"], line["id"]))
    assert record == {
        "id": line["id"],
        "date": line["date"],
        "model": full["model"],
        "balance": full["balance"],
        "n_sentences": len(full["sentences"]),
        "n_links": len(full["links"]),
    }


# --------------------------------------------------------------------------- bad lines

GOOD = {"id": "good", "text": "The plan is a historic breakthrough. More work is needed."}


@pytest.mark.parametrize(
    ("bad_line", "code", "field"),
    [
        ('{"id": "a", "text": "unterminated', "invalid_json", None),
        ('{"id": "b"}', "validation_error", "text"),
        ('{"id": "c", "text": "   \\n  "}', "validation_error", "text"),
        (json.dumps({"id": "d", "text": "x" * 100_001}), "validation_error", "text"),
        ('{"id": "e", "text": 42}', "validation_error", "text"),
        ('{"text": "No id at all."}', "validation_error", "id"),
        ('["a", "list"]', "validation_error", "_schema"),
        ('{"id": "f", "text": "a", "title": ' + "9" * 5_000 + "}", "invalid_json", None),
        (
            '{"id": "g", "text": "a", "title": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "invalid_json",
            None,
        ),
        ('{"id": "h", "text": "It may \\ud800 work."}', "invalid_json", None),
        ('{"id": "i", "text": "One.", "text": "Two."}', "invalid_json", "name"),
        ('{"id": "j", "text": "One.", "title": NaN}', "invalid_json", "value"),
    ],
    ids=[
        "invalid-json",
        "no-text",
        "blank-text",
        "too-long",
        "not-a-string",
        "no-id",
        "not-object",
        "number-too-long",
        "nested-too-deep",
        "lone-surrogate",
        "repeated-name",
        "nan",
    ],
)
def test_bad_line_gets_an_error_record_and_the_job_goes_on(tmp_path, bad_line, code, field):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD | {"id": "first"}, bad_line, GOOD])
    first, error, last = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert error["line"] == 2
    assert error["error"]["code"] == code
    if field:
        assert field in error["error"]["details"]
    assert (first["id"], last["id"]) == ("first", "good")
    assert last["balance"]["claims"] >= 1


def test_error_record_echoes_a_valid_id(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "blank-one", "text": " "}])
    [record] = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert record == {
        "id": "blank-one",
        "line": 1,
        "error": {
            "code": "validation_error",
            "message": "The document does not match the schema; details names each field.",
            "details": {"text": ["Must not be empty or only whitespace."]},
        },
    }


def test_a_repeated_id_is_a_duplicate_id_error(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD, GOOD | {"text": "Other text."}])
    first, second = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert first["sentences"][0]["text"] == "The plan is a historic breakthrough."
    assert (second["id"], second["line"], second["error"]["code"]) == ("good", 2, "duplicate_id")


def test_blank_lines_are_skipped_not_errors(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(GOOD) + "\n\n   \n", encoding="utf-8")
    records = run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert [r["id"] for r in records] == ["good"]


def test_article_text_never_reaches_stderr(tmp_path, capsys):
    secret = "Zanzibar merger codeword is a historic breakthrough"
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "s", "text": secret}, '{"id": "t", "text": "' + secret, {"id": "u", "text": 7}],
    )
    run_batch(source, tmp_path / "out.jsonl", "--workers", "1")
    assert "Zanzibar" not in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_missing_model_stops_the_job_with_a_message(tmp_path, capsys, workers):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    (tmp_path / "models").mkdir()
    args = [str(source), str(tmp_path / "out.jsonl"), "--no-progress", "--workers", workers]
    assert main([*args, "--models", str(tmp_path / "models")]) == 1
    assert "error: cannot load the model: no caveat-<version>.json manifest" in (
        capsys.readouterr().err
    )


def failing_on(marker: str):
    """Analyzer.analyze_many, except that it raises when an article contains ``marker``."""
    original = Analyzer.analyze_many

    def analyze_many(self, docs, explain=False):
        if any(marker in text for text, _, _ in docs):
            raise RuntimeError(f"cannot analyse {marker}")
        return original(self, docs, explain)

    return analyze_many


def test_an_article_the_analyzer_fails_on_gets_an_internal_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(Analyzer, "analyze_many", failing_on("BOOM"))
    rows = [GOOD | {"id": "one"}, {"id": "two", "text": "BOOM goes the analyzer."}, GOOD]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 1
    first, failed, last = read_jsonl(out)
    assert (first["id"], last["id"]) == ("one", "good")
    assert failed == {
        "id": "two",
        "line": 2,
        "error": {
            "code": "internal",
            "message": "The analysis failed.",
            "details": {"exception": "RuntimeError"},
        },
    }
    err = capsys.readouterr().err
    assert "2 analysed, 0 errors, 1 failed" in err
    assert "BOOM" not in err


def test_a_rerun_keeps_an_internal_error_record_in_its_place(tmp_path, monkeypatch, capsys):
    rows = [GOOD | {"id": "one"}, {"id": "two", "text": "BOOM goes the analyzer."}, GOOD]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        patch.setattr(Analyzer, "analyze_many", failing_on("BOOM"))
        assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 1
        first_run = out.read_bytes()
        # The bug still there: a rerun writes nothing more (it appended another record).
        assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 0
        assert out.read_bytes() == first_run
    # The bug fixed: still nothing appended out of order; the note says how to redo it.
    capsys.readouterr()
    assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 0
    assert out.read_bytes() == first_run
    err = capsys.readouterr().err
    assert "0 analysed, 0 errors, 0 failed, 3 already in" in err
    assert "1 articles keep the error records an earlier run wrote" in err
    # Deleting the error line redoes that article, in a run of its own.
    lines = first_run.decode().splitlines(keepends=True)
    out.write_text(lines[0] + lines[2], encoding="utf-8")
    assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["one", "good", "two"]
    assert "error" not in records[2]


def test_stops_when_the_analyzer_fails_on_every_article(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(Analyzer, "analyze_many", failing_on(""))
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD | {"id": str(i)} for i in range(40)])
    out = tmp_path / "out.jsonl"
    assert main([str(source), str(out), "--no-progress", "--workers", "1"]) == 1
    assert out.read_text(encoding="utf-8") == ""
    assert "the analyzer failed on all 16 articles of a chunk (RuntimeError)" in (
        capsys.readouterr().err
    )


# --------------------------------------------------------------------------- resuming


@pytest.fixture(scope="module")
def archive(tmp_path_factory, reuters) -> tuple[Path, bytes]:
    """600 articles (the Reuters ones with fresh ids) and the OUT of one uninterrupted run."""
    folder = tmp_path_factory.mktemp("archive")
    rows = [r | {"id": f"{r['id']}#{k}"} for k in range(15) for r in reuters]
    rows.insert(7, "not json")  # an error record must survive resuming too
    source = write_jsonl(folder / "in.jsonl", rows)
    run_batch(source, folder / "whole.jsonl", "--workers", "2")
    return source, (folder / "whole.jsonl").read_bytes()


def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path, archive):
    source, whole = archive
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "service.batch", str(source), str(out), "--workers", "2"]
    # A session of its own, so that the kill reaches the pool's workers too.
    proc = subprocess.Popen(command, cwd=PROJECT, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 40:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_lines = out.read_bytes().count(b"\n")
    assert 40 <= killed_lines < whole.count(b"\n")
    run_batch(source, out, "--workers", "2")
    assert out.read_bytes() == whole


def test_resume_repairs_a_half_written_last_line(tmp_path, archive, capsys):
    source, whole = archive
    out = tmp_path / "out.jsonl"
    lines = whole.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:100]) + lines[100][: len(lines[100]) // 2])
    records = run_batch(source, out, "--workers", "1")
    assert out.read_bytes() == whole
    assert len({r["id"] for r in records if "error" not in r}) == len(lines) - 1
    assert "removed a half-written last line" in capsys.readouterr().err


def test_rerun_on_a_finished_output_writes_nothing(tmp_path, archive, capsys):
    source, whole = archive
    out = tmp_path / "out.jsonl"
    out.write_bytes(whole)
    run_batch(source, out, "--workers", "1")
    assert out.read_bytes() == whole
    assert "0 analysed, 0 errors, 0 failed, 601 already in" in capsys.readouterr().err


def test_refuses_to_append_summaries_to_full_analyses(tmp_path, archive):
    source, whole = archive
    out = tmp_path / "out.jsonl"
    out.write_bytes(whole[: whole.index(b"\n") + 1])
    with pytest.raises(SystemExit, match="holds full analyses"):
        main([str(source), str(out), "--summary", "--no-progress"])
    assert out.read_bytes() == whole[: whole.index(b"\n") + 1]


def test_refuses_to_append_full_analyses_to_summaries(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD, GOOD | {"id": "other"}])
    out = tmp_path / "out.jsonl"
    run_batch(write_jsonl(tmp_path / "first.jsonl", [GOOD]), out, "--summary", "--workers", "1")
    with pytest.raises(SystemExit, match="holds summaries"):
        main([str(source), str(out), "--no-progress"])
    assert [r["id"] for r in read_jsonl(out)] == ["good"]


def test_resumes_a_summary_run_with_summaries(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD, GOOD | {"id": "other"}])
    out = tmp_path / "out.jsonl"
    run_batch(write_jsonl(tmp_path / "first.jsonl", [GOOD]), out, "--summary", "--workers", "1")
    records = run_batch(source, out, "--summary", "--workers", "1")
    assert [(r["id"], r["n_sentences"]) for r in records] == [("good", 2), ("other", 2)]


# --------------------------------------------------------------------------- folders


def test_folder_of_txt_files_uses_file_names_as_ids(tmp_path, reuters, real_analyzer):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, row in zip(("b-second", "a-first"), reuters[:2], strict=True):
        # newline="" writes the text as it is, so offsets index the file.
        with open(folder / f"{name}.txt", "w", encoding="utf-8", newline="") as fh:
            fh.write(row["text"])
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    records = run_batch(folder, tmp_path / "out.jsonl", "--workers", "1")
    assert records == [
        AnalysisSchema().dump(real_analyzer.analyze(reuters[1]["text"], doc_id="a-first")),
        AnalysisSchema().dump(real_analyzer.analyze(reuters[0]["text"], doc_id="b-second")),
    ]


def test_folder_file_that_is_not_utf8_gets_an_error_record(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "latin.txt").write_bytes(
        "Caf\xe9 society is a historic breakthrough.".encode("latin-1")
    )
    [record] = run_batch(folder, tmp_path / "out.jsonl", "--workers", "1")
    assert record["id"] == "latin"
    assert record["file"] == "latin.txt"
    assert record["error"]["details"] == {"text": ["Not valid UTF-8 (byte 3)."]}


def test_an_unreadable_folder_entry_fails_alone(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("It is a historic breakthrough.", encoding="utf-8")
    (folder / "b.txt").symlink_to(folder / "gone.txt")  # a dangling link
    (folder / "c.txt").mkdir()  # a folder with an article's name
    (folder / "d.txt").write_text("It may work.", encoding="utf-8")
    records = run_batch(folder, tmp_path / "out.jsonl", "--workers", "1")
    assert [r["id"] for r in records] == ["a", "b", "c", "d"]
    assert "sentences" in records[0] and "sentences" in records[3]
    assert records[1] == {
        "id": "b",
        "file": "b.txt",
        "error": {
            "code": "unreadable",
            "message": "The file could not be read (No such file or directory).",
            "details": {},
        },
    }
    assert records[2]["error"]["code"] == "unreadable"


def test_a_byte_order_mark_is_read_as_a_mark_not_text(tmp_path, real_analyzer):
    text = "It is a historic breakthrough. But it may fail."
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": text}).encode() + b"\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (folder / "blank.txt").write_bytes(b"\xef\xbb\xbf \n")
    expected = AnalysisSchema().dump(real_analyzer.analyze(text, doc_id="a"))
    assert run_batch(source, tmp_path / "from-lines.jsonl", "--workers", "1") == [expected]
    from_folder, blank = run_batch(folder, tmp_path / "from-files.jsonl", "--workers", "1")
    assert from_folder == expected
    assert blank["error"]["code"] == "validation_error"
    assert list(blank["error"]["details"]) == ["text"]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("missing-folder/out.jsonl", "does not exist: make it first"),
        (".", "is a folder"),
        ("in.jsonl", "OUT is IN"),
    ],
)
def test_an_out_that_cannot_be_written_is_a_usage_error(tmp_path, capsys, out, message):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    before = source.read_bytes()
    with pytest.raises(SystemExit) as stop:
        main([str(source), str(tmp_path / out), "--no-progress"])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert source.read_bytes() == before
    assert not (tmp_path / "missing-folder").exists()


@pytest.mark.parametrize(
    "content",
    [
        b'{"labels": true}',  # one JSON object and no final newline: not a half line of ours
        b'{"id": "a", "text": "It may work."}\n',  # the articles given as OUT
        b"[1, 2]\n",
        b"{}\n",
        b"not json\n",
    ],
    ids=["json-no-newline", "articles", "list", "no-id", "not-json"],
)
def test_an_out_of_something_else_is_refused_and_left_as_it_was(tmp_path, content):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    out = tmp_path / "out.jsonl"
    out.write_bytes(content)
    with pytest.raises(SystemExit, match="is not a record of this command"):
        main([str(source), str(out), "--no-progress"])
    assert out.read_bytes() == content
