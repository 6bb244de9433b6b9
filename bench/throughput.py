"""python -m bench.throughput: in-process analyze() by article length, against the floor, one core.

Inputs are fixed: articles of whole Reuters-21578 prose sentences, built from the
start of the corpus to each target length (see ``bench.common.build_articles``).
For each length, caveat's ``Analyzer.analyze`` and the floor (``bench.common.Floor``:
Punkt split + hashed word 1-2-grams + logistic regression, fitted beforehand on
the news train sentences) process the same articles in alternating timed passes
after one untimed warm-up pass each; the table shows the median pass.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.common import (
    Floor,
    build_articles,
    digest,
    fmt,
    load_segmenter,
    machine_header,
    median,
    news_sentences,
    reuters_stream,
    spread,
    table,
    timed_pairs,
    verdict,
)
from service.cli import command, positive_int

#: (label, target, unit, articles per pass): 30k to 300k characters a pass.
LENGTHS = (
    ("100 chars", 100, "chars", 300),
    ("400 chars", 400, "chars", 250),
    ("1,500 chars", 1_500, "chars", 100),
    ("400 words", 400, "words", 60),
    ("10,000 chars", 10_000, "chars", 15),
    ("100,000 chars", 100_000, "chars", 3),
)
#: The issue's targets.
TARGET_RATIO_400_WORDS = 0.7
TARGET_SECONDS_100K = 1.0


@command
def main(argv: list[str] | None = None) -> None:
    """Build the inputs, time caveat and the floor on each length, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=5,
                    help="timed passes per length (default 5)")
    args = ap.parse_args(argv)

    from service.analysis.analyzer import Analyzer
    from service.analysis.model import load_model

    print(machine_header("bench.throughput: analyze() by article length vs the floor, one core"))
    analyzer = Analyzer(load_model())
    print(f"model: caveat {analyzer.model.info.version}")
    segmenter = load_segmenter()
    floor = Floor(segmenter).fit(news_sentences("train"))
    stream = reuters_stream(segmenter)

    rows, cpu_rows = [], []
    seconds: dict[str, dict[str, tuple[float, float]]] = {"wall": {}, "cpu": {}}
    for label, target, unit, count in LENGTHS:
        articles = build_articles(stream, target, count, unit)
        n, n_chars = len(articles), sum(len(a) for a in articles)
        n_sent = sum(len(analyzer.analyze(a).sentences) for a in articles)
        n_sent_floor = sum(len(floor.classify(a)) for a in articles)
        if n_sent_floor != n_sent:
            print(f"  note: {label}: caveat saw {n_sent} sentences, the floor {n_sent_floor}")

        def run_caveat(articles: list[str] = articles) -> None:
            for a in articles:
                analyzer.analyze(a)

        def run_floor(articles: list[str] = articles) -> None:
            for a in articles:
                floor.classify(a)

        run_caveat()  # warm-up
        run_floor()
        times = {"caveat": ([], []), "floor": ([], [])}
        for _ in range(args.repeats):  # alternate, so load changes hit both alike
            for who, fn in (("caveat", run_caveat), ("floor", run_floor)):
                wall, cpu = timed_pairs(fn, 1, warmup=0)
                times[who][0].extend(wall)
                times[who][1].extend(cpu)
        for k, clock in enumerate(("wall", "cpu")):
            c, f = median(times["caveat"][k]), median(times["floor"][k])
            seconds[clock][label] = (c / n, f / n)
            (rows if clock == "wall" else cpu_rows).append([
                label, n, fmt(n_chars / n, 4), fmt(n_sent / n, 3),
                *([digest(articles)] if clock == "wall" else []),
                fmt(n / c), fmt(n_sent / c), fmt(1000 * c / n), fmt(n / f), fmt(n_sent_floor / f),
                f"{f / c:.2f}×", fmt(1000 * c / n_chars), fmt(1000 * f / n_chars),
                f"{spread(times['caveat'][k])} / {spread(times['floor'][k])}",
            ])
        cpu_rows[-1].append(f"{100 * sum(times['caveat'][1]) / sum(times['caveat'][0]):.0f}%")
        print(f"  done: {label}", flush=True)

    cols = ["caveat art/s", "caveat sent/s", "caveat ms/art", "floor art/s", "floor sent/s",
            "caveat/floor", "caveat s/1k chars", "floor s/1k chars", "spread caveat/floor"]
    print()
    print(f"WALL CLOCK: medians of {args.repeats} timed passes (after 1 warm-up pass); "
          "art/s = articles per second, sent/s = sentences per second")
    print(table(["length", "articles", "chars/art", "sent/art", "inputs sha256", *cols], rows))
    print()
    print("CPU TIME of this process over the same passes (what the work costs on one core, "
          "whatever else runs); CPU/wall < 100% means other processes took the core")
    print(table(["length", "articles", "chars/art", "sent/art", *cols, "caveat CPU/wall"],
                cpu_rows))
    for clock in ("wall", "cpu"):
        _linearity(clock, seconds[clock], rows)
    print()
    print("targets (issue 5):")
    for clock in ("wall", "cpu"):
        ratio = seconds[clock]["400 words"][1] / seconds[clock]["400 words"][0]
        t100k = seconds[clock]["100,000 chars"][0]
        print(f"- [{clock}] caveat ≥ {TARGET_RATIO_400_WORDS}× the floor's articles/s on 400-word "
              f"articles: {ratio:.2f}× -> {verdict(ratio >= TARGET_RATIO_400_WORDS)}")
        # Time is linear in length (see above), so scale the ~95k-char articles to 100,000.
        t100k *= 100_000 / float(rows[-1][2].replace(",", ""))
        print(f"- [{clock}] 100,000 characters analysed in < {TARGET_SECONDS_100K:.0f} s: "
              f"{t100k:.3f} s (measured on {rows[-1][2]} chars, scaled) -> "
              f"{verdict(t100k < TARGET_SECONDS_100K)}")


def _linearity(clock: str, seconds: dict[str, tuple[float, float]], rows: list[list]) -> None:
    """Growth exponent k in time ∝ chars^k from 1,500 chars up (1 = linear), and 100k vs 10k."""
    chars = {r[0]: float(r[2].replace(",", "")) for r in rows}
    long = [label for label in seconds if chars[label] >= 1_000]
    x = np.log([chars[label] for label in long])
    fit_rows = []
    for j, who in enumerate(("caveat", "floor")):
        k = np.polyfit(x, np.log([seconds[label][j] for label in long]), 1)[0]
        per_char = {label: seconds[label][j] / chars[label] for label in seconds}
        fit_rows.append([
            who, f"{k:.3f}",
            f"{per_char['100,000 chars'] / per_char['10,000 chars']:.2f}",
            f"{per_char['100,000 chars'] / per_char['1,500 chars']:.2f}",
        ])
    print()
    print(f"linearity [{clock}]: least-squares k in seconds ∝ chars^k over {', '.join(long)} "
          "(k = 1 is linear); per-character cost at 100k over that at 10k and 1,500")
    print(table(["", "k", "s/char 100k ÷ 10k", "s/char 100k ÷ 1,500"], fit_rows))


if __name__ == "__main__":
    main()
