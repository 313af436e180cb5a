"""mlpcore.plot: loss curves, decision boundaries and confusion matrices on the Agg backend,
the NumPy confusion matrix against scikit-learn's, input errors, and matplotlib staying
optional."""

import os
import subprocess
import sys
import warnings

import mlpcore
import numpy as np
import pytest
from mlpcore import LinearRegression, LogisticRegression, MLPClassifier, datasets, plot

MISSING = 'mlpcore.plot needs matplotlib: pip install "mlpcore[plot]"'


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    yield pyplot
    pyplot.close("all")


@pytest.fixture
def agg_ax(plt):
    """An Axes of a figure drawn by Agg, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


@pytest.fixture(scope="module")
def linreg():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    return LinearRegression(solver="gd", max_epochs=30, tol=None).fit(X, X @ [1.0, -2.0] + 0.5)


def _run_python(code):
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(mlpcore.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env, check=False)


# -------------------------------------------------------------------- matplotlib is optional

def test_importing_plot_does_not_import_matplotlib():
    result = _run_python(
        "import sys, mlpcore.plot\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.fixture
def no_matplotlib(monkeypatch):
    """matplotlib made unimportable: None in sys.modules makes import raise ImportError."""
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_missing_matplotlib_message(no_matplotlib, linreg):
    with pytest.raises(ImportError) as info:
        plot.loss_curve(linreg)
    assert str(info.value) == MISSING
    X, y = datasets.blobs(40, centers=2, random_state=0)
    model = LogisticRegression(max_epochs=20, tol=None).fit(X, y)
    with pytest.raises(ImportError, match=r'pip install "mlpcore\[plot\]"'):
        plot.decision_boundary(model, X, y)
    with pytest.raises(ImportError, match=r'pip install "mlpcore\[plot\]"'):
        plot.confusion_matrix([0, 1, 1], [0, 1, 0])
    # the NumPy part needs no matplotlib
    np.testing.assert_array_equal(plot.compute_confusion_matrix([0, 1, 1], [0, 1, 0]),
                                  [[1, 0], [1, 1]])


# -------------------------------------------------------------------- loss_curve

def test_loss_curve_of_a_model(plt, linreg):
    before = set(plt.get_fignums())
    ax = plot.loss_curve(linreg)
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    assert set(plt.get_fignums()) - before, "ax=None must create a figure"
    line, best = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 31))
    np.testing.assert_allclose(line.get_ydata(), linreg.history_["loss"])
    assert ax.get_yscale() == "log"
    # without early stopping the best epoch is that of the lowest training loss
    k = int(np.argmin(linreg.history_["loss"]))
    np.testing.assert_allclose(np.column_stack([best.get_xdata(), best.get_ydata()]),
                               [[k + 1, linreg.history_["loss"][k]]])
    assert legend_texts(ax) == ["training loss", f"best epoch {k + 1} (lowest training loss)"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "training loss"
    assert len(ax.figure.axes) == 1  # no validation score, no twin axis


def test_loss_curve_of_a_history_on_a_given_axis(agg_ax):
    history = {"loss": [4.0, 2.0, np.inf, np.nan, 1.0]}
    ax = plot.loss_curve(history, agg_ax, label="run", log=False)
    assert ax is agg_ax
    y = ax.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(np.isnan(y), [False, False, True, True, False])
    assert ax.get_yscale() == "linear"
    assert legend_texts(ax) == ["run", "best epoch 5 (lowest training loss)"]


def legend_texts(ax):
    legend = ax.get_legend()
    assert legend is not None, "no legend"
    return [t.get_text() for t in legend.get_texts()]


def test_loss_curve_draws_the_validation_score_on_a_twin_axis(agg_ax):
    X, y = datasets.moons(200, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model = MLPClassifier((8,), max_epochs=15, early_stopping=True, random_state=0).fit(X, y)
    ax = plot.loss_curve(model, agg_ax)
    axes = ax.figure.axes
    assert len(axes) == 2
    twin = next(a for a in axes if a is not ax)
    np.testing.assert_allclose(twin.get_lines()[0].get_ydata(), model.history_["val_score"])
    assert twin.get_ylabel() == "validation score"
    # one legend for the curves of both axes, the best epoch that of the best validation score
    k = int(np.argmax(model.history_["val_score"]))
    assert legend_texts(ax) == ["training loss", "validation loss",
                                f"best epoch {k + 1} (best validation score)", "validation score"]
    assert twin.get_legend() is None
    train, val_loss, best = ax.get_lines()
    np.testing.assert_allclose(val_loss.get_ydata(), model.history_["val_loss"])
    np.testing.assert_allclose([best.get_xdata()[0], best.get_ydata()[0]],
                               [k + 1, model.history_["loss"][k]])
    assert best.get_marker() == "*"


def test_loss_curve_best_epoch_of_the_validation_loss(agg_ax):
    history = {"loss": [3.0, 2.0, 1.0, 0.5], "val_loss": [3.5, 2.5, 2.0, 2.2]}
    ax = plot.loss_curve(history, agg_ax)
    assert legend_texts(ax) == ["training loss", "validation loss",
                                "best epoch 3 (lowest validation loss)"]
    best = ax.get_lines()[-1]
    assert (best.get_xdata()[0], best.get_ydata()[0]) == (3, 1.0)


def test_loss_curve_without_the_best_epoch(agg_ax):
    ax = plot.loss_curve({"loss": [3.0, 2.0]}, agg_ax, mark_best=False)
    assert len(ax.get_lines()) == 1 and ax.get_legend() is None


def test_loss_curves_on_one_axis_share_one_legend(agg_ax):
    plot.loss_curve({"loss": [3.0, 2.0]}, agg_ax, label="slow", mark_best=False)
    plot.loss_curve({"loss": [3.0, 1.0], "val_score": [0.5, 0.7]}, agg_ax, label="fast",
                    mark_best=False)
    plot.loss_curve({"loss": [3.0, 0.5], "val_score": [0.6, 0.9]}, agg_ax, label="faster",
                    mark_best=False)
    assert len(agg_ax.figure.axes) == 2  # one twin axis for both validation scores
    assert legend_texts(agg_ax) == ["slow", "fast", "faster", "fast: validation score",
                                    "faster: validation score"]


@pytest.mark.parametrize("bad, error, match", [
    ([1.0, 2.0], TypeError, "fitted mlpcore estimator or its history_ dict, got list"),
    (LinearRegression(), TypeError, "got LinearRegression"),
    ({"seconds": [0.1]}, ValueError, r"no 'loss' entry; its keys are \['seconds'\]"),
    ({"loss": []}, ValueError, "no epochs"),
    ({"loss": [[1.0, 2.0]]}, ValueError, r"1-D .* got shape \(1, 2\)"),
    ({"loss": ["a"]}, ValueError, "sequence of numbers"),
])
def test_loss_curve_bad_input(plt, bad, error, match):
    with pytest.raises(error, match=match):
        plot.loss_curve(bad)


def test_bad_ax(plt, linreg):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got str"):
        plot.loss_curve(linreg, "axes")


# -------------------------------------------------------------------- decision_boundary

class ThresholdModel:
    """Predicts "right" where x0 > 0.5, else "left"; records what it was asked."""

    def predict(self, X):
        self.seen = X
        return np.where(X[:, 0] > 0.5, "right", "left")


def _contours(ax):
    from matplotlib.contour import ContourSet

    if not hasattr(ContourSet, "get_paths"):  # matplotlib < 3.8: not a Collection
        pytest.skip("the filled regions are inspected through matplotlib >= 3.8's ContourSet")
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    return contours


def test_decision_boundary_fills_the_predicted_classes(agg_ax):
    # samples only at the corners of [0, 1]^2, so the middle of each half shows the fill
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array(["left", "left", "right", "right"])
    model = ThresholdModel()
    ax = plot.decision_boundary(model, X, y, agg_ax, resolution=50, padding=0.1)
    assert ax is agg_ax
    assert model.seen.shape == (50 * 50, 2)
    np.testing.assert_allclose(model.seen.min(axis=0), [-0.1, -0.1])
    np.testing.assert_allclose(model.seen.max(axis=0), [1.1, 1.1])
    np.testing.assert_allclose(ax.get_xlim(), (-0.1, 1.1))
    # the fill: the region of "left" (level 0) lies left of x0 = 0.5, that of "right" right of it
    contours = _contours(ax)
    step = 1.2 / 49
    left, right = (np.concatenate([p.vertices for p in contours.get_paths()[i:i + 1]])
                   for i in (0, 1))
    assert left[:, 0].max() <= 0.5 + step and right[:, 0].min() >= 0.5 - step
    assert left[:, 0].min() == pytest.approx(-0.1) and right[:, 0].max() == pytest.approx(1.1)
    # scatter on top: the samples, colored by their label (colors are mapped when drawn)
    (points,) = [c for c in ax.collections if len(c.get_offsets()) == 4]
    np.testing.assert_array_equal(points.get_offsets(), X)
    colors = points.get_facecolors()
    assert np.allclose(colors[0], colors[1]) and np.allclose(colors[2], colors[3])
    assert not np.allclose(colors[0], colors[2])


def test_decision_boundary_of_a_fitted_classifier(plt):
    X, y = datasets.blobs(60, centers=3, cluster_std=0.5, random_state=1)
    labels = np.array(["a", "b", "c"])[y]
    model = LogisticRegression(max_epochs=50, tol=None).fit(X, labels)
    ax = plot.decision_boundary(model, X, labels, resolution=20)
    from matplotlib import colormaps

    tab10 = colormaps["tab10"](np.arange(3))
    contours = _contours(ax)
    np.testing.assert_array_equal(contours.levels, [-0.5, 0.5, 1.5, 2.5])
    # three distinct, light region colors: tab10's first three, translucent
    regions = contours.get_facecolor()
    assert len(np.unique(regions[:, :3], axis=0)) == 3
    np.testing.assert_allclose(regions[:, :3], tab10[:, :3])
    assert np.all(regions[:, 3] == 0.35)
    # the points in the saturated color of their class
    (points,) = [c for c in ax.collections if len(c.get_offsets()) == len(X)]
    np.testing.assert_allclose(points.get_facecolors(), tab10[y])
    # a legend of the classes, each in its color
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "class"
    assert legend_texts(ax) == ["a", "b", "c"]
    np.testing.assert_allclose([h.get_markerfacecolor() for h in legend.legend_handles], tab10)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")


def test_decision_boundary_feature_names(plt):
    pd = pytest.importorskip("pandas")
    X, y = datasets.blobs(60, centers=2, random_state=0)
    frame = pd.DataFrame(X, columns=["petal length", "petal width"])
    model = LogisticRegression(max_epochs=50, tol=None).fit(frame, y)
    ax = plot.decision_boundary(model, X, y, resolution=10)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("petal length", "petal width")
    ax = plot.decision_boundary(model, X, y, resolution=10, feature_names=("a", "b"))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")
    with pytest.raises(ValueError, match="feature_names must name the 2 features"):
        plot.decision_boundary(model, X, y, resolution=10, feature_names=["a"])


def test_decision_boundary_other_colormap(agg_ax):
    X, y = datasets.blobs(60, centers=3, random_state=0)
    model = LogisticRegression(max_epochs=50, tol=None).fit(X, y)
    ax = plot.decision_boundary(model, X, y, agg_ax, resolution=10, cmap="viridis")
    from matplotlib import colormaps

    np.testing.assert_allclose(_contours(ax).get_facecolor()[:, :3],
                               colormaps["viridis"]([0.0, 0.5, 1.0])[:, :3])


@pytest.mark.parametrize("X, match", [
    (np.zeros((5, 3)), r"shape \(n_samples, 2\), got shape \(5, 3\)"),
    (np.zeros(5), r"got shape \(5,\)"),
    (np.zeros((0, 2)), "no samples"),
    ([[0.0, np.nan], [1.0, 1.0]], "NaN or infinity"),
])
def test_decision_boundary_needs_2d_inputs(plt, X, match):
    with pytest.raises(ValueError, match=match):
        plot.decision_boundary(ThresholdModel(), X)


def test_decision_boundary_bad_arguments(plt):
    X = np.zeros((4, 2))
    with pytest.raises(TypeError, match="classifier with predict, got int"):
        plot.decision_boundary(3, X)
    with pytest.raises(ValueError, match=r"one label per sample of X \(4\), got shape \(3,\)"):
        plot.decision_boundary(ThresholdModel(), X, [0, 1, 0])
    with pytest.raises(ValueError, match="resolution must be an integer >= 2, got 1"):
        plot.decision_boundary(ThresholdModel(), X, resolution=1)
    with pytest.raises(ValueError, match="padding"):
        plot.decision_boundary(ThresholdModel(), X, padding=-1)


# -------------------------------------------------------------------- confusion matrix

@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
@pytest.mark.parametrize("case", ["ints", "strings", "labels", "absent_label"])
def test_confusion_matrix_equals_sklearn(normalize, case):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    y_pred[:80] = y_true[:80]
    labels = None
    if case == "strings":
        names = np.array(["cat", "dog", "emu", "yak"])
        y_true, y_pred = names[y_true], names[y_pred]
    elif case == "labels":  # a subset, reordered: samples of other labels are left out
        labels = [3, 0, 2]
    elif case == "absent_label":  # a class nobody has: a zero row and column
        labels = [0, 1, 2, 3, 9]
    ours = plot.compute_confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    theirs = metrics.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    assert ours.shape == theirs.shape
    if normalize is None:
        assert ours.dtype.kind == "i"
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([0, 1], [0, 1, 1]), {}, ValueError, "same length, got 2 and 3"),
    (([[0, 1]], [[0, 1]]), {}, ValueError, r"must be 1-D, got shapes \(1, 2\)"),
    (([], []), {}, ValueError, "empty"),
    (([0, 1], [0, 1]), {"normalize": "rows"}, ValueError, "normalize must be one of"),
    (([0, 1], [0, 1]), {"labels": [0, 0, 1]}, ValueError, "must not repeat a label"),
    (([0, 1], [0, 1]), {"labels": []}, ValueError, "non-empty 1-D"),
    (([0, 1], [0, 1]), {"labels": [5, 6]}, ValueError, "none of the labels occurs in y_true"),
    ((["a", "b"], [0, 1]), {}, TypeError, "same kind"),
])
def test_confusion_matrix_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.compute_confusion_matrix(*args, **kwargs)


def test_confusion_matrix_plot(agg_ax):
    y_true = ["b", "a", "a", "c", "c", "c"]
    y_pred = ["b", "a", "c", "c", "c", "a"]
    ax = plot.confusion_matrix(y_true, y_pred, agg_ax)
    assert ax is agg_ax
    expected = plot.compute_confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"


def test_confusion_matrix_plot_normalized(plt):
    ax = plot.confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize="true", labels=[1, 0])
    assert [t.get_text() for t in ax.texts] == ["1.00", "0.00", "0.50", "0.50"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "0"]
