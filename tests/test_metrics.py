"""training.metrics.f1_intervals: bootstrap intervals over documents, paired between systems."""

import numpy as np

from training.metrics import f1_intervals, label_metrics


def _data(seed: int = 1, docs: int = 100, per_doc: int = 8):
    rng = np.random.default_rng(seed)
    n = docs * per_doc
    groups = np.repeat(np.arange(docs), per_doc)
    y = rng.random(n) < 0.3
    good = np.where(rng.random(n) < 0.85, y, ~y)
    poor = np.where(rng.random(n) < 0.6, y, ~y)
    return y, good, poor, groups


def test_the_interval_holds_the_point_figure_and_is_reproducible():
    y, good, poor, groups = _data()
    out = f1_intervals(y, good, groups, poor)
    lo, hi = out["f1"]
    assert lo < label_metrics(y, good, 0.5)["f1"] < hi
    assert out == f1_intervals(y, good, groups, poor)
    assert out["documents"] == 100


def test_a_clearly_better_system_leads_by_an_interval_above_zero_and_a_twin_by_none():
    y, good, poor, groups = _data()
    assert f1_intervals(y, good, groups, poor)["minus_other"][0] > 0
    assert f1_intervals(y, poor, groups, good)["minus_other"][1] < 0
    assert f1_intervals(y, good, groups, good.copy())["minus_other"] == [0.0, 0.0]


def test_documents_not_sentences_are_resampled():
    # Each document is wholly right or wholly wrong: its sentences are one draw, not ten, so
    # the interval over documents must be wider than one that treats sentences as independent.
    rng = np.random.default_rng(2)
    docs, per_doc = 60, 10
    groups = np.repeat(np.arange(docs), per_doc)
    y = np.ones(docs * per_doc, dtype=bool)
    pred = np.repeat(rng.random(docs) < 0.6, per_doc)
    by_doc = f1_intervals(y, pred, groups)["f1"]
    by_sentence = f1_intervals(y, pred, np.arange(docs * per_doc))["f1"]
    assert by_doc[1] - by_doc[0] > 1.5 * (by_sentence[1] - by_sentence[0])
