"""python -m training.learning_curve: the claim head's out-of-fold F1 against its labeled news.

What it measures: how the claim head's out-of-fold F1 and average precision on news train +
dev grow with the number of labeled news documents it is trained on, and the slope of F1
per doubling of training positives (a least-squares fit of F1 on log2(positives) over
every run), to judge what labeling more news would buy.

How: exactly ``training.train.fit_model``'s claim path, with fewer documents to learn from.

- features: ``SentenceFeatures`` fitted as ``fit_model`` fits them, on every fit row (news
  train + dev and the Szeged train parts), so the vocabulary does not shrink with the
  fraction: the curve varies the labels the head sees, not the words it knows;
- folds: ``news_folds`` (the 5 GroupKFold folds by document of training); inside each
  training fold a random ``fraction`` of its documents is kept, whole; the held-out fold is
  always scored in full, so every fraction is scored on the same rows;
- for each C of ``C_GRID`` a ``MaskedMultiLabel`` claim head is fitted on the same
  subsample (drawn once per fold and seed); C is chosen by out-of-fold average precision
  on all news rows, as ``fit_model`` chooses it;
- the Platt sigmoid (``MaskedMultiLabel.calibrate_scores``) and the threshold
  (``steady_threshold``) are fitted out of fold on the naturally drawn rows (not the
  claim-rich or targeted draws, ``NATURAL_STRATA``), and F1 and average precision are
  reported on those rows.

Only news train + dev is used: the news test split is loaded by ``load_corpora`` and
dropped. Szeged rows carry no claim label, so they never reach the claim head (as in
``fit_model``); they only shape the vocabulary. Our written sentences (``iter_written``)
are in every training fold whatever the fraction, and never scored, as in ``fit_model``:
the curve varies the labeled news alone, and counts its positives. At fraction 1 every
seed keeps every document, so that fraction runs once; it reproduces the shipped model's
out-of-fold claim metrics (``metrics.news-cv.claim-head`` of the manifest: the head alone,
before its cue tagger).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import average_precision_score

from service.analysis.features import SentenceFeatures
from service.analysis.heads import MaskedMultiLabel, PlattCalibrated
from service.cli import command, input_dir, input_file, output_file, positive_int, require_records
from training.clusters import news_clusters
from training.datasets import (
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    OUR_CORPORA,
    TRAINING_CORPORA,
    WRITTEN,
    LabeledSentence,
    load_vader_valence,
    require_corpora,
)
from training.metrics import label_metrics, steady_threshold
from training.train import (
    C_GRID,
    FOLDS,
    PRIOR_SCALE,
    _targets,
    _weights,
    fit_rows_of,
    head_exclusions,
    load_corpora,
    news_folds,
)

#: Fractions of each training fold's documents (the experiment behind the README's figure).
FRACTIONS = (0.125, 0.25, 0.5, 0.75, 1.0)
#: Random subsamples per fraction below 1 (seeds 0, 1, ...).
SEEDS = 3

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass
class ClaimData:
    """The news (and written) rows the claim head learns from, as ``fit_model`` prepares
    them."""

    X: sp.csr_matrix  # fit_model's features of each news row
    Y: np.ndarray  # (n, 1): the claim column of train._targets
    weights: np.ndarray  # train._weights
    groups: np.ndarray  # document of each row: folds and subsamples are by document
    natural: np.ndarray  # drawn like the test split (not the claim-rich or a targeted draw)
    exclude: tuple[int, ...] = ()  # columns the claim head may not read (train.head_exclusions)
    always: np.ndarray | None = None  # rows in every training fold, never scored (written)

    @property
    def scored(self) -> np.ndarray:
        """The rows folds hold out and score: all but ``always``."""
        return np.ones(len(self.Y), bool) if self.always is None else ~self.always

    @property
    def y(self) -> np.ndarray:
        """The claim labels (0/1)."""
        return self.Y[:, 0]


def claim_data(
    fit_rows: list[LabeledSentence], valence: dict | None = None, clusters: dict | None = None
) -> ClaimData:
    """Features fitted as ``fit_model`` fits them on ``fit_rows``; the claim data of the news
    rows and of our written sentences (always fitted, never scored)."""
    features = SentenceFeatures(valence=valence, prior_scale=PRIOR_SCALE, clusters=clusters)
    features.fit([s.text for s in fit_rows])
    news = [s for s in fit_rows if s.corpus in OUR_CORPORA]
    Y = _targets(news)[:, :1]
    if (Y < 0).any():
        raise ValueError("a news row has no claim label")
    return ClaimData(
        X=features.transform([s.text for s in news]),
        Y=Y,
        weights=_weights(news),
        groups=np.array([s.doc for s in news]),
        natural=np.array([s.natural for s in news]),
        exclude=head_exclusions(features)[0],
        always=np.array([s.corpus == WRITTEN for s in news], dtype=bool),
    )


def load_claim_data(root: Path, labels: Path) -> ClaimData:
    """The claim data of ``train.train``'s fit rows (news train + dev, Szeged train parts)."""
    rows = fit_rows_of(load_corpora(root, labels))
    return claim_data(rows, load_vader_valence(root), news_clusters(root))


def subsample_documents(
    fitted: np.ndarray, groups: np.ndarray, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    """The rows of ``fitted`` whose document is in a random ``fraction`` of its documents."""
    if fraction >= 1.0:
        return fitted
    docs = np.unique(groups[fitted])
    keep = rng.choice(docs, size=int(round(fraction * len(docs))), replace=False)
    return fitted[np.isin(groups[fitted], keep)]


def training_rows(folds: Folds, groups: np.ndarray, fraction: float, seed: int) -> list[np.ndarray]:
    """One subsample of each training fold, drawn in fold order from ``seed``."""
    rng = np.random.default_rng(seed)
    return [subsample_documents(fitted, groups, fraction, rng) for fitted, _ in folds]


def fitted_rows(data: ClaimData, subsample: np.ndarray) -> np.ndarray:
    """The rows a fold's head is fitted on: those never scored (our written sentences)
    first, as ``train.out_of_fold_scores`` orders them (the solver's result depends on the
    order of its rows), then the fold's subsample."""
    return np.concatenate([np.flatnonzero(~data.scored), subsample])


def out_of_fold_claim_scores(
    data: ClaimData, folds: Folds, train_rows: Sequence[np.ndarray], C: float
) -> np.ndarray:
    """Linear claim scores of each held-out row, from a head fitted on its fold's subsample
    (and the rows never scored)."""
    scores = np.full(len(data.y), np.nan)
    for (_, held), subsample in zip(folds, train_rows, strict=True):
        rows = fitted_rows(data, subsample)
        head = MaskedMultiLabel(C=(C,), exclude=(data.exclude,)).fit(
            data.X[rows], data.Y[rows], sample_weight=data.weights[rows]
        )
        scores[held] = head.heads_[0].decision_function(data.X[held])
    return scores


def calibrated(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(claim) of held-out ``scores`` through the sigmoid ``calibrate_scores`` fits on them."""
    # calibrate_scores only needs a head to hold the sigmoid; the base model is not used.
    platt = MaskedMultiLabel(C=(None,))
    platt.heads_ = [PlattCalibrated(base=None)]
    platt.calibrate_scores(scores.reshape(-1, 1), y.reshape(-1, 1))
    return platt.heads_[0].sigmoid(scores)


def curve_point(
    data: ClaimData, folds: Folds, fraction: float, seed: int, c_grid: Sequence[float] = C_GRID
) -> dict:
    """Out-of-fold claim metrics when each training fold keeps ``fraction`` of its documents."""
    rows = training_rows(folds, data.groups, fraction, seed)
    y, scored = data.y, data.scored
    by_c = {c: out_of_fold_claim_scores(data, folds, rows, c) for c in c_grid}
    ap = {c: average_precision_score(y[scored], by_c[c][scored]) for c in c_grid}
    # fit_model's choice: the best rounded AP, the smallest C among equals.
    C = max(c_grid, key=lambda c: (round(ap[c], 4), -c))
    natural = data.natural
    scores = by_c[C][natural]
    proba = calibrated(scores, y[natural])
    threshold = steady_threshold(y[natural], proba)
    return {
        "fraction": fraction,
        "seed": seed,
        "C": C,
        "train_positives": float(np.mean([y[r].sum() for r in rows])),
        "train_rows": float(np.mean([len(r) for r in rows])),
        "train_docs": float(np.mean([len(np.unique(data.groups[r])) for r in rows])),
        "threshold": threshold,
        **label_metrics(y[natural], proba, threshold),
        "average_precision": round(float(average_precision_score(y[natural], scores)), 4),
        "average_precision_all": round(float(ap[C]), 4),
    }


def summarise(runs: list[dict]) -> tuple[list[dict], dict]:
    """Per fraction: runs, mean positives, F1 and AP mean and sd; and the slope per doubling.

    The slope is the least-squares fit of F1 (and of AP) on log2(training positives) over
    every run, so it reads "F1 gained per doubling of labeled positives".
    """
    table = []
    for fraction in sorted({r["fraction"] for r in runs}):
        rs = [r for r in runs if r["fraction"] == fraction]
        row = {
            "fraction": fraction,
            "runs": len(rs),
            "train_positives": float(np.mean([r["train_positives"] for r in rs])),
        }
        for key in ("f1", "precision", "recall", "average_precision"):
            values = np.array([r[key] for r in rs])
            row[key] = float(values.mean())
            row[key + "_sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        table.append(row)
    slope = {}
    if len(table) > 1:
        x = np.log2([r["train_positives"] for r in runs])
        for key in ("f1", "average_precision"):
            slope[key] = float(np.polyfit(x, [r[key] for r in runs], 1)[0])
    return table, slope


def learning_curve(
    data: ClaimData,
    fractions: Sequence[float] = FRACTIONS,
    seeds: int = SEEDS,
    folds: int = FOLDS,
    c_grid: Sequence[float] = C_GRID,
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Every run (fraction x seed; fraction 1 once), the table and the slope per doubling."""
    scored = data.scored
    fold_rows = list(news_folds(data.groups, scored, folds))
    runs = []
    for fraction in fractions:
        for seed in range(seeds if fraction < 1.0 else 1):
            runs.append(curve_point(data, fold_rows, fraction, seed, c_grid))
            if progress is not None:
                progress(runs[-1])
    table, slope = summarise(runs)
    return {
        "rows": int(scored.sum()),
        "positives": int(data.y[scored].sum()),
        "documents": int(len(np.unique(data.groups[scored]))),
        "folds": folds,
        "c_grid": list(c_grid),
        "runs": runs,
        "table": table,
        "slope_per_doubling": slope,
    }


def format_table(result: dict) -> str:
    """The table a README can quote: fraction, positives, F1 and AP (mean ± sd), the slope."""
    lines = ["fraction  runs  train positives  F1 (P, R)                AP (natural rows)"]
    for r in result["table"]:
        lines.append(
            f"{r['fraction']:8.3f}  {r['runs']:4d}  {r['train_positives']:15.1f}  "
            f"{r['f1']:.3f}±{r['f1_sd']:.3f} ({r['precision']:.3f}, {r['recall']:.3f})  "
            f"{r['average_precision']:.3f}±{r['average_precision_sd']:.3f}"
        )
    slope = result["slope_per_doubling"]
    if slope:
        lines.append(
            f"per doubling of training positives: F1 {slope['f1']:+.3f}, "
            f"AP {slope['average_precision']:+.3f}"
        )
    return "\n".join(lines)


def _fractions(text: str) -> list[float]:
    """``--fractions``: distinct numbers in (0, 1], comma separated ("0.25,0.5,1")."""
    form = "give numbers in (0, 1] separated by commas, as 0.25,0.5,1"
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers: {form}") from None
    if not values or any(not 0.0 < v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: {form}")
    if len(set(values)) < len(values):
        twice = sorted({v for v in values if values.count(v) > 1})
        raise argparse.ArgumentTypeError(
            f"{text!r} gives {', '.join(f'{v:g}' for v in twice)} more than once: each fraction "
            "is run once (with --seeds subsamples)"
        )
    return values


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: print the table (a line per run on stderr); --out writes the JSON."""
    ap = argparse.ArgumentParser(
        prog="python -m training.learning_curve", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--labels", type=input_file, default=NEWS_LABELS, help="our news labels (JSONL)"
    )
    ap.add_argument(
        "--fractions",
        type=_fractions,
        default=list(FRACTIONS),
        help="fractions of each training fold's documents, each in (0, 1] and given once, "
        "comma separated",
    )
    ap.add_argument(
        "--seeds", type=positive_int, default=SEEDS, help="subsamples per fraction below 1"
    )
    ap.add_argument("--out", type=output_file, help="write every run, the table and the slope here")
    args = ap.parse_args(argv)
    require_records(args.labels)
    require_corpora(args.data, *TRAINING_CORPORA)

    def progress(run: dict) -> None:
        print(
            f"fraction {run['fraction']} seed {run['seed']}: C={run['C']} "
            f"positives {run['train_positives']:.1f} F1 {run['f1']:.3f} "
            f"(P {run['precision']:.3f}, R {run['recall']:.3f}) AP {run['average_precision']:.3f}",
            file=sys.stderr,
        )

    data = load_claim_data(args.data, args.labels)
    result = learning_curve(data, args.fractions, args.seeds, progress=progress)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_table(result))


if __name__ == "__main__":
    main()
