"""The estimators' conventions (scikit-learn's), their options, and their results
against scikit-learn and NumPy."""

import pickle
import sys
import warnings

import numpy as np
import pytest

import mlpcore
from mlpcore import (
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    NotFittedError,
    Perceptron,
)

ESTIMATORS = [LinearRegression, LogisticRegression, Perceptron, MLPClassifier, MLPRegressor]


def data_for(cls, n=120, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(dtype)
    if cls in (LinearRegression, MLPRegressor):
        return X, X @ [1.0, -2.0, 0.5, 0.0] + 0.1 * rng.normal(size=n)
    if cls is Perceptron:
        return X, np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    return X, np.array(["a", "b", "c"])[np.argmax(X[:, :3], axis=1)]


def quiet(model):
    model.set_params(max_epochs=30)
    return model


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fit_returns_self_and_sets_learned_attributes(cls):
    X, y = data_for(cls)
    model = cls(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        assert model.fit(X, y) is model
    assert model.n_features_in_ == 4
    assert model.n_iter_ >= 1 and len(model.history_["loss"]) == model.n_iter_
    for key in ("loss", "learning_rate", "grad_norm", "seconds"):
        assert len(model.history_[key]) == model.n_iter_
    if cls in (MLPClassifier, MLPRegressor):
        assert [w.shape for w in model.coefs_] == [(4, 100), (100, model.coefs_[1].shape[1])]
    else:
        assert model.coef_.shape[-1] == 4
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_predict_before_fit_raises_not_fitted(cls):
    with pytest.raises(NotFittedError):
        cls().predict(np.zeros((2, 4)))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_hyperparameters_are_validated_in_fit_not_init(cls):
    X, y = data_for(cls)
    bad = {"learning_rate": -1.0, "batch_size": 0, "solver": "newton", "max_epochs": 0,
           "momentum": 1.5, "schedule": "cosine", "validation_fraction": 1.5}
    if cls in (MLPClassifier, MLPRegressor):
        bad.update(hidden_layer_sizes=(), activation="swish")
    for name, value in bad.items():
        model = cls(**{name: value})  # no error yet
        with pytest.raises(ValueError, match=name):
            model.fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        cls(learning_rate=float("nan")).fit(X, y)
    if cls in (MLPClassifier, MLPRegressor):
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            cls(hidden_layer_sizes=(10, 0)).fit(X, y)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_get_set_params_and_pickle(cls):
    X, y = data_for(cls)
    model = quiet(cls(random_state=3))
    assert model.get_params()["max_epochs"] == 30
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model.fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.predict(X), model.predict(X))


def test_classifier_labels_of_any_type_and_proba():
    X, y = data_for(LogisticRegression)
    model = LogisticRegression().fit(X, y)
    assert list(model.classes_) == ["a", "b", "c"]
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 3) and np.allclose(proba.sum(1), 1)
    assert np.array_equal(model.classes_[proba.argmax(1)], model.predict(X))
    assert np.allclose(np.exp(model.predict_log_proba(X)), proba)
    binary = LogisticRegression().fit(X, y == "a")
    assert binary.decision_function(X).shape == (len(X),)


def test_continuous_target_and_single_class_are_rejected():
    X, _ = data_for(LogisticRegression)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="one class"):
        MLPClassifier().fit(X, np.zeros(len(X)))


def test_wrong_feature_count_and_bad_values():
    X, y = data_for(LinearRegression)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression is expecting 4"):
        model.predict(X[:, :3])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="NaN"):
        model.predict(Xn)
    with pytest.raises(ValueError, match="infinity"):
        LinearRegression().fit(X, np.r_[np.inf, y[1:]])
    with pytest.raises(ValueError, match="2D"):
        LinearRegression().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent"):
        LinearRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="0 sample"):
        LinearRegression().fit(X[:0], y[:0])


def test_partial_fit_and_warm_start_continue_training():
    X, y = data_for(MLPClassifier, n=300)
    model = MLPClassifier((16,), random_state=0)
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y)
    losses = []
    for _ in range(5):
        model.partial_fit(X, y, classes=["a", "b", "c"])
        losses.append(model.history_["loss"][-1])
    assert model.n_iter_ == 5 and losses[-1] < losses[0]
    warm = MLPClassifier((16,), max_epochs=2, tol=None, warm_start=True, random_state=0)
    warm.fit(X, y)
    first = [w.copy() for w in warm.coefs_]
    warm.fit(X, y)
    # as in scikit-learn: n_iter_ counts this fit's epochs, history_ all of them
    assert warm.n_iter_ == 2 and len(warm.history_["loss"]) == 4
    assert not np.array_equal(first[0], warm.coefs_[0])
    cold = MLPClassifier((16,), max_epochs=2, tol=None, random_state=0).fit(X, y)
    assert np.array_equal(cold.coefs_[0], first[0])  # same seed, same start


def test_early_stopping_records_validation_and_restores_the_best():
    X, y = data_for(MLPClassifier, n=400, seed=1)
    model = MLPClassifier((32,), early_stopping=True, validation_fraction=0.2,
                          n_iter_no_change=3, max_epochs=100, random_state=0).fit(X, y)
    scores = model.history_["val_score"]
    assert len(scores) == model.n_iter_ and len(model.history_["val_loss"]) == model.n_iter_
    assert model.converged_
    best = int(np.argmax(scores))
    assert best == len(scores) - 1 - 3 or scores[best] >= scores[-1]


def test_sample_weight_and_class_weight_change_the_model():
    X, y = data_for(LogisticRegression, n=200)
    plain = LogisticRegression(solver="gd", max_epochs=50, tol=None).fit(X, y)
    weights = np.where(y == "a", 5.0, 1.0)
    weighted = LogisticRegression(solver="gd", max_epochs=50, tol=None).fit(
        X, y, sample_weight=weights)
    by_class = LogisticRegression(solver="gd", max_epochs=50, tol=None,
                                  class_weight={"a": 5.0}).fit(X, y)
    assert not np.allclose(plain.coef_, weighted.coef_)
    assert np.allclose(weighted.coef_, by_class.coef_, rtol=1e-10, atol=1e-12)
    # Weight 2 is the sample twice (full-batch gradient descent).
    twice = LogisticRegression(solver="gd", max_epochs=50, tol=None).fit(
        np.r_[X, X[:10]], np.r_[y, y[:10]])
    w2 = LogisticRegression(solver="gd", max_epochs=50, tol=None).fit(
        X, y, sample_weight=np.r_[np.full(10, 2.0), np.ones(len(X) - 10)])
    assert np.allclose(twice.coef_, w2.coef_, rtol=1e-8, atol=1e-10)


def test_float32_trains_in_float32():
    X, y = data_for(MLPRegressor, dtype=np.float32)
    model = quiet(MLPRegressor((8,), random_state=0)).fit(X, y)
    assert all(w.dtype == np.float32 for w in model.coefs_ + model.intercepts_)
    assert model.predict(X).dtype == np.float32
    lin = LinearRegression().fit(X.astype(np.int64), y)  # integers become float64
    assert lin.coef_.dtype == np.float64


def test_multi_output_regression_shapes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    Y = X @ rng.normal(size=(3, 2))
    lin = LinearRegression().fit(X, Y)
    assert lin.coef_.shape == (2, 3) and lin.intercept_.shape == (2,)
    assert lin.predict(X).shape == (100, 2)
    assert lin.score(X, Y) > 0.999


def test_verbose_reports_the_epochs(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the plain-text fallback
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = data_for(LinearRegression)
    LinearRegression(solver="gd", max_epochs=3, tol=None, verbose=True).fit(X, y)
    lines = capsys.readouterr().err.splitlines()
    # the first and the last epoch at least; at most one line a second in between
    assert lines[0].startswith("LinearRegression epoch 1/3: loss ")
    assert lines[-1].startswith("LinearRegression epoch 3/3: loss ")
    # a fit that stops early still reports its last epoch
    LinearRegression(solver="gd", max_epochs=1000, tol=1e-3, n_iter_no_change=1,
                     verbose=True).fit(X, y)
    model_lines = capsys.readouterr().err.splitlines()
    assert 2 <= len(model_lines) < 10
    assert "/1000: loss " in model_lines[-2] and "epoch 1000/" not in model_lines[-2]
    assert model_lines[-1].startswith("LinearRegression stopped: the gradient's norm fell")


def test_linear_regression_matches_lstsq():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 6))
    y = X @ rng.normal(size=6) + 2 + 0.3 * rng.normal(size=500)
    model = LinearRegression(tol=1e-12, max_epochs=5000).fit(X, y)
    solution = np.linalg.lstsq(np.hstack([X, np.ones((500, 1))]), y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[model.coef_, model.intercept_], solution, rtol=1e-6,
                               atol=1e-8)


def digits_split():
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = datasets.load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


def test_logistic_regression_on_digits_matches_scikit_learn():
    SkLogistic = pytest.importorskip("sklearn.linear_model").LogisticRegression

    Xtr, Xte, ytr, yte = digits_split()
    ours = LogisticRegression(solver="sgd", max_epochs=100, random_state=0).fit(Xtr, ytr)
    theirs = SkLogistic(max_iter=2000).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= theirs.score(Xte, yte) - 0.015


def test_mlp_classifier_on_digits_matches_scikit_learn():
    SkMLP = pytest.importorskip("sklearn.neural_network").MLPClassifier

    Xtr, Xte, ytr, yte = digits_split()
    ours = MLPClassifier((100,), random_state=0).fit(Xtr, ytr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkMLP((100,), random_state=0, max_iter=200).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= theirs.score(Xte, yte) - 0.015


def test_scikit_learn_meta_estimators_work():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data_for(LogisticRegression, n=150)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_epochs=50))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.8
    search = GridSearchCV(MLPClassifier((8,), max_epochs=20, random_state=0),
                          {"learning_rate": [0.01, 0.1]}, cv=2).fit(X, y)
    assert search.best_params_["learning_rate"] in (0.01, 0.1)
    assert clone(LogisticRegression(weight_decay=0.5)).weight_decay == 0.5


def test_setting_learned_attributes_changes_predictions():
    X, y = data_for(LinearRegression)
    lin = LinearRegression().fit(X, y)
    lin.coef_ = np.array([1.0, 0.0, 0.0, 0.0])
    lin.intercept_ = 2.0
    assert np.allclose(lin.predict(X), X[:, 0] + 2.0)
    Xc, yc = data_for(MLPClassifier)
    mlp = quiet(MLPClassifier((5,), random_state=0)).fit(Xc, yc)
    mlp.coefs_[1] = np.zeros_like(mlp.coefs_[1])
    mlp.intercepts_[1] = np.array([0.0, 0.0, 1.0])
    assert np.all(mlp.predict(Xc) == "c")


def test_works_without_scikit_learn():
    import subprocess
    import sys

    code = """
import sys
sys.modules["sklearn"] = None  # any import of scikit-learn now fails
import numpy as np
import mlpcore
from mlpcore._compat import HAVE_SKLEARN
assert not HAVE_SKLEARN
X = np.random.default_rng(0).normal(size=(80, 3))
y = (X[:, 0] > 0).astype(int)
for model in (mlpcore.LogisticRegression(), mlpcore.Perceptron(random_state=0),
              mlpcore.MLPClassifier((4,), max_epochs=5), mlpcore.LinearRegression()):
    target = X[:, 1] if isinstance(model, mlpcore.LinearRegression) else y
    assert model.fit(X, target) is model
    model.predict(X)
    assert 0 <= model.score(X, target) <= 1
    assert model.set_params(max_epochs=7).get_params()["max_epochs"] == 7
try:
    mlpcore.LogisticRegression().predict(X)
except mlpcore.NotFittedError:
    print("ok")
"""
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_validation_score_is_r2_score(dtype):
    # The early-stopping score of the compiled loop (Trainer.evaluate) and
    # mlpcore._metrics.r2_score are two copies of one formula: they must agree.
    from mlpcore import _core
    from mlpcore._metrics import r2_score

    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 4)).astype(dtype)
    y = np.stack([X @ rng.standard_normal(4), np.sin(X[:, 0])], axis=1).astype(dtype)
    model = MLPRegressor((8,), max_epochs=3, tol=None, random_state=0).fit(X, y)
    weight = rng.uniform(0.5, 2.0, len(X)).astype(dtype)
    weights = [w.copy() for w in model.coefs_]
    biases = [b.copy() for b in model.intercepts_]
    trainer = _core.Trainer(weights, biases, [model.activation, "identity"], "squared_error",
                            len(X), batch_size=len(X), learning_rate=0.0)
    for w in (None, weight):
        _, score = trainer.evaluate(X, y, w)
        assert score == pytest.approx(r2_score(y, model.predict(X), sample_weight=w),
                                      rel=1e-4 if dtype == np.float32 else 1e-10)
    constant = np.ones_like(y)
    _, score = trainer.evaluate(X, constant, None)
    assert score == r2_score(constant, model.predict(X))


@pytest.mark.parametrize("cls", [Perceptron, LogisticRegression, LinearRegression,
                                 MLPClassifier, MLPRegressor])
def test_get_state_and_set_state_round_trip_and_validate(cls):
    from mlpcore._state import InvalidStateError

    X, y = data_for(cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(max_epochs=3, random_state=0).fit(X, y)
    copy = cls(**model.get_params()).set_state(model.get_state())
    assert np.array_equal(copy.predict(X), model.predict(X))
    broken = dict(model.get_state(), _weights=[w[:-1] for w in model._weights])
    with pytest.raises(InvalidStateError, match=r"_weights\[0\] must be"):
        copy.set_state(broken)
    assert np.array_equal(copy.predict(X), model.predict(X))  # left as it was
    with pytest.raises(InvalidStateError, match="missing state entries"):
        cls(**model.get_params()).set_state({"n_features_in_": X.shape[1]})


def test_an_mlp_state_round_trips():
    net = mlpcore.MLP([3, 4, 2], ["tanh", "identity"], random_state=0)
    copy = mlpcore.MLP([1, 1], "identity").set_state(net.get_state())
    x = np.ones((2, 3))
    assert np.array_equal(copy.forward(x), net.forward(x))
