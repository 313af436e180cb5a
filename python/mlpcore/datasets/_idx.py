"""load_mnist_idx: the IDX files of MNIST, plain or gzip-compressed."""

from __future__ import annotations

import gzip
import io
import os
import struct
import zlib

import numpy as np

from .._validation import check_int
from ._files import MAX_INPUT_BYTES, DataFileError, _read_bounded, _source


_IDX_IMAGES = 0x00000803  # unsigned bytes, 3 dimensions (n, rows, cols)
_IDX_LABELS = 0x00000801  # unsigned bytes, 1 dimension (n,)
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
              0x0D: "float", 0x0E: "double"}


def _is_idx(path):
    """Whether a file name is that of an IDX file (train-images-idx3-ubyte, ...)."""
    name = os.path.basename(path).lower()
    return "idx" in name and "ubyte" in name


def _idx_labels_for(images):
    """The labels file next to an MNIST images file (train-images-idx3-ubyte ->
    train-labels-idx1-ubyte), if it exists."""
    folder, name = os.path.split(images)
    candidate = os.path.join(folder, name.replace("images", "labels").replace("idx3", "idx1"))
    return candidate if candidate != images and os.path.exists(candidate) else None


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

    Parameters
    ----------
    images_path : str or path-like
        An IDX file of unsigned bytes in 3 dimensions (magic number 0x00000803, then n, rows,
        cols as big-endian uint32, then n * rows * cols pixel bytes), such as
        ``train-images-idx3-ubyte.gz``.
    labels_path : str or path-like, optional
        An IDX file of unsigned bytes in 1 dimension (magic 0x00000801, then n, then n label
        bytes), or None.
    scale : bool, default True
        Return float32 pixels in [0, 1] (the bytes divided by 255: ready for training, half
        the memory of float64, and mlpcore computes natively in float32), else the raw uint8
        bytes.
    max_bytes : int, default :data:`MAX_INPUT_BYTES` (1 GiB)
        The most bytes read from a file, after decompression.

    Returns
    -------
    X : ndarray of shape (n, rows * cols)
        One flattened image (row-major) per row.
    y : ndarray of shape (n,) or None
        int64 labels, or None without ``labels_path``.

    Notes
    -----
    A missing file raises FileNotFoundError; a device, a wrong magic number, a truncated header
    or data, extra bytes after the data, corrupt gzip data, more than ``max_bytes`` (after
    decompression; :data:`MAX_INPUT_BYTES` by default), or a different number of images and
    labels: a :class:`DataFileError` naming the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlpcore import datasets
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     images = os.path.join(folder, "images-idx3-ubyte")
    ...     with open(images, "wb") as f:  # two images of 2 x 2 pixels
    ...         _ = f.write(bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]))
    ...         _ = f.write(bytes([0, 255, 255, 0, 51, 51, 51, 51]))
    ...     X, y = datasets.load_mnist_idx(images)
    >>> X, y is None
    (array([[0. , 1. , 1. , 0. ],
           [0.2, 0.2, 0.2, 0.2]], dtype=float32), True)
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
