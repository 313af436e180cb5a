"""sgd_step and average_step (in place) vs the reference, and sgd_step vs torch.optim.SGD."""

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
