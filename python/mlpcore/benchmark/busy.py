"""Fits and kernels at the default thread count against the same call on one thread,
on a quiet machine and with another process busy (``mlpcore bench --busy``).

The busy process is a Python loop, ``while True: pass``, left to the operating system's
scheduler, as a build or a browser tab would be. Each case runs on all threads and on
one thread in turn, and the ratio is median(all threads) / median(one thread): below 1
the threads help, above 1 they cost. Results are bitwise the same either way.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import warnings

import numpy as np

import mlpcore
from mlpcore import kernels as K

from .epochs import synthetic


def _digits():
    """scikit-learn's 8x8 digits scaled to [0, 1], or a synthetic stand-in of its shape."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        X, y, _, _ = synthetic(1797, 1)
        return X[:, :64].astype(np.float64), y, "synthetic 1797 x 64 (scikit-learn not installed)"
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y, "scikit-learn's digits, 1797 x 64"


def cases():
    """(name, call) pairs: whole fits of each solver and the kernels of an MLP step."""
    X, y, digits = _digits()
    Xm, ym, _, _ = synthetic(12000, 1)
    rng = np.random.default_rng(0)
    a512 = rng.standard_normal((512, 512)).astype(np.float32)
    a256 = rng.standard_normal((256, 256)).astype(np.float32)
    xb = rng.standard_normal((128, 784)).astype(np.float32)
    w = rng.standard_normal((784, 256)).astype(np.float32)
    z = rng.standard_normal((60000, 10)).astype(np.float32)
    t = rng.integers(0, 10, 60000)
    return digits, [
        ("LogisticRegression().fit digits (lbfgs)",
         lambda: mlpcore.LogisticRegression().fit(X, y)),
        ("LogisticRegression(solver='gd').fit digits",
         lambda: mlpcore.LogisticRegression(solver="gd", max_epochs=200, tol=0).fit(X, y)),
        ("LogisticRegression(solver='sgd').fit digits",
         lambda: mlpcore.LogisticRegression(solver="sgd", max_epochs=20, tol=0).fit(X, y)),
        ("MLPClassifier((64,)).fit digits, 20 epochs",
         lambda: mlpcore.MLPClassifier((64,), max_epochs=20, tol=0).fit(X, y)),
        ("MLPClassifier((256,), sgd) 12000x784, 1 epoch",
         lambda: mlpcore.MLPClassifier((256,), solver="sgd", max_epochs=1, tol=0).fit(Xm, ym)),
        ("matmul 512^3 float32", lambda: K.matmul(a512, a512)),
        ("matmul 256^3 float32", lambda: K.matmul(a256, a256)),
        ("matmul (128x784)@(784x256) float32", lambda: K.matmul(xb, w)),
        ("cross_entropy_forward_backward 60000x10", lambda: K.cross_entropy_forward_backward(z, t)),
    ]


def _seconds(fn, threads, min_time=0.05):
    """Median-ready time of one call with `threads`, repeating quick calls to min_time."""
    with mlpcore.num_threads(threads):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                return elapsed / calls


@contextlib.contextmanager
def busy_process():
    """Another process spinning on the CPU for the duration of the block."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # let it start spinning
        yield
    finally:
        proc.kill()
        proc.wait()


def measure(case_list, repeats):
    threads = mlpcore.get_num_threads()
    rows = []
    for name, fn in case_list:
        fn()  # warm-up: allocations, lazy imports
        samples = {threads: [], 1: []}
        for _ in range(repeats):
            for n in (threads, 1):
                samples[n].append(_seconds(fn, n))
        many, one = float(np.median(samples[threads])), float(np.median(samples[1]))
        rows.append({"case": name, "threads": threads, "seconds": many,
                     "seconds_1_thread": one, "ratio": many / one})
        print(f"  {name:<48}{many * 1e3:>10.2f}ms{one * 1e3:>10.2f}ms{many / one:>8.2f}",
              flush=True)
    return rows


def run_busy(repeats, name_filter=""):
    threads = mlpcore.get_num_threads()
    warnings.simplefilter("ignore")  # ConvergenceWarning of the capped fits
    data, case_list = cases()
    case_list = [(name, fn) for name, fn in case_list if name_filter in name]
    if not case_list:
        print(f"\nbusy machine: no case matches --filter {name_filter!r}")
        return {"busy": None}
    print(f"\nbusy machine: {threads} threads against 1 ({data}; "
          f"OpenMP wait policy: {mlpcore.build_info()['openmp_wait_policy']})")
    print(f"  {'case':<48}{f'{threads} threads':>12}{'1 thread':>12}{'ratio':>8}")
    print("quiet:")
    quiet = measure(case_list, repeats)
    print("one other process busy:")
    with busy_process():
        busy = measure(case_list, repeats)
    worst = max(row["ratio"] for row in busy)
    print(f"worst busy ratio: {worst:.2f} (target: at most 1.1)")
    return {"busy": {"threads": threads, "data": data, "quiet": quiet, "busy": busy,
                     "cpu_count": os.cpu_count()}}
