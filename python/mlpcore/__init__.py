"""mlpcore: fast C++ kernels and course-exact models for small neural networks.

The course's objects: ``Perceptron``, ``LogisticRegression``, ``LinearRegression``,
``MLPClassifier``, ``MLPRegressor`` (scikit-learn conventions) and the network
itself, ``MLP``. ``mlpcore.kernels`` holds the compiled kernels (GEMM,
activations, softmax, losses, dense layer, SGD), ``mlpcore.reference`` their NumPy
twins with the same signatures. Threads: ``set_num_threads``, ``get_num_threads``,
``num_threads`` (``scope="thread"``: the calling thread's own count),
``set_thread_num_threads``, ``get_thread_num_threads``. ``mlpcore.plot`` draws loss curves, decision boundaries and confusion
matrices (with matplotlib); ``get_include`` and ``get_cmake_dir`` locate the C++ headers and
the CMake package of the compiled core.
"""

import importlib

from ._openmp import passive_wait_policy

with passive_wait_policy():
    from . import _core

    _core.get_num_threads()  # starts the OpenMP runtime, which reads the policy

from . import kernels
from ._paths import get_cmake_dir, get_include
from ._runtime import (
    build_info,
    get_num_threads,
    get_thread_num_threads,
    num_threads,
    set_num_threads,
    set_thread_num_threads,
)

__version__ = _core._build_info()["version"]

# Loaded on first use: the estimators, the transformers and the exceptions are
# scikit-learn's classes where it is installed, and importing scikit-learn takes a
# second or more that `import mlpcore` (and every command line call) should not pay;
# the other modules load what only some programs need (zipfile, csv, json, ...).
_LAZY = {
    "LinearRegression": ".estimators",
    "LogisticRegression": ".estimators",
    "MLPClassifier": ".estimators",
    "MLPRegressor": ".estimators",
    "Perceptron": ".estimators",
    "ConvergenceWarning": "._exceptions",
    "NotFittedError": "._exceptions",
    "MLP": ".network",
    "Standardized": ".standardized",
    "ModelFileError": ".persistence",
    "load": ".persistence",
    "save": ".persistence",
    # submodules
    "datasets": None,
    "features": None,
    "plot": None,
    "reference": None,
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _LAZY[name]
    value = importlib.import_module(f".{name}" if module is None else module, __name__)
    if module is not None:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

__all__ = [
    "MLP",
    "ConvergenceWarning",
    "LinearRegression",
    "LogisticRegression",
    "MLPClassifier",
    "MLPRegressor",
    "ModelFileError",
    "NotFittedError",
    "Perceptron",
    "Standardized",
    "__version__",
    "build_info",
    "datasets",
    "features",
    "get_cmake_dir",
    "get_include",
    "get_num_threads",
    "get_thread_num_threads",
    "kernels",
    "load",
    "num_threads",
    "plot",
    "reference",
    "save",
    "set_num_threads",
    "set_thread_num_threads",
]
