"""Kernel benchmarks: each compiled kernel against its NumPy twin (and PyTorch when
installed), timed interleaved in one process."""

from __future__ import annotations

import time

import numpy as np

from mlpcore import kernels as K
from mlpcore import reference as R

try:
    import torch
except ImportError:
    torch = None


def time_call(fn, inner):
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def calibrate(fn, target=0.02):
    """Calls per measurement so that one measurement takes about `target` seconds."""
    fn()
    inner = 1
    while True:
        t = time_call(fn, inner)
        if t * inner >= target / 4 or inner >= 1 << 16:
            return max(1, int(target / max(t, 1e-9)))
        inner *= 4


def measure(contenders, repeats):
    """Median, min and max seconds per call of each contender, timed in turn."""
    inner = {name: calibrate(fn) for name, fn in contenders.items()}
    samples = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            samples[name].append(time_call(fn, inner[name]))
    return {
        name: {"median": float(np.median(s)), "min": float(np.min(s)), "max": float(np.max(s))}
        for name, s in samples.items()
    }


def gemm_case(m, k, n, dtype, rng, a_t=False, b_t=False):
    a = rng.standard_normal((k, m) if a_t else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if b_t else (k, n)).astype(dtype)
    a = a.T if a_t else a
    b = b.T if b_t else b
    out = np.empty((m, n), dtype)
    flops = 2.0 * m * n * k
    c = {"mlpcore": lambda: K.matmul(a, b, out=out), "numpy": lambda: np.matmul(a, b, out=out)}
    if torch is not None:
        ta, tb, to = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(out)
        c["torch"] = lambda: torch.matmul(ta, tb, out=to)
    return c, flops


def cases(quick, rng):
    f32, f64 = np.float32, np.float64
    squares = [256, 512] if quick else [256, 512, 1024, 2048]
    for dtype in (f32, f64):
        for s in squares:
            yield f"matmul {s}x{s}x{s}", dtype, *gemm_case(s, s, s, dtype, rng)
    mlp_shapes = [
        ("matmul x@w (128x784)@(784x256)", 128, 784, 256, False, False),
        ("matmul x.T@g (784x128)@(128x256)", 784, 128, 256, True, False),
        ("matmul g@w.T (128x256)@(256x784)", 128, 256, 784, False, True),
        ("matmul narrow (256x784)@(784x10)", 256, 784, 10, False, False),
    ]
    if not quick:
        mlp_shapes.append(("matmul narrow (60000x784)@(784x10)", 60000, 784, 10, False, False))
    for name, m, k, n, at, bt in mlp_shapes:
        yield name, f32, *gemm_case(m, k, n, f32, rng, at, bt)

    x = rng.standard_normal((128, 784)).astype(f32)
    w = (rng.standard_normal((784, 256)) * 0.05).astype(f32)
    b = rng.standard_normal(256).astype(f32)
    out = np.empty((128, 256), f32)
    yield "linear_forward relu 128x784->256", f32, {
        "mlpcore": lambda: K.linear_forward(x, w, b, "relu", out=out),
        "numpy": lambda: R.linear_forward(x, w, b, "relu", out=out),
    }, 2.0 * 128 * 784 * 256
    dz = rng.standard_normal((128, 256)).astype(f32)
    yield "linear_backward 128x784->256", f32, {
        "mlpcore": lambda: K.linear_backward(x, w, dz),
        "numpy": lambda: R.linear_backward(x, w, dz),
    }, 4.0 * 128 * 784 * 256

    for n, k in [(60000, 10), (4096, 1000)] if not quick else [(4096, 10)]:
        logits = rng.standard_normal((n, k)).astype(f32)
        labels = rng.integers(0, k, n)
        grad = np.empty_like(logits)
        c = {
            "mlpcore": lambda: K.cross_entropy_forward_backward(logits, labels, dlogits=grad),
            "numpy": lambda: R.cross_entropy_forward_backward(logits, labels, dlogits=grad),
        }
        if torch is not None:
            tl, tt = torch.from_numpy(logits), torch.from_numpy(labels)

            def torch_ce(tl=tl, tt=tt):
                t = tl.detach().requires_grad_(True)
                torch.nn.functional.cross_entropy(t, tt).backward()

            c["torch"] = torch_ce
        yield f"cross_entropy_forward_backward {n}x{k}", f32, c, None
        sm = np.empty_like(logits)
        yield f"softmax_forward {n}x{k}", f32, {
            "mlpcore": lambda: K.softmax_forward(logits, out=sm),
            "numpy": lambda: R.softmax_forward(logits, out=sm),
        }, None

    size = 1 << 16 if quick else 1 << 20
    a = rng.standard_normal(size).astype(f32)
    y = np.empty_like(a)
    for act in ("tanh", "sigmoid", "relu"):
        yield f"activation_forward {act} {size}", f32, {
            "mlpcore": lambda act=act: K.activation_forward(act, a, out=y),
            "numpy": lambda act=act: R.activation_forward(act, a, out=y),
        }, None
    p = rng.standard_normal(size).astype(f32)
    g = rng.standard_normal(size).astype(f32)
    v = np.zeros_like(p)
    yield f"sgd_step momentum {size}", f32, {
        "mlpcore": lambda: K.sgd_step(p, g, 1e-6, momentum=0.9, velocity=v),
        "numpy": lambda: R.sgd_step(p, g, 1e-6, momentum=0.9, velocity=v),
    }, None


def blas_name():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(f"{i['internal_api']} {i.get('architecture', '')}".strip()
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:
        return "unknown (install threadpoolctl to see it)"


def run_kernels(quick, repeats, name_filter=""):
    """Runs the kernel cases, prints the table, returns its rows."""
    rng = np.random.default_rng(0)
    results = []
    print(f"\n{'case':<44}{'dtype':<8}{'mlpcore':>11}{'numpy':>11}{'ratio':>7}"
          f"{'torch':>11}{'ratio':>7}{'GFLOP/s':>9}")
    for name, dtype, contenders, flops in cases(quick, rng):
        if name_filter not in name:
            continue
        t = measure(contenders, repeats)
        row = {"case": name, "dtype": np.dtype(dtype).name, "times": t}
        mine = t["mlpcore"]["median"]
        line = f"{name:<44}{row['dtype']:<8}{mine * 1e3:>9.3f}ms"
        for peer in ("numpy", "torch"):
            if peer in t:
                row[f"ratio_{peer}"] = t[peer]["median"] / mine
                line += f"{t[peer]['median'] * 1e3:>9.3f}ms{row[f'ratio_{peer}']:>7.2f}"
            else:
                line += f"{'-':>11}{'-':>7}"
        if flops:
            row["gflops"] = flops / mine / 1e9
            line += f"{row['gflops']:>9.1f}"
        print(line, flush=True)
        results.append(row)
    return results
