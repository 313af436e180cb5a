"""Training under hostile conditions: an interrupted fit changes nothing, a diverging
fit is refused, extreme sample weights, sizes past int64 or memory, sparse matrices
and tensors that require grad, and labels that numpy's string dtypes would merge."""

import copy
import re
import tracemalloc

import numpy as np
import pytest

import mlpcore
from mlpcore import _core, _training, estimators

pytestmark = [pytest.mark.filterwarnings("ignore::mlpcore.ConvergenceWarning"),
              pytest.mark.filterwarnings("ignore:learning_rate=.*2/L:UserWarning")]

# The compiled epoch loop's solvers (the hostile cases are about it): gradient
# descent for the linear models, minibatch SGD for the networks.
CLASSES = {
    "LinearRegression": (mlpcore.LinearRegression, {"solver": "gd"}),
    "LogisticRegression": (mlpcore.LogisticRegression, {"solver": "gd"}),
    "Perceptron": (mlpcore.Perceptron, {}),
    "MLPClassifier": (mlpcore.MLPClassifier, {"hidden_layer_sizes": (5,), "solver": "sgd",
                                              "batch_size": 32}),
    "MLPRegressor": (mlpcore.MLPRegressor, {"hidden_layer_sizes": (5,), "solver": "sgd",
                                            "batch_size": 32}),
}
NAMES = sorted(CLASSES)
CLASSIFIERS = [n for n in NAMES if issubclass(CLASSES[n][0], mlpcore.estimators._Classifier)]


def make(name, **params):
    cls, defaults = CLASSES[name]
    return cls(**{"random_state": 0, **defaults, **params})


def data(name, n=60, seed=0, dtype=np.float64):
    """Noisy data (the perceptron keeps making mistakes), string labels for classifiers."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    if name not in CLASSIFIERS:
        y = X @ [1.0, -2.0, 0.5] + 0.3 + 0.1 * rng.standard_normal(n)
    else:
        y = np.where(X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.standard_normal(n) > 0, "yes", "no")
    return X.astype(dtype), y


def learned(model):
    """The learned arrays, for comparing two fits."""
    if hasattr(model, "coefs_"):
        return [*model.coefs_, *model.intercepts_]
    return [np.asarray(model.coef_), np.asarray(model.intercept_)]


# ------------------------------------------------------------ the state of a model

def snapshot(model):
    """Each attribute's identity and a deep copy of its value."""
    return {key: (id(value), copy.deepcopy(value)) for key, value in vars(model).items()}


def assert_same(actual, expected, where):
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), where
        assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), where
        np.testing.assert_array_equal(actual, expected, err_msg=where)
    elif isinstance(expected, dict):
        assert sorted(actual) == sorted(expected), where
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{i}]")
    else:
        assert actual == expected or (actual != actual and expected != expected), where


def assert_unchanged(model, before):
    """Every attribute is the same object as before, holding the same values."""
    after = vars(model)
    assert sorted(after) == sorted(before)
    for key, (identity, value) in before.items():
        assert id(after[key]) == identity, f"{key} was replaced"
        assert_same(after[key], value, key)


# ------------------------------------------------------------ 1. a failed fit is undone

class Interrupting:
    """Installed as _core.Trainer: trainers that raise `error` right after the `at`-th
    epoch (counted over all of them), once that epoch has updated the weights in place."""

    real = _core.Trainer

    def __init__(self, error, at):
        self.error, self.at, self.epochs = error, at, 0

    def __call__(self, *args, **kwargs):
        return _Wrapped(self.real(*args, **kwargs), self)


class _Wrapped:
    def __init__(self, real, plan):
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_plan", plan)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __setattr__(self, name, value):
        setattr(self._real, name, value)

    def epoch(self, *args, **kwargs):
        stats = self._real.epoch(*args, **kwargs)
        self._plan.epochs += 1
        if self._plan.epochs == self._plan.at:
            raise self._plan.error
        return stats


ERRORS = [KeyboardInterrupt(), MemoryError(), ValueError("from the epoch"),
          RuntimeError("from the epoch"), SystemExit(3)]


def interrupted_fits(name, at):
    """(description, model, call, epoch) for each kind of fit: call(model) runs the fit that
    is interrupted after its epoch-th epoch; model is as before that call."""
    X, y = data(name)
    X2, y2 = data(name, seed=1)
    fits = [
        ("first fit", make(name, max_epochs=5, tol=None), lambda m: m.fit(X, y), at),
        ("refit", make(name, max_epochs=5, tol=None).fit(X, y), lambda m: m.fit(X2, y2), at),
        ("warm start", make(name, max_epochs=5, tol=None, warm_start=True).fit(X, y),
         lambda m: m.fit(X2, y2), at),
        ("verbose", make(name, max_epochs=5, tol=None, verbose=True), lambda m: m.fit(X, y),
         at),
    ]
    try:
        import pandas
    except ImportError:
        pass
    else:
        frame = pandas.DataFrame(X, columns=["a", "b", "c"])
        fits.append(("refit without the feature names of the first fit",
                     make(name, max_epochs=5, tol=None).fit(frame, y), lambda m: m.fit(X2, y2),
                     at))
    if name != "Perceptron":
        fits.append(("early stopping, warm start",
                     make(name, max_epochs=5, early_stopping=True, warm_start=True).fit(X, y),
                     lambda m: m.fit(X2, y2), at))
    # partial_fit runs one epoch a call: the `at`-th call is interrupted in its epoch
    partial = (lambda m: m.partial_fit(X2, y2, classes=["no", "yes"])) if name in CLASSIFIERS \
        else (lambda m: m.partial_fit(X2, y2))
    model = make(name)
    for _ in range(at - 1):
        partial(model)
    fits.append(("partial_fit", model, partial, 1))
    return fits


@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.parametrize("name", NAMES)
def test_an_exception_from_inside_an_epoch_leaves_the_model_as_it_was(name, at, monkeypatch):
    for error in ERRORS:
        for what, model, call, epoch in interrupted_fits(name, at):
            was_fitted = hasattr(model, "n_features_in_")
            before = snapshot(model)
            monkeypatch.setattr(_core, "Trainer", Interrupting(error, epoch))
            with pytest.raises(type(error)) as raised:
                call(model)
            assert raised.value is error, what
            monkeypatch.setattr(_core, "Trainer", Interrupting.real)
            assert_unchanged(model, before)
            if not was_fitted:  # no fitted attribute at all, not even n_features_in_
                assert not [k for k in vars(model) if k.endswith("_")], what
                with pytest.raises(mlpcore.NotFittedError):
                    model.predict(data(name)[0])


@pytest.mark.parametrize("name", NAMES)
def test_after_an_interrupted_fit_the_next_fit_is_the_uninterrupted_one(name, monkeypatch):
    X, y = data(name)
    X2, y2 = data(name, seed=1)
    for at in (1, 3):
        reference = make(name, max_epochs=5, tol=None, warm_start=True).fit(X, y).fit(X2, y2)
        model = make(name, max_epochs=5, tol=None, warm_start=True).fit(X, y)
        monkeypatch.setattr(_core, "Trainer", Interrupting(KeyboardInterrupt(), at))
        with pytest.raises(KeyboardInterrupt):
            model.fit(X2, y2)
        monkeypatch.setattr(_core, "Trainer", Interrupting.real)
        model.fit(X2, y2)  # the same step count, rng state, velocities and history
        for a, b in zip(learned(model), learned(reference)):
            np.testing.assert_array_equal(a, b)
        assert model.t_ == reference.t_
        assert model.history_ == reference.history_ | {"seconds": model.history_["seconds"]}


@pytest.mark.parametrize("name", NAMES)
def test_a_refused_input_leaves_a_fitted_model_as_it_was(name):
    X, y = data(name)
    model = make(name, warm_start=True, max_epochs=5).fit(X, y)
    before = snapshot(model)
    bad_calls = [
        lambda: model.fit(X[:, :2], y),  # features differ from the first fit
        lambda: model.fit(X, y[:-1]),
        lambda: model.fit(X, y, sample_weight=np.zeros(len(y))),
        lambda: model.fit(X, y, sample_weight=-np.ones(len(y))),
        lambda: model.partial_fit(X, y, sample_weight=np.full(len(y), np.nan)),
        lambda: model.set_params(batch_size=2**64).fit(X, y),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
        model.set_params(batch_size=make(name).batch_size)
        assert_unchanged(model, before)


# ------------------------------------------------------------ 2. divergence

# Learning rates that make each model diverge on data(), in both dtypes and solvers.
TOO_LARGE = {
    "LinearRegression": [10.0, 1e3, 1e6, 1e12, 1e30, 1e300],
    "LogisticRegression": [1e12, 1e20, 1e30, 1e300],
    "MLPClassifier": [1e3, 1e6, 1e12, 1e30, 1e300],
    "MLPRegressor": [10.0, 1e3, 1e6, 1e12, 1e30, 1e300],
}


@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(TOO_LARGE))
def test_a_diverging_fit_is_refused_and_undone(name, dtype, solver):
    X, y = data(name, dtype=dtype)
    for lr in TOO_LARGE[name]:
        message = (r"diverged at epoch \d+ of this fit: .*smaller learning_rate than the "
                   + re.escape(f"{lr:.4g} used"))
        model = make(name, solver=solver, learning_rate=lr)
        with pytest.raises(ValueError, match=message):
            model.fit(X, y)
        with pytest.raises(mlpcore.NotFittedError):
            model.predict(X)
        # a warm start and a partial_fit that diverge leave the fitted model as it was
        model = make(name, solver=solver).fit(X, y)
        before = snapshot(model)
        with pytest.raises(ValueError, match=message):
            model.set_params(warm_start=True, learning_rate=lr).fit(X, y)
        model.set_params(warm_start=False, learning_rate=make(name).learning_rate)
        assert_unchanged(model, before)
        if lr >= 1e20:  # one epoch is enough to diverge
            with pytest.raises(ValueError, match="diverged at epoch 1"):
                model.set_params(learning_rate=lr).partial_fit(X, y)
            model.set_params(learning_rate=make(name).learning_rate)
            assert_unchanged(model, before)


@pytest.mark.parametrize("dtype, lr, x_scale", [
    (np.float32, 1e39, 1.0),  # the learning rate itself is infinite in float32
    (np.float32, 1e30, 1e10),
    (np.float64, 1e300, 1e10),
    (np.float64, 1e308, 10.0),
])
def test_the_perceptron_diverges_only_when_its_weights_overflow(dtype, lr, x_scale):
    X, y = data("Perceptron")
    X = (X * x_scale).astype(dtype)
    for solver in ("gd", "sgd"):
        with pytest.raises(ValueError, match="epoch 1 .*(loss|weights) became (nan|NaN)"):
            make("Perceptron", solver=solver, learning_rate=lr).fit(X, y)
    # the perceptron's rule is invariant to the scale of the learning rate
    for lr in (1e-30, 1e-3, 1e3, 1e30):
        model = make("Perceptron", learning_rate=lr, max_epochs=20).fit(data("Perceptron")[0], y)
        assert all(np.isfinite(a).all() for a in learned(model))


GOOD = {
    "LinearRegression": ["auto", 0.01, 0.1],
    "LogisticRegression": ["auto", 0.1, 1.0, 10.0],
    "Perceptron": [1e-3, 1.0, 1e3, 1e30],
    "MLPClassifier": ["auto", 1e-3, 0.05],
    "MLPRegressor": ["auto", 1e-3, 0.01],
}


@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_a_good_learning_rate_never_counts_as_divergence(name, dtype, solver):
    runs = [(seed, lr, params) for seed in (0, 1) for lr in GOOD[name]
            for params in ({}, {"average": True}, {"early_stopping": True})
            if not (name == "Perceptron" and "early_stopping" in params)]
    runs.append((2, GOOD[name][0], {"n": 3000}))  # the start's loss taken on 1024 rows
    for seed, lr, params in runs:
        X, y = data(name, n=params.pop("n", 80), seed=seed, dtype=dtype)
        model = make(name, solver=solver, learning_rate=lr, max_epochs=60, **params)
        model.fit(X, y)
        if "early_stopping" not in params:  # which partial_fit refuses
            model.partial_fit(X, y)
        assert all(np.isfinite(a).all() for a in learned(model))
        assert np.isfinite(model.history_["loss"]).all()


@pytest.mark.parametrize("name", ["LinearRegression", "MLPRegressor"])
def test_divergence_is_judged_against_the_start_of_the_fit(name):
    # warm starts from an exact fit (loss about 0) on targets of other scales, and with
    # a weight decay that raises the loss of the data
    X, _ = data(name)
    y = X @ [1.0, -2.0, 0.5]
    model = make(name, solver="gd", max_epochs=500, tol=None, warm_start=True).fit(X, y)
    for scale in (1e-6, 1e-3, 1.0, 1e3):
        model.set_params(learning_rate=1e-4, max_epochs=20).fit(X, scale * y)
        assert np.isfinite(model.history_["loss"]).all()
        model.partial_fit(X, scale * y)
    for decay in (1e-3, 1.0, 1e2):
        model.set_params(weight_decay=decay).fit(X, y)
        assert np.isfinite(model.history_["loss"]).all()


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_a_first_loss_far_above_a_zero_outputs_is_no_divergence(solver):
    # features of 1e6 give the initial network outputs of about 1e6
    X, y = data("MLPRegressor")
    zero_output_loss = np.mean(y**2) / 2
    for x_scale in (1e6, 1e7):
        model = make("MLPRegressor", solver=solver, learning_rate=1e-16, max_epochs=5)
        model.fit(X * x_scale, y).partial_fit(X * x_scale, y)
        assert model.history_["loss"][0] > 1e10 * zero_output_loss


def test_a_rising_loss_is_never_reported_as_converged():
    X, y = data("LinearRegression")
    phi = np.hstack([X, np.ones((len(X), 1))])
    L = np.linalg.eigvalsh(phi.T @ phi / len(X)).max()
    for c in (2.2, 2.5, 3.0, 5.0):
        for epochs in (8, 12, 20, 40, 1000):
            for tol in (1e-7, 1.0, 1e6):
                model = mlpcore.LinearRegression(solver="gd", learning_rate=c / L,
                                                 max_epochs=epochs, tol=tol)
                try:
                    model.fit(X, y)
                except ValueError as exc:
                    assert "diverged" in str(exc)
                else:
                    loss = np.array(model.history_["loss"])
                    if model.converged_:  # the loss fell at least once in the last 5 epochs
                        assert (np.diff(loss[-6:]) <= 0).any() and loss[-1] < 1e3 * loss[0]


# ------------------------------------------------------------ 3. extreme sample weights

UNIFORM = [np.finfo(np.float64).max, 1e308, 1e300, 7.25, 1.0, 1e-300, 1e-320, 5e-324]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_uniform_weights_of_any_size_are_the_unweighted_fit(name, dtype):
    X, y = data(name, dtype=dtype)
    for solver in ("gd", "sgd"):
        plain = make(name, solver=solver, max_epochs=20).fit(X, y)
        for c in UNIFORM:
            for weights in (np.full(len(y), c), c, [c] * len(y)):
                model = make(name, solver=solver, max_epochs=20).fit(X, y, sample_weight=weights)
                for a, b in zip(learned(model), learned(plain)):
                    np.testing.assert_array_equal(a, b, err_msg=f"uniform weights {c}")
                assert model.history_["loss"] == plain.history_["loss"]


# weights, and smaller ones in the same proportions (tiny ones vanish next to huge ones)
PROPORTIONAL = [
    ([2.0**1023, 2.0**1022], [2.0, 1.0]),
    ([2.0**-1074, 2.0**-1073], [1.0, 2.0]),
    ([1e308, 1e-320], [1.0, 0.0]),
    ([2.0**1023, 2.0**-1074], [1.0, 0.0]),
    ([5e-324, 0.0], [1.0, 0.0]),
]


@pytest.mark.parametrize("name", NAMES)
def test_huge_and_tiny_weights_are_their_proportions(name):
    X, y = data(name)
    for extreme, plain in PROPORTIONAL:
        fits = [make(name, max_epochs=20).fit(X, y, sample_weight=np.resize(w, len(y)))
                for w in (extreme, plain)]
        for a, b in zip(*map(learned, fits)):
            np.testing.assert_array_equal(a, b, err_msg=str(extreme))
            assert np.isfinite(a).all()


BAD_WEIGHTS = [
    (0.0, ValueError, "zero for every sample"),
    ([0.0] * 60, ValueError, "zero for every sample"),
    ([-0.0] * 60, ValueError, "zero for every sample"),
    (-1.0, ValueError, "Negative values"),
    ([1.0] * 59 + [-1e-300], ValueError, "Negative values"),
    ([1.0] * 59 + [-np.inf], ValueError, "infinity"),
    ([1.0] * 59 + [np.inf], ValueError, "infinity"),
    ([np.inf] * 60, ValueError, "infinity"),
    (np.nan, ValueError, "NaN"),
    ([np.nan] + [1.0] * 59, ValueError, "NaN"),
    ([1.0 + 1j] * 60, TypeError, "real numbers"),
    (["a"] * 60, TypeError, "real numbers"),
    ([None] * 60, ValueError, "NaN"),
    ([1.0] * 59, ValueError, r"shape == \(59,\), expected \(60,\)"),
    ([[1.0] * 60], ValueError, "1D array or scalar"),
]


@pytest.mark.parametrize("name", NAMES)
def test_zero_negative_and_non_finite_weights_are_refused(name):
    X, y = data(name)
    for weights, error, message in BAD_WEIGHTS:
        model = make(name)
        with pytest.raises(error, match=message):
            model.fit(X, y, sample_weight=weights)
        assert not hasattr(model, "n_features_in_")


@pytest.mark.parametrize("name", ["LogisticRegression", "MLPClassifier", "Perceptron"])
def test_class_weights_that_void_or_poison_the_fit_are_refused(name):
    X, y = data(name)
    with pytest.raises(ValueError, match="sample_weight times class_weight is zero"):
        make(name, class_weight={"yes": 0.0, "no": 0.0}).fit(X, y)
    with pytest.raises(ValueError, match="sample_weight times class_weight is zero"):
        make(name, class_weight={"yes": 0.0}).fit(X, y, sample_weight=(y == "yes") * 1.0)
    for value in (np.nan, np.inf, -1.0):
        with pytest.raises(ValueError, match="class_weight values must be finite and >= 0"):
            make(name, class_weight={"yes": value}).fit(X, y)
    # huge weights times a class weight overflow nothing
    model = make(name, class_weight={"yes": 1e308}).fit(X, y, sample_weight=np.full(60, 1e308))
    assert all(np.isfinite(a).all() for a in learned(model))


# ------------------------------------------------------------ 4. sizes and foreign arrays

INT64_OVERFLOW = [2**63, 2**64, 2**100, np.uint64(2**64 - 1)]


@pytest.mark.parametrize("name", NAMES)
def test_integers_past_int64_are_refused_by_name(name):
    X, y = data(name)
    for value in INT64_OVERFLOW:
        for param in ("batch_size", "max_epochs", "n_iter_no_change"):
            with pytest.raises(ValueError, match=rf"{param} must fit in int64 .*2\*\*63 - 1"):
                make(name, **{param: value}).fit(X, y)
    # the largest int64 batch is the whole data set
    for solver in ("sgd", "gd"):
        model = make(name, solver=solver, batch_size=2**63 - 1, max_epochs=3, tol=None)
        assert model.fit(X, y).t_ == 3


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_hidden_layers_past_int64_or_memory_are_refused_before_allocating(name):
    X, y = data(name)
    for sizes in [(2**63,), (2**64,), (5, 10**30), (np.uint64(2**64 - 1),), (0,), (-3,)]:
        with pytest.raises(ValueError, match=r"hidden_layer_sizes must be .* 1 to 2\*\*63 - 1"):
            make(name, hidden_layer_sizes=sizes).fit(X, y)
    tracemalloc.start()
    try:
        for sizes in [(10**12,), (10**7, 10**7), (2**63 - 1,), (10**6,) * 5, (3, 10**14, 3)]:
            with pytest.raises(ValueError, match=r"parameters and needs about [\d,.]+ GiB"):
                make(name, hidden_layer_sizes=sizes).fit(X, y)
        assert tracemalloc.get_traced_memory()[1] < 50 * 2**20  # nothing big was allocated
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_the_memory_bound_counts_parameters_and_batch_buffers(name, monkeypatch):
    X, y = data(name)
    monkeypatch.setattr(_training, "_memory_bytes", lambda: 2**30)  # a 1 GiB machine
    for params in [{"hidden_layer_sizes": (10**9,)},  # the case
                   {"hidden_layer_sizes": (6000, 6000)},  # 36 million weights
                   {"hidden_layer_sizes": (10**6,), "solver": "gd"}]:  # 256-row buffers
        with pytest.raises(ValueError, match="more than the 1.0 GiB of memory of this machine"):
            make(name, **params).fit(X, y)
    model = make(name, hidden_layer_sizes=(1000, 1000), max_epochs=2).fit(X, y)
    assert model.coefs_[1].shape == (1000, 1000)
    monkeypatch.setattr(_training, "_memory_bytes", lambda: None)  # a platform that won't say
    assert make(name, hidden_layer_sizes=(50,), max_epochs=2).fit(X, y).n_iter_ == 2


def fitted_calls(name, X, y):
    """(description, call) of every entry point that takes X, y or sample_weight, given
    the ones to pass."""
    model = make(name, max_epochs=3).fit(*data(name))
    fresh = make(name, max_epochs=3)
    classes = {"classes": ["no", "yes"]} if name in CLASSIFIERS else {}
    calls = [("fit", lambda: fresh.fit(X, y)),
             ("partial_fit", lambda: make(name).partial_fit(X, y, **classes)),
             ("warm partial_fit", lambda: model.partial_fit(X, y)),
             ("predict", lambda: model.predict(X)),
             ("score", lambda: model.score(X, y))]
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        if hasattr(model, method):
            calls.append((method, lambda m=method: getattr(model, m)(X)))
    return calls


SPARSE_FORMATS = ["csr_matrix", "csc_matrix", "coo_matrix", "lil_matrix", "dok_matrix",
                  "bsr_matrix", "csr_array", "coo_array"]


@pytest.mark.parametrize("name", NAMES)
def test_sparse_matrices_are_refused_with_a_type_error(name):
    sparse = pytest.importorskip("scipy.sparse")
    X, y = data(name)
    for fmt in SPARSE_FORMATS:
        Xs = getattr(sparse, fmt)(X)
        for what, call in fitted_calls(name, Xs, y):
            with pytest.raises(TypeError, match="Sparse data was passed for X.*toarray"):
                call()
        weights = getattr(sparse, fmt)(np.ones((1, len(y))))
        with pytest.raises(TypeError, match="Sparse data was passed for sample_weight"):
            make(name).fit(X, y, sample_weight=weights)
        if name in CLASSIFIERS:  # labels as a sparse row
            labels = getattr(sparse, fmt)((y == "yes")[None, :].astype(float))
            with pytest.raises(TypeError, match="Sparse data was passed for y"):
                make(name).fit(X, labels)


@pytest.mark.parametrize("name", NAMES)
def test_tensors_that_require_grad_are_refused_with_a_type_error(name):
    torch = pytest.importorskip("torch")
    X, y = data(name)
    target = y.astype(float) if name not in CLASSIFIERS else (y == "yes").astype(float)
    for dtype in (torch.float32, torch.float64):
        Xt = torch.tensor(X, dtype=dtype, requires_grad=True)
        for what, call in fitted_calls(name, Xt, y):
            with pytest.raises(TypeError, match=r"X is a tensor that requires grad.*X\.detach\(\)"):
                call()
        # the same tensor, detached, is accepted
        make(name, max_epochs=3).fit(Xt.detach(), y).predict(Xt.detach())
        yt = torch.tensor(target, dtype=dtype, requires_grad=True)
        model = make(name, max_epochs=3)
        with pytest.raises(TypeError, match=r"y is a tensor that requires grad.*y\.detach\(\)"):
            model.fit(X, yt)
        model.fit(X, yt.detach())
        with pytest.raises(TypeError, match="y is a tensor that requires grad"):
            model.score(X, yt)
        w = torch.ones(len(y), dtype=dtype, requires_grad=True)
        with pytest.raises(TypeError, match="sample_weight is a tensor that requires grad"):
            model.fit(X, yt.detach(), sample_weight=w)
        with pytest.raises(TypeError, match="sample_weight is a tensor that requires grad"):
            model.score(X, yt.detach(), sample_weight=w)


# ------------------------------------------------------------ 5. labels

def separable(labels, per_class=10, seed=0):
    """Rows of class k around a point of their own on a circle of radius 5, so that every
    fit predicts them exactly."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(len(labels)) / len(labels)
    X = np.concatenate([5 * np.array([np.cos(a), np.sin(a)]) + 0.3 * rng.standard_normal(
        (per_class, 2)) for a in angles])
    y = [label for label in labels for _ in range(per_class)]
    return X, y


LABEL_SETS = [
    ["a", "a\x00"],
    ["a\x00", "a"],
    ["", "\x00"],
    ["a", "a\x00", "a\x00\x00"],
    [b"a", b"a\x00"],
    [b"", b"\x00", b"\x00\x00"],
    ["x\x00y", "x\x00y\x00"],
]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_labels_that_differ_by_trailing_nuls_stay_distinct(name):
    for labels in LABEL_SETS:
        if name == "Perceptron" and len(labels) > 2:
            continue
        X, y = separable(labels)
        for as_given in (list, tuple, lambda v: np.array(v, dtype=object)):
            model = make(name, max_epochs=200).fit(X, as_given(y))
            assert model.classes_.tolist() == sorted(labels)
            predicted = model.predict(X)
            assert predicted.tolist() == y
            assert all(type(p) is type(labels[0]) for p in predicted)
            if isinstance(labels[0], str):  # scikit-learn's accuracy refuses bytes labels
                assert model.score(X, as_given(y)) == 1.0
        model = make(name, max_epochs=200)
        for _ in range(20):
            model.partial_fit(X, y, classes=list(labels))
        assert model.classes_.tolist() == sorted(labels)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_integer_labels_in_an_object_column_keep_their_values_and_type(name):
    for labels in ([1, 2], [2, 1], [0, -5], [10**20, 3], [1, 2, 3], [True, False]):
        if name == "Perceptron" and len(labels) > 2:
            continue
        X, y = separable(labels)
        model = make(name, max_epochs=200).fit(X, np.array(y, dtype=object))
        assert model.classes_.dtype == object
        assert model.classes_.tolist() == sorted(labels)
        predicted = model.predict(X)
        assert predicted.tolist() == y
        assert all(type(p) is type(labels[0]) for p in predicted)


def test_numpy_string_arrays_have_already_dropped_the_nul():
    # np.array(["a", "a\x00"]) holds "a" twice: one class, which fit says
    X, y = separable(["a", "a\x00"])
    with pytest.raises(ValueError, match="only one class"):
        mlpcore.LogisticRegression().fit(X, np.array(y))
