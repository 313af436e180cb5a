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
get_thread_num_threads = _core.get_thread_num_threads
set_thread_num_threads = _core.set_thread_num_threads

SCOPES = ("process", "thread")


def num_threads(n: int, *, scope: str = "process") -> contextlib.AbstractContextManager[None]:
    """Run the enclosed kernels with ``n`` threads, then restore the previous count.

    Parameters
    ----------
    n : int
        The thread count inside the ``with`` block, from 1 to 4096.
    scope : {"process", "thread"}, default "process"
        "process": the process-wide count (``set_num_threads``), which every thread
        without a count of its own uses. "thread": the calling thread's own count
        (``set_thread_num_threads``) alone, which other threads and the process-wide
        count do not see; it is not capped by OpenMP's setting (OMP_NUM_THREADS), so a
        Dask task or a thread of a pool can run its kernels with ``n`` threads without
        changing anyone else's.

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
    >>> import threading
    >>> def task():
    ...     with mlpcore.num_threads(2, scope="thread"):
    ...         print(mlpcore.get_num_threads())
    >>> with mlpcore.num_threads(1):
    ...     worker = threading.Thread(target=task)
    ...     worker.start(); worker.join()
    ...     print(mlpcore.get_num_threads())
    2
    1
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"[num_threads] n must be an int, got {type(n).__name__}")
    if not 1 <= n <= 4096:
        raise ValueError(f"[num_threads] n must be between 1 and 4096, got {n}")
    if scope == "process":
        return _process_threads(n)
    if scope == "thread":
        return _thread_threads(n)
    raise ValueError(f"[num_threads] scope must be one of {', '.join(map(repr, SCOPES))}, "
                     f"got {scope!r}")


@contextlib.contextmanager
def _process_threads(n: int) -> Iterator[None]:
    previous = _core._get_process_num_threads()  # not the thread's own count, if it has one
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


@contextlib.contextmanager
def _thread_threads(n: int) -> Iterator[None]:
    previous = get_thread_num_threads()
    set_thread_num_threads(n)
    try:
        yield
    finally:
        set_thread_num_threads(previous)


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
