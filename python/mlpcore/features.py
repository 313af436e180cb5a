"""Feature maps of the course, in plain NumPy: the bias trick, 1-of-K targets,
polynomial features and standardization.

* :func:`add_bias` prepends a column of ones, so that the bias is the weight of index 0
  (``phi(x) = (1, x_1, ..., x_D)``, ``y = w^T phi(x)``).
* :func:`one_hot` turns class indices ``0..K-1`` into the 1-of-K target matrix ``T`` (n, K).
* :class:`PolynomialFeatures` maps ``x`` to all monomials up to a degree, with the column order
  and feature names of scikit-learn's ``PolynomialFeatures``.
* :class:`Standardizer` subtracts the mean and divides by the standard deviation of each feature,
  with the numbers of scikit-learn's ``StandardScaler``.

The transformers follow scikit-learn's conventions (``fit`` returns self, learned attributes end
in ``_``, hyperparameters are checked in ``fit``, ``get_params``/``set_params``); with scikit-learn
installed they are genuine scikit-learn transformers (``clone``, ``Pipeline``). float32 input gives
float32 output, other numbers become float64.
"""

from __future__ import annotations

import numbers
from itertools import chain, combinations, combinations_with_replacement

import numpy as np

from ._compat import BaseEstimator, TransformerMixin
from ._param_validation import validate_params
from ._state import Count, Int, InvalidStateError, Vector, check_state
from ._validation import (
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_sample_weight,
    column_or_1d,
)

__all__ = ["add_bias", "one_hot", "PolynomialFeatures", "Standardizer"]


# ----------------------------------------------------------------------------------------------
# Functions
# ----------------------------------------------------------------------------------------------

def add_bias(X):
    """The bias trick: ``[1, X]``, X (n, d) -> (n, d + 1) with a first column of ones.

    With this feature map the bias of a linear model is its weight of index 0.

    Parameters
    ----------
    X : array_like of shape (n, d)
        2-D, non-empty and finite; float32 and float64 keep their dtype, other numbers
        become float64.

    Returns
    -------
    ndarray of shape (n, d + 1)
        The column of ones, then X.

    Examples
    --------
    >>> from mlpcore import features
    >>> features.add_bias(np.array([[2.0, 3.0], [4.0, 5.0]]))
    array([[1., 2., 3.],
           [1., 4., 5.]])
    """
    X = check_array(X)
    out = np.empty((X.shape[0], X.shape[1] + 1), dtype=X.dtype)
    out[:, 0] = 1
    out[:, 1:] = X
    return out


def _describe(value):
    return repr(value.item() if isinstance(value, np.generic) else value)


def one_hot(y, n_classes=None, dtype=np.float64):
    """1-of-K encoding: class indices y (n,) in 0..K-1 -> T (n, K) with T[i, y[i]] = 1.

    Labels that are negative, not integers (strings, NaN, 1.5; integral floats such as 2.0
    are accepted) or ``>= n_classes`` raise a ValueError naming the first bad value and its
    position. A column vector y is accepted with a DataConversionWarning, as in scikit-learn.

    Parameters
    ----------
    y : array_like of shape (n,)
        Class indices.
    n_classes : int, optional
        K; by default ``max(y) + 1``.
    dtype : dtype, default numpy.float64
        The dtype of T.

    Returns
    -------
    ndarray of shape (n, K)
        Ones at T[i, y[i]], zeros elsewhere.

    Examples
    --------
    >>> from mlpcore import features
    >>> features.one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    y = column_or_1d(y)
    if n_classes is not None:
        if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, numbers.Integral):
            raise TypeError(f"n_classes must be an int or None, got {n_classes!r}")
        if n_classes < 0:
            raise ValueError(f"n_classes must be >= 0, got {n_classes}")
        n_classes = int(n_classes)
    if y.dtype.kind == "O":
        for i, v in enumerate(y):
            if not isinstance(v, (numbers.Real, np.bool_)):
                raise ValueError(
                    f"one_hot: y[{i}] = {v!r} is not an integer class index; class indices "
                    f"must be integers in 0..K-1")
        y = y.astype(np.float64) if len(y) else y.astype(np.int64)
    kind = y.dtype.kind
    if kind not in "biuf":
        what = f"y[0] = {_describe(y[0])}" if len(y) else "y"
        raise ValueError(
            f"one_hot: {what} is not an integer class index (y has dtype {y.dtype}); class "
            f"indices must be integers in 0..K-1")
    if kind == "f":
        bad = ~np.isfinite(y)
        bad[~bad] = y[~bad] != np.round(y[~bad])
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"one_hot: y[{i}] = {_describe(y[i])} is not an integer class index; class "
                f"indices must be integers in 0..K-1")
    if len(y) and (y < 0).any():
        i = int(np.argmax(y < 0))
        raise ValueError(
            f"one_hot: y[{i}] = {_describe(y[i])} is negative; class indices must be integers "
            f"in 0..K-1")
    labels = y.astype(np.int64)
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if len(labels) else 0
    elif len(labels) and (labels >= n_classes).any():
        i = int(np.argmax(labels >= n_classes))
        raise ValueError(
            f"one_hot: y[{i}] = {_describe(y[i])} is too large for n_classes={n_classes}; "
            f"class indices must be integers in 0..{n_classes - 1}")
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


# ----------------------------------------------------------------------------------------------
# PolynomialFeatures
# ----------------------------------------------------------------------------------------------

class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to ``degree``.

    For x = (a, b) and degree 2: ``(a, b, a^2, a b, b^2)`` (with a first column of ones
    when ``include_bias``).

    Parameters
    ----------
    degree : int >= 0, or a tuple (min_degree, max_degree)
        The largest total degree (with a tuple, only degrees ``min_degree..max_degree``; degree 0
        is the bias column, controlled by ``include_bias``).
    include_bias : bool, default False
        Prepend the column of ones (the degree-0 monomial). Off by default, unlike scikit-learn,
        because the models of mlpcore fit their own bias (use :func:`add_bias` for the bias trick).
    interaction_only : bool, default False
        Only products of distinct features (``a b``, never ``a^2``).

    Attributes
    ----------
    n_features_in_ : int
        Number of input features seen in fit.
    n_output_features_ : int
        Number of output columns.
    powers_ : int64 array (n_output_features, n_features)
        ``powers_[i, j]`` is the exponent of input feature j in output column i. The columns are
        in scikit-learn's order: by degree, then lexicographically by the input features.

    Notes
    -----
    Hyperparameters are checked in ``fit``; ``__init__`` only stores them.

    Examples
    --------
    >>> from mlpcore.features import PolynomialFeatures
    >>> poly = PolynomialFeatures(degree=2).fit(np.array([[2.0, 3.0]]))
    >>> poly.transform(np.array([[2.0, 3.0]])), poly.get_feature_names_out().tolist()
    (array([[2., 3., 4., 6., 9.]]), ['x0', 'x1', 'x0^2', 'x0 x1', 'x1^2'])
    """

    # degree, an int or a tuple, is checked by _degrees
    _constraints = {"include_bias": ["boolean"], "interaction_only": ["boolean"]}

    def __init__(self, degree=2, include_bias=False, interaction_only=False):
        self.degree = degree
        self.include_bias = include_bias
        self.interaction_only = interaction_only

    def _degrees(self):
        degree = self.degree
        if isinstance(degree, tuple):
            if len(degree) != 2:
                raise ValueError(
                    f"degree must be an int >= 0 or a tuple (min_degree, max_degree), got "
                    f"{degree!r}")
            lo = check_int("min_degree", degree[0], 0)
            hi = check_int("max_degree", degree[1], 0)
            if lo > hi:
                raise ValueError(
                    f"degree=(min_degree, max_degree) must have min_degree <= max_degree, got "
                    f"{degree!r}")
            return lo, hi
        return 0, check_int("degree", degree, 0)

    def fit(self, X, y=None):
        """Compute the exponents ``powers_`` for X's number of features; y is ignored."""
        lo, hi = self._degrees()
        validate_params(self)
        include_bias, interaction_only = bool(self.include_bias), bool(self.interaction_only)
        X = check_array(X, estimator=self)
        n_features = X.shape[1]
        if hi == 0 and not include_bias:
            raise ValueError(
                "Setting degree to zero and include_bias to False would result in an empty "
                "output array.")
        comb = combinations if interaction_only else combinations_with_replacement
        start = max(1, lo)
        terms = chain.from_iterable(comb(range(n_features), k) for k in range(start, hi + 1))
        rows = [np.bincount(np.asarray(t, dtype=np.int64), minlength=n_features)
                for t in terms]
        if include_bias:
            rows.insert(0, np.zeros(n_features, dtype=np.int64))
        powers = (np.vstack(rows).astype(np.int64) if rows
                  else np.zeros((0, n_features), dtype=np.int64))
        if powers.shape[0] == 0:
            raise ValueError(
                f"PolynomialFeatures(degree={self.degree!r}, interaction_only="
                f"{interaction_only}) has no output features for {n_features} input feature(s).")
        self.n_features_in_ = n_features
        self.powers_ = powers
        self.n_output_features_ = powers.shape[0]
        return self

    def transform(self, X):
        """X (n, n_features_in_) -> (n, n_output_features_), in X's dtype:
        column i is ``prod_j X[:, j] ** powers_[i, j]``."""
        check_is_fitted(self)
        X = check_array(X, estimator=self)
        check_n_features(self, X)
        out = np.empty((X.shape[0], self.n_output_features_), dtype=X.dtype)
        for i, row in enumerate(self.powers_):
            col = out[:, i]
            col[...] = 1
            for j in np.flatnonzero(row):
                p = int(row[j])
                col *= X[:, j] if p == 1 else X[:, j] ** p
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, as scikit-learn writes them: ``"1"``, ``"x0"``,
        ``"x1^2"``, ``"x0 x1"`` (or with the given ``input_features`` instead of x0, x1, ...)."""
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        else:
            input_features = [str(f) for f in np.asarray(input_features, dtype=object).ravel()]
            if len(input_features) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(input_features)}")
        names = []
        for row in self.powers_:
            idx = np.flatnonzero(row)
            if len(idx):
                names.append(" ".join(
                    input_features[j] if row[j] == 1 else f"{input_features[j]}^{int(row[j])}"
                    for j in idx))
            else:
                names.append("1")
        return np.asarray(names, dtype=object)


# ----------------------------------------------------------------------------------------------
# Standardizer
# ----------------------------------------------------------------------------------------------

def _column_sums(X64, w=None):
    """The column sums of float64 rows X64 (weighted by w) and the rows' total weight:
    Standardizer's first pass, which adds up over parts of the rows."""
    return (X64.sum(axis=0), X64.shape[0]) if w is None else (w @ X64, float(w.sum()))


def _centred_sums(X64, w, mean):
    """The column sums of X64 - mean and of its squares (weighted by w): Standardizer's
    second pass (the corrected two-pass algorithm), which adds up over parts of the rows."""
    d = X64 - mean
    if w is None:
        return d.sum(axis=0), (d * d).sum(axis=0)
    return w @ d, w @ (d * d)


class Standardizer(TransformerMixin, BaseEstimator):
    """Standardization ``(x - mean_) / scale_`` per feature, ``scale_`` the standard deviation.

    The statistics are computed in float64 with the corrected two-pass algorithm, as
    scikit-learn's ``StandardScaler`` does, with the population variance (ddof 0, weighted by
    ``sample_weight`` when given). Features whose variance is zero up to rounding get scale 1 (they
    are only centred). float32 input is transformed to float32 output; the attributes are float64.

    Parameters
    ----------
    with_mean : bool, default True
        Subtract the mean (else the data are only scaled).
    with_std : bool, default True
        Divide by the standard deviation (else the data are only centred).

    Attributes
    ----------
    mean_ : float64 (n_features,) or None
        None when neither with_mean nor with_std (as in scikit-learn; it is computed, but not used,
        when only with_std).
    var_ : float64 (n_features,) or None
        The variance; None when not with_std.
    scale_ : float64 (n_features,) or None
        The standard deviation (1 where it is zero); None when not with_std.
    n_features_in_ : int
        Number of features seen in fit.
    n_samples_seen_ : int, or float (the sum of the weights) when fitted with sample_weight
        The number of rows (also when neither with_mean nor with_std, as in scikit-learn).

    Examples
    --------
    >>> from mlpcore.features import Standardizer
    >>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> scaler = Standardizer().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 2., 20.]), array([ 1., 10.]))
    >>> scaler.transform(X)
    array([[-1., -1.],
           [ 1.,  1.]])
    """

    _constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None, sample_weight=None):
        """Compute mean_, var_ and scale_ of X (n, d), weighted by sample_weight (n,) if given."""
        validate_params(self)
        with_mean, with_std = bool(self.with_mean), bool(self.with_std)
        X = check_array(X, estimator=self)
        n = X.shape[0]
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, n, np.float64)
            total = float(w.sum())
            if not total > 0:
                raise ValueError("The sum of sample_weight must be positive, got "
                                 f"{total!r}.")
        else:
            w = None
            total = n
        X64 = X.astype(np.float64, copy=False)
        mean = correction = sq = None
        if with_mean or with_std:
            mean = _column_sums(X64, w)[0] / total
        if with_std:
            correction, sq = _centred_sums(X64, w, mean)
        return self._set_moments(X.shape[1], n, total, mean, correction, sq)

    def _set_moments(self, n_features, n, total, mean, correction, sq):
        """The fitted attributes from the total weight, the mean and the two-pass
        algorithm's sums over the rows (_column_sums, _centred_sums; None where not
        needed), as fit computes them from all the rows at once; returns self."""
        with_mean, with_std = bool(self.with_mean), bool(self.with_std)
        var = scale = None
        if with_std:
            var = (sq - correction ** 2 / total) / total
            var = np.maximum(var, 0.0)
            eps = np.finfo(np.float64).eps
            constant = var <= total * eps * var + (total * mean * eps) ** 2
            scale = np.sqrt(var)
            scale[constant | (scale < 10 * eps)] = 1.0
        self.n_features_in_ = n_features
        # scikit-learn counts rows, not weights, when it computes no statistics
        self.n_samples_seen_ = total if (with_mean or with_std) else n
        self.mean_ = mean
        self.var_ = var
        self.scale_ = scale
        return self

    def transform(self, X):
        """``(X - mean_) / scale_`` (each step only where enabled), in X's dtype."""
        check_is_fitted(self)
        X = check_array(X, estimator=self)
        check_n_features(self, X)
        out = X.copy()
        if self.with_mean:
            out -= self.mean_
        if self.with_std:
            out /= self.scale_
        return out

    # ------------------------------------------------------------------ state (mlpcore.save)

    _state_schema = {"n_features_in_": Int(1), "n_samples_seen_": Count(), "mean_": Vector(),
                     "var_": Vector(), "scale_": Vector(positive=True)}

    def _validate_params(self):
        validate_params(self)

    def _state_shapes(self, state):
        return [state["n_features_in_"]], np.dtype(np.float64)

    def get_state(self) -> dict:
        """The fitted statistics (the entries of _state_schema); the arrays are the
        Standardizer's own, not copies."""
        check_is_fitted(self)
        return {key: getattr(self, key) for key in self._state_schema}

    def set_state(self, state):
        """Takes a state as get_state gives it, once every entry obeys _state_schema and
        the statistics are those with_mean and with_std compute (InvalidStateError
        otherwise, leaving the Standardizer as it was). Returns self."""
        self._validate_params()
        check_state(self, state)
        with_std = bool(self.with_std)
        computed = {"mean_": self.with_mean or with_std, "var_": with_std, "scale_": with_std}
        for key, present in computed.items():
            if (state[key] is not None) != bool(present):
                raise InvalidStateError(
                    f"{key} must be {'an array' if present else 'None'} when with_mean="
                    f"{self.with_mean} and with_std={self.with_std}")
        self.__dict__.update(state)
        return self

    def inverse_transform(self, X):
        """``X * scale_ + mean_``: back to the original units, in X's dtype."""
        check_is_fitted(self)
        X = check_array(X, estimator=self)
        check_n_features(self, X)
        out = X.copy()
        if self.with_std:
            out *= self.scale_
        if self.with_mean:
            out += self.mean_
        return out

    def fit_transform(self, X, y=None, sample_weight=None):
        """``fit(X, y, sample_weight).transform(X)``."""
        return self.fit(X, y, sample_weight=sample_weight).transform(X)
