"""What every loader shares: the error it raises and the limits a data file meets (a data file
may come from anyone)."""

from __future__ import annotations

import os
import stat


class DataFileWarning(UserWarning):
    """Something a loader did to a data file's columns that the caller should know of.

    For example, it dropped a pandas index column.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> from mlpcore import datasets
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "data.csv")
    ...     with open(path, "w") as f:
    ...         print(",x,y", "0,0.5,1", "1,1.5,0", sep=chr(10), file=f)
    ...     with warnings.catch_warnings(record=True) as caught:
    ...         warnings.simplefilter("always")
    ...         X, y = datasets.load_csv(path)
    >>> X.tolist(), caught[0].category.__name__
    ([[0.5], [1.5]], 'DataFileWarning')
    """


class DataFileError(ValueError):
    """A data file that cannot be read, with where and why.

    ``str(err)`` reads like ``"data.csv, line 7, column 3: 'abc' is not a number"``.

    Parameters
    ----------
    reason : str
        What is wrong.
    filename : str, optional
        The file.
    line, column : int, optional
        Where, counted from 1; None when they do not apply.

    Attributes
    ----------
    reason, filename, line, column
        The parameters.

    Examples
    --------
    >>> from mlpcore.datasets import DataFileError
    >>> error = DataFileError("'abc' is not a number", "data.csv", line=7, column=3)
    >>> str(error), error.line
    ("data.csv, line 7, column 3: 'abc' is not a number", 7)
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
