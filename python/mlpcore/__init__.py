"""mlpcore: fast C++ kernels and course-exact models for small neural networks.

The course's objects: ``Perceptron``, ``LogisticRegression``, ``LinearRegression``,
``MLPClassifier``, ``MLPRegressor`` (scikit-learn conventions) and the network
itself, ``MLP``. ``mlpcore.kernels`` holds the compiled kernels (GEMM,
activations, softmax, losses, dense layer, SGD), ``mlpcore.reference`` their NumPy
twins with the same signatures. Threads: ``set_num_threads``, ``get_num_threads``,
``num_threads``. ``mlpcore.plot`` draws loss curves, decision boundaries and confusion
matrices (with matplotlib); ``get_include`` and ``get_cmake_dir`` locate the C++ headers and
the CMake package of the compiled core.
"""

from . import _core, datasets, features, kernels, plot, reference
from ._exceptions import ConvergenceWarning, NotFittedError
from ._paths import get_cmake_dir, get_include
from ._runtime import build_info, get_num_threads, num_threads, set_num_threads
from .estimators import (
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    Perceptron,
)
from .network import MLP
from .persistence import ModelFileError, load, save

__version__ = _core._build_info()["version"]

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
    "__version__",
    "build_info",
    "datasets",
    "features",
    "get_cmake_dir",
    "get_include",
    "get_num_threads",
    "kernels",
    "load",
    "num_threads",
    "plot",
    "reference",
    "save",
    "set_num_threads",
]
