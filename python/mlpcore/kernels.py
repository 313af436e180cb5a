"""The compiled kernels of mlpcore.

Every function here has a NumPy twin of the same name and signature in
``mlpcore.reference``; each docstring gives the tolerance between the two.
float32 and float64 are both native and the output has the dtype of the inputs.
Arrays that a kernel writes into (``out``, gradients, ``param``) must already have
the right dtype and shape, in this machine's byte order, and be writeable: they are
never converted. Float inputs in the other byte order are read through a native copy.

A long kernel called from Python's main thread looks for pending signals every
0.1 s: Ctrl-C raises KeyboardInterrupt, and the contents of its output arrays are
then unspecified. In a process made by fork() (a fork-start multiprocessing pool)
the kernels run on one thread, since the parent's OpenMP threads do not survive it.
"""

from ._core import (
    ACTIVATIONS,
    LOSSES,
    activation_backward,
    activation_forward,
    adam_step,
    average_step,
    cross_entropy_backward,
    cross_entropy_forward,
    cross_entropy_forward_backward,
    gemm,
    linear_backward,
    linear_forward,
    log_softmax_forward,
    matmul,
    perceptron_backward,
    perceptron_forward,
    sgd_step,
    softmax_forward,
    squared_error_backward,
    squared_error_forward,
)

__all__ = [
    "ACTIVATIONS",
    "activation_backward",
    "activation_forward",
    "adam_step",
    "average_step",
    "cross_entropy_backward",
    "cross_entropy_forward",
    "cross_entropy_forward_backward",
    "gemm",
    "linear_backward",
    "linear_forward",
    "log_softmax_forward",
    "matmul",
    "perceptron_backward",
    "perceptron_forward",
    "sgd_step",
    "softmax_forward",
    "squared_error_backward",
    "squared_error_forward",
]
