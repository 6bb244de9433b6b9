"""python -m training.threshold_study: which rule for picking a threshold holds up out of fold?

Up to model 1.7.0, training picked each label's threshold as the argmax of F1 over the
out-of-fold probabilities of the naturally drawn news rows (``metrics.best_threshold``). The
claim curve is flat near its top (250 claims), so the argmax can land anywhere on a
plateau: from model 1.6.1 to 1.7.0 to a candidate on more written rows it went 0.29, 0.30,
0.37. This study asks whether a steadier rule would flag better on documents it did not
see. Its answer (README) made the smoothed rule ``metrics.steady_threshold`` training's.

How: the readings are ``combiner_study.readings`` (training's own out-of-fold head and tagger
readings, news train + dev only; the news test split is never loaded into the study), and
the shipped combiners are fitted out of fold on them (``combiner_study.out_of_fold``). Then,
``repeats`` times over a fresh shuffle of the documents into ``FOLDS`` folds, each rule picks
a threshold on four folds' probabilities and flags the fifth; the flags of all five are
pooled into one F1. Reported per rule: the mean F1 over repeats, its difference from the
argmax rule (paired: same folds), and how often it beat the argmax.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from service.cli import command, input_dir, input_file, output_file, positive_int, require_records
from training.clusters import news_clusters
from training.combiner_study import VARIANTS, out_of_fold, readings
from training.datasets import (
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    TRAINING_CORPORA,
    load_vader_valence,
    require_corpora,
)
from training.metrics import (
    THRESHOLD_GRID,
    f1_curve,
    grid_argmax,
    label_metrics,
    smoothed_argmax,
)
from training.train import BLAS_THREADS, FOLDS, fit_rows_of, load_corpora

#: The shipped combiner of each label (``combiner_study.VARIANTS``).
SHIPPED = {
    "claim": "shipped: head + tagger + no-candidate term",
    "hedge": "shipped: head + tagger",
}


def plateau_centre(delta: float) -> Callable[[np.ndarray], float]:
    """The median threshold of those whose F1 is within ``delta`` of the best."""

    def rule(curve: np.ndarray) -> float:
        return float(np.median(THRESHOLD_GRID[curve >= curve.max() - delta]))

    return rule


def smoothed(half_width: int) -> Callable[[np.ndarray], float]:
    """The argmax of the F1 curve averaged over ``half_width`` grid steps each side
    (``metrics.steady_threshold``, which training uses since model 1.8.0, is ``smoothed(5)``)."""
    return lambda curve: smoothed_argmax(curve, half_width)


#: The rule every other is compared with: training's up to model 1.7.0.
ARGMAX = "argmax (to model 1.7.0)"
#: name -> rule (an F1 curve over THRESHOLD_GRID -> a threshold).
RULES: dict[str, Callable[[np.ndarray], float]] = {
    ARGMAX: grid_argmax,
    "plateau centre, within 0.01": plateau_centre(0.01),
    "plateau centre, within 0.02": plateau_centre(0.02),
    "smoothed, +-3 steps": smoothed(3),
    "smoothed, +-5 steps": smoothed(5),
}


def document_folds(groups: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """Each row's fold: the documents shuffled, then dealt round-robin."""
    docs = np.unique(groups)
    rng.shuffle(docs)
    fold_of = {doc: k % folds for k, doc in enumerate(docs)}
    return np.array([fold_of[g] for g in groups])


def nested_f1(
    y: np.ndarray, proba: np.ndarray, groups: np.ndarray, repeats: int, folds: int = FOLDS
) -> dict[str, np.ndarray]:
    """Per rule, the pooled F1 of each repeat: thresholds picked on the other folds."""
    rng = np.random.default_rng(0)
    out = {name: np.zeros(repeats) for name in RULES}
    for r in range(repeats):
        fold = document_folds(groups, folds, rng)
        flags = {name: np.zeros(len(y), dtype=int) for name in RULES}
        for k in range(folds):
            held = fold == k
            curve = f1_curve(y[~held], proba[~held])
            for name, rule in RULES.items():
                flags[name][held] = proba[held] >= rule(curve)
        for name in RULES:
            out[name][r] = label_metrics(y, flags[name], 0.5)["f1"]
    return out


def study(values: dict[str, np.ndarray], repeats: int) -> dict[str, dict[str, dict]]:
    """Every rule of ``RULES`` for each label's shipped combiner."""
    result: dict[str, dict[str, dict]] = {}
    groups = values["groups"]
    for label, name in SHIPPED.items():
        keys, make = VARIANTS[label][name]
        y = values[f"y-{label}"]
        proba = out_of_fold(np.column_stack([values[k] for k in keys]), y, groups, make)
        f1 = nested_f1(y, proba, groups, repeats)
        base = f1[ARGMAX]
        curve = f1_curve(y, proba)
        result[label] = {
            rule: {
                "threshold_on_all_rows": RULES[rule](curve),
                "mean_f1": round(float(v.mean()), 4),
                "sd_f1": round(float(v.std()), 4),
                "mean_gain_over_argmax": round(float((v - base).mean()), 4),
                "share_of_repeats_better": round(float((v > base).mean()), 3),
                "share_of_repeats_worse": round(float((v < base).mean()), 3),
            }
            for rule, v in f1.items()
        }
    return result


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: compute the readings, score the rules, print (and write) them."""
    ap = argparse.ArgumentParser(
        prog="python -m training.threshold_study", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--labels", type=input_file, default=NEWS_LABELS, help="our news labels (JSONL)"
    )
    ap.add_argument("--repeats", type=positive_int, default=200, help="fresh fold shuffles")
    ap.add_argument("--out", type=output_file, help="also write the results here (JSON)")
    args = ap.parse_args(argv)
    require_records(args.labels)
    require_corpora(args.data, *TRAINING_CORPORA)
    with threadpool_limits(BLAS_THREADS):
        rows = fit_rows_of(load_corpora(args.data, args.labels))
        valence, clusters = load_vader_valence(args.data), news_clusters(args.data)
        result = study(readings(rows, valence, clusters=clusters), args.repeats)
    print("| label | rule | threshold (all rows) | mean F1 | sd | gain | better | worse |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, rules in result.items():
        for rule, m in rules.items():
            print(
                f"| {label} | {rule} | {m['threshold_on_all_rows']:.2f} | {m['mean_f1']:.3f} "
                f"| {m['sd_f1']:.3f} | {m['mean_gain_over_argmax']:+.4f} "
                f"| {m['share_of_repeats_better']:.2f} | {m['share_of_repeats_worse']:.2f} |"
            )
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
