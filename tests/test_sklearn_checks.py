"""scikit-learn's own estimator checks, with no expected failures (when scikit-learn is
installed). The perceptron is checked with solver="gd": with per-sample updates in a
shuffled order, a sample of weight 2 cannot give the same model as that sample twice
(check_sample_weight_equivalence), which full-batch training does. The MLP regressor is
checked with learning_rate=1e-3: on the checks' targets, in the hundreds, the default step
of 0.01 diverges, and a diverging fit is refused."""

import warnings

import pytest

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from mlpcore import (  # noqa: E402
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    Perceptron,
)


@parametrize_with_checks(
    [LinearRegression(), LogisticRegression(), Perceptron(solver="gd"), MLPClassifier(),
     MLPRegressor(learning_rate=1e-3)]
)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        check(estimator)
