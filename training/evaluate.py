"""python -m training.evaluate --data PATH --format conll2010|jsonl: score the shipped model.

Prints precision, recall and F1 for each label the data annotates, as JSON.
``--report`` instead prints the full evaluation (see ``training.report``); with ``--out
FILE.json`` it writes it there as JSON, and its tables as Markdown to ``FILE.md``.

- ``jsonl``: one object a line with ``text`` and ``claim`` and/or ``hedge`` (0/1), and
  optionally a hedge's ``types`` (LABELING.md's): then the hedge types are scored too, on
  the hedges the model flags (the reported set equal to the gold set; the likeliest type
  one of them), as ``training.report`` scores them on our news test split;
- ``conll2010``: the CoNLL-2010 / Szeged XML (``<Sentence>`` elements; a sentence is
  uncertain iff it holds a ``<cue>`` or ``<ccue>``): scores ``hedge``.

Sentences are scored as given, one at a time, with the committed model's
thresholds: the same path as the service. A file it cannot read exits with status 2 and a
one-line JSON error naming the line.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from service.analysis.cues import find_cues
from service.analysis.model import MODELS_DIR, load_model
from service.analysis.types import HEDGE_TYPES
from service.cli import command, input_dir, output_file
from training.metrics import expected_calibration_error, label_metrics


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL file with ``text`` and optional ``claim`` / ``hedge`` / ``types``."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{n}: no text")
            for label in ("claim", "hedge"):
                if label in row and row[label] not in (0, 1):  # True and False are 1 and 0
                    raise ValueError(f"{path}:{n}: {label} must be 0 or 1")
            if "types" in row:
                types = row["types"]
                if not isinstance(types, list) or not all(t in HEDGE_TYPES for t in types):
                    raise ValueError(
                        f"{path}:{n}: types must be a list of {', '.join(HEDGE_TYPES)}"
                    )
                if "hedge" not in row or bool(types) != bool(row["hedge"]):
                    raise ValueError(f"{path}:{n}: a hedge needs its types, and types a hedge")
            rows.append(row)
    return rows


def read_conll2010(path: Path) -> list[dict]:
    """Sentences of a CoNLL-2010 / Szeged XML file, hedge = holds a cue."""
    rows = []
    for sentence in ET.parse(path).getroot().iter("Sentence"):
        text = "".join(sentence.itertext())
        if text.strip():
            has_cue = any(el.tag in ("cue", "ccue") for el in sentence.iter())
            rows.append({"text": text, "hedge": int(has_cue)})
    return rows


def score(rows: list[dict], models_dir: Path = MODELS_DIR) -> dict:
    """Metrics of the committed model on ``rows`` for each label they carry."""
    model = load_model(models_dir)
    texts = [r["text"] for r in rows]
    proba = model.predict(texts, [find_cues(t) for t in texts]).proba
    out = {"model": model.card["version"], "n": len(rows)}
    for j, label in enumerate(("claim", "hedge")):
        have = np.array([label in r for r in rows])
        if have.any():
            y = np.array([int(r[label]) for r in rows if label in r])
            p = proba[have, j]
            out[label] = label_metrics(y, p, model.thresholds[label])
            out[label]["ece"] = round(expected_calibration_error(y, p), 4)
    typed = [r for r in rows if "types" in r]
    if typed:
        from training.report import Caveat, hedge_type_accuracy

        sentences = [
            SimpleNamespace(text=r["text"], hedge=r["hedge"], types=r["types"]) for r in typed
        ]
        out["hedge_types"] = hedge_type_accuracy(sentences, Caveat(model=model))
    return out


@command
def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--format", choices=("conll2010", "jsonl"))
    ap.add_argument("--models", type=input_dir, default=MODELS_DIR)
    ap.add_argument(
        "--report",
        action="store_true",
        help="the full report: baselines and caveat on every held-out set",
    )
    ap.add_argument(
        "--out",
        type=output_file,
        help="with --report: write the JSON here, its tables beside it (.md)",
    )
    args = ap.parse_args(argv)
    if args.report and (args.data or args.format):
        ap.error("--data and --format do not go with --report (it scores the held-out sets)")
    if args.out and not args.report:
        ap.error("--out goes with --report (the scores of --data are printed)")
    if args.out and args.out.suffix == ".md":
        ap.error(f"--out {args.out}: give the JSON file; its tables are written beside it (.md)")
    if args.out and args.out.with_suffix(".md").is_dir():
        ap.error(f"--out {args.out}: {args.out.with_suffix('.md')} is a folder")
    if args.report:
        from training.report import build_report, table

        report = build_report(models_dir=args.models)
        text = table(report)
        if args.out:
            args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
        print(text)
        return 0
    if not (args.data and args.format):
        ap.error("--data and --format are required (or use --report)")
    try:
        rows = read_jsonl(args.data) if args.format == "jsonl" else read_conll2010(args.data)
    except (OSError, ValueError, ET.ParseError) as exc:  # ValueError: bad lines, bad UTF-8
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return 2
    if not rows:
        print(json.dumps({"error": "no sentences in the data"}), file=sys.stderr)
        return 2
    print(json.dumps(score(rows, args.models), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
