"""The time `import mlpcore` takes in a fresh interpreter, beside NumPy's (and
scikit-learn's and PyTorch's where installed): what every command line call and every
script pays before its first line."""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import time

# (case, the statement timed); a peer is skipped where it is not installed
STATEMENTS = [
    ("import mlpcore", "import mlpcore"),
    ("import numpy", "import numpy"),
    ("import mlpcore + an estimator", "import mlpcore; mlpcore.LogisticRegression"),
    ("import sklearn.base", "import sklearn.base"),
    ("import torch", "import torch"),
]


def _installed(statement):
    name = statement.split()[1].split(".")[0].rstrip(";")
    return importlib.util.find_spec(name) is not None


def _seconds(statement):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def run_imports(repeats):
    """Median wall time of each statement in a fresh interpreter, interleaved, minus
    the interpreter's own start (python -c pass)."""
    cases = [(name, s) for name, s in STATEMENTS if _installed(s)]
    times = {name: [] for name, _ in [("python -c pass", "pass"), *cases]}
    for _ in range(repeats):
        for name, statement in [("python -c pass", "pass"), *cases]:
            times[name].append(_seconds(statement))
    base = statistics.median(times.pop("python -c pass"))
    print(f"\nimport time in a fresh interpreter (median of {repeats}, minus the "
          f"interpreter's start of {base * 1e3:.0f} ms)")
    mlpcore = statistics.median(times["import mlpcore"]) - base
    results = []
    for name, values in times.items():
        median = statistics.median(values) - base
        ratio = median / mlpcore if mlpcore > 0 else float("nan")
        print(f"  {name:32s} {median * 1e3:8.1f} ms   {ratio:6.2f}x mlpcore's")
        results.append({"case": name, "median_s": median, "min_s": min(values) - base,
                        "max_s": max(values) - base, "vs_mlpcore": ratio})
    return results
