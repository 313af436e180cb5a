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
:class:`DataFileError` naming the file and, for CSV, the line and column). A data file may come
from anyone: a loader refuses devices, reads at most :data:`MAX_INPUT_BYTES` (``max_bytes``)
and refuses NaN and infinite numbers.

* :func:`load_csv` - a delimited text file, with or without a header, target column by name or
  index.
* :func:`load_npz` - arrays ``X`` and ``y`` of a ``numpy.savez`` archive, without pickle.
* :func:`load_mnist_idx` - the IDX files of MNIST (plain or gzip-compressed).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import math
import numbers
import os
import stat
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
    "MAX_INPUT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_LABEL_CHARS",
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
# Limits of the loaders (a data file may come from anyone)
# ----------------------------------------------------------------------------------------------

MAX_INPUT_BYTES = 1 << 30
"""The most bytes a loader reads from one file, after gzip decompression: 1 GiB. An endless
stream (a FIFO, a decompression bomb) stops there with a DataFileError instead of filling the
memory (a CSV of one-digit cells takes four times its size as float64); the loaders'
``max_bytes`` raises it (on the command line: ``--max-input-size``)."""

MAX_LINE_BYTES = 1 << 20
"""The longest line of a CSV file: 1 MiB. A stream without line breaks (a binary file, the
output of ``cat /dev/zero``) is refused after this much of it."""

MAX_LABEL_CHARS = 256
"""The longest string class label of a CSV target column (y holds every label at the width of
the longest)."""

_BLOCK = 1 << 20  # bytes read at a time; not above MAX_LINE_BYTES, so that the line check is exact
_too_long = f"a line longer than {MAX_LINE_BYTES:,} bytes; is this a CSV file?"
_NOT_FILES = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
              stat.S_IFDIR: "a folder", stat.S_IFSOCK: "a socket"}


def _source(path):
    """The name of a file to load, as str, after refusing what cannot be read to an end (a FIFO
    is read: the size limit bounds it)."""
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    kind = _NOT_FILES.get(stat.S_IFMT(os.stat(name).st_mode))  # a missing file: FileNotFoundError
    if kind:
        raise DataFileError(f"{kind}, not a regular file", name)
    return name


def _too_big(max_bytes):
    return (f"more than {max_bytes:,} bytes, the most a loader reads (raise it with max_bytes, "
            f"or --max-input-size on the command line)")


def _read_bounded(f, name, max_bytes):
    """All of f, up to max_bytes, a block at a time (read(n) would reserve n bytes at once)."""
    data = bytearray()
    while block := f.read(_BLOCK):
        data += block
        if len(data) > max_bytes:
            raise DataFileError(_too_big(max_bytes), name)
    return data


# ----------------------------------------------------------------------------------------------
# CSV
# ----------------------------------------------------------------------------------------------

def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_blank(row):
    return not row or (len(row) == 1 and not row[0].strip())


def _cell_error(cell, dtype):
    """Why a feature cell is not a finite number of dtype, or None when it is one."""
    if not cell.strip():
        return "empty cell (missing values are not supported)"
    try:
        value = float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    if not math.isfinite(value):
        return f"{cell!r} is not a finite number"
    with np.errstate(over="ignore"):
        if not np.isfinite(dtype.type(value)):
            return f"{cell!r} is out of the range of {dtype}"
    return None


def _rows_end(data):
    """Where the whole rows of data end: after its last line break outside a quoted cell."""
    cut = data.rfind(b"\n") + 1
    inside = b'"' in data and data.count(b'"', 0, cut) % 2
    while inside:  # the last quote before cut opens a cell: go to the line break before it
        start = data.rfind(b"\n", 0, data.rfind(b'"', 0, cut)) + 1
        inside ^= data.count(b'"', start, cut) % 2
        cut = start
    return cut


def _newlines(data):
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == ord("\n")))


def _byte_blocks(f, name, max_bytes):
    """The bytes of a file in blocks of whole rows, as (line of the block's start, block): a
    UTF-8 byte-order mark dropped, line breaks (\\r\\n, \\r) made \\n."""
    carry, line, total, cr = b"", 1, 0, b""
    while True:
        raw = f.read(_BLOCK)
        if total == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        total += len(raw)
        if total > max_bytes:
            raise DataFileError(_too_big(max_bytes), name)
        data = cr + raw
        cr = b"\r" if raw and data.endswith(b"\r") else b""  # a \n may follow in the next read
        if cr:
            data = data[:-1]
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        end = data.rfind(b"\n") + 1 if raw else len(data)
        if raw and not end:  # no line break yet: the line goes on
            carry += data
        else:
            block = b"".join((carry, memoryview(data)[:end]))  # one copy
            carry = data[end:]
            if raw and b'"' in block:  # a quoted cell may go on past the last line break
                cut = _rows_end(block)
                block, carry = block[:cut], block[cut:] + carry
            # a longer line starts in carry (a read holds no longer one): the first is enough
            first = block.find(b"\n")
            if (first if first >= 0 else len(block)) > MAX_LINE_BYTES:
                raise DataFileError(_too_long, name, line=line)
            if block:
                yield line, block
                line += _newlines(block)
        if len(carry) > MAX_LINE_BYTES:
            raise DataFileError(_too_long, name, line=line)
        if not raw:
            return


def _text(data, line, name):
    """The block decoded from UTF-8, or a DataFileError naming the line of the first bad byte."""
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise DataFileError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); is this a CSV "
                            "file?", name, line=line + data.count(b"\n", 0, exc.start)) from None


def _first_row(data, line, delimiter, name):
    """(row, its line, the bytes after it, the line they start on) for the first non-blank row
    of a block, or None when there is none."""
    text = _text(data, line, name)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    while True:
        start = line + reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise DataFileError(f"malformed CSV: {exc}", name,
                                line=line + reader.line_num - 1) from None
        if not _is_blank(row):
            break
    end = 0
    for _ in range(reader.line_num):
        end = data.find(b"\n", end) + 1 or len(data)
    return row, start, data[end:], line + reader.line_num


_KINDS = ("int", "float", "str")  # what a target column may hold, tried in this order


def _target_values(cells, kind):
    """The target cells as int64, else float64, else a list of stripped strings: the first
    of these, from kind on, that fits every cell (Python's int() and float() decide)."""
    if kind == "int":
        try:
            return np.array([int(c) for c in cells], dtype=np.int64)
        except (ValueError, OverflowError):
            pass
    if kind != "str":
        try:
            return np.array([float(c) for c in cells])
        except ValueError:
            pass
    return [c.strip() for c in cells]


class _CsvBlocks:
    """Parses blocks of rows of one CSV file into X (rows, features) and the target values:
    NumPy's parser for plain blocks, the csv module cell by cell for the others and for every
    error message (one place that knows what a bad cell is)."""

    def __init__(self, name, delimiter, dtype, n_cols, first_line, target):
        self.name, self.delimiter, self.dtype = name, delimiter, dtype
        self.n_cols, self.first_line, self.target = n_cols, first_line, target
        self.features = [j for j in range(n_cols) if j != target]
        # a row of the features as dtype and the target as int64, for one pass of NumPy's
        # parser; not for thousands of columns (a field costs some 250 bytes and microseconds)
        self.int_row = None if target is None or n_cols > 4096 else np.dtype(
            [(f"c{j}", np.int64 if j == target else dtype) for j in range(n_cols)])

    def parse(self, data, line, kind):
        """(X, y, bad) of the rows of a block of bytes, which starts on line, or None for a blank
        block. y: the target values (None without a target) of a kind no earlier than kind;
        bad: the DataFileError of a non-finite number in a numeric target, raised only if the
        column stays numeric to the end (later rows may make it a column of labels)."""
        if not data or data.isspace():
            return None
        return self._fast(data, kind) or \
            self._careful(_text(data, line, self.name), line, kind)

    def _fast(self, data, kind):
        """NumPy's parser, or None: a quote, a line of spaces, a bad cell or a wrong column count
        leave the block to _careful."""
        if b'"' in data:
            return None
        for k in _KINDS[_KINDS.index(kind):]:
            try:
                X, y = self._numpy_read(data, k, kind)
            except (ValueError, IndexError):
                continue
            if not np.isfinite(X).all() or not self._fine_target(y, len(X)):
                return None
            return X, y, None
        return None

    def _numpy_read(self, data, kind, first_kind):
        """(X, y) of a block, the target read as kind: "int" and "float" in one pass of NumPy's
        parser; "str" (labels, numbers only Python reads such as "1_000", or the integers of
        very wide rows) by splitting the rows."""
        def read(dtype, **options):
            # bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError
            return np.loadtxt(io.BytesIO(data), dtype=dtype, delimiter=self.delimiter,
                              comments=None, quotechar=None, encoding="utf-8", **options)

        t = self.target
        if t is None:
            X = read(self.dtype, ndmin=2)
            if X.shape[1] != self.n_cols:
                raise ValueError("a different number of columns")
            return X, None
        if kind == "int" and self.int_row is not None:
            values = read(self.int_row, ndmin=1)
            row = values.view(np.uint8).reshape(len(values), self.int_row.itemsize)
            at = t * self.dtype.itemsize  # the target's 8 bytes: the features before and after
            before, after = row[:, :at].view(self.dtype), row[:, at + 8:].view(self.dtype)
            if t == 0 or t == self.n_cols - 1:  # a view of one side, which _grow copies
                X = after if t == 0 else before
            else:
                X = np.hstack([before, after])
            # a copy: a view of the target would keep the whole block alive
            return X, values[f"c{t}"].copy()
        if kind == "float":
            values = read(self.dtype, ndmin=2)
            if values.shape[1] != self.n_cols:
                raise ValueError("a different number of columns")
            return np.delete(values, t, axis=1), values[:, t].copy()
        cells = []
        for row in data.decode().split("\n"):
            if row:
                cells.append(row.split(self.delimiter)[t])
                if row.count(self.delimiter) != self.n_cols - 1:
                    raise ValueError("a different number of columns")
        X = read(self.dtype, usecols=self.features, ndmin=2) if self.features else \
            np.empty((len(cells), 0), self.dtype)
        y = _target_values(cells, first_kind)
        if isinstance(y, list):
            if not all(y) or max(map(len, y)) > MAX_LABEL_CHARS:
                raise ValueError("an empty or a long label")  # for _careful to report
            return X, np.array(y, dtype=str)
        with np.errstate(over="ignore"):
            return X, y.astype(self.dtype) if y.dtype.kind == "f" else y

    def _fine_target(self, y, rows):
        return y is None or (len(y) == rows and (y.dtype.kind != "f" or np.isfinite(y).all()))

    def _careful(self, text, line, kind):
        """The csv module and Python's float(), cell by cell; raises a DataFileError naming the
        line and the column of the first bad cell."""
        rows, lines = [], []
        reader = csv.reader(io.StringIO(text), delimiter=self.delimiter, strict=True)
        while True:
            start = line + reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise DataFileError(f"malformed CSV: {exc}", self.name,
                                    line=line + reader.line_num - 1) from None
            if _is_blank(row):
                continue
            if len(row) != self.n_cols:
                raise DataFileError(f"expected {self.n_cols} columns (as on line "
                                    f"{self.first_line}), found {len(row)}", self.name,
                                    line=start)
            rows.append(row)
            lines.append(start)
        X = np.empty((len(rows), len(self.features)), self.dtype)
        for i, row in enumerate(rows):
            for k, j in enumerate(self.features):
                reason = _cell_error(row[j], self.dtype)
                if reason:
                    raise DataFileError(reason, self.name, line=lines[i], column=j + 1)
                X[i, k] = float(row[j])
        if self.target is None:
            return X, None, None
        return (X, *self._careful_target([row[self.target] for row in rows], lines, kind))

    def _careful_target(self, cells, lines, kind):
        column = self.target + 1
        values = _target_values(cells, kind)
        if isinstance(values, list):
            for label, line in zip(values, lines):
                if not label:
                    raise DataFileError("empty cell in the target column", self.name,
                                        line=line, column=column)
                if len(label) > MAX_LABEL_CHARS:
                    raise DataFileError(f"a class label of {len(label):,} characters; labels "
                                        f"are at most {MAX_LABEL_CHARS}", self.name, line=line,
                                        column=column)
            return np.array(values, dtype=str), None
        if values.dtype.kind == "f":
            with np.errstate(over="ignore"):
                values = values.astype(self.dtype)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            i = bad[0]
            return values, DataFileError(_cell_error(cells[i], self.dtype), self.name,
                                         line=lines[i], column=column)
        return values, None


def _reserve(rows, block_bytes, file_bytes, width, dtype):
    """An empty X for the rows that the file's size suggests from its first block of rows, plus
    a tenth, and at least 64 MiB: virtual memory, whose pages cost nothing until written, and a
    mapping of its own, which realloc then grows without copying or leaving holes in the heap."""
    guess = rows * file_bytes // block_bytes * 11 // 10 if file_bytes else 0
    return np.empty((max(rows, guess, (64 << 20) // max(1, width * dtype.itemsize)), width), dtype)


def _grow(buffer, n, rows):
    """Puts rows after the n rows of buffer, growing it in place by a quarter when full: realloc
    remaps the pages of a large array instead of copying them, so the peak memory stays near the
    final array's."""
    if n + len(rows) > len(buffer):
        buffer.resize((max(len(buffer) * 5 // 4, n + len(rows)), buffer.shape[1]),
                      refcheck=False)
    buffer[n:n + len(rows)] = rows
    return n + len(rows)


def _join_targets(parts, kind, dtype):
    if kind == "str":  # numbers read before the first label become labels
        return np.concatenate([p.astype(str) for p in parts])
    y = np.concatenate(parts)
    return y.astype(dtype) if kind == "float" else y


def load_csv(path, target="last", delimiter=",", header="infer", dtype=np.float64,
             max_bytes=MAX_INPUT_BYTES):
    """Load a delimited text file of numbers as ``(X, y)``.

    Parameters
    ----------
    path : str or path-like
        The file (UTF-8 text, a byte-order mark is ignored; a name ending in ``.gz`` is read
        through gzip). A FIFO is read too; a device or a folder is refused.
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
    max_bytes : int, default :data:`MAX_INPUT_BYTES` (1 GiB)
        The most bytes read (after decompression): a longer stream is refused.

    Returns
    -------
    X : ndarray (n_samples, n_features) of dtype
    y : ndarray (n_samples,) or None
        int64 when every target cell is an integer ("3", not "3.0"), ``dtype`` when every target
        cell is a number, else a str array of the cells (stripped of surrounding spaces): string
        class labels. (When numbers fill the first megabytes of a column of labels, those are
        kept as NumPy writes them: "+3" becomes "3".)

    The file is read a block at a time, so the memory used is about that of X and y. Empty
    lines (and lines of only spaces) are skipped. Everything else must be a finite number in
    every feature column (what Python's ``float`` accepts, "nan", "inf" and "1e400" excepted),
    and in the target column when it holds numbers. A missing file raises FileNotFoundError; an
    empty file, a header without data, rows of different lengths, a cell that is not a finite
    number or is empty, an unknown target, bytes that are not text, a line longer than
    :data:`MAX_LINE_BYTES`, a label longer than :data:`MAX_LABEL_CHARS`: a
    :class:`DataFileError` naming the file and, where it applies, the line and the column (both
    counted from 1), e.g. ``data.csv, line 7, column 3: 'abc' is not a number``.
    """
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
    max_bytes = check_int("max_bytes", max_bytes, 1)
    name = _source(path)
    try:
        with (gzip.open if name.endswith(".gz") else open)(name, "rb") as f:
            size = None if name.endswith(".gz") else os.fstat(f.fileno()).st_size
            return _read_csv(_byte_blocks(f, name, max_bytes), name, target, delimiter, header,
                             dtype, size)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFileError(f"cannot decompress the gzip file: {exc}", name) from None


def _read_csv(blocks, name, target, delimiter, header, dtype, size):
    for line, data in blocks:
        found = _first_row(data, line, delimiter, name)
        if found:
            break
    else:
        raise DataFileError("the file is empty (no rows of data)", name)
    first, first_line, after, after_line = found
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
        text_cells = [bool(c.strip()) and not _is_number(c) for c in first]
        has_header = all(text_cells) or any(t for j, t in enumerate(text_cells) if j != guess)
    else:
        has_header = bool(header)
    names = [c.strip() for c in first] if has_header else None

    t = position(names)
    if target is not None and t is None:
        if isinstance(target, str) and target != "last":
            if names is None:
                raise DataFileError(
                    f"the target {target!r} is a column name, but the file has no header row "
                    f"(pass header=True if line {first_line} holds the names)", name)
            raise DataFileError(
                f"no column named {target!r} in the header on line {first_line}; the columns "
                f"are {names}", name)
        raise DataFileError(
            f"the target column index {target} is out of range for the {n_cols} columns of the "
            f"file", name)
    if names is not None and isinstance(target, str) and target != "last" \
            and names.count(target) > 1:
        columns = [j + 1 for j, n in enumerate(names) if n == target]
        raise DataFileError(
            f"the target name {target!r} appears more than once in the header (columns "
            f"{columns})", name, line=first_line)

    parser = _CsvBlocks(name, delimiter, dtype, n_cols, first_line, t)
    X, n, parts, kind, bad = None, 0, [], "int", None
    start = [(after_line, after)] if has_header else [(line, data)]
    for line, data in itertools.chain(start, blocks):
        block = parser.parse(data, line, kind)
        if block is None:
            continue
        X_block, y_block, bad_block = block
        if X is None:
            X = _reserve(len(X_block), len(data), size, len(parser.features), dtype)
        n = _grow(X, n, X_block)
        if y_block is not None:
            parts.append(y_block)
            kind = _KINDS[max(_KINDS.index(kind), "ifU".index(y_block.dtype.kind))]
            bad = None if kind == "str" else bad or bad_block
    if X is None:
        raise DataFileError("no rows of data after the header", name, line=first_line)
    X.resize((n, X.shape[1]), refcheck=False)
    if t is None:
        return X, None
    if bad is not None:
        raise bad
    return X, _join_targets(parts, kind, dtype)


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


def _check_finite(a, key, name):
    """Refuse a NaN or an infinity in a float array of an archive, naming its index."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        index = np.unravel_index(np.flatnonzero(~np.isfinite(a))[0], a.shape)
        raise DataFileError(f"{key}[{', '.join(map(str, index))}] is {a[index]}, not a finite "
                            "number", name)


def load_npz(path, x_key="X", y_key="y", max_bytes=MAX_INPUT_BYTES):
    """Load ``(X, y)`` from a ``numpy.savez`` / ``savez_compressed`` archive, without pickle.

    X (``archive[x_key]``) must be a 2-D array of numbers: float32 and float64 are kept, other
    real numbers (ints, bools, float16) become float64. y (``archive[y_key]``) must be 1-D with one
    entry per row of X (numbers or strings, returned with their dtype); ``y_key=None`` returns
    y None. Float arrays must hold finite numbers. ``max_bytes`` bounds the unpacked size of the
    archive (:data:`MAX_INPUT_BYTES`, 1 GiB, by default). A missing file raises
    FileNotFoundError; a device, a file that is not an npz archive (a zip), a missing key, an
    object (pickled) array, a wrong number of dimensions, a length mismatch, a NaN or an
    infinity, an archive too big: a :class:`DataFileError` naming the file.
    """
    max_bytes = check_int("max_bytes", max_bytes, 1)
    name = _source(path)
    if not zipfile.is_zipfile(name):
        with open(name, "rb") as f:
            head = f.read(6)
        if head == b"\x93NUMPY":
            raise DataFileError("a .npy file (one array), not an .npz archive of X and y; load "
                                "it with numpy.load", name)
        raise DataFileError("not an .npz file (not a zip archive)", name)
    try:
        with np.load(name, allow_pickle=False) as archive:
            if sum(info.file_size for info in archive.zip.infolist()) > max_bytes:
                raise DataFileError(_too_big(max_bytes), name)
            X = _npz_member(archive, x_key, name)
            y = None if y_key is None else _npz_member(archive, y_key, name)
    except DataFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, zlib.error,
            MemoryError) as exc:  # MemoryError: an array header that claims more than there is
        raise DataFileError(f"cannot read the archive: {exc}", name) from None
    if X.ndim != 2:
        raise DataFileError(
            f"array {x_key!r} has shape {X.shape}, expected a 2-D array (n_samples, n_features)",
            name)
    if X.dtype.kind not in "biuf":
        raise DataFileError(f"array {x_key!r} has dtype {X.dtype}, expected real numbers", name)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    _check_finite(X, x_key, name)
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
        _check_finite(y, y_key, name)
    return X, y


# ----------------------------------------------------------------------------------------------
# MNIST IDX
# ----------------------------------------------------------------------------------------------

_IDX_IMAGES = 0x00000803  # unsigned bytes, 3 dimensions (n, rows, cols)
_IDX_LABELS = 0x00000801  # unsigned bytes, 1 dimension (n,)
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
              0x0D: "float", 0x0E: "double"}


def _read_idx(path, magic, what, max_bytes):
    """The dims and the uint8 data of an IDX file (gzip-compressed or not)."""
    name = _source(path)
    with open(name, "rb") as f:
        raw = _read_bounded(f, name, max_bytes)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                raw = _read_bounded(f, name, max_bytes)
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


def load_mnist_idx(images_path, labels_path=None, scale=True, max_bytes=MAX_INPUT_BYTES):
    """Load MNIST-style IDX files (plain or gzip-compressed, detected from the content).

    ``images_path``: an IDX file of unsigned bytes in 3 dimensions (magic number 0x00000803,
    then n, rows, cols as big-endian uint32, then n * rows * cols pixel bytes), such as
    ``train-images-idx3-ubyte.gz``. ``labels_path``: an IDX file of unsigned bytes in 1 dimension
    (magic 0x00000801, then n, then n label bytes), or None.

    Returns ``(X, y)``: X (n, rows * cols), one flattened image (row-major) per row: float32 in
    [0, 1] (the bytes divided by 255) when ``scale`` (the default: ready for training, half the
    memory of float64, and mlpcore computes natively in float32), else the raw uint8 bytes;
    y int64 (n,), or None without ``labels_path``.

    A missing file raises FileNotFoundError; a device, a wrong magic number, a truncated header
    or data, extra bytes after the data, corrupt gzip data, more than ``max_bytes`` (after
    decompression; :data:`MAX_INPUT_BYTES` by default), or a different number of images and
    labels: a :class:`DataFileError` naming the file.
    """
    max_bytes = check_int("max_bytes", max_bytes, 1)
    images_name, dims, pixels = _read_idx(images_path, _IDX_IMAGES, "ubyte images", max_bytes)
    n, rows, cols = dims
    if scale:
        X = pixels.astype(np.float32).reshape(n, rows * cols)
        X /= np.float32(255)
    else:
        X = pixels.reshape(n, rows * cols).copy()
    y = None
    if labels_path is not None:
        labels_name, (n_labels,), labels = _read_idx(labels_path, _IDX_LABELS, "ubyte labels",
                                                      max_bytes)
        if n_labels != n:
            raise DataFileError(
                f"{n_labels} labels, but the image file {images_name} holds {n} images",
                labels_name)
        y = labels.astype(np.int64)
    return X, y
