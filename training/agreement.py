"""python -m training.agreement: Cohen's kappa between the first and the second labeling pass.

The second pass (``labels/news-second.jsonl``) relabeled a random 400 of the
first pass's sentences without seeing the first pass's labels. ``--first`` and ``--second``
compare any two passes: records are matched by ``id``, or by ``text`` where they have no id
(a probe set and its second pass: ``probes/guideline-heldout-6.second-pass.jsonl``). Each
record is checked as the loaders check it (``datasets.read_sentence_labels``: labels 0/1, known
types, each record once); a bad one is one line of error naming file, line and id.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Hashable, Sequence
from pathlib import Path

from service.analysis.types import HEDGE_TYPES
from service.cli import command, input_file, require_records
from training.datasets import NEWS_LABELS, read_sentence_labels

SECOND_PASS = NEWS_LABELS.parent / "news-second.jsonl"


class UnmatchedRecords(ValueError):
    """A record of the second pass has no record in the first to compare it with."""


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two label sequences over any set of labels: 0/1 flags or the balance
    labels (1.0 when chance agreement is already total: both constant and equal)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(v) / n) * (b.count(v) / n) for v in set(a) | set(b))
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _key(record: dict) -> str:
    """What matches a record with its other pass: its id, or its text where it has none."""
    return record["id"] if "id" in record else record["text"]


def agreement(first: Path = NEWS_LABELS, second: Path = SECOND_PASS) -> dict:
    """Kappa and raw agreement per label and per hedge type on the doubly labeled sentences."""
    one = {_key(r): r for _, r in read_sentence_labels(first)}
    two = [r for _, r in read_sentence_labels(second)]
    unmatched = [_key(r) for r in two if _key(r) not in one]
    if unmatched:
        raise UnmatchedRecords(
            f"{len(unmatched)} of the {len(two)} records of {second} are not in {first} "
            f"(the first: {str(unmatched[0])[:60]!r}); compare two passes over the same records"
        )
    out = {"sentences": len(two)}
    columns = {"claim": lambda r: r["claim"], "hedge": lambda r: r["hedge"]}
    columns |= {f"type:{t}": (lambda r, t=t: int(t in r["types"])) for t in HEDGE_TYPES}
    for name, get in columns.items():
        a = [get(one[_key(r)]) for r in two]
        b = [get(r) for r in two]
        out[name] = {
            "kappa": round(cohen_kappa(a, b), 3),
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(a), 3),
            "positives": [sum(a), sum(b)],
        }
    return out


@command
def main(argv: list[str] | None = None) -> None:
    """Print the agreement as JSON."""
    ap = argparse.ArgumentParser(
        prog="python -m training.agreement", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--first",
        type=input_file,
        default=NEWS_LABELS,
        help="the first pass (JSON Lines; default: our news labels, training/labels/news.jsonl)",
    )
    ap.add_argument(
        "--second",
        type=input_file,
        default=SECOND_PASS,
        help="the second pass, matched to the first by id (or by text where records have no "
        "id); default: training/labels/news-second.jsonl",
    )
    args = ap.parse_args(argv)
    for path in (args.first, args.second):
        require_records(path)
    try:
        result = agreement(args.first, args.second)
    except UnmatchedRecords as exc:
        raise SystemExit(f"error: {exc}") from None
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
