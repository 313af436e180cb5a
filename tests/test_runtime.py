"""Runtime settings: thread count, the num_threads context, build_info, the SIMD path."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlpcore
import mlpcore._core as core

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
