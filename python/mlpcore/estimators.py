"""The course's models as estimators with scikit-learn's conventions.

``Perceptron``, ``LogisticRegression``, ``LinearRegression``, ``MLPClassifier`` and
``MLPRegressor`` are each a dense network (one layer for the linear models) and a
loss, trained by the compiled epoch loop ``mlpcore._core.Trainer``: one call per
epoch does the shuffling, batching, forward pass, loss, backpropagation, SGD
update and averaging in C++, without allocating.

Optimization parameters, shared by all:
    solver            "gd" (full batch), "sgd" (minibatches reshuffled every epoch),
                      "adam" (minibatches, with beta_1, beta_2, epsilon; not the
                      perceptron), "lbfgs" (full batch, a strong Wolfe line search;
                      not the perceptron) or "exact" (LinearRegression: an SVD).
                      Defaults: exact for LinearRegression, lbfgs for
                      LogisticRegression, adam for the MLPs, sgd for the perceptron
    learning_rate     a step size, or "auto": 1/L for the linear models, with L the
                      Lipschitz constant of the gradient, estimated by power iteration
                      (for "sgd", the expected smoothness of a minibatch gradient);
                      1.0 for the perceptron, 0.01 for MLPs, 0.001 for "adam"
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
                      epochs (n_iter_no_change + 1 for the MLPs, as in scikit-learn);
                      "gd" stops once the gradient's norm falls to tol times its first
                      value, "lbfgs" once every gradient component is within tol;
                      tol=None (or n_iter_no_change=numpy.inf) never stops early
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
import warnings
from numbers import Integral, Real

import numpy as np

from . import _training
from ._compat import BaseEstimator, ClassifierMixin, RegressorMixin
from ._loss import CrossEntropy, PerceptronCriterion, SquaredError
from ._param_validation import INFINITY, INT64_MAX, Interval, validate_params
from ._state import (
    HISTORY,
    VALIDATION,
    Dtype,
    FeatureNames,
    Flag,
    History,
    Int,
    InvalidStateError,
    LayerPairs,
    Labels,
    Layers,
    check_state,
)
from ._validation import (
    as_array,
    check_array,
    check_is_fitted,
    check_n_features,
    classification_target,
)
from ._core import SCHEDULES
from .kernels import ACTIVATIONS, log_softmax_forward, softmax_forward
from .network import finite_difference_error, forward, glorot_bound, glorot_uniform

__all__ = ["LinearRegression", "LogisticRegression", "MLPClassifier", "MLPRegressor", "Perceptron"]

_POSITIVE_INT64 = Interval(Integral, 1, INT64_MAX)
_NON_NEGATIVE = Interval(Real, 0, None, closed="left")


# The parameters of solver="adam", on every estimator that has it (not the perceptron).
_ADAM_CONSTRAINTS = {
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
}


class _LayerSizes:
    """hidden_layer_sizes: an int or a non-empty sequence of ints, each from 1 to
    2**63 - 1."""

    def is_satisfied_by(self, value):
        sizes = (value,) if isinstance(value, Integral) else value
        try:
            sizes = tuple(sizes)
        except TypeError:
            return False
        return bool(sizes) and all(
            not isinstance(s, (bool, np.bool_)) and isinstance(s, Integral)
            and 1 <= s <= INT64_MAX for s in sizes)

    def description(self):
        return "a non-empty sequence of integers from 1 to 2**63 - 1"


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    if len(names) and all(isinstance(n, str) for n in names):
        return names
    return None


def _store_init_params(model, params):
    """__init__ only records its arguments, as scikit-learn requires (validation is in fit)."""
    for name, value in params.items():
        if name != "self" and name != "__class__":
            setattr(model, name, value)


class _IterativeOnly:
    """partial_fit exists only for a solver that learns from one batch at a time, as
    scikit-learn's available_if makes it: hasattr(model, "partial_fit") is False for
    solver="exact" or "lbfgs", so tools that feed batches see it."""

    def __init__(self, method):
        self.method = method
        functools.update_wrapper(self, method)

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is not None and obj.solver in _training.FULL_DATA_SOLVERS:
            raise AttributeError(
                f"{type(obj).__name__}.{self.name} is available only for the solvers that "
                f"learn from one batch at a time ('sgd', 'adam', 'gd'), not "
                f"solver={obj.solver!r}")
        return self.method if obj is None else self.method.__get__(obj, owner)


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
    """Shared fitting logic; subclasses define the network shape (a mixin below) and
    the loss (a _loss.Loss)."""

    _loss = SquaredError()

    # -------------------------------------------------------------- parameters

    _constraints = {
        "solver": ["gd", "sgd", "lbfgs", "adam"],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), "auto"],
        "schedule": list(SCHEDULES),
        "power_t": [_NON_NEGATIVE],
        "batch_size": [_POSITIVE_INT64],
        "max_epochs": [_POSITIVE_INT64],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "weight_decay": [_NON_NEGATIVE],
        # an epoch (from 1) at which averaging starts; 0 and False: never
        "average": ["boolean", Interval(Integral, 0, None, closed="left")],
        "tol": [_NON_NEGATIVE, None],
        "n_iter_no_change": [_POSITIVE_INT64, INFINITY],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["boolean"],
    }

    def _validate_params(self):
        validate_params(self)

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
        self._weights, self._biases = self._initial_layers(sizes, np.dtype(dtype), rng)
        self._velocity = self._zero_pairs()  # SGD's momentum, Adam's first moment
        self._second_moment = self._zero_pairs()  # Adam's
        self._average = [(w.copy(), b.copy()) for w, b in zip(self._weights, self._biases)]
        self._rng_state = int(rng.integers(0, 2**63))
        self._step = 0
        self._optimizer_step = 0
        self._average_count = 0
        self._epochs_done = 0
        self._dtype = np.dtype(dtype)

    # ------------------------------------------------- the published attributes

    def _absorb_published(self):
        """Makes the published coef_/coefs_ and intercept(s)_ the starting point of
        the next update, as in scikit-learn: values that differ from the weights they
        were published from (assigned by the user, or written into after unpickling,
        which separates them from the training arrays) become the weights, and
        averaging starts again from them."""
        expected = self._published_attributes(*self._prediction_params())
        if all(_same_values(getattr(self, key, None), value)
               for key, value in expected.items()):
            return
        for key, value in expected.items():
            given = getattr(self, key, None)
            for name, g, e in _leaves(key, given, value):
                if np.shape(g) != np.shape(e):
                    raise ValueError(
                        f"{name} has shape {np.shape(g)}, but this {type(self).__name__} "
                        f"needs the shape fit gave it, {np.shape(e)}")
                g = np.asarray(g)
                if g.dtype.kind not in "fiub" or not np.isfinite(g).all():
                    raise ValueError(f"{name} must hold finite real numbers, got {g!r:.80}")
        weights, biases = self._published_params()
        for target, value in zip([*self._weights, *self._biases], [*weights, *biases]):
            target[...] = value
        for (wa, ba), w, b in zip(self._average, self._weights, self._biases):
            wa[...], ba[...] = w, b
        self._average_count = 0

    def _fresh_optimizer(self):
        """A warm fit starts a fresh optimizer from the current weights, as
        scikit-learn's do: zero velocities and Adam moments, Adam's count from 0. The
        linear models also count their updates (t_) from 0 again, so that their
        schedule starts over (scikit-learn's SGD models); the MLPs continue t_."""
        for pair in (*self._velocity, *self._second_moment):
            for a in pair:
                a[...] = 0
        self._optimizer_step = 0
        if self._restarts_clock_on_fit:
            self._step = 0

    def _fill_missing_state(self):
        """The entries a model saved or pickled before Adam lacks: zero moments."""
        if "_second_moment" not in self.__dict__:
            self._second_moment = self._zero_pairs()
        self.__dict__.setdefault("_optimizer_step", 0)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_weights" in self.__dict__:
            self._fill_missing_state()

    def _zero_pairs(self):
        return [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(self._weights, self._biases)]

    def _arrays_updated_in_place(self):
        return [*self._weights, *self._biases,
                *(a for pairs in (self._velocity, self._second_moment, self._average)
                  for pair in pairs for a in pair)]

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

    # -------------------------------------------------------------- state

    # In the order set_state checks it: the entries that give the layer sizes first.
    _state_schema = {
        "n_features_in_": Int(1),
        "feature_names_in_": FeatureNames(),
        "_dtype": Dtype(),
        "n_iter_": Int(0),
        "t_": Int(0),
        "converged_": Flag(),
        "_step": Int(0),
        "_optimizer_step": Int(0, optional=True),  # absent from files before Adam
        "_average_count": Int(0),
        "_epochs_done": Int(0),
        "_rng_state": Int(0, 2**64 - 1),
        "history_": History(HISTORY, VALIDATION),
        "_weights": Layers("weights"),
        "_biases": Layers("biases"),
        "_velocity": LayerPairs(),
        "_second_moment": LayerPairs(optional=True),  # absent from files before Adam
        "_average": LayerPairs(),
    }

    def get_state(self) -> dict:
        """The fitted state: weights, biases, velocities, averages, step, rng state,
        epochs, history and what the data fixed (n_features_in_, classes_, ...), the
        entries of _state_schema. The arrays are the model's own, not copies."""
        check_is_fitted(self)
        self._absorb_published()
        self._publish()
        return {key: getattr(self, key) for key in self._state_schema if hasattr(self, key)}

    @_transactional
    def set_state(self, state):
        """Takes a state as get_state gives it, once every entry obeys _state_schema
        and fits the hyperparameters (InvalidStateError otherwise, leaving the model
        as it was); coef_, coefs_ and the other published attributes are rebuilt from
        it. Returns self."""
        self._validate_params()
        check_state(self, state)
        for key in self._state_schema:
            self.__dict__.pop(key, None)
        self.__dict__.update(state)
        self._fill_missing_state()
        self._check_state_against_params()
        self._publish()
        return self

    def _state_shapes(self, state):
        """The layer sizes and dtype that shape the arrays of state."""
        sizes = [state["n_features_in_"], *self._hidden_sizes(), self._outputs_of_state(state)]
        return sizes, state["_dtype"]

    def _check_state_against_params(self):
        pass

    @_transactional
    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        self._validate_params()
        _training.fit(self, X, y, sample_weight, incremental=incremental, classes=classes)
        self._publish()
        return self

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
        weights, biases = self._published_params()
        X = X.astype(np.asarray(weights[0]).dtype, copy=False)
        return forward(weights, biases, self._activations(), X)

    def _publish(self):
        weights, biases = self._prediction_params()
        if self._average_count > 0:
            # copies: a write into coef_ must not change the running average unseen
            weights, biases = [w.copy() for w in weights], [b.copy() for b in biases]
        self.__dict__.update(self._published_attributes(weights, biases))
        self.loss_ = self.history_["loss"][-1] if self.history_["loss"] else None

    # -------------------------------------------------------------- gradients

    def check_gradients(self, X, y, *, eps=1e-5, max_checks=200, random_state=0) -> float:
        """Largest relative error between backpropagation and central finite
        differences of this model's training loss (mean over X), in float64; eps
        near the cube root of float64's epsilon balances truncation and rounding."""
        from .network import MLP

        check_is_fitted(self)
        weights, biases = self._weights, self._biases
        net = MLP.from_weights([w.astype(np.float64) for w in weights],
                               [b.astype(np.float64) for b in biases], self._activations())
        X = self._check_X(X, reset=False).astype(np.float64)
        target, _ = self._encode_target(y, first=False, incremental=True)

        def loss():
            return self._loss.forward(net.forward(X), target)

        grads = net.backward(net.forward_trace(X), self._loss.backward(net.forward(X), target))
        pairs = list(zip(net.weights, grads.dW)) + list(zip(net.biases, grads.db))
        return finite_difference_error(loss, pairs, eps=eps, max_checks=max_checks,
                                       rng=np.random.default_rng(random_state))


def _leaves(name, given, expected):
    """(name, given, expected) for each array of a published attribute: the
    attribute itself, or each item of a list such as coefs_."""
    if isinstance(expected, list):
        if not isinstance(given, (list, tuple)) or len(given) != len(expected):
            raise ValueError(f"{name} must be a list of {len(expected)} arrays, got "
                             f"{type(given).__name__}")
        return [(f"{name}[{i}]", g, e) for i, (g, e) in enumerate(zip(given, expected))]
    return [(name, given, expected)]


def _same_values(given, expected):
    """Whether a published attribute still holds the values it was published with."""
    if isinstance(expected, list):
        return (isinstance(given, (list, tuple)) and len(given) == len(expected)
                and all(_same_values(g, e) for g, e in zip(given, expected)))
    try:
        return np.shape(given) == np.shape(expected) and bool(
            np.array_equal(given, expected, equal_nan=True))
    except (TypeError, ValueError):
        return False


def _perceptron_outputs(n_classes):
    """One score for two classes (the course's perceptron), one per class beyond."""
    return 1 if n_classes == 2 else n_classes


def _same_labels(a, b):
    return len(a) == len(b) and bool(np.all(a == b))


def _score_inputs(y, sample_weight):
    """score's y and sample_weight as arrays, refusing sparse matrices and tensors that
    require grad as fit does."""
    return as_array(y, "y"), None if sample_weight is None else as_array(
        sample_weight, "sample_weight")


class _LinearShape:
    """One layer, X @ W + b, published as coef_ (W transposed) and intercept_."""

    _default_step = 1.0  # "auto" for a loss without a Lipschitz constant
    _restarts_clock_on_fit = True
    _extra_patience = 0  # stop after n_iter_no_change epochs without improvement
    _constraints = {"fit_intercept": ["boolean"]}

    def _hidden_sizes(self):
        return ()

    def _activations(self):
        return ["identity"]

    def _lipschitz_scale(self):
        return self._loss.lipschitz_scale

    def _initial_layers(self, sizes, dtype, rng):
        # a convex problem: start from 0, as the course does
        return [np.zeros((sizes[0], sizes[1]), dtype)], [np.zeros(sizes[1], dtype)]

    def _published_attributes(self, weights, biases):
        return {"coef_": weights[0].T, "intercept_": biases[0]}

    def _published_params(self):
        coef = np.asarray(self.coef_)
        return [coef.T], [np.asarray(self.intercept_, dtype=coef.dtype)]


class _MultilayerShape:
    """hidden_layer_sizes layers of activation, then a linear output; published as
    coefs_ and intercepts_."""

    _default_step = 0.01  # "auto": no Lipschitz constant is known for a network
    _restarts_clock_on_fit = False  # a warm fit of a network continues t_
    _extra_patience = 1  # scikit-learn's MLPs stop after n_iter_no_change + 1 such epochs
    _constraints = {"hidden_layer_sizes": [_LayerSizes()], "activation": list(ACTIVATIONS),
                    **_ADAM_CONSTRAINTS}

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        return (int(sizes),) if isinstance(sizes, Integral) else tuple(int(s) for s in sizes)

    def _activations(self):
        return [self.activation] * len(self._hidden_sizes()) + ["identity"]

    def _lipschitz_scale(self):
        return None

    def _initial_layers(self, sizes, dtype, rng):
        """Glorot's uniform initialisation of the weights and the biases of each layer
        in turn, the biases from the same interval, as scikit-learn's MLPs draw them."""
        weights, biases = [], []
        for a, b, g in zip(sizes[:-1], sizes[1:], self._activations()):
            weights.append(glorot_uniform(a, b, rng, dtype, g))
            bound = glorot_bound(a, b, g)
            biases.append(rng.uniform(-bound, bound, size=b).astype(dtype))
        return weights, biases

    def _published_attributes(self, weights, biases):
        return {"coefs_": list(weights), "intercepts_": list(biases)}

    def _published_params(self):
        return self.coefs_, self.intercepts_


class _Classifier(ClassifierMixin, _SGDModel):
    _loss = CrossEntropy()
    _constraints = {"class_weight": [None, "balanced", dict]}
    _state_schema = {**_SGDModel._state_schema, "classes_": Labels(count=None)}

    def _outputs_of_state(self, state):
        return len(state["classes_"])

    def _check_state_against_params(self):
        try:  # a dict of class_weight names classes_, which only the state gives
            self._class_weights(np.zeros(0, dtype=np.int64))
        except (ValueError, TypeError) as exc:
            raise InvalidStateError(f"{type(self).__name__} refuses its class_weight: "
                                    f"{exc}") from None

    def _encode_target(self, y, *, first, classes=None, incremental=False):
        y = classification_target(y)
        labels = None if classes is None else np.unique(as_array(classes, "classes"))
        if first:
            labels = np.unique(y) if labels is None else labels
            if classes is not None and not np.isin(y, labels).all():
                raise ValueError(f"y has labels that are not in classes: "
                                 f"{np.setdiff1d(np.unique(y), labels)}")
            self._set_classes(labels)
        elif labels is not None and not _same_labels(labels, self.classes_):
            raise ValueError(f"classes={labels.tolist()!r} is not the same as on the first "
                             f"call to partial_fit, which gave {self.classes_.tolist()!r}")
        elif not np.isin(y, self.classes_).all():
            raise ValueError(
                f"y contains labels not seen in the first fit: {np.setdiff1d(np.unique(y), self.classes_)}")
        elif not incremental and not _same_labels(np.unique(y), self.classes_):
            raise ValueError(
                "warm_start=True needs y to have the classes of the previous fit, "
                f"{self.classes_.tolist()!r}, but y has {np.unique(y).tolist()!r}")
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

    def _target_from_index(self, index):
        return index

    def _strata(self, target):
        """The class index of each sample, from any encoding of the target."""
        if target.ndim == 1:
            return target
        if target.shape[1] == 1:  # the perceptron's -1/+1 of two classes
            return (target[:, 0] > 0).astype(np.int64)
        return np.argmax(target, axis=1)

    def _class_weights(self, target):
        cw = self.class_weight
        if cw is None:
            return 1.0
        index = self._strata(target)
        if cw == "balanced":
            counts = np.bincount(index, minlength=len(self.classes_)).astype(np.float64)
            per_class = np.where(counts > 0, len(index) / (len(self.classes_) * np.maximum(counts, 1)), 0)
        else:  # a dict, as _constraints requires
            unknown = [c for c in cw if c not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(f"class_weight names classes not in the data: {unknown}")
            per_class = np.array([float(cw.get(c, 1.0)) for c in self.classes_.tolist()])
            if not (np.isfinite(per_class) & (per_class >= 0)).all():
                raise ValueError(f"class_weight values must be finite and >= 0, got {cw!r}")
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

    @_IterativeOnly
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
    _loss = SquaredError()
    _state_schema = {**_SGDModel._state_schema, "_y_ndim": Int(1, 2), "_n_targets": Int(1)}

    def _outputs_of_state(self, state):
        outputs = state["_n_targets"]
        if state["_y_ndim"] == 1 and outputs != 1:
            raise InvalidStateError(f"a 1-D target has one output, but _n_targets is {outputs}")
        return outputs

    def _encode_target(self, y, *, first, classes=None, incremental=False):
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

    def fit(self, X, y, sample_weight=None):
        """Fit on X (n, d) and targets y (n,) or (n, k); returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    @_IterativeOnly
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class LinearRegression(_LinearShape, _Regressor):
    """Least squares: y = X w + b minimizing E = 1/(2n) sum_n ||y_n - d_n||^2.

    Plus weight_decay/2 ||w||^2. Solved exactly (solver="exact", the default: an SVD,
    giving the minimum-norm solution on rank-deficient data), by gradient descent
    (solver="gd", learning_rate 1/L by default, which converges for steps below 2/L) or
    by minibatch SGD (solver="sgd", with averaging: the course's averaged SGD).

    Parameters
    ----------
    fit_intercept : bool, default True
        Whether to learn the bias b (else b = 0).
    solver : {"exact", "gd", "sgd", "lbfgs", "adam"}, default "exact"
        "exact" (an SVD), "gd" (full batch), "sgd" or "adam" (minibatches) or
        "lbfgs" (full batch, a Wolfe line search).
    learning_rate : float or "auto", default "auto"
        The step size; "auto" is 1/L with L the Lipschitz constant of the gradient
        (estimated by power iteration), 0.001 for "adam".
    schedule : {"constant", "invscaling"}, default "constant"
        Step size schedule; "invscaling" is learning_rate / (1 + t)^power_t after t updates.
    power_t : float, default 0.5
        Exponent of the "invscaling" schedule.
    batch_size : int, default 32
        Samples per minibatch ("sgd", "adam").
    max_epochs : int, default 1000
        Passes over the data (scikit-learn's max_iter); L-BFGS counts iterations in it.
    momentum : float, default 0.0
        Heavy-ball momentum, PyTorch's rule ("sgd").
    nesterov : bool, default False
        Nesterov's momentum instead ("sgd").
    beta_1, beta_2 : float, default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float, default 1e-8
        Adam's term added to the denominator.
    weight_decay : float, default 0.0
        L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases.
    average : bool or int, default False
        Polyak-Ruppert averaging, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after every
        update, the average used for prediction: False, True, or the epoch (from 1)
        at which it starts.
    tol : float or None, default 1e-7
        Stopping tolerance: "gd" stops once the gradient norm falls to tol times
        its first value, "sgd" once the loss has not improved by tol; None never stops early.
    n_iter_no_change : int, default 5
        Epochs without an improvement of tol before training stops.
    early_stopping : bool, default False
        Hold out validation_fraction of the data, stop on its score and restore
        the best weights.
    validation_fraction : float, default 0.1
        Share of the data held out for early stopping.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights, the shuffling and the validation split; the
        same seed gives the same weights for any thread count.
    warm_start : bool, default False
        Start fit from the current weights.
    verbose : bool, default False
        Show a progress bar (or lines on stderr) per epoch.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The weights w: 1-D for a 1-D target.
    intercept_ : float or ndarray of shape (n_targets,)
        The bias b.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names of X, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (iterations for L-BFGS).
    t_ : int
        Updates made, which the schedule and Adam's bias correction count.
    loss_ : float
        Training loss of the last epoch.
    converged_ : bool
        Whether the last fit met its stopping rule before max_epochs.
    history_ : dict of list
        Per epoch: "loss", "learning_rate", "grad_norm", "seconds"; with
        early stopping also "val_loss" and "val_score".

    See Also
    --------
    LogisticRegression, MLPRegressor

    Examples
    --------
    >>> from mlpcore import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> d = X @ [1.0, -2.0, 0.5] + 3.0 + 0.1 * rng.normal(size=200)
    >>> model = LinearRegression().fit(X, d)
    >>> model.coef_.round(2), round(model.intercept_, 2)
    (array([ 0.99, -2.01,  0.51]), 3.0)
    >>> LinearRegression(solver="gd").fit(X, d).coef_.round(2)
    array([ 0.99, -2.01,  0.51])
    """

    _constraints = {"solver": ["exact", "gd", "sgd", "lbfgs", "adam"], **_ADAM_CONSTRAINTS}

    def __init__(self, *, fit_intercept=True, solver="exact", learning_rate="auto",
                 schedule="constant", power_t=0.5, batch_size=32, max_epochs=1000,
                 momentum=0.0, nesterov=False, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, weight_decay=0.0, average=False, tol=1e-7,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False):
        _store_init_params(self, locals())

    def _published_attributes(self, weights, biases):
        w, b = weights[0], biases[0]
        if self._y_ndim == 1:
            return {"coef_": w[:, 0], "intercept_": float(b[0])}
        return {"coef_": w.T, "intercept_": b}

    def _published_params(self):
        coef = np.asarray(self.coef_)
        w = coef[:, None] if coef.ndim == 1 else coef.T
        return [w], [np.atleast_1d(np.asarray(self.intercept_, dtype=coef.dtype))]


class LogisticRegression(_LinearShape, _SoftmaxClassifier):
    """Multinomial logistic regression: p = softmax(X W + b) with the cross-entropy loss.

    The cross-entropy on 1-of-K targets has the gradient Phi^T (Y - T) / n. Fitted by
    L-BFGS (the default), gradient descent (solver="gd", learning_rate 1/L by default)
    or minibatch SGD. ``coef_`` is (n_classes, n_features) (the course's W transposed),
    also for two classes.

    Parameters
    ----------
    fit_intercept : bool, default True
        Whether to learn the bias b (else b = 0).
    solver : {"lbfgs", "gd", "sgd", "adam"}, default "lbfgs"
        "lbfgs" (full batch, a Wolfe line search), "gd" (full batch), "sgd" or
        "adam" (minibatches).
    learning_rate : float or "auto", default "auto"
        The step size; "auto" is 1/L with L the Lipschitz constant of the gradient
        (estimated by power iteration), 0.001 for "adam".
    schedule : {"constant", "invscaling"}, default "constant"
        Step size schedule; "invscaling" is learning_rate / (1 + t)^power_t after t updates.
    power_t : float, default 0.5
        Exponent of the "invscaling" schedule.
    batch_size : int, default 32
        Samples per minibatch ("sgd", "adam").
    max_epochs : int, default 1000
        Passes over the data (scikit-learn's max_iter); L-BFGS counts iterations in it.
    momentum : float, default 0.0
        Heavy-ball momentum, PyTorch's rule ("sgd").
    nesterov : bool, default False
        Nesterov's momentum instead ("sgd").
    beta_1, beta_2 : float, default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float, default 1e-8
        Adam's term added to the denominator.
    weight_decay : float, default 0.0
        L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases.
    average : bool or int, default False
        Polyak-Ruppert averaging, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after every
        update, the average used for prediction: False, True, or the epoch (from 1)
        at which it starts.
    tol : float or None, default 1e-6
        Stopping tolerance ("lbfgs": every gradient component within tol; "gd":
        the gradient norm relative to its first value); None never stops early.
    n_iter_no_change : int, default 5
        Epochs without an improvement of tol before training stops.
    early_stopping : bool, default False
        Hold out validation_fraction of the data, stop on its score and restore
        the best weights.
    validation_fraction : float, default 0.1
        Share of the data held out for early stopping.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights, the shuffling and the validation split; the
        same seed gives the same weights for any thread count.
    warm_start : bool, default False
        Start fit from the current weights.
    verbose : bool, default False
        Show a progress bar (or lines on stderr) per epoch.
    class_weight : dict, "balanced" or None, default None
        Weight of each class in the loss; "balanced" weights each class by
        n_samples / (n_classes * its count).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coef_ : ndarray of shape (n_classes, n_features)
        The weights, one row per class.
    intercept_ : ndarray of shape (n_classes,)
        The bias b.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names of X, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (iterations for L-BFGS).
    t_ : int
        Updates made, which the schedule and Adam's bias correction count.
    loss_ : float
        Training loss of the last epoch.
    converged_ : bool
        Whether the last fit met its stopping rule before max_epochs.
    history_ : dict of list
        Per epoch: "loss", "learning_rate", "grad_norm", "seconds"; with
        early stopping also "val_loss" and "val_score".

    See Also
    --------
    MLPClassifier, Perceptron

    Examples
    --------
    >>> from mlpcore import LogisticRegression, datasets
    >>> X, y = datasets.blobs(n_samples=300, centers=3, random_state=0)
    >>> model = LogisticRegression().fit(X, y)
    >>> model.coef_.shape, model.score(X, y)
    ((3, 2), 1.0)
    >>> model.predict_proba(X[:2]).round(3)
    array([[0., 0., 1.],
           [0., 1., 0.]])
    """

    _constraints = _ADAM_CONSTRAINTS

    def __init__(self, *, fit_intercept=True, solver="lbfgs", learning_rate="auto",
                 schedule="constant", power_t=0.5, batch_size=32, max_epochs=1000,
                 momentum=0.0, nesterov=False, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, weight_decay=0.0, average=False, tol=1e-6,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False,
                 class_weight=None):
        _store_init_params(self, locals())


class Perceptron(_LinearShape, _Classifier):
    """Rosenblatt's perceptron: y = sign(w^T x + b), trained on its mistakes.

    Two classes of any labels are mapped to d = -1 and +1; sign(0) = +1, and
    w <- w + learning_rate d x, b <- b + learning_rate d for each misclassified sample
    (the bias as the weight of a constant input 1). Training stops after an epoch
    without mistakes; history_["mistakes"] counts them per epoch.

    More than two classes are one-vs-rest, as in scikit-learn: one perceptron per
    class (d = +1 for its class, -1 for the others), each trained by the same rule
    on the same sequence of samples, and the prediction is the class of the largest
    score; ``coef_`` is then (n_classes, n_features) and a mistake is one class's.

    Parameters
    ----------
    fit_intercept : bool, default True
        Whether to learn the bias b (else b = 0).
    solver : {"sgd", "gd"}, default "sgd"
        "sgd": the course's rule on minibatches (one sample by default); "gd": the
        whole batch at once.
    learning_rate : float, default 1.0
        The step size of the update.
    schedule : {"constant", "invscaling"}, default "constant"
        Step size schedule; "invscaling" is learning_rate / (1 + t)^power_t after t updates.
    power_t : float, default 0.5
        Exponent of the "invscaling" schedule.
    batch_size : int, default 1
        Samples per minibatch ("sgd", "adam").
    max_epochs : int, default 1000
        Passes over the data (scikit-learn's max_iter); L-BFGS counts iterations in it.
    momentum : float, default 0.0
        Heavy-ball momentum, PyTorch's rule ("sgd").
    nesterov : bool, default False
        Nesterov's momentum instead ("sgd").
    weight_decay : float, default 0.0
        L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases.
    average : bool or int, default False
        Polyak-Ruppert averaging, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after every
        update, the average used for prediction: False, True, or the epoch (from 1)
        at which it starts.
    tol : float or None, default None
        None: stop after an epoch without mistakes (the course's rule); a number:
        stop once the criterion has not improved by tol.
    n_iter_no_change : int, default 5
        Epochs without an improvement of tol before training stops.
    early_stopping : bool, default False
        Hold out validation_fraction of the data, stop on its score and restore
        the best weights.
    validation_fraction : float, default 0.1
        Share of the data held out for early stopping.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights, the shuffling and the validation split; the
        same seed gives the same weights for any thread count.
    warm_start : bool, default False
        Start fit from the current weights.
    verbose : bool, default False
        Show a progress bar (or lines on stderr) per epoch.
    class_weight : dict, "balanced" or None, default None
        Weight of each class in the loss; "balanced" weights each class by
        n_samples / (n_classes * its count).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights w (one row for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The bias b.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names of X, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (iterations for L-BFGS).
    t_ : int
        Updates made, which the schedule and Adam's bias correction count.
    loss_ : float
        Training loss of the last epoch.
    converged_ : bool
        Whether the last fit met its stopping rule before max_epochs.
    history_ : dict of list
        Per epoch: "loss", "learning_rate", "grad_norm", "seconds"; with
        early stopping also "val_loss" and "val_score"; "mistakes" for the perceptron.

    See Also
    --------
    LogisticRegression

    Examples
    --------
    >>> from mlpcore import Perceptron, datasets
    >>> X, y = datasets.blobs(n_samples=200, centers=2, random_state=0)
    >>> model = Perceptron(random_state=0).fit(X, y)
    >>> model.history_["mistakes"], model.score(X, y)
    ([3, 0], 1.0)
    """

    _loss = PerceptronCriterion()
    _constraints = {"solver": ["gd", "sgd"]}
    _state_schema = {**_Classifier._state_schema,
                     "history_": History((*HISTORY, *_loss.history_fields), VALIDATION)}

    def __init__(self, *, fit_intercept=True, solver="sgd", learning_rate=1.0,
                 schedule="constant", power_t=0.5, batch_size=1, max_epochs=1000,
                 momentum=0.0, nesterov=False, weight_decay=0.0, average=False, tol=None,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, random_state=None, warm_start=False, verbose=False,
                 class_weight=None):
        _store_init_params(self, locals())

    def _n_outputs(self):
        return _perceptron_outputs(len(self.classes_))

    def _outputs_of_state(self, state):
        return _perceptron_outputs(len(state["classes_"]))

    def _target_from_index(self, index):
        if len(self.classes_) == 2:  # classes_[0] -> -1, classes_[1] -> +1
            return np.where(index == 1, 1.0, -1.0)[:, None]
        # one-vs-rest: +1 in the column of the sample's class, -1 elsewhere
        return np.where(index[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)

    def decision_function(self, X):
        """w^T x + b: (n,) for two classes, (n, n_classes) for more."""
        out = self._raw_output(X)
        return out[:, 0] if out.shape[1] == 1 else out

    def predict(self, X):
        """For two classes classes_[1] where sign(w^T x + b) = +1 (score >= 0), else
        classes_[0]; for more, the class of the largest score."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores >= 0).astype(np.int64)]
        return self.classes_[np.argmax(scores, axis=1)]


class MLPClassifier(_MultilayerShape, _SoftmaxClassifier):
    """Multilayer perceptron classifier: softmax output, cross-entropy loss, backpropagation.

    Hidden layers h_k = g(W_k h_{k-1} + b_k) (for a batch, H_k = g(H_{k-1} W_k + b_k)),
    a softmax output and the cross-entropy loss, trained by Adam (by default),
    minibatch SGD with Nesterov momentum, gradient descent or L-BFGS, with
    backpropagation in the compiled loop. coefs_[k] is W_k (n_in, n_out),
    intercepts_[k] is b_k.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden layer.
    activation : str, default "relu"
        The hidden layers' g, one of mlpcore.kernels.ACTIVATIONS.
    solver : {"adam", "sgd", "gd", "lbfgs"}, default "adam"
        "adam" or "sgd" (minibatches; "sgd" with Nesterov momentum by default),
        "gd" (full batch) or "lbfgs" (full batch, a Wolfe line search).
    learning_rate : float or "auto", default "auto"
        The step size; "auto" is 0.001 for "adam" and 0.01 for "sgd" and "gd".
    schedule : {"constant", "invscaling"}, default "constant"
        Step size schedule; "invscaling" is learning_rate / (1 + t)^power_t after t updates.
    power_t : float, default 0.5
        Exponent of the "invscaling" schedule.
    batch_size : int, default 200
        Samples per minibatch ("sgd", "adam").
    max_epochs : int, default 200
        Passes over the data (scikit-learn's max_iter); L-BFGS counts iterations in it.
    momentum : float, default 0.9
        Heavy-ball momentum, PyTorch's rule ("sgd").
    nesterov : bool, default True
        Nesterov's momentum instead ("sgd").
    beta_1, beta_2 : float, default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float, default 1e-8
        Adam's term added to the denominator.
    weight_decay : float, default 0.0001
        L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases.
    average : bool or int, default False
        Polyak-Ruppert averaging, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after every
        update, the average used for prediction: False, True, or the epoch (from 1)
        at which it starts.
    tol : float or None, default 1e-4
        Stop once the loss (or validation score) has not improved by tol for
        n_iter_no_change + 1 epochs; None never stops early.
    n_iter_no_change : int, default 10
        Epochs without an improvement of tol before training stops.
    early_stopping : bool, default False
        Hold out validation_fraction of the data, stop on its score and restore
        the best weights.
    validation_fraction : float, default 0.1
        Share of the data held out for early stopping.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights, the shuffling and the validation split; the
        same seed gives the same weights for any thread count.
    warm_start : bool, default False
        Start fit from the current weights.
    verbose : bool, default False
        Show a progress bar (or lines on stderr) per epoch.
    class_weight : dict, "balanced" or None, default None
        Weight of each class in the loss; "balanced" weights each class by
        n_samples / (n_classes * its count).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coefs_ : list of ndarray
        coefs_[k] is W_k of shape (n_in, n_out).
    intercepts_ : list of ndarray
        intercepts_[k] is b_k of shape (n_out,).
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names of X, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (iterations for L-BFGS).
    t_ : int
        Updates made, which the schedule and Adam's bias correction count.
    loss_ : float
        Training loss of the last epoch.
    converged_ : bool
        Whether the last fit met its stopping rule before max_epochs.
    history_ : dict of list
        Per epoch: "loss", "learning_rate", "grad_norm", "seconds"; with
        early stopping also "val_loss" and "val_score".

    See Also
    --------
    MLPRegressor, LogisticRegression, MLP

    Examples
    --------
    >>> from mlpcore import MLPClassifier, datasets
    >>> X, y = datasets.moons(n_samples=500, noise=0.1, random_state=0)
    >>> model = MLPClassifier(hidden_layer_sizes=(10, 10), activation="tanh", solver="lbfgs",
    ...                       random_state=0).fit(X, y)
    >>> model.score(X, y), [w.shape for w in model.coefs_]
    (1.0, [(2, 10), (10, 10), (10, 2)])
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 learning_rate="auto", schedule="constant", power_t=0.5, batch_size=200,
                 max_epochs=200, momentum=0.9, nesterov=True, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, weight_decay=1e-4,
                 average=False, tol=1e-4, n_iter_no_change=10, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, random_state=None, warm_start=False,
                 verbose=False, class_weight=None):
        _store_init_params(self, locals())


class MLPRegressor(_MultilayerShape, _Regressor):
    """Multilayer perceptron regressor: linear output, squared error, backpropagation.

    Hidden layers h_k = g(W_k h_{k-1} + b_k), a linear output and the squared error
    E = 1/(2n) sum_n ||y_n - d_n||^2, trained by Adam (by default), minibatch SGD with
    Nesterov momentum, gradient descent or L-BFGS, with backpropagation in the compiled
    loop.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden layer.
    activation : str, default "relu"
        The hidden layers' g, one of mlpcore.kernels.ACTIVATIONS.
    solver : {"adam", "sgd", "gd", "lbfgs"}, default "adam"
        "adam" or "sgd" (minibatches; "sgd" with Nesterov momentum by default),
        "gd" (full batch) or "lbfgs" (full batch, a Wolfe line search).
    learning_rate : float or "auto", default "auto"
        The step size; "auto" is 0.001 for "adam" and 0.01 for "sgd" and "gd".
    schedule : {"constant", "invscaling"}, default "constant"
        Step size schedule; "invscaling" is learning_rate / (1 + t)^power_t after t updates.
    power_t : float, default 0.5
        Exponent of the "invscaling" schedule.
    batch_size : int, default 200
        Samples per minibatch ("sgd", "adam").
    max_epochs : int, default 200
        Passes over the data (scikit-learn's max_iter); L-BFGS counts iterations in it.
    momentum : float, default 0.9
        Heavy-ball momentum, PyTorch's rule ("sgd").
    nesterov : bool, default True
        Nesterov's momentum instead ("sgd").
    beta_1, beta_2 : float, default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float, default 1e-8
        Adam's term added to the denominator.
    weight_decay : float, default 0.0001
        L2 penalty (weight_decay / 2) ||W||^2 on the weights, not the biases.
    average : bool or int, default False
        Polyak-Ruppert averaging, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1) after every
        update, the average used for prediction: False, True, or the epoch (from 1)
        at which it starts.
    tol : float or None, default 1e-4
        Stop once the loss (or validation score) has not improved by tol for
        n_iter_no_change + 1 epochs; None never stops early.
    n_iter_no_change : int, default 10
        Epochs without an improvement of tol before training stops.
    early_stopping : bool, default False
        Hold out validation_fraction of the data, stop on its score and restore
        the best weights.
    validation_fraction : float, default 0.1
        Share of the data held out for early stopping.
    shuffle : bool, default True
        Reshuffle the samples every epoch.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights, the shuffling and the validation split; the
        same seed gives the same weights for any thread count.
    warm_start : bool, default False
        Start fit from the current weights.
    verbose : bool, default False
        Show a progress bar (or lines on stderr) per epoch.

    Attributes
    ----------
    coefs_ : list of ndarray
        coefs_[k] is W_k of shape (n_in, n_out).
    intercepts_ : list of ndarray
        intercepts_[k] is b_k of shape (n_out,).
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names of X, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (iterations for L-BFGS).
    t_ : int
        Updates made, which the schedule and Adam's bias correction count.
    loss_ : float
        Training loss of the last epoch.
    converged_ : bool
        Whether the last fit met its stopping rule before max_epochs.
    history_ : dict of list
        Per epoch: "loss", "learning_rate", "grad_norm", "seconds"; with
        early stopping also "val_loss" and "val_score".

    See Also
    --------
    MLPClassifier, LinearRegression, MLP

    Examples
    --------
    >>> from mlpcore import MLPRegressor
    >>> x = np.linspace(-2, 2, 200)[:, None]
    >>> net = MLPRegressor(hidden_layer_sizes=(20,), activation="tanh", solver="lbfgs",
    ...                    max_epochs=1000, random_state=0).fit(x, np.sin(2 * x[:, 0]))
    >>> round(net.score(x, np.sin(2 * x[:, 0])), 3)
    1.0
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 learning_rate="auto", schedule="constant", power_t=0.5, batch_size=200,
                 max_epochs=200, momentum=0.9, nesterov=True, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, weight_decay=1e-4,
                 average=False, tol=1e-4, n_iter_no_change=10, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, random_state=None, warm_start=False,
                 verbose=False):
        _store_init_params(self, locals())
