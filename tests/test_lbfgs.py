"""minimize_lbfgs on test functions with known minimizers, against scipy's L-BFGS-B, and
its rules: strong Wolfe steps, max_iter, the callback, non-finite values, determinism."""

import numpy as np
import pytest

from mlpcore._lbfgs import C1, C2, FTOL, LbfgsResult, minimize_lbfgs


def rosenbrock(x):
    f = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return f, g


def rosenbrock_start(n):
    x0 = np.full(n, -1.2)
    x0[1::2] = 1.0
    return x0


def quadratic(n, cond, seed=0):
    """0.5 x'Ax - b'x with A's eigenvalues spread over [1, cond]."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.logspace(0, np.log10(cond), n)) @ Q.T
    A = (A + A.T) / 2
    b = rng.standard_normal(n)
    return A, b, lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b)


def logistic_problem(seed=0, n=200, d=6, alpha=1e-3):
    """The mean logistic loss with an L2 penalty on data that is not separable."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(X @ rng.standard_normal(d) + rng.standard_normal(n) > 0, 1.0, -1.0)

    def fun(w):
        z = y * (X @ w)
        f = np.mean(np.logaddexp(0.0, -z)) + 0.5 * alpha * w @ w
        g = X.T @ (-y * np.exp(-np.logaddexp(0.0, z))) / n + alpha * w
        return f, g
    return fun, d


class Recorder:
    """fun, recording every point it is called at with its f and g."""

    def __init__(self, fun):
        self.fun, self.calls = fun, []

    def __call__(self, x):
        f, g = self.fun(x)
        self.calls.append((x.copy(), f, np.array(g, copy=True)))
        return f, g


# ----------------------------------------------------------------- minimizers

@pytest.mark.parametrize("n", [2, 10])
def test_rosenbrock(n):
    result = minimize_lbfgs(rosenbrock, rosenbrock_start(n), max_iter=1000, tol=1e-10)
    assert isinstance(result, LbfgsResult) and result.converged, result.message
    assert np.max(np.abs(result.x - 1.0)) <= 1e-6, np.max(np.abs(result.x - 1.0))
    f, g = rosenbrock(result.x)
    assert result.f == f and np.array_equal(result.g, g)
    assert result.n_iter < 150 and result.n_fun < 200


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ill_conditioned_quadratic(seed):
    # At condition number 1e6, L-BFGS (as scipy's L-BFGS-B, in as many iterations)
    # crawls along the flat directions until an iteration gains less than FTOL: f is
    # then within 1e-8 of its minimum, which bounds the error in the A-norm, and the
    # error is bounded by |g| / 1 (the smallest eigenvalue).
    A, b, fun = quadratic(10, 1e6, seed)
    result = minimize_lbfgs(fun, np.zeros(10), max_iter=5000, tol=1e-9)
    assert result.converged and result.n_iter < 1000, result
    expected = np.linalg.solve(A, b)
    f_min = fun(expected)[0]
    error = result.x - expected
    assert 0.0 <= result.f - f_min <= 1e-8 * abs(f_min)
    assert error @ A @ error <= 2e-8 * abs(f_min)
    assert np.linalg.norm(error) <= np.linalg.norm(result.g) + 1e-12
    assert np.linalg.norm(error) <= 1e-3 * np.linalg.norm(expected)


def test_quadratic_to_tol():
    # at condition number 1e3 the gradient rule ends the run, and x is within |g| / 1
    # of the minimizer (a much smaller tol is out of reach: near the minimum an
    # iteration gains about |g|^2 on an f of magnitude 1, and the f rule ends the run
    # once that is below FTOL)
    A, b, fun = quadratic(10, 1e3, seed=3)
    result = minimize_lbfgs(fun, np.zeros(10), max_iter=5000, tol=1e-5)
    assert result.converged and result.message == "max|g| <= tol", result
    error = np.linalg.norm(result.x - np.linalg.solve(A, b))
    assert error <= np.linalg.norm(result.g) <= np.sqrt(10) * 1e-5


def test_logistic_regression_matches_scipy():
    optimize = pytest.importorskip("scipy.optimize")
    fun, d = logistic_problem()
    ours = minimize_lbfgs(fun, np.zeros(d), max_iter=500, tol=1e-8)
    assert ours.converged
    for ftol in (2.2e-9, 1e-15):  # scipy's default, and one that lets gtol end the run
        theirs = optimize.minimize(fun, np.zeros(d), jac=True, method="L-BFGS-B",
                                   options=dict(maxiter=500, gtol=1e-8, ftol=ftol))
        assert theirs.success
        assert ours.f <= theirs.fun + 1e-13 * abs(theirs.fun)
    assert abs(ours.f - theirs.fun) <= 1e-13 * abs(theirs.fun)
    np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------- the rules

@pytest.mark.parametrize("fun, x0", [
    (rosenbrock, rosenbrock_start(10)),
    (quadratic(20, 1e4)[2], np.ones(20)),
    (logistic_problem()[0], np.zeros(6)),
])
def test_accepted_steps_satisfy_strong_wolfe(fun, x0):
    accepted = []
    record = Recorder(fun)
    result = minimize_lbfgs(record, x0, max_iter=300, tol=1e-8,
                            callback=lambda x, f: accepted.append(x))
    assert result.n_iter == len(accepted) > 3 and result.n_fun == len(record.calls)
    values = {x.tobytes(): (f, g) for x, f, g in record.calls}
    points = [x0, *accepted]
    for x, x_new in zip(points[:-1], points[1:]):
        (f, g), (f_new, g_new) = values[x.tobytes()], values[x_new.tobytes()]
        s = x_new - x  # alpha d: the conditions are invariant to the scale of d
        assert g @ s < 0  # a descent direction
        assert f_new <= f + C1 * (g @ s)
        assert abs(g_new @ s) <= C2 * abs(g @ s)


def test_max_iter_is_respected():
    calls = []
    result = minimize_lbfgs(rosenbrock, rosenbrock_start(10), max_iter=5, tol=1e-10,
                            callback=lambda x, f: calls.append(f))
    assert result.n_iter == 5 and len(calls) == 5 and not result.converged
    assert "max_iter=5" in result.message
    assert result.f < rosenbrock(rosenbrock_start(10))[0]


def test_max_iter_zero_returns_x0():
    x0 = rosenbrock_start(4)
    result = minimize_lbfgs(rosenbrock, x0, max_iter=0, tol=1e-10)
    assert np.array_equal(result.x, x0) and result.x is not x0
    assert result.n_iter == 0 and result.n_fun == 1 and not result.converged


def test_converged_at_x0():
    result = minimize_lbfgs(rosenbrock, np.ones(3), max_iter=10, tol=0.0)
    assert result.converged and result.n_iter == 0 and result.n_fun == 1


def test_callback_stops():
    result = minimize_lbfgs(rosenbrock, rosenbrock_start(6), max_iter=100, tol=1e-10,
                            callback=lambda x, f: True if f < 10 else None)
    assert not result.converged and result.message == "stopped by the callback"
    assert result.f < 10 and result.n_iter < 20


def test_ftol_stops_a_flat_run():
    # f's relative decrease is 1e-15 while its gradient is far from 0
    fun = lambda x: (1e12 + np.sum(np.cosh(x)), np.sinh(x))  # noqa: E731
    result = minimize_lbfgs(fun, np.array([0.1, 0.2]), max_iter=50, tol=0.0)
    assert result.converged and result.n_iter == 1 and "relative decrease" in result.message
    assert (fun(np.array([0.1, 0.2]))[0] - result.f) / result.f <= FTOL


def test_gradient_buffer_may_be_reused():
    buffer = np.empty(10)

    def fun(x):
        f, g = rosenbrock(x)
        buffer[...] = g
        return f, buffer
    reused = minimize_lbfgs(fun, rosenbrock_start(10), max_iter=1000, tol=1e-10)
    fresh = minimize_lbfgs(rosenbrock, rosenbrock_start(10), max_iter=1000, tol=1e-10)
    assert np.array_equal(reused.x, fresh.x) and reused.g is not buffer


def test_deterministic():
    fun, d = logistic_problem(seed=3)
    runs = [minimize_lbfgs(fun, np.zeros(d), max_iter=100, tol=1e-10) for _ in range(2)]
    runs += [minimize_lbfgs(rosenbrock, rosenbrock_start(10), max_iter=1000, tol=1e-10)
             for _ in range(2)]
    for a, b in (runs[:2], runs[2:]):
        assert np.array_equal(a.x, b.x) and a.f == b.f and np.array_equal(a.g, b.g)
        assert (a.n_iter, a.n_fun, a.message) == (b.n_iter, b.n_fun, b.message)


def test_memory_one_and_small_line_search_budget():
    result = minimize_lbfgs(rosenbrock, rosenbrock_start(4), max_iter=2000, tol=1e-8,
                            memory=1, max_line_search=5)
    assert np.max(np.abs(result.x - 1.0)) <= 1e-4, result.message


# ----------------------------------------------------------------- non-finite values

def walled(radius, center, bad=np.inf):
    """|x - center|^2, and `bad` from a distance radius of the origin on."""
    def fun(x):
        if np.linalg.norm(x) >= radius:
            return bad, np.full_like(x, bad)
        return float(np.sum((x - center) ** 2)), 2.0 * (x - center)
    return fun


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_nonfinite_shortens_the_step(bad):
    # the first step (length 1) leaves the region of radius 0.5
    record = Recorder(walled(0.5, np.array([0.3, 0.0, 0.0]), bad))
    result = minimize_lbfgs(record, np.zeros(3), max_iter=50, tol=1e-10)
    assert result.converged and np.all(np.isfinite(result.x))
    np.testing.assert_allclose(result.x, [0.3, 0.0, 0.0], atol=1e-10)
    assert any(not np.isfinite(f) for _, f, _ in record.calls)


def test_nonfinite_gradient_shortens_the_step():
    def fun(x):
        f, g = rosenbrock(x)
        return f, (g if np.linalg.norm(x - 1) < 3 else np.full_like(g, np.nan))
    result = minimize_lbfgs(fun, np.full(4, 0.5), max_iter=500, tol=1e-9)
    assert result.converged and np.max(np.abs(result.x - 1)) <= 1e-6


def test_minimizer_beyond_the_wall_stops_finite():
    # the unconstrained minimizer lies beyond the wall: the run reaches the wall, then
    # its line searches (the second from steepest descent) fail, at a finite point
    center = np.array([2.0, 1.0])
    result = minimize_lbfgs(walled(1.0, center), np.zeros(2), max_iter=200, tol=1e-12,
                            max_line_search=20)
    assert not result.converged and "line search" in result.message
    assert np.isfinite(result.f) and np.all(np.isfinite(result.g))
    assert result.f < np.sum(center ** 2) and 0.99 < np.linalg.norm(result.x) < 1.0
    assert result.n_fun <= 1 + 20 * (result.n_iter + 2)


def test_nonfinite_at_x0_raises():
    with pytest.raises(ValueError, match="not finite at x0"):
        minimize_lbfgs(walled(1.0, np.zeros(2)), np.full(2, 2.0), max_iter=10, tol=1e-6)
    with pytest.raises(ValueError, match="not finite at x0"):
        minimize_lbfgs(lambda x: (0.0, np.array([np.nan])), np.zeros(1), max_iter=10, tol=1e-6)


def test_refuses_bad_arguments():
    with pytest.raises(ValueError, match="flat"):
        minimize_lbfgs(rosenbrock, np.zeros((2, 2)), max_iter=10, tol=1e-6)
    with pytest.raises(ValueError, match="memory >= 1"):
        minimize_lbfgs(rosenbrock, np.zeros(2), max_iter=10, tol=1e-6, memory=0)
    with pytest.raises(ValueError, match="gradient of 2 values"):
        minimize_lbfgs(lambda x: (0.0, np.zeros(3)), np.zeros(2), max_iter=10, tol=1e-6)
