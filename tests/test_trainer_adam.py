"""Adam in the compiled epoch loop (_core.Trainer with optimizer="adam") against the NumPy
twin: reference forward/backward and reference.adam_step, batch for batch."""

import numpy as np
import pytest

import mlpcore.reference as R
from mlpcore import _core

TOL = {np.float32: 1e-5, np.float64: 1e-12}


def problem(loss, dtype, n=37, d=6, hidden=5, seed=0):
    """Data, a 2-layer relu network (or a linear model when hidden is None) and its arrays."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(dtype)
    k = 3 if loss == "cross_entropy" else 2
    if loss == "cross_entropy":
        y = rng.integers(0, k, n)
    else:
        y = rng.normal(size=(n, k)).astype(dtype)
    sizes = [d, k] if hidden is None else [d, hidden, k]
    acts = ["identity"] if hidden is None else ["relu", "identity"]
    r = np.random.default_rng(seed + 1)
    W = [(0.5 * r.normal(size=(a, b))).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [(0.1 * r.normal(size=b)).astype(dtype) for b in sizes[1:]]
    return X, y, W, B, acts


def zero_pairs(W, B):
    return [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(W, B)]


def copies(W, B):
    return [w.copy() for w in W], [b.copy() for b in B]


def assert_same(got, want, dtype, what):
    for g, w in zip(got, want):
        assert g.dtype == dtype
        scale = max(1.0, float(np.max(np.abs(w), initial=0)))
        np.testing.assert_allclose(g, w, rtol=TOL[dtype], atol=TOL[dtype] * scale, err_msg=what)


def run_both(loss, dtype, epochs=1, sample_weight=None, hidden=5, **settings):
    X, y, W1, B1, acts = problem(loss, dtype, hidden=hidden)
    W2, B2 = copies(W1, B1)
    M1, V1, M2, V2 = (zero_pairs(W1, B1) for _ in range(4))
    trainer = _core.Trainer(W1, B1, acts, loss, len(X), optimizer="adam", velocities=M1,
                            second_moments=V1, **settings)
    trainer.rng_state = 5
    state = {"rng": 5, "step": 0, "average_count": 0}
    for _ in range(epochs):
        got = trainer.epoch(X, y, sample_weight)
        want = R.train_epoch(W2, B2, acts, loss, X, y, sample_weight=sample_weight,
                             velocities=M2, second_moments=V2, state=state, optimizer="adam",
                             **settings)
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=TOL[dtype])
    assert trainer.step == state["step"] and trainer.rng_state == state["rng"]
    for name, a, b in (("weights", W1, W2), ("biases", B1, B2),
                       ("first moments", [p for pair in M1 for p in pair],
                        [p for pair in M2 for p in pair]),
                       ("second moments", [p for pair in V1 for p in pair],
                        [p for pair in V2 for p in pair])):
        assert_same(a, b, dtype, name)
    return W1, B1


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_adam_epoch_is_the_numpy_loop(loss, dtype):
    X, _, W0, B0, _ = problem(loss, dtype)
    W, B = run_both(loss, dtype, batch_size=8, shuffle=False, learning_rate=0.01)
    assert all(not np.array_equal(w, w0) for w, w0 in zip(W + B, W0 + B0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_adam_epochs_with_every_setting(loss, dtype):
    # shuffled batches, the step carried over epochs, a schedule, weight decay, sample
    # weights and the Adam settings all reach the update
    n = 37
    sw = np.random.default_rng(3).uniform(0.5, 1.5, n)
    sw = (sw / sw.mean()).astype(dtype)
    run_both(loss, dtype, epochs=3, sample_weight=sw, batch_size=10, learning_rate=0.02,
             schedule="invscaling", power_t=0.25, weight_decay=0.01, beta1=0.8, beta2=0.99,
             epsilon=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_adam_linear_model_without_bias(dtype):
    _, _, _, B0, _ = problem("squared_error", dtype, hidden=None)
    _, B = run_both("squared_error", dtype, epochs=2, hidden=None, batch_size=37,
                    learning_rate=0.1, fit_bias=False)
    np.testing.assert_array_equal(B[0], B0[0])


def test_adam_perceptron_batch_one_uses_adam():
    # the online perceptron loop is sgd's; with adam the general loop runs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = np.where(X[:, :1] > 0, 1.0, -1.0)
    W1, B1 = [np.zeros((3, 1))], [np.zeros(1)]
    W2, B2 = copies(W1, B1)
    M1, V1, M2, V2 = (zero_pairs(W1, B1) for _ in range(4))
    settings = dict(batch_size=1, learning_rate=0.1, shuffle=False)
    trainer = _core.Trainer(W1, B1, ["identity"], "perceptron", 20, optimizer="adam",
                            velocities=M1, second_moments=V1, **settings)
    trainer.epoch(X, y)
    R.train_epoch(W2, B2, ["identity"], "perceptron", X, y, velocities=M2, second_moments=V2,
                  optimizer="adam", **settings)
    assert_same(W1 + B1, W2 + B2, np.float64, "perceptron with adam")


def test_sgd_config_shows_the_adam_settings():
    c = _core.SgdConfig(loss="squared_error", batch_size=4, learning_rate=0.1)
    assert (c.optimizer, c.beta1, c.beta2, c.epsilon) == ("sgd", 0.9, 0.999, 1e-8)
    c = _core.SgdConfig(loss="squared_error", batch_size=4, learning_rate=0.1, optimizer="adam",
                        beta1=0.5, beta2=0.75, epsilon=0.0)
    assert (c.optimizer, c.beta1, c.beta2, c.epsilon) == ("adam", 0.5, 0.75, 0.0)


@pytest.mark.parametrize("settings,message", [
    (dict(optimizer="adagrad"), r"optimizer must be 'sgd' or 'adam', got 'adagrad'"),
    (dict(beta1=1.0), r"beta1 must be in \[0, 1\)"),
    (dict(beta2=np.nan), r"beta2 must be in \[0, 1\)"),
    (dict(epsilon=-1.0), r"epsilon must be finite and >= 0"),
    (dict(optimizer="adam", momentum=0.9), r"momentum and nesterov are sgd's"),
])
def test_bad_adam_settings(settings, message):
    with pytest.raises(ValueError, match=r"^\[Trainer\] " + message):
        _core.SgdConfig(loss="squared_error", batch_size=4, learning_rate=0.1, **settings)


def test_adam_needs_its_arrays():
    W, B = [np.zeros((3, 2))], [np.zeros(2)]
    pairs = zero_pairs(W, B)
    common = dict(batch_size=4, learning_rate=0.1, optimizer="adam")
    with pytest.raises(ValueError, match=r"^\[Trainer\] optimizer='adam' needs velocities"):
        _core.Trainer(W, B, ["identity"], "squared_error", 4, second_moments=pairs, **common)
    with pytest.raises(ValueError, match=r"^\[Trainer\] optimizer='adam' needs second_moments"):
        _core.Trainer(W, B, ["identity"], "squared_error", 4, velocities=pairs, **common)
    bad = [(np.zeros((3, 2), np.float32), np.zeros(2))]
    with pytest.raises(TypeError, match=r"^\[Trainer\] second moment weights\[0\]"):
        _core.Trainer(W, B, ["identity"], "squared_error", 4, velocities=pairs,
                      second_moments=bad, **common)
    bad = [(np.zeros((3, 2)), np.zeros(3))]
    with pytest.raises(ValueError, match=r"^\[Trainer\] second moment biases\[0\]"):
        _core.Trainer(W, B, ["identity"], "squared_error", 4, velocities=pairs,
                      second_moments=bad, **common)
