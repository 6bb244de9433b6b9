"""python -m training.evaluate --data PATH --format conll2010|jsonl: score the shipped model.

Prints, as JSON, for each label the data annotates: ``precision``, ``recall``, ``f1``,
``support`` (the sentences labeled 1), ``n`` (the sentences that carry the label) and
``ece`` (expected calibration error, 10 bins). A ratio with nothing to count is null: with
no positive in the data, recall and F1 are undefined; with no sentence flagged, precision.
``--report`` instead prints the full evaluation (see ``training.report``); with ``--out
FILE.json`` it writes it there as JSON, and its tables as Markdown to ``FILE.md``.

- ``jsonl``: one object a line with a non-blank ``text`` and ``claim`` and/or ``hedge``
  (0 or 1; false or true), and optionally ``types``, the list of a hedge's types
  (LABELING.md's: uncertainty, limitation, condition, contrast, attribution; [] for no
  hedge). With types, ``hedge_types`` scores them on the gold hedges that carry types and
  that the model flags (the reported set equal to the gold set; the likeliest type one of
  them), as ``training.report`` scores them on our news test split. Other fields are
  ignored; a UTF-8 byte order mark is allowed.
- ``conll2010``: the CoNLL-2010 shared task's XML, and the Szeged corpus's (``sentence``
  or ``Sentence`` elements): a sentence is uncertain by its ``certainty`` attribute when
  it has one, else when it holds a ``cue`` or ``ccue`` that is not a negation cue
  (BioScope's ``type="negation"``). Scores ``hedge``. Empty sentences are skipped, and
  counted on stderr.

Sentences are scored as given, one at a time, with the committed model's thresholds: the
same path as the service. A file without a sentence, or without any label, or that cannot
be read, exits with status 1 and a one-line JSON error naming the file (and the line).
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
from service.cli import command, input_dir, input_file, output_file
from training.datasets import DEFAULT_DATA_ROOT, require_corpora
from training.metrics import expected_calibration_error, label_metrics


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL file with ``text`` and optional ``claim`` / ``hedge`` / ``types``."""
    rows = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}:{n}: not UTF-8 (byte {exc.start} of the line)") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{n}: no text")
            if not row["text"].strip():
                raise ValueError(f"{path}:{n}: the text is blank")
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


def read_conll2010(path: Path) -> tuple[list[dict], int]:
    """Sentences of a CoNLL-2010 / Szeged XML file (hedge: its ``certainty``, else a cue that
    is no negation cue), and how many empty sentences were skipped."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(
            f"{path}: not XML ({exc}); --format conll2010 reads the CoNLL-2010 / Szeged XML"
        ) from None
    rows, empty = [], 0
    for sentence in root.iter():
        if not isinstance(sentence.tag, str) or sentence.tag.lower() != "sentence":
            continue
        text = "".join(sentence.itertext())
        if not text.strip():
            empty += 1
            continue
        certainty = sentence.get("certainty")
        if certainty in ("certain", "uncertain"):
            hedge = certainty == "uncertain"
        else:
            hedge = any(
                el.tag in ("cue", "ccue") and el.get("type") != "negation" for el in sentence.iter()
            )
        rows.append({"text": text, "hedge": int(hedge)})
    return rows, empty


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
            metrics = label_metrics(y, p, model.thresholds[label])
            if not metrics["support"]:  # no positive: recall and F1 have nothing to count
                metrics["recall"] = metrics["f1"] = None
            if not (p >= model.thresholds[label]).any():  # nothing flagged: no precision
                metrics["precision"] = None
            out[label] = metrics
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
    ap = argparse.ArgumentParser(
        prog="python -m training.evaluate", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--data",
        type=input_file,
        help="a labeled file: JSON Lines of {text, claim?, hedge?, types?}, or CoNLL-2010 XML",
    )
    ap.add_argument(
        "--format",
        choices=("conll2010", "jsonl"),
        help="jsonl, or conll2010 (the CoNLL-2010 / Szeged XML; scores hedge only)",
    )
    ap.add_argument(
        "--models", type=input_dir, default=MODELS_DIR, help="the models folder (default: ours)"
    )
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
        from training.report import REPORT_CORPORA, build_report, table

        require_corpora(DEFAULT_DATA_ROOT, *REPORT_CORPORA)
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
        if args.format == "jsonl":
            rows, empty = read_jsonl(args.data), 0
        else:
            rows, empty = read_conll2010(args.data)
    except (OSError, ValueError) as exc:  # ValueError: bad lines, bad UTF-8, not XML
        return _error(str(exc))
    if not rows:
        return _error(f"{args.data}: no sentences in the data")
    if not any(label in r for r in rows for label in ("claim", "hedge")):
        return _error(f"{args.data}: no sentence has a claim or hedge label to score")
    if empty:
        print(f"{args.data}: {empty} empty sentences skipped", file=sys.stderr)
    for label in ("claim", "hedge"):
        labeled = sum(label in r for r in rows)
        if 0 < labeled < len(rows):
            print(
                f"{args.data}: {label} is scored on the {labeled} of {len(rows)} sentences "
                "that carry it",
                file=sys.stderr,
            )
    print(json.dumps(score(rows, args.models), indent=2))
    return 0


def _error(message: str) -> int:
    """A one-line JSON error on stderr, and exit status 1."""
    print(json.dumps({"error": message}), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
