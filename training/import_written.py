"""Turn written sentences and their labels into ``training/labels/written.jsonl``.

python -m training.import_written RAW.jsonl [RAW.jsonl ...] [--out training/labels/written.jsonl]
python -m training.import_written --append RAW.jsonl [RAW.jsonl ...]   # a new batch after the rest

Each RAW file holds one written sentence a line: text, claim, hedge, types, and cues as
verbatim text (``training/labels/README.md``). The checks are ``import_labels``'s: a cue
that cannot be found in its sentence, a label other than 0 or 1, an unknown type, a hedge
without a type, types without a hedge or a type without a cue is an error (one line naming
the file, the line and the id), not something to guess; and a claim needs a claim cue.
Cues are stored as offsets into the sentence; ids are given in file order (``w00000``...),
and each record names its file's stem as ``part``. With ``--append`` the records already in
``--out`` are kept as they are and the new ones follow, their ids going on from the last.
"""

from __future__ import annotations

import argparse

from service.cli import (
    RECORD_ERRORS,
    add_write_mode,
    command,
    input_file,
    output_file,
    refuse_dropping,
    refuse_empty,
)
from training.datasets import WRITTEN_LABELS, read_jsonl, records_held, write_jsonl
from training.import_labels import convert, record_error


def convert_written(row: dict, row_id: str, part: str) -> dict:
    """One committed record of a written sentence from its raw labels."""
    text = row["text"]
    if not text.strip() or text != text.strip():
        raise ValueError("empty text or text with outer spaces")
    pseudo = {"id": row_id, "text": text, "source": "", "start": 0, "end": len(text)}
    pseudo |= {"split": "train", "stratum": "written"}
    record = convert(pseudo, {**row, "id": row_id}, "first")
    keys = ("id", "claim", "hedge", "types", "cues")
    return {"part": part, "text": text, **{k: record[k] for k in keys}}


@command
def main(argv: list[str] | None = None) -> None:
    """Convert every RAW file, in the order given."""
    ap = argparse.ArgumentParser(
        prog="python -m training.import_written", description=__doc__.splitlines()[0]
    )
    ap.add_argument("raw", type=input_file, nargs="+", help="our writers' labeled files (JSONL)")
    ap.add_argument(
        "--out",
        type=output_file,
        default=WRITTEN_LABELS,
        help="the labels file to write (default: training/labels/written.jsonl)",
    )
    add_write_mode(ap)
    args = ap.parse_args(argv)
    held = records_held(args.out, required=args.append)
    out: list[dict] = list(held) if args.append else []
    seen = {record["text"] for record in out}
    kept = len(out)
    for raw in args.raw:
        for line, row in read_jsonl(raw):
            row_id = f"w{len(out):05d}"
            try:
                text = row["text"]
                record = convert_written(row, row_id, raw.stem)
            except RECORD_ERRORS as exc:
                raise record_error(raw, line, {"id": row_id}, exc) from None
            if text in seen:
                raise SystemExit(f"error: {raw}:{line}: the sentence {text[:60]!r} twice")
            seen.add(text)
            out.append(record)
    refuse_empty(out[kept:], args.out, "sentences in the files given")
    if not args.replace:
        # By text: a written record's id is only its place in the file.
        refuse_dropping([r["text"] for r in out], args.out, [str(r.get("text")) for r in held])
    write_jsonl(args.out, out)
    print(f"{len(out)} written sentences -> {args.out}")


if __name__ == "__main__":
    main()
