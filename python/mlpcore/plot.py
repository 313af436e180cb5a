"""Plots of fitted models: loss curves, decision boundaries, confusion matrices.

matplotlib is optional (``pip install "mlpcore[plot]"``) and imported only when a plot
is drawn. Every plotting function takes an optional ``ax`` (a new figure is created
when it is None) and returns the Axes it drew on. ``compute_confusion_matrix`` needs
NumPy only.
"""

from __future__ import annotations

import numbers
import warnings

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


def _best_epoch(history, loss):
    """(index, what) of the best epoch: the best validation score or the lowest validation
    loss when early stopping ran, else the lowest training loss; None when no epoch is finite."""
    for key, pick, what in (("val_score", np.nanargmax, "best validation score"),
                            ("validation_score", np.nanargmax, "best validation score"),
                            ("val_loss", np.nanargmin, "lowest validation loss")):
        if len(history.get(key, ())) > 0:
            values = _curve(history[key], f"history[{key!r}]")
            if np.isfinite(values).any():
                return int(pick(values)), what
    if np.isfinite(loss).any():
        return int(np.nanargmin(loss)), "lowest training loss"
    return None


def _legend(ax, others=(), *, minimum=2, **kwargs):
    """One legend on ax for the labelled artists of ax and of the other (twin) axes, when
    they are at least ``minimum``."""
    handles, labels = ax.get_legend_handles_labels()
    for other in others:
        more_handles, more_labels = other.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    if len(handles) >= minimum:
        return ax.legend(handles, labels, **kwargs)
    return None


def _twin_of(ax):
    """The twin axes that loss_curve made for ax earlier, if any."""
    return next((other for other in ax.figure.axes
                 if getattr(other, "_mlpcore_twin_of", None) is ax), None)


def loss_curve(history_or_model, ax=None, *, label=None, log=True, mark_best=True):
    """Training loss per epoch of a fitted estimator or of its ``history_`` dict.

    The validation loss (``history_["val_loss"]``, written with early stopping) is drawn on
    the same axis, and the validation score (``history_["val_score"]``) on a twin axis on the
    right. The best epoch is marked on the training loss curve: the epoch of the best
    validation score (or the lowest validation loss) when early stopping ran, else the epoch
    of the lowest training loss. One legend lists the curves of both axes. Epochs whose loss
    is inf or NaN are left out of the curve.

    Parameters
    ----------
    history_or_model : estimator or dict
        A fitted mlpcore estimator, or its ``history_`` dict (at least a "loss" list).
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure when None. Calling again with the same ax adds
        curves (the legend then lists them all).
    label : str, optional
        Legend label of the training loss; "training loss" when None.
    log : bool, default True
        Draw the loss on a log scale.
    mark_best : bool, default True
        Mark the best epoch with a star and a legend entry.

    Returns
    -------
    matplotlib.axes.Axes
        The axes of the loss.

    Examples
    --------
    >>> from mlpcore import MLPClassifier, datasets, plot
    >>> X, y = datasets.moons(n_samples=200, noise=0.1, random_state=0)
    >>> model = MLPClassifier((8,), early_stopping=True, max_epochs=30, random_state=0)
    >>> ax = plot.loss_curve(model.fit(X, y))
    >>> for text in ax.get_legend().get_texts():
    ...     print(text.get_text())
    training loss
    validation loss
    best epoch ... (best validation score)
    validation score
    """
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
    (line,) = ax.plot(epochs, loss, label="training loss" if label is None else label)
    if len(history.get("val_loss", ())) > 0:
        val_loss = _curve(history["val_loss"], "history['val_loss']")
        ax.plot(np.arange(1, val_loss.size + 1), val_loss, color=line.get_color(),
                linestyle=":", label="validation loss" if label is None
                else f"{label}: validation loss")
    if mark_best:
        best = _best_epoch(history, loss)
        if best is not None and best[0] < loss.size and np.isfinite(loss[best[0]]):
            index, what = best
            ax.plot([index + 1], [loss[index]], marker="*", markersize=12, linestyle="none",
                    color=line.get_color(), markeredgecolor="k", zorder=3,
                    label=f"best epoch {index + 1} ({what})")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    twin = _twin_of(ax)
    score_key = next(
        (k for k in ("val_score", "validation_score") if len(history.get(k, ())) > 0), None)
    if score_key is not None:
        score = _curve(history[score_key], f"history[{score_key!r}]")
        if twin is None:
            twin = ax.twinx()
            twin._mlpcore_twin_of = ax
        twin.plot(np.arange(1, score.size + 1), score, color="tab:orange", linestyle="--",
                  label="validation score" if label is None else f"{label}: validation score")
        twin.set_ylabel("validation score")
    _legend(ax, [twin] if twin is not None else [], minimum=1 if label is not None else 2)
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


def _class_colors(cmap, k):
    """k RGBA colors, one per class: the first k of a qualitative colormap (a short list of
    colors such as tab10) with enough colors, else k evenly spaced samples of the colormap."""
    from matplotlib import colormaps
    from matplotlib.colors import Colormap, ListedColormap

    if cmap is None:
        cmap = "tab10" if k <= 10 else "tab20" if k <= 20 else "turbo"
    if not isinstance(cmap, Colormap):
        cmap = colormaps[cmap]
    if isinstance(cmap, ListedColormap) and k <= cmap.N <= 32:
        return cmap(np.arange(k))
    return cmap(np.linspace(0.0, 1.0, k) if k > 1 else [0.0])


def _axis_names(model, feature_names):
    """The two axis labels: feature_names, else the model's feature_names_in_, else x1, x2."""
    if feature_names is None:
        feature_names = getattr(model, "feature_names_in_", None)
        if feature_names is None or len(feature_names) != 2:
            return "x1", "x2"
    names = [str(name) for name in feature_names]
    if len(names) != 2:
        raise ValueError(f"feature_names must name the 2 features, got {feature_names!r}")
    return names[0], names[1]


def decision_boundary(model, X, y=None, ax=None, *, resolution=200, padding=0.1,
                      cmap=None, alpha=0.35, feature_names=None):
    """The classes a fitted classifier predicts over a grid around 2-D data X.

    Each predicted class fills its region in a light color (filled contours), the samples
    of X are drawn on top in the saturated color of their class y (black without y), and
    a legend names the classes. The grid spans the range of X widened by ``padding`` times
    that range on each side, with ``resolution`` points per axis.

    Parameters
    ----------
    model : classifier
        A fitted classifier with ``predict`` (and ``classes_``, when it has them, fixes the
        colors of the classes).
    X : array_like of shape (n_samples, 2)
        The samples.
    y : array_like of shape (n_samples,), optional
        Their labels.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure when None.
    resolution : int, default 200
        Grid points per axis.
    padding : float, default 0.1
        Margin around the data, as a share of its range.
    cmap : str or matplotlib.colors.Colormap, optional
        The class colors; by default the qualitative palette tab10 (tab20 beyond 10
        classes), in which neighbouring classes stay distinguishable.
    alpha : float, default 0.35
        Opacity of the regions.
    feature_names : sequence of 2 str, optional
        Axis labels; by default the model's ``feature_names_in_`` when it was fitted on a
        DataFrame, else "x1" and "x2".

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from mlpcore import LogisticRegression, datasets, plot
    >>> X, y = datasets.blobs(n_samples=90, centers=3, random_state=0)
    >>> ax = plot.decision_boundary(LogisticRegression().fit(X, y), X, y,
    ...                             feature_names=["length", "width"])
    >>> [text.get_text() for text in ax.get_legend().get_texts()], ax.get_xlabel()
    (['0', '1', '2'], 'length')
    """
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
    xlabel, ylabel = _axis_names(model, feature_names)
    ax = _axes(ax)
    from matplotlib.lines import Line2D

    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - padding * span, high + padding * span
    g0, g1 = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    with warnings.catch_warnings():
        # the grid's columns are the model's two features, in order, whatever their names
        warnings.filterwarnings("ignore", "X does not have valid feature names")
        pred = np.asarray(predict(np.column_stack([g0.ravel(), g1.ravel()])))
    classes = getattr(model, "classes_", None)
    parts = [np.asarray(classes) if classes is not None else pred] + ([y] if y is not None else [])
    labels = np.unique(np.concatenate(parts))
    k = len(labels)
    colors = _class_colors(cmap, k)
    levels = np.arange(k + 1) - 0.5
    zone = _label_index(pred, labels).reshape(g0.shape)
    ax.contourf(g0, g1, zone, levels=levels, colors=colors, alpha=alpha)
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], s=12, c="k")
    else:
        ax.scatter(X[:, 0], X[:, 1], s=12, c=colors[_label_index(y, labels)],
                   edgecolors="k", linewidths=0.4)
    handles = [Line2D([], [], linestyle="none", marker="s", markersize=9,
                      markerfacecolor=color, markeredgecolor="k", markeredgewidth=0.4,
                      label=str(label)) for color, label in zip(colors, labels.tolist())]
    ax.legend(handles=handles, title="class", loc="best", framealpha=0.8)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
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
    """The confusion matrix C: C[i, j] counts the samples of labels[i] predicted as labels[j].

    The same result as sklearn.metrics.confusion_matrix; needs NumPy only.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        True and predicted labels, of the same kind (numbers or strings).
    labels : array_like of shape (K,), optional
        The classes and their order; by default the sorted labels of y_true and y_pred.
        Samples of other labels are left out.
    normalize : {None, "true", "pred", "all"}, default None
        Counts (None), or rows ("true"), columns ("pred") or the whole matrix ("all")
        summing to 1.

    Returns
    -------
    ndarray of shape (K, K)
        int64 counts, or float64 shares when normalized.

    Examples
    --------
    >>> from mlpcore import plot
    >>> plot.compute_confusion_matrix(["a", "b", "b", "c"], ["a", "b", "c", "c"])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    return _confusion(y_true, y_pred, labels, normalize)[0]


def confusion_matrix(y_true, y_pred, ax=None, *, labels=None, normalize=None, cmap="Blues"):
    """The confusion matrix as an image with the value written in each cell.

    True labels down, predicted labels across, and a colorbar.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        True and predicted labels.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure when None.
    labels : array_like of shape (K,), optional
        The classes and their order (see compute_confusion_matrix).
    normalize : {None, "true", "pred", "all"}, default None
        As in compute_confusion_matrix.
    cmap : str or matplotlib.colors.Colormap, default "Blues"
        The colormap of the cells.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    See Also
    --------
    compute_confusion_matrix : The numbers alone.

    Examples
    --------
    >>> from mlpcore import plot
    >>> ax = plot.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    >>> [text.get_text() for text in ax.texts]
    ['1', '0', '0', '0', '1', '1', '0', '0', '1']
    """
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
