"""Thread scaling and SIMD paths on a many-core machine, in one short run.

    python tools/scaling.py [--repeats 5] [--json scaling.json]

1. For each SIMD path this CPU has (generic, avx2, avx512): a product, a cross-entropy
   and an MLP epoch on 1 thread and on all threads must give bitwise the same results
   (the design's fixed reduction orders), and the product and the cross-entropy must
   agree with the generic path's within float32 rounding (1e-5 of the largest value:
   the paths order their sums differently, so they are not bitwise equal to each
   other, and over an epoch of SGD those roundings grow, so epochs are not compared).
2. Thread scaling on the widest path, for 1, 2, 4, ... up to all cpus: matmul 2048^3
   float32, one epoch of the 784-256-10 MLP (60000 synthetic MNIST-like rows, batch
   200, SGD) and cross_entropy_forward_backward on 60000x10 and 600000x10; medians
   of --repeats calls, speed-up against 1 thread.

Needs only numpy and an installed (or PYTHONPATH-visible) mlpcore. Exit status 1 when a
check of part 1 fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

import mlpcore
from mlpcore import kernels as K
from mlpcore.benchmark.epochs import synthetic


def median_seconds(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def mlp_steps(X, y, epochs=1):
    model = mlpcore.MLPClassifier((256,), solver="sgd", batch_size=200, max_epochs=epochs,
                                  tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model


def kernel_outputs(a, b, z, t):
    return [K.matmul(a, b), *K.cross_entropy_forward_backward(z, t)]


def check_paths(threads):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((700, 900)).astype(np.float32)
    b = rng.standard_normal((900, 500)).astype(np.float32)
    z = rng.standard_normal((60000, 10)).astype(np.float32)
    t = rng.integers(0, 10, 60000)
    X, y, _, _ = synthetic(4000, 1)
    ok = True
    generic = None
    for isa in mlpcore.build_info()["isas_available"]:
        mlpcore._core._set_isa(isa)
        with mlpcore.num_threads(1):
            one = kernel_outputs(a, b, z, t)
            model = mlp_steps(X, y)
            one_mlp = [*model.coefs_, *model.intercepts_]
        with mlpcore.num_threads(threads):
            many = kernel_outputs(a, b, z, t)
            model = mlp_steps(X, y)
            many_mlp = [*model.coefs_, *model.intercepts_]
        same = all(np.array_equal(p, q) for p, q in zip(one + one_mlp, many + many_mlp))
        generic = generic or one
        worst = max(float(np.max(np.abs(np.asarray(p, float) - q)) / np.max(np.abs(q)))
                    for p, q in zip(one, generic))
        close = worst < 1e-5
        ok &= same and close
        print(f"  {isa:<8} 1 vs {threads} threads bitwise equal (kernels and an MLP epoch): "
              f"{same}; kernels' largest difference to generic, relative to the largest "
              f"value: {worst:.1e} ({'ok' if close else 'FAIL'})")
    return ok


def thread_counts():
    cpus = os.cpu_count() or 1
    counts = [1]
    while counts[-1] * 2 <= cpus:
        counts.append(counts[-1] * 2)
    return counts + ([cpus] if counts[-1] != cpus else [])


def scaling(repeats):
    rng = np.random.default_rng(1)
    g = rng.standard_normal((2048, 2048)).astype(np.float32)
    X, y, _, _ = synthetic(60000, 1)
    cases = [("matmul 2048^3 float32", lambda: K.matmul(g, g))]
    for rows in (60000, 600000):
        z = rng.standard_normal((rows, 10)).astype(np.float32)
        t = rng.integers(0, 10, rows)
        cases.append((f"cross_entropy_forward_backward {rows}x10",
                      lambda z=z, t=t: K.cross_entropy_forward_backward(z, t)))
    cases.append(("MLP 784-256-10 epoch, 60000 rows", lambda: mlp_steps(X, y)))
    counts = thread_counts()
    print(f"  {'case':<40}" + "".join(f"{f'{n} thr':>16}" for n in counts))
    rows = []
    for name, fn in cases:
        times = {}
        for n in counts:
            with mlpcore.num_threads(n):
                times[n] = median_seconds(fn, repeats if n > 1 or "MLP" not in name else 3)
        cells = "".join(f"{times[n] * 1e3:>9.1f}ms{times[1] / times[n]:>5.1f}x" for n in counts)
        print(f"  {name:<40}{cells}", flush=True)
        rows.append({"case": name, "seconds": {str(n): t for n, t in times.items()}})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args(argv)
    info = mlpcore.build_info()
    print(f"{info['cpu']}; mlpcore {info['version']}; SIMD paths {info['isas_available']}; "
          f"OpenMP wait policy: {info['openmp_wait_policy']}")
    threads = thread_counts()[-1]
    print(f"\nSIMD paths, 1 thread against {threads}:")
    ok = check_paths(threads)
    mlpcore._core._set_isa(info["isa"])
    print(f"\nthread scaling on the {info['isa']} path (time, speed-up against 1 thread):")
    rows = scaling(args.repeats)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info["cpu"], "paths_ok": ok, "scaling": rows}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
