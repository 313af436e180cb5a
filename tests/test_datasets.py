"""mlpcore.datasets: the seeded toy problems and the CSV / NPZ / MNIST IDX loaders.

Loaders are tested on files written to tmp_path, malformed ones included: each must raise a
DataFileError naming the file (and the line and column for CSV), never an error from inside NumPy.
"""

import gzip
import io
import math
import os
import pickle
import re
import struct
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpcore import datasets
from mlpcore.datasets import (
    DataFileError,
    DataFileWarning,
    blobs,
    circles,
    load_csv,
    load_mnist_idx,
    load_npz,
    moons,
    spirals,
    xor,
)
from mlpcore.datasets import _csv, _files

GENERATORS = {
    "xor": (xor, 2),
    "blobs": (blobs, 3),
    "moons": (moons, 2),
    "circles": (circles, 2),
    "spirals": (spirals, 2),
}


def _noisy(gen):
    """Keyword arguments that make each generator random (not only shuffled)."""
    return {} if gen in (xor, blobs) else {"noise": 0.1}


def lstsq_accuracy(X, y):
    """Training accuracy of the least-squares linear classifier on [1, X] with 1-of-K targets."""
    Phi = np.column_stack([np.ones(len(X)), X])
    T = np.eye(y.max() + 1)[y]
    W, *_ = np.linalg.lstsq(Phi, T, rcond=None)
    return float(np.mean((Phi @ W).argmax(axis=1) == y))


# ----------------------------------------------------------------------------------------------
# Generators
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [1, 7, 100, 101])
def test_generator_shapes_dtypes_balance(name, n):
    gen, k = GENERATORS[name]
    X, y = gen(n_samples=n, random_state=0)
    assert X.shape == (n, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k
    assert counts.max() - counts.min() <= 1, counts  # balanced
    assert counts.sum() == n
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_seeded_and_shuffled(name):
    gen, _ = GENERATORS[name]
    kw = _noisy(gen)
    X1, y1 = gen(n_samples=60, random_state=3, **kw)
    X2, y2 = gen(n_samples=60, random_state=3, **kw)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, y3 = gen(n_samples=60, random_state=4, **kw)
    assert not np.array_equal(X1, X3)
    # shuffled: the labels are not in blocks
    assert np.count_nonzero(np.diff(y1)) > 5
    # a Generator or RandomState is used as is (its state advances)
    g = np.random.default_rng(3)
    Xa, _ = gen(n_samples=60, random_state=g, **kw)
    Xb, _ = gen(n_samples=60, random_state=g, **kw)
    assert not np.array_equal(Xa, Xb)
    Xr, _ = gen(n_samples=60, random_state=np.random.RandomState(3), **kw)
    Xr2, _ = gen(n_samples=60, random_state=np.random.RandomState(3), **kw)
    np.testing.assert_array_equal(Xr, Xr2)
    assert gen(n_samples=5)[0].shape == (5, 2)  # random_state=None works


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_zero_samples(name):
    gen, _ = GENERATORS[name]
    X, y = gen(n_samples=0, random_state=0)
    assert X.shape == (0, 2) and y.shape == (0,) and y.dtype == np.int64


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("kwargs, exc", [
    ({"n_samples": -1}, ValueError),
    ({"n_samples": 2.5}, TypeError),
    ({"random_state": "seed"}, TypeError),
    ({"random_state": -3}, ValueError),
])
def test_generator_bad_arguments(name, kwargs, exc):
    gen, _ = GENERATORS[name]
    with pytest.raises(exc):
        gen(**kwargs)


@pytest.mark.parametrize("gen", [xor, moons, circles, spirals])
def test_noise_moves_points_off_the_clean_shape(gen):
    clean, yc = gen(n_samples=200, noise=0.0, random_state=0)
    for noise, low, high in [(0.0, 0.0, 0.0), (0.1, 0.02, 0.2)]:
        X, y = gen(n_samples=200, noise=noise, random_state=1)
        # distance of each point to the nearest noise-free point of its class
        d = np.array([np.min(np.hypot(*(clean[yc == y[i]] - X[i]).T)) for i in range(len(X))])
        assert low <= np.median(d) <= high, (noise, np.median(d))
    X, _ = gen(n_samples=400, noise=0.3, random_state=2)
    if gen is xor:  # the deviation from the corner has exactly the std noise
        assert np.std(X - np.sign(X)) == pytest.approx(0.3, rel=0.1)


@pytest.mark.parametrize("gen", [xor, moons, circles, spirals])
def test_negative_noise_rejected(gen):
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        gen(noise=-0.1)


def test_xor_geometry_and_not_linearly_separable():
    X, y = xor(n_samples=400, random_state=0)
    # labels: 1 where exactly one coordinate is positive (noise 0.25 rarely crosses an axis)
    assert np.mean(y == (X[:, 0] * X[:, 1] < 0)) >= 0.99
    # points around the four corners, each corner holding a quarter
    corners = np.sign(X)
    for c in ([1, 1], [-1, -1], [1, -1], [-1, 1]):
        assert abs(np.sum(np.all(corners == c, axis=1)) - 100) <= 3
    # a linear classifier cannot do much better than chance
    assert lstsq_accuracy(X, y) <= 0.75
    # but it can once the product feature x0 x1 is added (one hidden unit's worth)
    assert lstsq_accuracy(np.column_stack([X, X[:, 0] * X[:, 1]]), y) >= 0.99
    X0, y0 = xor(n_samples=8, noise=0.0, random_state=1)
    np.testing.assert_array_equal(np.abs(X0), 1.0)
    np.testing.assert_array_equal(y0, (X0[:, 0] != X0[:, 1]).astype(int))


def test_blobs_well_separated_is_linearly_separable():
    centers = np.array([[-10.0, 0.0], [10.0, 0.0], [0.0, 12.0]])
    X, y = blobs(n_samples=300, centers=centers, cluster_std=0.5, random_state=0)
    assert lstsq_accuracy(X, y) == 1.0
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.2)
        assert 0.35 < X[y == k].std(axis=0).mean() < 0.65


def test_blobs_options():
    X, y = blobs(n_samples=50, centers=4, n_features=5, center_box=(0.0, 1.0),
                 cluster_std=0.0, random_state=1)
    assert X.shape == (50, 5)
    assert np.bincount(y).tolist() == [13, 13, 12, 12]
    # with std 0 every point is its center, drawn inside the box
    for k in range(4):
        pts = X[y == k]
        np.testing.assert_array_equal(pts, np.broadcast_to(pts[0], pts.shape))
    assert X.min() >= 0.0 and X.max() <= 1.0
    X, y = blobs(n_samples=200, centers=[[0.0, 0.0], [50.0, 50.0]], cluster_std=[0.1, 3.0],
                 random_state=2)
    assert X[y == 0].std() < 0.2 < 2.0 < X[y == 1].std()
    with pytest.raises(ValueError, match="cluster_std"):
        blobs(centers=3, cluster_std=[1.0, 2.0])
    with pytest.raises(ValueError, match="centers"):
        blobs(centers=np.zeros(3))
    with pytest.raises(ValueError, match="centers must be an int >= 1"):
        blobs(centers=0)
    with pytest.raises(ValueError, match="center_box"):
        blobs(center_box=(1.0, -1.0))


def test_moons_geometry():
    X, y = moons(n_samples=101, random_state=0)
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert upper[:, 1].min() >= -1e-12
    lower = X[y == 1]
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert lower[:, 1].max() <= 0.5 + 1e-12
    assert lstsq_accuracy(X, y) < 1.0  # interleaved


def test_circles_geometry():
    X, y = circles(n_samples=100, factor=0.3, random_state=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    assert lstsq_accuracy(X, y) <= 0.75
    assert lstsq_accuracy(np.column_stack([X, r ** 2]), y) == 1.0
    for bad in (1.0, -0.5):
        with pytest.raises(ValueError, match="factor"):
            circles(factor=bad)


def test_spirals_classes_and_geometry():
    X, y = spirals(n_samples=300, n_classes=3, random_state=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.1) and r.max() == pytest.approx(1.0)
    # the arms are rotated copies of each other: same radii, angles shifted by 2 pi / 3
    a = np.arctan2(X[:, 1], X[:, 0])
    for k in (1, 2):
        order0, orderk = np.argsort(r[y == 0]), np.argsort(r[y == k])
        np.testing.assert_allclose(np.sort(r[y == k]), np.sort(r[y == 0]))
        shift = np.angle(np.exp(1j * (a[y == k][orderk] - a[y == 0][order0])))
        np.testing.assert_allclose(np.mod(shift, 2 * np.pi), 2 * np.pi * k / 3, atol=1e-9)
    assert lstsq_accuracy(X, y) < 0.8
    with pytest.raises(ValueError, match="n_classes"):
        spirals(n_classes=0)
    X1, y1 = spirals(n_samples=10, n_classes=1, random_state=0)
    assert set(y1.tolist()) == {0}


# ----------------------------------------------------------------------------------------------
# DataFileError
# ----------------------------------------------------------------------------------------------

def test_data_file_error_format_and_pickle():
    err = DataFileError("'abc' is not a number", "data.csv", line=7, column=3)
    assert isinstance(err, ValueError)
    assert str(err) == "data.csv, line 7, column 3: 'abc' is not a number"
    assert (err.filename, err.line, err.column) == ("data.csv", 7, 3)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.line == 7
    assert str(DataFileError("bad", "f.npz")) == "f.npz: bad"


# ----------------------------------------------------------------------------------------------
# load_csv
# ----------------------------------------------------------------------------------------------

def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)
    return path


def csv_error(path, **kwargs):
    with pytest.raises(DataFileError) as info:
        load_csv(path, **kwargs)
    assert str(path) in str(info.value)
    return info.value


def test_csv_roundtrip_savetxt(tmp_path, rng):
    A = rng.standard_normal((50, 4))
    A[:, -1] = rng.integers(0, 3, 50)
    path = tmp_path / "data.csv"
    np.savetxt(path, A, delimiter=",", fmt="%.17g")
    X, y = load_csv(path)
    assert X.dtype == np.float64 and X.shape == (50, 3)
    np.testing.assert_array_equal(X, A[:, :3])
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, A[:, 3])
    # savetxt's default format writes "1.000000000000000000e+00": numbers, not integers
    np.savetxt(path, A, delimiter=",")
    X, y = load_csv(str(path), dtype=np.float32)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(y, A[:, 3])
    X, y = load_csv(path, target=None)
    assert y is None and X.shape == (50, 4)
    np.testing.assert_array_equal(X, A)
    X, y = load_csv(path, target=0)
    np.testing.assert_array_equal(y, A[:, 0])
    np.testing.assert_array_equal(X, A[:, 1:])
    X, y = load_csv(path, target=-2)
    np.testing.assert_array_equal(y, A[:, 2])
    np.testing.assert_array_equal(X, A[:, [0, 1, 3]])


def test_csv_header_names_string_labels_blank_lines(tmp_path):
    path = write(tmp_path / "iris.csv",
                 "sepal, petal ,species\n\n5.1,1.4,setosa\n   \n6.3, 4.9 ,versicolor\n\n")
    X, y = load_csv(path)
    np.testing.assert_array_equal(X, [[5.1, 1.4], [6.3, 4.9]])
    assert y.dtype.kind == "U" and y.tolist() == ["setosa", "versicolor"]
    X2, y2 = load_csv(path, target="species")
    np.testing.assert_array_equal(X2, X)
    assert y2.tolist() == y.tolist()
    with pytest.raises(DataFileError, match=r"line 3, column 3: 'setosa' is not a number"):
        load_csv(path, target="sepal")  # species is then a feature
    path = write(tmp_path / "more.csv", "sepal,species,petal\n5.1,setosa,1\n6.3,versicolor,2\n")
    with pytest.raises(DataFileError, match=r"more.csv, line 2, column 2: 'setosa' is not a"):
        load_csv(path)
    X, y = load_csv(path, target="species")
    np.testing.assert_array_equal(X, [[5.1, 1.0], [6.3, 2.0]])
    assert y.tolist() == ["setosa", "versicolor"]


def test_csv_header_inference(tmp_path):
    # a numeric first row is data, even with string labels in the target column
    path = write(tmp_path / "a.csv", "1,2,cat\n3,4,dog\n")
    X, y = load_csv(path)
    assert X.shape == (2, 2) and y.tolist() == ["cat", "dog"]
    # numeric column names need header=True
    path = write(tmp_path / "b.csv", "0,1,2\n3,4,5\n6,7,8\n")
    assert load_csv(path)[0].shape == (3, 2)
    X, y = load_csv(path, header=True)
    np.testing.assert_array_equal(X, [[3, 4], [6, 7]])
    np.testing.assert_array_equal(y, [5, 8])
    X, y = load_csv(path, header=True, target="1")
    np.testing.assert_array_equal(y, [4, 7])
    # a first row with a missing value is data (reported), not a header
    path = write(tmp_path / "d.csv", "1,,3\n4,5,6\n")
    assert "line 1, column 2: empty cell" in str(csv_error(path))
    # a single column of names is a header; no features
    path = write(tmp_path / "e.csv", "label\ncat\ndog\n")
    X, y = load_csv(path)
    assert X.shape == (2, 0) and y.tolist() == ["cat", "dog"]
    # header=False with a non-numeric first row: the cell is reported
    path = write(tmp_path / "c.csv", "x,y\n1,2\n")
    err = csv_error(path, header=False)
    assert "line 1, column 1: 'x' is not a number" in str(err)


def test_csv_delimiters_quotes_bom_gzip(tmp_path):
    path = write(tmp_path / "semi.csv", "a;b;label\n1.5;2;\"x y\"\n3;4e2;z\n")
    X, y = load_csv(path, delimiter=";")
    np.testing.assert_array_equal(X, [[1.5, 2.0], [3.0, 400.0]])
    assert y.tolist() == ["x y", "z"]
    path = write(tmp_path / "tab.tsv", "\ufeffa\tb\n1\t2\n")
    X, y = load_csv(path, delimiter="\t")
    np.testing.assert_array_equal(X, [[1.0]])
    np.testing.assert_array_equal(y, [2])
    gz = tmp_path / "data.csv.gz"
    with gzip.open(gz, "wt") as f:
        f.write("a,b\n1,0\n2,1\n")
    X, y = load_csv(gz)
    np.testing.assert_array_equal(X, [[1.0], [2.0]])
    np.testing.assert_array_equal(y, [0, 1])


def test_csv_large_file_is_fast_enough(tmp_path, rng):
    import time

    A = rng.standard_normal((20000, 8))
    path = tmp_path / "big.csv"
    np.savetxt(path, A, delimiter=",", fmt="%.17g")
    start = time.perf_counter()
    X, y = load_csv(path)
    assert time.perf_counter() - start < 2.0
    np.testing.assert_array_equal(X, A[:, :7])
    np.testing.assert_array_equal(y, A[:, 7])


@pytest.mark.parametrize("text, kwargs, pattern", [
    ("a,b,c\n1,2,3\n4,5\n", {}, r"line 3: expected 3 columns \(as on line 1\), found 2"),
    ("1,2,3\n\n4,5,6,7\n", {}, r"line 3: expected 3 columns \(as on line 1\), found 4"),
    ("a,b,c\n1,2,3\n4,5,6\n7,abc,1\n", {}, r"line 4, column 2: 'abc' is not a number"),
    ("a,b,c\n1,2,3\n4,,6\n", {}, r"line 3, column 2: empty cell"),
    ("a,b,c\n1,2,3\n4,5,\n", {}, r"line 3, column 3: empty cell in the target column"),
    ("1,2,3\n4,5,x\n", {"target": None}, r"line 2, column 3: 'x' is not a number"),
    ("", {}, r"the file is empty"),
    ("\n\n  \n", {}, r"the file is empty"),
    ("a,b,c\n\n", {}, r"line 1: no rows of data after the header"),
    ("a,b,c\n1,2,3\n", {"target": "d"}, r"no column named 'd' in the header on line 1"),
    ("1,2,3\n1,2,3\n", {"target": "c"}, r"'c' is a column name, but the file has no header"),
    ("1,2,3\n", {"target": 3}, r"target column index 3 is out of range for the 3 columns"),
    ("1,2,3\n", {"target": -4}, r"target column index -4 is out of range"),
    ("a,b,a\n1,2,3\n", {"target": "a"}, r"line 1: .*'a' appears more than once"),
    ('a,b\n1,"2\n', {}, r"line 2: malformed CSV"),
    ("a,b,c\n1,2\0,3\n", {}, r"line 2, column 2: '2\\x00' is not a number"),
])
def test_csv_malformed(tmp_path, text, kwargs, pattern):
    path = write(tmp_path / "data.csv", text)
    err = csv_error(path, **kwargs)
    assert re.search(pattern, str(err)), str(err)


def test_csv_binary_file(tmp_path):
    path = write(tmp_path / "image.csv", b"1,2\n3,4\n\x89PNG\xff\xfe\n", mode="wb")
    err = csv_error(path)
    assert "line 3: not UTF-8 text" in str(err)
    assert err.line == 3


def test_csv_bad_gzip(tmp_path):
    path = write(tmp_path / "data.csv.gz", b"\x1f\x8b not really gzip", mode="wb")
    err = csv_error(path)
    assert "gzip" in str(err)


def test_csv_missing_file_and_bad_arguments(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_csv(missing)
    path = write(tmp_path / "ok.csv", "1,2\n")
    with pytest.raises(ValueError, match="header must be"):
        load_csv(path, header="yes")
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        load_csv(path, dtype=np.int64)
    with pytest.raises(ValueError, match="delimiter must be one character"):
        load_csv(path, delimiter=",,")
    with pytest.raises(TypeError, match="target must be"):
        load_csv(path, target=1.5)


# ----------------------------------------------------------------------------------------------
# load_csv: non-finite cells, reading in blocks, limits
# ----------------------------------------------------------------------------------------------

NON_FINITE = ["nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "-Infinity", "1e400",
              "-1e999", "1" + "0" * 400]


@pytest.mark.parametrize("cell", NON_FINITE)
@pytest.mark.parametrize("column", [1, 2, 3])  # two features, then the target
def test_csv_non_finite_cells_are_refused(tmp_path, cell, column):
    rows = [["1", "2", "0"], ["3", "4", "1"], ["5", "6", "0"]]
    rows[2][column - 1] = cell
    path = write(tmp_path / "data.csv", "a,b,c\n" + "".join(",".join(r) + "\n" for r in rows))
    err = csv_error(path)
    assert str(err) == f"{path}, line 4, column {column}: {cell!r} is not a finite number"
    assert (err.line, err.column) == (4, column)
    if column == 3:  # without a target the column is a feature: refused as well
        assert f"column 3: {cell!r} is not a finite number" in str(csv_error(path, target=None))


@pytest.mark.parametrize("cell", ["1e39", "-3.5e38", "1e300"])
@pytest.mark.parametrize("column", [1, 3])
def test_csv_cells_out_of_the_float32_range(tmp_path, cell, column):
    rows = [["1", "2", "0.5"], ["3", "4", "1.5"]]
    rows[1][column - 1] = cell
    path = write(tmp_path / "data.csv", "".join(",".join(r) + "\n" for r in rows))
    err = csv_error(path, dtype=np.float32)
    assert f"line 2, column {column}: {cell!r} is out of the range of float32" in str(err)
    X, y = load_csv(path)  # float64 holds them
    assert np.isfinite(X).all() and np.isfinite(y).all()


def test_csv_non_finite_words_in_a_column_of_labels_are_labels(tmp_path, monkeypatch):
    path = write(tmp_path / "a.csv", "a,b\n1,cat\n2,nan\n3,inf\n")
    assert load_csv(path)[1].tolist() == ["cat", "nan", "inf"]
    # the numbers come first, the first label blocks later: the pending error is dropped
    monkeypatch.setattr(_files, "_BLOCK", 16)
    path = write(tmp_path / "b.csv", "a,b\n1,nan\n" + "1,2\n" * 20 + "1,cat\n")
    y = load_csv(path)[1]
    assert y[0] == "nan" and y[-1] == "cat" and len(y) == 22


def _table(rng, n):
    """Rows with a float, an int and a label column, and the text of each row."""
    a = np.round(rng.standard_normal(n), 3)
    b = rng.integers(-50, 50, n)
    labels = rng.choice(["x", "y z", "été"], n)
    return a, b, labels, [f"{a[i]},{b[i]},{labels[i]}" for i in range(n)]


@pytest.mark.parametrize("block", [5, 16, 61, 1 << 20])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_csv_blocks_keep_values_and_line_numbers(tmp_path, rng, monkeypatch, block, newline):
    monkeypatch.setattr(_files, "_BLOCK", block)
    a, b, labels, rows = _table(rng, 120)
    rows[40] = f'{a[40]},"{b[40]}","{labels[40]}"'  # quotes: this block is read carefully
    lines = ["a,b,label", "", *rows[:70], "   ", *rows[70:]]
    path = write(tmp_path / "data.csv", "\ufeff" + newline.join(lines) + newline, mode="w")
    with open(path, "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"
    X, y = load_csv(path, target="label")
    np.testing.assert_array_equal(X, np.column_stack([a, b]))
    assert y.tolist() == labels.tolist()
    # a bad cell in row 100, on line 104: after the header, a blank line and a line of spaces
    lines[103] = lines[103].replace(",", ",oops", 1)
    write(path, newline.join(lines) + newline, mode="w")
    assert "line 104, column 2: 'oops" in str(csv_error(path))


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_csv_quoted_cells_may_span_blocks(tmp_path, monkeypatch, block):
    monkeypatch.setattr(_files, "_BLOCK", block)
    rows = [f'{i},"label\n{i % 2}, with ""quotes"""' for i in range(30)]
    path = write(tmp_path / "q.csv", "x,label\n" + "\n".join(rows) + "\n9,oops,\n")
    err = csv_error(path)  # each row takes two lines
    assert "line 62: expected 2 columns (as on line 1), found 3" in str(err)
    write(path, "x,label\n" + "\n".join(rows) + "\n")
    X, y = load_csv(path)
    assert X.ravel().tolist() == list(range(30))
    assert y[3] == 'label\n1, with "quotes"'


def test_csv_a_target_column_changes_kind_in_later_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(_files, "_BLOCK", 16)
    path = write(tmp_path / "a.csv", "x,y\n" + "1,2\n" * 10 + "1,2.5\n" * 10)
    y = load_csv(path)[1]
    assert y.dtype == np.float64 and y.tolist() == [2.0] * 10 + [2.5] * 10
    path = write(tmp_path / "b.csv", "x,y\n" + "1,2\n" * 10 + "1,cat\n")
    y = load_csv(path)[1]
    assert y.dtype.kind == "U" and y.tolist() == ["2"] * 10 + ["cat"]


@pytest.mark.parametrize("target", [0, 2500, -1])
def test_csv_rows_of_thousands_of_columns(tmp_path, rng, target):
    A = rng.integers(-9, 9, (30, 5000))
    path = tmp_path / "wide.csv"
    np.savetxt(path, A, fmt="%d", delimiter=",")
    X, y = load_csv(path, target=target)
    assert y.dtype == np.int64 and y.tolist() == A[:, target].tolist()
    np.testing.assert_array_equal(X, np.delete(A, target % 5000, axis=1))
    lines = path.read_text().splitlines()
    cells = lines[17].split(",")
    cells[4000] = "1e400"
    lines[17] = ",".join(cells)
    write(path, "\n".join(lines) + "\n")
    err = csv_error(path, target=target)
    assert str(err).endswith("line 18, column 4001: '1e400' is not a finite number")


# Cells of every kind the readers must agree on; most are numbers so that most files load.
CELLS = ["0", "1", "-2", "+3", "04", "1.5", "-0.25", "1e3", "2E-2", " 7 ", "1_000", "", "abc",
         "nan", "inf", "1e400", "été", '"5"', '"a,b"', "0x10", "\u0661", "3\x00"]


def _random_csv(rng):
    n_cols = int(rng.integers(1, 5))
    rows = []
    for _ in range(int(rng.integers(1, 40))):
        r = rng.random()
        if r < 0.05:
            rows.append(" " * int(rng.integers(0, 3)))  # blank
            continue
        width = n_cols if r > 0.08 else max(1, n_cols + int(rng.choice([-1, 1])))
        pool = CELLS if rng.random() < 0.03 else CELLS[:11]
        rows.append(",".join(rng.choice(pool) for _ in range(width)))
    newline = str(rng.choice(["\n", "\r\n"]))
    return newline.join(rows) + newline * int(rng.integers(0, 2))


def _outcome(path, **kwargs):
    try:
        return load_csv(path, **kwargs)
    except DataFileError as exc:
        return str(exc)


def test_csv_numpy_and_careful_readers_agree(tmp_path, rng, monkeypatch):
    """Every block read by NumPy's parser gives what the cell-by-cell reader gives."""
    loaded = failed = 0
    for i in range(300):
        path = write(tmp_path / f"r{i}.csv", _random_csv(rng))
        kwargs = {"target": [None, "last", 0][i % 3], "dtype": [np.float64, np.float32][i % 2]}
        for block in (8, 1 << 20):
            monkeypatch.setattr(_files, "_BLOCK", block)
            fast = _outcome(path, **kwargs)
            with monkeypatch.context() as m:
                m.setattr(_csv._CsvBlocks, "_fast", lambda self, data, kind: None)
                careful = _outcome(path, **kwargs)
            if isinstance(fast, str):
                assert fast == careful, path.read_text()
                failed += 1
                continue
            loaded += 1
            for got, expected in zip(fast, careful):
                assert (got is None) == (expected is None), path.read_text()
                if got is not None:
                    assert got.dtype == expected.dtype, path.read_text()
                    np.testing.assert_array_equal(got, expected, err_msg=path.read_text())
    assert loaded > 100 and failed > 50  # both outcomes were tried


@pytest.mark.parametrize("text, line", [
    ("x" * (datasets.MAX_LINE_BYTES + 1), 1),  # no line break at all
    ("a,b\n1,2\n" + "1," * (datasets.MAX_LINE_BYTES // 2 + 1) + "\n", 3),
    ("a,b\n" + "1" * (datasets.MAX_LINE_BYTES + 1), 2),  # the last line, no line break
    ('a,b\n1,"' + "x\n" * (datasets.MAX_LINE_BYTES // 2 + 1), 2),  # an unclosed quote
    ("a,b\n" + "\r" * 3 + "1" * (datasets.MAX_LINE_BYTES + 1) + "\r\n2,3\n", 5),
])
def test_csv_lines_longer_than_the_limit(tmp_path, text, line):
    path = write(tmp_path / "long.csv", text.encode(), mode="wb")
    err = csv_error(path)
    assert f"line {line}: a line longer than {datasets.MAX_LINE_BYTES:,} bytes" in str(err)


def test_csv_a_line_at_the_limit_is_read(tmp_path):
    cell = "0." + "0" * (datasets.MAX_LINE_BYTES - 5) + "1"
    path = write(tmp_path / "long.csv", f"a,b\n{cell},1\n")
    assert len(path.read_bytes().split(b"\n")[1]) == datasets.MAX_LINE_BYTES
    X, y = load_csv(path)
    assert X.tolist() == [[0.0]] and y.tolist() == [1]


def test_csv_labels_longer_than_the_limit(tmp_path):
    longest = "x" * datasets.MAX_LABEL_CHARS
    path = write(tmp_path / "l.csv", f"a,b\n1,{longest}\n2,y\n")
    assert load_csv(path)[1].tolist() == [longest, "y"]
    write(path, f"a,b\n1,y\n2,{longest}z\n3,y\n")
    err = csv_error(path)
    assert str(err) == (f"{path}, line 3, column 2: a class label of "
                        f"{datasets.MAX_LABEL_CHARS + 1} characters; labels are at most "
                        f"{datasets.MAX_LABEL_CHARS}")


@pytest.mark.parametrize("compress", [False, True])
def test_csv_max_bytes(tmp_path, compress):
    text = b"a,b\n" + b"1,2\n" * 1000 + b"\n" * (4 << 20)  # 4 MiB of blank lines
    path = tmp_path / ("data.csv.gz" if compress else "data.csv")
    path.write_bytes(gzip.compress(text) if compress else text)
    err = csv_error(path, max_bytes=1 << 20)
    assert "more than 1,048,576 bytes, the most a loader reads" in str(err)
    X, y = load_csv(path, max_bytes=len(text))
    assert X.shape == (1000, 1)
    with pytest.raises(ValueError, match="max_bytes must be an int >= 1"):
        load_csv(path, max_bytes=0)
    with pytest.raises(TypeError, match="max_bytes must be an int"):
        load_csv(path, max_bytes=1.5)


@pytest.mark.parametrize("loader", [load_csv, load_npz, load_mnist_idx])
def test_loaders_refuse_devices_and_folders(tmp_path, loader):
    for path, kind in [("/dev/zero", "a character device"), ("/dev/null", "a character device"),
                       (tmp_path, "a folder")]:
        if not os.path.exists(path):
            continue
        with pytest.raises(DataFileError) as info:
            loader(path)
        assert str(info.value) == f"{path}: {kind}, not a regular file"


def test_csv_reads_in_about_the_memory_of_its_arrays(tmp_path):
    """The peak memory of a load, measured in a child process, is near that of X and y (the
    reader of lists of rows took seven times the file)."""
    path = tmp_path / "big.csv"
    path.write_text("a,b,c,label\n" + "0.123456789,-1.5,2.25,1\n" * 400_000)
    code = ("import resource, sys; from mlpcore.datasets import load_csv\n"
            "peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
            "before = peak(); X, y = load_csv(sys.argv[1])\n"
            "print(peak() - before, X.nbytes + y.nbytes)")
    package = os.path.dirname(datasets.__file__)  # python/mlpcore/datasets
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(package)))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=300, env=env, check=True).stdout
    used, arrays = map(int, out.split())
    assert used < 1.5 * arrays + (16 << 20), (used, arrays, path.stat().st_size)


# ----------------------------------------------------------------------------------------------
# load_npz
# ----------------------------------------------------------------------------------------------

def npz_error(path, **kwargs):
    with pytest.raises(DataFileError) as info:
        load_npz(path, **kwargs)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_npz_roundtrip(tmp_path, rng, save, dtype):
    X = rng.standard_normal((20, 3)).astype(dtype)
    y = rng.integers(0, 4, 20)
    path = tmp_path / "data.npz"
    save(path, X=X, y=y, other=np.arange(3))
    X2, y2 = load_npz(path)
    assert X2.dtype == dtype and y2.dtype == y.dtype
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    X3, y3 = load_npz(str(path), y_key=None)
    assert y3 is None
    save(path, features=np.arange(6, dtype=np.int32).reshape(3, 2),
         labels=np.array(["a", "b", "c"]))
    X4, y4 = load_npz(path, x_key="features", y_key="labels")
    assert X4.dtype == np.float64 and y4.tolist() == ["a", "b", "c"]


@pytest.mark.parametrize("arrays, kwargs, pattern", [
    ({"X": np.ones((2, 2))}, {}, r"no array named 'y' in the archive; it holds \['X'\]"),
    ({"x": np.ones((2, 2)), "y": np.ones(2)}, {}, r"no array named 'X'"),
    ({"X": np.ones(4), "y": np.ones(4)}, {}, r"'X' has shape \(4,\), expected a 2-D array"),
    ({"X": np.ones((2, 2, 2)), "y": np.ones(2)}, {}, r"'X' has shape \(2, 2, 2\)"),
    ({"X": np.ones((3, 2)), "y": np.ones((3, 1))}, {}, r"'y' has shape \(3, 1\), expected a 1-D"),
    ({"X": np.ones((3, 2)), "y": np.ones(4)}, {}, r"'y' has 4 entries but 'X' has 3 rows"),
    ({"X": np.array([["a", "b"]]), "y": np.ones(1)}, {}, r"'X' has dtype <U1, expected real"),
    ({"X": np.ones((1, 2), dtype=complex), "y": np.ones(1)}, {}, r"expected real numbers"),
    ({"X": np.array([[1, None]], dtype=object), "y": np.ones(1)}, {},
     r"'X' is an object array \(stored with pickle\)"),
    ({"X": np.ones((1, 2)), "y": np.array([{}], dtype=object)}, {}, r"'y' is an object array"),
])
def test_npz_malformed(tmp_path, arrays, kwargs, pattern):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    err = npz_error(path, **kwargs)
    assert re.search(pattern, str(err)), str(err)


def test_npz_not_an_archive(tmp_path):
    text = write(tmp_path / "text.npz", "X,y\n1,2\n")
    assert "not an .npz file (not a zip archive)" in str(npz_error(text))
    npy = tmp_path / "single.npz"
    with open(npy, "wb") as f:
        np.save(f, np.ones((2, 2)))
    assert "a .npy file" in str(npz_error(npy))
    empty = write(tmp_path / "empty.npz", "")
    npz_error(empty)
    # a zip archive whose member is cut short
    good = tmp_path / "good.npz"
    np.savez_compressed(good, X=np.random.default_rng(0).standard_normal((200, 20)),
                        y=np.zeros(200))
    raw = good.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(raw[:len(raw) // 2] + raw[-200:])
    npz_error(cut)
    missing = tmp_path / "missing.npz"
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_npz(missing)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_npz_non_finite_numbers(tmp_path, value, dtype):
    X = np.ones((3, 2), dtype)
    X[2, 1] = value
    path = tmp_path / "data.npz"
    np.savez(path, X=X, y=np.zeros(3))
    assert str(npz_error(path)) == f"{path}: X[2, 1] is {value}, not a finite number"
    y = np.zeros(3)
    y[1] = value
    np.savez(path, X=np.ones((3, 2), dtype), y=y)
    assert str(npz_error(path)) == f"{path}: y[1] is {value}, not a finite number"
    assert load_npz(path, y_key=None)[1] is None  # X alone is fine


def test_npz_size_limits(tmp_path):
    path = tmp_path / "data.npz"
    np.savez_compressed(path, X=np.zeros((100, 100)), y=np.zeros(100))
    assert path.stat().st_size < 10_000  # compressed; unpacked it is 80 kB
    assert "more than 10,000 bytes" in str(npz_error(path, max_bytes=10_000))
    assert load_npz(path, max_bytes=100_000)[0].shape == (100, 100)
    # an array header that claims far more data than its entry holds
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 12, 2)})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", header.getvalue() + bytes(16))
        archive.writestr("y.npy", b"")
    assert "cannot read the archive" in str(npz_error(path))


# ----------------------------------------------------------------------------------------------
# load_mnist_idx
# ----------------------------------------------------------------------------------------------

def idx_images(images):
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels(labels):
    return struct.pack(">II", 0x00000801, len(labels)) + np.asarray(labels, np.uint8).tobytes()


@pytest.fixture
def mnist_like(rng):
    images = rng.integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = np.array([7, 0, 9, 3, 3], dtype=np.uint8)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
def test_idx_roundtrip(tmp_path, mnist_like, compress):
    images, labels = mnist_like
    ext, write_bytes = (".gz", gzip.compress) if compress else ("", bytes)
    ip = tmp_path / f"images-idx3-ubyte{ext}"
    lp = tmp_path / f"labels-idx1-ubyte{ext}"
    ip.write_bytes(write_bytes(idx_images(images)))
    lp.write_bytes(write_bytes(idx_labels(labels)))
    X, y = load_mnist_idx(ip, lp)
    assert X.dtype == np.float32 and X.shape == (5, 12)
    assert y.dtype == np.int64 and y.tolist() == [7, 0, 9, 3, 3]
    np.testing.assert_allclose(X, images.reshape(5, 12) / 255.0, rtol=1e-7)
    assert X[0, 0] == 0.0 and X[0, 1] == 1.0 and X.min() >= 0 and X.max() <= 1
    Xr, yr = load_mnist_idx(str(ip), scale=False)
    assert yr is None and Xr.dtype == np.uint8 and Xr.flags.writeable
    np.testing.assert_array_equal(Xr, images.reshape(5, 12))  # row-major flattening
    np.testing.assert_array_equal(Xr[2].reshape(3, 4), images[2])


def test_idx_empty_set(tmp_path):
    ip = tmp_path / "empty-images"
    ip.write_bytes(idx_images(np.zeros((0, 28, 28), np.uint8)))
    X, _ = load_mnist_idx(ip)
    assert X.shape == (0, 784)


@pytest.mark.parametrize("which, content, pattern", [
    ("images", lambda im, lb: idx_labels(lb),
     r"wrong magic number 0x00000801 \(this is an IDX label file\); expected 0x00000803"),
    ("labels", lambda im, lb: idx_images(im),
     r"wrong magic number 0x00000803 \(this is an IDX image file\); expected 0x00000801"),
    ("images", lambda im, lb: b"GIF89a" + idx_images(im), r"wrong magic number .*not an IDX"),
    ("images", lambda im, lb: struct.pack("<IIII", 0x803, 5, 3, 4) + im.tobytes(),
     r"wrong magic number 0x03080000"),
    ("images", lambda im, lb: idx_images(im.astype(float).astype(np.uint8))[:2],
     r"truncated: 2 bytes"),
    ("images", lambda im, lb: b"", r"truncated: 0 bytes"),
    ("images", lambda im, lb: idx_images(im)[:10], r"truncated header: 10 bytes, expected 16"),
    ("images", lambda im, lb: idx_images(im)[:-1],
     r"truncated data: 60 bytes expected for ubyte images of shape 5 x 3 x 4, found 59"),
    ("images", lambda im, lb: idx_images(im) + b"\0\0\0",
     r"3 extra bytes after the 60 bytes of ubyte images"),
    ("labels", lambda im, lb: idx_labels(lb)[:-2], r"truncated data: 5 bytes expected .* found 3"),
    ("labels", lambda im, lb: idx_labels(lb) + b"\n", r"1 extra bytes"),
    ("labels", lambda im, lb: idx_labels(lb[:4]), r"4 labels, but the image file .* holds 5"),
    ("images", lambda im, lb: gzip.compress(idx_images(im))[:-8], r"cannot decompress"),
    ("labels", lambda im, lb: b"\x1f\x8b\x08garbage", r"cannot decompress"),
    ("images", lambda im, lb: struct.pack(">IIII", 0x00000D03, 5, 3, 4),
     r"wrong magic number 0x00000D03 \(an IDX file of floats with 3 dimensions\)"),
])
def test_idx_malformed(tmp_path, mnist_like, which, content, pattern):
    images, labels = mnist_like
    ip = tmp_path / "train-images-idx3-ubyte"
    lp = tmp_path / "train-labels-idx1-ubyte"
    ip.write_bytes(idx_images(images))
    lp.write_bytes(idx_labels(labels))
    bad = ip if which == "images" else lp
    bad.write_bytes(content(images, labels))
    with pytest.raises(DataFileError) as info:
        load_mnist_idx(ip, lp)
    msg = str(info.value)
    assert msg.startswith(str(bad) + ": "), msg
    assert re.search(pattern, msg), msg


@pytest.mark.parametrize("compress", [False, True])
def test_idx_max_bytes(tmp_path, mnist_like, compress):
    images, labels = mnist_like
    big = np.zeros((1000, 28, 28), np.uint8)  # 784 kB, which gzip makes about 1 kB
    content = idx_images(big)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(DataFileError, match="more than 100,000 bytes"):
        load_mnist_idx(path, max_bytes=100_000)
    assert load_mnist_idx(path, max_bytes=len(content))[0].shape == (1000, 784)


def test_idx_missing_file(tmp_path, mnist_like):
    images, labels = mnist_like
    ip = tmp_path / "images"
    ip.write_bytes(idx_images(images))
    with pytest.raises(FileNotFoundError, match="no-labels"):
        load_mnist_idx(ip, tmp_path / "no-labels")
    with pytest.raises(FileNotFoundError, match="no-images"):
        load_mnist_idx(tmp_path / "no-images")


def test_public_names():
    for name in datasets.__all__:
        assert getattr(datasets, name).__doc__, name


def test_csv_delimiter_from_the_name_and_a_wrong_one_named(tmp_path):
    text = "a\tb\tlabel\n1\t2\t0\n3\t4\t1\n"
    for name in ("t.tsv", "t.TAB", "t.tsv.gz"):
        path = tmp_path / name
        if name.endswith(".gz"):
            with gzip.open(path, "wt") as f:
                f.write(text)
        else:
            path.write_text(text)
        X, y = load_csv(path)
        np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
        assert y.tolist() == [0, 1]
    path = write(tmp_path / "t.csv", text)
    err = csv_error(path)
    assert err.line == 1 and "delimiter=" in str(err) and "--delimiter tab" in str(err)
    X, y = load_csv(path, delimiter="\t")
    assert X.shape == (2, 2)
    path = write(tmp_path / "semi.csv", "a;b;label\n1;2;0\n")
    assert "--delimiter ';'" in str(csv_error(path))


def test_csv_pandas_index_column_is_dropped_with_a_warning(tmp_path):
    # DataFrame.to_csv() writes the index as an unnamed first column of 0, 1, ..., n-1
    path = write(tmp_path / "df.csv", ",a,b,label\n0,1.5,2,0\n1,3,4,1\n2,5,6,0\n")
    with pytest.warns(DataFileWarning, match=r"df.csv: the first column has no name and "
                                             r"holds the row numbers 0, 1, \.\.\., 2"):
        X, y = load_csv(path)
    np.testing.assert_array_equal(X, [[1.5, 2], [3, 4], [5, 6]])
    assert y.tolist() == [0, 1, 0]
    # an unnamed first column of other values is a feature like any other
    path = write(tmp_path / "kept.csv", ",a,label\n5,1,0\n7,2,1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, _ = load_csv(path)
    np.testing.assert_array_equal(X, [[5, 1], [7, 2]])
    # without a header, or when the column is the target, nothing is dropped
    path = write(tmp_path / "nohead.csv", "0,1,0\n1,2,1\n")
    assert load_csv(path)[0].shape == (2, 2)
    path = write(tmp_path / "target.csv", ",a\n0,1\n1,2\n")
    X, y = load_csv(path, target=0)
    assert X.shape == (2, 1) and y.tolist() == [0, 1]


# ----------------------------------------------------------------------------------------------
# The compiled parser of plain blocks: every value it gives is Python's float() of the cell, and
# it leaves every block it cannot read exactly to the careful path (None)

PLAIN_CELLS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-2**63, 2**63 - 1).map(str),
    st.sampled_from(["+5", " 3.5 ", ".5", "5.", "1E+05", "-0", "007", "4.9e-324", "1e308",
                     "-2.2250738585072014e-308"]))
ODD_CELLS = st.sampled_from(["", "nan", "inf", "-inf", "1e400", "1e-400", "abc", "0x10", "1_0",
                             "+-1", "--1", "1e", "1.5.2", " ", "\t1", "1 2", "９"])


def _block(rows):
    return "".join(",".join(row) + "\n" for row in rows).encode()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n_cols=st.integers(1, 5), n_rows=st.integers(1, 6),
       target=st.integers(-1, 4), odd=st.booleans(), f32=st.booleans())
def test_the_compiled_parser_reads_what_float_reads(data, n_cols, n_rows, target, odd, f32):
    from mlpcore import _core

    target = min(target, n_cols - 1)
    cells = st.one_of(PLAIN_CELLS, ODD_CELLS) if odd else PLAIN_CELLS
    rows = [[data.draw(cells) for _ in range(n_cols)] for _ in range(n_rows)]
    dtype = np.dtype(np.float32 if f32 else np.float64)
    parsed = _core._parse_csv_rows(_block(rows), ",", n_cols, target, dtype)

    def fits(cell):
        try:
            value = float(cell)
        except ValueError:
            return False
        with np.errstate(over="ignore"):
            return math.isfinite(value) and np.isfinite(dtype.type(value))

    rows = [row for row in rows if ",".join(row).strip(" \t")]  # blank lines are skipped
    n_rows = len(rows)
    if parsed is None:
        # refused: only a block with a cell of ODD_CELLS, or one out of float32's range
        assert odd or not all(fits(c) for row in rows for c in row), rows
        return
    X, y_int, y_float = parsed
    features = [j for j in range(n_cols) if j != target]
    expected = np.array([[float(row[j]) for j in features] for row in rows], dtype=dtype)
    np.testing.assert_array_equal(X, expected.reshape(n_rows, len(features)))
    assert X.dtype == dtype
    if target < 0:
        assert y_int is None and y_float is None
        return
    np.testing.assert_array_equal(y_float, [float(row[target]) for row in rows])
    ints = [row[target].strip() for row in rows]
    if all(re.fullmatch(r"[+-]?\d+", c) for c in ints):
        assert y_int is not None and y_int.tolist() == [int(c) for c in ints]
    else:
        assert y_int is None


def test_the_compiled_parser_refuses_ragged_rows_and_skips_blank_lines():
    from mlpcore import _core

    assert _core._parse_csv_rows(b"1,2\n3\n", ",", 2, -1, np.dtype(np.float64)) is None
    assert _core._parse_csv_rows(b"1,2\n3,4,5\n", ",", 2, -1, np.dtype(np.float64)) is None
    X, _, _ = _core._parse_csv_rows(b"1,2\n  \n\n3,4", ",", 2, -1, np.dtype(np.float64))
    assert X.tolist() == [[1, 2], [3, 4]]
    # labels: the target cells as they are, one per line, the features parsed
    X, cells, _ = _core._parse_csv_rows(b"1, cat \n\n2,dog\n", ",", 2, 1, np.dtype(np.float32),
                                        labels=True)
    assert X.dtype == np.float32 and X.tolist() == [[1], [2]] and cells == b" cat \ndog"
    # with a tab delimiter, a line holding a tab is two empty cells, not a blank line
    assert _core._parse_csv_rows(b"1\t2\n\t\n", "\t", 2, -1, np.dtype(np.float64)) is None
    with pytest.raises(ValueError, match="one delimiter character"):
        _core._parse_csv_rows(b"1", ",,", 1, -1, np.dtype(np.float64))
    with pytest.raises(ValueError, match="target column"):
        _core._parse_csv_rows(b"1", ",", 1, 1, np.dtype(np.float64))
