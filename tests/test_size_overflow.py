"""Output sizes that overflow 64-bit arithmetic are refused before anything is allocated.

Zero-stride views (numpy.lib.stride_tricks.as_strided) are tiny in memory but can have huge
shapes; the product of two of them, or a layer applied to one, would need an output whose
size in bytes does not fit in 64 bits. The binding must raise OverflowError naming the kernel
(not numpy's unnamed ValueError, a MemoryError or a crash), without allocating or computing.
"""

import resource

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import mlpcore.kernels as K

DTYPES = (np.float32, np.float64)


def huge(shape, dtype):
    """A read-only view of one element with the given (huge) shape: every stride is 0."""
    return as_strided(np.zeros(1, dtype), shape=shape, strides=(0,) * len(shape), writeable=False)


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused(kernel, fn):
    before = maxrss_mb()
    with pytest.raises(OverflowError) as info:
        fn()
    msg = str(info.value)
    assert msg.startswith(f"[{kernel}]"), msg
    assert "overflows 64-bit" in msg, msg
    assert maxrss_mb() - before < 50, "memory was allocated before the refusal"
    return msg


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n", [(2**40, 2**40), (2**32, 2**32), (2**58, 2**6), (2**3, 2**58),
                                 (2**31 + 1, 2**31 + 1)])
def test_matmul_output_overflow(dtype, m, n):
    a, b = huge((m, 1), dtype), huge((1, n), dtype)
    msg = refused("matmul", lambda: K.matmul(a, b))
    assert f"({m}, {n})" in msg


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_forward_output_overflow(dtype):
    x, w = huge((2**40, 1), dtype), huge((1, 2**40), dtype)
    b = huge((2**40,), dtype)
    refused("linear_forward", lambda: K.linear_forward(x, w))
    refused("linear_forward", lambda: K.linear_forward(x, w, b, "relu"))


def test_linear_backward_huge_output_is_a_memory_error():
    # dx has the shape of x, which exists: its size fits in 64 bits but cannot be allocated
    x, w, dz = huge((2**29, 2**30), np.float32), huge((2**30, 1), np.float32), huge((2**29, 1), np.float32)
    with pytest.raises(MemoryError) as info:
        K.linear_backward(x, w, dz)
    assert str(info.value).startswith("[linear_backward] cannot allocate dx"), str(info.value)


@pytest.mark.parametrize("kernel", ["softmax_forward", "log_softmax_forward"])
def test_softmax_of_huge_view_is_refused_or_memory_error(kernel):
    # The input exists (2^60 float32 values in 4 bytes of memory), so the output size fits in
    # 64 bits: no overflow, but it cannot be allocated. The error must still name the kernel.
    a = huge((2**29, 2**30), np.float32)
    before = maxrss_mb()
    with pytest.raises(MemoryError) as info:
        getattr(K, kernel)(a)
    assert str(info.value).startswith(f"[{kernel}] cannot allocate"), str(info.value)
    assert maxrss_mb() - before < 50


def test_matmul_huge_but_representable_output_is_a_memory_error():
    a, b = huge((2**29, 1), np.float64), huge((1, 2**30), np.float64)   # 4 EiB: fits in int64
    with pytest.raises(MemoryError) as info:
        K.matmul(a, b)
    assert str(info.value).startswith("[matmul] cannot allocate out of shape"), str(info.value)


def test_given_out_of_a_huge_shape_is_checked_not_allocated():
    a, b = huge((2**40, 1), np.float64), huge((1, 2**40), np.float64)
    with pytest.raises(ValueError, match=r"^\[matmul\] out must have shape"):
        K.matmul(a, b, out=np.zeros((2, 2)))


@pytest.mark.parametrize("n", [2**63, 2**64, 2**100, -2**63 - 1])
def test_average_step_count_overflow(n):
    avg, p = np.zeros(3), np.ones(3)
    with pytest.raises(OverflowError, match=r"^\[average_step\] n must fit"):
        K.average_step(avg, p, n)
    np.testing.assert_array_equal(avg, 0)


def test_small_outputs_still_work():
    # zero-stride inputs with a small output are computed, not refused
    a, b = huge((3, 2**20), np.float64), huge((2**20, 2), np.float64)
    np.testing.assert_array_equal(K.matmul(a, b), np.zeros((3, 2)))
