"""Metrics shared by training, evaluation and benchmarks."""

from __future__ import annotations

import numpy as np


def confusion(y_true, pred) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of boolean predictions."""
    y_true = np.asarray(y_true).astype(int)
    pred = np.asarray(pred, dtype=bool)
    tp = int((pred & (y_true == 1)).sum())
    fp = int((pred & (y_true == 0)).sum())
    fn = int((~pred & (y_true == 1)).sum())
    return tp, fp, fn


def label_metrics(y_true, proba, threshold: float) -> dict:
    """Precision, recall, F1 and support of one binary label at ``threshold``."""
    y_true = np.asarray(y_true).astype(int)
    tp, fp, fn = confusion(y_true, np.asarray(proba) >= threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "support": int((y_true == 1).sum()),
        "n": int(len(y_true)),
    }


def best_threshold(y_true, proba) -> float:
    """The threshold in [0.05, 0.95] (step 0.01) with the best F1 on a tuning split."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = [label_metrics(y_true, proba, t)["f1"] for t in grid]
    return float(grid[int(np.argmax(f1))])


def expected_calibration_error(y_true, proba, bins: int = 10) -> float:
    """ECE with equal-width bins: the mean |accuracy - confidence| weighted by bin size."""
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(y_true[mask].mean() - proba[mask].mean())
    return float(ece)
