"""Toy problems of the course and loaders for data files, in plain NumPy.

Generators (each seeded by ``random_state``: None, an int, a ``numpy.random.Generator`` or a
``numpy.random.RandomState``; the same int gives the same data):

* :func:`xor` - four Gaussian clouds at the corners (+-1, +-1), XOR labels: not linearly separable.
* :func:`blobs` - isotropic Gaussian clusters, one class each.
* :func:`moons` - two interleaved half circles.
* :func:`circles` - a small circle inside a large one.
* :func:`spirals` - ``n_classes`` interleaved spiral arms.

Each returns ``(X, y)``: X float64 (n_samples, 2) (``blobs``: (n_samples, n_features)) and y
int64 (n_samples,) with labels ``0..K-1``. The classes are balanced (n_samples split as evenly as
possible, the first classes getting one more sample when it does not divide) and the samples are
shuffled.

Loaders (never a download; a missing file is a FileNotFoundError naming it, a malformed one a
:class:`DataFileError` naming the file and, for CSV, the line and column):

* :func:`load_csv` - a delimited text file, with or without a header, target column by name or
  index.
* :func:`load_npz` - arrays ``X`` and ``y`` of a ``numpy.savez`` archive, without pickle.
* :func:`load_mnist_idx` - the IDX files of MNIST (plain or gzip-compressed).
"""

from __future__ import annotations

import csv
import errno
import gzip
import numbers
import os
import struct
import zipfile
import zlib

import numpy as np

from ._validation import check_int, check_random_state, check_real

__all__ = [
    "DataFileError",
    "xor",
    "blobs",
    "moons",
    "circles",
    "spirals",
    "load_csv",
    "load_npz",
    "load_mnist_idx",
]


class DataFileError(ValueError):
    """A data file that cannot be read, with where and why.

    ``str(err)`` reads like ``"data.csv, line 7, column 3: 'abc' is not a number"``; the parts are
    also attributes: ``filename``, ``line`` and ``column`` (1-based, None when they do not apply)
    and ``reason``.
    """

    def __init__(self, reason, filename=None, line=None, column=None):
        self.reason = reason
        self.filename = filename
        self.line = line
        self.column = column
        where = [] if filename is None else [str(filename)]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)

    def __reduce__(self):
        return (type(self), (self.reason, self.filename, self.line, self.column))


# ----------------------------------------------------------------------------------------------
# Argument checks shared by the generators
# ----------------------------------------------------------------------------------------------

def _class_counts(n_samples, n_classes):
    """n_samples split into n_classes as evenly as possible (the first classes get the extras)."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def _finish(X, y, noise, rng):
    """Add Gaussian noise of std ``noise`` and shuffle; X float64 (n, d), y int64 (n,)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order]), y[order]


# ----------------------------------------------------------------------------------------------
# Generators
# ----------------------------------------------------------------------------------------------

def xor(n_samples=200, noise=0.25, random_state=None):
    """The XOR problem: Gaussian clouds around the four corners (+-1, +-1) of the square.

    The label of a point is that of the corner it was drawn around: 1 for the corners where
    exactly one coordinate is positive, (1, -1) and (-1, 1), and 0 for (1, 1) and (-1, -1); so
    ``y = (sign(c0) * sign(c1) < 0)`` for the corner c. The two classes sit on the two diagonals,
    which no line separates: a single perceptron cannot learn it, one hidden layer of two units can.

    With the default ``noise=0.25`` (the standard deviation of the clouds) a point crosses an axis
    with probability about 3e-5, so the labels agree with the quadrants; larger noise mixes them.

    Returns X float64 (n_samples, 2) and y int64 (n_samples,) in {0, 1}, balanced (class 0 takes
    the odd sample) and shuffled; within a class the two corners are balanced too.
    """
    n_samples = check_int("n_samples", n_samples, 0)
    noise = check_real("noise", noise)
    rng = check_random_state(random_state)
    corners = {0: ((1.0, 1.0), (-1.0, -1.0)), 1: ((1.0, -1.0), (-1.0, 1.0))}
    X, y = [], []
    for label, count in enumerate(_class_counts(n_samples, 2)):
        for corner, m in zip(corners[label], _class_counts(count, 2)):
            X.append(np.tile(corner, (m, 1)))
            y.append(np.full(m, label))
    return _finish(np.vstack(X), np.concatenate(y), noise, rng)


def blobs(n_samples=100, centers=3, n_features=2, cluster_std=1.0, center_box=(-10.0, 10.0),
          random_state=None):
    """Isotropic Gaussian clusters, one class per cluster (like scikit-learn's make_blobs).

    ``centers`` is the number of clusters, whose centers are then drawn uniformly in the box
    ``center_box`` (low, high) in each of the ``n_features`` dimensions, or an array (K, d) of
    the centers themselves (then ``n_features`` is ignored: d is taken from it). ``cluster_std``
    is the standard deviation of every cluster, or one per cluster (K,).

    Returns X float64 (n_samples, d) and y int64 (n_samples,) in 0..K-1 (the index of the
    center), balanced and shuffled. Well separated centers (distance >> cluster_std) give
    linearly separable classes.
    """
    n_samples = check_int("n_samples", n_samples, 0)
    rng = check_random_state(random_state)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, (bool, np.bool_)):
        n_centers = check_int("centers", centers, 1)
        n_features = check_int("n_features", n_features, 1)
        try:
            low, high = (float(v) for v in center_box)
        except (TypeError, ValueError):
            raise ValueError(
                f"center_box must be a pair (low, high) of numbers, got {center_box!r}") from None
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise ValueError(f"center_box must be (low, high) with low <= high, got {center_box!r}")
        center_array = rng.uniform(low, high, size=(n_centers, n_features))
    else:
        try:
            center_array = np.array(centers, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"centers must be an int or an array (n_centers, n_features) of numbers, got "
                f"{centers!r}") from None
        if center_array.ndim != 2 or center_array.shape[0] < 1 or center_array.shape[1] < 1:
            raise ValueError(
                f"centers must be an int or a non-empty 2-D array (n_centers, n_features), got "
                f"an array of shape {center_array.shape}")
        if not np.isfinite(center_array).all():
            raise ValueError("centers must be finite")
        n_centers = center_array.shape[0]
    std = np.asarray(cluster_std, dtype=np.float64)
    if std.ndim == 0:
        std = np.full(n_centers, float(std))
    if std.shape != (n_centers,):
        raise ValueError(
            f"cluster_std must be a number or an array of one std per center ({n_centers},), got "
            f"shape {std.shape}")
    if not np.isfinite(std).all() or (std < 0).any():
        raise ValueError(f"cluster_std must be finite and >= 0, got {cluster_std!r}")
    y = np.repeat(np.arange(n_centers), _class_counts(n_samples, n_centers))
    X = center_array[y] + std[y, None] * rng.standard_normal((n_samples, center_array.shape[1]))
    return _finish(X, y, 0.0, rng)


def moons(n_samples=100, noise=0.0, random_state=None):
    """Two interleaved half circles (like scikit-learn's make_moons).

    Class 0: the upper half of the unit circle, (cos t, sin t) for t in [0, pi]; class 1: the
    lower half circle (1 - cos t, 1/2 - sin t), shifted right and down so that each moon reaches
    into the other's hollow. Points are evenly spaced along the arcs, then Gaussian noise of std
    ``noise`` is added. Not linearly separable; one hidden layer of a few units separates it.

    Returns X float64 (n_samples, 2) and y int64 (n_samples,) in {0, 1}, balanced and shuffled.
    """
    n_samples = check_int("n_samples", n_samples, 0)
    noise = check_real("noise", noise)
    rng = check_random_state(random_state)
    n0, n1 = _class_counts(n_samples, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng)


def circles(n_samples=100, noise=0.0, factor=0.8, random_state=None):
    """A small circle inside a large one (like scikit-learn's make_circles).

    Class 0: the unit circle; class 1: the circle of radius ``factor`` (0 <= factor < 1), both
    centred at the origin with points evenly spaced in angle, plus Gaussian noise of std
    ``noise``. Not linearly separable in (x0, x1), but linearly separable in the feature
    x0^2 + x1^2 (see :class:`mlpcore.features.PolynomialFeatures`).

    Returns X float64 (n_samples, 2) and y int64 (n_samples,) in {0, 1}, balanced and shuffled.
    """
    n_samples = check_int("n_samples", n_samples, 0)
    noise = check_real("noise", noise)
    factor = check_real("factor", factor)
    if not factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor!r}")
    rng = check_random_state(random_state)
    n0, n1 = _class_counts(n_samples, 2)
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   factor * np.column_stack([np.cos(t1), np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, noise, rng)


def spirals(n_samples=100, n_classes=2, noise=0.0, turns=1.5, random_state=None):
    """``n_classes`` interleaved spiral arms around the origin (the classic hard toy problem).

    Arm k is the curve r (cos a, sin a) with the radius r going from 0.1 to 1 along the arm and
    the angle a = 2 pi (turns r + k / n_classes): the arms wind ``turns`` times around the
    origin, rotated by equal angles against each other. Points are evenly spaced in r, then
    Gaussian noise of std ``noise`` (in the units of the radius) is added. With noise 0 no two
    classes share a point; the problem needs a network with a hidden layer of some width.

    Returns X float64 (n_samples, 2) and y int64 (n_samples,) in 0..n_classes-1, balanced and
    shuffled.
    """
    n_samples = check_int("n_samples", n_samples, 0)
    n_classes = check_int("n_classes", n_classes, 1)
    noise = check_real("noise", noise)
    turns = check_real("turns", turns)
    rng = check_random_state(random_state)
    parts, labels = [], []
    for k, m in enumerate(_class_counts(n_samples, n_classes)):
        r = np.linspace(0.1, 1.0, m)
        a = 2 * np.pi * (turns * r + k / n_classes)
        parts.append(np.column_stack([r * np.cos(a), r * np.sin(a)]))
        labels.append(np.full(m, k))
    return _finish(np.vstack(parts), np.concatenate(labels), noise, rng)


# ----------------------------------------------------------------------------------------------
# CSV
# ----------------------------------------------------------------------------------------------

def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell_error(cell):
    if not cell.strip():
        return "empty cell (missing values are not supported)"
    return f"{cell!r} is not a number"


def _open_text(name):
    if name.endswith(".gz"):
        return gzip.open(name, "rt", encoding="utf-8-sig", newline="")
    return open(name, encoding="utf-8-sig", newline="")


def _first_bad_utf8_line(name):
    """(line, message) of the first line of the file that is not UTF-8 text."""
    opener = gzip.open if name.endswith(".gz") else open
    try:
        with opener(name, "rb") as f:
            for number, raw in enumerate(f, 1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return number, (f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at character "
                                    f"{exc.start + 1} of the line); is this a CSV file?")
    except (OSError, EOFError, zlib.error):
        pass
    return None, "not UTF-8 text; is this a CSV file?"


def _read_rows(name, delimiter):
    """The non-empty rows of a CSV file and the line on which each starts."""
    rows, lines = [], []
    line = 0
    try:
        with _open_text(name) as f:
            reader = csv.reader(f, delimiter=delimiter, strict=True)
            while True:
                start = line + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise DataFileError(f"malformed CSV: {exc}", name, line=reader.line_num
                                        ) from None
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # an empty line
                rows.append(row)
                lines.append(start)
    except UnicodeDecodeError:
        bad_line, reason = _first_bad_utf8_line(name)
        raise DataFileError(reason, name, line=bad_line) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFileError(f"cannot decompress the gzip file: {exc}", name) from None
    return rows, lines


def load_csv(path, target="last", delimiter=",", header="infer", dtype=np.float64):
    """Load a delimited text file of numbers as ``(X, y)``.

    Parameters
    ----------
    path : str or path-like
        The file (UTF-8 text, a byte-order mark is ignored; a name ending in ``.gz`` is read
        through gzip).
    target : "last", int, str or None, default "last"
        The target column: the last one, an index (negative counts from the end), a column name
        of the header (then the file must have a header), or None for no target (y is None and
        every column is a feature).
    delimiter : str, default ","
        One character; quoting follows the csv module's defaults (``"a, b"`` is one cell).
    header : "infer", True or False, default "infer"
        Whether the first non-empty row holds column names. "infer": it does when one of its
        cells outside the target column is text (neither a number nor empty), or when all of its
        cells are. Numeric column names need ``header=True``.
    dtype : float64 or float32
        The dtype of X (and of y when the target is real-valued).

    Returns
    -------
    X : ndarray (n_samples, n_features) of dtype
    y : ndarray (n_samples,) or None
        int64 when every target cell is an integer ("3", not "3.0"), ``dtype`` when every target
        cell is a number, else a str array of the cells (stripped of surrounding spaces): string
        class labels.

    Empty lines (and lines of only spaces) are skipped. Everything else must be a number in every
    feature column (what Python's ``float`` accepts, including "nan" and "inf"). A missing file
    raises FileNotFoundError; an empty file, a header without data, rows of different lengths, a
    cell that is not a number or is empty, an unknown target, bytes that are not text: a
    :class:`DataFileError` naming the file and, where it applies, the line and the column
    (both counted from 1), e.g. ``data.csv, line 7, column 3: 'abc' is not a number``.
    """
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    if not (isinstance(header, str) and header == "infer") and header not in (True, False):
        raise ValueError(f"header must be 'infer', True or False, got {header!r}")
    if not (target is None or isinstance(target, str)
            or (isinstance(target, numbers.Integral) and not isinstance(target, (bool, np.bool_)))):
        raise TypeError(f"target must be 'last', a column index, a column name or None, got "
                        f"{target!r}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"delimiter must be one character (not a quote or newline), got "
                         f"{delimiter!r}")

    rows, lines = _read_rows(name, delimiter)
    if not rows:
        raise DataFileError("the file is empty (no rows of data)", name)
    first = rows[0]
    n_cols = len(first)

    # Where the target is, as far as the first row tells (needed to infer the header).
    def position(names):
        if target is None:
            return None
        if isinstance(target, str) and target == "last":
            return n_cols - 1
        if isinstance(target, str):
            return names.index(target) if names is not None and target in names else None
        return int(target) % n_cols if -n_cols <= target < n_cols else None

    if isinstance(header, str):  # "infer"
        guess = position([c.strip() for c in first])
        # text: a cell that is neither a number nor empty (an empty cell is a missing value)
        text = [bool(c.strip()) and not _is_number(c) for c in first]
        has_header = all(text) or any(t for j, t in enumerate(text) if j != guess)
    else:
        has_header = bool(header)
    names = [c.strip() for c in first] if has_header else None
    data, data_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
    if not data:
        raise DataFileError("no rows of data after the header", name, line=lines[0])

    t = position(names)
    if target is not None and t is None:
        if isinstance(target, str) and target != "last":
            if names is None:
                raise DataFileError(
                    f"the target {target!r} is a column name, but the file has no header row "
                    f"(pass header=True if line {lines[0]} holds the names)", name)
            raise DataFileError(
                f"no column named {target!r} in the header on line {lines[0]}; the columns are "
                f"{names}", name)
        raise DataFileError(
            f"the target column index {target} is out of range for the {n_cols} columns of the "
            f"file", name)
    if names is not None and isinstance(target, str) and target != "last" \
            and names.count(target) > 1:
        columns = [j + 1 for j, n in enumerate(names) if n == target]
        raise DataFileError(
            f"the target name {target!r} appears more than once in the header (columns "
            f"{columns})", name, line=lines[0])

    for row, line in zip(data, data_lines):
        if len(row) != n_cols:
            raise DataFileError(
                f"expected {n_cols} columns (as on line {lines[0]}), found {len(row)}", name,
                line=line)

    def scan(columns):
        """Parse the given columns cell by cell, raising on the first bad one."""
        out = np.empty((len(data), len(columns)), dtype=dtype)
        for i, (row, line) in enumerate(zip(data, data_lines)):
            for k, j in enumerate(columns):
                try:
                    out[i, k] = float(row[j])
                except ValueError:
                    raise DataFileError(_cell_error(row[j]), name, line=line, column=j + 1
                                        ) from None
        return out

    features = [j for j in range(n_cols) if j != t]
    y = None
    try:  # fast path: every column, target included, is numeric
        values = np.array(data, dtype=dtype)
    except ValueError:
        values = None
    if values is not None:
        X = np.ascontiguousarray(values[:, features])
        if t is not None:
            y = values[:, t].copy()
    else:
        if t is None:
            X = scan(features)
        else:
            try:
                X = np.array([row[:t] + row[t + 1:] for row in data], dtype=dtype)
            except ValueError:
                X = scan(features)
            X = X.reshape(len(data), len(features))
    if t is not None:
        cells = [row[t] for row in data]
        for cell, line in zip(cells, data_lines):
            if not cell.strip():
                raise DataFileError("empty cell in the target column", name, line=line,
                                    column=t + 1)
        try:
            y = np.array([int(c) for c in cells], dtype=np.int64)
        except (ValueError, OverflowError):
            if y is None:
                try:
                    y = np.array([float(c) for c in cells], dtype=dtype)
                except ValueError:  # not all numbers: class labels as strings
                    y = np.array([c.strip() for c in cells], dtype=str)
    return X, y


# ----------------------------------------------------------------------------------------------
# NPZ
# ----------------------------------------------------------------------------------------------

def _npz_member(archive, key, name):
    if key not in archive.files:
        raise DataFileError(f"no array named {key!r} in the archive; it holds "
                            f"{sorted(archive.files)}", name)
    try:
        return archive[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise DataFileError(
                f"array {key!r} is an object array (stored with pickle), which is not loaded "
                f"(allow_pickle=False): store numbers or strings", name) from None
        raise DataFileError(f"array {key!r} cannot be read: {exc}", name) from None


def load_npz(path, x_key="X", y_key="y"):
    """Load ``(X, y)`` from a ``numpy.savez`` / ``savez_compressed`` archive, without pickle.

    X (``archive[x_key]``) must be a 2-D array of numbers: float32 and float64 are kept, other
    real numbers (ints, bools, float16) become float64. y (``archive[y_key]``) must be 1-D with one
    entry per row of X (numbers or strings, returned with their dtype); ``y_key=None`` returns
    y None. A missing file raises FileNotFoundError; a file that is not an npz archive (a zip),
    a missing key, an object (pickled) array, a wrong number of dimensions or a length mismatch:
    a :class:`DataFileError` naming the file.
    """
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not os.path.exists(name):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
    if not zipfile.is_zipfile(name):
        with open(name, "rb") as f:
            head = f.read(6)
        if head == b"\x93NUMPY":
            raise DataFileError("a .npy file (one array), not an .npz archive of X and y; load "
                                "it with numpy.load", name)
        raise DataFileError("not an .npz file (not a zip archive)", name)
    try:
        with np.load(name, allow_pickle=False) as archive:
            X = _npz_member(archive, x_key, name)
            y = None if y_key is None else _npz_member(archive, y_key, name)
    except DataFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, zlib.error) as exc:
        raise DataFileError(f"cannot read the archive: {exc}", name) from None
    if X.ndim != 2:
        raise DataFileError(
            f"array {x_key!r} has shape {X.shape}, expected a 2-D array (n_samples, n_features)",
            name)
    if X.dtype.kind not in "biuf":
        raise DataFileError(f"array {x_key!r} has dtype {X.dtype}, expected real numbers", name)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if y is not None:
        if y.ndim != 1:
            raise DataFileError(
                f"array {y_key!r} has shape {y.shape}, expected a 1-D array (n_samples,)", name)
        if y.dtype.kind not in "biufUS":
            raise DataFileError(
                f"array {y_key!r} has dtype {y.dtype}, expected numbers or strings", name)
        if len(y) != len(X):
            raise DataFileError(
                f"array {y_key!r} has {len(y)} entries but {x_key!r} has {len(X)} rows", name)
    return X, y


# ----------------------------------------------------------------------------------------------
# MNIST IDX
# ----------------------------------------------------------------------------------------------

_IDX_IMAGES = 0x00000803  # unsigned bytes, 3 dimensions (n, rows, cols)
_IDX_LABELS = 0x00000801  # unsigned bytes, 1 dimension (n,)
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
              0x0D: "float", 0x0E: "double"}


def _read_idx(path, magic, what):
    """The dims and the uint8 data of an IDX file (gzip-compressed or not)."""
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    with open(name, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataFileError(f"cannot decompress the gzip file: {exc}", name) from None
    if len(raw) < 4:
        raise DataFileError(
            f"truncated: {len(raw)} bytes, too short for the 4-byte IDX magic number", name)
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        hint = ""
        if found == _IDX_LABELS:
            hint = " (this is an IDX label file)"
        elif found == _IDX_IMAGES:
            hint = " (this is an IDX image file)"
        elif raw[:2] == b"\x00\x00" and raw[2] in _IDX_TYPES:
            hint = f" (an IDX file of {_IDX_TYPES[raw[2]]}s with {raw[3]} dimensions)"
        else:
            hint = " (not an IDX file)"
        raise DataFileError(
            f"wrong magic number 0x{found:08X}{hint}; expected 0x{magic:08X} for {what}", name)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFileError(
            f"truncated header: {len(raw)} bytes, expected {header} (magic number and {ndim} "
            f"dimension sizes)", name)
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    size = int(np.prod(dims, dtype=np.int64))
    found_size = len(raw) - header
    shape = " x ".join(str(d) for d in dims)
    if found_size < size:
        raise DataFileError(
            f"truncated data: {size} bytes expected for {what} of shape {shape}, found "
            f"{found_size}", name)
    if found_size > size:
        raise DataFileError(
            f"{found_size - size} extra bytes after the {size} bytes of {what} of shape {shape}",
            name)
    return name, dims, np.frombuffer(raw, dtype=np.uint8, count=size, offset=header)


def load_mnist_idx(images_path, labels_path=None, scale=True):
    """Load MNIST-style IDX files (plain or gzip-compressed, detected from the content).

    ``images_path``: an IDX file of unsigned bytes in 3 dimensions (magic number 0x00000803,
    then n, rows, cols as big-endian uint32, then n * rows * cols pixel bytes), such as
    ``train-images-idx3-ubyte.gz``. ``labels_path``: an IDX file of unsigned bytes in 1 dimension
    (magic 0x00000801, then n, then n label bytes), or None.

    Returns ``(X, y)``: X (n, rows * cols), one flattened image (row-major) per row: float32 in
    [0, 1] (the bytes divided by 255) when ``scale`` (the default: ready for training, half the
    memory of float64, and mlpcore computes natively in float32), else the raw uint8 bytes;
    y int64 (n,), or None without ``labels_path``.

    A missing file raises FileNotFoundError; a wrong magic number, a truncated header or data,
    extra bytes after the data, corrupt gzip data, or a different number of images and labels:
    a :class:`DataFileError` naming the file.
    """
    images_name, dims, pixels = _read_idx(images_path, _IDX_IMAGES, "ubyte images")
    n, rows, cols = dims
    if scale:
        X = pixels.astype(np.float32).reshape(n, rows * cols)
        X /= np.float32(255)
    else:
        X = pixels.reshape(n, rows * cols).copy()
    y = None
    if labels_path is not None:
        labels_name, (n_labels,), labels = _read_idx(labels_path, _IDX_LABELS, "ubyte labels")
        if n_labels != n:
            raise DataFileError(
                f"{n_labels} labels, but the image file {images_name} holds {n} images",
                labels_name)
        y = labels.astype(np.int64)
    return X, y
