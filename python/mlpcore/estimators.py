"""The course's models as estimators with scikit-learn's conventions.

``Perceptron``, ``LogisticRegression``, ``LinearRegression``, ``MLPClassifier`` and
``MLPRegressor`` are each a dense network (one layer for the linear models) and a
loss, trained by the compiled epoch loop ``mlpcore._core.Trainer``: one call per
epoch does the shuffling, batching, forward pass, loss, backpropagation, SGD
update and averaging in C++, without allocating.

Optimization parameters, shared by all:
    solver            "gd" (full batch) or "sgd" (minibatches reshuffled every epoch)
    learning_rate     a step size, or "auto": 1/L for the linear models, with L the
                      Lipschitz constant of the gradient, estimated by power iteration
                      (for "sgd", the expected smoothness of a minibatch gradient);
                      1.0 for the perceptron, 0.01 for MLPs
    schedule          "constant", or "invscaling": learning_rate / (1 + t)^power_t
                      after t updates
    batch_size        samples per minibatch for "sgd"
    max_epochs        passes over the data
    momentum          heavy-ball momentum (PyTorch's rule); nesterov: Nesterov's
    weight_decay      L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases
    average           False, True, or the epoch (from 1) at which Polyak-Ruppert
                      averaging starts: W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after
                      every update, and the average is used for prediction
    tol, n_iter_no_change
                      stop once the training loss (or, with early stopping, the
                      validation score) has not improved by tol for n_iter_no_change
                      epochs; tol=None never stops early
    early_stopping    hold out validation_fraction of the data, stop on its score and
                      restore the best weights
    shuffle, random_state, warm_start, verbose

fit and partial_fit are transactions: whatever exception escapes them (bad input,
divergence, MemoryError, KeyboardInterrupt on Ctrl-C) leaves the estimator as it was
before the call. A fit diverges, and raises ValueError naming the epoch and the
learning rate used, when after an epoch the training loss or a weight is NaN or
infinite, or the loss exceeds 1e10 times the larger of the loss at the start of the
fit and the loss of a zero output. A loss that rose at every one of the last n_iter_no_change
epochs has not converged, so training goes on.
"""

from __future__ import annotations

import functools
import numbers
import os
import time
import warnings

import numpy as np

from . import _core
from ._compat import (
    BaseEstimator,
    ClassifierMixin,
    ConvergenceWarning,
    RegressorMixin,
)
from ._validation import (
    all_finite,
    as_array,
    assert_all_finite,
    check_array,
    check_consistent_length,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_sample_weight,
    classification_target,
)
from .kernels import ACTIVATIONS, log_softmax_forward, softmax_forward
from .network import finite_difference_error, forward, glorot_uniform

__all__ = ["LinearRegression", "LogisticRegression", "MLPClassifier", "MLPRegressor", "Perceptron"]

_SOLVERS = ("gd", "sgd")
_SCHEDULES = ("constant", "invscaling")
_INT64_MAX = 2**63 - 1  # integers reach the compiled trainer as int64
# A fit diverges once its loss exceeds this many times its scale (see _check_divergence).
_DIVERGENCE_FACTOR = 1e10


def _check_number(name, value, *, low=None, low_open=False, high=None, integer=False,
                  allow_none=False):
    """ValueError naming the hyperparameter unless low <= value (< or <=) high."""
    if value is None and allow_none:
        return
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or (
        not integer and not np.isfinite(value)
    ):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a finite number'}, got {value!r}")
    if integer and value > _INT64_MAX:
        raise ValueError(f"{name} must fit in int64 (at most 2**63 - 1), got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    if len(names) and all(isinstance(n, str) for n in names):
        return names
    return None


def _make_rng(random_state) -> np.random.Generator:
    """A Generator from None, an int, a Generator or a legacy RandomState."""
    rng = check_random_state(random_state)
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(0, 2**32))
    return rng


def _store_init_params(model, params):
    """__init__ only records its arguments, as scikit-learn requires (validation is in fit)."""
    for name, value in params.items():
        if name != "self" and name != "__class__":
            setattr(model, name, value)


def _power_iteration(matvec, dim, dtype, iterations=50, seed=0):
    """Largest eigenvalue of a symmetric positive semi-definite operator."""
    v = np.random.default_rng(seed).standard_normal(dim)
    v /= np.linalg.norm(v)
    value = 0.0
    # X is not yet checked for NaN and infinity here (the first epoch does that)
    with np.errstate(invalid="ignore", over="ignore"):
        for _ in range(iterations):
            w = matvec(v.astype(dtype)).astype(np.float64)
            value = float(np.linalg.norm(w))
            if value == 0.0 or not np.isfinite(value):
                return value
            v = w / value
    return value


def _memory_bytes():
    """The machine's physical memory, or None where the platform does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _mean_one(weights, what="sample_weight"):
    """weights scaled to mean 1, divided by their maximum first so that neither their
    sum (uniform weights of 1e308) nor its inverse (subnormal weights) overflows;
    uniform weights of any value become exactly 1."""
    top = weights.max()
    if not top > 0:
        raise ValueError(f"{what} is zero for every sample: there is nothing to fit")
    weights = weights / top
    return weights * (len(weights) / weights.sum())


def _rising(losses, n):
    """The last n epochs each raised the loss: a fit moving away, not a plateau."""
    tail = losses[-n - 1:]
    return len(tail) == n + 1 and all(a < b for a, b in zip(tail[:-1], tail[1:]))


def _transactional(fit):
    """fit or partial_fit as a transaction: whatever escapes it (ValueError, MemoryError,
    KeyboardInterrupt from inside an epoch) leaves the estimator as it was before the
    call, which is the documented Ctrl-C policy."""
    @functools.wraps(fit)
    def guarded(self, *args, **kwargs):
        saved = self._state_before_fit()
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self._restore_state(saved)
            raise
    return guarded


class _SGDModel(BaseEstimator):
    """Shared fitting logic; subclasses define the network shape and the loss."""

    _loss = "squared_error"
    _linear = True

    # -------------------------------------------------------------- parameters

    def _validate_params(self):
        _check_choice("solver", self.solver, _SOLVERS)
        if isinstance(self.learning_rate, str):
            _check_choice("learning_rate", self.learning_rate, ("auto",))
        else:
            _check_number("learning_rate", self.learning_rate, low=0, low_open=True)
        _check_choice("schedule", self.schedule, _SCHEDULES)
        _check_number("power_t", self.power_t, low=0)
        _check_number("batch_size", self.batch_size, low=1, integer=True)
        _check_number("max_epochs", self.max_epochs, low=1, integer=True)
        _check_number("momentum", self.momentum, low=0, high=1)
        if self.momentum == 1:
            raise ValueError("momentum must be < 1, got 1")
        if not isinstance(self.nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be True or False, got {self.nesterov!r}")
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0")
        _check_number("weight_decay", self.weight_decay, low=0)
        if not isinstance(self.average, (bool, np.bool_, numbers.Integral)) or self.average < 0:
            raise ValueError(
                f"average must be False, True or an epoch >= 1 at which averaging starts, "
                f"got {self.average!r}"
            )
        _check_number("tol", self.tol, low=0, allow_none=True)
        _check_number("n_iter_no_change", self.n_iter_no_change, low=1, integer=True)
        _check_number("validation_fraction", self.validation_fraction, low=0, low_open=True,
                      high=1)
        if self.validation_fraction == 1:
            raise ValueError("validation_fraction must be < 1, got 1")
        if not self._linear:
            sizes = self.hidden_layer_sizes
            if isinstance(sizes, numbers.Integral):
                sizes = (sizes,)
            sizes = tuple(sizes)
            if not sizes or any(
                isinstance(s, bool) or not isinstance(s, numbers.Integral)
                or not 1 <= s <= _INT64_MAX for s in sizes
            ):
                raise ValueError(
                    f"hidden_layer_sizes must be a non-empty sequence of integers from 1 to "
                    f"2**63 - 1, got {self.hidden_layer_sizes!r}"
                )
            _check_choice("activation", self.activation, ACTIVATIONS)

    def _hidden_sizes(self):
        if self._linear:
            return ()
        sizes = self.hidden_layer_sizes
        return (int(sizes),) if isinstance(sizes, numbers.Integral) else tuple(int(s) for s in sizes)

    def _activations(self):
        if self._linear:
            return ["identity"]
        return [self.activation] * len(self._hidden_sizes()) + ["identity"]

    # -------------------------------------------------------------- data

    def _check_X(self, X, *, reset, ensure_finite=True):
        names = _feature_names(X)
        X = check_array(X, estimator=self, ensure_finite=ensure_finite)
        if reset:
            self.n_features_in_ = X.shape[1]
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            check_is_fitted(self)
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and names is None:
                warnings.warn(
                    f"X does not have valid feature names, but {type(self).__name__} was "
                    "fitted with feature names", UserWarning, stacklevel=3)
            elif fitted is None and names is not None:
                warnings.warn(
                    f"X has feature names, but {type(self).__name__} was fitted without "
                    "feature names", UserWarning, stacklevel=3)
            elif fitted is not None and (
                len(fitted) != len(names) or np.any(fitted != names)
            ):
                raise ValueError(
                    "The feature names should match those that were passed during fit."
                )
            check_n_features(self, X)
            X = X.astype(self._dtype, copy=False)
        return X

    # -------------------------------------------------------------- fitting

    def _init_parameters(self, n_features, n_outputs, dtype, rng):
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        activations = self._activations()
        if self._linear:  # a convex problem: start from 0, as the course does
            self._weights = [np.zeros((n_features, n_outputs), dtype)]
        else:
            self._weights = [
                glorot_uniform(a, b, rng, dtype, g)
                for a, b, g in zip(sizes[:-1], sizes[1:], activations)
            ]
        self._biases = [np.zeros(b, dtype) for b in sizes[1:]]
        self._velocity = [(np.zeros_like(w), np.zeros_like(b))
                          for w, b in zip(self._weights, self._biases)]
        self._average = [(w.copy(), b.copy()) for w, b in zip(self._weights, self._biases)]
        self._rng_state = int(rng.integers(0, 2**63))
        self._step = 0
        self._average_count = 0
        self._epochs_done = 0
        self._dtype = np.dtype(dtype)

    def _lipschitz(self, X, sample_weight):
        """L of the linear models' mean loss: the largest eigenvalue of
        Phi^T diag(w) Phi / n with Phi = [X, 1] (halved for the softmax, whose
        Hessian is at most half that), plus the weight decay. For "sgd" with batches
        of B samples, the expected smoothness of the minibatch gradient,
        L_B = n (B - 1) / (B (n - 1)) L + (n - B) / (B (n - 1)) L_max, with L_max
        the largest per-sample constant (Gower et al., 2019)."""
        scale = 0.5 if self._loss == "cross_entropy" else 1.0
        bias = 1.0 if self.fit_intercept else 0.0
        n = X.shape[0]
        w = sample_weight.astype(X.dtype)

        def matvec(v):
            head, tail = v[:-1], v[-1] * bias
            u = (_core.matmul(X, head[:, None])[:, 0] + tail) * w
            return np.concatenate([_core.matmul(X.T, u[:, None])[:, 0], [u.sum() * bias]]) / n

        L = scale * _power_iteration(matvec, X.shape[1] + 1, X.dtype)
        B = min(int(self.batch_size), n)
        if self.solver == "sgd" and n > 1 and B < n:
            per_sample = (np.einsum("ij,ij->i", X, X, dtype=np.float64) + bias) * sample_weight
            L_max = scale * float(per_sample.max())
            L = (n * (B - 1) * L + (n - B) * L_max) / (B * (n - 1))
        return L + self.weight_decay

    def _learning_rate(self, X, sample_weight):
        if self._loss == "perceptron":
            return 1.0 if self.learning_rate == "auto" else float(self.learning_rate)
        if not self._linear:
            return 0.01 if self.learning_rate == "auto" else float(self.learning_rate)
        if self.learning_rate == "auto":
            L = self._lipschitz(X, sample_weight)
            return 1.0 / L if L > 0 else 1.0
        if self.solver == "gd":
            L = self._lipschitz(X, sample_weight)
            if L > 0 and self.learning_rate >= 2.0 / L:
                warnings.warn(
                    f"learning_rate={self.learning_rate} is at least 2/L = {2.0 / L:.4g} for "
                    "this data: gradient descent will not converge (use a step below 2/L, "
                    "or learning_rate='auto' for 1/L)", UserWarning, stacklevel=5)
        return float(self.learning_rate)

    def _validation_split(self, strata, n, rng):
        """Indices of the training and validation parts, stratified by class when
        strata (class indices) is given."""
        order = rng.permutation(n)
        if strata is None:
            n_val = max(1, int(round(self.validation_fraction * n)))
            val = order[:n_val]
        else:
            val = []
            for c in np.unique(strata):
                members = order[strata[order] == c]
                val.extend(members[: int(round(self.validation_fraction * len(members)))])
        val = np.sort(np.asarray(val, dtype=np.int64))
        train = np.setdiff1d(np.arange(n), val)
        if len(val) == 0 or len(train) == 0:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no validation or no "
                f"training samples out of {n}"
            )
        return train, val

    def _arrays_updated_in_place(self):
        return [*self._weights, *self._biases, *(a for pair in self._velocity for a in pair),
                *(a for pair in self._average for a in pair)]

    def _state_before_fit(self):
        """What a failed fit restores: the attributes, the values of the arrays that the
        epochs update in place (the published coef_ may be views of them) and the
        length of each history list, which a warm start appends to."""
        arrays = self._arrays_updated_in_place() if hasattr(self, "_weights") else []
        lengths = {key: len(v) for key, v in getattr(self, "history_", {}).items()}
        return dict(self.__dict__), arrays, [a.copy() for a in arrays], lengths

    def _restore_state(self, saved):
        attributes, arrays, values, lengths = saved
        self.__dict__.clear()
        self.__dict__.update(attributes)
        for array, value in zip(arrays, values):
            array[...] = value
        history = attributes.get("history_", {})
        for key in list(history):
            if key in lengths:
                del history[key][lengths[key]:]
            else:
                del history[key]

    def _check_size(self, n_samples, n_features, n_outputs, dtype):
        """ValueError, before anything is allocated, for a network whose training needs
        more memory than the machine has: per parameter its weight, velocity, average and
        gradient, and the copies of the first three that a warm fit keeps to restore (7 in
        all), and the trainer's buffers of a batch of rows (at least 256, its chunk) per
        layer."""
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        batch = n_samples if self.solver == "gd" else min(int(self.batch_size), n_samples)
        n_values = 7 * n_params + max(batch, 256) * sum(sizes[1:]) + 2 * batch * max(sizes)
        need, limit = n_values * np.dtype(dtype).itemsize, _memory_bytes()
        if limit is not None and need > limit:
            raise ValueError(
                f"{type(self).__name__} with layer sizes {sizes} has {n_params:,} parameters "
                f"and needs about {need / 2**30:,.1f} GiB to train, more than the "
                f"{limit / 2**30:,.1f} GiB of memory of this machine: use smaller "
                f"hidden_layer_sizes or {'batch_size' if self.solver == 'sgd' else 'solver=sgd'}")

    def _loss_scale(self, trainer, X, target, sample_weight):
        """The larger of the loss of a zero output and that of the starting weights
        (on at most 1024 rows spread over the data: a scale, not a measurement), which
        no fit that converges exceeds by orders of magnitude."""
        rows = slice(None, None, -(-len(X) // 1024))
        start, _ = trainer.evaluate(np.ascontiguousarray(X[rows]), target[rows],
                                    None if sample_weight is None else sample_weight[rows])
        zero = self._zero_output_loss(target)
        return max(zero, start) if np.isfinite(start) else zero  # X is checked by epoch 1

    def _check_divergence(self, loss, scale, epoch, lr):
        """ValueError once the fit diverges: after an epoch, the training loss or a
        parameter is NaN or infinite, or the loss exceeds _DIVERGENCE_FACTOR times its
        scale (_loss_scale), where no learning rate that converges takes it."""
        if not np.isfinite(loss):
            what = f"the training loss became {loss}"
        elif not all(all_finite(a) for a in self._arrays_updated_in_place()):
            what = "the weights became NaN or infinite"
        elif scale > 0 and loss > _DIVERGENCE_FACTOR * scale:
            what = (f"the training loss grew to {loss:.4g}, over {_DIVERGENCE_FACTOR:.0e} times "
                    f"the larger of its loss at the start and a zero output's ({scale:.4g})")
        else:
            return
        raise ValueError(
            f"{type(self).__name__} diverged at epoch {epoch} of this fit: {what}. Use a "
            f"smaller learning_rate than the {lr:.4g} used. The estimator is left as it was "
            "before this fit.")

    def _refuse_nonfinite(self, X):
        """check_array's error for X, which holds NaN or infinity."""
        assert_all_finite(X)
        raise AssertionError("a non-finite row was reported in an X without one")

    @_transactional
    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        self._validate_params()
        first = not (incremental or self.warm_start) or not hasattr(self, "_weights")
        # X's finiteness is checked by the first epoch, row by row as its batches are
        # formed, instead of by a separate pass over the data.
        X = self._check_X(X, reset=first, ensure_finite=False)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = as_array(y, "y")
        check_consistent_length(X, y)
        target, n_outputs = self._encode_target(y, first=first, classes=classes)
        dtype = X.dtype if first else self._dtype
        X = X.astype(dtype, copy=False)
        if target.dtype.kind == "f":  # targets train in the dtype of the weights
            target = target.astype(dtype, copy=False)
        # Weights with mean 1 make the minibatch gradient an unbiased estimate of
        # the gradient of sum_i w_i loss_i / sum_i w_i.
        sample_weight = _mean_one(check_sample_weight(sample_weight, X.shape[0], np.float64))
        sample_weight = _mean_one(sample_weight * self._class_weights(target),
                                  "sample_weight times class_weight").astype(dtype)
        uniform = bool(np.all(sample_weight == 1))
        self._check_size(X.shape[0], X.shape[1], n_outputs, dtype)
        rng = _make_rng(self.random_state if first else None)
        if first:
            self._init_parameters(X.shape[1], n_outputs, dtype, rng)
            self.history_ = {"loss": [], "learning_rate": [], "grad_norm": [], "seconds": []}
            if self._loss == "perceptron":
                self.history_["mistakes"] = []
            self.n_iter_ = 0

        validation = None
        if self.early_stopping and not incremental:
            train, val = self._validation_split(self._strata(target), len(X),
                                                _make_rng(self.random_state))
            validation = (X[val], target[val], sample_weight[val])
            if not all_finite(validation[0]):  # rows the epochs never see
                self._refuse_nonfinite(validation[0])
            X, target, sample_weight = X[train], target[train], sample_weight[train]
            sample_weight = _mean_one(sample_weight, "sample_weight of the training part")
            for key in ("val_loss", "val_score"):
                self.history_.setdefault(key, [])
        lr = self._learning_rate(X, sample_weight)
        batch = X.shape[0] if self.solver == "gd" else int(self.batch_size)
        averaging = bool(self.average)
        trainer = _core.Trainer(
            self._weights, self._biases, self._activations(), self._loss, X.shape[0],
            batch_size=batch, shuffle=bool(self.shuffle) and self.solver == "sgd",
            learning_rate=lr, schedule=self.schedule, power_t=float(self.power_t),
            momentum=float(self.momentum), nesterov=bool(self.nesterov),
            weight_decay=float(self.weight_decay), fit_bias=self._fit_bias(),
            velocities=self._velocity, averages=self._average,
        )
        trainer.rng_state, trainer.step = self._rng_state, self._step
        trainer.average_count = self._average_count
        weights_arg = None if uniform else sample_weight
        scale = self._loss_scale(trainer, X, target, weights_arg)
        epochs = 1 if incremental else int(self.max_epochs)
        best, stall, converged = None, 0, False
        best_params = None
        progress = _progress(self, epochs)
        try:
            for epoch in range(epochs):
                start = time.perf_counter()
                avg_now = averaging and self._epochs_done + 1 >= int(self.average)
                stats = trainer.epoch(X, target, weights_arg, average=avg_now,
                                      check_finite=epoch == 0)
                if stats["nonfinite_row"] >= 0:
                    self._refuse_nonfinite(X)
                self._check_divergence(stats["loss"], scale, epoch + 1, lr)
                self._epochs_done += 1
                self.n_iter_ += 1
                h = self.history_
                h["loss"].append(stats["loss"])
                h["learning_rate"].append(stats["learning_rate"])
                h["grad_norm"].append(stats["grad_norm"])
                if "mistakes" in h:
                    h["mistakes"].append(stats["mistakes"])
                use_avg = trainer.average_count > 0
                if validation is not None:
                    vloss, vscore = trainer.evaluate(*validation, use_average=use_avg)
                    h["val_loss"].append(vloss)
                    h["val_score"].append(vscore)
                h["seconds"].append(time.perf_counter() - start)
                if progress is not None:
                    progress.update(h)
                if self._loss == "perceptron" and stats["mistakes"] == 0:
                    converged = True
                    break
                if self.tol is None:
                    continue
                metric = -h["val_score"][-1] if validation is not None else h["loss"][-1]
                if best is None or metric < best - self.tol:
                    best, stall = metric, 0
                    if validation is not None:
                        best_params = self._snapshot()
                else:
                    stall += 1
                    # a loss that rose at every epoch is moving away: it has not converged
                    if stall >= self.n_iter_no_change and not _rising(
                            h["loss"], self.n_iter_no_change):
                        converged = True
                        break
            if self.solver == "gd":  # an epoch reports the loss of the weights it started from
                final_loss, _ = trainer.evaluate(X, target, weights_arg)
                self._check_divergence(final_loss, scale, epoch + 1, lr)
        finally:
            if progress is not None:
                progress.close()
        if best_params is not None:
            self._restore(best_params)
        self._rng_state, self._step = trainer.rng_state, trainer.step
        self._average_count = trainer.average_count
        self.t_ = self._step
        self.converged_ = converged
        if not converged and not incremental:
            what = ("an epoch without mistakes" if self._loss == "perceptron"
                    else f"no improvement of {self.tol} in {self.n_iter_no_change} epochs")
            if self.tol is not None or self._loss == "perceptron":
                warnings.warn(
                    f"{type(self).__name__} did not converge: max_epochs={self.max_epochs} "
                    f"reached before {what}", ConvergenceWarning, stacklevel=4)
        self._publish()
        return self

    def _snapshot(self):
        return [a.copy() for pair in zip(self._weights, self._biases) for a in pair] + [
            a.copy() for pair in self._average for a in pair]

    def _restore(self, saved):
        arrays = [a for pair in zip(self._weights, self._biases) for a in pair] + [
            a for pair in self._average for a in pair]
        for target, value in zip(arrays, saved):
            target[...] = value

    def _fit_bias(self):
        return bool(getattr(self, "fit_intercept", True))

    def _class_weights(self, target):
        return 1.0

    def _strata(self, target):
        return None

    def _prediction_params(self):
        """The weights used for prediction: the average once averaging has begun."""
        if self._average_count > 0:
            return [w for w, _ in self._average], [b for _, b in self._average]
        return self._weights, self._biases

    def _raw_output(self, X):
        """The network's output, computed from the published attributes (coef_ and
        intercept_, or coefs_ and intercepts_), so that setting them changes the model."""
        X = self._check_X(X, reset=False)
        if self._linear:
            weights, biases = self._linear_params()
        else:
            weights, biases = self.coefs_, self.intercepts_
        X = X.astype(np.asarray(weights[0]).dtype, copy=False)
        return forward(weights, biases, self._activations(), X)

    def _linear_params(self):
        coef = np.asarray(self.coef_)
        return [coef.T], [np.asarray(self.intercept_, dtype=coef.dtype)]

    def _publish(self):
        weights, biases = self._prediction_params()
        if self._linear:
            self._publish_linear(weights[0], biases[0])
        else:
            self.coefs_, self.intercepts_ = list(weights), list(biases)
        self.loss_ = self.history_["loss"][-1] if self.history_["loss"] else None

    # -------------------------------------------------------------- gradients

    def check_gradients(self, X, y, *, eps=1e-6, max_checks=200, random_state=0) -> float:
        """Largest relative error between backpropagation and central finite
        differences of this model's training loss (mean over X), in float64."""
        from .network import MLP

        check_is_fitted(self)
        weights, biases = self._weights, self._biases
        net = MLP.from_weights([w.astype(np.float64) for w in weights],
                               [b.astype(np.float64) for b in biases], self._activations())
        X = self._check_X(X, reset=False).astype(np.float64)
        target, _ = self._encode_target(y, first=False)
        loss_fn, grad_fn = self._loss_functions(target)

        def loss():
            return loss_fn(net.forward(X))

        grads = net.backward(net.forward_trace(X), grad_fn(net.forward(X)))
        pairs = list(zip(net.weights, grads.dW)) + list(zip(net.biases, grads.db))
        return finite_difference_error(loss, pairs, eps=eps, max_checks=max_checks,
                                       rng=np.random.default_rng(random_state))

    def _loss_functions(self, target):
        from . import kernels as K

        if self._loss == "cross_entropy":
            return (lambda out: K.cross_entropy_forward(out, target),
                    lambda out: K.cross_entropy_backward(out, target))
        target = target.astype(np.float64)
        if self._loss == "perceptron":
            return (lambda out: K.perceptron_forward(out, target),
                    lambda out: K.perceptron_backward(out, target))
        return (lambda out: K.squared_error_forward(out, target),
                lambda out: K.squared_error_backward(out, target))


def _score_inputs(y, sample_weight):
    """score's y and sample_weight as arrays, refusing sparse matrices and tensors that
    require grad as fit does."""
    return as_array(y, "y"), None if sample_weight is None else as_array(
        sample_weight, "sample_weight")


def _progress(model, epochs):
    if not model.verbose:
        return None
    from ._progress import EpochProgress

    return EpochProgress(type(model).__name__, epochs)


class _Classifier(ClassifierMixin, _SGDModel):
    _loss = "cross_entropy"

    def _encode_target(self, y, *, first, classes=None):
        y = classification_target(y)
        if first:
            labels = np.unique(y) if classes is None else np.unique(as_array(classes, "classes"))
            if classes is not None and not np.isin(y, labels).all():
                raise ValueError(f"y has labels that are not in classes: "
                                 f"{np.setdiff1d(np.unique(y), labels)}")
            self._set_classes(labels)
        elif not np.isin(y, self.classes_).all():
            raise ValueError(
                f"y contains labels not seen in the first fit: {np.setdiff1d(np.unique(y), self.classes_)}")
        index = np.searchsorted(self.classes_, y).astype(np.int64)
        return self._target_from_index(index), self._n_outputs()

    def _set_classes(self, labels):
        if len(labels) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {labels[0] if len(labels) else None!r}")
        self.classes_ = labels

    def _n_outputs(self):
        return len(self.classes_)

    def _zero_output_loss(self, target):
        return float(np.log(len(self.classes_)))  # the cross-entropy of equal scores

    def _target_from_index(self, index):
        return index

    def _strata(self, target):
        return target if target.ndim == 1 else (target[:, 0] > 0).astype(np.int64)

    def _class_weights(self, target):
        cw = self.class_weight
        if cw is None:
            return 1.0
        index = self._strata(target)
        if isinstance(cw, str):
            if cw != "balanced":
                raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
            counts = np.bincount(index, minlength=len(self.classes_)).astype(np.float64)
            per_class = np.where(counts > 0, len(index) / (len(self.classes_) * np.maximum(counts, 1)), 0)
        elif isinstance(cw, dict):
            unknown = [c for c in cw if c not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(f"class_weight names classes not in the data: {unknown}")
            per_class = np.array([float(cw.get(c, 1.0)) for c in self.classes_.tolist()])
            if not (np.isfinite(per_class) & (per_class >= 0)).all():
                raise ValueError(f"class_weight values must be finite and >= 0, got {cw!r}")
        else:
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
        return per_class[index]

    def decision_function(self, X):
        """The network's scores (n, K); for two classes the single score of the
        second class against the first (n,), as scikit-learn does."""
        out = self._raw_output(X)
        if out.shape[1] == 2:
            return out[:, 1] - out[:, 0]
        return out

    def predict(self, X):
        """The class of the largest score."""
        out = self._raw_output(X)
        return self.classes_[np.argmax(out, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of predict(X) against y (weighted by sample_weight)."""
        return super().score(X, *_score_inputs(y, sample_weight))

    def fit(self, X, y, sample_weight=None):
        """Fit on X (n, d) and class labels y (n,); returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights; classes (all
        labels) is needed on the first call."""
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)



class _SoftmaxClassifier(_Classifier):
    """A classifier whose scores are logits: probabilities are their softmax."""

    def predict_proba(self, X):
        """softmax of the scores: the probability of each class (n, K)."""
        return softmax_forward(self._raw_output(X))

    def predict_log_proba(self, X):
        """log softmax of the scores (n, K)."""
        return log_softmax_forward(self._raw_output(X))


class _Regressor(RegressorMixin, _SGDModel):
    _loss = "squared_error"

    def _encode_target(self, y, *, first, classes=None):
        y = check_array(y, name="y", ensure_2d=False)
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D (n,) or 2-D (n, k), got shape {y.shape}")
        if first:
            self._y_ndim = y.ndim
        elif y.ndim == 2 and y.shape[1] != self._n_targets:
            raise ValueError(f"y has {y.shape[1]} targets, but {type(self).__name__} was fitted "
                             f"with {self._n_targets}")
        target = y.reshape(len(y), -1)
        if first:
            self._n_targets = target.shape[1]
        return target, target.shape[1]

    def predict(self, X):
        """The network's output: (n,) for a 1-D target, else (n, k)."""
        out = self._raw_output(X)
        return out[:, 0] if self._y_ndim == 1 else out

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of predict(X) against y, averaged over outputs."""
        return super().score(X, *_score_inputs(y, sample_weight))

    def _zero_output_loss(self, target):
        # E = 1/(2n) sum_n ||d_n||^2 for the output 0
        return float(np.einsum("ij,ij->", target, target, dtype=np.float64)) / (2 * len(target))

    def fit(self, X, y, sample_weight=None):
        """Fit on X (n, d) and targets y (n,) or (n, k); returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class LinearRegression(_Regressor):
    """Least squares: y = X w + b minimizing E = 1/(2n) sum_n ||y_n - d_n||^2, by
    gradient descent (solver="gd", learning_rate 1/L by default) or minibatch SGD.

    coef_ is (n_features,) for a 1-D target, else (n_targets, n_features).
    """

    def __init__(self, *, fit_intercept=True, solver="gd", learning_rate="auto",
                 schedule="constant", power_t=0.5, batch_size=32, max_epochs=1000,
                 momentum=0.0, nesterov=False, weight_decay=0.0, average=False, tol=1e-7,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False):
        _store_init_params(self, locals())

    def _publish_linear(self, w, b):
        if self._y_ndim == 1:
            self.coef_, self.intercept_ = w[:, 0], float(b[0])
        else:
            self.coef_, self.intercept_ = w.T, b

    def _linear_params(self):
        coef = np.asarray(self.coef_)
        w = coef[:, None] if coef.ndim == 1 else coef.T
        return [w], [np.atleast_1d(np.asarray(self.intercept_, dtype=coef.dtype))]


class LogisticRegression(_SoftmaxClassifier):
    """Multinomial logistic regression: p = softmax(X W + b), the cross-entropy on
    1-of-K targets, whose gradient is Phi^T (Y - T) / n; gradient descent
    (solver="gd", learning_rate 1/L by default) or minibatch SGD.

    coef_ is (n_classes, n_features) (the course's W transposed), also for two classes.
    """

    def __init__(self, *, fit_intercept=True, solver="gd", learning_rate="auto",
                 schedule="constant", power_t=0.5, batch_size=32, max_epochs=1000,
                 momentum=0.0, nesterov=False, weight_decay=0.0, average=False, tol=1e-6,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False,
                 class_weight=None):
        _store_init_params(self, locals())

    def _publish_linear(self, w, b):
        self.coef_, self.intercept_ = w.T, b


class Perceptron(_Classifier):
    """Rosenblatt's perceptron for two classes of any labels (mapped to -1 and +1):
    y = sign(w^T x + b) with sign(0) = +1, and w <- w + learning_rate d x,
    b <- b + learning_rate d for each misclassified sample (the bias as the weight
    of a constant input 1). Training stops after an epoch without mistakes;
    history_["mistakes"] counts them per epoch.
    """

    _loss = "perceptron"

    def __init__(self, *, fit_intercept=True, solver="sgd", learning_rate=1.0,
                 schedule="constant", power_t=0.5, batch_size=1, max_epochs=1000,
                 momentum=0.0, nesterov=False, weight_decay=0.0, average=False, tol=None,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False,
                 class_weight=None):
        _store_init_params(self, locals())

    def _set_classes(self, labels):
        if len(labels) > 2:
            raise ValueError(
                "Only binary classification is supported. The perceptron separates two "
                f"classes, but the data contains {len(labels)}: {labels.tolist()!r}")
        super()._set_classes(labels)

    def _n_outputs(self):
        return 1

    def _zero_output_loss(self, target):
        return 0.0  # the perceptron criterion of the output 0

    def _target_from_index(self, index):
        # classes_[0] -> -1, classes_[1] -> +1
        return np.where(index == 1, 1.0, -1.0)[:, None]

    def decision_function(self, X):
        """w^T x + b for each sample (n,)."""
        return self._raw_output(X)[:, 0]

    def predict(self, X):
        """classes_[1] where sign(w^T x + b) = +1 (score >= 0), else classes_[0]."""
        positive = self.decision_function(X) >= 0
        return self.classes_[positive.astype(np.int64)]

    def _publish_linear(self, w, b):
        self.coef_, self.intercept_ = w.T, b

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class MLPClassifier(_SoftmaxClassifier):
    """A multilayer perceptron classifier: hidden layers h_k = g(h_{k-1} W_k + b_k),
    a softmax output and the cross-entropy loss, trained by minibatch SGD with
    Nesterov momentum (by default) and backpropagation in the compiled loop.
    coefs_[k] is W_k (n_in, n_out), intercepts_[k] is b_k.
    """

    _linear = False

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="sgd",
                 learning_rate="auto", schedule="constant", power_t=0.5, batch_size=32,
                 max_epochs=200, momentum=0.9, nesterov=True, weight_decay=1e-4,
                 average=False, tol=1e-4, n_iter_no_change=10, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, random_state=None, warm_start=False,
                 verbose=False, class_weight=None):
        _store_init_params(self, locals())


class MLPRegressor(_Regressor):
    """A multilayer perceptron regressor: hidden layers h_k = g(h_{k-1} W_k + b_k), a
    linear output and the squared error, trained by minibatch SGD with Nesterov
    momentum (by default) and backpropagation in the compiled loop.
    """

    _linear = False

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="sgd",
                 learning_rate="auto", schedule="constant", power_t=0.5, batch_size=32,
                 max_epochs=200, momentum=0.9, nesterov=True, weight_decay=1e-4,
                 average=False, tol=1e-4, n_iter_no_change=10, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, random_state=None, warm_start=False,
                 verbose=False):
        _store_init_params(self, locals())
