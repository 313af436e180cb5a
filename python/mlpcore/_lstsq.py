"""Exact weighted least squares with an unpenalized intercept and a ridge penalty: the
"exact" solver of a linear least-squares model, in NumPy only.

It minimizes the objective that gradient descent minimizes for squared error,

    J(W, b) = 1/(2 sum_i w_i) sum_i w_i ||x_i W + b - y_i||^2 + weight_decay/2 ||W||_F^2,

in closed form. Setting the gradient in b to zero gives b = y_mean - x_mean W (the
weighted means), so with the intercept X and Y are centered and b follows from W.
Multiplying J by 2 sum_i w_i, W minimizes

    ||sqrt(w) (X - x_mean) W - sqrt(w) (Y - y_mean)||^2 + sum_i w_i weight_decay ||W||^2,

an ordinary least-squares problem in the rows sqrt(w_i) (x_i - x_mean) stacked on the
d rows sqrt(sum_i w_i weight_decay) I (whose targets are 0). With the estimators'
weights of mean 1, sum_i w_i = n and the extra rows are sqrt(n weight_decay) I: this is
scikit-learn's Ridge with alpha = n weight_decay. The problem is solved by an SVD
(numpy.linalg.lstsq), which gives the minimum-norm W when the data is rank deficient,
as scikit-learn's LinearRegression does.
"""

from __future__ import annotations

import numpy as np


def _floating(dtype):
    """The dtype of the result: float32 and float64 stay, anything else is float64."""
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def _check_weights(sample_weight, n):
    """sample_weight as float64 of shape (n,), every weight finite and non-negative
    and their sum positive; None is weight 1 for every sample."""
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), one weight a sample, "
                         f"got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    if not w.sum() > 0:
        raise ValueError("sample_weight is zero for every sample: there is nothing to fit")
    return w


def least_squares(X, Y, sample_weight=None, *, fit_intercept=True, weight_decay=0.0):
    """(W, b, rank) minimizing 1/(2 sum w) sum_i w_i ||x_i W + b - y_i||^2 +
    weight_decay/2 ||W||_F^2, the bias unpenalized (see the module docstring).

    X is (n, d) and Y (n, k) or (n,); W is (d, k) or (d,), b (k,) or () and zero
    without fit_intercept. Computed in float64, returned in X's dtype (float32 or
    float64; float64 for anything else). rank is that of the matrix solved: the
    weighted, centered X, or d when weight_decay > 0. Rank-deficient data gets the
    W of minimum norm.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    dtype = _floating(X.dtype)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    if Y.ndim not in (1, 2) or Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have shape ({X.shape[0]},) or ({X.shape[0]}, n_targets) "
                         f"for X of shape {X.shape}, got shape {Y.shape}")
    if X.shape[0] == 0:
        raise ValueError("least_squares needs at least one sample, got 0")
    if not weight_decay >= 0 or not np.isfinite(weight_decay):
        raise ValueError(f"weight_decay must be finite and non-negative, got {weight_decay}")
    n, d = X.shape
    w = _check_weights(sample_weight, n)
    X64 = X.astype(np.float64)
    Y64 = Y.astype(np.float64).reshape(n, -1)
    if not (np.all(np.isfinite(X64)) and np.all(np.isfinite(Y64))):
        raise ValueError("X and Y must be finite: they hold NaN or infinity")
    if fit_intercept:
        total = w.sum()
        x_mean = (w @ X64) / total
        y_mean = (w @ Y64) / total
        X64, Y64 = X64 - x_mean, Y64 - y_mean
    root = np.sqrt(w)[:, None]
    A, B = root * X64, root * Y64
    if weight_decay > 0:
        A = np.vstack([A, np.sqrt(w.sum() * weight_decay) * np.eye(d)])
        B = np.vstack([B, np.zeros((d, B.shape[1]))])
    W, _, rank, _ = np.linalg.lstsq(A, B, rcond=None)
    b = y_mean - x_mean @ W if fit_intercept else np.zeros(B.shape[1])
    if Y.ndim == 1:
        W, b = W[:, 0], b[0]
    return W.astype(dtype), np.asarray(b, dtype=dtype), int(rank)
