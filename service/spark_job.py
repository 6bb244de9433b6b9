"""python -m service.spark_job IN OUT: the batch analysis on Apache Spark, past one machine.

IN is JSON Lines (``{"id", "text", "title"?, "date"?}`` a line, as for
``service.batch``) or Parquet with those columns; OUT is a Parquet folder with
one flat row an article (``FLAT_SCHEMA``): id, date, model version, balance
score and label, counts, and the flagged claims and hedges as arrays of
structs. A claim's ``qualified_by`` lists the hedge sentences linked to it;
sentence -1 is the title, whose offsets index the title. A document that
cannot be analysed gets a row with ``error_code`` and ``error_message`` set.

Each row is analysed exactly as ``python -m service.batch`` analyses a line
(a JSON Lines line is read as raw text and parsed by the same strict reader, then the
same validation, the same analyzer, the same API schema), so the two agree article
for article. A line that is not UTF-8 is flagged in the JVM and never reaches Python,
so no worker error can quote it. Ids are checked for duplicates within a partition, as
the CLI checks them (the first line is analysed, a later one gets ``duplicate_id``),
not across partitions: a file below ``spark.sql.files.maxPartitionBytes`` (128 MB) is
one partition.

The model files named by the manifest are shipped to the executors once, as
one archive (``SparkContext.addArchive``), and every executor loads them with
``load_model``, which checks their sha256 against the manifest there too. The
``service`` package goes along as a zip (``addPyFile``), so executors run the
driver's code.

Locally (``local[*]`` unless ``--master`` says otherwise)::

    python -m service.spark_job archive.jsonl analyses.parquet

On a cluster, in client mode from the project root (the driver reads
``models/``), with the pinned requirements packed by venv-pack (``pip install
venv-pack``) into an environment every executor unpacks::

    venv-pack -p .venv -o caveat-env.tar.gz
    PYTHONPATH=$PWD PYSPARK_DRIVER_PYTHON=.venv/bin/python spark-submit \\
        --master yarn --deploy-mode client \\
        --archives caveat-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python \\
        service/spark_job.py hdfs:///archive/articles.jsonl hdfs:///archive/caveat.parquet

Needs Java 17 or 21 (Spark 4) and ``pip install -r requirements-spark.txt``.
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and not __package__:
    # Run as a file (``spark-submit service/spark_job.py``): Python put service/ first on
    # the path, where service/logging.py would stand in for the standard library's logging.
    # The project root goes there instead, so that ``service`` is the package.
    from os.path import abspath, dirname

    sys.path[0] = dirname(dirname(abspath(__file__)))

import argparse
import glob
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service import batch
from service.analysis.model import ARTIFACTS, MODELS_DIR, ModelError, load_model, sha256_of

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

#: One row an article. Counts are the API's balance counts plus sentences and links.
FLAT_SCHEMA = ", ".join(
    [
        "id string",
        "date string",
        "model_version string",
        "balance_score double",
        "balance_label string",
        "n_sentences int",
        "n_claims int",
        "n_hedges int",
        "n_qualified_claims int",
        "n_links int",
        "claims array<struct<sentence: int, start: int, end: int, probability: double, "
        "cues: array<string>, qualified_by: array<int>>>",
        "hedges array<struct<sentence: int, start: int, end: int, probability: double, "
        "types: array<string>, cues: array<string>>>",
        "error_code string",
        "error_message string",
    ]
)
#: FLAT_SCHEMA's top-level columns, in order.
FLAT_COLUMNS = [
    "id",
    "date",
    "model_version",
    "balance_score",
    "balance_label",
    "n_sentences",
    "n_claims",
    "n_hedges",
    "n_qualified_claims",
    "n_links",
    "claims",
    "hedges",
    "error_code",
    "error_message",
]
#: The column of a JSON Lines line as text: null when the line is not UTF-8.
_LINE = "line"


def flat_row(record: dict[str, Any]) -> dict[str, Any]:
    """The flat row of one ``service.batch`` record (an analysis or an error record)."""
    row: dict[str, Any] = dict.fromkeys(FLAT_COLUMNS)
    row.update(id=record.get("id"), date=record.get("date"))
    if "error" in record:
        row.update(error_code=record["error"]["code"], error_message=record["error"]["message"])
        return row
    balance = record["balance"]
    sentences = ([record["title"]] if record.get("title") else []) + record["sentences"]
    qualified_by: dict[int, list[int]] = {}
    for link in record["links"]:
        qualified_by.setdefault(link["claim"], []).append(link["hedge"])
    row.update(
        model_version=record["model"]["version"],
        balance_score=balance["score"],
        balance_label=balance["label"],
        n_sentences=len(record["sentences"]),
        n_claims=balance["claims"],
        n_hedges=balance["hedges"],
        n_qualified_claims=balance["qualified_claims"],
        n_links=len(record["links"]),
        claims=[
            {
                **_span(s, "claim"),
                "cues": _cue_texts(s, "claim"),
                "qualified_by": qualified_by.get(s["index"], []),
            }
            for s in sentences
            if s["claim"]["flagged"]
        ],
        hedges=[
            {**_span(s, "hedge"), "types": s["hedge"]["types"], "cues": _cue_texts(s, "hedge")}
            for s in sentences
            if s["hedge"]["flagged"]
        ],
    )
    return row


def _span(sentence: dict, label: str) -> dict[str, Any]:
    return {
        "sentence": sentence["index"],
        "start": sentence["start"],
        "end": sentence["end"],
        "probability": sentence[label]["probability"],
    }


def _cue_texts(sentence: dict, label: str) -> list[str]:
    return [c["text"] for c in sentence["cues"] if c["label"] == label]


# --------------------------------------------------------------------------- executors

_loaded: tuple[str, str] | None = None


def _ensure_model(folder: str, version: str) -> None:
    """Load the shipped model once per Python worker; load_model checks its sha256 here too."""
    global _loaded
    if _loaded == (folder, version):
        return
    from pyspark import SparkFiles

    batch.init_worker(SparkFiles.get(folder), version, summary=False)
    _loaded = (folder, version)


def analyze_partition(
    frames: Iterator[pd.DataFrame], folder: str, version: str
) -> Iterator[pd.DataFrame]:
    """mapInPandas: each input frame's rows analysed as service.batch would, as flat rows."""
    import pandas as pd

    _ensure_model(folder, version)
    seen: set[str] = set()  # the partition's ids so far
    for frame in frames:
        items = [_unique(_document(row), seen) for row in frame.to_dict("records")]
        rows: list[dict[str, Any]] = []
        for start in range(0, len(items), batch.CHUNK_SIZE):
            lines, _ = batch.analyze_chunk(items[start : start + batch.CHUNK_SIZE])
            rows.extend(flat_row(json.loads(line)) for line in lines)
        yield pd.DataFrame(rows, columns=FLAT_COLUMNS)


def _document(row: dict[str, Any]) -> batch.Doc | str:
    """A Doc, or the ready error line of a row the batch CLI would reject too."""
    if _LINE in row:  # a JSON Lines line, read as the CLI reads one
        line = row[_LINE]
        if line is None:
            item: batch.Doc | batch.Failure = batch.Failure(
                None, {}, "invalid_json", "The line is not valid UTF-8."
            )
        else:
            item = batch.parse_line(line.encode("utf-8"), {})
    else:
        # Parquet columns: absent and null are one thing in a DataFrame; drop nulls so the
        # messages match the CLI's.
        item = batch.parse_document({k: v for k, v in row.items() if v is not None}, {})
    return batch.to_line(item.record()) if isinstance(item, batch.Failure) else item


def _unique(item: batch.Doc | str, seen: set[str]) -> batch.Doc | str:
    """The item, or a duplicate_id error line when an earlier row of the partition has its id."""
    if not isinstance(item, batch.Doc):
        return item
    if item.id in seen:
        return batch.to_line(batch.duplicate(item).record())
    seen.add(item.id)
    return item


# --------------------------------------------------------------------------- driver


def build_session(master: str | None = None) -> SparkSession:
    """A SparkSession; a local one is quiet, has no UI and binds to 127.0.0.1 only."""
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"  # run with plain python, not spark-submit
    builder = SparkSession.builder.appName("caveat-archive")
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        # The Python workers run this interpreter, whose environment has the requirements
        # (PySpark reads the variable, not spark.pyspark.python, when it starts them).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # Read by the JVM as it starts: otherwise it looks up a public interface to bind to.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
        )
    # Arrow batches of a few hundred articles keep a worker's memory flat on long archives.
    builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def read_archive(spark: SparkSession, source: str, fmt: str = "auto") -> DataFrame:
    """IN as a DataFrame: of id, text, title and date (Parquet), or of lines (JSON Lines)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    if fmt == "auto":
        fmt = "parquet" if _looks_like_parquet(source) else "jsonl"
    if fmt == "jsonl":
        # Lines as text, split at "\n" only, as the CLI splits them; blank ones skipped.
        lines = spark.read.option("lineSep", "\n").text(source)
        value = F.col("value")
        return lines.where(~value.rlike(r"^[ \t\n\r\x0b\x0c]*$")).select(
            F.when(F.is_valid_utf8(value), value).alias(_LINE)
        )
    frame = spark.read.parquet(source)
    for name in ("id", "text"):
        if name not in frame.columns:
            raise SystemExit(f"error: {source} has no {name!r} column")
    for name in ("id", "text", "title", "date"):
        if name in frame.columns and not isinstance(frame.schema[name].dataType, StringType):
            raise SystemExit(f"error: column {name!r} of {source} is not a string column")
    optional = [
        (F.col(c) if c in frame.columns else F.lit(None).cast("string")).alias(c)
        for c in ("title", "date")
    ]
    return frame.select("id", "text", *optional)


def _looks_like_parquet(source: str) -> bool:
    path = Path(source)
    if path.suffix == ".parquet":
        return True
    return path.is_dir() and any(path.glob("*.parquet"))


def ship_model(
    spark: SparkSession, models_dir: Path, version: str | None, workdir: Path
) -> tuple[str, str]:
    """Send the model's four files to every executor once; the archive's name and the version.

    The driver loads the model first (load_model checks it), so a bad one fails
    before any task. The files travel as one zip that Spark unpacks on each node
    (``addArchive``: served by the driver, no shared file system needed), named
    after the manifest's sha256, which holds the other three files' hashes: Spark
    cannot replace a shipped file, so another model must travel under another name.
    """
    card = load_model(models_dir, version).card
    manifest = Path(models_dir) / f"caveat-{card['version']}.json"
    archive = workdir / f"caveat-model-{sha256_of(manifest)[:16]}.zip"
    # Stored, not deflated: the joblib artifact is compressed already.
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.write(manifest, manifest.name)
        for entry in (card[key] for key in ARTIFACTS):
            path = Path(models_dir) / entry["file"]
            if sha256_of(path) != entry["sha256"]:  # replaced since it was loaded just now
                raise ModelError(f"{entry['file']} changed while the job started; run it again")
            zf.write(path, entry["file"])
    spark.sparkContext.addArchive(str(archive))
    return archive.name, card["version"]


def ship_code(spark: SparkSession, workdir: Path) -> None:
    """Send the ``service`` package to the executors as a zip, so they run the driver's code.

    The zip is built byte for byte the same from the same code and named after
    its hash, so a session can run the job again, even after the code changed.
    """
    package = Path(__file__).resolve().parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts:
                # A fixed timestamp: the bytes depend on the code only.
                info = zipfile.ZipInfo(str(path.relative_to(package.parent)), (1980, 1, 1, 0, 0, 0))
                zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    archive = workdir / f"caveat-service-{hashlib.sha256(data).hexdigest()[:16]}.zip"
    archive.write_bytes(data)
    spark.sparkContext.addPyFile(str(archive))


def run(
    spark: SparkSession,
    source: str,
    out: str,
    *,
    fmt: str = "auto",
    models_dir: Path = MODELS_DIR,
    version: str | None = None,
    overwrite: bool = False,
) -> None:
    """Analyse IN into a Parquet folder OUT."""
    with tempfile.TemporaryDirectory(prefix="caveat-spark-") as workdir:
        folder, version = ship_model(spark, models_dir, version, Path(workdir))
        ship_code(spark, Path(workdir))
        frame = read_archive(spark, source, fmt)
        analyze = partial(analyze_partition, folder=folder, version=version)
        flat = frame.mapInPandas(analyze, FLAT_SCHEMA)
        flat.write.mode("overwrite" if overwrite else "errorifexists").parquet(out)


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m service.spark_job",
        description="Analyse an archive (JSON Lines or Parquet) on Spark into flat Parquet.",
    )
    parser.add_argument("input", help="JSON Lines file(s) or Parquet; any path Spark reads")
    parser.add_argument("output", help="the Parquet folder to write")
    parser.add_argument("--format", choices=("auto", "jsonl", "parquet"), default="auto")
    parser.add_argument("--master", default=None, help="default: spark-submit's, else local[*]")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="the models folder")
    parser.add_argument("--model-version", default=None, help="default: the newest manifest")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    # Paths without a scheme are local: check them before a JVM starts. Spark checks the
    # others (hdfs://, s3a://) itself, as it reads and writes them.
    if "://" not in args.input and not glob.glob(args.input):
        parser.error(f"{args.input} does not exist (or matches no file)")
    if "://" not in args.output and Path(args.output).exists() and not args.overwrite:
        parser.error(f"{args.output} exists: give --overwrite to replace it")
    from pyspark.errors import PySparkException

    try:
        spark = build_session(args.master)
    except PySparkException as exc:  # a mistyped --master: the JVM will not start
        print(f"error: cannot start Spark with --master {args.master}: {exc}", file=sys.stderr)
        return 1
    try:
        run(
            spark,
            args.input,
            args.output,
            fmt=args.format,
            models_dir=args.models,
            version=args.model_version,
            overwrite=args.overwrite,
        )
    except (ModelError, FileNotFoundError) as exc:  # raised on the driver, before any task
        print(f"error: cannot load the model: {exc}", file=sys.stderr)
        return 1
    except PySparkException as exc:  # a path Spark cannot read or write, a remote one say
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    # The package's own module runs, run as a file or with -m: the functions Spark pickles for
    # the executors are then named service.spark_job, which they import from the shipped zip.
    from service import spark_job

    sys.exit(spark_job.main())
