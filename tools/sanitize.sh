#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the whole pytest suite.
#
# Builds mlpcore._core with -DMLPCORE_SANITIZE=ON (gcc's libasan/libubsan) in build/asan,
# assembles a copy of the Python package with that extension in build/asan/python (the
# package in python/mlpcore, and its _core*.so, are left alone), then runs pytest against it
# with the sanitizer runtimes preloaded into the interpreter. Any ASan or UBSan report aborts
# the process (halt_on_error/abort_on_error), so the run fails on the first report.
#
# Usage: tools/sanitize.sh [pytest args...]      (default: the whole suite, -q)
# Environment: BUILD_DIR (default build/asan), PYTHON (default python).
# CI is unset for pytest so that hypothesis uses its "dev" profile (fewer examples): the
# sanitizers multiply the cost of each example, and the normal CI step already runs "ci".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build/asan}
py=${PYTHON:-python}

gen=()
if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
# RelWithDebInfo: optimized as shipped (the vector paths are what we check) plus line info
# for the reports.
cmake -S . -B "$build" "${gen[@]}" -DMLPCORE_PYTHON=ON -DMLPCORE_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" >/dev/null
cmake --build "$build" --target _core

so=$(ls "$build"/_core*.so)
pkg="$build/python/mlpcore"
rm -rf "$build/python"
mkdir -p "$pkg"
# Copies, not symlinks: tests locate the package with Path(mlpcore.__file__).resolve().
cp -r python/mlpcore/. "$pkg/"
rm -rf "$pkg"/_core*.so "$pkg"/__pycache__ "$pkg"/*/__pycache__  # the dev build's link, caches
cp "$so" "$pkg/"

asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
for lib in "$asan" "$ubsan"; do
  [ -f "$lib" ] || { echo "sanitize.sh: $lib not found (gcc's sanitizer runtimes)" >&2; exit 2; }
done

log_dir="$root/$build/reports"
rm -rf "$log_dir"
mkdir -p "$log_dir"

# Leaks of CPython itself are not ours: detect_leaks=0 (tools/leakcheck.sh looks at leaks).
# log_path: reports from subprocesses (examples, python -c) are kept too; each process also
# prints its report to stderr through abort.
# allocator_may_return_null: an impossible allocation (the MemoryError tests of huge outputs)
# fails as under glibc instead of aborting.
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1:log_path=$log_dir/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log_dir/ubsan"
export PYTHONMALLOC=malloc
export PYTHONPATH="$root/$build/python${PYTHONPATH:+:$PYTHONPATH}"
start=$(date +%s)
status=0
env -u CI LD_PRELOAD="$asan:$ubsan" "$py" -m pytest -q -p no:cacheprovider "${@:-tests}" || status=$?
echo "sanitize.sh: pytest exit status $status after $(( $(date +%s) - start )) s"

# Sanity: the extension under test is the instrumented one.
env -u CI LD_PRELOAD="$asan:$ubsan" "$py" -c \
  "import mlpcore._core as c, sys; f=c.__file__; print('sanitize.sh: tested', f); sys.exit(0 if f.startswith('$root/$build/') else 1)"

# Reports are "ERROR: AddressSanitizer" or "runtime error:" (UBSan); warnings such as
# "failed to allocate" (an impossible allocation that returned NULL) are not.
reports=$(grep -l "ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer" "$log_dir"/* 2>/dev/null || true)
if [ -n "$reports" ]; then
  echo "sanitize.sh: sanitizer reports:" >&2
  for f in $reports; do echo "== $f" >&2; cat "$f" >&2; done
  exit 1
fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
echo "sanitize.sh: no AddressSanitizer / UndefinedBehaviorSanitizer reports"
