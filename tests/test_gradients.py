"""Every gradient against central finite differences in float64 (the second oracle).

Each check runs on the compiled kernels (every ISA path) and on the reference.
"""

import numpy as np
import pytest

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import assert_close

H = 1e-6
FD_RTOL, FD_ATOL = 1e-6, 1e-8


@pytest.fixture(params=["kernels", "reference"])
def impl(request, isa):
    return K if request.param == "kernels" else R


def numerical_gradient(f, x):
    """Central differences of the scalar function f at x (float64), one coordinate at a time."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + H
        fp = f(x)
        flat[i] = old - H
        fm = f(x)
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * H)
    return g


def away_from_zero(rng, shape, margin=0.05):
    a = rng.standard_normal(shape)
    return np.where(np.abs(a) < margin, np.sign(a + 1e-300) * margin + a, a)


@pytest.mark.parametrize("name", ["identity", "sign", "heaviside", "tanh", "sigmoid", "relu",
                                  "softplus"])
def test_activation_gradient(impl, rng, name):
    a = 3 * away_from_zero(rng, (4, 5))  # kinks of sign, heaviside and relu are at 0
    dy = rng.standard_normal((4, 5))
    y = impl.activation_forward(name, a)
    analytic = impl.activation_backward(name, y, dy)
    numeric = numerical_gradient(lambda x: float(np.sum(dy * impl.activation_forward(name, x))), a)
    assert_close(analytic, numeric, rtol=FD_RTOL, atol=FD_ATOL, what=name)


def test_softmax_jacobian(impl, rng):
    # L = <R, softmax(a)>: dL/da = p * (R - <R, p>) per row
    a = rng.standard_normal((3, 5))
    proj = rng.standard_normal((3, 5))
    p = impl.softmax_forward(a)
    analytic = p * (proj - np.sum(proj * p, axis=1, keepdims=True))
    numeric = numerical_gradient(lambda x: float(np.sum(proj * impl.softmax_forward(x))), a)
    assert_close(analytic, numeric, rtol=FD_RTOL, atol=FD_ATOL, what="softmax")


def test_log_softmax_gradient_is_cross_entropy_backward(impl, rng):
    # L = -<R, log_softmax(a)> is the cross-entropy with the (unnormalised, signed) target R
    a = rng.standard_normal((4, 6))
    proj = rng.standard_normal((4, 6))
    numeric = numerical_gradient(
        lambda x: -float(np.sum(proj * impl.log_softmax_forward(x))), a)
    analytic = impl.cross_entropy_backward(a, proj, reduction="sum")
    assert_close(analytic, numeric, rtol=FD_RTOL, atol=FD_ATOL, what="log_softmax")


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("target_kind", ["indices", "probabilities"])
def test_cross_entropy_gradient(impl, rng, reduction, target_kind):
    n, k = 5, 4
    a = 2 * rng.standard_normal((n, k))
    if target_kind == "indices":
        t = rng.integers(0, k, n)
    else:
        t = rng.random((n, k))
        t[0, 1] = 0.0
        t /= t.sum(axis=1, keepdims=True)
    numeric = numerical_gradient(
        lambda x: impl.cross_entropy_forward(x, t, reduction=reduction), a)
    assert_close(impl.cross_entropy_backward(a, t, reduction=reduction), numeric,
                 rtol=FD_RTOL, atol=FD_ATOL, what="cross_entropy_backward")
    loss, g = impl.cross_entropy_forward_backward(a, t, reduction=reduction)
    assert loss == pytest.approx(impl.cross_entropy_forward(a, t, reduction=reduction),
                                 rel=1e-14)
    assert_close(g, numeric, rtol=FD_RTOL, atol=FD_ATOL, what="cross_entropy_forward_backward")


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(6,), (5, 3)], ids=str)
def test_squared_error_gradient(impl, rng, shape, reduction):
    y = rng.standard_normal(shape)
    d = rng.standard_normal(shape)
    numeric = numerical_gradient(lambda x: impl.squared_error_forward(x, d, reduction), y)
    assert_close(impl.squared_error_backward(y, d, reduction=reduction), numeric,
                 rtol=FD_RTOL, atol=FD_ATOL, what="squared_error")


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(8,), (5, 3)], ids=str)
def test_perceptron_gradient(impl, rng, shape, reduction):
    s = away_from_zero(rng, shape)  # the criterion has a kink at s = 0
    d = rng.choice([-1.0, 1.0], size=shape)
    numeric = numerical_gradient(lambda x: impl.perceptron_forward(x, d, reduction), s)
    assert_close(impl.perceptron_backward(s, d, reduction=reduction), numeric,
                 rtol=FD_RTOL, atol=FD_ATOL, what="perceptron")


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradient(impl, rng, bias):
    # L = <G, tanh(x @ w + b)>: dz = G (1 - y^2), then linear_backward gives dx, dw, db
    n, d, k = 4, 3, 5
    x = rng.standard_normal((n, d))
    w = rng.standard_normal((d, k))
    b = rng.standard_normal(k) if bias else None
    proj = rng.standard_normal((n, k))
    y = impl.linear_forward(x, w, b, "tanh")
    dz = impl.activation_backward("tanh", y, proj)
    dx, dw, db = impl.linear_backward(x, w, dz)

    def loss(x_, w_, b_):
        return float(np.sum(proj * impl.linear_forward(x_, w_, b_, "tanh")))

    assert_close(dx, numerical_gradient(lambda v: loss(v, w, b), x), rtol=FD_RTOL, atol=FD_ATOL,
                 what="dx")
    assert_close(dw, numerical_gradient(lambda v: loss(x, v, b), w), rtol=FD_RTOL, atol=FD_ATOL,
                 what="dw")
    if bias:
        assert_close(db, numerical_gradient(lambda v: loss(x, w, v), b), rtol=FD_RTOL,
                     atol=FD_ATOL, what="db")
    else:
        assert_close(db, dz.sum(axis=0), rtol=1e-14, atol=1e-15, what="db")
