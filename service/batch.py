"""python -m service.batch IN OUT: analyse a whole archive on every core, resumably.

IN is JSON Lines, one ``{"id", "text", "title"?, "date"?}`` object a line, or a
folder of ``.txt`` files (the id is the file name without ``.txt``). OUT is
JSON Lines: for each article the API's JSON for it (POST /v1/analyze, dumped
with the same schema), plus its ``date`` when one was given; with
``--summary``, only its id, model, balance and counts. A line that cannot be
analysed gets ``{"id", "line", "error": {"code", "message", "details"}}`` (``file``
instead of ``line`` for a folder) and the job goes on. The codes:
``invalid_json``, ``validation_error`` (the API's rules: text 1..100,000
characters after stripping, a string id up to 200), ``duplicate_id`` (an
earlier line has it), ``unreadable`` (a folder entry that cannot be read as a file)
and ``internal`` (the analyzer failed on that article). A byte order mark at the start
of a line, or of a .txt file, is read as what it is, a mark, not as text.

The job appends to OUT and skips the ids already there, so a killed run is
resumed by running the same command again; OUT keeps the input order. An input
that has an error record in OUT is skipped too, an ``internal`` one included: to
analyse those again (after a fix), delete their lines from OUT and rerun. A
worker process loads the model once and analyses a chunk of articles at a
time. Nothing here logs article text: drafts are confidential.

Exit status: 0; 1 when the model cannot be loaded, when the analyzer failed on
some article, or when it failed on every article of a chunk (the job stops
there: that is a bug, not data); 130 when interrupted.

    python -m service.batch archive.jsonl analyses.jsonl --workers 2
"""

from __future__ import annotations

import argparse
import codecs
import gc
import json
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

from marshmallow import EXCLUDE, ValidationError, fields, validate

from service.analysis.model import MODELS_DIR, ModelError
from service.analysis.types import BALANCE_LABELS
from service.cli import command, output_file
from service.jsontext import InvalidJSON, parse_json
from service.schemas import MAX_ID_CHARS, DocumentSchema, analysis_dict

#: Articles per task: enough for the core's one-matrix prediction to pay off, small enough
#: that a kill loses little and the progress bar moves (64 was no faster than 16 on Reuters).
CHUNK_SIZE = 16
#: Chunks in flight per worker: keeps every worker busy without reading a huge IN into memory.
CHUNKS_AHEAD = 4



class ArchiveDocumentSchema(DocumentSchema):
    """One archive line: the API's document, with the id required and an optional date."""

    class Meta:
        # Archives carry columns of their own (url, author...); the analysis ignores them,
        # as the Spark job, which selects its columns, does.
        unknown = EXCLUDE

    id = fields.String(
        required=True, attribute="doc_id", validate=validate.Length(min=1, max=MAX_ID_CHARS)
    )
    date = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


_DOCUMENT_SCHEMA = ArchiveDocumentSchema()


@dataclass(frozen=True)
class Doc:
    """An article to analyse, with where it came from."""

    id: str
    text: str
    title: str | None
    date: str | None
    where: dict[str, Any]  # {"line": n} or {"file": name}


@dataclass(frozen=True)
class Failure:
    """An input that cannot be analysed: its error record, and the id it named (if any)."""

    id: str | None
    where: dict[str, Any]  # {"line": n} or {"file": name}
    code: str
    message: str
    details: dict = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The error record written to OUT."""
        return {
            "id": self.id,
            **self.where,
            "error": {"code": self.code, "message": self.message, "details": self.details},
        }


# --------------------------------------------------------------------------- reading IN


def parse_document(obj: Any, where: dict[str, Any]) -> Doc | Failure:
    """Validate one input object with the API's document rules: a Doc, or the Failure why not."""
    try:
        loaded = _DOCUMENT_SCHEMA.load(obj)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return Failure(
            _echoable_id(obj),
            where,
            "validation_error",
            "The document does not match the schema; details names each field.",
            messages,
        )
    return Doc(loaded["doc_id"], loaded["text"], loaded["title"], loaded["date"], where)


def _echoable_id(obj: Any) -> str | None:
    """The object's id when it is one we can echo back, else None."""
    doc_id = obj.get("id") if isinstance(obj, dict) else None
    return doc_id if isinstance(doc_id, str) and 0 < len(doc_id) <= MAX_ID_CHARS else None


def read_jsonl(path: Path) -> Iterator[Doc | Failure]:
    """Each non-blank line of a JSON Lines file, parsed and validated, in order."""
    # Binary, so that only "\n" ends a line and a bad byte fails its own line alone.
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                yield parse_line(raw, {"line": number})


def parse_line(raw: bytes, where: dict[str, Any]) -> Doc | Failure:
    """One non-blank JSON Lines line, parsed and validated (the Spark job reads lines so too).

    A byte order mark before it is skipped: Notepad saves UTF-8 with one, and files joined
    by ``cat`` carry theirs into the middle.
    """
    try:
        obj = parse_json(raw.removeprefix(codecs.BOM_UTF8), what="line")
    except InvalidJSON as exc:
        # The line number is in ``where``; JSON's own is always 1 on one line.
        details = {k: v for k, v in exc.details.items() if k != "line"}
        return Failure(None, where, "invalid_json", exc.message, details)
    return parse_document(obj, where)


def duplicate(doc: Doc) -> Failure:
    """The error of a document whose id an earlier one has."""
    message = "An earlier line has this id; only the first is analysed."
    return Failure(doc.id, doc.where, "duplicate_id", message)


def read_folder(path: Path) -> Iterator[Doc | Failure]:
    """Each ``*.txt`` file of a folder in name order; the id is the name without ``.txt``."""
    for file in sorted(path.glob("*.txt")):
        where = {"file": file.name}
        try:
            # newline="" keeps "\r\n" as it is, so offsets index the file as written (after
            # a byte order mark, which utf-8-sig reads as the mark it is).
            with open(file, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            yield Failure(
                file.stem,
                where,
                "validation_error",
                "The document does not match the schema; details names each field.",
                {"text": [f"Not valid UTF-8 (byte {exc.start})."]},
            )
            continue
        except OSError as exc:
            # A dangling link, a folder named *.txt, no permission: this entry alone fails.
            yield Failure(
                file.stem,
                where,
                "unreadable",
                f"The file could not be read ({exc.strerror or type(exc).__name__}).",
            )
            continue
        yield parse_document({"id": file.stem, "text": text}, where)


def read_input(path: Path) -> Iterator[Doc | Failure]:
    """The documents of IN: a folder of .txt files or a JSON Lines file."""
    return read_folder(path) if path.is_dir() else read_jsonl(path)


def count_inputs(path: Path) -> int:
    """How many documents IN holds (for the progress bar), without parsing them."""
    if path.is_dir():
        return sum(1 for _ in path.glob("*.txt"))
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


# --------------------------------------------------------------------------- resuming OUT


@dataclass
class Done:
    """What OUT already holds: analysed ids, and the places of the errors written."""

    ids: set[str] = field(default_factory=set)
    errors: set[tuple[str, Any]] = field(default_factory=set)
    full: bool | None = None  # whether its analyses are full (None: none yet)
    dropped_bytes: int = 0  # a truncated last line removed by repair


def read_done(path: Path) -> Done:
    """Read OUT's records, first cutting off a last line that a kill left half-written.

    Only a file of this command's records is read or cut: any other (a labels file, the
    articles themselves, given as OUT by mistake) stops the job before a byte of it changes.
    """
    done = Done()
    if not path.exists():
        return done
    with open(path, "rb+") as fh:
        good_end = 0
        for number, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                # The half-written last line of a killed run (redone below), if it is the
                # start of one of our lines: to_line writes the id first.
                if not raw.startswith(b'{"id":'):
                    _not_ours(path, number)
                break
            try:
                record = json.loads(raw)
            except ValueError:
                _not_ours(path, number)
            if not is_record(record):
                _not_ours(path, number)
            good_end += len(raw)
            _note(done, record)
        size = fh.seek(0, os.SEEK_END)
        if size > good_end:
            done.dropped_bytes = size - good_end
            fh.truncate(good_end)
    return done


def _not_ours(path: Path, number: int) -> NoReturn:
    raise SystemExit(
        f"error: line {number} of {path} is not a record of this command; it is not an output "
        "of it, so nothing is appended to it and nothing in it is changed"
    )


def is_record(value: object) -> bool:
    """Whether ``value`` has the shape of an OUT record (what ``service.report`` reads too):
    an id with an error, or with the model and balance of an analysis, whose balance has one
    of the labels and a score in [0, 1] or null."""
    if not isinstance(value, dict) or "id" not in value:
        return False
    if "error" in value:
        return isinstance(value["error"], dict)
    balance = value.get("balance")
    if not isinstance(value.get("model"), dict) or not isinstance(balance, dict):
        return False
    if balance.get("label") not in BALANCE_LABELS:
        return False
    score = balance.get("score")
    return score is None or (
        isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1
    )


def _note(done: Done, record: dict) -> None:
    if "error" in record:
        where = next((k for k in ("line", "file") if k in record), None)
        if where:
            done.errors.add((where, record[where]))
        return
    done.ids.add(record["id"])
    done.full = isinstance(record.get("sentences"), list)


# --------------------------------------------------------------------------- records


def analysis_record(dumped: dict, date: str | None, summary: bool) -> dict:
    """The OUT record of an analysis: the API's JSON (or its summary), with the date if given."""
    record = summarize(dumped) if summary else dict(dumped)
    if date is not None:
        # Beside the id, so a reader of the file sees what the report will plot.
        record = {"id": record.pop("id"), "date": date, **record}
    return record


def summarize(dumped: dict) -> dict:
    """id, model, balance (with its counts), and the numbers of sentences and links."""
    return {
        "id": dumped["id"],
        "model": dumped["model"],
        "balance": dumped["balance"],
        "n_sentences": len(dumped["sentences"]),
        "n_links": len(dumped["links"]),
    }


def to_line(record: dict) -> str:
    """One JSON Lines line: UTF-8 as it is (like the API), compact."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


# --------------------------------------------------------------------------- workers

_worker_analyzer: Any = None
_worker_model: tuple[str, str | None] | None = None
_worker_error: Exception | None = None
_worker_summary = False


def init_worker(models_dir: str, version: str | None, summary: bool) -> None:
    """Load the model once for this worker process (its sha256 is checked on the way)."""
    global _worker_analyzer, _worker_model, _worker_summary
    _worker_summary = summary
    if _worker_model == (models_dir, version):
        return  # a process that runs several jobs (one worker, tests) keeps its model
    # Imported here: with a pool, the parent never loads scikit-learn or the model.
    from service.analysis.analyzer import Analyzer
    from service.analysis.model import load_model

    try:
        _worker_analyzer = Analyzer(load_model(Path(models_dir), version))
    except FileNotFoundError as exc:  # no manifest: as much a model error as a bad hash
        raise ModelError(str(exc)) from exc
    _worker_model = (models_dir, version)
    # The model lives as long as this process: out of the collector's reach, a full
    # collection no longer walks its objects (an article of 100,000 characters analyses in
    # about 0.8 of the time), as gunicorn.conf.py does before its workers fork.
    gc.freeze()


def init_pool_worker(models_dir: str, version: str | None, summary: bool) -> None:
    """init_worker for a Pool: a failure is kept and raised by the first task instead.

    A Pool replaces a worker whose initializer raised, forever: the job would hang
    rather than say that the model is missing or tampered with.
    """
    global _worker_error
    try:
        init_worker(models_dir, version, summary)
    except Exception as exc:
        _worker_error = exc


class AnalyzerBroken(Exception):
    """Every article of a chunk failed: a bug or a model that does not fit the code, not data."""


def analyze_chunk(items: list[Doc | str]) -> tuple[list[str], int]:
    """Analyse the Docs of a chunk in one call; pass ready lines through; keep the order.

    Returns the chunk's lines and how many of its articles failed in the analyzer.
    """
    if _worker_error is not None:
        raise _worker_error
    docs = [item for item in items if isinstance(item, Doc)]
    analysed, failed = _analyze_docs(docs)
    lines = iter(analysed)
    return [next(lines) if isinstance(item, Doc) else item for item in items], failed


def _analyze_docs(docs: list[Doc]) -> tuple[list[str], int]:
    if not docs:
        return [], 0
    try:
        analyses = _worker_analyzer.analyze_many([(d.text, d.title, d.id) for d in docs])
    except Exception:
        # One bad article must not cost its chunk: retry one by one to isolate it.
        results = [_analyze_one(d) for d in docs]
        errors = [exception for _, exception in results if exception]
        if len(docs) > 1 and len(errors) == len(docs):
            # Not the data: stop before writing thousands of error records a rerun would skip.
            raise AnalyzerBroken(
                f"the analyzer failed on all {len(docs)} articles of a chunk ({errors[0]})"
            ) from None
        return [line for line, _ in results], len(errors)
    return [_analysis_line(a, d) for d, a in zip(docs, analyses, strict=True)], 0


def _analyze_one(doc: Doc) -> tuple[str, str | None]:
    """The line of one article, and the exception's type name when the analyzer failed."""
    try:
        [analysis] = _worker_analyzer.analyze_many([(doc.text, doc.title, doc.id)])
    except Exception as exc:
        # The type only: an exception message can quote the article.
        exception = type(exc).__name__
        failure = Failure(
            doc.id, doc.where, "internal", "The analysis failed.", {"exception": exception}
        )
        return to_line(failure.record()), exception
    return _analysis_line(analysis, doc), None


def _analysis_line(analysis: Any, doc: Doc) -> str:
    return to_line(analysis_record(analysis_dict(analysis), doc.date, _worker_summary))


# --------------------------------------------------------------------------- the job


@dataclass
class Stats:
    """What a run did."""

    planned: int = 0  # articles sent to the analyzer
    errors: int = 0  # error records for input the API would reject too
    failed: int = 0  # articles the analyzer failed on (internal error records)
    skipped: int = 0  # already in OUT
    kept_failures: int = 0  # of skipped: articles whose error record in OUT is kept

    @property
    def analysed(self) -> int:
        """Articles analysed and written."""
        return self.planned - self.failed


def plan(items: Iterator[Doc | Failure], done: Done, stats: Stats) -> Iterator[Doc | str]:
    """What is left to write, in input order: Docs to analyse and ready error lines.

    An id is analysed at its first line only; a later line with the same id is a
    ``duplicate_id`` error. What OUT already holds is skipped, so a resumed run
    writes exactly what an uninterrupted one would have written after it.
    """
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Doc) and item.id in seen:
            item = duplicate(item)
        # ("line", n) or ("file", name): how OUT's error records name their input.
        place = next(iter(item.where.items()), None)
        if isinstance(item, Failure):
            if place in done.errors:
                stats.skipped += 1
                continue
            stats.errors += 1
            yield to_line(item.record())
            continue
        seen.add(item.id)
        if item.id in done.ids:
            stats.skipped += 1
            continue
        if place in done.errors:
            # An earlier run wrote an error record in its place (the analyzer failed on it,
            # or the input was bad then): redoing it would append it out of order, and
            # again at every rerun. Deleting that line from OUT redoes it.
            stats.skipped += 1
            stats.kept_failures += 1
            continue
        stats.planned += 1
        yield item


def chunks(items: Iterator[Doc | str], size: int) -> Iterator[list[Doc | str]]:
    """Consecutive chunks of ``size`` Docs (error lines ride along in their place)."""
    chunk: list[Doc | str] = []
    docs = 0
    for item in items:
        chunk.append(item)
        docs += isinstance(item, Doc)
        if docs == size:
            yield chunk
            chunk, docs = [], 0
    if chunk:
        yield chunk


def run(
    source: Path,
    out: Path,
    *,
    summary: bool = False,
    workers: int = 1,
    models_dir: Path = MODELS_DIR,
    version: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = True,
) -> Stats:
    """Analyse IN into OUT (appending, skipping what OUT holds) and say what was done."""
    done = read_done(out)
    if done.full is not None and done.full == summary:
        have, want = ("full analyses", "--summary") if done.full else ("summaries", "full")
        raise SystemExit(f"error: {out} holds {have}; resume it with the same mode, not {want}")
    if done.dropped_bytes:
        print(
            f"{out}: removed a half-written last line ({done.dropped_bytes} bytes) "
            "left by an interrupted run; it is redone",
            file=sys.stderr,
        )
    stats = Stats()
    total = count_inputs(source)
    already = min(total, len(done.ids) + len(done.errors))
    todo = chunks(plan(read_input(source), done, stats), chunk_size)
    args = (str(models_dir), version, summary)
    if workers <= 1:
        init_worker(*args)  # one process: no pool to feed, the model loaded here once
    with open(out, "a", encoding="utf-8", newline="\n") as sink:
        if workers <= 1:
            results: Iterator[tuple[list[str], int]] = (analyze_chunk(c) for c in todo)
            _write(results, sink, stats, total, already, progress)
        else:
            with multiprocessing.Pool(workers, initializer=init_pool_worker, initargs=args) as pool:
                ordered = _ordered(pool, todo, workers * CHUNKS_AHEAD)
                _write(ordered, sink, stats, total, already, progress)
    return stats


def _ordered(
    pool: Any, todo: Iterator[list[Doc | str]], ahead: int
) -> Iterator[tuple[list[str], int]]:
    """The pool's results in submission order, with at most ``ahead`` chunks in flight.

    Like ``Pool.imap`` (ordered), but imap reads its whole input up front; this
    reads IN only as fast as the workers analyse it, so an archive of any size fits.
    """
    pending: deque = deque()
    for chunk in todo:
        pending.append(pool.apply_async(analyze_chunk, (chunk,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _write(
    results: Iterator[tuple[list[str], int]],
    sink: TextIO,
    stats: Stats,
    total: int,
    already: int,
    progress: bool,
) -> None:
    from tqdm import tqdm

    with tqdm(
        total=total,
        initial=already,
        unit="article",
        desc="analysing",
        disable=not progress,
        file=sys.stderr,
        smoothing=0.1,
    ) as bar:
        for lines, failed in results:
            sink.writelines(lines)
            # Each chunk reaches the file before the next: a kill loses chunks in flight only.
            sink.flush()
            stats.failed += failed
            bar.update(len(lines))


@command
def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m service.batch",
        description="Analyse an archive of articles into JSON Lines, on every core, resumably.",
    )
    parser.add_argument("input", type=Path, help="a JSON Lines file or a folder of .txt files")
    parser.add_argument(
        "output", type=output_file, help="JSON Lines; appended to, ids in it skipped"
    )
    parser.add_argument(
        "--summary", action="store_true", help="write only id, balance and counts per article"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="processes analysing in parallel (default: the usable cores)",
    )
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="the models folder")
    parser.add_argument("--model-version", default=None, help="default: the newest manifest")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    if not args.input.exists():
        parser.error(f"{args.input} does not exist")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.output.exists() and args.output.resolve() == args.input.resolve():
        parser.error("OUT is IN: the analyses would be appended to the articles")
    started = time.perf_counter()
    try:
        stats = run(
            args.input,
            args.output,
            summary=args.summary,
            workers=args.workers,
            models_dir=args.models,
            version=args.model_version,
            progress=not args.no_progress,
        )
    except ModelError as exc:
        print(f"error: cannot load the model: {exc}", file=sys.stderr)
        return 1
    except AnalyzerBroken as exc:
        print(
            f"error: {exc}: a bug or a model that does not fit the code, not bad input. "
            f"{args.output} keeps the work done; run the same command again once fixed",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"\ninterrupted: run the same command again to resume {args.output}", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    rate = stats.analysed / elapsed if elapsed else 0.0
    print(
        f"{stats.analysed} analysed, {stats.errors} errors, {stats.failed} failed, "
        f"{stats.skipped} already in {args.output}; {elapsed:.1f} s, {rate:.1f} articles/s",
        file=sys.stderr,
    )
    if stats.kept_failures:
        print(
            f"{stats.kept_failures} articles keep the error records an earlier run wrote for "
            f"them in {args.output}; delete those lines and run again to analyse them anew",
            file=sys.stderr,
        )
    if stats.failed:
        print(
            f"error: the analyzer failed on {stats.failed} articles (error code internal)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
