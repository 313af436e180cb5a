"""Results are bitwise identical whatever the thread count (fixed reduction orders).

The sizes give each of 3 threads more than kMinWorkPerThread (runtime.hpp, 100 us of
estimated one-thread work), so that the parallel paths run."""

import numpy as np
import pytest

import mlpcore
import mlpcore.kernels as K
from conftest import in_new_thread, random_array

THREADS = [2, 3]


def run_with(threads, fn):
    with mlpcore.num_threads(threads):
        assert mlpcore.get_num_threads() == threads
        return fn()


def assert_bitwise(fn, what):
    base = run_with(1, fn)
    for t in THREADS:
        other = run_with(t, fn)
        for i, (x, y) in enumerate(zip(_flat(base), _flat(other))):
            if isinstance(x, float):
                assert x == y or (np.isnan(x) and np.isnan(y)), (
                    f"{what} output {i}: {x!r} (1 thread) != {y!r} ({t} threads)")
            else:
                assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), (
                    f"{what} output {i} differs between 1 and {t} threads: "
                    f"max |diff| {np.max(np.abs(x.astype(float) - y.astype(float)))}")


def _flat(res):
    return list(res) if isinstance(res, tuple) else [res]


def test_gemm_big(isa, dtype, rng):
    a = random_array(rng, (400, 300), dtype)
    b = random_array(rng, (300, 500), dtype)
    c0 = random_array(rng, (400, 500), dtype)
    assert_bitwise(lambda: K.matmul(a, b), "matmul")
    assert_bitwise(lambda: K.matmul(b.T, a.T), "matmul of transposed views")
    assert_bitwise(lambda: K.gemm(a, b, c0.copy(), alpha=0.5, beta=2.0), "gemm")


def test_softmax_cross_entropy_5000x37(isa, dtype, rng):
    a = random_array(rng, (5000, 37), dtype, scale=3.0)
    t = rng.integers(0, 37, 5000)
    p = rng.random((5000, 37)).astype(dtype)
    assert_bitwise(lambda: K.softmax_forward(a), "softmax")
    assert_bitwise(lambda: K.log_softmax_forward(a), "log_softmax")
    for red in ("mean", "sum"):
        assert_bitwise(lambda: K.cross_entropy_forward(a, t, reduction=red), "ce forward")
        assert_bitwise(lambda: K.cross_entropy_backward(a, t, reduction=red), "ce backward")
        assert_bitwise(lambda: K.cross_entropy_forward_backward(a, t, reduction=red), "ce fused")
        assert_bitwise(lambda: K.cross_entropy_forward_backward(a, p, reduction=red),
                       "ce fused, probabilities")


def test_linear(isa, dtype, rng):
    x = random_array(rng, (5000, 64), dtype)
    w = random_array(rng, (64, 37), dtype)
    b = random_array(rng, (37,), dtype)
    dz = random_array(rng, (5000, 37), dtype)
    assert_bitwise(lambda: K.linear_forward(x, w, b, "tanh"), "linear_forward")
    assert_bitwise(lambda: K.linear_backward(x, w, dz), "linear_backward (db is a reduction)")


def test_losses_and_elementwise(isa, dtype, rng):
    y = random_array(rng, (10000, 37), dtype)
    d = random_array(rng, (10000, 37), dtype)
    sgn = np.where(rng.random((10000, 37)) < 0.5, -1.0, 1.0).astype(dtype)
    for red in ("mean", "sum"):
        assert_bitwise(lambda: K.squared_error_forward(y, d, reduction=red), "squared error")
        assert_bitwise(lambda: K.perceptron_forward(y, sgn, reduction=red), "perceptron")
        assert_bitwise(lambda: K.squared_error_backward(y, d, reduction=red), "se backward")
    big = random_array(rng, (400_000,), dtype)
    for name in ("tanh", "sigmoid", "softplus"):
        assert_bitwise(lambda: K.activation_forward(name, big), name)


def test_optim_steps(isa, dtype, rng):
    p0 = random_array(rng, (400_000,), dtype)
    g = random_array(rng, (400_000,), dtype)

    def step():
        p, v = p0.copy(), np.full_like(p0, 0.5)
        K.sgd_step(p, g, 0.1, momentum=0.9, velocity=v, weight_decay=1e-3, nesterov=True)
        avg = p0.copy()
        K.average_step(avg, p, 3)
        return p, v, avg

    assert_bitwise(step, "sgd_step / average_step")


@pytest.mark.parametrize("threads", [1, 2])
def test_kernels_run_under_thread_counts(threads, rng):
    # a @ I is exactly a (one non-zero term per sum) under each thread count
    a = random_array(rng, (64, 64), np.float64)
    with mlpcore.num_threads(threads):
        got = K.matmul(a, np.eye(64))
    np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("where", ["this thread", "another thread"])
def test_a_threads_own_count_gives_bitwise_the_same_results(where, rng):
    # the count of the calling thread alone (what a Dask task sets) reaches the GEMM, the
    # elementwise kernels and the training loop, with the process-wide count at 1
    a = random_array(rng, (400, 300), np.float64)
    b = random_array(rng, (300, 500), np.float64)
    X = rng.normal(size=(3000, 20))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)

    def work(n):
        with mlpcore.num_threads(n, scope="thread"):
            assert mlpcore.get_num_threads() == n
            c = K.matmul(a, b)
            s = K.softmax_forward(c)
            m = mlpcore.MLPClassifier((64,), max_epochs=3, tol=None, random_state=0).fit(X, y)
            return [c, s, *m.coefs_, *m.intercepts_, m.predict_proba(X)]

    with mlpcore.num_threads(1):
        run = work if where == "this thread" else lambda n: in_new_thread(lambda: work(n))
        base = run(1)
        other = run(2)
        assert mlpcore.get_num_threads() == 1
    for i, (x, z) in enumerate(zip(base, other)):
        assert x.dtype == z.dtype and np.array_equal(x, z), f"output {i} differs"
