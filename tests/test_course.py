"""Each statement of the course, checked on mlpcore's objects."""

import warnings

import numpy as np
import pytest

import mlpcore
from mlpcore import MLP, LinearRegression, LogisticRegression, Perceptron, _core
from mlpcore import kernels as K
from mlpcore import reference as R

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def separable(n=200, d=5, seed=0, margin=0.5):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    X = rng.normal(size=(n, d))
    s = X @ w
    keep = np.abs(s) > margin * np.linalg.norm(w)
    return X[keep], (s[keep] > 0).astype(int)


def test_xor_network_from_the_course_is_exact():
    net = MLP.from_weights([[[1, -1], [-1, 1]], [1, 1]], [[0, 0], [0]], ["relu", "identity"])
    out = net.forward(XOR_X)
    assert out.shape == (4, 1)
    assert np.array_equal(out[:, 0], [0.0, 1.0, 1.0, 0.0])


def test_perceptron_converges_on_linearly_separable_data():
    X, y = separable()
    model = Perceptron(random_state=0).fit(X, y)
    assert model.converged_
    assert model.history_["mistakes"][-1] == 0
    assert model.history_["mistakes"][0] > 0
    assert model.score(X, y) == 1.0


def test_perceptron_cannot_learn_xor():
    with pytest.warns(mlpcore.ConvergenceWarning, match="did not converge"):
        model = Perceptron(max_epochs=100, random_state=0).fit(XOR_X, XOR_Y)
    assert not model.converged_
    assert min(model.history_["mistakes"]) > 0
    assert model.score(XOR_X, XOR_Y) <= 0.75


def test_perceptron_rule_is_w_plus_lr_d_x_on_mistakes():
    # One epoch without shuffling, from w = 0, checked by hand.
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -2.0]])
    y = np.array(["a", "b", "a"])
    model = Perceptron(learning_rate=0.5, shuffle=False, max_epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model.fit(X, y)
    w, b = np.zeros(2), 0.0
    d = np.where(y == "b", 1.0, -1.0)  # classes_ = [a, b] -> -1, +1
    for xi, di in zip(X, d):
        s = xi @ w + b
        if (1.0 if s >= 0 else -1.0) != di:  # sign(0) = +1
            w, b = w + 0.5 * di * xi, b + 0.5 * di
    assert np.allclose(model.coef_[0], w) and np.isclose(model.intercept_[0], b)
    assert list(model.classes_) == ["a", "b"]


def test_argmax_of_softmax_is_argmax_of_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 7)) * 5
    assert np.array_equal(np.argmax(K.softmax_forward(logits), 1), np.argmax(logits, 1))


def test_logistic_gradient_closed_form_backprop_and_finite_differences():
    rng = np.random.default_rng(1)
    n, d, k = 40, 6, 4
    X = rng.normal(size=(n, d))
    t = rng.integers(0, k, n)
    W = rng.normal(size=(d, k))
    b = rng.normal(size=k)
    phi = np.hstack([np.ones((n, 1)), X])  # the bias trick
    Y = K.softmax_forward(X @ W + b)
    T = np.eye(k)[t]
    closed = phi.T @ (Y - T) / n  # gradient of the mean cross-entropy, (1 + d, k)
    net = MLP.from_weights([W], [b], ["identity"])
    trace = net.forward_trace(X)
    grads = net.backward(trace, K.cross_entropy_backward(trace.h[-1], t))
    assert np.allclose(grads.dW[0], closed[1:], rtol=1e-12, atol=1e-14)
    assert np.allclose(grads.db[0], closed[0], rtol=1e-12, atol=1e-14)
    model = LogisticRegression(solver="gd", max_epochs=3, tol=None).fit(X, t)
    assert model.check_gradients(X, t) < 1e-6


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "relu", "identity"])
def test_mlp_backprop_matches_finite_differences(activation):
    rng = np.random.default_rng(2)
    net = MLP([5, 8, 6, 3], activation, random_state=3)
    x = rng.normal(size=(7, 5))
    assert net.check_gradients(x) < 1e-5


def lipschitz_least_squares(X):
    phi = np.hstack([X, np.ones((len(X), 1))])
    return np.linalg.eigvalsh(phi.T @ phi / len(X)).max()


def test_gd_below_2_over_L_decreases_monotonically_and_far_above_diverges():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4)) * [1, 2, 0.5, 1]
    y = X @ [1.0, -2.0, 0.5, 3.0] + 1 + 0.1 * rng.normal(size=200)
    L = lipschitz_least_squares(X)
    good = LinearRegression(solver="gd", learning_rate=1.9 / L, max_epochs=300, tol=None).fit(X, y)
    loss = np.array(good.history_["loss"])
    assert np.all(np.diff(loss) <= 1e-12 * loss[:-1])
    assert loss[-1] < 1e-2 * loss[0]
    with pytest.warns(UserWarning, match="2/L"):
        bad = LinearRegression(solver="gd", learning_rate=3.0 / L, max_epochs=12, tol=None).fit(X, y)
    bad_loss = np.array(bad.history_["loss"])
    assert np.all(np.diff(bad_loss[3:]) > 0) and bad_loss[-1] > 1e3 * bad_loss[0]
    # run long enough, the loss passes 1e10 times its scale: the fit is refused
    with pytest.warns(UserWarning, match="2/L"), pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="gd", learning_rate=3.0 / L, max_epochs=60, tol=None).fit(X, y)


def test_auto_learning_rate_is_one_over_L():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3)) * [3, 1, 0.2]
    y = X @ [1.0, 2.0, 3.0]
    model = LinearRegression(solver="gd", max_epochs=5, tol=None).fit(X, y)
    # the power iteration stops once its estimate of L changes by less than 1e-3, from
    # below: the step is 1/L or slightly more
    step, L = model.history_["learning_rate"][0], lipschitz_least_squares(X)
    assert 1 / L * (1 - 1e-12) <= step <= 1.002 / L, step * L


def test_logistic_gd_decreases_loss_monotonically():
    X, y = separable(seed=5, margin=0.0)
    model = LogisticRegression(solver="gd", max_epochs=200, tol=None).fit(X, y)
    loss = np.array(model.history_["loss"])
    assert np.all(np.diff(loss) <= 1e-12 * loss[:-1])


def test_averaged_iterate_is_the_running_mean_of_the_iterates():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(64, 3))
    y = X @ [1.0, -1.0, 2.0] + rng.normal(size=64)
    W, b = [np.zeros((3, 1))], [np.zeros(1)]
    averages = [(np.zeros((3, 1)), np.zeros(1))]
    trainer = _core.Trainer(W, b, ["identity"], "squared_error", 64, batch_size=16,
                            learning_rate=0.05, averages=averages)
    iterates = []
    for _ in range(5):
        for _ in range(4):  # one step at a time: a batch of 16 out of 16 rows
            trainer.epoch(X[:16], y[:16, None], average=True)
            iterates.append(np.concatenate([W[0][:, 0], b[0]]))
    mean = np.mean(iterates, axis=0)
    assert trainer.average_count == 20
    assert np.allclose(np.concatenate([averages[0][0][:, 0], averages[0][1]]), mean, rtol=1e-13)


def test_estimator_average_predicts_with_the_average():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(100, 2))
    y = X @ [1.0, 2.0] + 0.5 * rng.normal(size=100)
    plain = LinearRegression(solver="sgd", batch_size=10, learning_rate=0.05, max_epochs=20,
                             tol=None, random_state=0).fit(X, y)
    averaged = LinearRegression(solver="sgd", batch_size=10, learning_rate=0.05, max_epochs=20,
                                tol=None, random_state=0, average=True).fit(X, y)
    # The raw iterates are the same; the published weights are their average.
    assert np.array_equal(averaged._weights[0], plain._weights[0])
    assert not np.allclose(averaged.coef_, plain.coef_, rtol=1e-6)
    assert np.allclose(averaged.predict(X), X @ averaged.coef_ + averaged.intercept_)


def test_bias_trick_gives_the_same_model():
    from mlpcore.features import add_bias

    X, y = separable(seed=8)
    with_bias = Perceptron(random_state=0).fit(X, y)
    trick = Perceptron(fit_intercept=False, random_state=0).fit(add_bias(X), y)
    assert np.allclose(trick.coef_[0, 0], with_bias.intercept_[0])
    assert np.allclose(trick.coef_[0, 1:], with_bias.coef_[0])
    rng = np.random.default_rng(9)
    A = rng.normal(size=(50, 3))
    t = A @ [1.0, 2.0, 3.0] + 4
    lin = LinearRegression(solver="gd", tol=None, max_epochs=300).fit(A, t)
    lin_trick = LinearRegression(solver="gd", fit_intercept=False, tol=None, max_epochs=300).fit(add_bias(A), t)
    assert np.allclose(lin_trick.coef_, np.r_[lin.intercept_, lin.coef_], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error", "perceptron"])
def test_numpy_training_loop_matches_the_compiled_one(loss, dtype):
    rng = np.random.default_rng(10)
    n = 150
    X = rng.normal(size=(n, 6)).astype(dtype)
    if loss == "cross_entropy":
        y, k, acts = rng.integers(0, 3, n), 3, ["tanh", "identity"]
    elif loss == "squared_error":
        y, k, acts = rng.normal(size=(n, 2)).astype(dtype), 2, ["relu", "identity"]
    else:
        y, k, acts = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)[:, None], 1, ["identity"]
    sizes = [6, 5, k] if len(acts) == 2 else [6, k]

    def network():
        r = np.random.default_rng(11)
        W = [(0.5 * r.normal(size=(a, b))).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        return W, [np.zeros(b, dtype) for b in sizes[1:]]

    sw = rng.uniform(0.5, 1.5, n)
    sw = (sw / sw.mean()).astype(dtype)
    W1, B1 = network()
    W2, B2 = network()
    pairs = lambda W, B: [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(W, B)]
    V1, V2, A1 = pairs(W1, B1), pairs(W2, B2), pairs(W1, B1)
    A2 = pairs(W2, B2)
    settings = dict(batch_size=16, learning_rate=0.05, momentum=0.9, nesterov=True,
                    weight_decay=1e-3, schedule="invscaling")
    trainer = _core.Trainer(W1, B1, acts, loss, n, velocities=V1, averages=A1, **settings)
    trainer.rng_state = 99
    state = {"rng": 99, "step": 0, "average_count": 0}
    for _ in range(2):
        got = trainer.epoch(X, y, sw, average=True)
        want = R.train_epoch(W2, B2, acts, loss, X, y, sample_weight=sw, velocities=V2,
                             averages=A2, average=True, state=state, **settings)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert np.isclose(got["loss"], want["loss"], rtol=tol)
    for a, b in zip(W1 + B1 + [w for w, _ in A1], W2 + B2 + [w for w, _ in A2]):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    assert trainer.rng_state == state["rng"] and trainer.step == state["step"]


@pytest.mark.parametrize("n, seed", [(0, 1), (1, 2), (2, 3), (10, 4), (1000, 2**64 - 1)])
def test_epoch_permutation_is_the_numpy_twins(n, seed):
    got, got_state = _core._shuffle_indices(n, seed)
    want, want_state = R.shuffle_indices(n, seed)
    assert np.array_equal(got, want) and got_state == want_state
    assert sorted(got.tolist()) == list(range(n))


def test_online_perceptron_matches_the_general_loop():
    # Batch size 1 takes a dedicated path in C++; the NumPy loop is the general one.
    X, y = separable(seed=12)
    d = np.where(y == 1, 1.0, -1.0)[:, None]
    W1, B1 = [np.zeros((X.shape[1], 1))], [np.zeros(1)]
    trainer = _core.Trainer(W1, B1, ["identity"], "perceptron", len(X), batch_size=1,
                            learning_rate=0.7, weight_decay=1e-3)
    trainer.rng_state = 5
    W2, B2 = [np.zeros((X.shape[1], 1))], [np.zeros(1)]
    state = {"rng": 5, "step": 0, "average_count": 0}
    for _ in range(3):
        got = trainer.epoch(X, d)
        want = R.train_epoch(W2, B2, ["identity"], "perceptron", X, d, batch_size=1,
                             learning_rate=0.7, weight_decay=1e-3, state=state)
        assert np.isclose(got["loss"], want["loss"], rtol=1e-12)
    assert np.allclose(W1[0], W2[0], rtol=1e-12) and np.allclose(B1[0], B2[0], rtol=1e-12)


def test_same_random_state_same_weights_for_any_thread_count():
    from mlpcore import MLPClassifier

    rng = np.random.default_rng(13)
    X = rng.normal(size=(600, 40)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    fits = []
    for threads in (1, 2):
        with mlpcore.num_threads(threads):
            fits.append(MLPClassifier((64,), max_epochs=3, tol=None, random_state=0).fit(X, y))
    for a, b in zip(fits[0].coefs_ + fits[0].intercepts_, fits[1].coefs_ + fits[1].intercepts_):
        assert a.dtype == np.float32
        assert np.array_equal(a, b)


def test_on_tall_data_L_comes_from_a_row_sample_that_never_undershoots():
    from mlpcore import _training

    rng = np.random.default_rng(5)
    n = _training.SAMPLE_ABOVE + 50_000
    X = rng.normal(size=(n, 3)) * [3.0, 1.0, 0.2]
    w = np.ones(n)
    model = LinearRegression(solver="gd")
    exact = _training._largest_eigenvalue(X, w, 1.0)
    sampled = _training.lipschitz(model, X, w, 1.0)
    assert exact <= sampled <= exact / 0.9 * 1.02, (sampled, exact)
    # a few rows that dominate L: the sample could miss them, so all rows are used
    X[:3] *= 1e4
    exact = _training._largest_eigenvalue(X, w, 1.0)
    assert _training.lipschitz(model, X, w, 1.0) == exact
