"""python -m bench.segment_bench: caveat's sentence splitter beside NLTK's English Punkt.

Three splitters score the case files and split 100,000 characters of Reuters-21578
prose. The case files (``--cases``, repeatable; by default all six of tests/data):

- segment_cases.jsonl: 120 boundary cases the Punkt parameters and rules were built with;
- segment_modern.jsonl: 250 passages in the manner of 2020s news, one hazard each, which
  the news rules of ``_NewsPunkt`` were written against;
- segment_holdout.jsonl: 60 news passages written blind to the splitter, used to write
  no rule until the parameters' version 6 (a development set for its rule);
- segment_holdout_abbrev.jsonl: 60 more, written blind too, heavy in abbreviations that end
  a sentence before a name or noun, or sit inside one before a name (a development set
  for version 6 too);
- segment_holdout_3.jsonl: 60 more written blind, 22 of them with several hazards at once,
  scored once (2026-11-28) when the other two blind sets had been seen;
- segment_holdout_4.jsonl: 60 more written blind, 45 of them an abbreviation that ends a
  sentence before a capitalised word or sits inside one before a capital, scored once
  before and once after the parameters' version 6 (2026-11-28), which was made without it.

The splitters:

- caveat: ``Segmenter`` with the shipped models/punkt-news.json;
- nltk-lines: NLTK's English Punkt (``PunktTokenizer("english")`` from the
  dev-only ../shared/data/nltk_data), applied line by line exactly as caveat
  applies Punkt (lines split, sentences stripped), so that only the Punkt
  parameters and caveat's refinements differ;
- nltk-plain: the same Punkt over the whole text, as most callers use it.

Scores: cases whose sentences all come out exactly right; boundary precision,
recall and F1, a boundary being the end offset of every sentence but a text's
last. Speed: sentences found per second of wall time, median of ``--repeats``
runs after a warm-up, on one core (CPU time is printed too: other work on the
machine moves wall time, hardly CPU time). The 100,000 characters are the first
Reuters bodies, as training.datasets cleans them (one paragraph a line, blank
lines between bodies); they are part of the segmenter's training text, which
does not matter for speed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bench  # noqa: F401  (pins thread pools before numpy loads)
from bench.common import ROOT, fmt, machine_header, median, table, timed_pairs
from service.cli import command, input_dir, input_file, positive_int
from training.datasets import DEFAULT_DATA_ROOT, iter_reuters, nltk_english_punkt

CASES_FILE = ROOT / "tests" / "data" / "segment_cases.jsonl"
#: The case files scored when ``--cases`` is not given.
CASE_FILES = (
    CASES_FILE,
    ROOT / "tests" / "data" / "segment_modern.jsonl",
    ROOT / "tests" / "data" / "segment_holdout.jsonl",
    ROOT / "tests" / "data" / "segment_holdout_abbrev.jsonl",
    ROOT / "tests" / "data" / "segment_holdout_3.jsonl",
    ROOT / "tests" / "data" / "segment_holdout_4.jsonl",
)
SPEED_CHARS = 100_000

Splitter = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class Score:
    """How one splitter did on the case file."""

    cases_right: int
    cases: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of predicted boundaries that are expected."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of expected boundaries that are predicted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def caveat_splitter() -> tuple[Splitter, float]:
    """caveat's Segmenter, and the seconds it took to load."""
    from service.analysis.segment import Segmenter, default_segmenter_path

    started = time.perf_counter()
    seg = Segmenter.load(default_segmenter_path())
    loaded = time.perf_counter() - started
    return (lambda text: [(s.start, s.end) for s in seg.split(text)]), loaded


def nltk_splitters(data_root: Path) -> tuple[Splitter, Splitter, float]:
    """NLTK's English Punkt per line and over the whole text, and its load seconds."""
    started = time.perf_counter()
    punkt = nltk_english_punkt(data_root)
    loaded = time.perf_counter() - started

    def per_line(text: str) -> list[tuple[int, int]]:
        out, pos = [], 0
        for line in text.splitlines(keepends=True):
            for start, end in punkt.span_tokenize(line):
                start, end = _stripped(line, start, end)
                if start < end:
                    out.append((pos + start, pos + end))
            pos += len(line)
        return out

    def plain(text: str) -> list[tuple[int, int]]:
        spans = (_stripped(text, s, e) for s, e in punkt.span_tokenize(text))
        return [(s, e) for s, e in spans if s < e]

    return per_line, plain, loaded


def load_cases(path: Path = CASES_FILE) -> list[dict]:
    """The case file: one {"text", "sentences", "note"} a line.

    A line that is not JSON, or not a case whose sentences are found in order in its
    text, is one line of error and exit 1.
    """
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"error: {path} line {number} is not JSON ({exc.msg})") from None
        if not _is_case(case):
            raise SystemExit(
                f"error: {path} line {number} is not a case: an object with a text, a note "
                "and the list of its sentences, each found in the text in order"
            )
        cases.append(case)
    return cases


def _is_case(case: object) -> bool:
    if not (
        isinstance(case, dict)
        and isinstance(case.get("text"), str)
        and isinstance(case.get("note"), str)
        and isinstance(case.get("sentences"), list)
        and all(isinstance(s, str) for s in case["sentences"])
    ):
        return False
    try:
        expected_ends(case)
    except ValueError:
        return False
    return True


def expected_ends(case: dict) -> list[int]:
    """End offsets of the expected sentences, found in order in the text."""
    ends, pos = [], 0
    for sentence in case["sentences"]:
        start = case["text"].index(sentence, pos)
        pos = start + len(sentence)
        ends.append(pos)
    return ends


def score(split: Splitter, cases: Sequence[dict]) -> tuple[Score, list[list[str]]]:
    """Score a splitter on the cases; also return its sentences for each case."""
    right = tp = fp = fn = 0
    outputs = []
    for case in cases:
        spans = split(case["text"])
        got = [case["text"][s:e] for s, e in spans]
        outputs.append(got)
        right += got == case["sentences"]
        gold = set(expected_ends(case)[:-1])
        predicted = {e for _, e in spans[:-1]}
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return Score(right, len(cases), tp, fp, fn), outputs


def reuters_prose(data_root: Path, chars: int = SPEED_CHARS) -> str:
    """The first ``chars`` characters of Reuters bodies, cut at a line end."""
    parts, total = [], 0
    for doc in iter_reuters(data_root):
        parts.append(doc.text)
        total += len(doc.text) + 2
        if total >= chars:
            break
    text = "\n\n".join(parts)[:chars]
    return text[: text.rfind("\n")] if "\n" in text else text


def _verdict(got: list[str], case: dict) -> str:
    return "right" if got == case["sentences"] else "WRONG"


@command
def main(argv: list[str] | None = None) -> None:
    """Print the machine, the case-file scores, the speed table and where the splitters differ."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="corpora root")
    ap.add_argument(
        "--cases",
        type=input_file,
        action="append",
        help="a case file (repeat for more; default: the six files of tests/data)",
    )
    ap.add_argument("--repeats", type=positive_int, default=5)
    args = ap.parse_args(argv)

    ours, ours_load = caveat_splitter()
    per_line, plain, nltk_load = nltk_splitters(args.data)
    splitters = {
        "caveat": (ours, ours_load),
        "nltk-lines": (per_line, nltk_load),
        "nltk-plain": (plain, nltk_load),
    }
    files = args.cases or list(CASE_FILES)
    case_sets = {path: load_cases(path) for path in files}
    prose = reuters_prose(args.data)

    print(machine_header("Sentence splitting: caveat vs NLTK English Punkt"))
    differ = []
    for path, cases in case_sets.items():
        print(f"\ncases: {path} ({len(cases)})\n")
        rows, outputs, scores = [], {}, {}
        for name, (split, _) in splitters.items():
            result, outputs[name] = score(split, cases)
            scores[name] = result
            rows.append(
                [
                    name,
                    f"{result.cases_right}/{result.cases}",
                    fmt(result.precision, 4),
                    fmt(result.recall, 4),
                    fmt(result.f1, 4),
                ]
            )
        print(table(["splitter", "cases right", "precision", "recall", "F1"], rows))
        ours_score, theirs = scores["caveat"], scores["nltk-lines"]
        ok = ours_score.cases_right >= theirs.cases_right and ours_score.f1 >= theirs.f1
        print(f"\ncaveat scores at least as well as NLTK per line: {'yes' if ok else 'NO'}")
        differ += [
            (path, case, [outputs[n][k] for n in ("caveat", "nltk-lines")])
            for k, case in enumerate(cases)
            if outputs["caveat"][k] != outputs["nltk-lines"][k]
        ]

    print(
        f"\nspeed: {len(prose):,} characters of Reuters-21578 bodies, median of "
        f"{args.repeats} runs after a warm-up\n"
    )
    rows = []
    for name, (split, load_seconds) in splitters.items():
        wall, cpu = timed_pairs(lambda split=split: split(prose), args.repeats)
        found = len(split(prose))
        rows.append(
            [
                name,
                f"{found:,}",
                fmt(found / median(wall)),
                fmt(1000 * median(wall)),
                fmt(1000 * median(cpu)),
                fmt(1000 * load_seconds),
            ]
        )
    headers = ["splitter", "sentences", "sentences/s", "ms wall", "ms CPU", "load ms"]
    print(table(headers, rows))

    print("\n## Cases where caveat and nltk-lines differ (expected / caveat / nltk-lines)\n")
    for path, case, (ours_got, theirs_got) in differ:
        verdicts = [_verdict(got, case) for got in (ours_got, theirs_got)]
        print(f"- {path.name}, {case['note']}: caveat {verdicts[0]}, nltk {verdicts[1]}")
        print(f"    expected: {case['sentences']}")
        print(f"    caveat:   {ours_got}")
        print(f"    nltk:     {theirs_got}")


if __name__ == "__main__":
    main()
