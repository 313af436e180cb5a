"""load: one entry for every data file format, chosen from the file's name."""

from __future__ import annotations

import os

import numpy as np

from ._csv import load_csv
from ._files import MAX_INPUT_BYTES, DataFileError
from ._idx import _idx_labels_for, _is_idx, load_mnist_idx
from ._npz import load_npz


def input_files(path, labels=None):
    """The files load reads for path: path itself and, for MNIST IDX images, the labels file
    (labels, or the one found next to the images); for the command line's --out check."""
    if path is not None and _is_idx(path):
        labels = labels or _idx_labels_for(path)
    return [p for p in (path, labels) if p is not None]


def load(path, *, target="last", delimiter=None, labels=None, need_target=True, max_bytes=None,
         return_names=False):
    """Load ``(X, y)`` from a CSV, NPZ or MNIST IDX file, the format told by the file's name.

    Parameters
    ----------
    path : str or path-like
        A name with "idx" and "ubyte" in it (``train-images-idx3-ubyte.gz``): MNIST IDX images,
        read by :func:`load_mnist_idx`; a name ending in ``.npz``: a ``numpy.savez`` archive of
        ``X`` and ``y``, read by :func:`load_npz`; any other name: a delimited text file, read by
        :func:`load_csv`.
    target : "last", int, str or None, default "last"
        The CSV target column (see :func:`load_csv`); not used by the other formats.
    delimiter : str, optional
        The CSV delimiter (by default a tab for ``.tsv`` and ``.tab`` files, else a comma); not
        used by the other formats.
    labels : str or path-like, optional
        The IDX labels file; by default the one next to the images file
        (``train-images-idx3-ubyte`` -> ``train-labels-idx1-ubyte``), when it exists.
    need_target : bool, default True
        Whether y is required. When False, an IDX file without a labels file and an archive
        without ``y`` give y None instead of an error (e.g. data to predict on).
    max_bytes : int, optional
        The most bytes read from a file (after decompression); default :data:`MAX_INPUT_BYTES`.
    return_names : bool, default False
        Also return the names of X's columns: a CSV header's, else None.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features, as the reader of the format returns them.
    y : ndarray of shape (n_samples,) or None
        The targets, as the reader of the format returns them.
    names : list of str or None
        The column names (CSV with a header); only with ``return_names``.

    Raises
    ------
    FileNotFoundError
        The file is missing.
    DataFileError
        The file is malformed, or IDX images have no labels file and ``need_target``.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlpcore import datasets
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "data.npz")
    ...     np.savez(path, X=np.eye(3), y=np.array([0, 1, 1]))
    ...     X, y = datasets.load(path)
    >>> X.shape, y
    ((3, 3), array([0, 1, 1]))
    """
    path = os.fsdecode(path)
    limit = {"max_bytes": max_bytes or MAX_INPUT_BYTES}
    if not _is_idx(path) and not path.lower().endswith(".npz"):
        return load_csv(path, target=target, delimiter=delimiter, return_names=return_names,
                        **limit)
    X, y = _load_arrays(path, labels, need_target, limit)
    return (X, y, None) if return_names else (X, y)


def _load_arrays(path, labels, need_target, limit):
    if _is_idx(path):
        labels = labels or _idx_labels_for(path)
        if labels is None and need_target:
            raise DataFileError("no labels file found next to the images; pass it as labels",
                                path)
        X, y = load_mnist_idx(path, labels, scale=False, **limit)
        return X.astype(np.float32), y  # the pixels as stored (0-255), as a CSV of them reads
    try:
        return load_npz(path, **limit)
    except DataFileError as exc:
        if need_target or not exc.reason.startswith("no array named 'y'"):
            raise
        return load_npz(path, y_key=None, **limit)
