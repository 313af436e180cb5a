"""Two course figures, reproduced on generated data.

1. Capacity: the architecture of the network defines the shape of the separator. A
   single neuron (logistic regression), a 2+2+1 and a 10+10+1 tanh network are
   trained on XOR and on the two moons; their decision boundaries go to capacity.png.
2. Step sizes: gradient descent on least squares with steps of 0.1/L, 1/L, 1.9/L and
   2.5/L (L the Lipschitz constant of the gradient); steps above 2/L diverge. The loss
   curves go to step_sizes.png.

``run_demo`` (``mlpcore demo``) needs matplotlib.
"""

from __future__ import annotations

import numbers
import os
import sys
import time
import warnings

import numpy as np

from . import datasets
from ._exceptions import ConvergenceWarning
from .estimators import LinearRegression, LogisticRegression, MLPClassifier
from .plot import _require_matplotlib, decision_boundary, loss_curve

__all__ = ["run_demo"]

# Step sizes as multiples of 1/L.
STEP_FACTORS = {"small": 0.1, "good": 1.0, "large": 1.9, "too large": 2.5}


def _settings(quick):
    if quick:
        return {"n_samples": 300, "max_epochs": 150, "resolution": 80, "gd_epochs": 40, "dpi": 72}
    return {"n_samples": 400, "max_epochs": 300, "resolution": 200, "gd_epochs": 100, "dpi": 100}


def _split(X, y, rng, test_fraction=0.3):
    order = rng.permutation(len(y))
    n_test = round(test_fraction * len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def _models(max_epochs, seed):
    return {
        "1 neuron": LogisticRegression(),
        # the course's backpropagation with SGD and Nesterov momentum
        "2+2+1": MLPClassifier((2, 2), "tanh", solver="sgd", batch_size=32, learning_rate=0.05,
                               max_epochs=max_epochs, random_state=seed),
        "10+10+1": MLPClassifier((10, 10), "tanh", solver="sgd", batch_size=32,
                                 learning_rate=0.05, max_epochs=max_epochs, random_state=seed),
    }


def _figure(nrows, ncols, width, height):
    """A figure drawn by the Agg backend, independent of pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def _capacity(out_dir, seed, cfg, stream):
    rng = np.random.default_rng(seed)
    n = cfg["n_samples"]
    problems = {
        "xor": datasets.xor(n, noise=0.3, random_state=rng),
        "moons": datasets.moons(n, noise=0.15, random_state=rng),
    }
    fig, axes = _figure(len(problems), 3, 12, 8)
    results = {}
    print(f"{'problem':<8} {'model':<9} {'train acc':>9} {'test acc':>9} {'fit s':>7}", file=stream)
    for row, (problem, (X, y)) in enumerate(problems.items()):
        X_train, X_test, y_train, y_test = _split(X, y, rng)
        results[problem] = {}
        for col, (name, model) in enumerate(_models(cfg["max_epochs"], seed).items()):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            train_acc, test_acc = model.score(X_train, y_train), model.score(X_test, y_test)
            results[problem][name] = {"train_accuracy": train_acc, "test_accuracy": test_acc,
                                      "seconds": seconds}
            print(f"{problem:<8} {name:<9} {train_acc:>9.3f} {test_acc:>9.3f} {seconds:>7.3f}",
                  file=stream)
            ax = decision_boundary(model, X, y, axes[row, col], resolution=cfg["resolution"])
            ax.set_title(f"{problem}, {name}: train {train_acc:.2f}, test {test_acc:.2f}")
    fig.suptitle("The architecture of the network defines the shape of the separator")
    path = os.path.join(out_dir, "capacity.png")
    fig.savefig(path, dpi=cfg["dpi"])
    return results, path


def _step_sizes(out_dir, seed, cfg, stream):
    rng = np.random.default_rng(seed)
    n = 200
    X = rng.normal(size=(n, 3)) * [1.0, 3.0, 0.3]
    d = X @ [2.0, -1.0, 0.5] + 1.0 + 0.1 * rng.normal(size=n)
    # learning_rate="auto" is 1/L, estimated by power iteration; it is recorded per epoch.
    inv_L = LinearRegression(solver="gd", max_epochs=1, tol=None).fit(X, d).history_[
        "learning_rate"][0]
    print(f"\nleast squares, gradient descent: 1/L = {inv_L:.4g}, divergence above 2/L = "
          f"{2 * inv_L:.4g}", file=stream)
    fig, axes = _figure(1, 1, 7, 4.5)
    ax = axes[0, 0]
    results = {}
    for name, factor in STEP_FACTORS.items():
        lr = factor * inv_L
        # Above 2/L the loss grows geometrically (x2.25 an epoch at 2.5/L): 24 epochs show
        # it, and stop before it passes 1e10 times its start, which the estimator refuses
        # as divergence.
        epochs = cfg["gd_epochs"] if factor < 2 else min(cfg["gd_epochs"], 24)
        with warnings.catch_warnings():
            # At 2/L and above the estimator warns that gradient descent will diverge.
            warnings.simplefilter("ignore", UserWarning)
            model = LinearRegression(solver="gd", learning_rate=lr, max_epochs=epochs, tol=None)
            model.fit(X, d)
        losses = list(model.history_["loss"])
        results[name] = {"factor": factor, "learning_rate": lr, "losses": losses,
                         "final_loss": losses[-1]}
        print(f"{name:<10} lr = {factor:>4} / L = {lr:.4g}  final loss {losses[-1]:.4g}",
              file=stream)
        # four curves on one axis, one legend entry each; a best epoch is not the point here
        loss_curve(model.history_, ax, label=f"{name}: {factor}/L", mark_best=False)
    # A diverging curve leaves the top of the plot instead of squashing the others.
    start = results["good"]["losses"][0]
    ax.set_ylim(top=start * 1e3)
    ax.set_title("Gradient descent on least squares: step size vs 2/L")
    path = os.path.join(out_dir, "step_sizes.png")
    fig.savefig(path, dpi=cfg["dpi"])
    return results, inv_L, path


def run_demo(out_dir, *, seed=0, quick=False, stream=sys.stdout) -> dict:
    """Train the models of both figures, print their results to ``stream`` and write
    capacity.png and step_sizes.png into ``out_dir`` (created if needed).

    Returns {"capacity": {problem: {model: {"train_accuracy", "test_accuracy",
    "seconds"}}}, "step_sizes": {name: {"factor", "learning_rate", "losses",
    "final_loss"}}, "inverse_lipschitz": 1/L, "files": {"capacity", "step_sizes"}}
    with absolute file paths. ``quick`` uses less data and fewer epochs."""
    _require_matplotlib()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    out_dir = os.path.abspath(os.fspath(out_dir))
    os.makedirs(out_dir, exist_ok=True)
    cfg = _settings(bool(quick))
    capacity, capacity_png = _capacity(out_dir, seed, cfg, stream)
    steps, inv_L, steps_png = _step_sizes(out_dir, seed, cfg, stream)
    print(f"\nwrote {capacity_png}\nwrote {steps_png}", file=stream)
    return {"capacity": capacity, "step_sizes": steps, "inverse_lipschitz": inv_L,
            "files": {"capacity": capacity_png, "step_sizes": steps_png}}
