"""Bad input raises the documented exception, with the kernel's name first in the message.

Every case runs on the compiled kernels and on the reference, which must agree.
"""

import numpy as np
import pytest

import mlpcore.kernels as K
import mlpcore.reference as R

BAD_DTYPES = [np.int64, np.int32, np.bool_, np.float16, np.complex128, object]


def other(dt):
    return np.float32 if dt == np.float64 else np.float64


def z(shape, dt):
    return np.zeros(shape, dt)


def ones(shape, dt):
    return np.ones(shape, dt)


def readonly(shape, dt):
    x = np.zeros(shape, dt)
    x.flags.writeable = False
    return x


def bad(shape, bdt):
    return np.zeros(shape, bdt) if bdt is not object else np.zeros(shape, object) + 0.5


def square_overlap(dt):
    base = np.arange(16, dtype=dt).reshape(4, 4)
    return base, base[:, ::-1]  # the same memory, reversed columns


def shifted_overlap(dt, n=8):
    base = np.arange(n + 1, dtype=dt)
    return base[:-1], base[1:]


CASES = []


def case(kernel, name, exc):
    def register(fn):
        CASES.append(pytest.param(kernel, fn, exc, id=f"{kernel}-{name}"))
        return fn
    return register


def dtype_cases(kernel, call):
    """call(m, dt, bad_array_maker) -> calls the kernel with one input of a bad dtype."""
    for bdt in BAD_DTYPES:
        CASES.append(pytest.param(kernel, (lambda m, dt, bdt=bdt: call(m, dt, lambda s: bad(s, bdt))),
                                  TypeError, id=f"{kernel}-dtype-{np.dtype(bdt).name}"))


# --- matmul -----------------------------------------------------------------------------------
case("matmul", "a-1d", ValueError)(lambda m, dt: m.matmul(z(3, dt), z((3, 2), dt)))
case("matmul", "b-3d", ValueError)(lambda m, dt: m.matmul(z((2, 3), dt), z((3, 2, 1), dt)))
case("matmul", "inner-mismatch", ValueError)(lambda m, dt: m.matmul(z((2, 3), dt), z((4, 2), dt)))
case("matmul", "mixed", TypeError)(lambda m, dt: m.matmul(z((2, 3), dt), z((3, 2), other(dt))))
case("matmul", "out-dtype", TypeError)(
    lambda m, dt: m.matmul(z((2, 3), dt), z((3, 2), dt), out=z((2, 2), other(dt))))
case("matmul", "out-shape", ValueError)(
    lambda m, dt: m.matmul(z((2, 3), dt), z((3, 2), dt), out=z((2, 3), dt)))
case("matmul", "out-readonly", ValueError)(
    lambda m, dt: m.matmul(z((2, 3), dt), z((3, 2), dt), out=readonly((2, 2), dt)))
case("matmul", "out-is-a", ValueError)(
    lambda m, dt: (lambda a: m.matmul(a, z((4, 4), dt), out=a))(z((4, 4), dt)))
case("matmul", "out-overlaps-b", ValueError)(
    lambda m, dt: (lambda ab: m.matmul(z((4, 4), dt), ab[0], out=ab[1]))(square_overlap(dt)))
case("matmul", "out-list", TypeError)(
    lambda m, dt: m.matmul(z((1, 1), dt), z((1, 1), dt), out=[[0.0]]))
dtype_cases("matmul", lambda m, dt, b: m.matmul(b((2, 3)), z((3, 2), dt)))

# --- gemm -------------------------------------------------------------------------------------
case("gemm", "a-1d", ValueError)(lambda m, dt: m.gemm(z(3, dt), z((3, 2), dt), z((1, 2), dt)))
case("gemm", "inner-mismatch", ValueError)(
    lambda m, dt: m.gemm(z((2, 3), dt), z((2, 2), dt), z((2, 2), dt)))
case("gemm", "c-shape", ValueError)(
    lambda m, dt: m.gemm(z((2, 3), dt), z((3, 2), dt), z((3, 2), dt)))
case("gemm", "c-dtype", TypeError)(
    lambda m, dt: m.gemm(z((2, 3), dt), z((3, 2), dt), z((2, 2), other(dt))))
case("gemm", "c-readonly", ValueError)(
    lambda m, dt: m.gemm(z((2, 3), dt), z((3, 2), dt), readonly((2, 2), dt)))
case("gemm", "mixed-ab", TypeError)(
    lambda m, dt: m.gemm(z((2, 3), dt), z((3, 2), other(dt)), z((2, 2), dt)))
case("gemm", "c-overlaps-a", ValueError)(
    lambda m, dt: (lambda ac: m.gemm(ac[0], z((4, 4), dt), ac[1], beta=1.0))(square_overlap(dt)))
case("gemm", "c-is-b", ValueError)(
    lambda m, dt: (lambda b: m.gemm(z((4, 4), dt), b, b))(z((4, 4), dt)))
case("gemm", "c-list", TypeError)(
    lambda m, dt: m.gemm(z((1, 1), dt), z((1, 1), dt), [[0.0]]))
dtype_cases("gemm", lambda m, dt, b: m.gemm(z((2, 3), dt), b((3, 2)), z((2, 2), dt)))

# --- linear -----------------------------------------------------------------------------------
case("linear_forward", "x-1d", ValueError)(lambda m, dt: m.linear_forward(z(3, dt), z((3, 2), dt)))
case("linear_forward", "w-1d", ValueError)(lambda m, dt: m.linear_forward(z((1, 3), dt), z(3, dt)))
case("linear_forward", "x-w-mismatch", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((4, 2), dt)))
case("linear_forward", "b-shape", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), z(3, dt)))
case("linear_forward", "b-2d", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), z((1, 2), dt)))
case("linear_forward", "activation", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), None, "gelu"))
case("linear_forward", "mixed-w", TypeError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), other(dt))))
case("linear_forward", "mixed-b", TypeError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), z(2, other(dt))))
case("linear_forward", "out-dtype", TypeError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), out=z((2, 2), other(dt))))
case("linear_forward", "out-shape", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), out=z((2, 3), dt)))
case("linear_forward", "out-readonly", ValueError)(
    lambda m, dt: m.linear_forward(z((2, 3), dt), z((3, 2), dt), out=readonly((2, 2), dt)))
case("linear_forward", "out-overlaps-x", ValueError)(
    lambda m, dt: (lambda xo: m.linear_forward(xo[0], z((4, 4), dt), out=xo[1]))(
        square_overlap(dt)))
dtype_cases("linear_forward", lambda m, dt, b: m.linear_forward(b((2, 3)), z((3, 2), dt)))
dtype_cases("linear_forward", lambda m, dt, b: m.linear_forward(z((2, 3), dt), z((3, 2), dt), b(2)))

case("linear_backward", "dz-shape", ValueError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 3), dt)))
case("linear_backward", "x-w-mismatch", ValueError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((2, 4), dt), z((2, 4), dt)))
case("linear_backward", "x-1d", ValueError)(
    lambda m, dt: m.linear_backward(z(3, dt), z((3, 4), dt), z((1, 4), dt)))
case("linear_backward", "mixed", TypeError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 4), other(dt))))
case("linear_backward", "dx-shape", ValueError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 4), dt), dx=z((3, 2), dt)))
case("linear_backward", "dw-dtype", TypeError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 4), dt),
                                    dw=z((3, 4), other(dt))))
case("linear_backward", "db-readonly", ValueError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 4), dt),
                                    db=readonly(4, dt)))
case("linear_backward", "db-shape", ValueError)(
    lambda m, dt: m.linear_backward(z((2, 3), dt), z((3, 4), dt), z((2, 4), dt), db=z(3, dt)))
case("linear_backward", "dx-is-x", ValueError)(
    lambda m, dt: (lambda x: m.linear_backward(x, z((3, 4), dt), z((2, 4), dt), dx=x))(
        z((2, 3), dt)))
case("linear_backward", "dw-is-w", ValueError)(
    lambda m, dt: (lambda w: m.linear_backward(z((2, 3), dt), w, z((2, 4), dt), dw=w))(
        z((3, 4), dt)))
dtype_cases("linear_backward",
            lambda m, dt, b: m.linear_backward(z((2, 3), dt), z((3, 4), dt), b((2, 4))))

# --- activations ------------------------------------------------------------------------------
case("activation_forward", "name", ValueError)(
    lambda m, dt: m.activation_forward("gelu", z(3, dt)))
case("activation_forward", "out-shape", ValueError)(
    lambda m, dt: m.activation_forward("tanh", z(3, dt), out=z(4, dt)))
case("activation_forward", "out-shape-transposed", ValueError)(
    lambda m, dt: m.activation_forward("tanh", z((2, 3), dt), out=z((3, 2), dt)))
case("activation_forward", "out-dtype", TypeError)(
    lambda m, dt: m.activation_forward("tanh", z(3, dt), out=z(3, other(dt))))
case("activation_forward", "out-readonly", ValueError)(
    lambda m, dt: m.activation_forward("relu", z(3, dt), out=readonly(3, dt)))
case("activation_forward", "out-partial-overlap", ValueError)(
    lambda m, dt: (lambda ao: m.activation_forward("relu", ao[0], out=ao[1]))(shifted_overlap(dt)))
case("activation_forward", "out-reversed-overlap", ValueError)(
    lambda m, dt: (lambda a: m.activation_forward("relu", a, out=a[::-1]))(z(8, dt)))
dtype_cases("activation_forward", lambda m, dt, b: m.activation_forward("sigmoid", b((2, 3))))

case("activation_backward", "name", ValueError)(
    lambda m, dt: m.activation_backward("swish", z(3, dt), z(3, dt)))
case("activation_backward", "shape-mismatch", ValueError)(
    lambda m, dt: m.activation_backward("tanh", z(3, dt), z(4, dt)))
case("activation_backward", "mixed", TypeError)(
    lambda m, dt: m.activation_backward("tanh", z(3, dt), z(3, other(dt))))
case("activation_backward", "out-dtype", TypeError)(
    lambda m, dt: m.activation_backward("tanh", z(3, dt), z(3, dt), out=z(3, other(dt))))
case("activation_backward", "out-readonly", ValueError)(
    lambda m, dt: m.activation_backward("tanh", z(3, dt), z(3, dt), out=readonly(3, dt)))
case("activation_backward", "out-partial-overlap", ValueError)(
    lambda m, dt: (lambda yo: m.activation_backward("tanh", z(8, dt), yo[0], out=yo[1]))(
        shifted_overlap(dt)))
dtype_cases("activation_backward", lambda m, dt, b: m.activation_backward("relu", z(3, dt), b(3)))

# --- softmax family ---------------------------------------------------------------------------
for _k in ("softmax_forward", "log_softmax_forward"):
    case(_k, "1d", ValueError)(lambda m, dt, k=_k: getattr(m, k)(z(3, dt)))
    case(_k, "3d", ValueError)(lambda m, dt, k=_k: getattr(m, k)(z((2, 3, 1), dt)))
    case(_k, "out-shape", ValueError)(lambda m, dt, k=_k: getattr(m, k)(z((2, 3), dt),
                                                                        out=z((3, 2), dt)))
    case(_k, "out-dtype", TypeError)(lambda m, dt, k=_k: getattr(m, k)(z((2, 3), dt),
                                                                       out=z((2, 3), other(dt))))
    case(_k, "out-readonly", ValueError)(lambda m, dt, k=_k: getattr(m, k)(
        z((2, 3), dt), out=readonly((2, 3), dt)))
    case(_k, "out-overlap", ValueError)(lambda m, dt, k=_k: (lambda ao: getattr(m, k)(
        ao[0], out=ao[1]))(square_overlap(dt)))
    dtype_cases(_k, lambda m, dt, b, k=_k: getattr(m, k)(b((2, 3))))

# --- cross-entropy ----------------------------------------------------------------------------
CE = ("cross_entropy_forward", "cross_entropy_backward", "cross_entropy_forward_backward")
for _k in CE:
    def _ce(m, k, logits, target, **kw):
        return getattr(m, k)(logits, target, **kw)

    case(_k, "logits-1d", ValueError)(lambda m, dt, k=_k: _ce(m, k, z(3, dt), np.array([0])))
    case(_k, "label-negative", IndexError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, -1, 2])))
    case(_k, "label-too-large", IndexError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, 4, 2])))
    case(_k, "label-int8-negative", IndexError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, -3, 2], np.int8)))
    case(_k, "label-uint64-huge", IndexError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, 2 ** 63 + 1, 2], np.uint64)))
    case(_k, "label-float", TypeError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0.0, 1.0, 2.0])))
    case(_k, "label-float-dtype", TypeError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0.0, 1.0, 2.0], dt)))
    case(_k, "label-bool", TypeError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([True, False, True])))
    case(_k, "label-length", ValueError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, 1])))
    case(_k, "zero-classes", ValueError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 0), dt), z((3, 0), dt)))
    case(_k, "prob-shape", ValueError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), z((3, 5), dt)))
    case(_k, "prob-3d", ValueError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), z((3, 4, 1), dt)))
    case(_k, "prob-mixed", TypeError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), z((3, 4), other(dt))))
    case(_k, "prob-int", TypeError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.zeros((3, 4), np.int64)))
    case(_k, "reduction", ValueError)(
        lambda m, dt, k=_k: _ce(m, k, z((3, 4), dt), np.array([0, 1, 2]), reduction="avg"))
    dtype_cases(_k, lambda m, dt, b, k=_k: _ce(m, k, b((3, 4)), np.array([0, 1, 2])))

for _k in CE[1:]:
    case(_k, "dlogits-dtype", TypeError)(lambda m, dt, k=_k: getattr(m, k)(
        z((3, 4), dt), np.array([0, 1, 2]), dlogits=z((3, 4), other(dt))))
    case(_k, "dlogits-shape", ValueError)(lambda m, dt, k=_k: getattr(m, k)(
        z((3, 4), dt), np.array([0, 1, 2]), dlogits=z((4, 3), dt)))
    case(_k, "dlogits-readonly", ValueError)(lambda m, dt, k=_k: getattr(m, k)(
        z((3, 4), dt), np.array([0, 1, 2]), dlogits=readonly((3, 4), dt)))
    case(_k, "dlogits-overlaps-logits", ValueError)(lambda m, dt, k=_k: (
        lambda ao: getattr(m, k)(ao[0], np.array([0, 1, 2, 3]), dlogits=ao[1]))(
        square_overlap(dt)))
    case(_k, "dlogits-overlaps-target", ValueError)(lambda m, dt, k=_k: (
        lambda ao: getattr(m, k)(z((4, 4), dt), ao[0], dlogits=ao[1]))(square_overlap(dt)))

# --- squared error / perceptron ---------------------------------------------------------------
for _k, _dname in (("squared_error", "dy"), ("perceptron", "dscores")):
    for _suffix in ("_forward", "_backward"):
        kn = _k + _suffix
        case(kn, "shape-mismatch", ValueError)(
            lambda m, dt, k=kn: getattr(m, k)(ones(3, dt), ones(4, dt)))
        case(kn, "shape-mismatch-2d", ValueError)(
            lambda m, dt, k=kn: getattr(m, k)(ones((3, 2), dt), ones((2, 3), dt)))
        case(kn, "3d", ValueError)(
            lambda m, dt, k=kn: getattr(m, k)(ones((3, 2, 1), dt), ones((3, 2, 1), dt)))
        case(kn, "0d", ValueError)(
            lambda m, dt, k=kn: getattr(m, k)(ones((), dt), ones((), dt)))
        case(kn, "mixed", TypeError)(
            lambda m, dt, k=kn: getattr(m, k)(ones(3, dt), ones(3, other(dt))))
        case(kn, "reduction", ValueError)(
            lambda m, dt, k=kn: getattr(m, k)(ones(3, dt), ones(3, dt), reduction="none"))
        dtype_cases(kn, lambda m, dt, b, k=kn: getattr(m, k)(ones(3, dt), b(3)))
    kb = _k + "_backward"
    case(kb, "out-dtype", TypeError)(lambda m, dt, k=kb, o=_dname: getattr(m, k)(
        ones(3, dt), ones(3, dt), **{o: z(3, other(dt))}))
    case(kb, "out-shape", ValueError)(lambda m, dt, k=kb, o=_dname: getattr(m, k)(
        ones(3, dt), ones(3, dt), **{o: z(4, dt)}))
    case(kb, "out-readonly", ValueError)(lambda m, dt, k=kb, o=_dname: getattr(m, k)(
        ones(3, dt), ones(3, dt), **{o: readonly(3, dt)}))
    case(kb, "out-partial-overlap", ValueError)(lambda m, dt, k=kb, o=_dname: (
        lambda yo: getattr(m, k)(yo[0], ones(8, dt), **{o: yo[1]}))(shifted_overlap(dt)))

for kn in ("perceptron_forward", "perceptron_backward"):
    for label, vals in (("zero", [1.0, 0.0, -1.0]), ("two", [1.0, 2.0, -1.0]),
                        ("nan", [1.0, np.nan, -1.0]), ("half", [1.0, -0.5, -1.0])):
        case(kn, f"d-{label}", ValueError)(
            lambda m, dt, k=kn, v=vals: getattr(m, k)(ones(3, dt), np.array(v, dt)))

# --- optimizers -------------------------------------------------------------------------------
case("sgd_step", "momentum-without-velocity", ValueError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, dt), 0.1, momentum=0.9))
case("sgd_step", "nesterov-without-momentum", ValueError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, dt), 0.1, nesterov=True, velocity=z(3, dt)))
case("sgd_step", "param-not-contiguous", ValueError)(
    lambda m, dt: m.sgd_step(z(6, dt)[::2], z(3, dt), 0.1))
case("sgd_step", "param-fortran", ValueError)(
    lambda m, dt: m.sgd_step(np.asfortranarray(z((3, 2), dt)), z((3, 2), dt), 0.1))
case("sgd_step", "param-readonly", ValueError)(
    lambda m, dt: m.sgd_step(readonly(3, dt), z(3, dt), 0.1))
case("sgd_step", "param-list", TypeError)(
    lambda m, dt: m.sgd_step([0.0, 0.0], z(2, dt), 0.1))
case("sgd_step", "grad-shape", ValueError)(lambda m, dt: m.sgd_step(z(3, dt), z(4, dt), 0.1))
case("sgd_step", "grad-mixed", TypeError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, other(dt)), 0.1))
case("sgd_step", "velocity-dtype", TypeError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, dt), 0.1, momentum=0.9, velocity=z(3, other(dt))))
case("sgd_step", "velocity-shape", ValueError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, dt), 0.1, momentum=0.9, velocity=z(4, dt)))
case("sgd_step", "velocity-readonly", ValueError)(
    lambda m, dt: m.sgd_step(z(3, dt), z(3, dt), 0.1, momentum=0.9, velocity=readonly(3, dt)))
case("sgd_step", "velocity-is-param", ValueError)(
    lambda m, dt: (lambda p: m.sgd_step(p, z(3, dt), 0.1, momentum=0.9, velocity=p))(z(3, dt)))
dtype_cases("sgd_step", lambda m, dt, b: m.sgd_step(z(3, dt), b(3), 0.1))
dtype_cases("sgd_step", lambda m, dt, b: m.sgd_step(b(3), z(3, dt), 0.1))

case("adam_step", "step-zero", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 0))
case("adam_step", "step-float", TypeError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 1.0))
case("adam_step", "beta1-one", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 1, beta1=1.0))
case("adam_step", "beta2-nan", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 1, beta2=np.nan))
case("adam_step", "eps-negative", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 1, eps=-1.0))
case("adam_step", "lr-inf", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), np.inf, z(3, dt), z(3, dt), 1))
case("adam_step", "m-none", TypeError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, None, z(3, dt), 1))
case("adam_step", "v-list", TypeError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), [0.0] * 3, 1))
case("adam_step", "param-not-contiguous", ValueError)(
    lambda m, dt: m.adam_step(z(6, dt)[::2], z(3, dt), 0.1, z(3, dt), z(3, dt), 1))
case("adam_step", "param-readonly", ValueError)(
    lambda m, dt: m.adam_step(readonly(3, dt), z(3, dt), 0.1, z(3, dt), z(3, dt), 1))
case("adam_step", "grad-shape", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(4, dt), 0.1, z(3, dt), z(3, dt), 1))
case("adam_step", "grad-mixed", TypeError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, other(dt)), 0.1, z(3, dt), z(3, dt), 1))
case("adam_step", "m-dtype", TypeError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, other(dt)), z(3, dt), 1))
case("adam_step", "v-shape", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(3, dt), z(4, dt), 1))
case("adam_step", "m-readonly", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, readonly(3, dt), z(3, dt), 1))
case("adam_step", "m-not-contiguous", ValueError)(
    lambda m, dt: m.adam_step(z(3, dt), z(3, dt), 0.1, z(6, dt)[::2], z(3, dt), 1))
case("adam_step", "m-is-param", ValueError)(
    lambda m, dt: (lambda p: m.adam_step(p, z(3, dt), 0.1, p, z(3, dt), 1))(z(3, dt)))
case("adam_step", "v-is-m", ValueError)(
    lambda m, dt: (lambda mv: m.adam_step(z(3, dt), z(3, dt), 0.1, mv, mv, 1))(z(3, dt)))
case("adam_step", "v-overlaps-grad", ValueError)(
    lambda m, dt: (lambda gv: m.adam_step(z(8, dt), gv[0], 0.1, z(8, dt), gv[1], 1))(
        shifted_overlap(dt)))
dtype_cases("adam_step", lambda m, dt, b: m.adam_step(z(3, dt), b(3), 0.1, z(3, dt), z(3, dt), 1))
dtype_cases("adam_step", lambda m, dt, b: m.adam_step(b(3), z(3, dt), 0.1, b(3), b(3), 1))

case("average_step", "negative-n", ValueError)(lambda m, dt: m.average_step(z(3, dt), z(3, dt), -1))
case("average_step", "shape", ValueError)(lambda m, dt: m.average_step(z(3, dt), z(4, dt), 1))
case("average_step", "avg-readonly", ValueError)(
    lambda m, dt: m.average_step(readonly(3, dt), z(3, dt), 1))
case("average_step", "mixed", TypeError)(
    lambda m, dt: m.average_step(z(3, dt), z(3, other(dt)), 1))
case("average_step", "avg-is-param-overlap", ValueError)(
    lambda m, dt: (lambda ao: m.average_step(ao[1], ao[0], 1))(shifted_overlap(dt)))
dtype_cases("average_step", lambda m, dt, b: m.average_step(b(3), z(3, dt), 1))


@pytest.mark.parametrize("impl", ["kernels", "reference"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("kernel,call,exc", CASES)
def test_bad_input(impl, dtype, kernel, call, exc):
    m = K if impl == "kernels" else R
    with pytest.raises(exc, match=rf"^\[{kernel}\]"):
        call(m, dtype)


@pytest.mark.parametrize("impl", ["kernels", "reference"])
def test_unknown_activation_lists_valid_names(impl):
    m = K if impl == "kernels" else R
    with pytest.raises(ValueError, match=r"^\[activation_forward\]") as info:
        m.activation_forward("gelu", np.zeros(2))
    for name in K.ACTIVATIONS:
        assert name in str(info.value)


def test_message_names_what_was_wrong():
    with pytest.raises(TypeError) as info:
        K.softmax_forward(np.zeros(3, np.int64))
    assert str(info.value).startswith("[softmax_forward]")
    assert "int64" in str(info.value)
    with pytest.raises(ValueError) as info:
        K.softmax_forward(np.zeros(3))
    assert "(3,)" in str(info.value)


def test_every_kernel_has_a_case():
    names = {p.values[0] for p in CASES}
    kernels = {n for n in R.__all__ if n != "ACTIVATIONS"}
    assert kernels <= names, kernels - names
    assert set(dir(K)) >= kernels
