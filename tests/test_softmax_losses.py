"""softmax, log_softmax, cross-entropy, squared error and perceptron criterion vs the reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import (LAYOUTS_2D, assert_close, assert_loss_close, elem_atol, elem_rtol,
                      random_array, view_as)

SOFTMAX_SHAPES = [(0, 5), (1, 1), (1, 7), (5, 3), (3, 8), (4, 9), (17, 15), (7, 16), (6, 17),
                  (64, 37), (3, 300), (2, 1025)]
REDUCTIONS = ["mean", "sum"]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def check_softmax(a, dtype, out=None):
    for k_fn, r_fn, log in ((K.softmax_forward, R.softmax_forward, False),
                            (K.log_softmax_forward, R.log_softmax_forward, True)):
        expected = r_fn(a)
        got = k_fn(a) if out is None else k_fn(a, out=out)
        if out is not None:
            assert got is out
        assert got.dtype == dtype and got.shape == a.shape
        rtol = elem_rtol(dtype)
        # log-softmax: log(sum exp z) carries an absolute error of a few eps, so rtol (1 + |r|)
        atol = rtol if log else elem_atol(dtype)
        assert_close(got, expected, rtol=rtol, atol=atol, what=k_fn.__name__)


def ce_tolerances(dtype, target, n, k, reduction):
    """(per-row scale of the loss, atol of the gradient)."""
    if target.ndim == 1:
        tmass = 1.0
    else:
        tmass = max(1.0, float(np.abs(target.astype(np.float64)).sum(axis=1).max(initial=0)))
    rows = 1.0 if reduction == "mean" else float(n)
    div = max(n, 1) if reduction == "mean" else 1
    return rows * tmass, elem_rtol(dtype) * tmass / div


def check_ce(logits, target, reduction, dtype):
    n, k = logits.shape
    loss_scale, g_atol = ce_tolerances(dtype, np.asarray(target), n, k, reduction)
    rtol = elem_rtol(dtype)
    exp_loss = R.cross_entropy_forward(logits, target, reduction=reduction)
    exp_grad = R.cross_entropy_backward(logits, target, reduction=reduction)

    loss = K.cross_entropy_forward(logits, target, reduction=reduction)
    assert_loss_close(loss, exp_loss, dtype, loss_scale)

    grad = K.cross_entropy_backward(logits, target, reduction=reduction)
    assert grad.dtype == dtype and grad.shape == (n, k)
    assert_close(grad, exp_grad, rtol=rtol, atol=g_atol, what="cross_entropy_backward")

    dl = np.full((n, k), np.nan, dtype)
    loss2, grad2 = K.cross_entropy_forward_backward(logits, target, dlogits=dl,
                                                    reduction=reduction)
    assert grad2 is dl
    assert_loss_close(loss2, exp_loss, dtype, loss_scale)
    assert_close(grad2, exp_grad, rtol=rtol, atol=g_atol, what="cross_entropy_forward_backward")

    dl = np.full((n, k), np.nan, dtype)
    assert K.cross_entropy_backward(logits, target, dlogits=dl, reduction=reduction) is dl
    assert_close(dl, exp_grad, rtol=rtol, atol=g_atol, what="cross_entropy_backward(dlogits)")


def random_probs(rng, n, k, dtype, zeros=True):
    t = rng.random((n, k))
    if zeros and t.size:
        t[rng.random((n, k)) < 0.3] = 0.0
    s = t.sum(axis=1, keepdims=True)
    t = np.where(s > 0, t / np.where(s > 0, s, 1), 1.0 / max(k, 1))
    return t.astype(dtype)


# ---------------------------------------------------------------------------------------------
# softmax / log_softmax
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SOFTMAX_SHAPES, ids=str)
def test_softmax_sizes(isa, dtype, rng, shape):
    check_softmax(random_array(rng, shape, dtype, scale=3.0), dtype)


@pytest.mark.parametrize("layout", LAYOUTS_2D + ("bcast",))
def test_softmax_layouts(isa, dtype, rng, layout):
    a = view_as(random_array(rng, (11, 19), dtype, scale=3.0), layout)
    check_softmax(a, dtype)


@pytest.mark.parametrize("out_layout", ("F", "T", "slice", "neg"))
def test_softmax_out_layouts(isa, dtype, rng, out_layout):
    a = random_array(rng, (11, 19), dtype, scale=3.0)
    check_softmax(a, dtype, out=view_as(np.full((11, 19), np.nan, dtype), out_layout))


@pytest.mark.parametrize("out_layout", ("F", "slice", "neg"))
def test_cross_entropy_dlogits_layouts(isa, dtype, rng, out_layout):
    a = random_array(rng, (11, 19), dtype, scale=3.0)
    t = rng.integers(0, 19, 11)
    expected = R.cross_entropy_backward(a, t)
    dl = view_as(np.full((11, 19), np.nan, dtype), out_layout)
    assert K.cross_entropy_backward(a, t, dlogits=dl) is dl
    assert_close(dl, expected, rtol=elem_rtol(dtype), atol=elem_rtol(dtype) / 11, what="dlogits")


def test_softmax_lists():
    got = K.softmax_forward([[0, 0], [1, 1]])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.full((2, 2), 0.5))


# ---------------------------------------------------------------------------------------------
# cross-entropy
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (1, 5), (7, 3), (17, 9), (64, 37), (5, 300)],
                         ids=str)
def test_cross_entropy_indices(isa, dtype, rng, shape, reduction):
    n, k = shape
    logits = random_array(rng, shape, dtype, scale=3.0)
    target = rng.integers(0, k, n)
    check_ce(logits, target, reduction, dtype)


@pytest.mark.parametrize("tdtype", INT_DTYPES, ids=lambda t: np.dtype(t).name)
def test_cross_entropy_index_dtypes(isa, dtype, rng, tdtype):
    logits = random_array(rng, (9, 6), dtype)
    target = rng.integers(0, 6, 9).astype(tdtype)
    check_ce(logits, target, "mean", dtype)
    check_ce(logits, target[::-1], "sum", dtype)  # a strided label array
    check_ce(logits, list(target.astype(int)), "sum", dtype)  # a list


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (1, 5), (7, 3), (17, 9), (64, 37)], ids=str)
def test_cross_entropy_probabilities(isa, dtype, rng, shape, reduction):
    n, k = shape
    logits = random_array(rng, shape, dtype, scale=3.0)
    check_ce(logits, random_probs(rng, n, k, dtype), reduction, dtype)
    # targets that do not sum to one (label smoothing gone wrong, or a sum of two targets)
    check_ce(logits, (2.5 * random_probs(rng, n, k, dtype)).astype(dtype), reduction, dtype)


@pytest.mark.parametrize("layout", LAYOUTS_2D)
def test_cross_entropy_layouts(isa, dtype, rng, layout):
    logits = view_as(random_array(rng, (13, 10), dtype, scale=2.0), layout)
    check_ce(logits, rng.integers(0, 10, 13), "mean", dtype)
    check_ce(logits, view_as(random_probs(rng, 13, 10, dtype), layout), "sum", dtype)


def test_cross_entropy_index_equals_onehot(isa, dtype, rng):
    logits = random_array(rng, (23, 7), dtype, scale=2.0)
    t = rng.integers(0, 7, 23)
    onehot = np.eye(7, dtype=dtype)[t]
    for red in REDUCTIONS:
        l1, g1 = K.cross_entropy_forward_backward(logits, t, reduction=red)
        l2, g2 = K.cross_entropy_forward_backward(logits, onehot, reduction=red)
        assert_loss_close(l1, l2, dtype, 1.0 if red == "mean" else 23.0)
        assert_close(g1, g2, rtol=elem_rtol(dtype), atol=elem_rtol(dtype), what="onehot grad")


# ---------------------------------------------------------------------------------------------
# squared error and perceptron criterion
# ---------------------------------------------------------------------------------------------

LOSS_SHAPES = [(0,), (1,), (7,), (17,), (0, 3), (1, 1), (5, 3), (64, 37), (3, 0)]


def check_pair_loss(kname, y, d, reduction, dtype, grad_name):
    fwd_k, bwd_k = getattr(K, kname + "_forward"), getattr(K, kname + "_backward")
    fwd_r, bwd_r = getattr(R, kname + "_forward"), getattr(R, kname + "_backward")
    n = y.shape[0]
    loss = fwd_k(y, d, reduction=reduction)
    assert_loss_close(loss, fwd_r(y, d, reduction=reduction), dtype,
                      1.0 if reduction == "mean" else float(max(n, 1)))
    expected = bwd_r(y, d, reduction=reduction)
    got = bwd_k(y, d, reduction=reduction)
    assert got.dtype == dtype and got.shape == y.shape
    assert_close(got, expected, rtol=elem_rtol(dtype), atol=elem_atol(dtype), what=kname)
    out = np.full(y.shape, np.nan, dtype)
    assert bwd_k(y, d, **{grad_name: out}, reduction=reduction) is out
    assert_close(out, expected, rtol=elem_rtol(dtype), atol=elem_atol(dtype), what=kname)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_squared_error(isa, dtype, rng, shape, reduction):
    y = random_array(rng, shape, dtype)
    d = random_array(rng, shape, dtype)
    check_pair_loss("squared_error", y, d, reduction, dtype, "dy")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_perceptron(isa, dtype, rng, shape, reduction):
    s = random_array(rng, shape, dtype)
    if s.size:
        s.reshape(-1)[:: 3] = 0.0  # sign(0) = +1: a mistake exactly when d = -1
    d = rng.choice(np.array([-1.0, 1.0], dtype), size=shape)
    check_pair_loss("perceptron", s, d, reduction, dtype, "dscores")


@pytest.mark.parametrize("layout", LAYOUTS_2D)
def test_pair_losses_layouts(isa, dtype, rng, layout):
    y = view_as(random_array(rng, (9, 5), dtype), layout)
    d = view_as(random_array(rng, (9, 5), dtype), "neg")
    check_pair_loss("squared_error", y, d, "mean", dtype, "dy")
    sgn = view_as(rng.choice(np.array([-1.0, 1.0], dtype), size=(9, 5)), layout)
    check_pair_loss("perceptron", y, sgn, "sum", dtype, "dscores")


def test_perceptron_course_values(isa, dtype):
    s = np.array([2.0, -1.0, 0.0, 0.0, -3.0, 0.5], dtype)
    d = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0], dtype)
    assert K.perceptron_forward(s, d, reduction="sum") == 1.5
    np.testing.assert_array_equal(K.perceptron_backward(s, d, reduction="sum"),
                                  np.array([0, -1, 0, 1, 0, 1], dtype))
    assert K.perceptron_forward(s, d) == 0.25
    np.testing.assert_array_equal(K.perceptron_backward(s, d),
                                  np.array([0, -1, 0, 1, 0, 1], dtype) / dtype(6))


def test_squared_error_course_values(isa, dtype):
    y = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 0.0]], dtype)
    d = np.array([[1.0, 0.0], [0.0, 5.0], [1.0, 0.0]], dtype)
    assert K.squared_error_forward(y, d, reduction="sum") == 7.0  # 0.5 (4 + 9 + 1)
    # mean over the 3 samples, not the 6 entries
    assert_loss_close(K.squared_error_forward(y, d), 7.0 / 3, dtype, 1.0)
    np.testing.assert_array_equal(K.squared_error_backward(y, d, reduction="sum"), y - d)


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

def floats(dtype, bound):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False,
                     width=32 if dtype == np.float32 else 64)


@st.composite
def logits_arrays(draw, min_k=1):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n = draw(st.integers(0, 12))
    k = draw(st.integers(min_k, 40))
    return dtype, draw(hnp.arrays(dtype, (n, k), elements=floats(dtype, 1e4)))


@given(case=logits_arrays())
def test_softmax_property(isa, case):
    dtype, a = case
    check_softmax(a, dtype)


@given(case=logits_arrays(), data=st.data())
def test_cross_entropy_property(isa, case, data):
    dtype, a = case
    n, k = a.shape
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    if data.draw(st.booleans()):
        target = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    else:
        target = data.draw(hnp.arrays(dtype, (n, k), elements=st.floats(
            0, 1, width=32 if dtype == np.float32 else 64)))
    check_ce(a, target, reduction, dtype)


@given(data=st.data())
def test_pair_losses_property(isa, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=12))
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    y = data.draw(hnp.arrays(dtype, shape, elements=floats(dtype, 1e6)))
    d = data.draw(hnp.arrays(dtype, shape, elements=floats(dtype, 1e6)))
    check_pair_loss("squared_error", y, d, reduction, dtype, "dy")
    sgn = data.draw(hnp.arrays(dtype, shape, elements=st.sampled_from([-1.0, 1.0])))
    check_pair_loss("perceptron", y, sgn, reduction, dtype, "dscores")
