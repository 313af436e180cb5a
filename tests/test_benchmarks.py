"""The benchmark runner still runs: a quick synthetic run writes kernel and epoch rows."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

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


def _bench(*argv, env_extra=None):
    env = dict(os.environ)
    package_root = str(pathlib.Path(mlpcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(RUN), *argv], capture_output=True, text=True,
                          timeout=600, env=env, cwd=RUN.parent.parent)


def test_busy_benchmark_runs_and_refuses_one_thread(tmp_path):
    out = tmp_path / "busy.json"
    result = _bench("--busy", "--quick", "--threads", "2", "--filter", "256^3", "--json",
                    str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    busy = json.loads(out.read_text())["busy"]
    assert busy["threads"] == 2
    for part in ("quiet", "busy"):
        (row,) = busy[part]
        assert row["case"] == "matmul 256^3 float32"
        assert row["seconds"] > 0 and row["seconds_1_thread"] > 0
        assert row["ratio"] == row["seconds"] / row["seconds_1_thread"]
    result = _bench("--busy", "--threads", "1")
    assert result.returncode == 2 and "--threads must be at least 2" in result.stderr
    result = _bench("--busy", "--threads", "2", "--filter", "no such case")
    assert result.returncode == 0 and "no case matches" in result.stdout


def test_csv_benchmark_times_every_reader(tmp_path):
    out = tmp_path / "csv.json"
    result = _bench("--csv", "--quick", "--repeats", "1", "--json", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(out.read_text())["csv"]
    assert [row["file"].split()[0] for row in rows] == ["floats", "pixels", "4"]
    for row in rows:
        assert row["size_bytes"] > 0
        assert row["times"]["mlpcore"]["median"] > 0
        assert row["ratio_numpy"] == row["times"]["numpy"]["median"] / \
            row["times"]["mlpcore"]["median"]


def test_distributed_benchmark_times_every_strategy(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("dask.array")
    out = tmp_path / "distributed.json"
    result = _bench("--distributed", "--quick", "--workers", "1", "--rows", "3000",
                    "--repeats", "2", "--json", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for text in ("gradient", "sync_sgd (batch 375)", "average every 1", "average every 5",
                 "communication: one round", "round trip(s) per epoch"):
        assert text in result.stdout, text
    data = json.loads(out.read_text())["distributed"]
    assert (data["workers"], data["rows"], data["chunks"]) == (1, 3000, 2)
    rows = {row["case"]: row for row in data["strategies"]}
    assert set(rows) == {"gradient", "sync_sgd", "average every 1", "average every 5"}
    assert rows["sync_sgd"]["round_trips_per_epoch"] == 8  # ceil(3000 / 375)
    assert rows["average every 5"]["epochs"] == 10
    for row in rows.values():
        for part in ("distributed", "fit_1_thread", "fit_n_threads"):
            t = row[part]
            assert 0 < t["min"] <= t["median"] <= t["max"], (row["case"], part, t)
        assert row["ratio_1_thread"] == row["distributed"]["median"] / \
            row["fit_1_thread"]["median"]
        assert row["comm_per_epoch"] > 0
    comm = data["communication"]
    assert comm["median"] > 0 and comm["n"] == 5
    # MLPClassifier((64,)) on 32 features and 10 classes, float64
    assert comm["parameters"] == 32 * 64 + 64 + 64 * 10 + 10
    assert comm["weight_bytes"] == 8 * comm["parameters"]
    assert comm["bytes_per_round"] == 2 * 2 * comm["weight_bytes"]


def test_distributed_benchmark_without_dask_names_the_extra():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "from mlpcore.benchmark import main\n"
            "sys.exit(main(['--distributed'], prog='mlpcore bench'))")
    env = dict(os.environ)
    package_root = str(pathlib.Path(mlpcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        'mlpcore bench: error: --distributed needs Dask with its distributed scheduler: '
        'pip install "mlpcore[dask]"']
    result = _bench("--rows", "100")
    assert result.returncode == 2 and "go with --distributed" in result.stderr
