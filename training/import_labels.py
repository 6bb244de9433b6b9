"""Turn annotators' label files into the committed label set: source + offsets + labels, no text.

python -m training.import_labels POOL_DIR RAW_DIR [--out training/labels/news.jsonl]
python -m training.import_labels POOL_DIR RAW_DIR --glob 'boundary-*.labels.jsonl' --append

POOL_DIR holds the chunks written by ``training.news_pool``; RAW_DIR the
annotators' ``chunk-NN.labels.jsonl`` (one line per pool line: id, claim,
hedge, types, cues as verbatim text). Each cue's text is located in its
sentence and stored as document offsets; a cue that cannot be found, a label other than 0
or 1, an unknown type, a hedge without a type, types without a hedge, a type without a
cue, or a claim without a claim cue (or a claim cue in a sentence that is no claim) is an
error (one line naming the file, the line and the id), not something to guess. With
``--append`` the records already in ``--out`` are kept as they are (their raw files need not
exist any more) and the new ones join them; an id in both is an error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from service.analysis.types import HEDGE_TYPES
from service.cli import (
    RECORD_ERRORS,
    add_write_mode,
    command,
    input_dir,
    output_file,
    record_problem,
    refuse_dropping,
    refuse_empty,
)
from training.datasets import PASSES, read_jsonl, records_held

NEWS_LABELS = Path(__file__).resolve().parent / "labels" / "news.jsonl"


def _locate(text: str, cue: str, taken: list[tuple[int, int]]) -> tuple[int, int]:
    start = text.find(cue)
    while start >= 0:
        span = (start, start + len(cue))
        if span not in taken:
            return span
        start = text.find(cue, start + 1)
    raise ValueError(f"cue {cue!r} not in sentence")


def _flag(labels: dict, key: str) -> int:
    """A 0/1 label (as a number: ``true``, ``"1"`` or 7 is an error)."""
    value = labels[key]
    if isinstance(value, (bool, str)) or value not in (0, 1):
        raise ValueError(f"{key} is {value!r}, not 0 or 1")
    return int(value)


def convert(pool_row: dict, labels: dict, pass_name: str) -> dict:
    """One committed record from a pool row and its annotator labels; a ValueError says what is
    wrong with them (the caller names the file, line and id)."""
    if labels["id"] != pool_row["id"]:
        raise ValueError(f"id mismatch {labels['id']} != {pool_row['id']}")
    text = pool_row["text"]
    claim, hedge = _flag(labels, "claim"), _flag(labels, "hedge")
    given = labels.get("types", [])
    if not isinstance(given, list):
        raise ValueError(f"types is {given!r}, not a list")
    unknown = [t for t in given if t not in HEDGE_TYPES]
    if unknown:
        raise ValueError(f"unknown hedge type {unknown[0]!r} (known: {', '.join(HEDGE_TYPES)})")
    types = [t for t in HEDGE_TYPES if t in given]
    if bool(hedge) != bool(types):
        raise ValueError(f"hedge={hedge} but types={types}")
    cues, taken = [], []
    for cue in labels.get("cues", []):
        if cue["label"] not in ("claim", "hedge") or (
            cue["label"] == "hedge" and cue["type"] not in HEDGE_TYPES
        ):
            raise ValueError(f"bad cue {cue}")
        a, b = _locate(text, cue["text"], taken)
        taken.append((a, b))
        cues.append(
            {
                "start": pool_row["start"] + a,
                "end": pool_row["start"] + b,
                "label": cue["label"],
                "type": cue["type"] if cue["label"] == "hedge" else None,
            }
        )
    cued = {c["type"] for c in cues if c["label"] == "hedge"}
    uncued = [t for t in types if t not in cued]
    if uncued:
        raise ValueError(f"type {uncued[0]!r} without a cue of that type")
    claim_cues = sum(c["label"] == "claim" for c in cues)
    if bool(claim) != bool(claim_cues):  # the words that boost a claim are marked
        raise ValueError(f"claim={claim} with {claim_cues} claim cue(s)")
    return {
        "id": pool_row["id"],
        "source": pool_row["source"],
        "start": pool_row["start"],
        "end": pool_row["end"],
        "sha1": hashlib.sha1(text.encode()).hexdigest(),
        "split": pool_row["split"],
        "stratum": pool_row["stratum"],
        "pass": pass_name,
        "claim": claim,
        "hedge": hedge,
        "types": types,
        "cues": sorted(cues, key=lambda c: (c["start"], c["end"])),
    }


def record_error(path: Path, line: int, record: object, exc: Exception) -> SystemExit:
    """One line of error for the raw record on ``line`` of ``path``: ``FILE:LINE: problem
    (id X)``."""
    rid = record.get("id") if isinstance(record, dict) else None
    where = f" (id {rid})" if isinstance(rid, str) else ""
    return SystemExit(f"error: {path}:{line}: {record_problem(exc)}{where}")


@command
def main(argv: list[str] | None = None) -> None:
    """Convert every labeled chunk found in RAW_DIR."""
    ap = argparse.ArgumentParser(
        prog="python -m training.import_labels", description=__doc__.splitlines()[0]
    )
    ap.add_argument("pool", type=input_dir, help="the folder of chunks training.news_pool wrote")
    ap.add_argument("raw", type=input_dir, help="the folder of the annotators' label files")
    ap.add_argument(
        "--glob",
        default="chunk-*.labels.jsonl",
        help="which files of RAW to read (default: %(default)s)",
    )
    ap.add_argument(
        "--pass-name",
        default="first",
        choices=PASSES,
        help="which labeling pass these files are (default: first)",
    )
    ap.add_argument(
        "--out",
        type=output_file,
        default=NEWS_LABELS,
        help="the labels file to write (default: training/labels/news.jsonl)",
    )
    add_write_mode(ap)
    args = ap.parse_args(argv)
    held = records_held(args.out, required=args.append)
    kept = held if args.append else []
    out = []
    for raw in sorted(args.raw.glob(args.glob)):
        chunk = raw.name.split(".")[0]
        pool = [r for _, r in read_jsonl(args.pool / f"{chunk}.jsonl")]
        labels = read_jsonl(raw)
        if len(labels) != len(pool):
            print(f"skip {raw.name}: {len(labels)} labels for {len(pool)} sentences (unfinished)")
            continue
        for p, (line, lab) in zip(pool, labels, strict=True):
            try:
                out.append(convert(p, lab, args.pass_name))
            except RECORD_ERRORS as exc:
                raise record_error(raw, line, lab, exc) from None
    # No chunk matched, or none was finished: writing would empty --out (news.jsonl by default).
    refuse_empty(out, args.out, f"finished chunks matching {args.glob} in {args.raw}, so no labels")
    twice = {r["id"] for r in kept} & {r["id"] for r in out}
    if twice:
        raise SystemExit(f"ids already in {args.out}: {', '.join(sorted(twice)[:5])}")
    out = sorted(kept + out, key=lambda r: r["id"])
    if not args.replace:
        refuse_dropping([r["id"] for r in out], args.out, [r["id"] for r in held])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"{len(out)} labeled sentences -> {args.out}")


if __name__ == "__main__":
    main()
