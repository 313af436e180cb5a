"""least_squares (the exact solver of weighted ridge least squares) against
numpy.linalg.lstsq on the explicit problem and against scikit-learn's linear models."""

import numpy as np
import pytest

from mlpcore._lstsq import least_squares

EPS = np.finfo(np.float64).eps


def rel(a, b):
    return np.linalg.norm(np.asarray(a) - b) / max(np.linalg.norm(b), 1e-300)


def objective(X, Y, w, W, b, weight_decay):
    """The objective least_squares minimizes, as gradient descent computes it."""
    r = X @ W + b - Y
    return (w @ np.sum(r * r, axis=1)) / (2 * w.sum()) + weight_decay / 2 * np.sum(W * W)


def explicit(X, Y, w, fit_intercept, weight_decay):
    """lstsq on the explicit problem: rows [x_i, 1] scaled by sqrt(w_i), and the rows
    sqrt(sum w weight_decay) I under W's columns only (the bias is not penalized)."""
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    A, B = np.sqrt(w)[:, None] * A, np.sqrt(w)[:, None] * Y
    if weight_decay > 0:
        penalty = np.sqrt(w.sum() * weight_decay) * np.eye(d, A.shape[1])
        A, B = np.vstack([A, penalty]), np.vstack([B, np.zeros((d, Y.shape[1]))])
    Z, _, rank, s = np.linalg.lstsq(A, B, rcond=None)
    return Z[:d], (Z[d] if fit_intercept else np.zeros(Y.shape[1])), s[0] / s[-1]


def problem(rng, n, d, k=3, noise=1e-3):
    X = rng.standard_normal((n, d))
    Y = X @ rng.standard_normal((d, k)) + 0.5 + noise * rng.standard_normal((n, k))
    w = rng.uniform(0.2, 3.0, n)
    return X, Y, w * n / w.sum()


def vandermonde(rng, n=80, d=13, k=3):
    """Columns t, t^2, ..., t^d on [0.1, 1]: condition number about 1e10 (weighted)."""
    X = np.vander(np.linspace(0.1, 1.0, n), d + 1, increasing=True)[:, 1:]
    Y = X @ rng.standard_normal((d, k)) + 1e-3 * rng.standard_normal((n, k))
    w = rng.uniform(0.5, 2.0, n)
    return X, Y, w * n / w.sum()


# ----------------------------------------------------------------- against the explicit problem

@pytest.mark.parametrize("weight_decay", [0.0, 1e-6, 0.1])
def test_ill_conditioned_without_intercept(weight_decay):
    X, Y, w = vandermonde(np.random.default_rng(0))
    W, b, rank = least_squares(X, Y, w, fit_intercept=False, weight_decay=weight_decay)
    Wo, _, cond = explicit(X, Y, w, False, weight_decay)
    if weight_decay == 0:
        assert cond > 5e9 and rank == X.shape[1]
    assert rel(W, Wo) <= 1e-8, rel(W, Wo)
    assert np.all(b == 0)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-6, 0.1])
def test_ill_conditioned_with_intercept(weight_decay):
    # With the intercept, least_squares centers X while the explicit problem has a
    # column of ones: two backward-stable solutions of different matrices. Their
    # fitted values and objective agree within 1e-8; W itself, in the ill-conditioned
    # case, only within cond * eps (perturbation theory of least squares).
    X, Y, w = vandermonde(np.random.default_rng(1))
    W, b, _ = least_squares(X, Y, w, weight_decay=weight_decay)
    Wo, bo, cond = explicit(X, Y, w, True, weight_decay)
    assert rel(X @ W + b, X @ Wo + bo) <= 1e-8
    Jo = objective(X, Y, w, Wo, bo, weight_decay)
    assert objective(X, Y, w, W, b, weight_decay) <= Jo * (1 + 1e-8)
    tolerance = 1e-8 if cond < 1e6 else cond * EPS
    assert rel(W, Wo) <= tolerance and rel(b, bo) <= tolerance, (rel(W, Wo), cond)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weight_decay", [0.0, 0.03])
def test_well_conditioned_matches_explicit(fit_intercept, weight_decay):
    X, Y, w = problem(np.random.default_rng(2), 50, 6)
    W, b, rank = least_squares(X, Y, w, fit_intercept=fit_intercept,
                               weight_decay=weight_decay)
    Wo, bo, _ = explicit(X, Y, w, fit_intercept, weight_decay)
    assert rel(W, Wo) <= 1e-12 and rel(b, bo) <= 1e-12 and rank == 6


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_stationary(fit_intercept, weight_decay):
    """The gradient of the objective in W (and b) vanishes at the solution."""
    X, Y, w = problem(np.random.default_rng(3), 40, 5, noise=0.3)
    W, b, _ = least_squares(X, Y, w, fit_intercept=fit_intercept, weight_decay=weight_decay)
    R = (X @ W + b - Y) * (w / w.sum())[:, None]
    assert np.max(np.abs(X.T @ R + weight_decay * W)) <= 1e-13
    if fit_intercept:
        assert np.max(np.abs(R.sum(axis=0))) <= 1e-13


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_fixed_point_of_gradient_descent(fit_intercept, weight_decay):
    """A full-batch gradient step of mlpcore's training loop (its NumPy twin), with
    weights of mean 1 as prepare_data makes them, leaves the solution where it is,
    and reports the objective least_squares minimizes."""
    import mlpcore.reference as R

    X, Y, w = problem(np.random.default_rng(16), 40, 5, noise=0.3)
    W, b, _ = least_squares(X, Y, w, fit_intercept=fit_intercept, weight_decay=weight_decay)
    weights, biases = [W.copy()], [b.copy()]
    stats = R.train_epoch(weights, biases, ["identity"], "squared_error", X, Y,
                          batch_size=len(X), learning_rate=0.1, shuffle=False,
                          weight_decay=weight_decay, fit_bias=fit_intercept,
                          sample_weight=w)
    assert np.max(np.abs(weights[0] - W)) <= 1e-14 and np.max(np.abs(biases[0] - b)) <= 1e-14
    assert stats["loss"] == pytest.approx(objective(X, Y, w, W, b, weight_decay), rel=1e-13)


# ----------------------------------------------------------------- against scikit-learn

def test_rank_deficient_is_minimum_norm():
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(4)
    base, Y, w = problem(rng, 30, 4, k=2, noise=0.1)
    X = np.hstack([base, base[:, :2], 2 * base[:, 1:2]])  # rank 4 of 7 columns
    for weights in (None, w):
        W, b, rank = least_squares(X, Y, weights)
        ref = sklearn.LinearRegression().fit(X, Y, sample_weight=weights)
        assert rank == 4
        assert rel(W, ref.coef_.T) <= 1e-8 and rel(b, ref.intercept_) <= 1e-8
    # the minimum-norm W splits a duplicated column's coefficient evenly
    np.testing.assert_allclose(W[0], W[4], rtol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weight_decay_is_ridge(weighted, fit_intercept):
    # J times 2 sum(w) is sum_i w_i ||r_i||^2 + sum(w) weight_decay ||W||^2: Ridge's
    # objective with alpha = sum(w) weight_decay, n weight_decay for weights of mean 1.
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, Y, w = problem(np.random.default_rng(5), 60, 8, noise=0.5)
    weights = w if weighted else None
    weight_decay = 0.02
    W, b, rank = least_squares(X, Y, weights, fit_intercept=fit_intercept,
                               weight_decay=weight_decay)
    ref = sklearn.Ridge(alpha=len(X) * weight_decay, fit_intercept=fit_intercept,
                        solver="svd" if weights is None else "cholesky", tol=1e-14)
    ref.fit(X, Y, sample_weight=weights)
    assert rel(W, ref.coef_.T) <= 1e-8 and rel(b, ref.intercept_) <= 1e-8
    assert rank == 8


def test_integer_weights_repeat_rows():
    X, Y, _ = problem(np.random.default_rng(6), 25, 4)
    counts = np.random.default_rng(7).integers(1, 5, len(X))
    counts[3] = 0  # weight 0 drops a sample
    for weight_decay in (0.0, 0.1):
        W, b, _ = least_squares(X, Y, counts, weight_decay=weight_decay)
        # repeated rows have sum(counts) samples: the penalty rows scale with it too
        Wr, br, _ = least_squares(np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0),
                                  weight_decay=weight_decay)
        assert rel(W, Wr) <= 1e-12 and rel(b, br) <= 1e-12


def test_weight_scale_does_not_matter():
    X, Y, w = problem(np.random.default_rng(8), 20, 3)
    W, b, _ = least_squares(X, Y, w, weight_decay=0.1)
    W2, b2, _ = least_squares(X, Y, 1e-3 * w, weight_decay=0.1)
    assert rel(W, W2) <= 1e-12 and rel(b, b2) <= 1e-12


# ----------------------------------------------------------------- shapes and dtypes

def test_multi_target_is_per_column():
    X, Y, w = problem(np.random.default_rng(9), 30, 5, k=4)
    W, b, _ = least_squares(X, Y, w, weight_decay=0.01)
    assert W.shape == (5, 4) and b.shape == (4,)
    for j in range(4):
        Wj, bj, _ = least_squares(X, Y[:, j], w, weight_decay=0.01)
        assert Wj.shape == (5,) and bj.shape == ()
        assert rel(W[:, j], Wj) <= 1e-12 and rel(b[j], bj) <= 1e-12


def test_no_intercept():
    X, Y, w = problem(np.random.default_rng(10), 30, 5)
    W, b, _ = least_squares(X, Y, w, fit_intercept=False)
    Wo, *_ = np.linalg.lstsq(np.sqrt(w)[:, None] * X, np.sqrt(w)[:, None] * Y, rcond=None)
    assert rel(W, Wo) <= 1e-12 and np.all(b == 0) and b.shape == (3,)


def test_float32_in_float32_out():
    X, Y, w = problem(np.random.default_rng(11), 40, 6)
    W64, b64, _ = least_squares(X, Y, w)
    W, b, _ = least_squares(X.astype(np.float32), Y.astype(np.float32), w)
    assert W.dtype == np.float32 and b.dtype == np.float32
    assert rel(W, W64) <= 1e-5 and rel(b, b64) <= 1e-5
    W, b, _ = least_squares(X.astype(np.int64), Y)  # integers: float64
    assert W.dtype == np.float64


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fewer_samples_than_features(fit_intercept):
    rng = np.random.default_rng(12)
    X, Y = rng.standard_normal((5, 12)), rng.standard_normal((5, 2))
    W, b, rank = least_squares(X, Y, fit_intercept=fit_intercept)
    assert rank == (4 if fit_intercept else 5)
    np.testing.assert_allclose(X @ W + b, Y, atol=1e-12)  # interpolates
    Xc = X - X.mean(axis=0) if fit_intercept else X
    Yc = Y - Y.mean(axis=0) if fit_intercept else Y
    assert rel(W, np.linalg.pinv(Xc) @ Yc) <= 1e-10  # with the minimum norm


def test_one_sample():
    x, y = np.array([[1.0, 2.0, -2.0]]), np.array([[3.0, -1.0]])
    W, b, rank = least_squares(x, y)
    assert np.all(W == 0) and np.all(b == y[0]) and rank == 0
    W, b, rank = least_squares(x, y, fit_intercept=False)
    np.testing.assert_allclose(W, x.T @ y / 9.0, rtol=1e-14)
    assert rank == 1 and np.all(b == 0)
    W, b, rank = least_squares(x, y, weight_decay=0.5)
    assert np.all(W == 0) and np.all(b == y[0]) and rank == 3


# ----------------------------------------------------------------- refusals

def test_refuses_zero_total_weight():
    X, Y, _ = problem(np.random.default_rng(13), 5, 2)
    with pytest.raises(ValueError, match="zero for every sample"):
        least_squares(X, Y, np.zeros(5))


@pytest.mark.parametrize("weights, match", [
    (np.array([1.0, -1.0, 1.0, 1.0, 1.0]), "non-negative"),
    (np.array([1.0, np.nan, 1.0, 1.0, 1.0]), "finite"),
    (np.ones(4), "shape"),
])
def test_refuses_bad_weights(weights, match):
    X, Y, _ = problem(np.random.default_rng(14), 5, 2)
    with pytest.raises(ValueError, match=match):
        least_squares(X, Y, weights)


def test_refuses_bad_input():
    X, Y, _ = problem(np.random.default_rng(15), 5, 2)
    with pytest.raises(ValueError, match="2-D"):
        least_squares(X[:, 0], Y)
    with pytest.raises(ValueError, match="Y must have shape"):
        least_squares(X, Y[:4])
    with pytest.raises(ValueError, match="at least one sample"):
        least_squares(X[:0], Y[:0])
    with pytest.raises(ValueError, match="weight_decay"):
        least_squares(X, Y, weight_decay=-1.0)
    X[1, 1] = np.inf
    with pytest.raises(ValueError, match="finite"):
        least_squares(X, Y)
