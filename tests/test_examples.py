"""Every script in examples/ runs to completion and prints what the README says."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

import mlpcore

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
EXPECTED = {
    "kernels_demo.py": "training accuracy 1.000",
    "xor_network.py": "XOR network f(x): [0. 1. 1. 0.]",
    "step_sizes.py": "step 2.1 / L",
    "course_models.py": "LinearRegression",
}


def skip_without_libraries_of(code):
    """Skips where a block needs an optional library that is not installed: matplotlib for
    mlpcore.plot (the [plot] extra), scikit-learn and PyTorch, whose claims some pages check,
    and Dask (the [dask] extra)."""
    if re.search(r"^(from mlpcore import .*\bplot\b|import matplotlib|from matplotlib)", code, re.M):
        pytest.importorskip("matplotlib")
    for library in ("sklearn", "torch", "dask", "distributed"):
        if re.search(rf"^\s*(import|from) {library}\b", code, re.M):
            pytest.importorskip(library)


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(script):
    skip_without_libraries_of((EXAMPLES / script).read_text())
    # the figures go to the Agg backend, whose plt.show() returns at once
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                            text=True, timeout=300, cwd=EXAMPLES.parent, env=env)
    assert result.returncode == 0, result.stderr
    assert EXPECTED[script] in result.stdout


README = EXAMPLES.parent / "README.md"


def readme_python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run_block(code, folder):
    """Runs a block of Python in a scratch folder (the blocks may write figures), importing
    this test's mlpcore and drawing with matplotlib's Agg backend; returns the result."""
    env = dict(os.environ, MPLBACKEND="Agg")
    package_root = str(pathlib.Path(mlpcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=folder, env=env)


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_readme_python_block_runs(index, tmp_path):
    code = readme_python_blocks()[index]
    skip_without_libraries_of(code)
    result = run_block(code, tmp_path)
    assert result.returncode == 0, result.stderr


DOCS = EXAMPLES.parent / "docs"


def docs_python_blocks():
    """(page, code) of every ``.. code-block:: python`` of the documentation's pages."""
    import textwrap

    blocks = []
    for page in sorted(DOCS.glob("*.rst")):
        for match in re.finditer(r"^\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)",
                                 page.read_text(), re.M):
            blocks.append((page.name, textwrap.dedent(match.group(1))))
    return blocks


@pytest.mark.parametrize("page, code", docs_python_blocks(),
                         ids=[f"{page}-{i}" for i, (page, _) in enumerate(docs_python_blocks())])
def test_docs_python_block_runs(page, code, tmp_path):
    skip_without_libraries_of(code)
    result = run_block(code, tmp_path)
    assert result.returncode == 0, f"a block of docs/{page} failed:\n{code}\n{result.stderr}"


def test_docs_have_python_blocks():
    pages = {page for page, _ in docs_python_blocks()}
    assert {"index.rst", "getting_started.rst", "course.rst", "from_sklearn.rst",
            "from_pytorch.rst"} <= pages
