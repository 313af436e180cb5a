"""Scores of predictions. r2_score has a twin in the compiled trainer (Trainer::evaluate,
the validation score of early stopping); tests/test_estimators.py pins the two together."""

from __future__ import annotations

import numpy as np


def r2_score(y_true, y_pred, sample_weight=None):
    """The coefficient of determination, averaged over outputs (scikit-learn's rule
    for constant targets: 1 when predicted exactly, else 0)."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    w = w[:, None]
    ss_res = (w * (y_true - y_pred) ** 2).sum(axis=0)
    mean = (w * y_true).sum(axis=0) / w.sum()
    ss_tot = (w * (y_true - mean) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())
