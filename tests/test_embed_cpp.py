"""examples/embed_cpp builds against the installed package's CMake package
(find_package(mlpcore), target mlpcore::core) and trains to a high accuracy.

Runs only where mlpcore was installed from a wheel (get_cmake_dir() finds
mlpcoreConfig.cmake) and cmake is on PATH; skipped otherwise.
"""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "embed_cpp"


def _run(args, **kwargs):
    result = subprocess.run(args, check=False, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited with {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def test_embed_cpp_example(tmp_path):
    from mlpcore import _paths

    try:
        cmake_dir = _paths.get_cmake_dir()
    except FileNotFoundError as exc:
        pytest.skip(f"no installed C++ package: {exc}")
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("cmake is not on PATH")
    if not (EXAMPLE / "CMakeLists.txt").is_file():
        pytest.skip(f"{EXAMPLE} is missing")

    build = tmp_path / "build"
    configure = [cmake, "-S", str(EXAMPLE), "-B", str(build), f"-Dmlpcore_DIR={cmake_dir}",
                 "-DCMAKE_BUILD_TYPE=Release"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    _run(configure, timeout=120)
    _run([cmake, "--build", str(build)], timeout=240)

    exe = build / "embed_logreg"
    # Two threads are enough for 300 samples and keep the run quick on a loaded machine.
    env = dict(os.environ, OMP_NUM_THREADS="2")
    result = _run([str(exe)], timeout=60, env=env)
    match = re.search(r"training accuracy ([0-9.]+)", result.stdout)
    assert match, result.stdout
    assert float(match.group(1)) >= 0.95, result.stdout
