"""activation_forward / activation_backward against the NumPy reference, every ISA path."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import LAYOUTS_2D, assert_close, elem_atol, elem_rtol, view_as

ACTIVATIONS = K.ACTIVATIONS

# 0-D to 4-D; vector lengths around SIMD widths (4, 8, 16) and their tails.
SHAPES = [(), (0,), (1,), (3,), (7,), (8,), (9,), (15,), (16,), (17,), (31,), (33,), (65,),
          (1000,), (5, 3), (4, 0, 2), (3, 4, 5), (2, 3, 4, 5)]


def forward_tol(dtype):
    return dict(rtol=elem_rtol(dtype), atol=elem_atol(dtype))


def backward_atol(name, y, dy, dtype):
    """The scale of the derivative: |dy| times the rounding of its factor.

    tanh's factor 1 - y*y may be evaluated with or without a fused multiply-add: that changes it
    by about eps * y*y in absolute terms, hence the |dy| y^2 term. The other factors are
    computed without cancellation (1 - y is exact for sigmoid outputs >= 1/2), so only
    underflow slack remains.
    """
    y = y.astype(np.float64)
    dy = np.abs(dy.astype(np.float64))
    atol = elem_atol(dtype) * dy + np.finfo(dtype).tiny
    if name == "tanh":
        atol = atol + elem_rtol(dtype) * dy * y * y
    return atol


def inputs(rng, shape, dtype):
    """Normal values with exact zeros, signed zeros, tiny and saturating values mixed in."""
    a = (4 * rng.standard_normal(shape)).astype(dtype)
    flat = a.reshape(-1)
    big = 80.0 if dtype == np.float32 else 700.0
    specials = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-3, -1e-3, 30.0, -30.0, big, -big], dtype)
    m = min(flat.size, specials.size)
    pos = rng.permutation(flat.size)[:m]
    flat[pos] = specials[:m]
    return a


def check_forward(name, a, dtype, out=None):
    expected = R.activation_forward(name, a)
    got = K.activation_forward(name, a) if out is None else K.activation_forward(name, a, out=out)
    if out is not None:
        assert got is out
    assert isinstance(got, np.ndarray) and got.dtype == dtype and got.shape == np.shape(a)
    assert_close(got, expected, what=f"activation_forward {name}", **forward_tol(dtype))


def check_backward(name, y, dy, dtype, out=None):
    expected = R.activation_backward(name, y, dy)
    atol = backward_atol(name, y, dy, dtype)
    got = (K.activation_backward(name, y, dy) if out is None
           else K.activation_backward(name, y, dy, out=out))
    if out is not None:
        assert got is out
    assert isinstance(got, np.ndarray) and got.dtype == dtype and got.shape == np.shape(y)
    assert_close(got, expected, rtol=elem_rtol(dtype), atol=atol,
                 what=f"activation_backward {name}")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_vs_reference(isa, dtype, rng, name, shape):
    check_forward(name, inputs(rng, shape, dtype), dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_vs_reference(isa, dtype, rng, name, shape):
    y = R.activation_forward(name, inputs(rng, shape, dtype))
    dy = rng.standard_normal(shape).astype(dtype)
    check_backward(name, y, dy, dtype)


@pytest.mark.parametrize("layout", LAYOUTS_2D)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_layouts(isa, dtype, rng, name, layout):
    a = inputs(rng, (13, 7), dtype)
    check_forward(name, view_as(a, layout), dtype)
    y = R.activation_forward(name, a)
    dy = rng.standard_normal((13, 7)).astype(dtype)
    check_backward(name, view_as(y, layout), view_as(dy, "neg"), dtype)
    check_backward(name, view_as(y, "F"), view_as(dy, layout), dtype)


@pytest.mark.parametrize("layout", ("F", "T", "slice", "neg"))
@pytest.mark.parametrize("name", ["identity", "tanh", "relu"])
def test_out_layouts(isa, dtype, rng, name, layout):
    # out is any writeable array of the right dtype and shape: its strides are used as given
    a = inputs(rng, (13, 7), dtype)
    check_forward(name, a, dtype, out=view_as(np.full((13, 7), np.nan, dtype), layout))
    y = R.activation_forward(name, a)
    dy = rng.standard_normal((13, 7)).astype(dtype)
    check_backward(name, y, dy, dtype, out=view_as(np.full((13, 7), np.nan, dtype), layout))


def test_layouts_3d(isa, dtype, rng):
    a = inputs(rng, (6, 5, 4), dtype)
    for view in (a.transpose(2, 0, 1), a[::-1, :, ::2], a[:, 1:, :], np.asfortranarray(a)):
        for name in ACTIVATIONS:
            check_forward(name, view, dtype)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_in_place(isa, dtype, rng, name):
    a = inputs(rng, (37,), dtype)
    expected = R.activation_forward(name, a)
    got = K.activation_forward(name, a, out=a)
    assert got is a
    assert_close(a, expected, what="in place forward", **forward_tol(dtype))

    y = expected
    dy = rng.standard_normal(37).astype(dtype)
    expected = R.activation_backward(name, y, dy)
    atol = backward_atol(name, y, dy, dtype)
    dy_copy = dy.copy()
    assert K.activation_backward(name, y, dy, out=dy) is dy
    assert_close(dy, expected, rtol=elem_rtol(dtype), atol=atol, what="backward out=dy")
    y_copy = y.copy()
    assert K.activation_backward(name, y_copy, dy_copy, out=y_copy) is y_copy
    assert_close(y_copy, expected, rtol=elem_rtol(dtype), atol=atol, what="backward out=y")


def test_lists_and_scalars(isa):
    got = K.activation_forward("relu", [-1, 0, 2])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [0.0, 0.0, 2.0])
    got = K.activation_forward("sign", np.float64(-3.0))
    assert np.shape(got) == () and float(got) == -1.0
    got = K.activation_backward("relu", np.array([0.0, 1.0], np.float32), [5, 7])
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [0.0, 7.0])


def test_isa_paths_agree(dtype, rng):
    import mlpcore
    import mlpcore._core as core
    a = inputs(rng, (1001,), dtype)
    dy = rng.standard_normal(1001).astype(dtype)
    before = mlpcore.build_info()["isa"]
    res = {}
    try:
        for path in core._available_isas():
            core._set_isa(path)
            res[path] = {n: (K.activation_forward(n, a),
                             K.activation_backward(n, R.activation_forward(n, a), dy))
                         for n in ACTIVATIONS}
    finally:
        core._set_isa(before)
    for path, by_name in res.items():
        for n, (fwd, bwd) in by_name.items():
            ref_fwd, ref_bwd = res["generic"][n]
            assert_close(fwd, ref_fwd, what=f"{n} forward {path} vs generic", **forward_tol(dtype))
            atol = backward_atol(n, R.activation_forward(n, a), dy, dtype)
            assert_close(bwd, ref_bwd, rtol=elem_rtol(dtype), atol=atol,
                         what=f"{n} backward {path} vs generic")


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

def finite(dtype, bound=None):
    return st.floats(-bound if bound else None, bound, allow_nan=False, allow_infinity=False,
                     width=32 if dtype == np.float32 else 64)


@st.composite
def activation_inputs(draw, bound=None):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    name = draw(st.sampled_from(ACTIVATIONS))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=9))
    a = draw(hnp.arrays(dtype, shape, elements=finite(dtype, bound)))
    return name, dtype, a


@given(case=activation_inputs())
def test_forward_property(isa, case):
    name, dtype, a = case
    check_forward(name, a, dtype)


@given(case=activation_inputs(bound=1e4), data=st.data())
def test_backward_property(isa, case, data):
    name, dtype, a = case
    y = R.activation_forward(name, a)
    dy = data.draw(hnp.arrays(dtype, a.shape, elements=finite(dtype, 1e6)))
    check_backward(name, y, dy, dtype)
