"""The seeded toy problems of the course: xor, blobs, moons, circles, spirals."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_int, check_random_state, check_real


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

    With the default ``noise=0.25`` a point crosses an axis with probability about 3e-5, so the
    labels agree with the quadrants; larger noise mixes them.

    Parameters
    ----------
    n_samples : int, default 200
        Number of points; class 0 takes the odd one, and within a class the two corners
        are balanced too.
    noise : float, default 0.25
        Standard deviation of the clouds.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        float64 points.
    y : ndarray of shape (n_samples,)
        int64 labels in {0, 1}, balanced and shuffled.

    Examples
    --------
    >>> from mlpcore import datasets
    >>> X, y = datasets.xor(n_samples=8, random_state=0)
    >>> X.shape, np.bincount(y)
    ((8, 2), array([4, 4]))
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

    Well separated centers (distance >> cluster_std) give linearly separable classes.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, balanced over the clusters.
    centers : int or array_like of shape (K, d), default 3
        The number of clusters, whose centers are then drawn uniformly in center_box in
        each of the n_features dimensions, or the centers themselves (then n_features
        is ignored: d is taken from them).
    n_features : int, default 2
        Dimension d of the points when centers is a number.
    cluster_std : float or array_like of shape (K,), default 1.0
        Standard deviation of every cluster, or one per cluster.
    center_box : tuple of float, default (-10.0, 10.0)
        (low, high) of the drawn centers.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, d)
        float64 points.
    y : ndarray of shape (n_samples,)
        int64 index of each point's center, in 0..K-1, balanced and shuffled.

    Examples
    --------
    >>> from mlpcore import datasets
    >>> X, y = datasets.blobs(n_samples=90, centers=3, random_state=0)
    >>> X.shape, np.bincount(y)
    ((90, 2), array([30, 30, 30]))
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
    into the other's hollow. Points are evenly spaced along the arcs, then Gaussian noise is
    added. Not linearly separable; one hidden layer of a few units separates it.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        float64 points.
    y : ndarray of shape (n_samples,)
        int64 labels in {0, 1}, balanced and shuffled.

    Examples
    --------
    >>> from mlpcore import datasets
    >>> X, y = datasets.moons(n_samples=10, random_state=0)
    >>> X.shape, np.bincount(y)
    ((10, 2), array([5, 5]))
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

    Class 0: the unit circle; class 1: the circle of radius ``factor``, both centred at the
    origin with points evenly spaced in angle, plus Gaussian noise. Not linearly separable in
    (x0, x1), but linearly separable in the feature x0^2 + x1^2 (see
    :class:`mlpcore.features.PolynomialFeatures`).

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise.
    factor : float, default 0.8
        Radius of the inner circle, 0 <= factor < 1.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        float64 points.
    y : ndarray of shape (n_samples,)
        int64 labels in {0, 1}, balanced and shuffled.

    Examples
    --------
    >>> from mlpcore import datasets
    >>> X, y = datasets.circles(n_samples=10, factor=0.5, random_state=0)
    >>> sorted(set(np.hypot(X[:, 0], X[:, 1]).round(2)[y == 1].tolist()))
    [0.5]
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
    """Interleaved spiral arms around the origin, one class per arm (a classic hard toy problem).

    Arm k is the curve r (cos a, sin a) with the radius r going from 0.1 to 1 along the arm and
    the angle a = 2 pi (turns r + k / n_classes): the arms wind ``turns`` times around the
    origin, rotated by equal angles against each other. Points are evenly spaced in r, then
    Gaussian noise is added. With noise 0 no two classes share a point; the problem needs a
    network with a hidden layer of some width.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    n_classes : int, default 2
        Number of arms.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise, in the units of the radius.
    turns : float, default 1.5
        How many times each arm winds around the origin.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        float64 points.
    y : ndarray of shape (n_samples,)
        int64 labels in 0..n_classes-1, balanced and shuffled.

    Examples
    --------
    >>> from mlpcore import datasets
    >>> X, y = datasets.spirals(n_samples=300, n_classes=3, random_state=0)
    >>> X.shape, np.bincount(y)
    ((300, 2), array([100, 100, 100]))
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
