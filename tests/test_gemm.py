"""matmul and gemm against the NumPy reference: sizes, layouts, alpha/beta, every ISA path."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import LAYOUTS_2D, assert_close, gemm_bound, random_array, view_as

# Sizes around the micro-tiles (generic 4x8 / 4x4, AVX2 6x16 / 6x8, AVX-512 12x32 / 12x16),
# primes, and above the cache blocks (KC = 256, MC = 144 / 72).
SIZES = [
    (0, 0, 0), (0, 5, 3), (4, 0, 3), (3, 5, 0), (1, 1, 1), (1, 7, 1), (2, 3, 5),
    (5, 7, 15), (7, 5, 17), (15, 17, 7), (17, 15, 9), (9, 9, 9), (3, 8, 4), (13, 11, 31),
    (11, 257, 13), (73, 300, 23), (150, 300, 37), (25, 33, 65),
]


def _check_matmul(a, b, out=None):
    expected = R.matmul(a, b)
    got = K.matmul(a, b) if out is None else K.matmul(a, b, out=out)
    if out is not None:
        assert got is out
    assert got.dtype == a.dtype and got.shape == expected.shape
    assert_close(got, expected, rtol=0, atol=gemm_bound(a, b), what="matmul")


@pytest.mark.parametrize("m,k,n", SIZES, ids=lambda s: str(s))
def test_matmul_sizes(isa, dtype, rng, m, k, n):
    a = random_array(rng, (m, k), dtype)
    b = random_array(rng, (k, n), dtype)
    _check_matmul(a, b)


def test_matmul_wide_above_nc(isa, dtype, rng):
    # n = 4100 > NC (4080 / 4096 / 3072): more than one column block of B.
    a = random_array(rng, (13, 37), dtype)
    b = random_array(rng, (37, 4100), dtype)
    _check_matmul(a, b)


@pytest.mark.parametrize("la", LAYOUTS_2D + ("bcast",))
@pytest.mark.parametrize("lb", LAYOUTS_2D + ("bcast",))
def test_matmul_layouts(isa, dtype, rng, la, lb):
    a = view_as(random_array(rng, (19, 261), dtype), la)
    b = view_as(random_array(rng, (261, 23), dtype), lb)
    _check_matmul(a, b)


@pytest.mark.parametrize("lout", LAYOUTS_2D)
def test_matmul_out_layouts(isa, dtype, rng, lout):
    a = random_array(rng, (17, 9), dtype)
    b = random_array(rng, (9, 15), dtype)
    out = view_as(np.full((17, 15), np.nan, dtype), lout)
    _check_matmul(a, b, out)


def test_matmul_gram_products(isa, dtype, rng):
    # x.T @ x and x @ x.T, the products of linear_backward, on the same buffer.
    x = random_array(rng, (31, 7), dtype)
    _check_matmul(x.T, x)
    _check_matmul(x, x.T)


def test_matmul_lists(isa):
    got = K.matmul([[1, 2], [3, 4]], [[5], [6]])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[17.0], [39.0]])
    a32 = np.array([[1.0, 2.0]], np.float32)
    got = K.matmul(a32, [[1], [2]])
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [[5.0]])


@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (2.5, 0.0), (1.0, 1.0), (-0.5, 2.0),
                                        (1.0, -1.0), (0.0, 3.0)])
@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (5, 0, 7), (1, 1, 1), (7, 9, 17), (150, 300, 37)],
                         ids=lambda s: str(s))
def test_gemm_alpha_beta(isa, dtype, rng, alpha, beta, m, k, n):
    a = random_array(rng, (m, k), dtype)
    b = random_array(rng, (k, n), dtype)
    c0 = random_array(rng, (m, n), dtype)
    expected = R.gemm(a, b, c0.copy(), alpha=alpha, beta=beta)
    c = c0.copy()
    got = K.gemm(a, b, c, alpha=alpha, beta=beta)
    assert got is c
    assert_close(c, expected, rtol=0, atol=gemm_bound(a, b, alpha, beta, c0), what="gemm")


@pytest.mark.parametrize("lc", ("C", "F", "T", "slice", "neg"))
@pytest.mark.parametrize("la,lb", [("T", "C"), ("C", "T"), ("neg", "slice"), ("F", "F")])
def test_gemm_layouts(isa, dtype, rng, la, lb, lc):
    a = view_as(random_array(rng, (21, 260), dtype), la)
    b = view_as(random_array(rng, (260, 18), dtype), lb)
    c0 = random_array(rng, (21, 18), dtype)
    expected = R.gemm(a, b, c0.copy(), alpha=0.75, beta=-1.5)
    c = view_as(c0, lc)
    K.gemm(a, b, c, alpha=0.75, beta=-1.5)
    assert_close(c, expected, rtol=0, atol=gemm_bound(a, b, 0.75, -1.5, c0), what="gemm")


def test_gemm_beta_zero_ignores_nan_in_c(isa, dtype, rng):
    a = random_array(rng, (9, 13), dtype)
    b = random_array(rng, (13, 17), dtype)
    c = np.full((9, 17), np.nan, dtype)
    c[0, 0] = np.inf
    K.gemm(a, b, c, alpha=2.0, beta=0.0)
    assert np.all(np.isfinite(c))
    assert_close(c, R.gemm(a, b, np.zeros((9, 17), dtype), alpha=2.0), rtol=0,
                 atol=gemm_bound(a, b, 2.0), what="gemm")


def test_gemm_k_zero_scales_c(isa, dtype):
    c = np.full((3, 4), 2.0, dtype)
    K.gemm(np.zeros((3, 0), dtype), np.zeros((0, 4), dtype), c, alpha=1.0, beta=0.5)
    np.testing.assert_array_equal(c, np.full((3, 4), 1.0, dtype))
    K.gemm(np.zeros((3, 0), dtype), np.zeros((0, 4), dtype), c, beta=0.0)
    np.testing.assert_array_equal(c, np.zeros((3, 4), dtype))


def test_isa_paths_agree_on_gemm(dtype, rng):
    import mlpcore
    import mlpcore._core as core
    a = random_array(rng, (97, 300), dtype)
    b = random_array(rng, (300, 131), dtype)
    before = mlpcore.build_info()["isa"]
    results = {}
    try:
        for name in core._available_isas():
            core._set_isa(name)
            results[name] = K.matmul(a, b)
    finally:
        core._set_isa(before)
    for name, got in results.items():
        assert_close(got, results["generic"], rtol=0, atol=gemm_bound(a, b),
                     what=f"matmul {name} vs generic")


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

def _values(dtype):
    return st.floats(-100, 100, allow_nan=False, allow_infinity=False,
                     width=32 if dtype == np.float32 else 64)


@st.composite
def gemm_problems(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    m, k, n = (draw(st.integers(0, 40)) for _ in range(3))
    a = draw(hnp.arrays(dtype, (m, k), elements=_values(dtype)))
    b = draw(hnp.arrays(dtype, (k, n), elements=_values(dtype)))
    c = draw(hnp.arrays(dtype, (m, n), elements=_values(dtype)))
    if draw(st.booleans()):
        a = np.ascontiguousarray(a.T).T
    if draw(st.booleans()):
        b = b[::-1]
    alpha = draw(st.sampled_from([1.0, -1.0, 0.5, 3.0]))
    beta = draw(st.sampled_from([0.0, 1.0, -2.0, 0.25]))
    return a, b, c, alpha, beta


@given(problem=gemm_problems())
def test_gemm_property(isa, problem):
    a, b, c0, alpha, beta = problem
    expected = R.gemm(a, b, c0.copy(), alpha=alpha, beta=beta)
    c = c0.copy()
    K.gemm(a, b, c, alpha=alpha, beta=beta)
    assert_close(c, expected, rtol=0, atol=gemm_bound(a, b, alpha, beta, c0), what="gemm")
    got = K.matmul(a, b)
    assert_close(got, R.matmul(a, b), rtol=0, atol=gemm_bound(a, b), what="matmul")


# The short-k path (k <= 4, n <= 16: a tall X of a few features times a vector) and
# the column path (A's columns contiguous, n <= 2, a small C: X^T u over a long k, in
# blocks of 8192 values of k), each against the reference, with alpha and beta, a
# broadcast (zero-stride) B, and bitwise the same values for 1 and 2 threads.
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (5, 2, 3), (1000, 3, 1), (37, 4, 16),
                                   (3001, 3, 2)], ids=lambda s: str(s))
def test_short_k_path(isa, dtype, rng, m, k, n):
    a = random_array(rng, (m, k), dtype)
    for b in (random_array(rng, (k, n), dtype), view_as(random_array(rng, (k, n), dtype), "bcast")):
        _check_matmul(a, b)
        _check_matmul(a[::-1], b)  # negative row stride
    c = random_array(rng, (m, n), dtype)
    b = random_array(rng, (k, n), dtype)
    expected = R.gemm(a, b, c.copy(), alpha=0.5, beta=-2.0)
    got = K.gemm(a, b, c.copy(), alpha=0.5, beta=-2.0)
    assert_close(got, expected, rtol=0, atol=gemm_bound(a, b, 0.5, -2.0, c), what="gemm")


@pytest.mark.parametrize("m,k,n", [(1, 5, 1), (3, 8191, 1), (4, 8192, 2), (5, 8193, 2),
                                   (3, 40_000, 1), (100, 300, 2), (1024, 1024, 1), (64, 9000, 1),
                                   (130, 300, 2), (257, 500, 1)],
                         ids=lambda s: str(s))
def test_column_path(isa, dtype, rng, m, k, n):
    x = random_array(rng, (k, m), dtype)  # A = x.T has contiguous columns
    for b in (random_array(rng, (k, n), dtype), view_as(random_array(rng, (k, n), dtype), "bcast")):
        _check_matmul(x.T, b)
    b = random_array(rng, (k, n), dtype)
    c = random_array(rng, (m, n), dtype)
    expected = R.gemm(x.T, b, c.copy(), alpha=2.0, beta=0.5)
    got = K.gemm(x.T, b, c.copy(), alpha=2.0, beta=0.5)
    assert_close(got, expected, rtol=0, atol=gemm_bound(x.T, b, 2.0, 0.5, c), what="gemm")


# large enough to use 2 threads: more than 2 x kMinWorkPerThread (runtime.hpp) of
# estimated work, 6.4M float32 multiply-adds
@pytest.mark.parametrize("shape", [(3, 4_000_000, 1), (16, 300_000, 2)], ids=str)
def test_column_path_is_bitwise_the_same_on_any_thread_count(dtype, rng, shape):
    import mlpcore

    m, k, n = shape
    x, b = random_array(rng, (k, m), dtype), random_array(rng, (k, n), dtype)
    results = []
    for threads in (1, 2):
        with mlpcore.num_threads(threads):
            results.append(K.matmul(x.T, b))
    np.testing.assert_array_equal(results[0], results[1])


# The few-rows path (at most 32 rows of A, a row-major B read in place by the
# micro-kernel, a last panel narrower than NR packed): against the reference with
# alpha and beta, B's rows strided or broadcast, and bitwise the rows of the product
# of more rows (the packed, blocked path), on 1 and 2 threads.
@pytest.mark.parametrize("k,n", [(784, 128), (784, 130), (37, 17), (300, 1000)], ids=str)
def test_few_rows_path(isa, dtype, rng, k, n):
    import mlpcore

    big = random_array(rng, (300, k), dtype)  # 300 rows > MC: the blocked path
    b = random_array(rng, (k, n), dtype)
    full = K.matmul(big, b)
    for m in (1, 5, 6, 16, 31, 32, 33, 64):
        _check_matmul(big[:m], b)
        for threads in (1, 2):
            with mlpcore.num_threads(threads):
                np.testing.assert_array_equal(K.matmul(big[:m], b), full[:m])
    a = big[:20]
    _check_matmul(a, random_array(rng, (2 * k, n), dtype)[::2])  # rows 2n apart
    _check_matmul(a, view_as(random_array(rng, (k, n), dtype), "bcast"))
    c = random_array(rng, (20, n), dtype)
    expected = R.gemm(a, b, c.copy(), alpha=0.5, beta=-2.0)
    got = K.gemm(a, b, c.copy(), alpha=0.5, beta=-2.0)
    assert_close(got, expected, rtol=0, atol=gemm_bound(a, b, 0.5, -2.0, c), what="gemm")
