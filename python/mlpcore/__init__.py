"""mlpcore: fast C++ kernels and course-exact models for small neural networks.

``mlpcore.kernels`` holds the compiled kernels (GEMM, activations, softmax,
losses, dense layer, SGD), ``mlpcore.reference`` their NumPy twins with the same
signatures. Threads: ``set_num_threads``, ``get_num_threads``, ``num_threads``.
"""

from . import _core, kernels, reference
from ._runtime import build_info, get_num_threads, num_threads, set_num_threads

__version__ = _core._build_info()["version"]

__all__ = [
    "__version__",
    "build_info",
    "get_num_threads",
    "kernels",
    "num_threads",
    "reference",
    "set_num_threads",
]
