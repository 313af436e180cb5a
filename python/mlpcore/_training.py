"""Training an estimator, in the steps scikit-learn's ``BaseMultilayerPerceptron._fit``
takes: prepare the data, make the trainer, run the epochs, with the stopping rule as
its own object.

A solver is a function ``solver(model, data, epochs)`` in ``SOLVERS``; "gd" and
"sgd" both run the compiled epoch loop (``_core.Trainer``), with the whole data or
minibatches as a batch. A new solver (lbfgs, adam) is a new function there.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import warnings

import numpy as np

from . import _core
from ._exceptions import ConvergenceWarning
from ._lbfgs import minimize_lbfgs
from ._lstsq import least_squares
from ._state import EPOCH_STATS, HISTORY, VALIDATION
from ._validation import (
    all_finite,
    as_array,
    assert_all_finite,
    check_consistent_length,
    check_random_state,
    check_sample_weight,
)

# learning_rate="auto" of solver="adam": scikit-learn's learning_rate_init.
ADAM_STEP = 1e-3
# A fit diverges once its loss exceeds this many times its scale (see _check_divergence).
_DIVERGENCE_FACTOR = 1e10
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def warn(message, category):
    """warnings.warn pointing at the first caller outside mlpcore: the user's fit call."""
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is warn's caller
    while frame is not None and os.path.dirname(
            os.path.abspath(frame.f_code.co_filename)) == _PACKAGE:
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)


def make_rng(random_state) -> np.random.Generator:
    """A Generator from None, an int, a Generator or a legacy RandomState."""
    rng = check_random_state(random_state)
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(0, 2**32))
    return rng


def _power_iteration(matvec, dim, dtype, iterations=50, seed=0, rtol=1e-3):
    """Largest eigenvalue of a symmetric positive semi-definite operator, stopped once
    an iteration changes the estimate by less than rtol (relative): the estimate
    rises towards the eigenvalue, so a step of 1/L is then at most 1 + rtol times
    1/L, far below the 2/L where gradient descent stops converging."""
    v = np.random.default_rng(seed).standard_normal(dim)
    v /= np.linalg.norm(v)
    value = 0.0
    # X is not yet checked for NaN and infinity here (the first epoch does that)
    with np.errstate(invalid="ignore", over="ignore"):
        for _ in range(iterations):
            w = matvec(v.astype(dtype)).astype(np.float64)
            previous, value = value, float(np.linalg.norm(w))
            if value == 0.0 or not np.isfinite(value):
                return value
            v = w / value
            if abs(value - previous) <= rtol * value:
                break
    return value


def _memory_bytes():
    """The machine's physical memory, or None where the platform does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def mean_one(weights, what="sample_weight"):
    """weights scaled to mean 1, divided by their maximum first so that neither their
    sum (uniform weights of 1e308) nor its inverse (subnormal weights) overflows;
    uniform weights of any value become exactly 1."""
    top = weights.max()
    if not top > 0:
        raise ValueError(f"{what} is zero for every sample: there is nothing to fit")
    weights = weights / top
    return weights * (len(weights) / weights.sum())


# -------------------------------------------------------------------------- the data

@dataclasses.dataclass
class TrainingData:
    """What the epochs train on: X, the encoded target and the sample weights (mean
    1), and the held-out part (X, target, weights) when stopping early."""

    X: np.ndarray
    target: np.ndarray
    sample_weight: np.ndarray
    n_outputs: int
    uniform: bool  # every weight is 1: the compiled loop skips them
    first: bool  # a fresh start: the weights are initialized
    validation: tuple | None = None
    weight_scale: float = 1.0  # the mean sample weight: scales the loss (partial_fit)

    @property
    def weights_arg(self):
        """The sample weights as the compiled loop takes them."""
        return None if self.uniform else self.sample_weight


def prepare_data(model, X, y, sample_weight, *, first, classes, incremental):
    """X, y and sample_weight checked, the target encoded and everything in the dtype
    of the weights.

    fit minimizes sum_i w_i loss_i / sum_i w_i, which does not depend on the scale
    of the weights (they are brought to mean 1). partial_fit takes the weights as
    they are, as scikit-learn's SGD does: a sample of weight 0.5 moves the weights
    half as far as one of weight 1, in this call and the next."""
    # X's finiteness is checked by the first epoch, row by row as its batches are
    # formed, instead of by a separate pass over the data.
    X = model._check_X(X, reset=first, ensure_finite=False)
    if y is None:
        raise ValueError(
            f"{type(model).__name__} requires y to be passed, but the target y is None")
    y = as_array(y, "y")
    check_consistent_length(X, y)
    target, n_outputs = model._encode_target(y, first=first, classes=classes,
                                             incremental=incremental)
    dtype = X.dtype if first else model._dtype
    X = X.astype(dtype, copy=False)
    if target.dtype.kind == "f":  # targets train in the dtype of the weights
        target = target.astype(dtype, copy=False)
    sample_weight = check_sample_weight(sample_weight, X.shape[0], np.float64)
    if incremental:
        sample_weight = sample_weight * model._class_weights(target)
        if not sample_weight.max(initial=0.0) > 0:
            raise ValueError("sample_weight is zero for every sample: there is nothing to fit")
        scale = float(np.mean(sample_weight / sample_weight.max())) * sample_weight.max()
    else:
        # Weights with mean 1 make the minibatch gradient an unbiased estimate of
        # the gradient of sum_i w_i loss_i / sum_i w_i.
        sample_weight = mean_one(mean_one(sample_weight) * model._class_weights(target),
                                 "sample_weight times class_weight")
        scale = 1.0
    sample_weight = sample_weight.astype(dtype)
    return TrainingData(X, target, sample_weight, n_outputs, weight_scale=scale,
                        uniform=bool(np.all(sample_weight == 1)), first=first)


def check_size(model, n_samples, n_features, n_outputs, dtype):
    """ValueError, before anything is allocated, for a network whose training needs
    more memory than the machine has: per parameter its weight, velocity, second
    moment, average and gradient, and the copies of the first four that a warm fit
    keeps to restore (9 in all), and the trainer's buffers of a batch of rows (at least 256, its chunk) per
    layer."""
    sizes = [n_features, *model._hidden_sizes(), n_outputs]
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    batch = n_samples if model.solver in ("gd", "lbfgs", "exact") else min(
        int(model.batch_size), n_samples)
    n_values = 9 * n_params + max(batch, 256) * sum(sizes[1:]) + 2 * batch * max(sizes)
    need, limit = n_values * np.dtype(dtype).itemsize, _memory_bytes()
    if limit is not None and need > limit:
        raise ValueError(
            f"{type(model).__name__} with layer sizes {sizes} has {n_params:,} parameters "
            f"and needs about {need / 2**30:,.1f} GiB to train, more than the "
            f"{limit / 2**30:,.1f} GiB of memory of this machine: use smaller "
            f"hidden_layer_sizes or {'batch_size' if model.solver == 'sgd' else 'solver=sgd'}")


def validation_split(model, strata, n, rng):
    """Indices of the training and validation parts, stratified by class when
    strata (class indices) is given."""
    fraction = model.validation_fraction
    order = rng.permutation(n)
    if strata is None:
        val = order[:max(1, int(round(fraction * n)))]
    else:
        val = []
        for c in np.unique(strata):
            members = order[strata[order] == c]
            val.extend(members[: int(round(fraction * len(members)))])
    val = np.sort(np.asarray(val, dtype=np.int64))
    train = np.setdiff1d(np.arange(n), val)
    # A score on one sample (or on fewer samples than classes) is 0 or 1 by chance.
    needed = 2 if strata is None else max(2, len(np.unique(strata)))
    if len(val) < needed or len(train) == 0:
        raise ValueError(
            f"The validation set is too small: validation_fraction={fraction} of {n} "
            f"samples gives {len(val)} validation and {len(train)} training samples; "
            f"early stopping needs at least {needed} validation samples"
            f"{' (one per class)' if strata is not None else ''} and one to train on. "
            "Use more data, a larger validation_fraction or early_stopping=False.")
    return train, val


def hold_out(model, data):
    """data with validation_fraction of it held out for early stopping."""
    train, val = validation_split(model, model._strata(data.target), len(data.X),
                                  make_rng(model.random_state))
    X, target, weight = data.X, data.target, data.sample_weight
    validation = (X[val], target[val], weight[val])
    if not all_finite(validation[0]):  # rows the epochs never see
        refuse_nonfinite(validation[0])
    return dataclasses.replace(
        data, X=X[train], target=target[train], validation=validation,
        sample_weight=mean_one(weight[train], "sample_weight of the training part"))


def refuse_nonfinite(X):
    """check_array's error for X, which holds NaN or infinity."""
    assert_all_finite(X)
    raise AssertionError("a non-finite row was reported in an X without one")


# -------------------------------------------------------------------------- the step size

# Above this many rows the largest eigenvalue is estimated on a sample of SAMPLE_ROWS.
SAMPLE_ABOVE, SAMPLE_ROWS = 200_000, 100_000


def _largest_eigenvalue(X, sample_weight, bias):
    """The largest eigenvalue of Phi^T diag(w) Phi / n with Phi = [X, 1 (bias)]."""
    n = X.shape[0]
    w = sample_weight.astype(X.dtype)

    def matvec(v):
        head, tail = v[:-1], v[-1] * bias
        u = (_core.matmul(X, head[:, None])[:, 0] + tail) * w
        return np.concatenate([_core.matmul(X.T, u[:, None])[:, 0], [u.sum() * bias]]) / n

    return _power_iteration(matvec, X.shape[1] + 1, X.dtype)


def _sampled_eigenvalue(X, sample_weight, bias, per_sample_max):
    """The largest eigenvalue of a tall X's operator, from SAMPLE_ROWS rows drawn
    uniformly, divided by 0.9; None where the bound below does not make that safe.

    With v the top eigenvector of the whole operator (eigenvalue lam) and s sampled
    rows, Z = sum_{i in S} w_i (v . phi_i)^2 has mean s lam and terms in [0, R], R =
    max_i w_i ||phi_i||^2, so by Chernoff's bound P(Z < 0.9 s lam) <= exp(-0.005 s
    lam / R). The sample's eigenvalue is at least Z / s, so it falls below 0.9 lam, and
    the step 1/L above the true 1/L, with probability at most exp(-0.005 s lam_S / R),
    which is required to be below 1e-9."""
    rows = np.sort(np.random.default_rng(0).choice(X.shape[0], SAMPLE_ROWS, replace=False))
    estimate = _largest_eigenvalue(X[rows], sample_weight[rows], bias)
    if not (np.isfinite(estimate) and per_sample_max > 0):
        return None
    if -0.005 * SAMPLE_ROWS * estimate / per_sample_max > np.log(1e-9):
        return None  # a few rows dominate: the sample may miss them
    return estimate / 0.9


def lipschitz(model, X, sample_weight, scale):
    """L of a linear model's mean loss: scale times the largest eigenvalue of
    Phi^T diag(w) Phi / n with Phi = [X, 1], plus the weight decay (on more than
    SAMPLE_ABOVE rows, estimated on a sample with the bound of _sampled_eigenvalue).
    For "sgd" with batches of B samples, the expected smoothness of the minibatch
    gradient, L_B = n (B - 1) / (B (n - 1)) L + (n - B) / (B (n - 1)) L_max, with
    L_max the largest per-sample constant (Gower et al., 2019)."""
    bias = 1.0 if model.fit_intercept else 0.0
    n = X.shape[0]
    per_sample_max = None
    if n > SAMPLE_ABOVE or model.solver == "sgd":
        with np.errstate(invalid="ignore", over="ignore"):  # X is checked by epoch 1
            per_sample_max = float(((np.einsum("ij,ij->i", X, X, dtype=np.float64) + bias)
                                    * sample_weight).max())
    eigenvalue = None
    if n > SAMPLE_ABOVE:
        eigenvalue = _sampled_eigenvalue(X, sample_weight, bias, per_sample_max)
    if eigenvalue is None:
        eigenvalue = _largest_eigenvalue(X, sample_weight, bias)
    return combine_lipschitz(model, n, scale, eigenvalue, per_sample_max)


def combine_lipschitz(model, n, scale, eigenvalue, per_sample_max):
    """L from the operator's largest eigenvalue (and, for "sgd", the largest
    per-sample constant), as lipschitz describes; also for data spread over a cluster."""
    L = scale * eigenvalue
    B = min(int(model.batch_size), n)
    if model.solver == "sgd" and n > 1 and B < n:
        L_max = scale * per_sample_max
        L = (n * (B - 1) * L + (n - B) * L_max) / (B * (n - 1))
    return L + model.weight_decay


def learning_rate(model, X, sample_weight):
    """The step size: the model's learning_rate, or for "auto" 1/L where the model
    has a Lipschitz constant (a linear model of a smooth loss), else its default."""
    return step_size(model, lambda scale: lipschitz(model, X, sample_weight, scale))


def step_size(model, lipschitz_of):
    """learning_rate with L = lipschitz_of(scale) computed only where it is needed."""
    if model.solver == "adam":  # Adam's steps do not scale with the gradient: no 1/L
        return ADAM_STEP if model.learning_rate == "auto" else float(model.learning_rate)
    scale = model._lipschitz_scale()
    if scale is None:
        return model._default_step if model.learning_rate == "auto" else float(
            model.learning_rate)
    if model.learning_rate == "auto":
        L = lipschitz_of(scale)
        return 1.0 / L if L > 0 else 1.0
    if model.solver == "gd":
        L = lipschitz_of(scale)
        if L > 0 and model.learning_rate >= 2.0 / L:
            warn(f"learning_rate={model.learning_rate} is at least 2/L = {2.0 / L:.4g} for "
                 "this data: gradient descent will not converge (use a step below 2/L, "
                 "or learning_rate='auto' for 1/L)", UserWarning)
    return float(model.learning_rate)


# -------------------------------------------------------------------------- stopping

def _rising(losses, n):
    """The last n epochs each raised the loss: a fit moving away, not a plateau."""
    tail = losses[-n - 1:]
    return len(tail) == n + 1 and all(a < b for a, b in zip(tail[:-1], tail[1:]))


class StoppingRule:
    """Stop once the training loss (or, on_validation, minus the validation score)
    has not improved by tol for n_iter_no_change epochs, keeping the parameters of
    the best validation score; tol=None or n_iter_no_change=inf never stops.
    scikit-learn's ``_update_no_improvement_count``.

    Full-batch gradient descent (relative_gradient) instead stops once the gradient's
    norm falls to tol times its norm at the start of the fit: a criterion that does
    not depend on the scale of the loss, which an absolute loss change does (a loss
    of 1e-3 that falls by 1e-8 an epoch is far from converged)."""

    def __init__(self, tol, n_iter_no_change, *, on_validation, relative_gradient=False):
        self.tol, self.patience, self.on_validation = tol, n_iter_no_change, on_validation
        self.relative_gradient = relative_gradient and not on_validation
        self.best, self.stall, self.best_params, self.first_gradient = None, 0, None, None
        self.epochs, self.best_epoch = 0, None  # epochs of this fit seen, the best one

    def reason(self) -> str:
        """Why the rule stopped the fit, for verbose output."""
        if self.relative_gradient:
            return f"the gradient's norm fell to tol={self.tol} times its first value"
        if self.on_validation:
            return (f"the validation score did not improve by tol={self.tol} for "
                    f"{self.patience} epochs; the weights of epoch {self.best_epoch} of this "
                    "fit, the best on validation, are restored")
        return f"the training loss did not improve by tol={self.tol} for {self.patience} epochs"

    def update(self, history, snapshot) -> bool:
        """Whether to stop after the epoch just recorded in history; snapshot()
        copies the parameters when they are the best on validation so far."""
        if self.tol is None:
            return False
        self.epochs += 1
        if self.relative_gradient:
            if self.patience == np.inf:  # n_iter_no_change=inf: never stop early
                return False
            norm, losses = history["grad_norm"][-1], history["loss"]
            if self.first_gradient is None:
                self.first_gradient = norm
                return norm == 0
            # a loss that rose over the last step has not converged, whatever tol says
            return norm <= self.tol * self.first_gradient and losses[-1] <= losses[-2]
        metric = -history["val_score"][-1] if self.on_validation else history["loss"][-1]
        if self.best is None:
            self.best, self.best_epoch = metric, self.epochs
            self.best_params = snapshot() if self.on_validation else None
            return False
        # an epoch that does not beat the best by tol counts as no improvement; the
        # best moves on any improvement (a slow steady decline stops, as in scikit-learn)
        self.stall = 0 if metric < self.best - self.tol else self.stall + 1
        if metric < self.best:
            self.best = metric
            self.best_epoch = self.epochs
            if self.on_validation:
                self.best_params = snapshot()
        # a loss that rose at every epoch is moving away: it has not converged
        return self.stall >= self.patience and not _rising(history["loss"], self.patience)


def _snapshot(model):
    return [a.copy() for a in _restorable(model)]


def _restorable(model):
    """The arrays the best snapshot holds: weights, biases and their averages."""
    return [a for pair in zip(model._weights, model._biases) for a in pair] + [
        a for pair in model._average for a in pair]


def _restore(model, saved):
    for target, value in zip(_restorable(model), saved):
        target[...] = value


# -------------------------------------------------------------------------- divergence

def _loss_scale(model, data, start):
    """The larger of the loss of a zero output and start, the loss of the starting
    weights: a scale that no fit that converges exceeds by orders of magnitude."""
    zero = model._loss.zero_output_loss(data.target, data.n_outputs) * data.weight_scale
    return max(zero, start) if np.isfinite(start) else zero  # X is checked by epoch 1


def _starting_loss(trainer, data):
    """The loss of the starting weights on at most 1024 rows spread over the data (a
    scale, not a measurement)."""
    X, target, weights = data.X, data.target, data.weights_arg
    rows = slice(None, None, -(-len(X) // 1024))
    start, _ = trainer.evaluate(np.ascontiguousarray(X[rows]), target[rows],
                                None if weights is None else weights[rows])
    return start


def _check_divergence(model, loss, scale, epoch, lr):
    """ValueError once the fit diverges: after an epoch, the training loss or a
    parameter is NaN or infinite, or the loss exceeds _DIVERGENCE_FACTOR times its
    scale (_loss_scale), where no learning rate that converges takes it."""
    if not np.isfinite(loss):
        what = f"the training loss became {loss}"
    elif not all(all_finite(a) for a in model._arrays_updated_in_place()):
        what = "the weights became NaN or infinite"
    elif scale is not None and scale > 0 and loss > _DIVERGENCE_FACTOR * scale:
        what = (f"the training loss grew to {loss:.4g}, over {_DIVERGENCE_FACTOR:.0e} times "
                f"the larger of its loss at the start and a zero output's ({scale:.4g})")
    else:
        return
    advice = ("" if lr is None else
              f" Use a smaller learning_rate than the {lr:.4g} used.")  # None: no step size
    raise ValueError(
        f"{type(model).__name__} diverged at epoch {epoch} of this fit: {what}.{advice} The "
        "estimator is left as it was before this fit.")


# -------------------------------------------------------------------------- the fit

# Solvers that see all the data at every step: no partial_fit, no validation set.
FULL_DATA_SOLVERS = ("exact", "lbfgs")


def _refuse_contradictions(model, incremental):
    """ValueError for settings that contradict the call, as scikit-learn raises them."""
    if model.solver in FULL_DATA_SOLVERS:
        if incremental:
            raise ValueError(
                f"partial_fit needs a solver that learns from one batch at a time ('sgd', "
                f"'adam' or 'gd'); solver={model.solver!r} works on all the data at once")
        if model.early_stopping:
            raise ValueError(f"early_stopping=True needs an iterative solver that runs "
                             f"epochs ('sgd', 'adam' or 'gd'), not solver={model.solver!r}")
    if incremental and model.early_stopping:
        raise ValueError("partial_fit does not support early_stopping=True: there is no "
                         "validation set across calls. Use fit, or early_stopping=False.")
    if incremental and getattr(model, "class_weight", None) == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: the class "
            "frequencies of one batch are not those of the data. Pass class_weight as a "
            "dict computed on all the data (sklearn.utils.class_weight."
            "compute_class_weight) instead.")


def _stopping_goal(model):
    """What tol asks of the solver, for the warning when max_epochs comes first."""
    if model.solver == "lbfgs":
        return f"every component of the gradient fell to tol={model.tol} or below"
    if model.solver == "gd" and not model.early_stopping:
        return f"the gradient's norm fell to tol={model.tol} times its first value"
    return f"no improvement of {model.tol} in {model.n_iter_no_change} epochs"


def fit(model, X, y, sample_weight, *, incremental, classes=None):
    """One fit (or, incremental, one epoch of partial_fit) of model on (X, y).

    Continuing (partial_fit, or fit with warm_start) starts from the published
    coef_/coefs_ (see _SGDModel._absorb_published). n_iter_ counts the epochs of
    this fit, and of all partial_fit calls since the last fit; t_ counts updates:
    a warm fit of a linear model restarts it (and the schedule), a warm fit of a
    network continues it, as scikit-learn's SGD models and MLPs do."""
    _refuse_contradictions(model, incremental)
    first = not (incremental or model.warm_start) or not hasattr(model, "_weights")
    if not first:
        model._absorb_published()
    data = prepare_data(model, X, y, sample_weight, first=first, classes=classes,
                        incremental=incremental)
    check_size(model, *data.X.shape, data.n_outputs, data.X.dtype)
    rng = make_rng(model.random_state if first else None)
    if first:
        model._init_parameters(data.X.shape[1], data.n_outputs, data.X.dtype, rng)
        model.history_ = {key: [] for key, _ in (*HISTORY, *model._loss.history_fields)}
    if not incremental:
        model.n_iter_ = 0
        if not first:
            model._fresh_optimizer()
    elif first:
        model.n_iter_ = 0
    if model.early_stopping and not incremental:
        data = hold_out(model, data)
        for key, _ in VALIDATION:
            model.history_.setdefault(key, [])
    epochs = 1 if incremental else int(model.max_epochs)
    model._stop_reason = None
    converged = SOLVERS[model.solver](model, data, epochs)
    conclude(model, converged, epochs, incremental=incremental)


def conclude(model, converged, epochs, *, incremental=False):
    """converged_ set, and a ConvergenceWarning when a fit ended before its goal."""
    reason = model.__dict__.pop("_stop_reason", None)
    model.converged_ = converged
    if not converged and not incremental:
        goal = model._loss.goal
        if reason is not None and model.n_iter_ < epochs:  # stopped before max_epochs
            warn(f"{type(model).__name__} did not converge: {model.solver} stopped after "
                 f"{model.n_iter_} iterations because {reason}", ConvergenceWarning)
        elif goal is not None or model.tol is not None:
            what = goal or _stopping_goal(model)
            warn(f"{type(model).__name__} did not converge: max_epochs={model.max_epochs} "
                 f"reached before {what}", ConvergenceWarning)


def _optimizer(model):
    """The compiled loop's optimizer settings for the model's solver."""
    if model.solver == "adam":  # momentum and nesterov are SGD's, as in scikit-learn
        return dict(optimizer="adam", beta1=float(model.beta_1), beta2=float(model.beta_2),
                    epsilon=float(model.epsilon), second_moments=model._second_moment)
    # momentum 0 is plain SGD whatever nesterov says, as in scikit-learn
    return dict(momentum=float(model.momentum),
                nesterov=bool(model.nesterov) and model.momentum > 0)


def make_trainer(model, data, lr):
    """The compiled epoch loop over the model's arrays, which it updates in place."""
    full_batch = model.solver in ("gd", "lbfgs")
    trainer = _core.Trainer(
        model._weights, model._biases, model._activations(), model._loss.name,
        data.X.shape[0], batch_size=data.X.shape[0] if full_batch else int(
            model.batch_size), shuffle=bool(model.shuffle) and not full_batch,
        learning_rate=lr, schedule=model.schedule, power_t=float(model.power_t),
        weight_decay=float(model.weight_decay), fit_bias=model._fit_bias(),
        velocities=model._velocity, averages=model._average, **_optimizer(model),
    )
    trainer.rng_state, trainer.step = model._rng_state, model._step
    trainer.optimizer_step = model._optimizer_step
    trainer.average_count = model._average_count
    return trainer


def _progress(model, epochs):
    if not model.verbose:
        return None
    from ._progress import EpochProgress

    return EpochProgress(type(model).__name__, epochs)


def _run_epoch(model, trainer, data, epoch, scale, lr):
    """One epoch of the compiled loop, checked and recorded in history_; its stats."""
    start = time.perf_counter()
    averaging = bool(model.average) and model._epochs_done + 1 >= int(model.average)
    stats = trainer.epoch(data.X, data.target, data.weights_arg, average=averaging,
                          check_finite=epoch == 0)
    if stats["nonfinite_row"] >= 0:
        refuse_nonfinite(data.X)
    _check_divergence(model, stats["loss"], scale, epoch + 1, lr)
    model._epochs_done += 1
    model.n_iter_ += 1
    history = model.history_
    for key, _ in (*EPOCH_STATS, *model._loss.history_fields):
        history[key].append(stats[key])
    if data.validation is not None:
        vloss, vscore = trainer.evaluate(*data.validation,
                                         use_average=trainer.average_count > 0)
        history["val_loss"].append(vloss)
        history["val_score"].append(vscore)
    history["seconds"].append(time.perf_counter() - start)
    return stats


def compiled_loop(model, data, epochs) -> bool:
    """Runs up to epochs epochs of the compiled loop; whether the fit converged."""
    # The step size follows the data, not the unit of partial_fit's raw weights, which
    # then scale each sample's step (weight_scale is 1 for fit).
    lr = learning_rate(model, data.X, data.sample_weight / data.weight_scale)
    trainer = make_trainer(model, data, lr)
    # With one batch an epoch (gd, or no more rows than batch_size: partial_fit on a
    # minibatch) the first epoch reports the loss of the starting weights itself, and
    # the scale is taken from it instead of from a forward pass of its own.
    one_batch = model.solver == "gd" or len(data.X) <= int(model.batch_size)
    scale = None if one_batch else _loss_scale(model, data, _starting_loss(trainer, data))
    rule = StoppingRule(model.tol, model.n_iter_no_change + model._extra_patience,
                        on_validation=data.validation is not None,
                        relative_gradient=model.solver == "gd")
    converged, reason = False, None
    progress = _progress(model, epochs)
    try:
        for epoch in range(epochs):
            stats = _run_epoch(model, trainer, data, epoch, scale, lr)
            if scale is None:
                scale = _loss_scale(model, data, stats["loss"])
            if progress is not None:
                progress.update(model.history_)
            if model._loss.reached_goal(stats):
                converged, reason = True, model._loss.goal
                break
            if rule.update(model.history_, lambda: _snapshot(model)):
                converged, reason = True, rule.reason()
                break
        if model.solver == "gd":  # an epoch reports the loss of the weights it started from
            final_loss, _ = trainer.evaluate(data.X, data.target, data.weights_arg)
            _check_divergence(model, final_loss, scale, epoch + 1, lr)
    finally:
        if progress is not None:
            progress.close(reason)
    if rule.best_params is not None:
        _restore(model, rule.best_params)
    model._rng_state, model._step = trainer.rng_state, trainer.step
    model._optimizer_step = trainer.optimizer_step
    model._average_count = trainer.average_count
    model.t_ = model._step
    return converged


# -------------------------------------------------------------------------- exact least squares

def exact(model, data, epochs) -> bool:
    """The least-squares solution in closed form (weighted, ridge when weight_decay >
    0), by an SVD that gives the minimum-norm weights on rank-deficient data; one
    entry in history_."""
    start = time.perf_counter()
    _require_finite(data)
    # one memory order, so that a DataFrame and its array give bitwise the same fit
    W, b, _ = least_squares(np.ascontiguousarray(data.X), data.target, data.sample_weight,
                            fit_intercept=model._fit_bias(),
                            weight_decay=float(model.weight_decay))
    model._weights[0][...] = W
    model._biases[0][...] = b
    _no_average(model)
    X, W64 = data.X.astype(np.float64), W.astype(np.float64)
    w, decay = data.sample_weight.astype(np.float64), float(model.weight_decay)
    residual = X @ W64 + b - data.target
    loss = float(np.einsum("i,ij,ij->", w, residual, residual)) / (2 * w.sum()) + (
        0.5 * decay * float(np.sum(W64 * W64)))
    weighted = residual * (w / w.sum())[:, None]  # the gradient, at the solution about 0
    grad = np.concatenate([(X.T @ weighted + decay * W64).ravel(),
                           weighted.sum(0) if model._fit_bias() else []])
    _refuse_overflow(model, loss, data)
    _check_divergence(model, loss, None, 1, None)
    _record(model, {"loss": loss, "learning_rate": 0.0,
                    "grad_norm": float(np.linalg.norm(grad))}, start)
    model.t_ = model._step
    return True


def _no_average(model):
    """A solver without iterates to average: the average is its solution, and
    prediction uses the weights."""
    for (wa, ba), w, b in zip(model._average, model._weights, model._biases):
        wa[...], ba[...] = w, b
    model._average_count = 0


def _refuse_overflow(model, loss, data):
    """ValueError for a loss that overflows although X is finite: data too large for
    the solver's arithmetic, which no step size cures (unlike a divergence)."""
    if np.isfinite(loss):
        return
    top = max(float(np.max(np.abs(data.X), initial=0.0)),
              float(np.max(np.abs(data.target), initial=0.0))
              if data.target.dtype.kind == "f" else 0.0)
    raise ValueError(
        f"{type(model).__name__} cannot fit this data: its training loss is {loss} in "
        f"{data.X.dtype} arithmetic, with values of magnitude up to {top:.3g}. Scale X "
        "(and y) first, for example with mlpcore.features.Standardizer.")


def _require_finite(data):
    """check_array's error for NaN or infinity in X, which the compiled epochs check
    as they go but a solver on all the data checks first."""
    if not all_finite(data.X):
        refuse_nonfinite(data.X)


def _record(model, stats, start):
    """One entry of history_ for a step that is not an epoch of the compiled loop."""
    model._epochs_done += 1
    model.n_iter_ += 1
    for key, _ in EPOCH_STATS:
        model.history_[key].append(stats[key])
    model.history_["seconds"].append(time.perf_counter() - start)


# -------------------------------------------------------------------------- L-BFGS

def lbfgs(model, data, epochs) -> bool:
    """L-BFGS (full batch) on the compiled loss and gradient of all the data, with a
    line search satisfying the strong Wolfe conditions; an iteration (one accepted
    step) counts as an epoch in n_iter_, t_ and history_, and tol bounds the largest
    gradient component (scikit-learn's pgtol)."""
    _require_finite(data)
    trainer = make_trainer(model, data, 0.0)

    def objective(coef_grads, intercept_grads):
        return trainer.loss_and_gradient(data.X, data.target, data.weights_arg, coef_grads,
                                         intercept_grads)

    return lbfgs_loop(model, objective, epochs,
                      scale_of=lambda start: _loss_scale(model, data, start),
                      refuse_overflow=lambda loss: _refuse_overflow(model, loss, data))


def lbfgs_loop(model, objective, epochs, *, scale_of, refuse_overflow) -> bool:
    """The L-BFGS iterations of lbfgs on objective(coef_grads, intercept_grads), which
    returns the objective at the model's current weights and writes its gradient (the
    compiled trainer's, or mlpcore.distributed's sum over chunks); scale_of(start_loss)
    is _loss_scale, refuse_overflow(loss) _refuse_overflow on the data."""
    params = [*model._weights, *model._biases]
    grads = [np.empty_like(a) for a in params]
    sizes = np.cumsum([0] + [a.size for a in params])
    n_layers = len(model._weights)
    last = {}

    def fun(x):
        for a, lo, hi in zip(params, sizes[:-1], sizes[1:]):
            a.reshape(-1)[...] = x[lo:hi]
        loss = objective(grads[:n_layers], grads[n_layers:])
        g = np.concatenate([a.reshape(-1) for a in grads]).astype(np.float64)
        last.update(x=x.copy(), g=g)
        return loss, g

    started = time.perf_counter()
    start_loss, start_grad = fun(_flat(params))
    refuse_overflow(start_loss if np.isfinite(start_grad).all() else np.inf)
    scale = scale_of(start_loss)

    def record(x, f):
        """One accepted step as an epoch of history_ (the line search chooses the
        step length: history_'s learning_rate is 0 for L-BFGS)."""
        nonlocal started
        g = last["g"] if np.array_equal(last.get("x"), x) else fun(x)[1]
        _check_divergence(model, f, scale, model.n_iter_ + 1, None)
        _record(model, {"loss": float(f), "learning_rate": 0.0,
                        "grad_norm": float(np.linalg.norm(g))}, started)
        model._step += 1
        started = time.perf_counter()
        if progress is not None:
            progress.update(model.history_)

    progress = _progress(model, epochs)
    result = None
    try:
        result = minimize_lbfgs(fun, _flat(params), max_iter=epochs,
                                tol=0.0 if model.tol is None else float(model.tol),
                                callback=record)
    finally:
        if progress is not None:
            progress.close(result.message if result is not None and result.converged
                           else None)
    fun(result.x)  # the arrays hold the best point found
    _no_average(model)
    model.t_ = model._step
    model._stop_reason = None if result.converged else result.message
    return result.converged and model.tol is not None


def _flat(arrays):
    return np.concatenate([a.reshape(-1) for a in arrays]).astype(np.float64)


SOLVERS = {"gd": compiled_loop, "sgd": compiled_loop, "adam": compiled_loop,
           "exact": exact, "lbfgs": lbfgs}
