"""Kernel benchmarks: each compiled kernel against its NumPy twin (and PyTorch when
installed), timed interleaved in one process."""

from __future__ import annotations

import itertools
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


def small_m_cases(quick, rng):
    """GEMM at the small batch sizes of minibatch training, per MLP layer shape."""
    batches = [16, 64] if quick else [16, 32, 64, 128, 256]
    for k, n in [(784, 128), (784, 256), (256, 10), (128, 784)]:
        for m in batches:
            yield (f"matmul small-M ({m}x{k})@({k}x{n})", np.float32,
                   *gemm_case(m, k, n, np.float32, rng))


def cliff_cases(quick, rng):
    """Shapes and layouts far from the square: tall, wide, thin, transposed, strided
    and zero-stride (broadcast) operands, where a blocked GEMM can fall off a cliff."""
    f32 = np.float32
    long = 200_000 if quick else 2_000_000
    tall = rng.standard_normal((long, 3)).astype(f32)
    u = rng.standard_normal((long, 1)).astype(f32)
    v = rng.standard_normal((3, 1)).astype(f32)
    wide = rng.standard_normal((3, long)).astype(f32)
    sq = rng.standard_normal((1024, 1024)).astype(f32)
    vec = rng.standard_normal((1024, 1)).astype(f32)
    shapes = {
        "tall (n x 3)@(3 x 1)": (tall, v),
        "thin X.T@u (3 x n)@(n x 1)": (tall.T, u),
        "wide (3 x n)@(n x 1)": (wide, u),
        "outer (n x 1)@(1 x 3)": (u, v.T),
        "gemv (1024x1024)@(1024x1)": (sq, vec),
        "transposed gemv A.T@x": (sq.T, vec),
        "strided rows A[::2]@x": (sq[::2], vec),
        "strided cols A[:, ::2]@x[::2]": (sq[:, ::2], vec[::2]),
        "zero-stride (3 x n)@broadcast(n x 1)": (tall.T, np.broadcast_to(f32(1), (long, 1))),
        "zero-stride broadcast(1024x1024)@x": (np.broadcast_to(sq[:1], (1024, 1024)), vec),
    }
    for name, (a, b) in shapes.items():
        yield f"matmul cliff {name}", f32, {
            "mlpcore": lambda a=a, b=b: K.matmul(a, b),
            "numpy": lambda a=a, b=b: np.matmul(a, b),
        }, 2.0 * a.shape[0] * a.shape[1] * b.shape[1]


def overhead_cases(rng):
    """The fixed cost of one call on 10 values, against NumPy's expression."""
    a = rng.standard_normal((1, 10)).astype(np.float32)
    w = rng.standard_normal((10, 1)).astype(np.float32)
    out = np.empty(10, np.float32)
    flat = a.reshape(-1)
    yield "overhead matmul (1x10)@(10x1)", np.float32, {
        "mlpcore": lambda: K.matmul(a, w), "numpy": lambda: a @ w}, None
    yield "overhead activation relu 10", np.float32, {
        "mlpcore": lambda: K.activation_forward("relu", flat, out=out),
        "numpy": lambda: np.maximum(flat, 0, out=out)}, None

    def numpy_softmax():
        e = np.exp(a - a.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    yield "overhead softmax (1x10)", np.float32, {
        "mlpcore": lambda: K.softmax_forward(a), "numpy": numpy_softmax}, None


def drop_in_loop_case(quick, rng):
    """A NumPy training loop for a 784-128-10 ReLU MLP with batch 64, and the same
    loop written with mlpcore.kernels (the first layer's dx skipped): one epoch of
    each on the same MNIST-like data."""
    f32 = np.float32
    n = 2048 if quick else 16384
    X = rng.random((n, 784), dtype=f32)
    y = rng.integers(0, 10, n)
    init = [(rng.standard_normal((784, 128)) * 0.05).astype(f32), np.zeros(128, f32),
            (rng.standard_normal((128, 10)) * 0.05).astype(f32), np.zeros(10, f32)]
    lr, batch = 0.01, 64

    def numpy_epoch(params=[p.copy() for p in init]):
        w1, b1, w2, b2 = params
        for s in range(0, n, batch):
            x, t = X[s:s + batch], y[s:s + batch]
            h = np.maximum(x @ w1 + b1, 0)
            z = h @ w2 + b2
            e = np.exp(z - z.max(1, keepdims=True))
            dz = e / e.sum(1, keepdims=True)
            dz[np.arange(len(t)), t] -= 1
            dz /= len(t)
            dh = (dz @ w2.T) * (h > 0)
            w2 -= lr * (h.T @ dz)
            b2 -= lr * dz.sum(0)
            w1 -= lr * (x.T @ dh)
            b1 -= lr * dh.sum(0)

    def mlpcore_epoch(params=[p.copy() for p in init]):
        w1, b1, w2, b2 = params
        for s in range(0, n, batch):
            x, t = X[s:s + batch], y[s:s + batch]
            h = K.linear_forward(x, w1, b1, "relu")
            z = K.linear_forward(h, w2, b2)
            _, dz = K.cross_entropy_forward_backward(z, t)
            dh, dw2, db2 = K.linear_backward(h, w2, dz)
            dh = K.activation_backward("relu", h, dh, out=dh)
            _, dw1, db1 = K.linear_backward(x, w1, dh, dx=False)
            for p, g in ((w2, dw2), (b2, db2), (w1, dw1), (b1, db1)):
                K.sgd_step(p, g, lr)

    yield f"drop-in loop 784-128-10 relu, batch 64, {n} rows", f32, {
        "mlpcore": mlpcore_epoch, "numpy": numpy_epoch}, None


def blas_name():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(f"{i['internal_api']} {i.get('architecture', '')}".strip()
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:
        return "unknown (install threadpoolctl to see it)"


def peer_columns(row, t, peers, *, scale=1.0, unit="s"):
    """Each peer's median time and ratio (peer / mlpcore) as table columns, "-" for a peer
    not installed; the ratios are stored in row["ratio_<peer>"]."""
    line, mine = "", t["mlpcore"]["median"]
    for peer in peers:
        if peer in t:
            row[f"ratio_{peer}"] = t[peer]["median"] / mine
            line += f"{t[peer]['median'] * scale:>{11 - len(unit)}.3f}{unit}" \
                    f"{row[f'ratio_{peer}']:>7.2f}"
        else:
            line += f"{'-':>11}{'-':>7}"
    return line


def run_kernels(quick, repeats, name_filter=""):
    """Runs the kernel cases, prints the table, returns its rows."""
    rng = np.random.default_rng(0)
    results = []
    print(f"\n{'case':<44}{'dtype':<8}{'mlpcore':>11}{'numpy':>11}{'ratio':>7}"
          f"{'torch':>11}{'ratio':>7}{'GFLOP/s':>9}")
    every = itertools.chain(cases(quick, rng), small_m_cases(quick, rng),
                            cliff_cases(quick, rng), overhead_cases(rng),
                            drop_in_loop_case(quick, rng))
    for name, dtype, contenders, flops in every:
        if name_filter not in name:
            continue
        t = measure(contenders, repeats)
        row = {"case": name, "dtype": np.dtype(dtype).name, "times": t}
        mine = t["mlpcore"]["median"]
        line = f"{name:<44}{row['dtype']:<8}{mine * 1e3:>9.3f}ms" + peer_columns(
            row, t, ("numpy", "torch"), scale=1e3, unit="ms")
        if flops:
            row["gflops"] = flops / mine / 1e9
            line += f"{row['gflops']:>9.1f}"
        print(line, flush=True)
        results.append(row)
    return results
