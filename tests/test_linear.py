"""linear_forward (fused product, bias, activation) and linear_backward vs the reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import assert_close, elem_atol, elem_rtol, gemm_bound, random_array, view_as

ACTIVATIONS = ["identity", "sign", "heaviside", "tanh", "sigmoid", "relu", "softplus"]
SIZES = [(0, 3, 4), (3, 0, 4), (3, 4, 0), (1, 1, 1), (5, 7, 15), (7, 5, 17), (17, 15, 9),
         (9, 9, 7), (13, 31, 29), (64, 300, 37), (150, 20, 10)]


def z_bound(x, w, b):
    bound = gemm_bound(x, w)
    if b is not None:
        eps = np.finfo(x.dtype).eps
        bound = bound + 4 * eps * (np.abs(b.astype(np.float64)) + np.abs(
            x.astype(np.float64)) @ np.abs(w.astype(np.float64)))
    return bound


def check_forward(x, w, b, activation, out=None):
    dtype = x.dtype
    expected = R.linear_forward(x, w, b, activation)
    got = (K.linear_forward(x, w, b, activation) if out is None
           else K.linear_forward(x, w, b, activation, out=out))
    if out is not None:
        assert got is out
    assert got.dtype == dtype and got.shape == (x.shape[0], w.shape[1])
    bound = z_bound(x, w, b)
    if activation in ("sign", "heaviside"):
        # a step function: compare where z is farther from 0 than its rounding error
        z = R.linear_forward(x, w, b)
        keep = np.abs(z.astype(np.float64)) > bound
        got, expected = np.where(keep, got, 0), np.where(keep, expected, 0)
        bound = 0.0
    # the other activations are 1-Lipschitz: the error of z passes through at most unchanged
    assert_close(got, expected, rtol=elem_rtol(dtype), atol=bound + elem_atol(dtype),
                 what=f"linear_forward {activation}")


def check_backward(x, w, dz, outs=None):
    dtype = x.dtype
    n, d = x.shape
    k = w.shape[1]
    edx, edw, edb = R.linear_backward(x, w, dz)
    if outs is None:
        dx, dw, db = K.linear_backward(x, w, dz)
    else:
        dx, dw, db = K.linear_backward(x, w, dz, *outs)
        assert dx is outs[0] and dw is outs[1] and db is outs[2]
    assert dx.shape == (n, d) and dw.shape == (d, k) and db.shape == (k,)
    assert dx.dtype == dw.dtype == db.dtype == dtype
    assert_close(dx, edx, rtol=0, atol=gemm_bound(dz, w.T), what="dx")
    assert_close(dw, edw, rtol=0, atol=gemm_bound(x.T, dz), what="dw")
    eps = np.finfo(dtype).eps
    db_bound = 4 * (n + 2) * eps * np.abs(dz.astype(np.float64)).sum(axis=0) \
        + (n + 2) * np.finfo(dtype).tiny
    assert_close(db, edb, rtol=0, atol=db_bound, what="db")


@pytest.mark.parametrize("bias", [False, True], ids=["nobias", "bias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("n,d,k", SIZES, ids=lambda s: str(s))
def test_forward(isa, dtype, rng, n, d, k, activation, bias):
    x = random_array(rng, (n, d), dtype)
    w = random_array(rng, (d, k), dtype, scale=0.5)
    b = random_array(rng, (k,), dtype) if bias else None
    check_forward(x, w, b, activation)


@pytest.mark.parametrize("activation", ["identity", "tanh", "relu", "sign"])
@pytest.mark.parametrize("lx,lw", [("T", "C"), ("F", "T"), ("slice", "neg"), ("neg", "slice"),
                                   ("bcast", "F")])
def test_forward_layouts(isa, dtype, rng, lx, lw, activation):
    x = view_as(random_array(rng, (23, 17), dtype), lx)
    w = view_as(random_array(rng, (17, 11), dtype), lw)
    b = view_as(random_array(rng, (11,), dtype), "neg")
    check_forward(x, w, b, activation)
    check_forward(x, w, None, activation, out=np.full((23, 11), np.nan, dtype))


@pytest.mark.parametrize("activation", ["identity", "tanh"])
@pytest.mark.parametrize("lout", ["F", "T", "slice", "neg"])
def test_forward_out_layouts(isa, dtype, rng, lout, activation):
    x = random_array(rng, (23, 17), dtype)
    w = random_array(rng, (17, 11), dtype)
    b = random_array(rng, (11,), dtype)
    check_forward(x, w, b, activation, out=view_as(np.full((23, 11), np.nan, dtype), lout))


def test_forward_lists(isa):
    got = K.linear_forward([[1, 2]], [[1], [1]], [1], "relu")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[4.0]])


@pytest.mark.parametrize("n,d,k", SIZES + [(0, 0, 0), (300, 3, 2)], ids=lambda s: str(s))
def test_backward(isa, dtype, rng, n, d, k):
    x = random_array(rng, (n, d), dtype)
    w = random_array(rng, (d, k), dtype)
    dz = random_array(rng, (n, k), dtype)
    check_backward(x, w, dz)
    outs = (np.full((n, d), np.nan, dtype), np.full((d, k), np.nan, dtype),
            np.full((k,), np.nan, dtype))
    check_backward(x, w, dz, outs)


@pytest.mark.parametrize("lx,lw,ldz", [("F", "T", "C"), ("T", "F", "neg"), ("slice", "neg", "F"),
                                        ("neg", "C", "slice"), ("C", "bcast", "T")])
def test_backward_layouts(isa, dtype, rng, lx, lw, ldz):
    x = view_as(random_array(rng, (29, 13), dtype), lx)
    w = view_as(random_array(rng, (13, 7), dtype), lw)
    dz = view_as(random_array(rng, (29, 7), dtype), ldz)
    check_backward(x, w, dz)
    outs = (view_as(np.full((29, 13), np.nan, dtype), "F"),
            view_as(np.full((13, 7), np.nan, dtype), "neg"),
            np.full((7,), np.nan, dtype))
    check_backward(x, w, dz, outs)


@pytest.mark.parametrize("layout", ["slice", "neg"])
def test_backward_db_layouts(isa, dtype, rng, layout):
    x = random_array(rng, (29, 13), dtype)
    w = random_array(rng, (13, 7), dtype)
    dz = random_array(rng, (29, 7), dtype)
    outs = (np.full((29, 13), np.nan, dtype), np.full((13, 7), np.nan, dtype),
            view_as(np.full((7,), np.nan, dtype), layout))
    check_backward(x, w, dz, outs)


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

@st.composite
def linear_problems(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n, d, k = (draw(st.integers(0, 20)) for _ in range(3))
    el = st.floats(-100, 100, allow_nan=False, width=32 if dtype == np.float32 else 64)
    x = draw(hnp.arrays(dtype, (n, d), elements=el))
    w = draw(hnp.arrays(dtype, (d, k), elements=el))
    b = draw(st.none() | hnp.arrays(dtype, (k,), elements=el))
    dz = draw(hnp.arrays(dtype, (n, k), elements=el))
    if draw(st.booleans()):
        x = np.asfortranarray(x)
    return x, w, b, dz, draw(st.sampled_from(ACTIVATIONS))


@given(problem=linear_problems())
def test_linear_property(isa, problem):
    x, w, b, dz, activation = problem
    check_forward(x, w, b, activation)
    check_backward(x, w, dz)


@pytest.mark.parametrize("module", [K, R], ids=["kernels", "reference"])
@pytest.mark.parametrize("skip", ["dx", "dw", "db", "dx+db"])
def test_backward_skips_a_gradient_given_false(module, dtype, rng, skip):
    x, w, dz = (random_array(rng, s, dtype) for s in ((17, 9), (9, 5), (17, 5)))
    full = module.linear_backward(x, w, dz)
    flags = {name: False for name in skip.split("+")}
    out = module.linear_backward(x, w, dz, **flags)
    for name, got, expected in zip(("dx", "dw", "db"), out, full):
        if name in flags:
            assert got is None, name
        else:
            np.testing.assert_array_equal(got, expected, err_msg=name)
    given = np.empty((9, 5), dtype)
    _, dw, _ = module.linear_backward(x, w, dz, dx=False, dw=given)
    assert dw is given and np.array_equal(given, full[1])
    with pytest.raises(TypeError, match="dx must be None .* or False"):
        module.linear_backward(x, w, dz, dx=True)
