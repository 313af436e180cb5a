"""The type stub python/mlpcore/_core.pyi: up to date with the compiled module, valid, complete.

The stub is written by tools/gen_stubs.py from the signatures pybind11 gives; the mypy check
runs only where mypy is installed.
"""

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mlpcore._core as core

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "python" / "mlpcore" / "_core.pyi"
GENERATOR = ROOT / "tools" / "gen_stubs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_stubs", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared(body):
    """The names a stub module or class body declares."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_stub_matches_module():
    generated = _generator().render(core)
    committed = STUB.read_text()
    assert committed == generated, (
        f"{STUB.relative_to(ROOT)} differs from what {core.__name__} gives: "
        "run `python tools/gen_stubs.py` and commit the result "
        "(`python tools/gen_stubs.py --check` shows the diff)")


def test_check_mode_exit_code():
    env = dict(os.environ)
    pkg_root = str(Path(core.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([pkg_root] + [p for p in [env.get("PYTHONPATH")] if p])
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"], check=False,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stub_is_valid_and_complete():
    tree = ast.parse(STUB.read_text(), filename=str(STUB))
    runtime = set(_generator().public_names(core))
    declared = _declared(tree.body)
    assert declared - runtime == set(), "declared in the stub but not in the module"
    assert runtime - declared == set(), "in the module but not declared in the stub"
    assert (ROOT / "python" / "mlpcore" / "py.typed").is_file()


def test_stub_classes_are_complete():
    skip = _generator().SKIP
    tree = ast.parse(STUB.read_text(), filename=str(STUB))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert classes, "the stub declares no class (mlpcore._core.Trainer is missing)"
    for node in classes:
        cls = getattr(core, node.name)
        runtime = {n for n in vars(cls) if n not in skip and not n.startswith("_pybind11")}
        assert _declared(node.body) == runtime, node.name


def test_mypy_accepts_typical_use(tmp_path):
    pytest.importorskip("mypy", reason="mypy is not installed")
    snippet = tmp_path / "use_core.py"
    snippet.write_text(textwrap.dedent("""\
        import numpy as np
        import numpy.typing as npt

        from mlpcore import _core

        a: npt.NDArray[np.float64] = np.ones((3, 2))
        w: npt.NDArray[np.float64] = np.ones((2, 2))
        out: npt.NDArray[np.float64] = _core.matmul(a, w)
        _core.gemm(a, w, out, alpha=2.0, beta=1.0)
        loss: float = _core.cross_entropy_forward(out, np.zeros(3, dtype=np.int64))
        threads: int = _core.get_num_threads()
        trainer = _core.Trainer([w], [np.zeros(2)], ["relu"], "squared_error", 3,
                                batch_size=1, learning_rate=0.1)
        trainer.step = threads
        step: int = trainer.step
        stats = trainer.epoch(a, out)
        _core.matmul(a)  # type: ignore[call-arg]
        """))
    env = dict(os.environ, MYPYPATH=str(ROOT / "python"))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "cache"), str(snippet)],
        check=False, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    # --strict reports an unused "type: ignore", so the last line also checks that the stub
    # (and not an untyped module) was used.
    assert result.returncode == 0, result.stdout + result.stderr
