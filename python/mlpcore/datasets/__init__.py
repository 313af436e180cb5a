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
* :func:`load` - any of the three, the format told by the file's name (what ``mlpcore train``
  and ``mlpcore predict`` read).
"""

from ._csv import load_csv
from ._files import (
    MAX_INPUT_BYTES,
    MAX_LABEL_CHARS,
    MAX_LINE_BYTES,
    DataFileError,
    DataFileWarning,
)
from ._generators import blobs, circles, moons, spirals, xor
from ._idx import load_mnist_idx
from ._load import load
from ._npz import load_npz

__all__ = [
    "DataFileError",
    "DataFileWarning",
    "xor",
    "blobs",
    "moons",
    "circles",
    "spirals",
    "load",
    "load_csv",
    "load_npz",
    "load_mnist_idx",
    "MAX_INPUT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_LABEL_CHARS",
]

# the public names belong to the module users import them from (help(), tracebacks, pickles)
for _name in __all__:
    if callable(globals()[_name]):
        globals()[_name].__module__ = __name__
del _name
