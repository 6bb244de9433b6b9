"""Out-of-fold scores of the Szeged train + dev documents, to choose domain thresholds on.

The shipped hedge threshold is tuned out of fold on news, where about 40% of sentences
hedge; Szeged Wikipedia hedges in about 13%, biomedical in about 21%. ``training.report``
shows, beside the shipped threshold, what a threshold chosen for each Szeged corpus would
give; this module gives it scores to choose on that never come from the corpus's test
documents. Nothing here changes the shipped model: on test documents the report uses the
committed model's own probabilities.

Why out of fold: ``training.train`` fits the hedge head and the cue tagger on every Szeged
document that is not "test" (train and dev alike, ``news_pool.split_of``). The shipped
model's probabilities on Szeged dev documents are therefore in-sample, more confident than
on unseen text, and a threshold chosen on them is biased. Instead every Szeged train and
dev sentence is scored by a model fitted without its document: 5-fold GroupKFold by
document over the Szeged train + dev documents (Wikipedia and biomedical together). Each
fold refits the heads and the cue tagger as ``training.train`` does (the shipped C values
and feature vocabulary, all news train + dev rows and the other folds' Szeged rows) and
keeps the shipped calibration sigmoids and hedge combiner, which ``training.train`` fits on
news rows only. Refitted on all rows, this recipe gives the shipped heads and tagger back
(exactly with the two BLAS threads training ran with here; weights within 0.003 with the
one thread the folds run with), so a fold differs from the shipped model only in the
documents it leaves out. What a fold shares with its held-out rows is the feature
vocabulary (n-grams seen in >= 2 training sentences: no label chooses it).

``training.report`` chooses the thresholds on these scores (``choose_hedge_threshold``,
``choose_tagger_threshold``); test documents are never scored here.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Sequence

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from service.analysis.cues import find_cues
from service.analysis.heads import CueCombiner, MaskedMultiLabel
from service.analysis.model import CaveatModel
from service.analysis.types import HEDGE_TYPES
from training.datasets import WRITTEN, LabeledSentence, domain_of, marked_types
from training.news_pool import split_of
from training.train import FOLDS, _targets, _weights

#: Token thresholds of the cue tagger tried on Szeged Wikipedia (the shipped one is 0.5).
TAGGER_GRID = tuple(np.round(np.arange(0.05, 0.951, 0.05), 2).tolist())


# --------------------------------------------------------------------------- out of fold


def szeged_folds(rows: Sequence[LabeledSentence], folds: int = FOLDS):
    """(fitted, held out) row indexes: GroupKFold by document over the Szeged rows; news rows
    are always fitted, never held out. Refuses rows of test documents."""
    # Our written sentences belong to no split: they are training rows only.
    if any(split_of(s.doc) == "test" for s in rows if s.corpus != WRITTEN):
        raise ValueError("test documents are never fitted or scored for a domain threshold")
    szeged = np.array([s.corpus.startswith("szeged") for s in rows])
    idx = np.flatnonzero(szeged)
    groups = np.array([s.doc for s in rows])[idx]
    for _, held in GroupKFold(n_splits=folds).split(idx, groups=groups):
        held_idx = idx[held]
        fitted = np.setdiff1d(np.arange(len(rows)), held_idx)
        yield fitted, held_idx


def fit_fold_model(
    model: CaveatModel, rows: Sequence[LabeledSentence], X, fitted: np.ndarray
) -> CaveatModel:
    """The shipped recipe refitted on ``rows[fitted]``: heads (shipped C, shipped calibration
    sigmoids) and hedge cue tagger; the shipped features, segmenter, combiners and claim
    tagger (only Szeged rows are scored here, and they have no claim label)."""
    from training.cue_tagger import fit_tagger

    sub = [rows[i] for i in fitted]
    heads = MaskedMultiLabel(
        C=model.heads.C, exclude=model.heads.exclude, domain_heads=model.heads.domain_heads
    ).fit(
        X[fitted],
        _targets(sub),
        sample_weight=_weights(sub),
        domains=[domain_of(s.corpus) for s in sub],
    )
    for head, shipped in zip(heads.heads_, model.heads.heads_, strict=True):
        head.a, head.b = shipped.a, shipped.b
    pipeline = Pipeline([("features", model.features), ("heads", heads)])
    return dataclasses.replace(model, pipeline=pipeline, tagger=fit_tagger(sub))


def in_domain(
    model: CaveatModel, domain: str, hedge_combiner: CueCombiner | None = None
) -> CaveatModel:
    """The same model whose domain-augmented heads (``MaskedMultiLabel.fit``'s ``domains``)
    read with ``domain``'s weights (shared + that corpus's copy) instead of news's: the model
    as trained for that corpus, with the same features, taggers, calibration and, unless
    ``hedge_combiner`` is given, combiners; its cue tagger's reading sums only the kinds the
    corpus marks (``datasets.marked_types``). ``domain`` is a corpus name of the training
    rows ("szeged-wiki", "szeged-bio"); the target domain, or a model with one set of
    weights, keeps its heads.

    Why the reading: Szeged marks uncertainty and condition cues, so a "but" or "only" it
    leaves unmarked should not raise a sentence's reading there. Out of fold on Szeged
    train + dev (each corpus's own combiner, threshold chosen there), hedge F1 0.829 ->
    0.848 on Wikipedia and 0.866 -> 0.876 on biomedical against reading P(cue) of any kind
    (a scratch study of model 1.5.0)."""
    heads = model.heads
    if domain != heads.target_domain and getattr(heads, "domain_coef_", None):
        heads = copy.deepcopy(heads)
        for j, by_domain in heads.domain_coef_.items():
            if domain not in by_domain:
                raise KeyError(f"head {j} was not fitted on {domain!r} rows")
            heads.heads_[j].base.coef_ = by_domain[domain].astype(np.float64)[None, :]
        model = dataclasses.replace(
            model, pipeline=Pipeline([("features", model.features), ("heads", heads)])
        )
    kinds = marked_types(domain)
    if kinds != set(HEDGE_TYPES):
        tagger = copy.copy(model.tagger)
        tagger.read_kinds = tuple(sorted(kinds))
        model = dataclasses.replace(model, tagger=tagger)
    if hedge_combiner is not None:
        model = dataclasses.replace(
            model, card={**model.card, "hedge_combiner": hedge_combiner.as_dict()}
        )
    return model


def hedge_readings(model: CaveatModel, texts: Sequence[str], lexicon=None):
    """The model's probabilities (heads.COLUMNS) of sentences, and the two readings its hedge
    combiner joins: each sentence's hedge head score and its cue tagger's best token
    probability (columns of an (n, 2) array)."""
    if lexicon is None:
        lexicon = [find_cues(t) for t in texts]
    pred = model.predict(texts, lexicon)
    head = model.head_scores(pred.X)[:, 1]
    return pred.proba, np.column_stack([head, pred.cue_max])


def with_tagger_threshold(model: CaveatModel, threshold: float) -> CaveatModel:
    """The same model whose cue tagger marks tokens at ``threshold`` (P(hedge) is unchanged:
    the combiner reads the tagger's best token probability, not its spans)."""
    tagger = copy.copy(model.tagger)
    tagger.threshold = threshold
    return dataclasses.replace(model, tagger=tagger)


def _score_fold(model, rows, X, fitted, held, tagger_grid, tagger_rows, fit):
    """One fold: fit without the held-out rows' documents, score them (and tag the picked
    ones at each tagger threshold). One BLAS thread, whatever the process: the solvers' sums
    then run in one order, and the scores do not depend on ``n_jobs`` or the machine's CPUs."""
    with threadpool_limits(1):
        return _score_fold_now(model, rows, X, fitted, held, tagger_grid, tagger_rows, fit)


def _score_fold_now(model, rows, X, fitted, held, tagger_grid, tagger_rows, fit):
    fold = fit(model, rows, X, fitted)
    texts = [rows[i].text for i in held]
    lexicon = [find_cues(t) for t in texts]
    proba = fold.predict(texts, lexicon).proba
    own = np.empty_like(proba)
    readings = np.empty((len(held), 2))
    corpora = np.array([rows[i].corpus for i in held])
    for corpus in np.unique(corpora):
        at = np.flatnonzero(corpora == corpus)
        own[at], readings[at] = hedge_readings(
            in_domain(fold, corpus), [texts[k] for k in at], [lexicon[k] for k in at]
        )
    picked = [k for k, i in enumerate(held) if tagger_rows(rows[i])]
    spans = {}
    for t in tagger_grid:
        tagger = with_tagger_threshold(fold, t).tagger
        spans[t] = tagger.spans([texts[k] for k in picked], [lexicon[k] for k in picked])
    return held, proba, own, readings, [held[k] for k in picked], spans


def _szeged_wiki(s: LabeledSentence) -> bool:
    return s.corpus == "szeged-wiki"


def out_of_fold(
    model: CaveatModel,
    rows: Sequence[LabeledSentence],
    folds: int = FOLDS,
    tagger_grid: Sequence[float] = (),
    tagger_rows: Callable[[LabeledSentence], bool] = _szeged_wiki,
    fit: Callable = fit_fold_model,
    n_jobs: int | None = None,
) -> dict:
    """Every Szeged row's probabilities (heads.COLUMNS) from a fold model fitted without its
    document: ``proba`` as the service reads any text (news weights), ``domain_proba`` with
    the weights of the row's own corpus (``in_domain``), and ``domain_readings`` the hedge
    head score and tagger reading behind it (``hedge_readings``). For the rows
    ``tagger_rows`` picks, the tagger's spans at each threshold of ``tagger_grid`` too
    (``spans_at[t][i]``; None for rows not picked). News rows (always fitted, never held
    out) get NaN. Folds run in ``n_jobs`` processes (default: one per CPU, at most one per
    fold); the result does not depend on it."""
    X = model.features.transform([s.text for s in rows])
    proba = np.full((len(rows), len(model.heads.heads_)), np.nan)
    domain_proba = proba.copy()
    domain_readings = np.full((len(rows), 2), np.nan)
    spans_at: dict[float, list] = {t: [None] * len(rows) for t in tagger_grid}
    if n_jobs is None:
        n_jobs = min(folds, os.cpu_count() or 1)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_score_fold)(model, rows, X, fitted, held, tagger_grid, tagger_rows, fit)
        for fitted, held in szeged_folds(rows, folds)
    )
    for held, fold_proba, own, readings, picked, spans in results:
        proba[held] = fold_proba
        domain_proba[held] = own
        domain_readings[held] = readings
        for t in tagger_grid:
            for i, found in zip(picked, spans[t], strict=True):
                spans_at[t][i] = found
    return {
        "proba": proba,
        "domain_proba": domain_proba,
        "domain_readings": domain_readings,
        "spans_at": spans_at,
    }
