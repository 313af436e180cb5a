"""load_csv: a delimited text file read a block of whole rows at a time, by NumPy's parser where
it can and cell by cell where it cannot (and for every error message)."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import math
import numbers
import os
import warnings
import zlib

import numpy as np

from .. import _core
from .._validation import check_int
from . import _files
from ._files import (
    MAX_INPUT_BYTES,
    MAX_LABEL_CHARS,
    MAX_LINE_BYTES,
    DataFileError,
    DataFileWarning,
    _source,
    _too_big,
    _too_long,
)


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
        raw = f.read(_files._BLOCK)  # looked up per read: tests shrink it
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
        """The compiled parser for rows of plain numbers, else NumPy's parser, else None: a
        quote, a line of spaces, a bad cell or a wrong column count leave the block to
        _careful."""
        if b'"' in data:
            return None
        if kind != "str":
            parsed = _core._parse_csv_rows(data, self.delimiter, self.n_cols,
                                           -1 if self.target is None else self.target,
                                           self.dtype)
            if parsed is not None:
                X, y_int, y_float = parsed
                if self.target is None:
                    return X, None, None
                if kind == "int" and y_int is not None:
                    return X, y_int.copy(), None
                return X, y_float.astype(self.dtype), None  # a copy, as NumPy would cast
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
        very wide rows) by the compiled parser, the target cells left to Python."""
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
        parsed = _core._parse_csv_rows(data, self.delimiter, self.n_cols, t, self.dtype,
                                       labels=True)
        if parsed is None:
            raise ValueError("not plain rows of numbers and labels")
        X, cells, _ = parsed
        # bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError
        y = _target_values(cells.decode().split("\n") if len(X) else [], first_kind)
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


def load_csv(path, target="last", delimiter=None, header="infer", dtype=np.float64,
             max_bytes=MAX_INPUT_BYTES, return_names=False):
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
    delimiter : str, optional
        One character; quoting follows the csv module's defaults (``"a, b"`` is one cell). By
        default a tab for a name ending in ``.tsv`` or ``.tab`` (``.gz`` aside), else a comma.
        A first row of one column (with a target) that holds another delimiter (a
        tab-separated file read with commas) is refused, naming it.
    header : "infer", True or False, default "infer"
        Whether the first non-empty row holds column names. "infer": it does when one of its
        cells outside the target column is text (neither a number nor empty), or when all of its
        cells are. Numeric column names need ``header=True``.
    dtype : float64 or float32
        The dtype of X (and of y when the target is real-valued).
    max_bytes : int, default :data:`MAX_INPUT_BYTES` (1 GiB)
        The most bytes read (after decompression): a longer stream is refused.
    return_names : bool, default False
        Also return the names of X's columns.

    Returns
    -------
    X : ndarray (n_samples, n_features) of dtype
    y : ndarray (n_samples,) or None
        int64 when every target cell is an integer ("3", not "3.0"), ``dtype`` when every target
        cell is a number, else a str array of the cells (stripped of surrounding spaces): string
        class labels. (When numbers fill the first megabytes of a column of labels, those are
        kept as NumPy writes them: "+3" becomes "3".)
    names : list of str or None
        Only with ``return_names``: the header's name of each column of X (stripped of
        surrounding spaces), or None when the file has no header.

    Notes
    -----
    A first column without a name in the header that holds 0, 1, ..., n-1 (the index that
    ``DataFrame.to_csv`` writes) is not a feature: it is left out of X (a view) with a
    :class:`DataFileWarning`.

    The file is read a block at a time, so the memory used is about that of X and y. Empty
    lines (and lines of only spaces) are skipped. Everything else must be a finite number in
    every feature column (what Python's ``float`` accepts, "nan", "inf" and "1e400" excepted),
    and in the target column when it holds numbers. A missing file raises FileNotFoundError; an
    empty file, a header without data, rows of different lengths, a cell that is not a finite
    number or is empty, an unknown target, bytes that are not text, a line longer than
    :data:`MAX_LINE_BYTES`, a label longer than :data:`MAX_LABEL_CHARS`: a
    :class:`DataFileError` naming the file and, where it applies, the line and the column (both
    counted from 1), e.g. ``data.csv, line 7, column 3: 'abc' is not a number``.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlpcore import datasets
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "flowers.csv")
    ...     with open(path, "w") as f:
    ...         print("length,width,kind", "1.5,0.2,setosa", "4.5,1.5,versicolor",
    ...               sep=chr(10), file=f)
    ...     X, y = datasets.load_csv(path, target="kind")
    >>> X.tolist(), y.tolist()
    ([[1.5, 0.2], [4.5, 1.5]], ['setosa', 'versicolor'])
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
    if delimiter is None:
        delimiter = delimiter_for(os.fsdecode(os.fspath(path)))
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"delimiter must be one character (not a quote or newline), got "
                         f"{delimiter!r}")
    max_bytes = check_int("max_bytes", max_bytes, 1)
    name = _source(path)
    try:
        with (gzip.open if name.endswith(".gz") else open)(name, "rb") as f:
            size = None if name.endswith(".gz") else os.fstat(f.fileno()).st_size
            X, y, names = _read_csv(_byte_blocks(f, name, max_bytes), name, target, delimiter,
                                    header, dtype, size)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFileError(f"cannot decompress the gzip file: {exc}", name) from None
    return (X, y, names) if return_names else (X, y)


# Delimiters a file may use instead, with the command line's name for each.
_OTHER_DELIMITERS = (("\t", "tab"), (";", "';'"), ("|", "'|'"), (",", "comma"))


def _other_delimiter(cell, delimiter):
    """For a first row that is one cell with `delimiter` (a target and no feature): the
    message naming the delimiter its text holds, or None when it holds none."""
    for other, option in _OTHER_DELIMITERS:
        if other != delimiter and other in cell:
            return (f"the first row is one column with the delimiter {delimiter!r}, and it "
                    f"holds {other!r}: pass delimiter={other!r} (on the command line, "
                    f"--delimiter {option})")
    return None


def delimiter_for(name):
    """The delimiter of a file by its name: tab for .tsv and .tab (also gzipped), else comma."""
    base = name.lower()[:-3] if name.lower().endswith(".gz") else name.lower()
    return "\t" if base.endswith((".tsv", ".tab")) else ","


def _read_csv(blocks, name, target, delimiter, header, dtype, size):
    for line, data in blocks:
        found = _first_row(data, line, delimiter, name)
        if found:
            break
    else:
        raise DataFileError("the file is empty (no rows of data)", name)
    first, first_line, after, after_line = found
    if len(first) == 1 and target is not None:
        other = _other_delimiter(first[0], delimiter)
        if other:
            raise DataFileError(other, name, first_line)
    has_header = _has_header(first, target, header)
    t = _target_column(first, first_line, target, has_header, name)
    parser = _CsvBlocks(name, delimiter, dtype, len(first), first_line, t)
    start = [(after_line, after)] if has_header else [(line, data)]
    X, y = _read_rows(parser, itertools.chain(start, blocks), size)
    names = [c.strip() for j, c in enumerate(first) if j != t] if has_header else None
    if has_header and not first[0].strip() and t != 0 and _is_row_numbers(X[:, 0]):
        warnings.warn(f"{name}: the first column has no name and holds the row numbers 0, 1, "
                      f"..., {len(X) - 1} (an index written by pandas); it is not used as a "
                      "feature", DataFileWarning, stacklevel=3)
        X, names = X[:, 1:], names[1:]
    return X, y, names


def _is_row_numbers(column):
    return len(column) > 1 and bool(np.array_equal(column, np.arange(len(column))))


def _target_position(target, names, n_cols):
    """The index of the target column, or None where target is None, an unknown name or an index
    out of range (names: the header's cells, or None without a header)."""
    if target is None:
        return None
    if isinstance(target, str) and target == "last":
        return n_cols - 1
    if isinstance(target, str):
        return names.index(target) if names is not None and target in names else None
    return int(target) % n_cols if -n_cols <= target < n_cols else None


def _has_header(first, target, header):
    """Whether the first row holds column names; header "infer" guesses from its cells."""
    if not isinstance(header, str):
        return bool(header)
    guess = _target_position(target, [c.strip() for c in first], len(first))
    # text: a cell that is neither a number nor empty (an empty cell is a missing value)
    text_cells = [bool(c.strip()) and not _is_number(c) for c in first]
    return all(text_cells) or any(t for j, t in enumerate(text_cells) if j != guess)


def _target_column(first, first_line, target, has_header, name):
    """The index of the target column (None without a target), or a DataFileError saying why
    target names no column of the file."""
    n_cols = len(first)
    names = [c.strip() for c in first] if has_header else None
    t = _target_position(target, names, n_cols)
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
    return t


def _read_rows(parser, blocks, size):
    """(X, y) of the blocks of rows after the header, X grown in place block by block."""
    X, n, parts, kind, bad = None, 0, [], "int", None
    for line, data in blocks:
        block = parser.parse(data, line, kind)
        if block is None:
            continue
        X_block, y_block, bad_block = block
        if X is None:
            X = _reserve(len(X_block), len(data), size, len(parser.features), parser.dtype)
        n = _grow(X, n, X_block)
        if y_block is not None:
            parts.append(y_block)
            kind = _KINDS[max(_KINDS.index(kind), "ifU".index(y_block.dtype.kind))]
            bad = None if kind == "str" else bad or bad_block
    if X is None:
        raise DataFileError("no rows of data after the header", parser.name,
                            line=parser.first_line)
    X.resize((n, X.shape[1]), refcheck=False)
    if parser.target is None:
        return X, None
    if bad is not None:
        raise bad
    return X, _join_targets(parts, kind, parser.dtype)
