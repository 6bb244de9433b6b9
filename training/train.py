"""python -m training.train: rebuild the model from ../shared/data and our news labels.

Data and splits (documents, never sentences, are split; see ``news_pool.split_of``):
- hedge head: Szeged Wikipedia + biomedical train documents, and our news train split;
- claim head: our news train split (the only corpus that labels optimistic claims);
- C, each head's calibration sigmoid and the thresholds are chosen out of fold (5-fold
  GroupKFold by document over the news train + dev documents: the dev split alone holds too
  few claims to choose a threshold on); the claim and hedge thresholds by smoothed F1
  (``metrics.steady_threshold``);
- the hedge cue tagger (service/analysis/tagger.py, training/cue_tagger.py): Szeged and news
  cue spans of every non-test document; the combiner of its reading with the hedge head's
  (P(hedge)) and the hedge threshold are fitted out of fold too (same folds; a tagger per fold);
- the claim tagger (the same model, one cue kind): the claim cue spans of our news train + dev
  documents; its combiner with the claim head (P(claim)) and the claim threshold likewise;
- hedge types: per type, a combiner of the type head's score with the hedge tagger's
  likeliest word of that type, fitted out of fold on the news hedges (``fit_type_combiners``);
  a type is reported at P >= 0.5 (``TYPE_THRESHOLD``), not tuned;
- the news test split and the Szeged test documents are only scored, never fitted or tuned.

Writes ``models/caveat-<version>.joblib``, ``models/{cue,claim}-tagger-<version>.joblib`` and
their manifest ``models/caveat-<version>.json``.
Deterministic: fixed seeds and sorted inputs, so a rerun reproduces the same metrics.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import joblib
import nltk
import numpy as np
import scipy
import sklearn
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from service.analysis.cues import find_cues
from service.analysis.features import NEGATED_BOOSTER_FEATURES, SentenceFeatures
from service.analysis.heads import CueCombiner, MaskedMultiLabel
from service.analysis.model import MODELS_DIR, CaveatModel, sha256_of
from service.analysis.segment import Segmenter
from service.analysis.tagger import CueTagger
from service.analysis.types import HEDGE_TYPES
from service.cli import command, input_dir, input_file, output_dir, require_records
from training.clusters import PARAMS as CLUSTER_PARAMS
from training.clusters import news_clusters
from training.cue_tagger import CLAIM_PARAMS as CLAIM_TAGGER_PARAMS
from training.cue_tagger import PARAMS as TAGGER_PARAMS
from training.cue_tagger import fit_claim_tagger, fit_tagger
from training.datasets import (
    CORPUS_FILES,
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    NEWS_WEIGHT,
    SHELVED_STRATA,
    SZEGED_FILES,
    TARGETED_WEIGHT,
    TRAINING_CORPORA,
    VADER_LEXICON,
    WRITTEN_ARTICLE_CUES,
    WRITTEN_ARTICLE_LABELS,
    WRITTEN_LABELS,
    LabeledSentence,
    article_sentence_id,
    domain_of,
    iter_article_rows,
    iter_articles,
    iter_news,
    iter_szeged,
    iter_written,
    load_vader_valence,
    marked_types,
    ptc_files,
    require_corpora,
    row_weight,
)
from training.metrics import (
    expected_calibration_error,
    label_metrics,
    steady_threshold,
    type_set_scores,
)
from training.news_pool import split_of

VERSION = "1.12.0"
#: BLAS threads while training. The solvers' sums are split between threads, so their
#: rounding, and the fitted weights (by up to 0.003), depend on how many there are. The
#: committed model was fitted with two; training always uses two, so that it rebuilds that
#: model on any machine (tests/test_retrain.py).
BLAS_THREADS = 2
SEGMENTER_FILE = "punkt-news.json"
#: A version the loaders (service/analysis/model.py) can load: X.Y.Z, a release, which the
#: service picks when it is the newest; or X.Y.Z-tag (letters, digits, "." or "-" after the
#: first "-"), an experiment's (as 1.13.0-t in docs/quality-history.md), which the loaders
#: never pick as the newest and load only when named (``load_model(version=...)``). Nothing
#: else: "1.13" would be saved and never picked, "" or "../x" fail only when saving, or write
#: outside ``--out``.
MODEL_VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*)?")
#: Regularisation grid searched out of fold on the news train + dev documents.
C_GRID = (0.3, 1.0, 3.0)
#: Value of the lexicon and valence features (a weaker L2 penalty on them). Out of fold on
#: news train + dev: claim F1 0.473 at 1, 0.489 at 3, 0.488 at 6; hedge 0.743, 0.745, 0.745.
PRIOR_SCALE = 3.0
#: Folds (by document) for tuning C, the calibration sigmoid and the thresholds.
FOLDS = 5


def load_corpora(
    root: Path,
    labels: Path,
    written: Path | None = WRITTEN_LABELS,
    leave_out: frozenset[str] = SHELVED_STRATA,
    articles: tuple[str, str] | None = None,
) -> dict[str, list[LabeledSentence]]:
    """Every labeled sentence by split name: train, dev, test (news), szeged train and test
    parts, and our written sentences ("written", training only; none when ``written`` is
    None), with the sentences of the written articles ``articles`` (first, last id; none when
    None) among them. News strata in ``leave_out`` are not read (``iter_news``)."""
    news = {"train": [], "dev": [], "test": []}
    for sentence, record in iter_news(labels, root, leave_out=leave_out):
        news[record["split"]].append(sentence)
    out = {"news-" + k: v for k, v in news.items()}
    out["written"] = [] if written is None else list(iter_written(written))
    if written is not None and articles is not None:
        out["written"] += list(iter_article_rows(articles))
    for part in SZEGED_FILES:
        rows = list(iter_szeged(part, root))
        out[f"szeged-{part}-train"] = [s for s in rows if split_of(s.doc) != "test"]
        out[f"szeged-{part}-test"] = [s for s in rows if split_of(s.doc) == "test"]
    return out


def fit_rows_of(data: dict[str, list[LabeledSentence]]) -> list[LabeledSentence]:
    """The rows training fits on (of ``load_corpora``'s splits): news train + dev, the
    non-test Szeged documents and our written sentences."""
    return (
        data["news-train"]
        + data["news-dev"]
        + data["szeged-wiki-train"]
        + data["szeged-bio-train"]
        + data.get("written", [])
    )


#: Heads (columns of heads.COLUMNS) fitted with a copy of the features per corpus
#: (``MaskedMultiLabel.fit``'s ``domains``): the hedge head, the one that news and Szeged
#: both train. Chosen out of fold on news train + dev (hedge head alone, C 0.3, a scratch
#: study): average precision 0.809 -> 0.836, best F1 0.750 -> 0.767; and on Szeged dev
#: documents held out, each read with its own copy: Wikipedia AP 0.873 -> 0.897,
#: biomedical 0.943 -> 0.947. The same at C 0.1 and 1.0.
DOMAIN_HEADS = (1,)
#: C of the type heads (not searched: they only pick among types of a flagged hedge).
C_TYPES = 1.0


def _targets(rows: list[LabeledSentence]) -> np.ndarray:
    """Columns of heads.COLUMNS; -1 where a corpus does not say (types: only for hedges)."""
    out = []
    for s in rows:
        known = marked_types(s.corpus)
        types = [(int(t in s.types) if (s.hedge == 1 and t in known) else -1) for t in HEDGE_TYPES]
        out.append([-1 if s.claim is None else s.claim, -1 if s.hedge is None else s.hedge, *types])
    return np.array(out)


def _weights(rows: list[LabeledSentence]) -> np.ndarray:
    return np.array([row_weight(s) for s in rows])


def news_folds(groups: np.ndarray, news_mask: np.ndarray, folds: int = FOLDS):
    """(fitted, held out) row indexes of the news rows, fold by fold (GroupKFold by document).

    The one fold split of training: the heads and the cue tagger are scored out of fold on
    the same folds, so the hedge combiner sees both readings of a row held out alike.
    """
    from sklearn.model_selection import GroupKFold

    news_idx = np.flatnonzero(news_mask)
    for fit_part, held in GroupKFold(n_splits=folds).split(news_idx, groups=groups[news_idx]):
        yield news_idx[fit_part], news_idx[held]


def head_exclusions(features: SentenceFeatures) -> tuple[tuple[int, ...], ...]:
    """Per head (heads.COLUMNS; the heads after the last listed read every column), the
    feature columns it may not read: for the claim head, a negated or questioned booster's
    (``NEGATED_BOOSTER_FEATURES``). Model 1.2.0's claim head
    learned a positive weight for them (+0.56 log-odds in a sentence with one) from the 9
    training sentences that hold one, 2 of them claims: too few to learn from, and against
    LABELING.md, which says such a sentence is no claim."""
    return (features.columns_starting(NEGATED_BOOSTER_FEATURES),)


def out_of_fold_scores(
    X, Y, weights, groups, news_mask, C, folds: int = FOLDS, exclude=None, domains=None
) -> np.ndarray:
    """Linear scores of each news row from heads fitted without its document (GroupKFold).

    Non-news rows (Szeged) are in every fold's training part: they never need scoring.
    ``domains``: each row's corpus, for the heads of ``DOMAIN_HEADS``.
    """
    scores = np.full(Y.shape, np.nan)
    for fitted, rows in news_folds(groups, news_mask, folds):
        train_idx = np.concatenate([np.flatnonzero(~news_mask), fitted])
        heads = MaskedMultiLabel(C=C, exclude=exclude, domain_heads=DOMAIN_HEADS).fit(
            X[train_idx],
            Y[train_idx],
            sample_weight=weights[train_idx],
            domains=None if domains is None else domains[train_idx],
        )
        scores[rows] = np.column_stack([h.decision_function(X[rows]) for h in heads.heads_])
    return scores


def fit_model(
    rows: list[LabeledSentence],
    folds: int = FOLDS,
    c_grid=C_GRID,
    valence: dict | None = None,
    clusters: dict | None = None,
) -> tuple[Pipeline, dict]:
    """Fit features and heads on ``rows``; tune C, calibration and thresholds out of fold.

    Returns the Pipeline and a report of the tuning (chosen C, out-of-fold metrics).
    """
    from sklearn.metrics import average_precision_score

    texts = [s.text for s in rows]
    features = SentenceFeatures(valence=valence, prior_scale=PRIOR_SCALE, clusters=clusters).fit(
        texts
    )
    X = features.transform(texts)
    Y, weights = _targets(rows), _weights(rows)
    groups = np.array([s.doc for s in rows])
    domains = np.array([domain_of(s.corpus) for s in rows])
    news = np.array([s.corpus == "news" for s in rows])
    type_c = (C_TYPES,) * len(HEDGE_TYPES)
    exclude = head_exclusions(features)
    oof_by_c = {
        c: out_of_fold_scores(X, Y, weights, groups, news, (c, c, *type_c), folds, exclude, domains)
        for c in c_grid
    }
    chosen, report = [], {}
    for j, label in enumerate(("claim", "hedge")):
        known = news & (Y[:, j] >= 0)
        ap = {c: average_precision_score(Y[known, j], oof_by_c[c][known, j]) for c in c_grid}
        chosen.append(max(c_grid, key=lambda c: (round(ap[c], 4), -c)))
        report[label] = {
            "C": chosen[-1],
            "cv_average_precision": {str(c): round(a, 4) for c, a in ap.items()},
        }
    heads = MaskedMultiLabel(C=(*chosen, *type_c), exclude=exclude, domain_heads=DOMAIN_HEADS).fit(
        X, Y, sample_weight=weights, domains=domains
    )
    # Type heads were fitted alike for every C of the grid: take them from the claim's choice.
    oof = np.column_stack(
        [oof_by_c[chosen[j]][:, j] for j in range(2)] + [oof_by_c[chosen[0]][:, 2:]]
    )
    # Calibrate and pick thresholds on the rows drawn like the test split (not the claim-rich
    # or targeted draws, ``training.datasets.NATURAL_STRATA``), so that probabilities mean
    # what they say on news as it comes.
    natural = news & np.array([s.natural for s in rows])
    heads.calibrate_scores(oof[natural], Y[natural])
    thresholds = {}
    for j, label in enumerate(("claim", "hedge")):
        known = natural & (Y[:, j] >= 0)
        proba = heads.heads_[j].sigmoid(oof[known, j])
        thresholds[label] = steady_threshold(Y[known, j], proba)
        report[label]["cv"] = label_metrics(Y[known, j], proba, thresholds[label])
    thresholds["types"] = dict.fromkeys(HEDGE_TYPES, TYPE_THRESHOLD)
    pipeline = Pipeline([("features", features), ("heads", heads)])
    return pipeline, {"thresholds": thresholds, "tuning": report, "oof": oof, "natural": natural}


def out_of_fold_cue_max(
    rows: list[LabeledSentence], folds: int = FOLDS, fit=fit_tagger, by_kind: bool = False
):
    """A cue tagger's best token probability of each news row, from a tagger (``fit``:
    ``fit_tagger`` for hedges, ``fit_claim_tagger`` for claims) fitted without its document
    (the heads' GroupKFold folds); NaN for the other rows, which are in every fold's training
    part. With ``by_kind``, also its best of each cue kind (``tag(by_kind=True)``), as a
    second array of one column per kind."""
    news = np.array([s.corpus == "news" for s in rows])
    others = [s for s in rows if s.corpus != "news"]
    cue_max = np.full(len(rows), np.nan)
    kind_max = None
    for fitted, held in news_folds(np.array([s.doc for s in rows]), news, folds):
        tagger = fit(others + [rows[i] for i in fitted])
        texts = [rows[i].text for i in held]
        read = tagger.tag(texts, [find_cues(t) for t in texts], by_kind=by_kind)
        cue_max[held] = read[1]
        if by_kind:
            if kind_max is None:
                kind_max = np.full((len(rows), len(tagger.kinds)), np.nan)
            kind_max[held] = read[2]
    return (cue_max, kind_max) if by_kind else cue_max


#: Per label (column of ``heads.COLUMNS``): the fit of its cue tagger, and whether its
#: combiner has a term for sentences without candidate words. The claim tagger has few
#: candidates (17 in a 400-word article, against the hedge tagger's 60), so most sentences
#: have none; out of fold (``CLAIM_PARAMS``), the term lifts claim AP from 0.541 to 0.555.
TAGGER_FITS = {"claim": (fit_claim_tagger, True), "hedge": (fit_tagger, False)}


def fit_combiner(
    rows: list[LabeledSentence],
    tuning: dict,
    label: str,
    folds: int = FOLDS,
    cue_max: np.ndarray | None = None,
) -> tuple[CueCombiner, float, dict]:
    """The combiner of a label's head and cue tagger, and the label's threshold, out of fold.

    Both readings of a news sentence come from models fitted without its document: the
    head's score (``tuning["oof"]``) and the tagger's (``out_of_fold_cue_max``). Fitted on
    the rows drawn like the test split (``tuning["natural"]``), so that the probabilities
    mean what they say on news as it comes. ``cue_max``: the tagger's out-of-fold reading,
    when the caller has it already.
    """
    j = ("claim", "hedge").index(label)
    fit, none_term = TAGGER_FITS[label]
    if cue_max is None:
        cue_max = out_of_fold_cue_max(rows, folds, fit)
    natural = tuning["natural"]
    y = _targets(rows)[natural, j]
    head_scores = tuning["oof"][natural, j]
    combiner = CueCombiner.fit(head_scores, cue_max[natural], y, none_term)
    proba = combiner.proba(head_scores, cue_max[natural])
    threshold = steady_threshold(y, proba)
    return combiner, threshold, label_metrics(y, proba, threshold)


#: A hedge type is reported when its combined probability reaches this: for calibrated,
#: independent types, the set most likely to be exactly right (no tuning).
TYPE_THRESHOLD = 0.5


def fit_type_combiners(
    rows: list[LabeledSentence], tuning: dict, kind_max: np.ndarray, folds: int = FOLDS
) -> tuple[dict[str, CueCombiner], dict]:
    """Per hedge type, a combiner of its head's score and the hedge tagger's best word of that
    type, both out of fold (``tuning["oof"]``, ``out_of_fold_cue_max(by_kind=True)``), fitted
    on the natural news hedges, whose types are labeled.

    Also how the decided types fare there, with the combiners refitted without each fold's
    documents (GroupKFold, nested in the readings' folds): the share of hedges whose type
    set is exactly the labeled one, and whose likeliest type is one of them. Hedges by
    their label, not by a flag, so that the figures do not move with the hedge threshold.
    """
    from sklearn.model_selection import GroupKFold

    Y = _targets(rows)
    typed = np.flatnonzero(tuning["natural"] & (Y[:, 1] == 1))
    scores, best, y = tuning["oof"][typed, 2:], kind_max[typed], Y[typed, 2:]
    n_types = len(HEDGE_TYPES)

    def fit(part: np.ndarray) -> list[CueCombiner]:
        return [CueCombiner.fit(scores[part, k], best[part, k], y[part, k]) for k in range(n_types)]

    proba = np.empty(y.shape)
    groups = np.array([rows[i].doc for i in typed])
    for fitted, held in GroupKFold(n_splits=folds).split(typed, groups=groups):
        for k, combiner in enumerate(fit(fitted)):
            proba[held, k] = combiner.proba(scores[held, k], best[held, k])
    gold = [[t for t, on in zip(HEDGE_TYPES, row, strict=True) if on] for row in y]
    exact, likeliest = type_set_scores(proba, gold, [TYPE_THRESHOLD] * n_types)
    metrics = {
        "hedges": len(typed),
        "exact": round(exact / len(typed), 4),
        "likeliest_right": round(likeliest / len(typed), 4),
    }
    combiners = dict(zip(HEDGE_TYPES, fit(np.arange(len(typed))), strict=True))
    return combiners, metrics


def evaluate_split(model: CaveatModel, rows: list[LabeledSentence]) -> dict:
    """Precision, recall, F1 (and support) of each label a split annotates."""
    texts = [s.text for s in rows]
    proba = model.predict(texts, [find_cues(t) for t in texts]).proba
    y, thresholds = _targets(rows), model.thresholds
    out = {}
    for j, label in enumerate(("claim", "hedge")):
        known = y[:, j] >= 0
        if known.any():
            out[label] = label_metrics(y[known, j], proba[known, j], thresholds[label])
            out[label]["ece"] = round(expected_calibration_error(y[known, j], proba[known, j]), 4)
    return out


def train(
    root: Path,
    labels: Path,
    out_dir: Path,
    version: str = VERSION,
    leave_out: frozenset[str] = SHELVED_STRATA,
    articles: tuple[str, str] | None = None,
) -> dict:
    """Train, tune out of fold, score every held-out split, write artifact + manifest
    (``leave_out``: the news strata not read, the shelved ones unless told otherwise;
    ``articles``: the written articles that train, first and last id)."""
    with threadpool_limits(BLAS_THREADS):
        return _train(root, labels, out_dir, version, leave_out, articles)


def _train(
    root: Path,
    labels: Path,
    out_dir: Path,
    version: str,
    leave_out: frozenset[str],
    articles: tuple[str, str] | None = None,
) -> dict:
    # The model is saved beside the segmenter it ships with: read it before any fitting.
    segmenter = load_segmenter(out_dir)
    data = load_corpora(root, labels, leave_out=leave_out, articles=articles)
    fit_rows = fit_rows_of(data)
    pipeline, tuning = fit_model(
        fit_rows, valence=load_vader_valence(root), clusters=news_clusters(root)
    )
    thresholds = tuning["thresholds"]
    for label, info in tuning["tuning"].items():
        print(f"{label}: C={info['C']} out-of-fold {info['cv']}")
        print(f"{label}: out-of-fold average precision by C {info['cv_average_precision']}")
    combiners, combined_cv = {}, {}
    hedge_max, kind_max = out_of_fold_cue_max(fit_rows, FOLDS, fit_tagger, by_kind=True)
    for label in ("claim", "hedge"):
        combiners[label], thresholds[label], combined_cv[label] = fit_combiner(
            fit_rows, tuning, label, cue_max=hedge_max if label == "hedge" else None
        )
        print(f"{label}, head + cue tagger out of fold: {combined_cv[label]}")
    type_combiners, combined_cv["types"] = fit_type_combiners(fit_rows, tuning, kind_max)
    print(f"hedge types, heads + cue tagger out of fold: {combined_cv['types']}")
    tagger, claim_tagger = fit_tagger(fit_rows), fit_claim_tagger(fit_rows)
    card = {**combiner_weights(combiners, type_combiners), "thresholds": thresholds}
    model = CaveatModel(pipeline, segmenter, card, tagger, claim_tagger)
    held_out = ("news-test", "szeged-wiki-test", "szeged-bio-test")
    metrics = {name: evaluate_split(model, data[name]) for name in held_out}
    # Out of fold on news train + dev: the claim head alone, and both decisions as shipped.
    metrics["news-cv"] = {"claim-head": tuning["tuning"]["claim"]["cv"], **combined_cv}

    params = {
        "C": {k: v["C"] for k, v in tuning["tuning"].items()},
        "news_weight": NEWS_WEIGHT,
        "targeted_weight": TARGETED_WEIGHT,
        "prior_scale": PRIOR_SCALE,
        "ngram_max": 2,
        "min_df": 2,
        "folds": FOLDS,
        "cue_tagger": TAGGER_PARAMS,
        "claim_tagger": CLAIM_TAGGER_PARAMS,
        "word_clusters": CLUSTER_PARAMS,
    }
    replaced = out_dir / f"caveat-{version}.json"
    previous = json.loads(replaced.read_text(encoding="utf-8")) if replaced.is_file() else None
    manifest = save_model(
        pipeline,
        (tagger, claim_tagger),
        combiners,
        type_combiners,
        out_dir,
        version,
        thresholds=thresholds,
        metrics=metrics,
        datasets=_datasets(root, labels, data, articles),
        params=params,
    )
    if previous is not None:
        _compare_with_previous(manifest, previous)
    return manifest


def model_version(value: str) -> str:
    """``--version``: a ``MODEL_VERSION``, checked before the quarter of an hour of training
    rather than when saving."""
    if not MODEL_VERSION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a model version: give X.Y.Z (as {VERSION}), or X.Y.Z-tag "
            "(as 1.13.0-t) for an experiment"
        )
    return value


def load_segmenter(out_dir: Path) -> Segmenter:
    """The segmenter parameters that ``out_dir`` must hold before a model is saved there
    (``save_model`` records their hash); a missing file names what to put there."""
    path = out_dir / SEGMENTER_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"no {SEGMENTER_FILE} in {out_dir}: a model is saved beside its segmenter; copy "
            f"{MODELS_DIR / SEGMENTER_FILE} there first (or write one with python -m "
            f"training.segmenter --out {path})"
        )
    return Segmenter.load(path)


def article_range_error(
    first: str,
    last: str,
    path: Path = WRITTEN_ARTICLE_LABELS,
    cues: Path = WRITTEN_ARTICLE_CUES,
) -> str | None:
    """What is wrong with training on the written articles ``first`` to ``last`` (ids, as
    ``iter_article_rows`` reads them), or None: no article in the range, or one whose labeled
    sentences have no marked cues (``iter_article_rows`` would stop on it)."""
    with open(cues, encoding="utf-8") as fh:
        marked = {json.loads(line)["id"] for line in fh if line.strip()}
    articles = list(iter_articles(path))
    marked_articles = sorted({a.id for a in articles} & {m.rsplit("-", 1)[0] for m in marked})
    if marked_articles:
        known = f"articles {marked_articles[0]} to {marked_articles[-1]} have their cues marked"
    else:
        known = "no article has its cues marked"
    chosen = [a for a in articles if first <= a.id <= last]
    if not chosen:
        ids = sorted(a.id for a in articles)
        span = f"the ids run {ids[0]} to {ids[-1]}" if ids else f"{path} holds none"
        return f"no written article from {first} to {last} ({span}; {known})"
    for article in chosen:
        for k, (_, _, claim, hedge, _) in enumerate(article.sentences):
            if (claim or hedge) and article_sentence_id(article.id, k) not in marked:
                return f"{article.id} has labeled sentences without marked cues ({known})"
    return None


def combiner_weights(
    combiners: dict[str, CueCombiner], type_combiners: dict[str, CueCombiner]
) -> dict:
    """The combiners' weights as the manifest records them and ``CaveatModel`` reads them:
    ``claim_combiner``, ``hedge_combiner`` and ``type_combiners`` (per hedge type)."""
    return {
        **{f"{k}_combiner": v.as_dict() for k, v in combiners.items()},
        "type_combiners": {t: c.as_dict() for t, c in type_combiners.items()},
    }


def save_model(
    pipeline: Pipeline,
    taggers: tuple[CueTagger, CueTagger],
    combiners: dict[str, CueCombiner],
    type_combiners: dict[str, CueCombiner],
    out_dir: Path,
    version: str,
    *,
    thresholds: dict,
    metrics: dict,
    datasets: list,
    params: dict,
) -> dict:
    """Write ``caveat-<version>.joblib``, the (hedge, claim) ``taggers`` as
    ``cue-tagger-<version>.joblib`` and ``claim-tagger-<version>.joblib``, and their manifest.

    ``out_dir`` must already hold the segmenter parameters, whose hash the manifest records.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    artifact = out_dir / f"caveat-{version}.joblib"
    joblib.dump(pipeline, artifact, compress=3)
    tagger_files = []
    for tagger, name in zip(taggers, ("cue-tagger", "claim-tagger"), strict=True):
        tagger_files.append(out_dir / f"{name}-{version}.joblib")
        joblib.dump(tagger, tagger_files[-1], compress=3)
    manifest = {
        "name": "caveat",
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "git_commit": _git_commit(),
        "artifact": {"file": artifact.name, "sha256": sha256_of(artifact)},
        "segmenter": {"file": SEGMENTER_FILE, "sha256": sha256_of(out_dir / SEGMENTER_FILE)},
        "tagger": {"file": tagger_files[0].name, "sha256": sha256_of(tagger_files[0])},
        "claim_tagger": {"file": tagger_files[1].name, "sha256": sha256_of(tagger_files[1])},
        **combiner_weights(combiners, type_combiners),
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "nltk": nltk.__version__,
            "joblib": joblib.__version__,
        },
        "datasets": datasets,
        "params": {**params, "features": len(pipeline.named_steps["features"].vocabulary_)},
        "thresholds": thresholds,
        "metrics": metrics,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (out_dir / f"caveat-{version}.json").write_text(text, encoding="utf-8")
    return json.loads(text)  # the manifest as written (tuples read back as lists)


def ptc_dataset(root: Path) -> dict:
    """The manifest's record of the PTC articles (labeled news text, and the word clusters'
    unlabeled text): one digest over the 371 files (each file's name and sha256, a line
    each, in name order), not 371 entries."""
    lines = "".join(f"{p.name}\t{sha256_of(p)}\n" for p in ptc_files(root))
    return {
        "name": "semeval2020-ptc (news text)",
        "files": [
            {
                "path": CORPUS_FILES["semeval2020-ptc"][0],
                "count": lines.count("\n"),
                "sha256": hashlib.sha256(lines.encode("utf-8")).hexdigest(),
            }
        ],
    }


def _datasets(root: Path, labels: Path, data: dict, articles: tuple[str, str] | None) -> list[dict]:
    written = [WRITTEN_LABELS]
    if articles is not None:
        written += [WRITTEN_ARTICLE_LABELS, WRITTEN_ARTICLE_CUES]
    files = {
        "news-labels (caveat)": [labels],
        "written (caveat)": written,
        "szeged-uncertainty": [
            root / "szeged-uncertainty" / f for fs in SZEGED_FILES.values() for f in fs
        ],
        "reuters21578 (news text)": sorted((root / "reuters21578" / "sgm-data").glob("*.sgm")),
        # The valence features' word ratings (``load_vader_valence``).
        "vader-lexicon (valence)": [root / VADER_LEXICON],
    }
    out = []
    for name, paths in files.items():
        out.append(
            {
                "name": name,
                "files": [
                    {"path": str(p.relative_to(p.parents[1])), "sha256": sha256_of(p)}
                    for p in paths
                ],
            }
        )
    out.append(ptc_dataset(root))
    out.append({"splits": {k: len(v) for k, v in data.items()}})
    out.append({"written articles trained on": list(articles) if articles else []})
    return out


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _compare_with_previous(manifest: dict, previous: dict) -> None:
    """Say loudly when the new model scores worse on news test than the one it replaces."""
    for label in ("claim", "hedge"):
        old = previous.get("metrics", {}).get("news-test", {}).get(label, {}).get("f1")
        new = manifest["metrics"].get("news-test", {}).get(label, {}).get("f1")
        if old is not None and new is not None and new < old - 0.005:
            print(
                f"WARNING: news-test {label} F1 fell from {old:.3f} to {new:.3f}", file=sys.stderr
            )


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: train and print the held-out metrics."""
    ap = argparse.ArgumentParser(
        prog="python -m training.train", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--labels", type=input_file, default=NEWS_LABELS, help="our news labels (JSONL)"
    )
    ap.add_argument(
        "--out",
        type=output_dir,
        default=MODELS_DIR,
        help=f"folder for artifact + manifest; it must hold the segmenter ({SEGMENTER_FILE})",
    )
    ap.add_argument(
        "--version",
        type=model_version,
        default=VERSION,
        help=f"the model's version (default {VERSION}), in the names of the files written: "
        "X.Y.Z, which the service loads when it is the newest in the folder; or X.Y.Z-tag "
        "(as 1.13.0-t) for an experiment, never served as the newest, loaded only when "
        "named (training.probes --version, CAVEAT_MODEL_VERSION)",
    )
    ap.add_argument(
        "--with-shelved",
        action="store_true",
        help=f"also train on the shelved news strata ({', '.join(sorted(SHELVED_STRATA))}): "
        "an experiment, never the shipped recipe",
    )
    ap.add_argument(
        "--articles",
        nargs=2,
        metavar=("FIRST", "LAST"),
        help="also train on the sentences of these written articles, by id (w000 to w031 have "
        "their cues marked): an experiment (rule 13 was not kept), never the shipped recipe",
    )
    args = ap.parse_args(argv)
    leave_out = frozenset() if args.with_shelved else SHELVED_STRATA
    articles = tuple(args.articles) if args.articles else None
    if articles is not None and (problem := article_range_error(*articles)):
        ap.error(f"--articles {' '.join(articles)}: {problem}")
    require_records(args.labels)
    require_corpora(args.data, *TRAINING_CORPORA)
    manifest = train(args.data, args.labels, args.out, args.version, leave_out, articles)
    print(
        json.dumps({"thresholds": manifest["thresholds"], "metrics": manifest["metrics"]}, indent=2)
    )


if __name__ == "__main__":
    main()
