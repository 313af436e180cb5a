"""The benchmark runner still runs: a quick synthetic run writes kernel and epoch rows."""

import json
import os
import pathlib
import subprocess
import sys

import mlpcore

RUN = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def test_quick_benchmark_run(tmp_path):
    out = tmp_path / "bench.json"
    env = dict(os.environ)
    # the subprocess imports the same mlpcore as this test
    package_root = str(pathlib.Path(mlpcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--synthetic", "--json", str(out)],
        capture_output=True, text=True, timeout=600, env=env, cwd=RUN.parent.parent)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())

    assert data["header"]["threads"] == 1
    kernels = data["results"]
    assert any(row["case"].startswith("matmul") for row in kernels)
    for row in kernels:
        assert row["times"]["mlpcore"]["median"] > 0
        assert row["times"]["numpy"]["median"] > 0

    epochs = {row["key"]: row for row in data["epochs"]}
    assert set(epochs) == {"logreg", "mlp", "perceptron"}
    for row in epochs.values():
        assert set(row["times"]) >= {"mlpcore", "numpy"}
        for peer, t in row["times"].items():
            assert 0 < t["min"] <= t["median"] <= t["max"], (row["case"], peer, t)
            assert 0 <= t["accuracy"] <= 1
        # one epoch on the synthetic data learns something (chance: 0.1 and 0.5)
        assert row["times"]["mlpcore"]["accuracy"] > 0.6

    memory = {row["model"]: row for row in data["memory"]}
    assert set(memory) == {"logreg", "mlp", "perceptron"}
    for row in memory.values():
        assert row["data_bytes"] > 0 and row["param_bytes"] > 0 and row["fit_extra"] >= 0
