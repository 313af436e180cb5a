#!/usr/bin/env bash
# LeakSanitizer over a short workload of mlpcore kernels and fits, using the ASan build of
# tools/sanitize.sh (build/asan/python). CPython's own allocations at exit are not ours: the
# script fails only on leak reports whose stack holds a frame of mlpcore's extension
# (_core*.so, mlpcore:: or pybind11 code compiled into it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/asan}
[ -d "$build/python/mlpcore" ] || { echo "run tools/sanitize.sh first" >&2; exit 2; }
log=$(mktemp -d)
py=$(python -c "import sys; print(sys.executable)")  # the interpreter, not a shim
LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
PYTHONMALLOC=malloc PYTHONPATH="$build/python" \
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:allocator_may_return_null=1:log_path=$log/lsan" \
LSAN_OPTIONS="report_objects=0:max_leaks=200" \
"$py" - <<'PY' || true
import warnings
import numpy as np
import mlpcore.kernels as K
from mlpcore import LogisticRegression, MLPClassifier
warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
x, w, b = rng.standard_normal((8, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
t = rng.integers(0, 3, 8)
for i in range(2000):
    z = K.linear_forward(x, w, b, "tanh")
    K.cross_entropy_forward_backward(z, t)
    K.linear_backward(x, w, z)
    K.softmax_forward(z.T)
    K.sgd_step(w, rng.standard_normal((5, 3)) * 1e-3, 0.1)
    for bad in (lambda: K.matmul(x, x), lambda: K.cross_entropy_forward(z, t + 9),
                lambda: K.cross_entropy_forward(z, [[1], [1, 2]])):
        try:
            bad()
        except (ValueError, TypeError, IndexError):
            pass
X, y = rng.standard_normal((50, 5)), rng.integers(0, 3, 50)
for i in range(50):
    LogisticRegression(max_epochs=1).fit(X, y)
    MLPClassifier(hidden_layer_sizes=(4,), max_epochs=2, random_state=i).fit(X, y)
print("workload done")
PY
total=$(cat "$log"/lsan* 2>/dev/null | grep -c "^Direct leak\|^Indirect leak" || true)
ours=$(cat "$log"/lsan* 2>/dev/null | awk '/^(Direct|Indirect) leak/{blk=$0; next} /^$/{if (blk && hit) print blk; blk=""; hit=0; next} /_core\.cpython|mlpcore::|pybind11::/{hit=1}' | wc -l)
echo "leakcheck.sh: $total leak records in total (CPython and libraries), $ours with an mlpcore frame"
if [ "$ours" -ne 0 ]; then
  cat "$log"/lsan* | grep -B2 -A30 "_core\.cpython\|mlpcore::" | head -200
  exit 1
fi
