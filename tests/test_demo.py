"""mlpcore.demo.run_demo: the capacity and step-size figures of the course, quick run."""

import io
import os
import subprocess
import sys

import mlpcore
import numpy as np
import pytest
from mlpcore.demo import STEP_FACTORS, run_demo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MODELS = ("1 neuron", "2+2+1", "10+10+1")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    out = tmp_path_factory.mktemp("demo") / "figures"  # not there yet: run_demo creates it
    stream = io.StringIO()
    figures = {}  # file name -> the Figure saved there, to inspect its axes
    savefig = Figure.savefig

    def record(fig, path, *args, **kwargs):
        figures[os.path.basename(path)] = fig
        return savefig(fig, path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", record)
        result = run_demo(out, seed=0, quick=True, stream=stream)
    return out, result, stream.getvalue(), figures


def test_figures_are_png_files(demo):
    out, result, _, _ = demo
    assert set(result["files"]) == {"capacity", "step_sizes"}
    for name, path in result["files"].items():
        assert os.path.isabs(path)
        assert os.path.dirname(path) == str(out)
        assert os.path.basename(path) == f"{name}.png"
        with open(path, "rb") as f:
            data = f.read()
        assert data[:8] == PNG_MAGIC
        # IHDR: width and height, big-endian, after the magic, the length and the type
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > 100 and height > 100


def test_single_neuron_fails_on_xor_and_10_10_1_succeeds(demo):
    capacity = demo[1]["capacity"]
    assert set(capacity) == {"xor", "moons"}
    for problem in capacity:
        assert tuple(capacity[problem]) == MODELS
        for scores in capacity[problem].values():
            assert 0 <= scores["test_accuracy"] <= 1 and scores["seconds"] >= 0
    assert capacity["xor"]["1 neuron"]["test_accuracy"] < 0.7
    assert capacity["xor"]["10+10+1"]["test_accuracy"] > 0.9
    assert capacity["moons"]["10+10+1"]["test_accuracy"] > 0.9


def test_step_sizes(demo):
    steps, inv_L = demo[1]["step_sizes"], demo[1]["inverse_lipschitz"]
    assert tuple(steps) == tuple(STEP_FACTORS)
    for name, factor in STEP_FACTORS.items():
        assert steps[name]["learning_rate"] == pytest.approx(factor * inv_L)
        assert steps[name]["final_loss"] == steps[name]["losses"][-1]
    good = np.array(steps["good"]["losses"])
    # below 2/L gradient descent decreases the loss at every step
    assert np.all(np.diff(good) <= 1e-12 * good[:-1])
    assert good[-1] < 0.01 * good[0]
    assert steps["small"]["final_loss"] > steps["good"]["final_loss"]
    diverged = np.array(steps["too large"]["losses"])
    assert not np.isfinite(diverged[-1]) or diverged[-1] > 1e6 * diverged[0]


def test_printed_table_and_paths(demo):
    _, result, text, _ = demo
    lines = text.splitlines()
    assert lines[0].split() == ["problem", "model", "train", "acc", "test", "acc", "fit", "s"]
    for problem, models in result["capacity"].items():
        for model, scores in models.items():
            row = f"{problem:<8} {model:<9} {scores['train_accuracy']:>9.3f} "
            assert any(line.startswith(row) for line in lines), row
    for name in STEP_FACTORS:
        assert any(line.startswith(f"{name:<10} lr =") for line in lines), name
    for path in result["files"].values():
        assert f"wrote {path}" in lines


def test_bad_seed(tmp_path):
    pytest.importorskip("matplotlib")
    for seed in (-1, 1.5, "0", True):
        with pytest.raises(ValueError, match="seed must be an integer >= 0"):
            run_demo(tmp_path, seed=seed, quick=True, stream=io.StringIO())
    assert not any(tmp_path.iterdir())


def test_missing_matplotlib(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = r'^mlpcore.plot needs matplotlib: pip install "mlpcore\[plot\]"$'
    with pytest.raises(ImportError, match=message):
        run_demo(tmp_path, quick=True, stream=io.StringIO())


def test_demo_leaves_pyplot_alone(tmp_path):
    pytest.importorskip("matplotlib")
    root = os.path.dirname(os.path.dirname(os.path.abspath(mlpcore.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    code = ("import io, sys\n"
            "from mlpcore.demo import run_demo\n"
            "assert 'matplotlib' not in sys.modules\n"
            f"run_demo({str(tmp_path)!r}, quick=True, stream=io.StringIO())\n"
            "print('matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_figures_have_legends_and_distinct_class_colors(demo):
    figures = demo[3]
    (steps,) = figures["step_sizes.png"].axes
    texts = [t.get_text() for t in steps.get_legend().get_texts()]
    assert texts == [f"{name}: {factor}/L" for name, factor in STEP_FACTORS.items()]
    capacity = figures["capacity.png"].axes
    assert len(capacity) == 6
    for ax in capacity:
        legend = ax.get_legend()
        assert legend.get_title().get_text() == "class"
        assert [t.get_text() for t in legend.get_texts()] == ["0", "1"]
        colors = [h.get_markerfacecolor() for h in legend.legend_handles]
        assert not np.allclose(colors[0], colors[1])
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
