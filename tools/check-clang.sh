#!/usr/bin/env bash
# The C++ core and the Python extension built with Clang (and its libomp) instead of GCC,
# every warning an error:
#   1. the core and its ctest suite, in build/clang;
#   2. the extension, in build/clang-py, put into a copy of the package (build/clang-py/python;
#      python/mlpcore is left alone) and checked by the kernel tests against it.
# Clang and libomp come from Debian's packages (clang, libomp-dev) when clang++ -fopenmp cannot
# build an OpenMP program yet; PyPI has no Clang with an OpenMP runtime, so without apt-get
# this fails, saying why.
#
# Usage: tools/check-clang.sh [pytest args...]   (default: the kernel tests listed below)
# Environment: PYTHON (default python; needs pybind11, pytest, hypothesis), CLANGXX (default clang++).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py=${PYTHON:-python}
cxx=${CLANGXX:-clang++}

openmp_builds() {
  command -v "$cxx" >/dev/null 2>&1 || return 1
  local dir
  dir=$(mktemp -d)
  printf '#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n' > "$dir/omp.cpp"
  "$cxx" -fopenmp "$dir/omp.cpp" -o "$dir/omp" 2>/dev/null && "$dir/omp"
  local status=$?
  rm -rf "$dir"
  return $status
}
if ! openmp_builds; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "check-clang.sh: no $cxx with OpenMP, and no apt-get to install clang and libomp-dev" >&2
    exit 1
  fi
  echo "check-clang.sh: installing clang and libomp-dev (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libomp-dev >/dev/null
  openmp_builds || { echo "check-clang.sh: $cxx -fopenmp still cannot build an OpenMP program" >&2; exit 1; }
fi
"$cxx" --version | head -1

gen=()
if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
flags=(-DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-Werror)

cmake -S . -B build/clang "${gen[@]}" "${flags[@]}" >/dev/null
cmake --build build/clang
ctest --test-dir build/clang --output-on-failure

build=build/clang-py
cmake -S . -B "$build" "${gen[@]}" "${flags[@]}" -DMLPCORE_PYTHON=ON \
  -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" >/dev/null
cmake --build "$build" --target _core
pkg="$build/python/mlpcore"
rm -rf "$build/python"
mkdir -p "$pkg"
cp -r python/mlpcore/. "$pkg/"
rm -rf "$pkg"/_core*.so "$pkg"/__pycache__ "$pkg"/*/__pycache__  # the dev build's link, caches
cp "$build"/_core*.so "$pkg/"

export PYTHONPATH="$root/$build/python"
"$py" - "$root/$build/" <<'EOF'
import sys
import mlpcore
info = mlpcore.build_info()
print("check-clang.sh: testing", mlpcore._core.__file__, info["compiler"], info["openmp"])
assert mlpcore._core.__file__.startswith(sys.argv[1]), mlpcore._core.__file__
assert info["compiler"].startswith("clang"), info["compiler"]
EOF
kernel_tests=(tests/test_gemm.py tests/test_elementwise.py tests/test_softmax_losses.py
  tests/test_optim.py tests/test_runtime.py tests/test_concurrency.py tests/test_threads.py
  tests/test_trainer_gradient.py)
[ $# -gt 0 ] || set -- "${kernel_tests[@]}"
"$py" -m pytest -q -p no:cacheprovider "$@"
