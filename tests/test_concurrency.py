"""Kernels and fits called from 8 Python threads at once give the bits of serial calls.

The kernels release the GIL, so these calls really overlap (each also uses OpenMP threads).
Also: threadpoolctl sees mlpcore's OpenMP runtime (libgomp with GCC, libomp with Clang).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import mlpcore
import mlpcore.kernels as K
from mlpcore import MLPClassifier, datasets

WORKERS = 8


def concurrently(fns):
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda f: f(), fns))


def same_bits(a, b, what):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            same_bits(x, y, f"{what}[{i}]")
        return
    if isinstance(a, float):
        assert a == b or (np.isnan(a) and np.isnan(b)), f"{what}: {a!r} != {b!r}"
        return
    assert a.dtype == b.dtype and a.shape == b.shape, what
    assert a.tobytes() == b.tobytes(), (
        f"{what}: not bitwise identical, max |diff| "
        f"{np.max(np.abs(a.astype(float) - b.astype(float)))}")


def check(make_calls, what):
    calls = make_calls()
    serial = [f() for f in calls]
    for rnd in range(2):
        parallel = concurrently(calls)
        for i, (s, p) in enumerate(zip(serial, parallel)):
            same_bits(s, p, f"{what} call {i} (round {rnd})")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_large_concurrent(dtype):
    rng = np.random.default_rng(1)
    inputs = [(rng.standard_normal((300, 257)).astype(dtype),
               rng.standard_normal((257, 301)).astype(dtype)) for _ in range(WORKERS)]
    check(lambda: [lambda a=a, b=b: K.matmul(a, b) for a, b in inputs]
          + [lambda a=a, b=b: K.matmul(b.T, a.T) for a, b in inputs], "matmul")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_and_linear_backward_concurrent(dtype):
    rng = np.random.default_rng(2)
    cases = []
    for i in range(WORKERS):
        logits = (3 * rng.standard_normal((2000, 10 + i))).astype(dtype)
        t = rng.integers(0, 10 + i, 2000)
        x = rng.standard_normal((2000, 33)).astype(dtype)
        w = rng.standard_normal((33, 10 + i)).astype(dtype)
        cases.append((logits, t, x, w))
    check(lambda: [lambda c=c: K.cross_entropy_forward_backward(c[0], c[1]) for c in cases]
          + [lambda c=c: K.linear_backward(c[2], c[3], c[0]) for c in cases], "ce / linear_backward")


def test_mlp_fits_concurrent():
    X, y = datasets.moons(n_samples=400, noise=0.2, random_state=0)

    def fit(seed):
        m = MLPClassifier(hidden_layer_sizes=(16, 8), random_state=seed, max_epochs=20)
        m.fit(X, y)
        return tuple(m.coefs_) + tuple(m.intercepts_) + (m.predict_proba(X),)

    check(lambda: [lambda s=s: fit(s) for s in range(WORKERS)], "MLPClassifier fit")
    # the same seed on separate estimator objects, all at once
    results = concurrently([lambda: fit(3)] * WORKERS)
    for r in results[1:]:
        same_bits(results[0], r, "MLPClassifier fit, same seed")


def test_threadpoolctl_sees_the_openmp_runtime_of_the_build():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    K.matmul(np.ones((2, 2)), np.ones((2, 2)))
    runtime = mlpcore.build_info()["openmp"].rsplit("(", 1)[1].rstrip(")")  # libgomp (GCC), libomp (Clang)
    info = threadpoolctl.threadpool_info()
    omp = [i for i in info if i.get("user_api") == "openmp"]
    assert any(runtime in os.path.basename(i["filepath"]) for i in omp), (runtime, info)
