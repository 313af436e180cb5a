"""load_npz: the arrays X and y of a numpy.savez archive, without pickle."""

from __future__ import annotations

import zipfile
import zlib

import numpy as np

from .._validation import check_int
from ._files import MAX_INPUT_BYTES, DataFileError, _source, _too_big


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

    Parameters
    ----------
    path : str or path-like
        The archive.
    x_key, y_key : str, default "X" and "y"
        The names of the arrays; ``y_key=None`` returns y None.
    max_bytes : int, default :data:`MAX_INPUT_BYTES` (1 GiB)
        Bound on the unpacked size of the archive.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64.
    y : ndarray of shape (n_samples,) or None
        Numbers or strings, with their dtype.

    Notes
    -----
    X (``archive[x_key]``) must be a 2-D array of numbers: float32 and float64 are kept, other
    real numbers (ints, bools, float16) become float64. y (``archive[y_key]``) must be 1-D with one
    entry per row of X (numbers or strings, returned with their dtype); ``y_key=None`` returns
    y None. Float arrays must hold finite numbers. ``max_bytes`` bounds the unpacked size of the
    archive (:data:`MAX_INPUT_BYTES`, 1 GiB, by default). A missing file raises
    FileNotFoundError; a device, a file that is not an npz archive (a zip), a missing key, an
    object (pickled) array, a wrong number of dimensions, a length mismatch, a NaN or an
    infinity, an archive too big: a :class:`DataFileError` naming the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlpcore import datasets
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "data.npz")
    ...     np.savez_compressed(path, X=np.ones((2, 3), np.float32), y=np.array(["a", "b"]))
    ...     X, y = datasets.load_npz(path)
    >>> X.dtype, y.tolist()
    (dtype('float32'), ['a', 'b'])
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
