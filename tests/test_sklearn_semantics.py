"""scikit-learn's semantics where mlpcore follows them: the published attributes as the
state, sample weights in partial_fit, contradicting input, warm starts, and the
parameters scikit-learn accepts (momentum=0 with nesterov, n_iter_no_change=inf)."""

import pickle

import numpy as np
import pytest

import mlpcore
from mlpcore import (
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    Perceptron,
)


def blobs(n=120, seed=0, classes=3):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    X = rng.standard_normal((n, 4)) + y[:, None]
    return X, y


def regression(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    return X, X @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(n)


# ------------------------------------------------------------ the published attributes

@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression, Perceptron])
def test_an_assigned_coef_is_where_partial_fit_starts(cls):
    X, y = blobs(classes=2) if cls is not LinearRegression else regression()
    model = cls(solver="sgd", max_epochs=5, tol=None, random_state=0).fit(X, y)
    start = np.full_like(model.coef_, 0.25)
    model.coef_ = start.copy()
    model.set_params(learning_rate=1e-12).partial_fit(X, y)
    # a step of 1e-12 from the assigned weights, not from the trained ones
    np.testing.assert_allclose(model.coef_, start, atol=1e-9)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_assigned_coefs_are_where_a_warm_fit_starts(cls):
    X, y = blobs() if cls is MLPClassifier else regression()
    model = cls((5,), max_epochs=3, tol=None, warm_start=True, random_state=0).fit(X, y)
    start = [np.full_like(w, 0.1) for w in model.coefs_]
    model.coefs_ = [w.copy() for w in start]
    model.set_params(learning_rate=1e-12, max_epochs=1).fit(X, y)
    for w, s in zip(model.coefs_, start):
        np.testing.assert_allclose(w, s, atol=1e-9)


def test_an_assigned_coef_of_the_wrong_shape_is_refused_by_name():
    X, y = blobs()
    model = LogisticRegression(solver="sgd", max_epochs=2, tol=None).fit(X, y)
    before = model.coef_.copy()
    model.coef_ = np.zeros((3, 5))
    with pytest.raises(ValueError, match=r"coef_ has shape \(3, 5\).*\(3, 4\)"):
        model.partial_fit(X, y)
    model.coef_ = np.full((3, 4), np.nan)
    with pytest.raises(ValueError, match="coef_ must hold finite"):
        model.partial_fit(X, y)
    model.coef_ = before
    model.partial_fit(X, y)


@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression])
def test_after_unpickling_partial_fit_updates_the_averaged_coef(cls):
    X, y = blobs() if cls is LogisticRegression else regression()
    model = cls(solver="sgd", average=True, max_epochs=3, tol=None, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(model))
    model.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.coef_, model.coef_)
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))


def test_writing_into_coef_after_unpickling_is_the_next_start():
    X, y = regression()
    model = LinearRegression(solver="sgd", max_epochs=3, tol=None, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(model))
    copy.coef_[...] = 0.0  # coef_ no longer shares memory with the training arrays
    copy.set_params(learning_rate=1e-12).partial_fit(X, y)
    np.testing.assert_allclose(copy.coef_, 0.0, atol=1e-9)


# ------------------------------------------------------------ sample weights

def test_partial_fit_scales_each_step_by_the_sample_weight():
    # scikit-learn's SGD: a sample of weight 0.5 moves the weights half as far
    X, y = regression(n=64)
    steps = {}
    for weight in (1.0, 0.5, 1e-3):
        model = LinearRegression(solver="sgd", learning_rate=0.01, batch_size=64,
                                 shuffle=False)
        model.partial_fit(X, y, sample_weight=np.full(len(y), weight))
        steps[weight] = model.coef_.copy()
    np.testing.assert_allclose(steps[0.5], 0.5 * steps[1.0], rtol=1e-12)
    np.testing.assert_allclose(steps[1e-3], 1e-3 * steps[1.0], rtol=1e-12)


def test_partial_fit_weights_carry_across_calls():
    X, y = blobs()
    light = LogisticRegression(solver="sgd", learning_rate=0.1, shuffle=False)
    heavy = LogisticRegression(solver="sgd", learning_rate=0.1, shuffle=False)
    for model, weight in ((light, 1e-3), (heavy, 1.0)):
        model.partial_fit(X, y, classes=[0, 1, 2])
        model.partial_fit(X, y, sample_weight=np.full(len(y), weight))
    first = LogisticRegression(solver="sgd", learning_rate=0.1, shuffle=False)
    first.partial_fit(X, y, classes=[0, 1, 2])
    # the light call hardly moves the weights; the heavy one moves them fully
    assert np.abs(light.coef_ - first.coef_).max() < 1e-2 * np.abs(heavy.coef_ - first.coef_).max()


def test_fit_minimizes_the_weighted_mean_whatever_the_scale_of_the_weights():
    X, y = regression()
    w = np.random.default_rng(1).uniform(0.1, 2.0, len(y))
    a = LinearRegression(solver="gd", max_epochs=50, tol=None).fit(X, y, sample_weight=w)
    b = LinearRegression(solver="gd", max_epochs=50, tol=None).fit(X, y, sample_weight=w * 1e-3)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)


# ------------------------------------------------------------ contradicting input

def test_partial_fit_refuses_other_classes_than_the_first_call():
    X, y = blobs(classes=2)
    model = LogisticRegression(solver="sgd").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"classes=\[1, 2\] is not the same"):
        model.partial_fit(X, y + 1, classes=[1, 2])
    model.partial_fit(X, y, classes=[0, 1])  # the same classes again are fine
    model.partial_fit(X[y == 0], y[y == 0])  # a batch of one class is fine


@pytest.mark.parametrize("cls", [LogisticRegression, MLPClassifier, Perceptron])
def test_partial_fit_refuses_balanced_class_weight(cls):
    X, y = blobs(classes=2)
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported by partial_fit"):
        cls(solver="sgd", class_weight="balanced").partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("cls", [LogisticRegression, MLPClassifier, LinearRegression, MLPRegressor])
def test_partial_fit_refuses_early_stopping(cls):
    X, y = (blobs() if cls in (LogisticRegression, MLPClassifier) else regression())
    kwargs = {"classes": [0, 1, 2]} if cls in (LogisticRegression, MLPClassifier) else {}
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        cls(solver="sgd", early_stopping=True).partial_fit(X, y, **kwargs)


@pytest.mark.parametrize("cls", [LogisticRegression, MLPClassifier, LinearRegression, MLPRegressor])
def test_early_stopping_refuses_a_validation_set_too_small_to_score(cls):
    X, y = (blobs(n=2, classes=2) if cls in (LogisticRegression, MLPClassifier)
            else regression(n=2))
    with pytest.raises(ValueError, match="validation set is too small"):
        cls(solver="sgd", early_stopping=True).fit(X, y)
    X, y = (blobs(n=10, classes=2) if cls in (LogisticRegression, MLPClassifier)
            else regression(n=10))
    # 0.1 of 10 samples is one: too few to score, and fewer than the classes
    with pytest.raises(ValueError, match="validation set is too small"):
        cls(solver="sgd", early_stopping=True).fit(X, y)
    cls(solver="sgd", early_stopping=True, validation_fraction=0.5, max_epochs=3).fit(X, y)


@pytest.mark.parametrize("cls", [LogisticRegression, MLPClassifier])
def test_a_warm_fit_needs_the_classes_of_the_first(cls):
    X, y = blobs()
    model = cls(warm_start=True, max_epochs=2, tol=None, solver="sgd").fit(X, y)
    keep = y != 2
    with pytest.raises(ValueError, match=r"warm_start=True needs y to have the classes"):
        model.fit(X[keep], y[keep])
    model.fit(X, y)


# ------------------------------------------------------------ warm starts

@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression, MLPClassifier, MLPRegressor])
def test_a_warm_fit_runs_max_epochs_more_and_counts_them_in_n_iter(cls):
    X, y = blobs() if cls in (LogisticRegression, MLPClassifier) else regression()
    params = {"hidden_layer_sizes": (4,)} if cls in (MLPClassifier, MLPRegressor) else {}
    model = cls(solver="sgd", warm_start=True, max_epochs=3, tol=None, batch_size=40,
                random_state=0, **params)
    model.fit(X, y)
    assert model.n_iter_ == 3 and model.t_ == 9
    model.fit(X, y)
    assert model.n_iter_ == 3 and len(model.history_["loss"]) == 6
    # scikit-learn's SGD models restart t_ at every fit, its MLPs continue it
    assert model.t_ == (18 if cls in (MLPClassifier, MLPRegressor) else 9)
    model.partial_fit(X, y)
    assert model.n_iter_ == 4
    model.set_params(warm_start=False).fit(X, y)
    assert model.n_iter_ == 3 and model.t_ == 9 and len(model.history_["loss"]) == 3


# ------------------------------------------------------------ parameters scikit-learn accepts

@pytest.mark.parametrize("cls", [MLPClassifier, LogisticRegression])
def test_momentum_zero_with_nesterov_is_plain_sgd(cls):
    X, y = blobs()
    kwargs = dict(solver="sgd", momentum=0.0, max_epochs=3, tol=None, random_state=0)
    a = cls(nesterov=True, **kwargs).fit(X, y)
    b = cls(nesterov=False, **kwargs).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_n_iter_no_change_inf_never_stops_early():
    X, y = blobs()
    with pytest.warns(mlpcore.ConvergenceWarning):
        model = MLPClassifier((4,), solver="sgd", n_iter_no_change=np.inf, tol=1e10,
                              max_epochs=7, random_state=0).fit(X, y)
    assert model.n_iter_ == 7 and not model.converged_


@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression, MLPClassifier, MLPRegressor,
                                 Perceptron])
def test_max_epochs_zero_is_refused_clearly(cls):
    X, y = blobs(classes=2)
    with pytest.raises(ValueError, match=r"max_epochs must be an int >= 1, got 0"):
        cls(max_epochs=0).fit(X, y)


def test_gradient_descent_stops_on_a_relative_criterion():
    # y = x through two points: an absolute change of the loss stopped at 0.99838
    X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    model = LinearRegression(solver="gd", max_epochs=100_000).fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, [1.0], rtol=1e-6)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-6)


# ------------------------------------------------------------ defaults and solvers

def _small_datasets():
    datasets = pytest.importorskip("sklearn.datasets")
    from mlpcore.features import Standardizer

    def scaled(X):
        return Standardizer().fit_transform(X)

    return {"iris": datasets.load_iris(return_X_y=True),
            "wine scaled": (lambda X, y: (scaled(X), y))(*datasets.load_wine(return_X_y=True)),
            "digits": datasets.load_digits(return_X_y=True),
            "breast cancer scaled": (lambda X, y: (scaled(X), y))(
                *datasets.load_breast_cancer(return_X_y=True))}


def test_default_logistic_regression_converges_on_small_datasets_without_warning():
    import warnings

    for name, (X, y) in _small_datasets().items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a ConvergenceWarning fails the test
            model = LogisticRegression().fit(X, y)
        assert model.converged_ and model.score(X, y) > 0.95, name


@pytest.mark.parametrize("dataset", ["iris", "digits"])
def test_one_vs_rest_perceptron_is_as_accurate_as_scikit_learns(dataset):
    # scikit-learn's Perceptron (tol=1e-3) against mlpcore's with the same tol, mean
    # held-out accuracy over 10 splits; and the course's rule (until no mistakes)
    sklearn = pytest.importorskip("sklearn")
    from sklearn.linear_model import Perceptron as SkPerceptron
    from sklearn.model_selection import train_test_split
    import warnings

    X, y = getattr(sklearn.datasets, f"load_{dataset}")(return_X_y=True)
    ours, course, theirs = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        for seed in range(10):
            Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
            ours.append(Perceptron(tol=1e-3, random_state=seed).fit(Xa, ya).score(Xb, yb))
            course.append(Perceptron(random_state=seed, max_epochs=200).fit(Xa, ya).score(Xb, yb))
            theirs.append(SkPerceptron(random_state=seed).fit(Xa, ya).score(Xb, yb))
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.05, (np.mean(ours), np.mean(theirs))
    assert np.mean(course) > np.mean(theirs) - 0.05, (np.mean(course), np.mean(theirs))


def test_the_two_class_perceptron_is_still_the_course_rule():
    X, y = blobs(n=60, classes=2)
    model = Perceptron(shuffle=False, max_epochs=1, tol=None).fit(X, y)
    w, b = np.zeros(4), 0.0
    for x, label in zip(X, np.where(y == 1, 1.0, -1.0)):
        if (1.0 if x @ w + b >= 0 else -1.0) != label:  # w <- w + lr d x on a mistake
            w, b = w + label * x, b + label
    np.testing.assert_allclose(model.coef_.ravel(), w, rtol=1e-12)
    assert model.coef_.shape == (1, 4)


def test_exact_least_squares_equals_lstsq_on_ill_conditioned_data():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 60)
    X = np.vander(t, 8, increasing=True)[:, 1:]  # condition number about 1e7
    y = np.sin(3 * t) + 0.01 * rng.standard_normal(60)
    model = LinearRegression().fit(X, y)
    expected, *_ = np.linalg.lstsq(np.hstack([X, np.ones((60, 1))]), y, rcond=None)
    prediction = np.hstack([X, np.ones((60, 1))]) @ expected
    np.testing.assert_allclose(model.predict(X), prediction, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor, LogisticRegression, LinearRegression])
def test_adam_trains_and_its_defaults_are_scikit_learns(cls):
    X, y = blobs() if cls in (LogisticRegression, MLPClassifier) else regression()
    model = cls(solver="adam", max_epochs=50, tol=None, random_state=0)
    assert (model.beta_1, model.beta_2, model.epsilon) == (0.9, 0.999, 1e-8)
    model.fit(X, y)
    assert model.history_["loss"][-1] < model.history_["loss"][0]
    assert model.history_["learning_rate"][-1] == 1e-3


def test_verbose_early_stopping_says_why_it_stopped(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)  # the plain-text report
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = blobs(n=300)
    model = MLPClassifier((8,), solver="sgd", early_stopping=True, n_iter_no_change=3,
                          max_epochs=500, verbose=True, random_state=0).fit(X, y)
    assert model.converged_ and model.n_iter_ < 500
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("MLPClassifier stopped: the validation score did not improve")
    best = int(np.argmax(model.history_["val_score"])) + 1
    assert f"the weights of epoch {best} of this fit" in last


def test_default_mlp_regressor_trains_on_unscaled_targets():
    # make_regression's targets are in the hundreds: SGD at 0.01 with momentum diverged
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.make_regression(n_samples=200, n_features=10, random_state=1)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model = MLPRegressor(random_state=0).fit(X, y)
    losses = model.history_["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert MLPRegressor(solver="lbfgs", random_state=0, max_epochs=500).fit(X, y).score(X, y) > 0.98


@pytest.mark.parametrize("make", [lambda: LinearRegression(),
                                  lambda: MLPRegressor((4,), solver="lbfgs")],
                         ids=["exact", "lbfgs"])
def test_data_whose_loss_overflows_is_refused_clearly(make):
    X, y = regression(n=50)
    model = make()
    with pytest.raises(ValueError, match=r"cannot fit this data: its training loss is inf"
                                         r".*Scale X \(and y\)"):
        model.fit(X * 1e200, y * 1e200)
    assert not hasattr(model, "n_features_in_")  # left as it was


def test_a_warm_exact_fit_after_an_averaged_one_publishes_its_solution():
    X, y = regression()
    model = LinearRegression(solver="sgd", average=True, warm_start=True, max_epochs=2,
                             learning_rate=0.001, random_state=0).fit(X, y)
    model.set_params(solver="exact").fit(X, y)
    np.testing.assert_allclose(model.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-12)


def test_a_warm_fit_starts_a_fresh_optimizer():
    # scikit-learn makes a new optimizer at every fit: SGD's velocities are not Adam's
    # first moments, and Adam's bias correction counts from the fresh start
    X, y = regression()
    model = MLPRegressor((20,), solver="sgd", learning_rate=0.01, max_epochs=100,
                         random_state=0).fit(X, y)
    before = model.loss_
    model.set_params(warm_start=True, solver="adam", max_epochs=1).fit(X, y)
    assert model.loss_ < 2 * before, (before, model.loss_)
    assert model.t_ > model.n_iter_  # t_ continues for the MLPs


def test_partial_fit_weights_scale_the_steps_with_the_default_step_size_too():
    X, y = regression(n=64)
    coefs = {}
    for weight in (2.0, 1.0, 0.5):
        model = LinearRegression(solver="sgd", batch_size=64, shuffle=False)
        model.partial_fit(X, y, sample_weight=np.full(len(y), weight))
        coefs[weight] = model.coef_.copy()
    np.testing.assert_allclose(coefs[2.0], 2 * coefs[1.0], rtol=1e-12)
    np.testing.assert_allclose(coefs[0.5], 0.5 * coefs[1.0], rtol=1e-12)


def test_gradient_descent_with_n_iter_no_change_inf_runs_every_epoch():
    X, y = regression()
    with pytest.warns(mlpcore.ConvergenceWarning):
        model = LinearRegression(solver="gd", n_iter_no_change=np.inf, max_epochs=300).fit(X, y)
    assert model.n_iter_ == 300


def test_a_write_into_an_averaged_coef_is_the_next_start():
    X, y = regression()
    model = LinearRegression(solver="sgd", average=True, max_epochs=3, tol=None,
                             random_state=0).fit(X, y)
    model.coef_[...] = 100.0
    model.set_params(learning_rate=1e-12).partial_fit(X, y)
    np.testing.assert_allclose(model.coef_, 100.0, rtol=1e-9)


def test_an_lbfgs_stop_before_max_epochs_says_why():
    X, y = blobs()
    with pytest.warns(mlpcore.ConvergenceWarning) as caught:
        model = LogisticRegression(tol=0.0, max_epochs=1000).fit(X.astype(np.float32), y)
    # float32 losses are too coarse for tol=0: the line search fails long before 1000
    messages = [str(w.message) for w in caught]
    assert model.n_iter_ < 1000 and not model.converged_
    assert any(f"lbfgs stopped after {model.n_iter_} iterations because the line search"
               in m for m in messages), messages


def test_a_model_pickled_before_adam_trains_on():
    X, y = regression()
    model = MLPRegressor((4,), solver="sgd", batch_size=32, max_epochs=2, tol=None,
                         random_state=0).fit(X, y)
    for name in ("_second_moment", "_optimizer_step"):  # as an older version pickled it
        del model.__dict__[name]
    copy = pickle.loads(pickle.dumps(model))
    copy.partial_fit(X, y)
    copy.set_params(solver="adam").partial_fit(X, y)
    assert np.isfinite(copy.loss_)
