"""Thread count and build information of the compiled core."""

from __future__ import annotations

import contextlib
import os
import platform
import warnings
from typing import Iterator

from . import _core, _openmp

get_num_threads = _core.get_num_threads
set_num_threads = _core.set_num_threads


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Run the enclosed kernels with ``n`` threads, then restore the previous count.

    Parameters
    ----------
    n : int
        The thread count inside the ``with`` block.

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager that sets and then restores the count.

    Examples
    --------
    >>> import mlpcore
    >>> with mlpcore.num_threads(1):
    ...     print(mlpcore.get_num_threads())
    1
    """
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_info() -> dict:
    """What this build of the compiled core is and runs on.

    Returns
    -------
    dict
        "version", "compiler", "openmp" (the runtime), "openmp_wait_policy",
        "num_threads", "max_threads", "isa" (the SIMD path in use: "avx512", "avx2" or
        "generic"), "isas_available" and "cpu".

    Examples
    --------
    >>> import mlpcore
    >>> info = mlpcore.build_info()
    >>> info["version"] == mlpcore.__version__, info["isa"] in info["isas_available"]
    (True, True)
    """
    info = _core._build_info()
    info["cpu"] = f"{_cpu_name()} ({platform.machine()}, {os.cpu_count()} logical cpus)"
    info["openmp_wait_policy"] = _openmp.wait_policy
    return info


def _check_forced_isa() -> None:
    # The core reads MLPCORE_ISA itself; say so when the request could not be honoured.
    forced = os.environ.get("MLPCORE_ISA")
    if forced:
        info = build_info()
        if forced != info["isa"]:
            warnings.warn(
                f"MLPCORE_ISA={forced!r} is not available here (available: "
                f"{', '.join(info['isas_available'])}); using {info['isa']!r}",
                RuntimeWarning,
                stacklevel=3,
            )


_check_forced_isa()
