"""Where the installed package keeps the C++ core for other projects.

A wheel (``pip install``) carries, inside the package directory, the public headers
(``include/mlpcore/*.hpp``), the static library (``lib/``) and a CMake package
(``lib/cmake/mlpcore/mlpcoreConfig.cmake``, imported target ``mlpcore::core``). A source
tree used through ``PYTHONPATH`` has none of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["get_cmake_dir", "get_include"]


def _package_dirs() -> list[Path]:
    # The directory of this file first, then any other directory of the package
    # (an editable install may spread the package over the source and install trees).
    dirs = [Path(__file__).resolve().parent]
    package = sys.modules.get(__package__ or "")
    for entry in getattr(package, "__path__", None) or []:
        path = Path(entry).resolve()
        if path not in dirs:
            dirs.append(path)
    return dirs


def _find(relative: str, marker: str, what: str) -> str:
    dirs = _package_dirs()
    for base in dirs:
        candidate = base / relative
        if (candidate / marker).is_file():
            return str(candidate)
    searched = ", ".join(str(base / relative) for base in dirs)
    raise FileNotFoundError(
        f"mlpcore's {what} not found (looked for {marker} in {searched}): this mlpcore was "
        "not installed from a wheel (pip install), e.g. a source tree on PYTHONPATH; "
        "build and install it with `pip install .`")


def get_include() -> str:
    """The directory to add to the include path of a C++ program that embeds the core.

    It holds ``mlpcore/nn.hpp`` and the other public headers.

    Returns
    -------
    str
        The directory.

    Raises
    ------
    FileNotFoundError
        Outside an installed package (a source tree on PYTHONPATH).

    See Also
    --------
    get_cmake_dir

    Examples
    --------
    >>> import os
    >>> import mlpcore
    >>> try:
    ...     found = os.path.isfile(os.path.join(mlpcore.get_include(), "mlpcore", "nn.hpp"))
    ... except FileNotFoundError:  # a source tree on PYTHONPATH
    ...     found = True
    >>> found
    True
    """
    return _find("include", "mlpcore/nn.hpp", "C++ headers")


def get_cmake_dir() -> str:
    """The directory holding ``mlpcoreConfig.cmake``, for ``-Dmlpcore_DIR=...``.

    With it (or CMAKE_PREFIX_PATH), ``find_package(mlpcore CONFIG)`` gives the target
    ``mlpcore::core``.

    Returns
    -------
    str
        The directory.

    Raises
    ------
    FileNotFoundError
        Outside an installed package (a source tree on PYTHONPATH).

    See Also
    --------
    get_include

    Examples
    --------
    >>> import os
    >>> import mlpcore
    >>> try:
    ...     found = os.path.isfile(os.path.join(mlpcore.get_cmake_dir(), "mlpcoreConfig.cmake"))
    ... except FileNotFoundError:  # a source tree on PYTHONPATH
    ...     found = True
    >>> found
    True
    """
    return _find("lib/cmake/mlpcore", "mlpcoreConfig.cmake", "CMake package")
