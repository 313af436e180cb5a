"""Input checks for the estimators and transformers, in scikit-learn's words.

The messages follow scikit-learn's so that code and tests written for it keep
working; nothing here needs scikit-learn.
"""

from __future__ import annotations

import numbers
import warnings
from numbers import Integral, Real

import numpy as np

from . import _core
from . import _exceptions
from ._param_validation import Interval, check_param


def _is_sparse(X) -> bool:
    return type(X).__module__.startswith("scipy.sparse") or hasattr(X, "tocsr")


def _owner(estimator) -> str:
    return f" by {type(estimator).__name__}" if estimator is not None else ""


def refuse_unsupported(value, name="X", estimator=None):
    """TypeError for what mlpcore cannot take as a dense array without losing something:
    scipy.sparse matrices (the kernels are dense) and tensors that require grad
    (mlpcore does not record gradients, so detaching them is the caller's choice)."""
    if _is_sparse(value):
        raise TypeError(
            f"Sparse data was passed for {name}{_owner(estimator)}, but dense data is required. "
            "Use '.toarray()' to convert to a dense numpy array."
        )
    if getattr(value, "requires_grad", False) is True:
        raise TypeError(
            f"{name} is a tensor that requires grad, but mlpcore does not track gradients: "
            f"pass {name}.detach() instead."
        )


def _ends_in_nul(value) -> bool:
    return (isinstance(value, str) and value.endswith("\x00")) or (
        isinstance(value, bytes) and value.endswith(b"\x00"))


def as_array(value, name="y"):
    """value as a NumPy array, refusing sparse matrices and tensors that require grad.
    Strings or bytes that end in NUL stay Python objects: numpy's 'U' and 'S' dtypes
    drop trailing NULs, which would merge the labels 'a' and 'a\\x00'."""
    refuse_unsupported(value, name)
    array = np.asarray(value)
    if array.dtype.kind in "US" and not isinstance(value, np.ndarray):
        objects = np.asarray(value, dtype=object)
        if any(_ends_in_nul(v) for v in objects.flat):
            return objects
    return array


def check_array(X, *, name="X", estimator=None, ensure_2d=True, ensure_min_samples=1,
                ensure_min_features=1, ensure_finite=True):
    """X as a float32 or float64 NumPy array (float32 stays float32, other numbers
    become float64), 2-D, non-empty and finite, or a ValueError/TypeError saying why."""
    refuse_unsupported(X, name, estimator)
    if hasattr(X, "__dlpack__") and not isinstance(X, np.ndarray):
        try:  # CPU tensors of other libraries, without a copy
            X = np.from_dlpack(X)
        except (TypeError, RuntimeError, BufferError):
            pass
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from None
    kind = array.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported\n{name} has dtype {array.dtype}")
    if kind in "OUSV":
        try:
            array = array.astype(np.float64)
        except TypeError as exc:  # objects that are no numbers at all
            raise TypeError(f"could not convert {name} to float: {exc}") from None
        except ValueError as exc:  # strings that are not numbers
            raise ValueError(f"could not convert {name} to float: {exc}") from None
    elif array.dtype not in (np.float32, np.float64):
        if kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
        array = array.astype(np.float64)
    if ensure_2d:
        if array.ndim == 0:
            raise ValueError(
                f"Expected 2D array, got scalar array instead:\narray={array}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
        if array.ndim == 1:
            raise ValueError(
                f"Expected 2D array, got 1D array instead:\narray={array}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
        if array.ndim > 2:
            raise ValueError(f"Found array with dim {array.ndim}. Expected <= 2.")
    n_samples = array.shape[0] if array.ndim else 1
    if n_samples < ensure_min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={array.shape}) while a minimum of "
            f"{ensure_min_samples} is required{_owner(estimator)}."
        )
    if ensure_2d and array.shape[1] < ensure_min_features:
        raise ValueError(
            f"Found array with {array.shape[1]} feature(s) (shape={array.shape}) while a minimum "
            f"of {ensure_min_features} is required{_owner(estimator)}."
        )
    if ensure_finite:
        assert_all_finite(array, name)
    return array


def all_finite(array):
    """No NaN or infinity in the float array."""
    if (array.dtype in (np.float32, np.float64) and array.ndim in (1, 2)
            and all(s % array.itemsize == 0 for s in array.strides)):
        return _core._all_finite(array)  # one threaded read, no temporary
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(array).all())


def assert_all_finite(array, name="X"):
    if array.dtype.kind != "f":
        return
    if not all_finite(array):
        if np.isnan(array).any():
            raise ValueError(f"Input {name} contains NaN.")
        raise ValueError(
            f"Input {name} contains infinity or a value too large for {array.dtype!r}.")


def column_or_1d(y, *, name="y"):
    """y as a 1-D array; a column vector is accepted with a DataConversionWarning."""
    y = as_array(y, name)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape "
            "of y to (n_samples, ), for example using ravel().",
            _exceptions.DataConversionWarning,
            stacklevel=3,
        )
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def check_consistent_length(X, y):
    if len(X) != len(y):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{len(X)}, {len(y)}]"
        )


def check_sample_weight(sample_weight, n_samples, dtype):
    """Per-sample weights as a (n,) array of dtype, non-negative and finite; None: all 1;
    a scalar: that weight for every sample."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    sample_weight = as_array(sample_weight, "sample_weight")
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, sample_weight)
    if sample_weight.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got shape {sample_weight.shape}"
        )
    if sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)!"
        )
    if sample_weight.dtype.kind not in "biufO":
        raise TypeError(f"sample_weight must hold real numbers, got dtype {sample_weight.dtype}")
    try:
        sample_weight = sample_weight.astype(dtype)
    except (TypeError, ValueError) as exc:  # objects that are no real numbers
        raise TypeError(f"sample_weight must hold real numbers: {exc}") from None
    assert_all_finite(sample_weight, "sample_weight")
    if (sample_weight < 0).any():
        raise ValueError("Negative values in data passed to sample_weight")
    return sample_weight


def check_is_fitted(estimator, attribute="n_features_in_"):
    if not hasattr(estimator, attribute):
        raise _exceptions.NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


def check_n_features(estimator, X):
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )


def classification_target(y, estimator=None):
    """y as class labels: integers, strings or other discrete values, never floats
    with fractional parts (a regression target)."""
    y = column_or_1d(y)
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or np.any(y != np.round(y)):
            raise ValueError(
                "Unknown label type: continuous. Maybe you are trying to fit a classifier, "
                "which expects discrete classes on a regression target with continuous values."
            )
    elif y.dtype.kind == "O":
        kinds = {type(v) for v in y}
        if any(issubclass(t, float) for t in kinds) and not all(
            float(v).is_integer() for v in y
        ):
            raise ValueError("Unknown label type: continuous.")
        if len(kinds) > 1 and not all(issubclass(t, numbers.Integral) for t in kinds):
            raise ValueError(f"Unknown label type: mixed types {sorted(t.__name__ for t in kinds)}")
    elif y.dtype.kind == "c":
        raise ValueError("Unknown label type: complex")
    return y


def check_int(name, value, minimum):
    """value as an int >= minimum (TypeError for a non-integer, ValueError below minimum)."""
    check_param(name, value, [Interval(Integral, minimum, None, closed="left")])
    return int(value)


def check_real(name, value, minimum=0.0):
    """value as a finite float >= minimum."""
    check_param(name, value, [Interval(Real, minimum, None, closed="left")])
    return float(value)


def check_random_state(random_state):
    """A ``numpy.random.Generator`` or ``RandomState`` from None (fresh entropy), an int seed, or
    an existing Generator/RandomState (used as is, so its state advances)."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state,
                                                                     (bool, np.bool_)):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {random_state!r}")
