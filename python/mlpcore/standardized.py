"""An estimator that sees standardized features, saved and loaded as one model.

Gradient methods need features on a common scale: on the wine data (features from 0.1
to 1,680) an MLP fitted on the raw columns reaches 0.17 accuracy with a loss of 1e4 at
epoch 1, and 0.97 on standardized ones. ``Standardized(estimator)`` fits a
:class:`~mlpcore.features.Standardizer` on the training rows, the estimator on the
standardized rows, and applies the same statistics whenever it predicts, so that
``mlpcore.save`` / ``mlpcore.load`` keep the two together and the loaded model takes
raw features. With ``target=True`` a regressor also learns a standardized target and
its predictions are mapped back to the target's units (a network's output starts near
0, far from a target such as the diabetes progression score, 25 to 346).

With scikit-learn installed, ``make_pipeline(Standardizer(), estimator)`` computes the
same predictions; this class exists because a model file holds mlpcore's own objects
only (no pickle).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._compat import BaseEstimator
from ._metrics import r2_score
from ._param_validation import validate_params
from ._state import FeatureNames, Int, InvalidStateError, check_state
from ._validation import check_array, check_is_fitted, check_n_features
from .estimators import _feature_names
from .features import Standardizer
from .persistence import Model

_CLASSIFIERS = ("Perceptron", "LogisticRegression", "MLPClassifier")
_ESTIMATORS = (*_CLASSIFIERS, "LinearRegression", "MLPRegressor")


class _MlpcoreEstimator:
    def is_satisfied_by(self, value):
        return type(value).__name__ in _ESTIMATORS and type(value).__module__.startswith(
            "mlpcore.")

    def description(self):
        return f"an mlpcore estimator ({', '.join(_ESTIMATORS)})"


class Standardized(BaseEstimator):
    """An estimator fitted on standardized features, saved and loaded as one model.

    The features become ``(x - mean) / std`` per column, with the mean and standard
    deviation of the training rows, whenever the estimator is fitted or predicts.

    Parameters
    ----------
    estimator : mlpcore estimator
        Perceptron, LogisticRegression, LinearRegression, MLPClassifier or MLPRegressor,
        unfitted; ``fit`` fits a copy of it (``estimator_``), as scikit-learn's meta
        estimators do.
    target : bool, default False
        Also standardize the target of a regressor (a 1-D target or each column of a
        2-D one) and map predictions back to its units.

    Attributes
    ----------
    scaler_ : Standardizer
        The feature statistics of the training rows.
    estimator_ : estimator
        The estimator fitted on the standardized rows.
    target_scaler_ : Standardizer or None
        The target's statistics, when ``target``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        The column names of X when fit was given a DataFrame (or a state that holds them).
    classes_ : ndarray
        The estimator's classes, for a classifier.

    Examples
    --------
    >>> from mlpcore import LogisticRegression, Standardized, datasets
    >>> X, y = datasets.blobs(n_samples=60, centers=3, random_state=0)
    >>> X = X * [1.0, 100.0]  # features of very different scales
    >>> model = Standardized(LogisticRegression()).fit(X, y)
    >>> model.score(X, y), model.scaler_.mean_.round(1).tolist()
    (1.0, [-0.1, -187.0])
    """

    _constraints = {"estimator": [_MlpcoreEstimator()], "target": ["boolean"]}
    _state_schema = {
        "n_features_in_": Int(1),
        "feature_names_in_": FeatureNames(),
        "scaler_": Model("Standardizer"),
        "estimator_": Model(*_ESTIMATORS),
        "target_scaler_": Model("Standardizer", optional=True),
    }

    def __init__(self, estimator, *, target=False):
        self.estimator = estimator
        self.target = target

    def _validate_params(self):
        validate_params(self)
        if self.target and self._is_classifier():
            raise ValueError(f"target=True standardizes a regression target; "
                             f"{type(self.estimator).__name__} is a classifier")

    def _is_classifier(self):
        return type(self.estimator).__name__ in _CLASSIFIERS

    def __sklearn_tags__(self):
        """scikit-learn's tags (with scikit-learn installed): a classifier or a regressor as
        the estimator is, so that is_classifier and stratified splits see it."""
        from sklearn.utils import ClassifierTags, RegressorTags

        tags = super().__sklearn_tags__()
        if self._is_classifier():
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        else:
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        return tags

    # ------------------------------------------------------------------ fitting

    def fit(self, X, y, sample_weight=None):
        """Fit the feature statistics on X (n, d), then a copy of the estimator on the
        standardized X and y (standardized too when ``target``); returns self."""
        self._validate_params()
        names = _feature_names(X)
        X = check_array(X, estimator=self)
        scaler = Standardizer().fit(X, sample_weight=sample_weight)
        estimator = type(self.estimator)(**self.estimator.get_params(deep=False))
        target_scaler = None
        if self.target:
            y = np.asarray(y, dtype=np.float64)
            if y.ndim not in (1, 2):
                raise ValueError(f"y must be 1-D or 2-D, got {y.ndim} dimensions")
            target_scaler = Standardizer().fit(y.reshape(len(y), -1),
                                               sample_weight=sample_weight)
            y = target_scaler.transform(y.reshape(len(y), -1)).reshape(y.shape)
        estimator.fit(scaler.transform(X), y, sample_weight=sample_weight)
        self.__dict__.pop("feature_names_in_", None)
        if names is not None:
            self.feature_names_in_ = names
        self.n_features_in_ = X.shape[1]
        self.scaler_, self.estimator_, self.target_scaler_ = scaler, estimator, target_scaler
        return self

    # ------------------------------------------------------------------ predicting

    def _standardize(self, X):
        check_is_fitted(self)
        names, fitted = _feature_names(X), getattr(self, "feature_names_in_", None)
        if fitted is not None and names is None:
            warnings.warn("X does not have valid feature names, but Standardized was fitted "
                          "with feature names", UserWarning, stacklevel=3)
        elif fitted is None and names is not None:
            warnings.warn("X has feature names, but Standardized was fitted without feature "
                          "names", UserWarning, stacklevel=3)
        elif fitted is not None and (len(fitted) != len(names) or np.any(fitted != names)):
            raise ValueError("The feature names should match those that were passed during "
                             "fit.")
        X = check_array(X, estimator=self)
        check_n_features(self, X)
        return self.scaler_.transform(X)

    def predict(self, X):
        """The estimator's predictions on the standardized X, in the target's units."""
        X = self._standardize(X)
        out = self.estimator_.predict(X)
        if self.target_scaler_ is None:
            return out
        return self.target_scaler_.inverse_transform(
            np.asarray(out, dtype=np.float64).reshape(len(out), -1)).reshape(out.shape)

    def predict_proba(self, X):
        """The class probabilities of a classifier that gives them (n, K)."""
        X = self._standardize(X)
        if not hasattr(self.estimator_, "predict_proba"):
            raise AttributeError(f"{type(self.estimator_).__name__} gives no probabilities")
        return self.estimator_.predict_proba(X)

    def score(self, X, y, sample_weight=None):
        """Accuracy of a classifier, R^2 of a regressor (averaged over outputs)."""
        predictions = self.predict(X)
        if self._is_classifier():
            return float(np.average(predictions == np.asarray(y), weights=sample_weight))
        return r2_score(y, predictions, sample_weight)

    @property
    def classes_(self):
        check_is_fitted(self)
        if not hasattr(self.estimator_, "classes_"):
            raise AttributeError(f"{type(self.estimator_).__name__} has no classes_")
        return self.estimator_.classes_

    @property
    def history_(self):
        """The estimator's training history (loss per epoch, ...)."""
        check_is_fitted(self)
        return self.estimator_.history_

    # ------------------------------------------------------------------ state

    def _state_shapes(self, state):
        return [state["n_features_in_"]], None

    def get_state(self) -> dict:
        """n_features_in_, feature_names_in_ (when known) and the fitted scaler_,
        estimator_ and target_scaler_ (the objects themselves, not copies)."""
        check_is_fitted(self)
        return {key: getattr(self, key) for key in self._state_schema
                if getattr(self, key, None) is not None}

    def set_state(self, state):
        """Takes a state as get_state gives it once its entries agree with each other
        and with the hyperparameters (InvalidStateError otherwise, leaving the model as
        it was). Returns self."""
        self._validate_params()
        check_state(self, state)
        n = state["n_features_in_"]
        estimator, target_scaler = state["estimator_"], state.get("target_scaler_")
        if type(estimator) is not type(self.estimator):
            raise InvalidStateError(f"estimator_ is a {type(estimator).__name__}, but estimator "
                                    f"is a {type(self.estimator).__name__}")
        for key in ("scaler_", "estimator_"):
            if state[key].n_features_in_ != n:
                raise InvalidStateError(f"{key} takes {state[key].n_features_in_} features, "
                                        f"not n_features_in_={n}")
        if (target_scaler is not None) != bool(self.target):
            wanted = "a Standardizer" if self.target else "None"
            raise InvalidStateError(f"target_scaler_ must be {wanted} when target={self.target}")
        if target_scaler is not None:
            outputs = getattr(estimator, "_n_targets", None)
            if target_scaler.n_features_in_ != outputs:
                raise InvalidStateError(f"target_scaler_ has {target_scaler.n_features_in_} "
                                        f"columns, but the estimator predicts {outputs}")
        for key in self._state_schema:
            self.__dict__.pop(key, None)
        self.__dict__.update({"target_scaler_": None, **state})
        return self
