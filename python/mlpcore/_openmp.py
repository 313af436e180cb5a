"""Loads the compiled core with an OpenMP runtime whose idle threads sleep.

GNU OpenMP's default lets each idle worker spin for milliseconds after a parallel
region. On a machine where another process keeps a core busy, those spinning workers
take time slices from the thread doing the work: a fit on digits ran 2-3x slower on 2
threads than on 1. With the passive policy a worker sleeps as soon as it is idle and a
region pays 15-35 us to wake it, which the kernels' sizing of parallel regions
(``kMinWorkPerThread`` in runtime.hpp) keeps small.

The runtime reads the policy once, when it starts, so it is set only while the core
loads and starts OpenMP, and only where the user set none; the environment is restored
afterwards, so child processes and other libraries see the user's. (During those
milliseconds another thread of the process would see the variable too: import mlpcore
before starting threads that launch processes.) Where the process had loaded the same
OpenMP runtime before mlpcore, its policy stays what it was.

A user's OMP_WAIT_POLICY or GOMP_SPINCOUNT is kept. KMP_BLOCKTIME is not a reason to
leave the policy alone: GNU OpenMP ignores it, and LLVM's and Intel's runtimes, which
read it, let it override the passive policy set here.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

# Variables by which a user chooses the wait policy of GNU OpenMP.
USER_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")

wait_policy = "unknown"  # for build_info(): what the loaded runtime was given


def _openmp_libraries() -> set:
    """Paths of the OpenMP runtimes mapped into this process (Linux; empty elsewhere)."""
    try:
        with open("/proc/self/maps") as f:
            return {line.split()[-1] for line in f if "omp" in line.rsplit("/", 1)[-1]}
    except OSError:
        return set()


@contextlib.contextmanager
def passive_wait_policy() -> Iterator[None]:
    global wait_policy
    chosen = [f"{name}={os.environ[name]}" for name in USER_SETTINGS if os.environ.get(name)]
    if chosen:
        wait_policy = ", ".join(chosen) + " (from the environment)"
        yield
        return
    before = _openmp_libraries()
    saved = os.environ.get("OMP_WAIT_POLICY")
    os.environ["OMP_WAIT_POLICY"] = "passive"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["OMP_WAIT_POLICY"]
        else:
            os.environ["OMP_WAIT_POLICY"] = saved
    if not sys.platform.startswith("linux"):
        wait_policy = "passive, unless the process loaded its OpenMP runtime before mlpcore"
    elif not (_openmp_libraries() - before):
        wait_policy = "as the process set it (its OpenMP runtime was loaded before mlpcore)"
    else:
        wait_policy = "passive (set by mlpcore)"
