"""dlogits must not share memory with the int64 class labels the kernel reads.

Before the fix, dlogits was checked against the logits only: a dlogits carved out of the
labels' memory was accepted, and the kernel overwrote labels (already range-checked) with
float bits while it still read them, indexing rows out of bounds.
"""

import numpy as np
import pytest

import mlpcore.kernels as K


@pytest.mark.parametrize("kernel", ["cross_entropy_backward", "cross_entropy_forward_backward"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dlogits_overlapping_labels_is_refused(kernel, dtype):
    n, k = 64, 8
    buf = np.zeros(n * k * np.dtype(dtype).itemsize + 8 * n, np.uint8)
    labels = buf[: 8 * n].view(np.int64)
    labels[:] = np.arange(n) % k
    dlogits = buf[: n * k * np.dtype(dtype).itemsize].view(dtype).reshape(n, k)  # same start
    logits = np.random.default_rng(0).standard_normal((n, k)).astype(dtype) * 1e3
    with pytest.raises(ValueError, match=rf"^\[{kernel}\] dlogits must not share memory with target"):
        getattr(K, kernel)(logits, labels, dlogits)
    np.testing.assert_array_equal(labels, np.arange(n) % k)


def test_labels_next_to_dlogits_still_accepted():
    buf = np.zeros(16 + 8, np.float64)
    labels = buf[16:].view(np.int64)
    labels[:] = [0, 1, 2, 3, 0, 1, 2, 3]
    dlogits = buf[:16].reshape(4, 4)
    logits = np.zeros((8, 4))[:4]
    K.cross_entropy_backward(logits, labels[:4], dlogits)
    np.testing.assert_array_equal(labels, [0, 1, 2, 3, 0, 1, 2, 3])
