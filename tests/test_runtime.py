"""Runtime settings: thread count (process-wide and per thread), the num_threads context,
build_info, the SIMD path."""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import mlpcore
import mlpcore._core as core
from conftest import in_new_thread

ISAS = ("generic", "avx2", "avx512")


def _env(**extra):
    env = dict(os.environ)
    pkg_root = str(Path(mlpcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([pkg_root] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update(extra)
    return env


def test_set_get_num_threads():
    before = mlpcore.get_num_threads()
    try:
        for n in (1, 2, 3):
            mlpcore.set_num_threads(n)
            assert mlpcore.get_num_threads() == n
            assert mlpcore.build_info()["num_threads"] == n
    finally:
        mlpcore.set_num_threads(before)
    assert mlpcore.get_num_threads() == before


def test_num_threads_context_restores():
    before = mlpcore.get_num_threads()
    with mlpcore.num_threads(1):
        assert mlpcore.get_num_threads() == 1
        with mlpcore.num_threads(3):
            assert mlpcore.get_num_threads() == 3
        assert mlpcore.get_num_threads() == 1
    assert mlpcore.get_num_threads() == before
    with pytest.raises(RuntimeError, match="boom"):
        with mlpcore.num_threads(2):
            raise RuntimeError("boom")
    assert mlpcore.get_num_threads() == before


def test_a_threads_own_count_changes_no_other_threads_count():
    process = mlpcore.get_num_threads()
    fresh = in_new_thread(mlpcore.get_num_threads)  # a thread without a count of its own
    n = max(process, fresh) + 1
    entered, leave = threading.Event(), threading.Event()
    seen = []

    def worker():
        with mlpcore.num_threads(n, scope="thread"):
            seen.append((mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()))
            entered.set()
            leave.wait(60)
        seen.append((mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()))

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(60)
        # while the worker is inside its scope: this thread, the process-wide count and
        # any other thread are as they were
        assert mlpcore.get_num_threads() == process
        assert mlpcore.get_thread_num_threads() == 0
        assert mlpcore.build_info()["num_threads"] == process
        assert in_new_thread(mlpcore.get_num_threads) == fresh
        assert in_new_thread(mlpcore.get_thread_num_threads) == 0
    finally:
        leave.set()
        thread.join()
    assert seen == [(n, n), (fresh, 0)]


def test_thread_scope_nests_takes_precedence_and_restores_on_exception():
    process = mlpcore.get_num_threads()
    with mlpcore.num_threads(3, scope="thread"):
        assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == (3, 3)
        with mlpcore.num_threads(1, scope="thread"):
            assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == (1, 1)
        assert mlpcore.get_thread_num_threads() == 3
        with mlpcore.num_threads(2):  # the process-wide count: the thread's own wins here
            assert mlpcore.get_num_threads() == 3
            assert in_new_thread(mlpcore.get_thread_num_threads) == 0
        assert mlpcore.get_num_threads() == 3
    assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == (process, 0)
    with pytest.raises(RuntimeError, match="boom"):
        with mlpcore.num_threads(2, scope="thread"):
            raise RuntimeError("boom")
    assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == (process, 0)


def test_set_thread_num_threads_sets_and_clears():
    process = mlpcore.get_num_threads()
    try:
        mlpcore.set_thread_num_threads(process + 1)
        assert mlpcore.get_num_threads() == process + 1
        assert mlpcore.get_thread_num_threads() == process + 1
    finally:
        mlpcore.set_thread_num_threads(0)
    assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == (process, 0)
    for bad in (-1, 4097):
        with pytest.raises(ValueError, match="between 0 and 4096"):
            mlpcore.set_thread_num_threads(bad)
    for bad in (1.0, True, "2", None):
        with pytest.raises(TypeError, match="must be an int"):
            mlpcore.set_thread_num_threads(bad)
    assert mlpcore.get_thread_num_threads() == 0


@pytest.mark.parametrize("scope", ["process", "thread"])
def test_num_threads_validates_n_before_changing_anything(scope):
    before = mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()
    for bad in (0, -1, 4097):
        with pytest.raises(ValueError, match=r"\[num_threads\] n must be between 1 and 4096"):
            mlpcore.num_threads(bad, scope=scope)
    for bad in (2.0, True, "2", None):
        with pytest.raises(TypeError, match=r"\[num_threads\] n must be an int"):
            mlpcore.num_threads(bad, scope=scope)
    assert (mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()) == before


def test_num_threads_validates_scope():
    for bad in ("processes", "Thread", None, 1):
        with pytest.raises(ValueError, match="scope must be one of 'process', 'thread'"):
            mlpcore.num_threads(2, scope=bad)  # raised on the call, before any ``with``
    with pytest.raises(TypeError):
        mlpcore.num_threads(2, "thread")  # scope is keyword-only


# A process started as Dask's nanny starts its workers, with OMP_NUM_THREADS=1: a
# thread's own count is not capped by it, and reaches the GEMM (whose second thread
# stays in OpenMP's pool after the region, one more task of the process on Linux).
OMP_ONE = """
import os, sys
import numpy as np
import mlpcore
from mlpcore import kernels as K
def tasks():
    return len(os.listdir("/proc/self/task")) if sys.platform == "linux" else 1
a = np.ones((600, 600))
expected = K.matmul(a, a)
before = tasks()
with mlpcore.num_threads(2, scope="thread"):
    inside = mlpcore.get_num_threads()
    same = np.array_equal(K.matmul(a, a), expected)
print(mlpcore.get_num_threads(), inside, same, tasks() - before, os.environ["OMP_NUM_THREADS"])
"""


def test_a_threads_own_count_is_not_capped_by_omp_num_threads():
    r = subprocess.run([sys.executable, "-c", OMP_ONE], capture_output=True, text=True,
                       env=_env(OMP_NUM_THREADS="1"), timeout=60)
    assert r.returncode == 0, r.stderr
    process, inside, same, new_tasks, variable = r.stdout.split()
    assert (process, inside, same, variable) == ("1", "2", "True", "1")
    if sys.platform == "linux":
        assert new_tasks == "1", "the product did not run on 2 threads"


def test_build_info():
    info = mlpcore.build_info()
    assert {"version", "compiler", "openmp", "num_threads", "isa", "isas_available"} <= set(info)
    assert isinstance(info["version"], str) and info["version"]
    assert isinstance(info["compiler"], str) and info["compiler"]
    assert info["num_threads"] == mlpcore.get_num_threads()
    assert info["isa"] in ISAS
    assert list(info["isas_available"]) == list(core._available_isas())
    assert info["isa"] in info["isas_available"]
    assert "generic" in info["isas_available"]
    assert set(info["isas_available"]) <= set(ISAS)


def test_default_isa_is_the_widest():
    order = [i for i in ISAS if i in core._available_isas()]
    if os.environ.get("MLPCORE_ISA"):
        pytest.skip("MLPCORE_ISA chooses the path in this process")
    assert mlpcore.build_info()["isa"] == order[-1]


def test_set_isa_switches_and_restores(isa):
    assert mlpcore.build_info()["isa"] == isa


def test_module_info_command():
    r = subprocess.run([sys.executable, "-m", "mlpcore", "info"], capture_output=True, text=True,
                       env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert mlpcore.build_info()["isa"] in r.stdout


def test_mlpcore_isa_environment_variable():
    code = "import mlpcore; print(mlpcore.build_info()['isa'])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=_env(MLPCORE_ISA="generic"), timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "generic"


def test_threadpoolctl_sees_and_limits_the_openmp_pool():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    libraries = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "openmp"]
    assert libraries, "mlpcore's OpenMP runtime is not visible to threadpoolctl"
    with mlpcore.num_threads(2):
        with threadpoolctl.threadpool_limits(1, user_api="openmp"):
            assert mlpcore.get_num_threads() == 1
        assert mlpcore.get_num_threads() == 2


# CPU time the process spends while its main thread sleeps just after a product on 2
# threads: what the idle OpenMP worker burns spinning.
IDLE_CPU = """
import os, resource, time
import numpy as np
import mlpcore
from mlpcore import kernels as K
a = np.ones((512, 512), np.float32)
with mlpcore.num_threads(2):
    for _ in range(3):
        K.matmul(a, a)
r0 = resource.getrusage(resource.RUSAGE_SELF)
time.sleep(0.2)
r1 = resource.getrusage(resource.RUSAGE_SELF)
busy = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
print(busy * 1e3, os.environ.get("OMP_WAIT_POLICY"), mlpcore.build_info()["openmp_wait_policy"])
"""


def _idle_cpu(**env):
    clean = {k: v for k, v in _env(**env).items()
             if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME") or k in env}
    r = subprocess.run([sys.executable, "-c", IDLE_CPU], capture_output=True, text=True,
                       env=clean, timeout=60)
    assert r.returncode == 0, r.stderr
    ms, variable, policy = r.stdout.split(maxsplit=2)
    return float(ms), variable, policy.strip()


@pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2,
                    reason="needs 2 cpus and getrusage's thread accounting of Linux")
def test_idle_openmp_workers_sleep_and_the_environment_is_left_as_it_was():
    # GNU OpenMP's default spins an idle worker for ~10 ms after each region, which on a
    # busy machine takes time from the thread doing the work.
    ms, variable, policy = _idle_cpu()
    assert policy == "passive (set by mlpcore)"
    assert variable == "None", "OMP_WAIT_POLICY stayed set in the user's environment"
    assert ms < 3, f"idle workers used {ms:.1f} ms of CPU in 200 ms"
    # KMP_BLOCKTIME, which GNU OpenMP ignores, does not keep the workers spinning.
    ms, _, policy = _idle_cpu(KMP_BLOCKTIME="0")
    assert policy == "passive (set by mlpcore)" and ms < 3, (ms, policy)
    # The user's own choice is kept and reported.
    ms, variable, policy = _idle_cpu(OMP_WAIT_POLICY="active")
    assert variable == "active"
    assert policy == "OMP_WAIT_POLICY=active (from the environment)"
    assert ms > 50, f"with OMP_WAIT_POLICY=active the worker should spin, used {ms:.1f} ms"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/maps")
def test_wait_policy_when_the_openmp_runtime_was_loaded_first():
    # The very runtime the core uses (the system's, or the copy a repaired wheel ships;
    # a bare interpreter maps no other), loaded before mlpcore: its policy is the
    # process's, and build_info says so.
    find = "import mlpcore._openmp as m, mlpcore; print(*m._openmp_libraries())"
    r = subprocess.run([sys.executable, "-c", find], capture_output=True, text=True,
                       env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    (runtime,) = r.stdout.split()
    code = (f"import ctypes; ctypes.CDLL({runtime!r})\n"
            "import mlpcore; print(mlpcore.build_info()['openmp_wait_policy'])")
    env = {k: v for k, v in _env().items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "loaded before mlpcore" in r.stdout


def test_the_version_has_one_source():
    # pyproject.toml holds the version; CMake reads it from there for the compiled core,
    # the C++ package config and the wheel's metadata.
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    match = re.search(r'^version = "([^"]+)"$', pyproject.read_text(), re.MULTILINE)
    assert match, "no version line in pyproject.toml"
    assert mlpcore.__version__ == match[1] == core._build_info()["version"]
    cmake = (pyproject.parent / "CMakeLists.txt").read_text()
    assert not re.search(r"project\(mlpcore VERSION \d", cmake), "a second version in CMake"
