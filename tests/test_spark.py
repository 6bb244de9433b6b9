"""service.spark_job: on local[2], the same results as the batch CLI for every article."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pyarrow_parquet
import pytest

from service.batch import main as batch_main
from service.spark_job import FLAT_COLUMNS, flat_row
from service.spark_job import main as spark_main
from training.datasets import iter_reuters


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """19 Reuters articles (titles and dates), one of our own that makes a claim (so that the
    flat claim columns are exercised whatever the model makes of 1987 wire copy), and lines
    the CLI rejects or reads with care: a blank text, a line that is not JSON, one that is not
    UTF-8 (its text must never reach a worker's error), a number for a text (Spark's own JSON
    reader made it the text "5"), NaN, a repeated name, a repeated id, a byte order mark, a
    line ending in CRLF and a blank line."""
    folder = tmp_path_factory.mktemp("spark")
    lines = [
        json.dumps({"id": d.source, "text": d.text, "title": d.title or None, "date": "1987-03-01"})
        for d in itertools.islice(iter_reuters(), 19)
    ]
    claim = "Officials hailed a historic breakthrough in the talks. More work is needed."
    lines.append(json.dumps({"id": "own-claim", "text": claim, "date": "1987-03-02"}))
    lines += [
        '{"id": "blank", "text": "  "}',
        "not json",
        '{"id": "number", "text": 5}',
        '{"id": "nan", "text": "It may work.", "title": NaN}',
        '{"id": "twice", "text": "One.", "text": "Two."}',
        json.dumps({"id": "own-claim", "text": "The same id again. It may work."}),
        "\ufeff" + json.dumps({"id": "marked", "text": "It is a breakthrough, if it holds."}),
        json.dumps({"id": "crlf", "text": "It could still fail."}) + "\r",
        "   ",
    ]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    not_utf8 = b'{"id": "latin", "text": "Caf\xe9 CONFIDENTIAL merger talks."}\n'
    path = folder / "archive.jsonl"
    path.write_bytes(body + not_utf8)
    return path


@pytest.fixture(scope="module")
def batch_records(archive) -> list[dict]:
    """What python -m service.batch writes for the archive."""
    out = archive.with_name("batch.jsonl")
    assert batch_main([str(archive), str(out), "--workers", "1", "--no-progress"]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture(scope="module")
def spark():
    """A quiet local[2] session, stopped after the module."""
    from service.spark_job import build_session

    session = build_session("local[2]")
    yield session
    session.stop()


def read_parquet(path: Path) -> list[dict]:
    """The rows of a Parquet folder."""
    return pyarrow_parquet.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def spark_rows(spark, archive) -> list[dict]:
    """The Spark job's rows for the archive."""
    from service.spark_job import run

    out = archive.with_name("spark.parquet")
    run(spark, str(archive), str(out))
    return read_parquet(out)


def test_spark_rows_equal_the_batch_records_for_every_article(spark_rows, batch_records):
    analysed = [r for r in batch_records if "error" not in r]
    assert len(analysed) == 22
    by_id = {row["id"]: row for row in spark_rows if row["error_code"] is None}
    assert by_id == {r["id"]: flat_row(r) for r in analysed}


def test_spark_flags_the_rows_the_batch_rejects(spark_rows, batch_records):
    errors = sorted((r["id"] or "", r["error_code"]) for r in spark_rows if r["error_code"])
    assert errors == [
        ("", "invalid_json"),  # not json
        ("", "invalid_json"),  # NaN
        ("", "invalid_json"),  # a name twice
        ("", "invalid_json"),  # not UTF-8
        ("blank", "validation_error"),
        ("number", "validation_error"),
        ("own-claim", "duplicate_id"),
    ]
    rejected = [(r["id"] or "", r["error"]["code"]) for r in batch_records if "error" in r]
    assert errors == sorted(rejected)


def test_spark_output_has_the_flat_schema(spark_rows):
    assert list(spark_rows[0]) == FLAT_COLUMNS
    claims = [c for row in spark_rows for c in row["claims"] or []]
    assert claims, "the sample should hold at least one flagged claim"
    assert set(claims[0]) == {"sentence", "start", "end", "probability", "cues", "qualified_by"}


def test_spark_reads_parquet_input_like_json_lines(spark, archive, spark_rows, tmp_path):
    import pyarrow as pa

    from service.spark_job import run

    rows = [json.loads(line) for line in archive.read_bytes().split(b"\n")[:20]]
    source = tmp_path / "archive.parquet"
    pyarrow_parquet.write_table(pa.Table.from_pylist(rows), source)
    run(spark, str(source), str(tmp_path / "out.parquet"))
    ids = {row["id"] for row in rows}
    expected = [r for r in spark_rows if r["error_code"] is None and r["id"] in ids]
    assert sorted(read_parquet(tmp_path / "out.parquet"), key=lambda r: r["id"]) == sorted(
        expected, key=lambda r: r["id"]
    )


def test_spark_refuses_to_overwrite_without_asking(spark, archive):
    from service.spark_job import run

    with pytest.raises(Exception, match="already exists"):
        run(spark, str(archive), str(archive.with_name("spark.parquet")))


# --------------------------------------------------------------------------- flat rows


def test_flat_row_lists_claims_with_the_hedges_that_qualify_them():
    record = {
        "id": "x",
        "date": "1987-03-01",
        "model": {"name": "caveat", "version": "1.1.0"},
        "balance": {"score": 0.9, "label": "balanced", "claims": 1, "hedges": 1,
                    "qualified_claims": 1, "summary": "..."},
        "sentences": [
            {"index": 0, "start": 0, "end": 36, "text": "...", "paragraph": 0,
             "claim": {"probability": 0.93, "flagged": True},
             "hedge": {"probability": 0.1, "flagged": False, "types": []},
             "cues": [{"label": "claim", "type": None, "start": 14, "end": 34,
                       "text": "historic breakthrough"}]},
            {"index": 1, "start": 37, "end": 57, "text": "...", "paragraph": 0,
             "claim": {"probability": 0.05, "flagged": False},
             "hedge": {"probability": 0.88, "flagged": True, "types": ["limitation"]},
             "cues": [{"label": "hedge", "type": "limitation", "start": 37, "end": 56,
                       "text": "more work is needed"}]},
        ],
        "links": [{"claim": 0, "hedge": 1, "strength": 0.9}],
        "title": None,
    }  # fmt: skip
    assert flat_row(record) == {
        "id": "x",
        "date": "1987-03-01",
        "model_version": "1.1.0",
        "balance_score": 0.9,
        "balance_label": "balanced",
        "n_sentences": 2,
        "n_claims": 1,
        "n_hedges": 1,
        "n_qualified_claims": 1,
        "n_links": 1,
        "claims": [
            {"sentence": 0, "start": 0, "end": 36, "probability": 0.93,
             "cues": ["historic breakthrough"], "qualified_by": [1]}
        ],
        "hedges": [
            {"sentence": 1, "start": 37, "end": 57, "probability": 0.88,
             "types": ["limitation"], "cues": ["more work is needed"]}
        ],
        "error_code": None,
        "error_message": None,
    }  # fmt: skip


def test_flat_row_of_an_error_record_carries_its_code():
    record = {"id": "y", "line": 3, "error": {"code": "validation_error", "message": "m"}}
    row = flat_row(record)
    assert (row["id"], row["error_code"], row["error_message"]) == ("y", "validation_error", "m")
    assert row["claims"] is None


def test_executor_refuses_a_shipped_model_whose_hash_differs(tmp_path, monkeypatch):
    import shutil

    import pyspark

    from service.analysis.model import MODELS_DIR, ModelError, load_model
    from service.spark_job import analyze_partition

    card = load_model().card
    shipped = tmp_path / "caveat-model-test"
    shipped.mkdir()
    for name in (f"caveat-{card['version']}.json", card["artifact"]["file"]):
        shutil.copy(MODELS_DIR / name, shipped / name)
    segmenter = card["segmenter"]["file"]
    (shipped / segmenter).write_bytes((MODELS_DIR / segmenter).read_bytes() + b" ")
    # What an executor would find in its SparkFiles if a file were altered on the way.
    monkeypatch.setattr(pyspark.SparkFiles, "get", lambda name: str(tmp_path / name))
    with pytest.raises(ModelError, match="sha256"):
        next(analyze_partition(iter([]), "caveat-model-test", card["version"]))


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["{tmp}/nope.jsonl", "{tmp}/out"], "does not exist"),
        (["{tmp}/in-*.jsonl", "{tmp}/out"], "matches no file"),
        (["{tmp}/in.jsonl", "{tmp}"], "exists: give --overwrite"),
    ],
)
def test_local_path_mistakes_are_usage_errors_before_spark_starts(tmp_path, capsys, paths, message):
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "It may work."}\n', encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        spark_main([p.format(tmp=tmp_path) for p in paths])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_the_job_runs_as_a_file_as_spark_submit_runs_it():
    # spark-submit runs service/spark_job.py as a file, which puts service/ first on the
    # path: service/logging.py stood in for the standard library's logging, and the job
    # failed on import, before parsing its arguments.
    project = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "service/spark_job.py", "--help"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python -m service.spark_job" in done.stdout
