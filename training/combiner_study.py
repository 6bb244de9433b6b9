"""python -m training.combiner_study: would the combiners gain from reading more, out of fold?

P(claim) and P(hedge) are each a logistic regression on two readings of a sentence: its
head's linear score and its cue tagger's likeliest word (``heads.CueCombiner``). This study
asks whether other readings the model already has, given to that regression, would rank or
flag claims better: the other label's head and tagger, the sentence's length and quotation
marks; or a small gradient-boosted model instead of the regression. For hedges it asks
whether the term for sentences without a candidate word, which the claim combiner has,
would help the hedge combiner too. For hedge types (``type_study``) it asks whether the
types would be decided better from every type's readings at once (each type's combiner
reading all ten, gradient boosting, or one regression over whole type sets) than, as shipped,
each from its own head and tagger word.

How: the readings are ``training.train``'s own out-of-fold ones (``fit_model``'s head scores,
``out_of_fold_cue_max`` for each tagger: every model fitted without the sentence's
document), on news train + dev only; the news test split is loaded and dropped. Each
variant is then scored by a second GroupKFold by document over the naturally drawn rows
(those training calibrates on): fitted on four folds, it predicts the fifth. Reported:
average precision, and F1 at the threshold that is best for that variant's pooled
out-of-fold probabilities (the same rule for every variant, so the comparison is fair; the
F1 is a little optimistic for all of them alike). The claim head alone and the shipped claim
combiner are also scored per news source (Reuters, PTC), at that same threshold.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from service.analysis.heads import cue_logit, decide_types
from service.analysis.types import HEDGE_TYPES
from service.cli import command, input_dir, input_file, output_file, require_records
from training.clusters import news_clusters
from training.datasets import (
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    TRAINING_CORPORA,
    load_vader_valence,
    require_corpora,
)
from training.metrics import best_threshold, label_metrics, type_set_scores
from training.train import (
    BLAS_THREADS,
    FOLDS,
    TAGGER_FITS,
    TYPE_THRESHOLD,
    _targets,
    fit_model,
    fit_rows_of,
    load_corpora,
    out_of_fold_cue_max,
)

_QUOTES = frozenset('"“”«»')


def readings(rows, valence=None, folds: int = FOLDS, clusters=None) -> dict[str, np.ndarray]:
    """Out-of-fold readings of the naturally drawn news rows, by name, and their labels."""
    _, tuning = fit_model(rows, folds=folds, valence=valence, clusters=clusters)
    natural = tuning["natural"]
    y = _targets(rows)[natural]
    out = {"y-claim": y[:, 0], "y-hedge": y[:, 1]}
    claim_best = out_of_fold_cue_max(rows, folds, TAGGER_FITS["claim"][0])
    hedge_best, kind_best = out_of_fold_cue_max(rows, folds, TAGGER_FITS["hedge"][0], by_kind=True)
    for j, (label, best) in enumerate((("claim", claim_best), ("hedge", hedge_best))):
        best = best[natural]
        out[f"{label}-head"] = tuning["oof"][natural, j]
        out[f"{label}-tagger"] = cue_logit(best)
        out[f"{label}-none"] = (best == 0).astype(float)
    texts = [s.text for s, keep in zip(rows, natural, strict=True) if keep]
    out["length"] = np.log1p([len(t.split()) for t in texts])
    out["quote"] = np.array([float(not _QUOTES.isdisjoint(t)) for t in texts])
    # Hedge types (columns in HEDGE_TYPES order): each type head's score, the hedge tagger's
    # likeliest word of that type, and the labels (meaningful on the hedges only).
    out["type-heads"] = tuning["oof"][natural, 2:]
    out["type-taggers"] = cue_logit(kind_best[natural])
    out["y-types"] = _targets(rows)[natural, 2:]
    out["groups"] = np.array([s.doc for s, keep in zip(rows, natural, strict=True) if keep])
    return out


def _regression() -> LogisticRegression:
    return LogisticRegression(C=1e4)  # barely regularised, as CueCombiner.fit


def _boosting() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_depth=3, learning_rate=0.05, max_iter=200, min_samples_leaf=40, random_state=0
    )


#: label -> variant -> (the readings it is given, the model that combines them).
VARIANTS: dict[str, dict[str, tuple[tuple[str, ...], Callable]]] = {
    "claim": {
        "head alone": (("claim-head",), _regression),
        "shipped: head + tagger + no-candidate term": (
            ("claim-head", "claim-tagger", "claim-none"), _regression),
        "+ hedge head": (("claim-head", "claim-tagger", "claim-none", "hedge-head"), _regression),
        "+ hedge tagger": (
            ("claim-head", "claim-tagger", "claim-none", "hedge-tagger"), _regression),
        "+ length, quotation": (
            ("claim-head", "claim-tagger", "claim-none", "length", "quote"), _regression),
        "shipped readings, gradient boosting": (
            ("claim-head", "claim-tagger", "claim-none"), _boosting),
        "all readings, gradient boosting": (
            ("claim-head", "claim-tagger", "claim-none", "hedge-head", "hedge-tagger", "length",
             "quote"), _boosting),
    },
    "hedge": {
        "shipped: head + tagger": (("hedge-head", "hedge-tagger"), _regression),
        "+ no-candidate term": (("hedge-head", "hedge-tagger", "hedge-none"), _regression),
    },
}


def out_of_fold(columns: np.ndarray, y: np.ndarray, groups: np.ndarray, make,
                folds: int = FOLDS) -> np.ndarray:
    """Each row's probability from the combiner ``make()`` fitted on the other documents."""
    proba = np.zeros(len(y))
    for fitted, held in GroupKFold(n_splits=folds).split(columns, y, groups):
        proba[held] = make().fit(columns[fitted], y[fitted]).predict_proba(columns[held])[:, 1]
    return proba


def _metrics(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict:
    ap = round(float(average_precision_score(y, proba)), 4) if y.any() else 0.0
    return {"average_precision": ap, **label_metrics(y, proba, threshold)}


def score(columns: np.ndarray, y: np.ndarray, groups: np.ndarray, make, folds: int = FOLDS):
    """Average precision and F1 (at its own best threshold) of a combiner, out of fold."""
    proba = out_of_fold(columns, y, groups, make, folds)
    return _metrics(y, proba, best_threshold(y, proba))


#: The claim variants also scored per news source (the prefix of a document id), to see
#: whether what the claim tagger adds holds on each.
BY_SOURCE = ("head alone", "shipped: head + tagger + no-candidate term")


def study(values: dict[str, np.ndarray], folds: int = FOLDS) -> dict[str, dict[str, dict]]:
    """Every variant of ``VARIANTS``, scored on ``readings``; and ``BY_SOURCE`` per source
    (each at the threshold best for all sources together)."""
    out: dict[str, dict[str, dict]] = {}
    groups = values["groups"]
    sources = np.array([doc.split(":", 1)[0] for doc in groups])
    for label, variants in VARIANTS.items():
        y = values[f"y-{label}"]
        out[label] = {}
        for name, (keys, make) in variants.items():
            proba = out_of_fold(np.column_stack([values[k] for k in keys]), y, groups, make,
                                folds)
            threshold = best_threshold(y, proba)
            out[label][name] = _metrics(y, proba, threshold)
            if label == "claim" and name in BY_SOURCE:
                out.setdefault("claim by source", {})[name] = {
                    source: _metrics(y[sources == source], proba[sources == source], threshold)
                    for source in sorted(set(sources))
                }
    return out


#: The one-set variant's classes: the type sets that the fitted part holds at least this
#: often (a hedge of a rarer set is left out of that fit, and is always scored wrong).
SET_MIN_COUNT = 3


def _type_sets(y: np.ndarray) -> list[frozenset[str]]:
    """Each row's set of types, of a (rows, HEDGE_TYPES) array of 0 and 1."""
    return [frozenset(np.array(HEDGE_TYPES)[row == 1]) for row in y]


def _per_type(columns: Callable[[int], np.ndarray], make) -> Callable:
    """A variant that fits one combiner per type on ``columns(k)`` and returns, for the held
    rows, the sets ``decide_types`` picks from their probabilities (and the probabilities)."""

    def fit_predict(y: np.ndarray, fitted: np.ndarray, held: np.ndarray):
        proba = np.column_stack(
            [
                make().fit(columns(k)[fitted], y[fitted, k]).predict_proba(columns(k)[held])[:, 1]
                for k in range(y.shape[1])
            ]
        )
        thresholds = [TYPE_THRESHOLD] * y.shape[1]
        return [frozenset(decide_types(p, thresholds)) for p in proba], proba

    return fit_predict


def _one_set(columns: np.ndarray) -> Callable:
    """A variant that reads a hedge's whole type set as one class (a multinomial regression
    over the sets of ``SET_MIN_COUNT``), so that types that come together are learned so."""

    def fit_predict(y: np.ndarray, fitted: np.ndarray, held: np.ndarray):
        sets = _type_sets(y[fitted])
        counts = Counter(sets)
        classes = sorted((s for s, n in counts.items() if n >= SET_MIN_COUNT), key=sorted)
        index = {s: i for i, s in enumerate(classes)}
        keep = np.array([s in index for s in sets])
        model = LogisticRegression(C=0.1, max_iter=5000).fit(
            columns[fitted][keep], [index[s] for s, k in zip(sets, keep, strict=True) if k]
        )
        picked = model.classes_[model.predict_proba(columns[held]).argmax(axis=1)]
        return [classes[i] for i in picked], None

    return fit_predict


def type_study(values: dict[str, np.ndarray], folds: int = FOLDS) -> dict[str, dict]:
    """How each way of deciding a hedge's types fares on the naturally drawn news hedges (by
    label, as ``training.train.fit_type_combiners`` scores them), out of fold by document:
    the share whose decided set is exactly the labeled one, and (for the variants with a
    probability per type) whose likeliest type is one of the labeled ones."""
    hedges = values["y-hedge"] == 1
    heads, taggers = values["type-heads"][hedges], values["type-taggers"][hedges]
    y, groups = values["y-types"][hedges].astype(int), values["groups"][hedges]
    every = np.column_stack([heads, taggers])
    variants = {
        "shipped: per type, its head + its tagger word": _per_type(
            lambda k: np.column_stack([heads[:, k], taggers[:, k]]), _regression
        ),
        "per type, every type's head and tagger word": _per_type(lambda k: every, _regression),
        "per type, every reading, gradient boosting": _per_type(lambda k: every, _boosting),
        "one set of types, every reading": _one_set(every),
    }
    gold = _type_sets(y)
    out = {}
    for name, fit_predict in variants.items():
        decided: list = [None] * len(y)
        proba: np.ndarray | None = np.zeros(y.shape)
        for fitted, held in GroupKFold(n_splits=folds).split(y, groups=groups):
            sets, p = fit_predict(y, fitted, held)
            for i, s in zip(held, sets, strict=True):
                decided[i] = s
            if p is None:
                proba = None
            else:
                proba[held] = p
        exact = sum(d == g for d, g in zip(decided, gold, strict=True))
        out[name] = {"hedges": len(y), "exact": round(exact / len(y), 4)}
        if proba is not None:
            likeliest = type_set_scores(proba, gold, [TYPE_THRESHOLD] * len(HEDGE_TYPES))[1]
            out[name]["likeliest_right"] = round(likeliest / len(y), 4)
    return out


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: compute the readings, score the variants, print (and write) them."""
    ap = argparse.ArgumentParser(
        prog="python -m training.combiner_study", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--labels", type=input_file, default=NEWS_LABELS, help="our news labels (JSONL)"
    )
    ap.add_argument("--out", type=output_file, help="also write the results here (JSON)")
    args = ap.parse_args(argv)
    require_records(args.labels)
    require_corpora(args.data, *TRAINING_CORPORA)
    with threadpool_limits(BLAS_THREADS):
        rows = fit_rows_of(load_corpora(args.data, args.labels))
        valence, clusters = load_vader_valence(args.data), news_clusters(args.data)
        values = readings(rows, valence, clusters=clusters)
        result = study(values)
        result["hedge types"] = type_study(values)
    print("| label | combiner | average precision | F1 | P | R |")
    print("|---|---|---:|---:|---:|---:|")
    for label, variants in result.items():
        if label in ("claim by source", "hedge types"):
            continue
        for name, m in variants.items():
            print(f"| {label} | {name} | {m['average_precision']:.3f} | {m['f1']:.3f} | "
                  f"{m['precision']:.3f} | {m['recall']:.3f} |")
    print()
    print("| claim combiner | source | rows | average precision | F1 |")
    print("|---|---|---:|---:|---:|")
    for name, sources in result["claim by source"].items():
        for source, m in sources.items():
            print(f"| {name} | {source} | {m['n']} | {m['average_precision']:.3f} | "
                  f"{m['f1']:.3f} |")
    print()
    print("| hedge types decided by | hedges | exact set | likeliest type right |")
    print("|---|---:|---:|---:|")
    for name, m in result["hedge types"].items():
        likeliest = f"{m['likeliest_right']:.3f}" if "likeliest_right" in m else "-"
        print(f"| {name} | {m['hedges']} | {m['exact']:.3f} | {likeliest} |")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
