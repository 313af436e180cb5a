"""The numerical policy of the spec: special values, shift invariance, overflow-free logits.

Each case is checked against values written out here (not against the reference), for the
compiled kernels on every ISA path and for the reference itself; NumPy warnings are errors.
Where torch is importable, the special softmax / cross-entropy rows are also compared to it.
"""

import math

import numpy as np
import pytest

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import assert_close, elem_rtol

pytestmark = pytest.mark.filterwarnings("error")

nan, inf = np.nan, np.inf
LN2 = math.log(2.0)


@pytest.fixture(params=["kernels", "reference"])
def impl(request, isa):
    return K if request.param == "kernels" else R


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

SPECIAL_IN = [nan, inf, -inf, 0.0, -0.0, 1000.0, -1000.0, 2.0, -2.0]
FORWARD_TABLE = {
    "identity": SPECIAL_IN,
    "sign": [nan, 1, -1, 1, 1, 1, -1, 1, -1],
    "heaviside": [nan, 1, 0, 1, 1, 1, 0, 1, 0],
    "tanh": [nan, 1, -1, 0, 0, 1, -1, math.tanh(2), -math.tanh(2)],
    "sigmoid": [nan, 1, 0, 0.5, 0.5, 1, 0, 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))],
    "relu": [nan, inf, 0, 0, 0, 1000, 0, 2, 0],
    "softplus": [nan, inf, 0, LN2, LN2, 1000, 0, 2 + math.log1p(math.exp(-2)),
                 math.log1p(math.exp(-2))],
}


@pytest.mark.parametrize("name", list(FORWARD_TABLE))
def test_activation_special_values(impl, dtype, name):
    a = np.array(SPECIAL_IN, dtype)
    got = impl.activation_forward(name, a)
    assert_close(got, np.array(FORWARD_TABLE[name], dtype), rtol=4 * np.finfo(dtype).eps,
                 what=f"{name} forward")


def test_sign_of_zero_is_plus_one(impl, dtype):
    np.testing.assert_array_equal(impl.activation_forward("sign", np.array([0.0, -0.0], dtype)),
                                  np.array([1.0, 1.0], dtype))
    np.testing.assert_array_equal(
        impl.activation_forward("heaviside", np.array([0.0, -0.0, -1e-300], dtype)),
        np.array([1.0, 1.0, 0.0 if dtype == np.float64 else 1.0], dtype))


def test_sigmoid_softplus_no_overflow(impl, dtype):
    big = np.finfo(dtype).max
    a = np.array([big, -big, 88.0, -88.0, 710.0 if dtype == np.float64 else 100.0], dtype)
    s = impl.activation_forward("sigmoid", a)
    assert np.all(np.isfinite(s)) and s[0] == 1 and s[1] == 0
    sp = impl.activation_forward("softplus", a)
    assert np.all(np.isfinite(sp)) and sp[0] == big and sp[1] == 0
    # softplus of a very negative input keeps its relative accuracy (log1p, not log(1 + x))
    x = np.array([-40.0, -60.0], dtype)
    expected = np.exp(np.array([-40.0, -60.0]))
    assert_close(impl.activation_forward("softplus", x), expected, rtol=8 * np.finfo(dtype).eps,
                 what="softplus tail")


BACKWARD_Y = {  # outputs y in the range of each activation, with NaN
    "identity": [nan, inf, -inf, 0.0, 3.0],
    "sign": [nan, 1.0, -1.0, 1.0, -1.0],
    "heaviside": [nan, 1.0, 0.0, 1.0, 0.0],
    "tanh": [nan, 1.0, -1.0, 0.0, 0.5],
    "sigmoid": [nan, 1.0, 0.0, 0.5, 0.25],
    "relu": [nan, inf, 0.0, 0.0, 3.0],
    "softplus": [nan, inf, 0.0, LN2, 1e-20],
}
BACKWARD_EXPECTED = {  # with dy = 2 everywhere
    "identity": [2, 2, 2, 2, 2],
    "sign": [0, 0, 0, 0, 0],
    "heaviside": [0, 0, 0, 0, 0],
    "tanh": [nan, 0, 0, 2, 1.5],
    "sigmoid": [nan, 0, 0, 0.5, 0.375],
    "relu": [0, 2, 0, 0, 2],
    "softplus": [nan, 2, 0, 1.0, 2e-20],  # dy * sigmoid(a) = dy (1 - exp(-y))
}


@pytest.mark.parametrize("name", list(BACKWARD_Y))
def test_activation_backward_special_values(impl, dtype, name):
    y = np.array(BACKWARD_Y[name], dtype)
    dy = np.full(y.shape, 2.0, dtype)
    got = impl.activation_backward(name, y, dy)
    assert_close(got, np.array(BACKWARD_EXPECTED[name], dtype), rtol=4 * np.finfo(dtype).eps,
                 what=f"{name} backward")


@pytest.mark.parametrize("name", ["sign", "heaviside", "relu", "identity", "tanh", "sigmoid",
                                  "softplus"])
def test_activation_backward_propagates_nan_dy(impl, dtype, name):
    # the spec's products: 0.0 * dy for sign and heaviside, dy * (y > 0) for relu, ...
    y = np.array(BACKWARD_Y[name][1:], dtype)
    dy = np.full(y.shape, nan, dtype)
    got = impl.activation_backward(name, y, dy)
    assert np.all(np.isnan(got)), f"{name}: NaN dy gave {got}"


def test_sign_backward_is_zero_times_dy(impl, dtype):
    got = impl.activation_backward("sign", np.array([1.0, -1.0], dtype),
                                   np.array([inf, 5.0], dtype))
    assert np.isnan(got[0]) and got[1] == 0


# ---------------------------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------------------------

def test_softmax_shift_invariance_is_exact(impl, dtype, rng):
    # integer logits plus 2**20 are exact in both dtypes: z = a - rowmax is the same
    a = rng.integers(-20, 21, (6, 9)).astype(dtype)
    t = rng.integers(0, 9, 6)
    for shift in (2.0 ** 20, -2.0 ** 20, 1024.0):
        b = (a + dtype(shift)).astype(dtype)
        np.testing.assert_array_equal(impl.softmax_forward(b), impl.softmax_forward(a))
        np.testing.assert_array_equal(impl.log_softmax_forward(b), impl.log_softmax_forward(a))
        # the loss may add the row maximum back (m + log s - a_t): equal within rounding
        la, lb = impl.cross_entropy_forward(a, t), impl.cross_entropy_forward(b, t)
        assert abs(la - lb) <= 4 * np.finfo(dtype).eps * (abs(shift) + 30), (la, lb)
        np.testing.assert_array_equal(impl.cross_entropy_backward(b, t),
                                      impl.cross_entropy_backward(a, t))


def test_huge_equal_logits_give_ln2(impl, dtype):
    a = np.array([[1e8, 1e8]], dtype)
    np.testing.assert_array_equal(impl.softmax_forward(a), np.array([[0.5, 0.5]], dtype))
    assert_close(impl.log_softmax_forward(a), np.array([[-LN2, -LN2]], dtype),
                 rtol=np.finfo(dtype).eps, what="log_softmax")
    for fn in (lambda: impl.cross_entropy_forward(a, np.array([0])),
               lambda: impl.cross_entropy_forward_backward(a, np.array([0]))[0],
               lambda: impl.cross_entropy_forward(a, np.array([[1.0, 0.0]], dtype))):
        loss = fn()
        if dtype == np.float64:
            assert loss == LN2, f"loss {loss!r} != ln 2 = {LN2!r}"
        else:
            assert abs(loss - LN2) <= np.finfo(np.float32).eps * LN2, loss
    g = impl.cross_entropy_backward(a, np.array([0]))
    np.testing.assert_array_equal(g, np.array([[-0.5, 0.5]], dtype))


def test_minus_inf_logit(impl, dtype):
    a = np.array([[0.0, -inf, 1.0], [2.0, 2.0, -inf]], dtype)
    p = impl.softmax_forward(a)
    assert p[0, 1] == 0 and p[1, 2] == 0 and np.all(np.isfinite(p))
    assert_close(p[1], np.array([0.5, 0.5, 0.0], dtype), rtol=0, what="softmax")
    lp = impl.log_softmax_forward(a)
    assert lp[0, 1] == -inf and lp[1, 2] == -inf
    assert np.all(np.isfinite(lp[0, [0, 2]])) and np.all(np.isfinite(lp[1, :2]))
    loss, g = impl.cross_entropy_forward_backward(a, np.array([0, 1]), reduction="sum")
    assert math.isfinite(loss) and np.all(np.isfinite(g)) and g[0, 1] == 0 and g[1, 2] == 0
    # probability targets with a zero on the -inf logit: the term is left out, not 0 * inf
    t = np.array([[0.5, 0.0, 0.5], [0.25, 0.75, 0.0]], dtype)
    loss, g = impl.cross_entropy_forward_backward(a, t, reduction="sum")
    assert math.isfinite(loss) and np.all(np.isfinite(g)) and g[0, 1] == 0 and g[1, 2] == 0
    assert math.isfinite(impl.cross_entropy_forward(a, t))


def special_rows(dtype):
    a = np.array([
        [1.0, 2.0, 3.0],
        [1.0, nan, 3.0],        # NaN -> NaN row
        [0.5, -1.0, 0.25],
        [inf, 1.0, 2.0],        # +inf -> inf - inf = NaN row
        [-inf, -inf, -inf],     # all -inf -> NaN row
        [-2.0, 0.0, 7.0],
    ], dtype)
    return a, [1, 3, 4], [0, 2, 5]


def test_special_rows_softmax(impl, dtype):
    a, bad, good = special_rows(dtype)
    for fn in (impl.softmax_forward, impl.log_softmax_forward):
        out = fn(a)
        assert np.all(np.isnan(out[bad])), out
        assert np.all(~np.isnan(out[good]))
        assert_close(out[good], fn(a[good]), rtol=elem_rtol(dtype), atol=elem_rtol(dtype),
                     what=fn.__name__)


def test_special_rows_cross_entropy(impl, dtype):
    a, bad, good = special_rows(dtype)
    t = np.array([0, 0, 1, 2, 1, 2])
    loss, g = impl.cross_entropy_forward_backward(a, t, reduction="sum")
    assert math.isnan(loss)
    assert np.all(np.isnan(g[bad]))
    lg, gg = impl.cross_entropy_forward_backward(a[good], t[good], reduction="sum")
    assert_close(g[good], gg, rtol=elem_rtol(dtype), atol=elem_rtol(dtype), what="grad")
    assert math.isfinite(lg)
    assert math.isnan(impl.cross_entropy_forward(a, t))


def test_special_rows_vs_torch(impl, dtype):
    torch = pytest.importorskip("torch")
    a, _, _ = special_rows(dtype)
    ta = torch.from_numpy(a.copy())
    assert_close(impl.softmax_forward(a), torch.softmax(ta, dim=1).numpy(),
                 rtol=elem_rtol(dtype), atol=0, what="softmax vs torch")
    assert_close(impl.log_softmax_forward(a), torch.log_softmax(ta, dim=1).numpy(),
                 rtol=elem_rtol(dtype), atol=elem_rtol(dtype), what="log_softmax vs torch")
    t = np.array([0, 0, 1, 2, 1, 2])
    per_row = torch.nn.functional.cross_entropy(ta.double(), torch.from_numpy(t),
                                                reduction="none").numpy()
    got = np.array([impl.cross_entropy_forward(a[i:i + 1], t[i:i + 1]) for i in range(6)])
    assert_close(got, per_row, rtol=1e-6 if dtype == np.float32 else 1e-12,
                 what="cross_entropy vs torch")
    x = ta.double().clone().requires_grad_(True)
    torch.nn.functional.cross_entropy(x, torch.from_numpy(t), reduction="sum").backward()
    assert_close(impl.cross_entropy_backward(a, t, reduction="sum"), x.grad.numpy(),
                 rtol=elem_rtol(dtype), atol=elem_rtol(dtype), what="cross_entropy grad vs torch")


# ---------------------------------------------------------------------------------------------
# Empty inputs
# ---------------------------------------------------------------------------------------------

def test_empty_losses(impl, dtype):
    a = np.zeros((0, 4), dtype)
    t = np.zeros(0, np.int64)
    assert math.isnan(impl.cross_entropy_forward(a, t))
    assert impl.cross_entropy_forward(a, t, reduction="sum") == 0.0
    loss, g = impl.cross_entropy_forward_backward(a, t)
    assert math.isnan(loss) and g.shape == (0, 4) and g.dtype == dtype
    assert impl.cross_entropy_backward(a, np.zeros((0, 4), dtype)).shape == (0, 4)
    for kname in ("squared_error", "perceptron"):
        fwd = getattr(impl, kname + "_forward")
        bwd = getattr(impl, kname + "_backward")
        for shape in ((0,), (0, 3)):
            y = np.zeros(shape, dtype)
            d = np.ones(shape, dtype)
            assert math.isnan(fwd(y, d))
            assert fwd(y, d, reduction="sum") == 0.0
            g = bwd(y, d)
            assert g.shape == shape and g.dtype == dtype
    assert impl.softmax_forward(np.zeros((0, 3), dtype)).shape == (0, 3)


def test_zero_size_elementwise_and_products(impl, dtype):
    for name in FORWARD_TABLE:
        assert impl.activation_forward(name, np.zeros((0, 3), dtype)).shape == (0, 3)
    np.testing.assert_array_equal(impl.matmul(np.zeros((2, 0), dtype), np.zeros((0, 3), dtype)),
                                  np.zeros((2, 3), dtype))
    dx, dw, db = impl.linear_backward(np.zeros((0, 3), dtype), np.zeros((3, 2), dtype),
                                      np.zeros((0, 2), dtype))
    assert dx.shape == (0, 3)
    np.testing.assert_array_equal(dw, np.zeros((3, 2), dtype))
    np.testing.assert_array_equal(db, np.zeros(2, dtype))
