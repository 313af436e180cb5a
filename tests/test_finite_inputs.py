"""NaN and infinity in the training data: found by the first epoch as its batches are
formed, reported with check_array's message, and a failed fit changes nothing."""

import numpy as np
import pytest

import mlpcore
from mlpcore import _core

ESTIMATORS = {
    "perceptron (online)": lambda: mlpcore.Perceptron(max_epochs=3),
    "logistic gd (rows in place)": lambda: mlpcore.LogisticRegression(max_epochs=3),
    "logistic sgd (gathered)": lambda: mlpcore.LogisticRegression(solver="sgd", max_epochs=3),
    "linear sgd, no shuffle": lambda: mlpcore.LinearRegression(solver="sgd", shuffle=False,
                                                              max_epochs=3),
    "mlp": lambda: mlpcore.MLPClassifier((4,), max_epochs=3, batch_size=7),
    "mlp early stopping": lambda: mlpcore.MLPClassifier((4,), max_epochs=3,
                                                        early_stopping=True),
}


@pytest.mark.parametrize("isa_dtype", [np.float32, np.float64])
def test_all_finite_matches_numpy(isa, isa_dtype):
    rng = np.random.default_rng(0)
    base = rng.standard_normal((37, 53)).astype(isa_dtype)
    views = [base, base[:, ::3], base.T, base[::-2], base[5], base[:, 7]]
    for bad in (np.nan, np.inf, -np.inf):
        for where in [(0, 0), (36, 52), (17, 31), (20, 21)]:
            corrupted = base.copy()
            corrupted[where] = bad
            for view in [corrupted, corrupted[:, ::3], corrupted.T, corrupted[::-2],
                         corrupted[where[0]], corrupted[:, where[1]]]:
                assert _core._all_finite(view) == bool(np.isfinite(view).all())
    for view in views:
        assert _core._all_finite(view)
    # the largest finite values and subnormals are finite
    edge = np.array([np.finfo(isa_dtype).max, -np.finfo(isa_dtype).max,
                     np.finfo(isa_dtype).smallest_subnormal, -0.0], isa_dtype)
    assert _core._all_finite(edge)


@pytest.mark.filterwarnings("ignore::mlpcore.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("bad, message", [(np.nan, "Input X contains NaN"),
                                          (np.inf, "Input X contains infinity")])
def test_a_non_finite_value_anywhere_is_refused(name, bad, message):
    X, y = mlpcore.datasets.xor(60, random_state=0)
    for row in (0, 29, 59):
        for layout in ("C", "F"):
            corrupted = np.array(X, order=layout)
            corrupted[row, 1] = bad
            model = ESTIMATORS[name]()
            with pytest.raises(ValueError, match=message):
                model.fit(corrupted, y)
            with pytest.raises(mlpcore.NotFittedError):
                model.predict(X)


@pytest.mark.filterwarnings("ignore::mlpcore.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_a_failed_fit_leaves_the_model_as_it_was(name):
    X, y = mlpcore.datasets.xor(80, random_state=1)
    corrupted = X.copy()
    corrupted[70, 0] = np.nan  # late in the data: earlier batches train before it is seen

    reference = ESTIMATORS[name]().set_params(random_state=0).fit(X, y)
    for incremental in (False, True):
        model = ESTIMATORS[name]().set_params(random_state=0, warm_start=True).fit(X, y)
        before = {k: np.copy(v) for k, v in vars(model).items() if isinstance(v, np.ndarray)}
        proba_before = model.decision_function(X) if hasattr(model, "decision_function") \
            else model.predict(X)
        with pytest.raises(ValueError, match="NaN"):
            if incremental and hasattr(model, "partial_fit") and not model.get_params().get(
                    "early_stopping"):  # which partial_fit refuses
                model.partial_fit(corrupted, y)
            else:
                model.fit(corrupted, y)
        for key, value in before.items():
            np.testing.assert_array_equal(getattr(model, key), value, err_msg=key)
        after = model.decision_function(X) if hasattr(model, "decision_function") \
            else model.predict(X)
        np.testing.assert_array_equal(after, proba_before)
        assert len(model.history_["loss"]) == len(reference.history_["loss"])
        # and training goes on exactly as if the failed fit had not happened
        twin = ESTIMATORS[name]().set_params(random_state=0, warm_start=True).fit(X, y)
        for w, v in zip(model.fit(X, y)._weights, twin.fit(X, y)._weights):
            np.testing.assert_array_equal(w, v)
