"""Plots of fitted models: loss curves, decision boundaries, confusion matrices.

matplotlib is optional (``pip install "mlpcore[plot]"``) and imported only when a plot
is drawn. Every plotting function takes an optional ``ax`` (a new figure is created
when it is None) and returns the Axes it drew on. ``compute_confusion_matrix`` needs
NumPy only.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["compute_confusion_matrix", "confusion_matrix", "decision_boundary", "loss_curve"]

_MISSING = 'mlpcore.plot needs matplotlib: pip install "mlpcore[plot]"'
_NORMALIZE = (None, "true", "pred", "all")


def _require_matplotlib():
    """The matplotlib module, or ImportError with the install command."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    return matplotlib


def _axes(ax):
    _require_matplotlib()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _curve(values, what):
    """A 1-D float array of a history list; non-finite entries become NaN (a gap)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a sequence of numbers, got {values!r}") from None
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D (one value per epoch), got shape {arr.shape}")
    return np.where(np.isfinite(arr), arr, np.nan)


def loss_curve(history_or_model, ax=None, *, label=None, log=True):
    """Training loss per epoch of a fitted estimator or of its ``history_`` dict, on a
    log scale when ``log``. The validation score (``history_["val_score"]``, written with
    early stopping) is drawn on a twin axis when present. Epochs whose loss is inf or
    NaN are left out of the curve."""
    if isinstance(history_or_model, dict):
        history = history_or_model
    elif isinstance(getattr(history_or_model, "history_", None), dict):
        history = history_or_model.history_
    else:
        raise TypeError(
            "loss_curve expects a fitted mlpcore estimator or its history_ dict, got "
            f"{type(history_or_model).__name__}")
    if "loss" not in history:
        raise ValueError(f"the history has no 'loss' entry; its keys are {sorted(history)}")
    loss = _curve(history["loss"], "history['loss']")
    if loss.size == 0:
        raise ValueError("the history has no epochs: history['loss'] is empty")
    ax = _axes(ax)
    epochs = np.arange(1, loss.size + 1)
    ax.plot(epochs, loss, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    score_key = next(
        (k for k in ("val_score", "validation_score") if len(history.get(k, ())) > 0), None)
    if score_key is not None:
        score = _curve(history[score_key], f"history[{score_key!r}]")
        twin = ax.twinx()
        twin.plot(np.arange(1, score.size + 1), score, color="tab:orange", linestyle="--",
                  label="validation score")
        twin.set_ylabel("validation score")
    if label is not None:
        ax.legend()
    return ax


def _check_2d_features(X):
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X must be an array of numbers (n_samples, 2)") from None
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"decision_boundary draws 2-D inputs only: X must have shape (n_samples, 2), "
            f"got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X has no samples")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity")
    return X


def _label_index(values, labels):
    """Index of each value in labels (-1 where it is not one of them)."""
    order = np.argsort(labels, kind="stable")
    pos = np.clip(np.searchsorted(labels[order], values), 0, len(labels) - 1)
    found = labels[order][pos] == values
    return np.where(found, order[pos], -1)


def decision_boundary(model, X, y=None, ax=None, *, resolution=200, padding=0.1,
                      cmap="coolwarm", alpha=0.35):
    """The classes a fitted classifier predicts over a grid around the 2-D data X
    (filled contours), with the samples of X on top, colored by y when given.

    The grid spans the range of X widened by ``padding`` times that range on each side,
    with ``resolution`` points per axis."""
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise TypeError(
            f"model must be a fitted classifier with predict, got {type(model).__name__}")
    X = _check_2d_features(X)
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(
                f"y must be 1-D with one label per sample of X ({len(X)}), got shape {y.shape}")
    if (isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral)
            or resolution < 2):
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    if not isinstance(padding, numbers.Real) or not padding >= 0 or not np.isfinite(padding):
        raise ValueError(f"padding must be a finite number >= 0, got {padding!r}")
    ax = _axes(ax)

    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - padding * span, high + padding * span
    g0, g1 = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    pred = np.asarray(predict(np.column_stack([g0.ravel(), g1.ravel()])))
    classes = getattr(model, "classes_", None)
    parts = [np.asarray(classes) if classes is not None else pred] + ([y] if y is not None else [])
    labels = np.unique(np.concatenate(parts))
    k = len(labels)
    levels = np.arange(k + 1) - 0.5
    zone = _label_index(pred, labels).reshape(g0.shape)
    ax.contourf(g0, g1, zone, levels=levels, cmap=cmap, alpha=alpha, vmin=-0.5, vmax=k - 0.5)
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], s=12, c="k")
    else:
        ax.scatter(X[:, 0], X[:, 1], s=12, c=_label_index(y, labels), cmap=cmap,
                   vmin=-0.5, vmax=k - 0.5, edgecolors="k", linewidths=0.4)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return ax


def _confusion(y_true, y_pred, labels, normalize):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D, got shapes {y_true.shape} and {y_pred.shape}")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty")
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    if (y_true.dtype.kind in "USO") != (y_pred.dtype.kind in "USO"):
        raise TypeError(
            f"y_true and y_pred must hold labels of the same kind, got {y_true.dtype} and "
            f"{y_pred.dtype}")
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    else:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D sequence, got {labels!r}")
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels must not repeat a label, got {labels.tolist()!r}")
        if not np.isin(y_true, labels).any():
            raise ValueError("none of the labels occurs in y_true")
    k = len(labels)
    t, p = _label_index(y_true, labels), _label_index(y_pred, labels)
    keep = (t >= 0) & (p >= 0)  # samples whose labels are not listed are left out
    cm = np.bincount(t[keep] * k + p[keep], minlength=k * k).reshape(k, k)
    if normalize is not None:
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        total = cm.sum(axis=axis, keepdims=axis is not None)
        with np.errstate(invalid="ignore", divide="ignore"):
            cm = np.nan_to_num(cm / total)
    return cm, labels


def compute_confusion_matrix(y_true, y_pred, *, labels=None, normalize=None):
    """The confusion matrix C (K, K): C[i, j] counts the samples of true class labels[i]
    predicted as labels[j] (labels: the sorted labels of y_true and y_pred by default).
    normalize: None (counts), "true" (rows sum to 1), "pred" (columns) or "all".
    Same result as sklearn.metrics.confusion_matrix."""
    return _confusion(y_true, y_pred, labels, normalize)[0]


def confusion_matrix(y_true, y_pred, ax=None, *, labels=None, normalize=None, cmap="Blues"):
    """The confusion matrix (see ``compute_confusion_matrix``) as an image with the
    value written in each cell: true labels down, predicted labels across."""
    cm, labels = _confusion(y_true, y_pred, labels, normalize)
    ax = _axes(ax)
    image = ax.imshow(cm, cmap=cmap, vmin=0)
    fmt = "d" if normalize is None else ".2f"
    middle = (cm.max() + cm.min()) / 2
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, format(cm[i, j], fmt), ha="center", va="center",
                    color="white" if cm[i, j] > middle else "black")
    ticks = np.arange(len(labels))
    names = [str(label) for label in labels.tolist()]
    ax.set_xticks(ticks, names)
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.figure.colorbar(image, ax=ax)
    return ax
