"""The threshold study's rules and nested scoring, on curves and data whose answer is known."""

import numpy as np

import training.metrics as metrics
import training.threshold_study as ts
from tests.test_combiner_study import synthetic
from training.metrics import THRESHOLD_GRID, f1_curve, grid_argmax, steady_threshold


def _curve(peaks: dict[float, float], base: float = 0.5) -> np.ndarray:
    curve = np.full(len(THRESHOLD_GRID), base)
    for t, f1 in peaks.items():
        curve[np.isclose(THRESHOLD_GRID, t)] = f1
    return curve


def test_the_argmax_rule_is_the_one_training_used_to_model_1_7_0():
    # best_threshold is grid_argmax of the F1 curve.
    assert ts.RULES[ts.ARGMAX] is grid_argmax


def test_a_plateau_centre_ignores_a_lone_spike_at_the_plateau_edge():
    # A plateau 0.30-0.40 at 0.60, with a spike of 0.605 at 0.40: argmax takes the spike.
    curve = _curve({t: 0.60 for t in np.round(np.arange(0.30, 0.401, 0.01), 2)} | {0.40: 0.605})
    assert ts.RULES[ts.ARGMAX](curve) == 0.40
    assert ts.plateau_centre(0.01)(curve) == 0.35
    assert ts.plateau_centre(0.001)(curve) == 0.40


def test_smoothing_prefers_a_broad_hill_to_a_narrow_peak():
    curve = _curve({0.20: 0.70} | {t: 0.65 for t in np.round(np.arange(0.47, 0.536, 0.01), 2)})
    assert ts.RULES[ts.ARGMAX](curve) == 0.20
    assert ts.smoothed(3)(curve) == 0.50


def test_document_folds_keep_documents_whole_and_balanced():
    groups = np.repeat([f"d{k}" for k in range(20)], 3)
    fold = ts.document_folds(groups, 4, np.random.default_rng(0))
    for doc in np.unique(groups):
        assert len(set(fold[groups == doc])) == 1
    assert np.bincount(fold).tolist() == [15, 15, 15, 15]


def test_nested_f1_picks_thresholds_without_the_held_fold(monkeypatch):
    values = synthetic()
    y, proba = values["y-claim"], 1 / (1 + np.exp(-values["claim-head"]))
    splits, curve_rows = [], []
    real_folds = ts.document_folds

    def spy_folds(groups, folds, rng):
        splits.append(real_folds(groups, folds, rng))
        return splits[-1]

    def spy_curve(y_part, proba_part):
        curve_rows.append(len(y_part))
        return f1_curve(y_part, proba_part)

    monkeypatch.setattr(ts, "document_folds", spy_folds)
    monkeypatch.setattr(ts, "f1_curve", spy_curve)
    ts.nested_f1(y, proba, values["groups"], repeats=2, folds=5)
    # One split a repeat, shared by every rule; one curve a fold, on the other folds' rows.
    assert len(splits) == 2
    assert curve_rows == [int((fold != k).sum()) for fold in splits for k in range(5)]
    assert len(y) not in curve_rows


def test_nested_f1_scores_every_rule():
    values = synthetic()
    y, proba = values["y-claim"], 1 / (1 + np.exp(-values["claim-head"]))
    f1 = ts.nested_f1(y, proba, values["groups"], repeats=3)
    assert set(f1) == set(ts.RULES)
    for scores in f1.values():
        assert scores.shape == (3,) and (0.4 < scores).all() and (scores < 1).all()
    # An uninformative score flags no better than chance, whatever the rule.
    noise = ts.nested_f1(y, np.random.default_rng(1).random(len(y)), values["groups"], 3)
    assert max(v.mean() for v in noise.values()) < min(v.mean() for v in f1.values())


def test_steady_threshold_is_the_study_rule_of_five_steps(monkeypatch):
    # A plateau of 11 steps (0.60-0.70) and a higher lone spike at 0.20: only a window of
    # +-5 steps lies wholly on the plateau at one place, its middle; +-4 and +-6 tie over
    # three places and take the first, and the argmax takes the spike.
    curve = _curve({0.20: 0.65} | {t: 0.60 for t in np.round(np.arange(0.60, 0.701, 0.01), 2)})
    assert [ts.smoothed(w)(curve) for w in (4, 5, 6)] == [0.64, 0.65, 0.64]
    assert ts.RULES[ts.ARGMAX](curve) == 0.20
    monkeypatch.setattr(metrics, "f1_curve", lambda y_true, proba: curve)
    assert steady_threshold(None, None) == 0.65
