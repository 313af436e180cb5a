"""Trainer.loss_and_gradient: the full-data objective and its gradient, against finite
differences of Trainer.evaluate's loss and against the weight change of one gd step."""

import numpy as np
import pytest

import mlpcore
from mlpcore import _core


def problem(loss, hidden, dtype=np.float64, n=41, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(dtype)
    k = {"cross_entropy": 3, "squared_error": 2, "perceptron": 1}[loss]
    if loss == "cross_entropy":
        y = rng.integers(0, k, n)
    elif loss == "squared_error":
        y = rng.normal(size=(n, k)).astype(dtype)
    else:
        y = np.where(rng.normal(size=(n, 1)) > 0, 1.0, -1.0).astype(dtype)
    sizes = [d, k] if hidden is None else [d, hidden, k]
    acts = ["identity"] if hidden is None else ["tanh", "identity"]
    W = [rng.normal(size=(a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [(0.5 * rng.normal(size=b)).astype(dtype) for b in sizes[1:]]
    sw = rng.uniform(0.5, 1.5, n)
    return X, y, W, B, acts, (sw / sw.mean()).astype(dtype)


def gradients(W, B, fill=np.nan):
    return [np.full_like(w, fill) for w in W], [np.full_like(b, fill) for b in B]


def objective(trainer, X, y, sw, W, weight_decay):
    """The objective through evaluate: the weighted mean loss plus the L2 penalty."""
    loss, _ = trainer.evaluate(X, y, sw)
    return loss + 0.5 * weight_decay * sum(float(np.sum(w ** 2)) for w in W)


MODELS = [("tanh-net", 5), ("linear", None)]


@pytest.mark.parametrize("loss,hidden", [
    ("cross_entropy", 5), ("cross_entropy", None), ("squared_error", 5),
    ("squared_error", None), ("perceptron", None),  # the criterion's subgradient
], ids=lambda v: {5: "tanh-net", None: "linear"}.get(v, v))
def test_gradient_is_the_finite_differences(loss, hidden):
    X, y, W, B, acts, sw = problem(loss, hidden)
    wd = 0.03
    trainer = _core.Trainer(W, B, acts, loss, len(X), batch_size=8, learning_rate=0.1,
                            weight_decay=wd)
    gw, gb = gradients(W, B)
    value = trainer.loss_and_gradient(X, y, sw, gw, gb)
    assert type(value) is float
    assert value == pytest.approx(objective(trainer, X, y, sw, W, wd), rel=1e-12)
    eps = 1e-6
    for arrays, grads in ((W, gw), (B, gb)):
        for a, g in zip(arrays, grads):
            for idx in np.ndindex(a.shape):
                keep = a[idx]
                a[idx] = keep + eps
                up = objective(trainer, X, y, sw, W, wd)
                a[idx] = keep - eps
                down = objective(trainer, X, y, sw, W, wd)
                a[idx] = keep
                fd = (up - down) / (2 * eps)
                assert abs(fd - g[idx]) <= 1e-6 * (1 + abs(fd)), (idx, fd, g[idx])


@pytest.mark.parametrize("batch_size", [1, 7, 41, 1000])
@pytest.mark.parametrize("name,hidden", MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_gradient_is_one_full_batch_step(loss, name, hidden, batch_size):
    # One gd step with lr 1 and no momentum moves the weights by exactly the gradient.
    X, y, W, B, acts, sw = problem(loss, hidden)
    wd = 0.01
    chunked = _core.Trainer(W, B, acts, loss, len(X), batch_size=batch_size, learning_rate=1.0,
                            weight_decay=wd)
    gw, gb = gradients(W, B)
    value = chunked.loss_and_gradient(X, y, sw, gw, gb)
    before = [a.copy() for a in W + B]
    gd = _core.Trainer(W, B, acts, loss, len(X), batch_size=len(X), learning_rate=1.0,
                       weight_decay=wd, shuffle=False)
    stats = gd.epoch(X, y, sw)
    assert value == pytest.approx(stats["loss"], rel=1e-12)
    for b, a, g in zip(before, W + B, gw + gb):
        scale = 1e-12 * max(1.0, float(np.max(np.abs(b))))
        np.testing.assert_allclose(b - a, g, rtol=1e-12, atol=scale)


def test_no_trainer_state_changes():
    X, y, W, B, acts, sw = problem("cross_entropy", 5)
    pairs = lambda: [(np.full_like(w, 0.25), np.full_like(b, 0.5)) for w, b in zip(W, B)]
    M, V, A = pairs(), pairs(), pairs()
    trainer = _core.Trainer(W, B, acts, "cross_entropy", len(X), batch_size=6, learning_rate=0.1,
                            optimizer="adam", velocities=M, second_moments=V, averages=A,
                            weight_decay=0.01)
    trainer.epoch(X, y, sw, average=True)
    state = (trainer.rng_state, trainer.step, trainer.average_count)
    arrays = [a.copy() for a in W + B + [p for pair in M + V + A for p in pair]]
    gw, gb = gradients(W, B)
    first = trainer.loss_and_gradient(X, y, sw, gw, gb)
    gw2, gb2 = gradients(W, B, 7.0)
    assert trainer.loss_and_gradient(X, y, sw, gw2, gb2) == first
    for g, g2 in zip(gw + gb, gw2 + gb2):
        np.testing.assert_array_equal(g, g2)
    assert (trainer.rng_state, trainer.step, trainer.average_count) == state
    for a, b in zip(W + B + [p for pair in M + V + A for p in pair], arrays):
        np.testing.assert_array_equal(a, b)


def test_same_bits_for_any_thread_count():
    X, y, W, B, acts, sw = problem("squared_error", 16, n=3000, d=20)
    trainer = _core.Trainer(W, B, acts, "squared_error", len(X), batch_size=200,
                            learning_rate=0.1)
    results = []
    for threads in (1, 2):
        with mlpcore.num_threads(threads):
            gw, gb = gradients(W, B)
            results.append((trainer.loss_and_gradient(X, y, sw, gw, gb), gw + gb))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_without_bias_the_bias_gradient_is_zero():
    X, y, W, B, acts, sw = problem("squared_error", 5)
    trainer = _core.Trainer(W, B, acts, "squared_error", len(X), batch_size=10, learning_rate=0.1,
                            fit_bias=False)
    gw, gb = gradients(W, B)
    trainer.loss_and_gradient(X, y, None, gw, gb)
    for g in gb:
        np.testing.assert_array_equal(g, 0.0)
    assert all(np.all(np.isfinite(g)) and np.any(g != 0) for g in gw)


def test_float32_is_the_float64_result():
    X, y, W, B, acts, sw = problem("cross_entropy", 5)
    t64 = _core.Trainer(W, B, acts, "cross_entropy", len(X), batch_size=8, learning_rate=0.1)
    W32, B32 = [w.astype(np.float32) for w in W], [b.astype(np.float32) for b in B]
    t32 = _core.Trainer(W32, B32, acts, "cross_entropy", len(X), batch_size=8, learning_rate=0.1)
    g64, g32 = gradients(W, B), gradients(W32, B32)
    v64 = t64.loss_and_gradient(X, y, sw, *g64)
    v32 = t32.loss_and_gradient(X.astype(np.float32), y, sw.astype(np.float32), *g32)
    assert v32 == pytest.approx(v64, rel=1e-5)
    for a, b in zip(g32[0] + g32[1], g64[0] + g64[1]):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def bad_calls():
    X, y, W, B, acts, sw = problem("squared_error", 5)
    trainer = _core.Trainer(W, B, acts, "squared_error", len(X), batch_size=10, learning_rate=0.1)
    gw, gb = gradients(W, B)
    f32 = [g.astype(np.float32) for g in gw]
    fortran = [np.asfortranarray(np.zeros((g.shape[1], g.shape[0])).T) for g in gw]
    readonly = [g.copy() for g in gw]
    readonly[1].flags.writeable = False
    return trainer, X, y, sw, W, B, gw, gb, [
        ((X[:0], y[:0], None, gw, gb), ValueError, "cannot compute the loss on 0 samples"),
        ((X, y, sw, gw[:1], gb), ValueError, r"coef_grads must have one array per layer \(2\)"),
        ((X, y, sw, gw[0], gb), TypeError, "coef_grads must be a list of 2 arrays"),
        ((X, y, sw, [gw[0], None], gb), TypeError, r"coef_grads\[1\] must be a numpy array"),
        ((X, y, sw, f32, gb), TypeError, r"coef_grads\[0\] must have dtype float64"),
        ((X, y, sw, gw, gw), ValueError, r"intercept_grads\[0\] must have shape"),
        ((X, y, sw, fortran, gb), ValueError, r"coef_grads\[0\] must be C-contiguous"),
        ((X, y, sw, readonly, gb), ValueError, r"coef_grads\[1\] must be writeable"),
        ((X, y, sw, [W[0], gw[1]], gb), ValueError, r"coef_grads\[0\] .*weights\[0\]"),
        ((X, y, sw, gw, [gb[0], gb[0][:2]]), ValueError,
         r"intercept_grads\[1\] .*intercept_grads\[0\]"),
        ((X, y, sw, [gw[0], gw[1]], [gb[0], gw[1][0]]), ValueError,
         r"intercept_grads\[1\] .*coef_grads\[1\]"),
    ]


def test_bad_gradient_arrays():
    trainer, X, y, sw, W, B, gw, gb, cases = bad_calls()
    before = [a.copy() for a in W + B]
    for args, exc, message in cases:
        with pytest.raises(exc, match=r"^\[Trainer\] " + message):
            trainer.loss_and_gradient(*args)
    for a, b in zip(W + B, before):
        np.testing.assert_array_equal(a, b)
