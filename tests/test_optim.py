"""sgd_step, adam_step and average_step (in place) vs the reference, and sgd_step and adam_step
vs torch.optim."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore.kernels as K
import mlpcore.reference as R
from conftest import assert_close, elem_atol, elem_rtol, random_array

SHAPES = [(0,), (1,), (7,), (17,), (33,), (5, 3), (0, 4), (33, 17), (2, 3, 4)]
CONFIGS = [  # momentum, nesterov, weight_decay
    (0.0, False, 0.0), (0.0, False, 0.01), (0.9, False, 0.0), (0.9, False, 0.05),
    (0.9, True, 0.0), (0.5, True, 0.1),
]


def step_tol(param, lr, g, dtype):
    """param - lr g: rtol of |param| + |lr g|, the terms before their (possible) cancellation."""
    return elem_rtol(dtype) * (np.abs(param.astype(np.float64))
                               + np.abs(lr * g.astype(np.float64))) + elem_atol(dtype)


def run_both(param0, grads, lr, momentum, nesterov, weight_decay, dtype):
    pk, pr = param0.copy(), param0.copy()
    vk = np.zeros_like(param0) if momentum else None
    vr = np.zeros_like(param0) if momentum else None
    for g in grads:
        pr_before = pr.copy()
        R.sgd_step(pr, g, lr, momentum=momentum, velocity=vr, weight_decay=weight_decay,
                   nesterov=nesterov)
        # each step is compared from the same starting point, so errors do not compound
        pk[...] = pr_before
        got = K.sgd_step(pk, g, lr, momentum=momentum, velocity=vk, weight_decay=weight_decay,
                         nesterov=nesterov)
        assert got is pk
        big_g = np.abs(g.astype(np.float64)) + abs(weight_decay) * np.abs(
            pr_before.astype(np.float64))
        if momentum:
            big_g = big_g * (1 + 2 * momentum) + 2 * np.abs(vr.astype(np.float64))
            assert_close(vk, vr, rtol=elem_rtol(dtype), atol=elem_rtol(dtype) * big_g,
                         what="velocity")
            vk[...] = vr
        assert_close(pk, pr, rtol=0, atol=step_tol(pr_before, lr, big_g, dtype), what="param")


@pytest.mark.parametrize("momentum,nesterov,weight_decay", CONFIGS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sgd_step(isa, dtype, rng, shape, momentum, nesterov, weight_decay):
    param0 = random_array(rng, shape, dtype)
    grads = [random_array(rng, shape, dtype) for _ in range(3)]
    run_both(param0, grads, 0.1, momentum, nesterov, weight_decay, dtype)


def test_sgd_step_plain_is_exact_formula(isa, dtype):
    p = np.array([1.0, -2.0, 0.5], dtype)
    K.sgd_step(p, np.array([0.5, 0.5, -1.0], dtype), 0.5)
    np.testing.assert_array_equal(p, np.array([0.75, -2.25, 1.0], dtype))


def test_sgd_step_grad_layouts(isa, dtype, rng):
    p = random_array(rng, (6, 5), dtype)
    g = random_array(rng, (5, 6), dtype).T  # a transposed grad is read through its strides
    v = np.zeros((6, 5), dtype)
    pr, vr = p.copy(), v.copy()
    R.sgd_step(pr, g, 0.2, momentum=0.9, velocity=vr)
    K.sgd_step(p, g, 0.2, momentum=0.9, velocity=v)
    assert_close(v, vr, rtol=elem_rtol(dtype), atol=elem_atol(dtype), what="velocity")
    assert_close(p, pr, rtol=elem_rtol(dtype), atol=elem_rtol(dtype), what="param")
    before = p.copy()
    K.sgd_step(p, np.ones((6, 5), int).tolist(), 0.5)  # an integer list grad is converted
    np.testing.assert_array_equal(p, before - dtype(0.5))


def test_sgd_step_vs_torch(dtype, rng):
    torch = pytest.importorskip("torch")
    for momentum, nesterov, wd in CONFIGS:
        p = random_array(rng, (4, 7), dtype)
        v = np.zeros_like(p)
        tp = torch.tensor(p.copy(), requires_grad=True)
        opt = torch.optim.SGD([tp], lr=0.05, momentum=momentum, nesterov=nesterov,
                              weight_decay=wd)
        for _ in range(4):
            g = random_array(rng, (4, 7), dtype)
            tp.grad = torch.tensor(g.copy())
            opt.step()
            K.sgd_step(p, g, 0.05, momentum=momentum, velocity=v if momentum else None,
                       weight_decay=wd, nesterov=nesterov)
        assert_close(p, tp.detach().numpy(), rtol=100 * elem_rtol(dtype),
                     atol=100 * elem_rtol(dtype), what=f"sgd vs torch {momentum, nesterov, wd}")


ADAM_CONFIGS = [  # beta1, beta2, eps, weight_decay
    (0.9, 0.999, 1e-8, 0.0), (0.9, 0.999, 1e-8, 0.01), (0.3, 0.5, 1e-3, 0.1), (0.0, 0.0, 0.0, 0.0),
]


def adam_tol(param, lr, m, denom, dtype):
    """param - step_size m / denom: rtol of |param| + |step_size m / denom| (a few operations)."""
    return 8 * elem_rtol(dtype) * (np.abs(param.astype(np.float64))
                                   + np.abs(lr * m.astype(np.float64) / denom)) + elem_atol(dtype)


@pytest.mark.parametrize("beta1,beta2,eps,weight_decay", ADAM_CONFIGS)
@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (33,), (5, 3), (33, 17)], ids=str)
def test_adam_step(isa, dtype, rng, shape, beta1, beta2, eps, weight_decay):
    pk = random_array(rng, shape, dtype)
    mk, vk = np.zeros_like(pk), np.zeros_like(pk)
    for step in range(1, 5):
        g = random_array(rng, shape, dtype)
        pr, mr, vr = pk.copy(), mk.copy(), vk.copy()
        assert R.adam_step(pr, g, 0.05, mr, vr, step, beta1=beta1, beta2=beta2, eps=eps,
                           weight_decay=weight_decay) is pr
        before = pk.copy()
        got = K.adam_step(pk, g, 0.05, mk, vk, step, beta1=beta1, beta2=beta2, eps=eps,
                          weight_decay=weight_decay)
        assert got is pk
        g64 = np.abs(g.astype(np.float64)) + weight_decay * np.abs(before.astype(np.float64))
        assert_close(mk, mr, rtol=4 * elem_rtol(dtype), atol=4 * elem_rtol(dtype) * g64,
                     what="m")
        assert_close(vk, vr, rtol=4 * elem_rtol(dtype), atol=4 * elem_rtol(dtype) * g64 ** 2,
                     what="v")
        denom = np.sqrt(vr.astype(np.float64) / (1 - beta2 ** step)) + eps + 1e-300
        assert_close(pk, pr, rtol=0, atol=adam_tol(before, 0.05 / (1 - beta1 ** step), mr,
                                                   denom, dtype), what="param")
        pk[...], mk[...], vk[...] = pr, mr, vr  # errors do not compound


def test_adam_step_grad_layouts(isa, dtype, rng):
    p = random_array(rng, (6, 5), dtype)
    g = random_array(rng, (5, 6), dtype).T  # a transposed grad is read through its strides
    m, v = np.zeros((6, 5), dtype), np.zeros((6, 5), dtype)
    pr, mr, vr = p.copy(), m.copy(), v.copy()
    R.adam_step(pr, g, 0.2, mr, vr, 1, weight_decay=0.1)
    K.adam_step(p, g, 0.2, m, v, 1, weight_decay=0.1)
    for got, want, what in ((m, mr, "m"), (v, vr, "v"), (p, pr, "param")):
        assert_close(got, want, rtol=4 * elem_rtol(dtype), atol=4 * elem_rtol(dtype), what=what)
    before = p.copy()
    K.adam_step(p, np.ones((6, 5), int).tolist(), 0.5, m, v, 2)  # an integer list is converted
    assert p.dtype == dtype and not np.array_equal(p, before)


def test_adam_first_step_moves_by_lr(isa, dtype):
    # With m = v = 0 the bias corrections give m / bc1 = g and sqrt(v / bc2) = |g|.
    p = np.array([1.0, -2.0, 0.5], dtype)
    K.adam_step(p, np.array([0.5, -3.0, 1.0], dtype), 0.25, np.zeros(3, dtype),
                np.zeros(3, dtype), 1, eps=0.0)
    assert_close(p, np.array([0.75, -1.75, 0.25]), rtol=4 * elem_rtol(dtype), atol=0,
                 what="first step")


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_adam_step_vs_torch(dtype, rng, weight_decay):
    torch = pytest.importorskip("torch")
    p = random_array(rng, (4, 7), dtype)
    m, v = np.zeros_like(p), np.zeros_like(p)
    tp = torch.tensor(p.copy(), requires_grad=True)
    opt = torch.optim.Adam([tp], lr=0.01, weight_decay=weight_decay)
    for step in range(1, 101):
        g = random_array(rng, (4, 7), dtype)
        tp.grad = torch.tensor(g.copy())
        opt.step()
        K.adam_step(p, g, 0.01, m, v, step, weight_decay=weight_decay)
        assert opt.state[tp]["step"].item() == step
    tol = 1e-10 if dtype == np.float64 else 1e-4
    assert_close(p, tp.detach().numpy(), rtol=tol, atol=tol, what="adam vs torch param")
    assert_close(m, opt.state[tp]["exp_avg"].numpy(), rtol=tol, atol=tol, what="adam vs torch m")
    assert_close(v, opt.state[tp]["exp_avg_sq"].numpy(), rtol=tol, atol=tol,
                 what="adam vs torch v")


@pytest.mark.parametrize("impl", [K, R], ids=["kernels", "reference"])
@pytest.mark.parametrize("kwargs,step,message", [
    ({}, 0, "step must be >= 1"),
    ({"beta1": 1.0}, 1, r"beta1 must be in \[0, 1\)"),
    ({"beta2": -0.1}, 1, r"beta2 must be in \[0, 1\)"),
    ({"eps": -1e-8}, 1, "eps must be >= 0"),
    ({"beta1": np.nan}, 1, "beta1 must be finite"),
    ({"weight_decay": np.inf}, 1, "weight_decay must be finite"),
    ({"lr": np.nan}, 1, "lr must be finite"),
])
def test_adam_step_refuses_bad_settings(impl, kwargs, step, message):
    kwargs = {"lr": 0.1, **kwargs}
    p, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    with pytest.raises(ValueError, match=r"^\[adam_step\] " + message):
        impl.adam_step(p, np.ones(3), kwargs.pop("lr"), m, v, step, **kwargs)
    np.testing.assert_array_equal(p, 0)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_average_step(isa, dtype, rng, shape):
    avg0 = random_array(rng, shape, dtype)
    for n in (0, 1, 2, 7, 1000, 2 ** 40):
        param = random_array(rng, shape, dtype)
        expected = R.average_step(avg0.copy(), param, n)
        avg = avg0.copy()
        assert K.average_step(avg, param, n) is avg
        scale = np.abs(avg0.astype(np.float64)) + np.abs(param.astype(np.float64)) / (n + 1)
        assert_close(avg, expected, rtol=0, atol=2 * elem_rtol(dtype) * scale + elem_atol(dtype),
                     what=f"average_step n={n}")


def test_average_step_is_running_mean(isa, dtype, rng):
    params = [random_array(rng, (5, 4), dtype) for _ in range(20)]
    avg = np.zeros((5, 4), dtype)
    for n, p in enumerate(params):
        K.average_step(avg, p, n)
    mean = np.mean(np.stack(params).astype(np.float64), axis=0)
    assert_close(avg, mean, rtol=0, atol=40 * elem_rtol(dtype) * 4, what="running mean")
    first = np.full((3,), 7.0, dtype)  # n = 0: avg becomes param
    K.average_step(first, np.array([1.0, 2.0, 3.0], dtype), 0)
    np.testing.assert_array_equal(first, np.array([1.0, 2.0, 3.0], dtype))


@given(data=st.data())
def test_optim_property(isa, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=20))
    el = st.floats(-1e3, 1e3, allow_nan=False, width=32 if dtype == np.float32 else 64)
    param0 = data.draw(hnp.arrays(dtype, shape, elements=el))
    grads = [data.draw(hnp.arrays(dtype, shape, elements=el)) for _ in range(2)]
    momentum = data.draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = momentum != 0 and data.draw(st.booleans())
    wd = data.draw(st.sampled_from([0.0, 1e-4, 0.1]))
    lr = data.draw(st.sampled_from([1e-3, 0.1, 1.0]))
    run_both(param0, grads, lr, momentum, nesterov, wd, dtype)
    n = data.draw(st.integers(0, 10 ** 6))
    expected = R.average_step(param0.copy(), grads[0], n)
    avg = param0.copy()
    K.average_step(avg, grads[0], n)
    scale = np.abs(param0.astype(np.float64)) + np.abs(grads[0].astype(np.float64)) / (n + 1)
    assert_close(avg, expected, rtol=0, atol=2 * elem_rtol(dtype) * scale + elem_atol(dtype),
                 what="average_step")
