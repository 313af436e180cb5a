"""Shared fixtures and helpers of the kernel tests.

Fixtures: ``dtype`` (float32, float64), ``isa`` (every SIMD path this CPU supports, set through
``mlpcore._core._set_isa`` and restored afterwards), ``rng``.
Helpers (imported by the test modules with ``from conftest import ...``): ``assert_close``
(prints the largest violation and its index), the tolerances of the reference docstrings,
``gemm_bound``, ``views`` (the same values as C-order, Fortran-order, transposed, sliced,
negative-stride and broadcast arrays) and ``memory_cap`` (for child processes).

Hypothesis profiles: "ci" (200 examples, loaded when the environment variable CI is set) and
"dev" (30 examples).
"""

import os
import threading
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile(
    "dev", max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

DTYPES = (np.float32, np.float64)

# Tolerances of the compiled kernels against mlpcore.reference (see its module docstring).
ELEM_RTOL = {np.float32: 1e-6, np.float64: 1e-14}
ELEM_ATOL = {np.float32: 1e-7, np.float64: 1e-300}
LOSS_RTOL = {np.float32: 1e-6, np.float64: 1e-12}


def _key(dtype):
    return np.dtype(dtype).type


def elem_rtol(dtype):
    return ELEM_RTOL[_key(dtype)]


def elem_atol(dtype):
    return ELEM_ATOL[_key(dtype)]


def loss_rtol(dtype):
    return LOSS_RTOL[_key(dtype)]


def available_isas():
    import mlpcore._core as core
    return list(core._available_isas())


def pytest_generate_tests(metafunc):
    if "isa" in metafunc.fixturenames:
        try:
            isas = available_isas()
        except ImportError:  # the test then errors in the fixture, with the import error
            isas = ["<mlpcore._core not importable>"]
        metafunc.parametrize("isa", isas, indirect=True)


@pytest.fixture
def isa(request):
    import mlpcore
    import mlpcore._core as core
    before = mlpcore.build_info()["isa"]
    core._set_isa(request.param)
    assert mlpcore.build_info()["isa"] == request.param
    try:
        yield request.param
    finally:
        core._set_isa(before)


@pytest.fixture(params=DTYPES, ids=["f32", "f64"])
def dtype(request):
    return request.param


@pytest.fixture
def rng(request):
    # A different, reproducible stream per test.
    seed = zlib.crc32(request.node.nodeid.encode())
    return np.random.default_rng(seed)


def assert_close(actual, expected, rtol, atol=0.0, what=""):
    """|actual - expected| <= atol + rtol |expected| elementwise (atol may be an array).

    NaN must match NaN and infinities must be equal. On failure, prints the largest violation,
    its index and the number of violating elements.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what} shape {actual.shape} != {expected.shape}"
    if actual.size == 0:
        return
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    with np.errstate(all="ignore"):
        nan_a, nan_e = np.isnan(a), np.isnan(e)
        inf_e = np.isinf(e)
        special_bad = (nan_a != nan_e) | (inf_e & (a != e)) | (np.isinf(a) & ~inf_e & ~nan_e)
        diff = np.where(nan_e | inf_e | nan_a, 0.0, np.abs(a - e))
        tol = np.broadcast_to(atol + rtol * np.abs(np.where(nan_e | inf_e, 0.0, e)), e.shape)
        excess = np.where(special_bad, np.inf, diff - tol)
    if np.all(excess <= 0):
        return
    i = np.unravel_index(int(np.argmax(excess)), excess.shape)
    raise AssertionError(
        f"{what} not close: {int(np.sum(excess > 0))} of {excess.size} elements; largest "
        f"violation at index {tuple(int(j) for j in i)}: actual {actual[i]!r}, expected "
        f"{expected[i]!r}, |diff| {diff[i]:.3g} > tol {tol[i]:.3g} (rtol {rtol:g})")


def assert_loss_close(actual, expected, dtype, per_row_scale):
    """Loss tolerance: rtol (|loss| + per_row_scale), per_row_scale = rows/n (1 for mean)."""
    assert isinstance(actual, float), f"loss must be a Python float, got {type(actual)}"
    r = loss_rtol(dtype)
    if np.isnan(expected):
        assert np.isnan(actual), f"loss {actual!r}, expected nan"
        return
    assert abs(actual - expected) <= r * (abs(expected) + per_row_scale), (
        f"loss {actual!r} != expected {expected!r} (|diff| {abs(actual - expected):.3g}, "
        f"rtol {r:g})")


def gemm_bound(a, b, alpha=1.0, beta=0.0, c=None, c_const=4):
    """|diff| <= c (k + 2) eps (|alpha| |a| @ |b| + |beta c|), plus underflow slack."""
    dt = np.result_type(a, b)
    eps = np.finfo(dt).eps
    k = a.shape[1]
    mag = abs(alpha) * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    if c is not None and beta != 0:
        mag = mag + abs(beta) * np.abs(c.astype(np.float64))
    return c_const * (k + 2) * eps * mag + (k + 2) * np.finfo(dt).tiny


LAYOUTS_2D = ("C", "F", "T", "slice", "neg")


def view_as(x, layout):
    """A view holding the values of the C array x (2-D or n-D) with the given memory layout."""
    x = np.ascontiguousarray(x)
    if layout == "C":
        return x.copy()
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "T":
        # a transposed view of a C array of the reversed shape
        base = np.ascontiguousarray(x.T)
        v = base.T
    elif layout == "slice":
        # every other row, and columns 1: (x[::2], x[:, 1:] of a bigger array)
        if x.ndim == 0:
            return x.copy()
        big_shape = (2 * x.shape[0],) + x.shape[1:-1] + ((x.shape[-1] + 1,) if x.ndim > 1 else ())
        base = np.full(big_shape, np.nan, x.dtype)
        idx = (slice(None, None, 2),) + (slice(None),) * (x.ndim - 2)
        if x.ndim > 1:
            idx = idx + (slice(1, None),)
        base[idx] = x
        v = base[idx]
    elif layout == "neg":
        # negative strides on every axis
        flip = (slice(None, None, -1),) * x.ndim
        base = np.ascontiguousarray(x[flip])
        v = base[flip]
    elif layout == "bcast":
        # stride 0 on the first axis (read-only): every row is x[0], so the values change
        return np.broadcast_to(x[:1], x.shape) if x.shape[0] else x.copy()
    else:
        raise ValueError(layout)
    assert np.array_equal(v, x, equal_nan=True)
    return v


def random_array(rng, shape, dtype, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def memory_cap(limit_bytes):
    """A preexec_fn for subprocess that caps the child's address space at limit_bytes;
    it caps nothing under AddressSanitizer, whose shadow memory reserves terabytes of
    address space (tools/sanitize.sh preloads it into every child)."""
    import resource

    def cap():
        if "libasan" not in os.environ.get("LD_PRELOAD", ""):
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return cap


def in_new_thread(fn):
    """fn() run on a new thread (one without a thread count of its own); its result, or
    its exception raised here."""
    out = {}

    def call():
        try:
            out["result"] = fn()
        except BaseException as error:  # noqa: BLE001 (raised again in the caller)
            out["error"] = error

    worker = threading.Thread(target=call)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["result"]
