"""Reading CSV files: mlpcore.datasets.load_csv against numpy.loadtxt and pandas.read_csv
(when installed), each file read by each reader in turn (``mlpcore bench --csv``).

The files are written once to a temporary folder: real-valued features with a real target
(the shortest round-trip repr of each float64), MNIST-like rows of 784 pixels and a digit,
and rows whose target is a word (read by load_csv's careful path for labels). Ratio = peer
median / load_csv median: above 1, load_csv is faster.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from mlpcore.datasets import load_csv

from .kernels import measure, peer_columns


def _files(folder, quick):
    rng = np.random.default_rng(0)
    rows = 10_000 if quick else 100_000
    floats = rng.standard_normal((rows, 21))
    pixels = np.column_stack([rng.integers(0, 256, (rows // 10, 784)),
                              rng.integers(0, 10, rows // 10)])
    words = np.array(["setosa", "versicolor", "virginica"])[rng.integers(0, 3, rows)]
    written = []
    for name, table, fmt in ((f"floats {rows}x20, real target", floats, "%r"),
                             (f"pixels {rows // 10}x784, digit target", pixels, "%d")):
        path = os.path.join(folder, f"{len(written)}.csv")
        with open(path, "w") as f:
            for row in table:
                f.write(",".join(fmt % v for v in row.tolist()) + "\n")
        written.append((name, path, {}))
    path = os.path.join(folder, "words.csv")
    with open(path, "w") as f:
        for row, word in zip(floats[:, :4].tolist(), words):
            f.write(",".join(map(repr, row)) + f",{word}\n")
    written.append((f"4 features x {rows}, word labels", path, {"dtype": str}))
    return written


def run_csv(quick, repeats):
    """Times the readers on each file, prints the table and returns its rows."""
    try:
        import pandas
    except ImportError:
        pandas = None
    results = []
    print(f"\n{'file':<40}{'load_csv':>11}{'loadtxt':>11}{'ratio':>7}{'pandas':>11}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for name, path, options in _files(folder, quick):
            contenders = {"mlpcore": lambda: load_csv(path),
                          "numpy": lambda: np.loadtxt(path, delimiter=",", **options)}
            if pandas is not None:
                contenders["pandas"] = lambda: pandas.read_csv(path, header=None).to_numpy()
            t = measure(contenders, repeats)
            mine = t["mlpcore"]["median"]
            row = {"file": name, "times": t, "size_bytes": os.path.getsize(path)}
            print(f"{name:<40}{mine:>10.3f}s" + peer_columns(row, t, ("numpy", "pandas")),
                  flush=True)
            results.append(row)
    return results
