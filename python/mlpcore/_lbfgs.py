"""A compact L-BFGS minimizer, in NumPy only: the "lbfgs" solver's optimizer.

The search direction comes from the two-loop recursion over the last ``memory`` pairs
(s, y) = (x_{k+1} - x_k, g_{k+1} - g_k), with the initial Hessian gamma I,
gamma = s'y / y'y of the newest pair (Nocedal & Wright, Algorithm 7.4). A pair with
s'y <= eps y'y is skipped, which keeps the inverse Hessian positive definite. The step
length satisfies the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), found by
bracketing and zooming with safeguarded cubic interpolation (Algorithms 3.5 and 3.6).

The first step (and the first after a restart) moves x by at most 1: its length
along d = -g is min(1, 1/|g|_2), as in L-BFGS-B; later ones start from 1. A trial
point where f or g is not finite counts as a step too long and the step shrinks.

It stops when max|g| <= tol, when an iteration decreases f by a relative amount of at
most FTOL, (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= 1e4 eps (about 2.2e-12),
after max_iter iterations (accepted steps), or when the callback asks to. The f rule
is L-BFGS-B's with factr = 1e4 instead of scipy's default 1e7 (2.2e-9): that one
stops Rosenbrock's function in 10 dimensions 5e-6 from its minimizer, this one 3e-8
for 4 more iterations, and it stays well above the rounding of a float64 loss (a
few eps), where a stalled run would end by failed line searches instead. A line
search that fails is retried once from steepest descent with the memory cleared (as
L-BFGS-B does); a second failure in a row stops the run.
"""

from __future__ import annotations

import dataclasses
from collections import deque

import numpy as np

EPS = np.finfo(np.float64).eps
FTOL = 1e4 * EPS  # relative decrease of f an iteration below which the run stops
C1, C2 = 1e-4, 0.9  # the strong Wolfe conditions' sufficient decrease and curvature


@dataclasses.dataclass
class LbfgsResult:
    """The last accepted point x with its f and g; n_iter accepted steps and n_fun
    calls of fun; converged is True when a stopping rule on g or f was met, and
    message says which rule ended the run."""

    x: np.ndarray
    f: float
    g: np.ndarray
    n_iter: int
    n_fun: int
    converged: bool
    message: str


class _Counted:
    """fun, counting its calls and returning (f as a float, a float64 copy of g)."""

    def __init__(self, fun, size):
        self.fun, self.size, self.calls = fun, size, 0

    def __call__(self, x):
        self.calls += 1
        f, g = self.fun(x)
        g = np.array(g, dtype=np.float64, copy=True).ravel()
        if g.shape != (self.size,):
            raise ValueError(f"fun must return a gradient of {self.size} values, one for "
                             f"each of x, got {g.shape[0]}")
        return float(f), g


def _finite(f, g):
    return np.isfinite(f) and bool(np.all(np.isfinite(g)))


def _direction(g, pairs):
    """-H g by the two-loop recursion over pairs (s, y, 1/s'y), oldest first."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * (s @ q)
        q -= a * y
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= (s @ y) / (y @ y)
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q += (a - rho * (y @ q)) * s
    return -q


def _cubic_min(a, fa, da, b, fb, db):
    """The minimizer of the cubic matching f and f' at a and b (Nocedal & Wright,
    eq. 3.59), or NaN when it has none."""
    with np.errstate(all="ignore"):
        d1 = da + db - 3.0 * (fa - fb) / (a - b)
        d2 = np.sign(b - a) * np.sqrt(d1 * d1 - da * db)
        return b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)


class _LineSearch:
    """A step along d from x satisfying the strong Wolfe conditions, in at most
    max_evals calls of fun. A trial with a non-finite f or g is a step too long."""

    def __init__(self, fun, x, f, g, d, max_evals):
        self.fun, self.x, self.d, self.max_evals = fun, x, d, max_evals
        self.f0, self.df0 = f, float(g @ d)
        self.evals = 0

    def _eval(self, alpha):
        self.evals += 1
        with np.errstate(over="ignore", invalid="ignore"):
            x = self.x + alpha * self.d
        f, g = self.fun(x)
        if not _finite(f, g):
            return x, np.inf, g, np.nan
        return x, f, g, float(g @ self.d)

    def _armijo(self, alpha, f):
        return f <= self.f0 + C1 * alpha * self.df0

    def _curvature(self, df):
        return abs(df) <= -C2 * self.df0

    def search(self, alpha):
        """(x, f, g) at an accepted step, or None when none was found."""
        prev = (0.0, self.f0, self.df0)
        while self.evals < self.max_evals:
            x, f, g, df = self._eval(alpha)
            if not np.isfinite(f) or not self._armijo(alpha, f) or (
                    prev[0] > 0 and f >= prev[1]):
                return self._zoom(prev, (alpha, f, df))
            if self._curvature(df):
                return x, f, g
            if df >= 0:
                return self._zoom((alpha, f, df), prev)
            # still descending with sufficient decrease: extrapolate to 2x to 5x the step
            low, high = alpha + (alpha - prev[0]), alpha + 4.0 * (alpha - prev[0])
            guess = _cubic_min(prev[0], prev[1], prev[2], alpha, f, df)
            prev = (alpha, f, df)
            alpha = float(np.clip(guess, low, high)) if np.isfinite(guess) else high
        return None

    def _zoom(self, lo, hi):
        """Algorithm 3.6: lo satisfies the sufficient decrease and has the lowest f so
        far, and the interval between lo and hi holds a strong Wolfe step."""
        while self.evals < self.max_evals:
            width = hi[0] - lo[0]
            alpha = _cubic_min(*lo, *hi) if np.isfinite(hi[1]) else np.nan
            # safeguard: at least a tenth of the interval from either end, else bisect
            t = (alpha - lo[0]) / width
            if not 0.1 <= t <= 0.9:  # False for NaN too
                alpha = lo[0] + 0.5 * width
            if alpha == lo[0] or alpha == hi[0]:
                return None  # the interval is below the resolution of the step
            x, f, g, df = self._eval(alpha)
            if not np.isfinite(f) or not self._armijo(alpha, f) or f >= lo[1]:
                hi = (alpha, f, df)
                continue
            if self._curvature(df):
                return x, f, g
            if df * width >= 0:
                hi = lo
            lo = (alpha, f, df)
        return None


def minimize_lbfgs(fun, x0, *, max_iter, tol, memory=10, max_line_search=20,
                   callback=None) -> LbfgsResult:
    """Minimize fun from x0 by L-BFGS (see the module docstring for the rules).

    fun(x) returns (f, g), the value and gradient at a flat float64 vector x; g is
    copied, so fun may reuse its buffer. max_iter bounds the accepted steps (0 returns
    x0 evaluated), tol the gradient's max-norm at convergence, memory the pairs kept,
    max_line_search the calls of fun per line search. callback(x, f), after each
    iteration, may return True to stop. A non-finite f or g at x0 is a ValueError;
    during a line search it only shortens the step.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a flat (1-D) vector, got shape {x.shape}")
    if max_iter < 0 or memory < 1 or max_line_search < 1 or not tol >= 0:
        raise ValueError(f"need max_iter >= 0, memory >= 1, max_line_search >= 1 and tol >= 0,"
                         f" got {max_iter}, {memory}, {max_line_search} and {tol}")
    fun = _Counted(fun, x.size)
    f, g = fun(x)
    if not _finite(f, g):
        raise ValueError(f"fun is not finite at x0: f = {f}, "
                         f"{np.count_nonzero(~np.isfinite(g))} non-finite gradient values")
    pairs = deque(maxlen=memory)
    n_iter, converged, message = 0, False, f"max_iter={max_iter} iterations reached"
    if np.max(np.abs(g), initial=0.0) <= tol:
        return LbfgsResult(x, f, g, 0, fun.calls, True, "max|g| <= tol at x0")
    while n_iter < max_iter:
        d = _direction(g, pairs)
        if pairs and not g @ d < 0:  # not a descent direction: start over
            pairs.clear()
            d = -g
        # a first step (or one after a restart) moves x by at most 1
        alpha = 1.0 if pairs else min(1.0, 1.0 / np.linalg.norm(d))
        step = _LineSearch(fun, x, f, g, d, max_line_search).search(alpha)
        if step is None:
            if pairs:
                pairs.clear()
                continue
            message = "the line search found no step satisfying the strong Wolfe conditions"
            break
        x_new, f_new, g_new = step
        s, y = x_new - x, g_new - g
        sy = s @ y
        if sy > EPS * (y @ y):
            pairs.append((s, y, 1.0 / sy))
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        n_iter += 1
        if np.max(np.abs(g), initial=0.0) <= tol:
            converged, message = True, "max|g| <= tol"
        elif decrease <= FTOL:
            converged, message = True, f"relative decrease of f <= {FTOL:.2g}"
        stop = callback is not None and callback(x.copy(), f) is True
        if converged:
            break
        if stop:
            message = "stopped by the callback"
            break
    return LbfgsResult(x, f, g, n_iter, fun.calls, converged, message)
