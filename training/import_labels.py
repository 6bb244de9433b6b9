"""Turn annotators' label files into the committed label set: source + offsets + labels, no text.

python -m training.import_labels POOL_DIR RAW_DIR [--out training/labels/news.jsonl]
python -m training.import_labels POOL_DIR RAW_DIR --glob 'boundary-*.labels.jsonl' --append

POOL_DIR holds the chunks written by ``training.news_pool``; RAW_DIR the
annotators' ``chunk-NN.labels.jsonl`` (one line per pool line: id, claim,
hedge, types, cues as verbatim text). Each cue's text is located in its
sentence and stored as document offsets; a cue that cannot be found, a hedge
without a type or a type without a cue is an error, not something to guess. With
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
    command,
    input_dir,
    output_file,
    record_problem,
    refuse_empty,
)

NEWS_LABELS = Path(__file__).resolve().parent / "labels" / "news.jsonl"


def _locate(text: str, cue: str, taken: list[tuple[int, int]]) -> tuple[int, int]:
    start = text.find(cue)
    while start >= 0:
        span = (start, start + len(cue))
        if span not in taken:
            return span
        start = text.find(cue, start + 1)
    raise ValueError(f"cue {cue!r} not in sentence")


def convert(pool_row: dict, labels: dict, pass_name: str) -> dict:
    """One committed record from a pool row and its annotator labels."""
    if labels["id"] != pool_row["id"]:
        raise ValueError(f"id mismatch {labels['id']} != {pool_row['id']}")
    text = pool_row["text"]
    claim, hedge = int(labels["claim"]), int(labels["hedge"])
    types = [t for t in HEDGE_TYPES if t in labels.get("types", [])]
    if bool(hedge) != bool(types):
        raise ValueError(f"{labels['id']}: hedge={hedge} but types={types}")
    cues, taken = [], []
    for cue in labels.get("cues", []):
        if cue["label"] not in ("claim", "hedge") or (
            cue["label"] == "hedge" and cue["type"] not in HEDGE_TYPES
        ):
            raise ValueError(f"{labels['id']}: bad cue {cue}")
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


@command
def main(argv: list[str] | None = None) -> None:
    """Convert every labeled chunk found in RAW_DIR."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool", type=input_dir)
    ap.add_argument("raw", type=input_dir)
    ap.add_argument("--glob", default="chunk-*.labels.jsonl")
    ap.add_argument("--pass-name", default="first")
    ap.add_argument("--out", type=output_file, default=NEWS_LABELS)
    ap.add_argument("--append", action="store_true", help="keep --out's records, add to them")
    args = ap.parse_args(argv)
    kept = []
    if args.append:
        with open(args.out, encoding="utf-8") as fh:
            kept = [json.loads(line) for line in fh if line.strip()]
    out = []
    for raw in sorted(args.raw.glob(args.glob)):
        chunk = raw.name.split(".")[0]
        with open(args.pool / f"{chunk}.jsonl", encoding="utf-8") as fh:
            pool = [json.loads(x) for x in fh]
        with open(raw, encoding="utf-8") as fh:
            labels = [json.loads(x) for x in fh if x.strip()]
        if len(labels) != len(pool):
            print(f"skip {raw.name}: {len(labels)} labels for {len(pool)} sentences (unfinished)")
            continue
        try:
            out.extend(convert(p, lab, args.pass_name) for p, lab in zip(pool, labels, strict=True))
        except RECORD_ERRORS as exc:
            raise SystemExit(f"error: {raw.name}: {record_problem(exc)}") from None
    # No chunk matched, or none was finished: writing would empty --out (news.jsonl by default).
    refuse_empty(out, args.out, f"finished chunks matching {args.glob} in {args.raw}, so no labels")
    twice = {r["id"] for r in kept} & {r["id"] for r in out}
    if twice:
        raise SystemExit(f"ids already in {args.out}: {', '.join(sorted(twice)[:5])}")
    out = sorted(kept + out, key=lambda r: r["id"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"{len(out)} labeled sentences -> {args.out}")


if __name__ == "__main__":
    main()
