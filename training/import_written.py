"""Turn written sentences and their labels into ``training/labels/written.jsonl``.

python -m training.import_written RAW.jsonl [RAW.jsonl ...] [--out training/labels/written.jsonl]
python -m training.import_written --append RAW.jsonl [RAW.jsonl ...]   # a new batch after the rest

Each RAW file holds one written sentence a line: text, claim, hedge, types, and cues as
verbatim text (``training/labels/README.md``). The checks are ``import_labels``'s: a cue
that cannot be found in its sentence, a hedge without a type or a type without a hedge is an
error, not something to guess. Cues are stored as offsets into the sentence; ids are given
in file order (``w00000``...), and each record names its file's stem as ``part``. With
``--append`` the records already in ``--out`` are kept as they are and the new ones follow, their
ids going on from the last.
"""

from __future__ import annotations

import argparse
import json

from service.cli import (
    RECORD_ERRORS,
    command,
    input_file,
    output_file,
    record_problem,
    refuse_empty,
)
from training.datasets import WRITTEN_LABELS, write_jsonl
from training.import_labels import convert


def convert_written(row: dict, row_id: str, part: str) -> dict:
    """One committed record of a written sentence from its raw labels."""
    text = row["text"]
    if not text.strip() or text != text.strip():
        raise ValueError(f"{row_id}: empty text or text with outer spaces")
    pseudo = {"id": row_id, "text": text, "source": "", "start": 0, "end": len(text)}
    pseudo |= {"split": "train", "stratum": "written"}
    record = convert(pseudo, {**row, "id": row_id}, "first")
    claims = [c for c in record["cues"] if c["label"] == "claim"]
    if record["claim"] != bool(claims):
        raise ValueError(f"{row_id}: claim={record['claim']} with {len(claims)} claim cues")
    cued = {c["type"] for c in record["cues"] if c["label"] == "hedge"}
    if not set(record["types"]) <= cued:
        raise ValueError(f"{row_id}: types {record['types']} without a cue of each")
    keys = ("id", "claim", "hedge", "types", "cues")
    return {"part": part, "text": text, **{k: record[k] for k in keys}}


@command
def main(argv: list[str] | None = None) -> None:
    """Convert every RAW file, in the order given."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", type=input_file, nargs="+")
    ap.add_argument("--out", type=output_file, default=WRITTEN_LABELS)
    ap.add_argument("--append", action="store_true", help="keep --out's records, add after them")
    args = ap.parse_args(argv)
    out: list[dict] = []
    if args.append:
        with open(args.out, encoding="utf-8") as fh:
            out = [json.loads(line) for line in fh if line.strip()]
    seen = {record["text"] for record in out}
    kept = len(out)
    for raw in args.raw:
        with open(raw, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        for row in rows:
            try:
                text = row["text"]
                record = convert_written(row, f"w{len(out):05d}", raw.stem)
            except RECORD_ERRORS as exc:
                raise SystemExit(f"error: {raw.name}: {record_problem(exc)}") from None
            if text in seen:
                raise SystemExit(f"error: {raw.name}: the sentence {text[:60]!r} twice")
            seen.add(text)
            out.append(record)
    refuse_empty(out[kept:], args.out, "sentences in the files given")
    write_jsonl(args.out, out)
    print(f"{len(out)} written sentences -> {args.out}")


if __name__ == "__main__":
    main()
