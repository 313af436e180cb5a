"""Fuzzing of every kernel entry point of mlpcore.kernels with hypothesis.

Each call draws shapes (0, 1, small, odd), dtypes (float32/float64 and wrong ones: int, bool,
float16, complex, object, Python lists), layouts (C, Fortran, transposed, sliced, negative
strides, read-only broadcasts, the other byte order), aliasing (arrays carved out of one
shared buffer at random offsets, so that an output may be exactly an input, partly overlap
one, or overlap the int64 class labels), values (NaN, +-inf, huge, tiny, subnormal), bad
labels and unknown names.

Contract checked on every call: the kernel either returns what its docstring documents (shape
and dtype of the outputs, the very `out`/`c`/`param`/`avg` object when one is updated in place,
a Python float for a loss) or raises exactly ValueError, TypeError, IndexError or OverflowError
with a message that starts with "[kernel_name]". Anything else (another exception type, a
message without the kernel's name, a crash) fails. When the inputs are finite and of moderate
size, a successful call is also compared with mlpcore.reference evaluated on copies taken
before the call (aliasing must not change the result).

Examples per kernel: MLPCORE_FUZZ_EXAMPLES if set, else 300 when CI is set (as tests/conftest.py
reads it), else conftest's "dev" profile (30). The long run is e.g.
    MLPCORE_FUZZ_EXAMPLES=20000 PYTHONPATH=python python -m pytest -q tests/test_fuzz_kernels.py
Each test prints "fuzz <kernel>: N calls" with -s.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlpcore.kernels as K
import mlpcore.reference as R

ALLOWED = (ValueError, TypeError, IndexError, OverflowError)
FLOATS = (np.float32, np.float64)
BAD_DTYPES = (np.int64, np.int32, np.uint8, np.bool_, np.float16, np.complex128, object)
NAMES = ("identity", "sign", "heaviside", "tanh", "sigmoid", "relu", "softplus")
BAD_NAMES = ("", "Relu", "relu ", "gelu", "mean", "\u00e9", "x" * 300, None, 3, b"relu")
REDUCTIONS = ("mean", "sum") * 6 + ("none", "", "MEAN", "mean\0")

_examples = os.environ.get("MLPCORE_FUZZ_EXAMPLES") or ("300" if os.environ.get("CI") else None)
fuzz_settings = (settings(max_examples=int(_examples), deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
                 if _examples else settings(deadline=None,
                                            suppress_health_check=list(HealthCheck)))

CALLS = {}   # kernel -> [calls, returned, raised]


def _count(kernel, outcome):
    c = CALLS.setdefault(kernel, [0, 0, 0])
    c[0] += 1
    c[1 if outcome == "ok" else 2] += 1


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for k, (n, ok, err) in sorted(CALLS.items()):
        print(f"\nfuzz {k}: {n} calls, {ok} returned, {err} raised a documented error")


# ------------------------------------------------------------------ values and arrays

VALUE_KINDS = ("normal", "normal", "normal", "small_int", "nan", "inf", "huge", "tiny",
               "subnormal", "zero", "mixed")


def _values(rng, kind, shape, dt):
    real = np.dtype(dt).kind == "f" and np.dtype(dt).itemsize in (4, 8)
    info = np.finfo(dt if real else np.float64)
    n = int(np.prod(shape, dtype=np.int64))
    base = rng.standard_normal(n)
    np_err = np.errstate(all="ignore")
    np_err.__enter__()
    if kind == "small_int":
        base = rng.integers(-2, 3, n).astype(np.float64)
    elif kind == "nan":
        base[rng.random(n) < 0.3] = np.nan
    elif kind == "inf":
        base[rng.random(n) < 0.3] = np.inf * np.sign(rng.standard_normal())
    elif kind == "huge":
        base = base * float(info.max) / 4
    elif kind == "tiny":
        base = base * float(info.tiny)
    elif kind == "subnormal":
        base = base * float(info.tiny) * 2.0 ** -10
    elif kind == "zero":
        base = np.zeros(n)
    elif kind == "mixed":
        pool = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, float(info.max), float(info.tiny),
                         1.0, -1.0, 1e8])
        base = pool[rng.integers(0, len(pool), n)]
    np_err.__exit__(None, None, None)
    with np.errstate(all="ignore"):
        if np.dtype(dt).kind in "iub":
            base = np.nan_to_num(base, nan=0, posinf=7, neginf=-7)
            base = np.clip(base, -100, 100)
        x = base.astype(dt) if dt is not object else base.astype(object)
    return x.reshape(shape)


class Pool:
    """Arrays carved out of one shared float64 buffer at random offsets (to make aliasing)."""

    def __init__(self, draw):
        self.draw = draw
        self.buf = np.zeros(4096, np.float64)

    def carve(self, shape, dt, values):
        itemsize = np.dtype(dt).itemsize
        n = int(np.prod(shape, dtype=np.int64))
        nbytes = max(n * itemsize, 1)
        raw = self.buf.view(np.uint8)
        start = self.draw(st.integers(0, 64)) * 8   # overlapping ranges are likely
        if start + nbytes > raw.size:
            return None
        x = raw[start:start + nbytes][:n * itemsize].view(dt).reshape(shape)
        x[...] = values
        return x


@st.composite
def arrays(draw, shape, dt=None, pool=None, allow_list=True, allow_bad=True, values=None,
           base=None):
    """An array-like of the given shape: dtype, layout, values and memory all drawn.

    dt None: mostly `base` (the call's dtype), sometimes the other float, sometimes a bad one.
    """
    if dt is None:
        r = draw(st.integers(0, 19))   # hypothesis favours small values: they are the valid ones
        if r >= 18 and allow_bad:
            dt = draw(st.sampled_from(BAD_DTYPES))
        elif r >= 16 or base is None:
            dt = draw(st.sampled_from(FLOATS))
        else:
            dt = base
    seed = draw(st.integers(0, 2**32 - 1))
    kind = values or draw(st.sampled_from(VALUE_KINDS))
    x = _values(np.random.default_rng(seed), kind, shape, dt)
    layouts = ["C", "C", "C", "F", "T", "slice", "neg", "bcast", "readonly", "swapped"]
    if allow_list:
        layouts.append("list")
    if pool is not None and dt is not object:
        layouts += ["pool"] * 4
    layout = draw(st.sampled_from(layouts))
    if layout == "C":
        return x
    if layout == "list":
        return x.tolist()
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "T":
        return np.ascontiguousarray(x.T).T
    if layout == "neg":
        flip = (slice(None, None, -1),) * x.ndim
        return np.ascontiguousarray(x[flip])[flip]
    if layout == "slice":
        if x.ndim == 0:
            return x
        big = np.zeros((2 * x.shape[0],) + x.shape[1:-1] + ((x.shape[-1] + 1,) if x.ndim > 1 else ()),
                       x.dtype)
        idx = (slice(None, None, 2),) + (slice(None),) * (x.ndim - 2)
        if x.ndim > 1:
            idx = idx + (slice(1, None),)
        big[idx] = x
        return big[idx]
    if layout == "bcast":
        if x.ndim == 0 or x.shape[0] == 0:
            return x
        return np.broadcast_to(x[:1], x.shape)
    if layout == "readonly":
        x.flags.writeable = False
        return x
    if layout == "swapped":   # the same values stored in the other byte order
        return x.astype(x.dtype.newbyteorder()) if x.dtype.kind == "f" else x
    # pool: carved out of the shared buffer (may alias other arrays of the same call)
    y = pool.carve(x.shape, x.dtype, x)
    if y is None:
        return x
    if draw(st.booleans()) and y.ndim == 2 and y.shape[0] == y.shape[1]:
        y = y.T   # overlap through a transposed view
    return y


def shape_dim(draw):
    return draw(st.sampled_from((0, 1, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33)))


def perturb(draw, shape):
    """Usually the shape; sometimes a wrong one (other size, other rank)."""
    r = draw(st.integers(0, 19))
    if r == 19:
        return shape + (draw(st.sampled_from((1, 2))),)
    if r == 18 and len(shape) > 0:
        return shape[:-1]
    if r == 17 and len(shape) > 0:
        i = draw(st.integers(0, len(shape) - 1))
        return tuple(s + draw(st.sampled_from((1, 2))) if j == i else s for j, s in enumerate(shape))
    return shape


@st.composite
def outputs(draw, shape, dt, pool, inputs):
    """None, a matching array, a wrong one, an input itself, or a partial overlap."""
    choice = draw(st.sampled_from(("none", "none", "none", "fresh", "fresh", "input",
                                   "pool", "pool", "list")))
    if choice == "none":
        return None
    if choice == "list":
        return np.zeros(shape).tolist()
    if choice == "input":
        arrs = [a for a in inputs if isinstance(a, np.ndarray)]
        if arrs:
            return draw(st.sampled_from(arrs))
        return None
    odt = dt if draw(st.integers(0, 5)) < 5 else draw(st.sampled_from(FLOATS + BAD_DTYPES[:4]))
    if odt is None or np.dtype(odt).kind not in "fiub":
        odt = np.float64
    oshape = perturb(draw, shape)
    return draw(arrays(oshape, odt, pool if choice == "pool" else None, allow_list=False,
                       values="normal"))


# ------------------------------------------------------------------ the contract

def _dtype_of(*xs):
    """The dtype of the outputs: that of the first array input, in native byte order."""
    for x in xs:
        if isinstance(x, np.ndarray):
            return x.dtype.newbyteorder("=")
    return np.dtype(np.float64)


def _copy(x):
    if isinstance(x, np.ndarray):
        return x.copy()
    return x


def _moderate(*xs):
    for x in xs:
        if x is None or isinstance(x, (str, int, float)):
            continue
        try:
            a = np.asarray(x)
        except ValueError:   # ragged lists
            return False
        if a.dtype.kind == "f" and a.size and not (np.all(np.isfinite(a)) and np.max(np.abs(a)) <= 1e3):
            return False
        if a.dtype.kind not in "fiub":
            return False
    return True


def _close(got, want, dt):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape
    rtol = 2e-4 if np.dtype(dt) == np.float32 else 1e-9
    scale = max(1.0, float(np.max(np.abs(np.nan_to_num(want)), initial=0)))
    ok = np.isclose(got, want, rtol=rtol, atol=rtol * scale, equal_nan=True)
    assert np.all(ok), f"largest |diff| {np.nanmax(np.abs(got - want))} (rtol {rtol})"


def run(kernel, fn, ref=None, check=None, compare=True, dt=np.float64):
    """Calls fn(); checks the documented outcome. ref() is the reference on copies."""
    expected = None
    if ref is not None and compare:
        try:
            with np.errstate(all="ignore"):
                expected = ref()
        except Exception:  # noqa: BLE001 - the reference's own failures are not under test
            expected = None
    try:
        got = fn()
    except ALLOWED as e:
        assert str(e).startswith(f"[{kernel}]"), (
            f"{kernel}: {type(e).__name__} without the kernel's name: {e}")
        _count(kernel, "error")
        if os.environ.get("MLPCORE_FUZZ_VERBOSE"):
            print(f"  {type(e).__name__}: {str(e)[:150]}")
        return None
    except BaseException as e:  # noqa: BLE001 - exactly what must not happen
        pytest.fail(f"{kernel}: undocumented exception {type(e).__name__}: {e}")
    _count(kernel, "ok")
    if check is not None:
        check(got)
    if expected is not None:
        if isinstance(got, tuple):
            for g, w in zip(got, expected):
                if isinstance(g, np.ndarray):
                    _close(g, w, g.dtype)
                else:
                    _close(g, w, dt)
        elif isinstance(got, np.ndarray):
            _close(got, expected, got.dtype)
        else:
            _close(got, expected, dt)
    return got


def is_array(x, shape, dtype, same=None):
    assert isinstance(x, np.ndarray), f"expected an ndarray, got {type(x).__name__}"
    assert x.shape == tuple(shape), f"shape {x.shape} != {tuple(shape)}"
    assert x.dtype == dtype, f"dtype {x.dtype} != {dtype}"
    if same is not None:
        assert x is same, "the in-place array must be returned"


def is_float(x):
    assert type(x) is float, f"expected a Python float, got {type(x).__name__}"


# ------------------------------------------------------------------ kernels

def _mat_pair(draw, pool, base):
    m, k, n = shape_dim(draw), shape_dim(draw), shape_dim(draw)
    a = draw(arrays(perturb(draw, (m, k)), pool=pool, base=base))
    b = draw(arrays(perturb(draw, (k, n)), pool=pool, base=base))
    return a, b, m, n


@fuzz_settings
@given(st.data())
def test_fuzz_matmul(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    a, b, m, n = _mat_pair(draw, pool, base)
    dt = _dtype_of(a, b)
    out = draw(outputs((m, n), dt, pool, [a, b]))
    cmp = _moderate(a, b) and out is None
    shape = (np.shape(a)[0], np.shape(b)[-1]) if np.ndim(a) == 2 and np.ndim(b) == 2 else None
    run("matmul", lambda: K.matmul(a, b, out=out), lambda: R.matmul(_copy(a), _copy(b)),
        lambda r: is_array(r, shape, dt, out if out is not None else None), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_gemm(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    a, b, m, n = _mat_pair(draw, pool, base)
    dt = _dtype_of(a, b)
    c = draw(st.one_of(arrays((m, n), dt if dt.kind == "f" else np.float64, pool,
                              allow_list=False),
                       outputs((m, n), dt, pool, [a, b]), st.none()))
    alpha = draw(st.sampled_from((1.0, 0.0, -2.5, np.nan, np.inf, 1e300)))
    beta = draw(st.sampled_from((0.0, 1.0, 0.5, np.nan, -np.inf)))
    cmp = _moderate(a, b, c) and np.isfinite(alpha) and abs(alpha) < 1e3 and np.isfinite(beta)
    c0 = _copy(c)
    run("gemm", lambda: K.gemm(a, b, c, alpha=alpha, beta=beta),
        lambda: R.gemm(_copy(a), _copy(b), _copy(c0), alpha=alpha, beta=beta),
        lambda r: is_array(r, np.shape(c), np.asarray(c).dtype, c), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_linear_forward(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    x, w, n, k = _mat_pair(draw, pool, base)
    dt = _dtype_of(x, w)
    b = draw(st.one_of(st.none(), arrays(perturb(draw, (k,)), pool=pool, base=base)))
    act = draw(st.sampled_from(NAMES + BAD_NAMES[:4]))
    out = draw(outputs((n, k), dt, pool, [x, w, b]))
    cmp = _moderate(x, w, b) and out is None
    run("linear_forward", lambda: K.linear_forward(x, w, b, act, out),
        lambda: R.linear_forward(_copy(x), _copy(w), _copy(b), act),
        lambda r: is_array(r, (np.shape(x)[0], np.shape(w)[1]), dt, out), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_linear_backward(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    n, d, k = shape_dim(draw), shape_dim(draw), shape_dim(draw)
    x = draw(arrays(perturb(draw, (n, d)), pool=pool, base=base))
    w = draw(arrays(perturb(draw, (d, k)), pool=pool, base=base))
    dz = draw(arrays(perturb(draw, (n, k)), pool=pool, base=base))
    dt = _dtype_of(x, w, dz)
    dx = draw(outputs((n, d), dt, pool, [x, w, dz]))
    dw = draw(outputs((d, k), dt, pool, [x, w, dz]))
    db = draw(outputs((k,), dt, pool, [x, w, dz]))
    cmp = _moderate(x, w, dz) and dx is None and dw is None and db is None

    def check(r):
        assert isinstance(r, tuple) and len(r) == 3
        is_array(r[0], (n, d), dt, dx)
        is_array(r[1], (d, k), dt, dw)
        is_array(r[2], (k,), dt, db)

    run("linear_backward", lambda: K.linear_backward(x, w, dz, dx, dw, db),
        lambda: R.linear_backward(_copy(x), _copy(w), _copy(dz)), check, cmp)


def _nd_shape(draw):
    return tuple(shape_dim(draw) for _ in range(draw(st.integers(0, 3))))


@fuzz_settings
@given(st.data())
def test_fuzz_activation_forward(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    name = draw(st.sampled_from(NAMES * 2 + BAD_NAMES))
    shape = _nd_shape(draw)
    a = draw(arrays(shape, pool=pool, base=base))
    dt = _dtype_of(a)
    out = draw(outputs(np.shape(a), dt, pool, [a]))
    a0 = _copy(a)
    cmp = _moderate(a) and name in NAMES
    run("activation_forward", lambda: K.activation_forward(name, a, out),
        lambda: R.activation_forward(name, a0),
        lambda r: is_array(r, np.shape(a0), dt, out), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_activation_backward(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    name = draw(st.sampled_from(NAMES * 2 + BAD_NAMES))
    shape = _nd_shape(draw)
    y = draw(arrays(shape, pool=pool, base=base))
    dy = draw(arrays(perturb(draw, shape), pool=pool, base=base))
    dt = _dtype_of(y, dy)
    out = draw(outputs(np.shape(y), dt, pool, [y, dy]))
    y0, dy0 = _copy(y), _copy(dy)
    cmp = _moderate(y, dy) and name in NAMES
    run("activation_backward", lambda: K.activation_backward(name, y, dy, out),
        lambda: R.activation_backward(name, y0, dy0),
        lambda r: is_array(r, np.shape(y0), dt, out), cmp)


@pytest.mark.parametrize("kernel", ["softmax_forward", "log_softmax_forward"])
@fuzz_settings
@given(data=st.data())
def test_fuzz_softmax(kernel, data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    shape = perturb(draw, (shape_dim(draw), shape_dim(draw)))
    a = draw(arrays(shape, pool=pool, base=base))
    dt = _dtype_of(a)
    out = draw(outputs(np.shape(a), dt, pool, [a]))
    a0 = _copy(a)
    run(kernel, lambda: getattr(K, kernel)(a, out), lambda: getattr(R, kernel)(a0),
        lambda r: is_array(r, np.shape(a0), dt, out), _moderate(a))


@st.composite
def targets(draw, n, k, pool, base):
    kind = draw(st.sampled_from(("labels", "labels", "labels", "probs", "bad")))
    if kind == "labels":
        ldt = draw(st.sampled_from((np.int64, np.int64, np.int32, np.uint8, np.uint64, np.int8)))
        lo, hi = (0, max(k, 1)) if draw(st.integers(0, 4)) < 4 else (-3, k + 3)
        if np.dtype(ldt).kind == "u":
            lo = max(lo, 0)
        seed = draw(st.integers(0, 2**32 - 1))
        t = np.random.default_rng(seed).integers(lo, hi, perturb(draw, (n,))).astype(ldt)
        if draw(st.integers(0, 9)) == 9 and t.ndim == 1 and t.size:
            t[0] = np.iinfo(ldt).max if draw(st.booleans()) else np.iinfo(ldt).min
        layout = draw(st.sampled_from(("C", "C", "list", "neg", "pool")))
        if layout == "list":
            return t.tolist()
        if layout == "neg" and t.ndim == 1:
            return np.ascontiguousarray(t[::-1])[::-1]
        if layout == "pool":
            y = pool.carve(t.shape, t.dtype, t)
            return t if y is None else y
        return t
    if kind == "probs":
        return draw(arrays(perturb(draw, (n, k)), pool=pool, base=base))
    return draw(st.sampled_from((None, 3, "abc", [[1], [1, 2]], np.zeros((n, k, 1)),
                                 np.array(["a"] * n), np.zeros(n, bool), np.zeros(n),
                                 [0.5] * n, object())))


def _ce(kernel, data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    n, k = shape_dim(draw), shape_dim(draw)
    logits = draw(arrays(perturb(draw, (n, k)), pool=pool, base=base))
    dt = _dtype_of(logits)
    target = draw(targets(n, k, pool, base))
    red = draw(st.sampled_from(REDUCTIONS))
    dl = draw(outputs(np.shape(logits), dt, pool, [logits, target])) if kernel != "cross_entropy_forward" else None
    l0, t0 = _copy(logits), _copy(target)
    cmp = _moderate(logits, target) and dl is None and red in ("mean", "sum")
    shape = np.shape(l0)
    if kernel == "cross_entropy_forward":
        run(kernel, lambda: K.cross_entropy_forward(logits, target, red),
            lambda: R.cross_entropy_forward(l0, t0, red), is_float, cmp, dt)
    elif kernel == "cross_entropy_backward":
        run(kernel, lambda: K.cross_entropy_backward(logits, target, dl, red),
            lambda: R.cross_entropy_backward(l0, t0, reduction=red),
            lambda r: is_array(r, shape, dt, dl), cmp)
    else:
        def check(r):
            assert isinstance(r, tuple) and len(r) == 2
            is_float(r[0])
            is_array(r[1], shape, dt, dl)
        run(kernel, lambda: K.cross_entropy_forward_backward(logits, target, dl, red),
            lambda: R.cross_entropy_forward_backward(l0, t0, reduction=red), check, cmp, dt)


@pytest.mark.parametrize("kernel", ["cross_entropy_forward", "cross_entropy_backward",
                                    "cross_entropy_forward_backward"])
@fuzz_settings
@given(data=st.data())
def test_fuzz_cross_entropy(kernel, data):
    _ce(kernel, data)


@pytest.mark.parametrize("family", ["squared_error", "perceptron"])
@pytest.mark.parametrize("direction", ["forward", "backward"])
@fuzz_settings
@given(data=st.data())
def test_fuzz_pair_losses(family, direction, data):
    draw = data.draw
    kernel = f"{family}_{direction}"
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    shape = tuple(shape_dim(draw) for _ in range(draw(st.sampled_from((1, 2, 2, 0, 3)))))
    y = draw(arrays(shape, pool=pool, base=base))
    if family == "perceptron" and draw(st.integers(0, 3)) < 3:
        seed = draw(st.integers(0, 2**32 - 1))
        dvals = np.where(np.random.default_rng(seed).random(perturb(draw, shape)) < 0.5, -1.0, 1.0)
        if draw(st.integers(0, 5)) == 5 and dvals.size:
            dvals.flat[0] = draw(st.sampled_from((0.0, 2.0, np.nan, 0.5)))
        d = dvals.astype(draw(st.sampled_from(FLOATS + (np.int64, object))))
    else:
        d = draw(arrays(perturb(draw, shape), pool=pool, base=base))
    dt = _dtype_of(y, d)
    red = draw(st.sampled_from(REDUCTIONS))
    fwd, bwd = getattr(K, f"{family}_forward"), getattr(K, f"{family}_backward")
    rf, rb = getattr(R, f"{family}_forward"), getattr(R, f"{family}_backward")
    y0, d0 = _copy(y), _copy(d)
    cmp = _moderate(y, d) and red in ("mean", "sum")
    if direction == "forward":
        run(kernel, lambda: fwd(y, d, red), lambda: rf(y0, d0, red), is_float, cmp, dt)
    else:
        g = draw(outputs(np.shape(y), dt, pool, [y, d]))
        run(kernel, lambda: bwd(y, d, g, red), lambda: rb(y0, d0, reduction=red),
            lambda r: is_array(r, np.shape(y0), dt, g), cmp and g is None)


@fuzz_settings
@given(st.data())
def test_fuzz_sgd_step(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    shape = _nd_shape(draw)
    param = draw(arrays(shape, pool=pool, base=base, allow_list=draw(st.integers(0, 9)) == 0))
    grad = draw(arrays(perturb(draw, shape), pool=pool, base=base))
    lr = draw(st.sampled_from((0.1, 0.1, 0.5, 0.1, 0.0, -1.0, 1e300, np.nan, np.inf)))
    momentum = draw(st.sampled_from((0.0, 0.9, 0.0, 0.9, 0.5, np.nan)))
    nesterov = draw(st.booleans())
    wd = draw(st.sampled_from((0.0, 1e-3, 0.0, 0.1, -np.inf)))
    dt = _dtype_of(param)
    velocity = draw(st.one_of(
        st.just(np.zeros(shape, dt if dt.kind == "f" else np.float64)), st.none(),
        outputs(shape, dt, pool, [param, grad]),
        arrays(shape, dt if dt.kind == "f" else np.float64, pool, allow_list=False,
               values="normal")))
    p0, g0, v0 = _copy(param), _copy(grad), _copy(velocity)
    cmp = (_moderate(param, grad, velocity) and all(np.isfinite([lr, momentum, wd]))
           and abs(lr) < 1e3)

    def ref():
        return R.sgd_step(p0, g0, lr, momentum=momentum, velocity=v0, weight_decay=wd,
                          nesterov=nesterov)

    run("sgd_step", lambda: K.sgd_step(param, grad, lr, momentum=momentum, velocity=velocity,
                                       weight_decay=wd, nesterov=nesterov),
        ref, lambda r: is_array(r, np.shape(p0), dt, param), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_adam_step(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    shape = _nd_shape(draw)
    param = draw(arrays(shape, pool=pool, base=base, allow_list=draw(st.integers(0, 9)) == 0))
    grad = draw(arrays(perturb(draw, shape), pool=pool, base=base))
    # mostly valid settings, so that most calls reach the kernel
    lr = draw(st.sampled_from((0.1,) * 6 + (1e-3, 0.0, -1.0, 1e300, np.nan, np.inf)))
    beta1 = draw(st.sampled_from((0.9,) * 8 + (0.0, 0.3, 1.0, -0.1, np.nan)))
    beta2 = draw(st.sampled_from((0.999,) * 8 + (0.0, 0.5, 1.0, np.inf)))
    eps = draw(st.sampled_from((1e-8,) * 8 + (0.0, 1.0, -1e-8, np.nan)))
    wd = draw(st.sampled_from((0.0,) * 6 + (1e-3, 0.1, -np.inf)))
    step = draw(st.sampled_from((1,) * 6 + (2, 10, 10 ** 6, 0, -1, 2 ** 63, 1.0, True,
                                           np.int64(3), None)))
    dt = _dtype_of(param)
    mdt = dt if dt.kind == "f" else np.float64

    def moment():  # mostly a fresh zeros, so that two of them still leave valid calls
        return draw(st.sampled_from((
            lambda: np.zeros(shape, mdt), lambda: np.zeros(shape, mdt), lambda: None,
            lambda: draw(outputs(shape, dt, pool, [param, grad])),
            lambda: draw(arrays(shape, mdt, pool, allow_list=False, values="normal")))))()

    m, v = moment(), moment()
    p0, g0, m0, v0 = _copy(param), _copy(grad), _copy(m), _copy(v)
    cmp = (_moderate(param, grad, m, v) and all(np.isfinite([lr, beta1, beta2, eps, wd]))
           and abs(lr) < 1e3)

    def ref():
        return R.adam_step(p0, g0, lr, m0, v0, step, beta1=beta1, beta2=beta2, eps=eps,
                           weight_decay=wd)

    run("adam_step", lambda: K.adam_step(param, grad, lr, m, v, step, beta1=beta1, beta2=beta2,
                                         eps=eps, weight_decay=wd),
        ref, lambda r: is_array(r, np.shape(p0), dt, param), cmp)


@fuzz_settings
@given(st.data())
def test_fuzz_average_step(data):
    draw = data.draw
    pool = Pool(draw)
    base = draw(st.sampled_from(FLOATS))
    shape = _nd_shape(draw)
    avg = draw(arrays(shape, pool=pool, base=base, allow_list=draw(st.integers(0, 9)) == 0))
    param = draw(arrays(perturb(draw, shape), pool=pool, base=base))
    n = draw(st.sampled_from((0, 1, 5, -1, 2**62, 2**63, 2**70, -2**70, 3.0, True,
                              np.int64(4), np.uint64(2**64 - 1), "3", None)))
    a0, p0 = _copy(avg), _copy(param)
    cmp = _moderate(avg, param) and isinstance(n, (int, np.integer)) and 0 <= n < 2**40
    run("average_step", lambda: K.average_step(avg, param, n), lambda: R.average_step(a0, p0, n),
        lambda r: is_array(r, np.shape(a0), _dtype_of(avg), avg), cmp)
