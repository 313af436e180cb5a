"""The command line on scikit-learn's bundled data sets, written to CSV as a user would,
against scikit-learn's own scaled pipeline on the same split: within 0.03 of its
accuracy or R^2 (a held-out sample of iris or wine is 0.03 on its own).

Each reference is the same model as the command line's: the MLP of the same size,
solver and epochs; an unregularized logistic regression (penalty=None), and the default
one (C=1) against --weight-decay 1/(C n); the perceptron; least squares."""

import re
import warnings

import numpy as np
import pytest

from mlpcore.cli import _split, main

datasets = pytest.importorskip("sklearn.datasets")
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Perceptron  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

TOLERANCE = 0.03


def scaled(model):
    return make_pipeline(StandardScaler(), model)


def n_train(n):
    return n - int(round(0.2 * n))


CLASSIFIERS = {
    "mlp": ([], lambda n: scaled(MLPClassifier(random_state=0))),
    "logistic": ([], lambda n: scaled(LogisticRegression(penalty=None, max_iter=5000))),
    "logistic-C1": (lambda n: ["--weight-decay", repr(1 / n_train(n))],
                    lambda n: scaled(LogisticRegression(max_iter=5000))),
    "perceptron": ([], lambda n: scaled(Perceptron(random_state=0))),
}
REGRESSORS = {
    "mlp": ([], lambda n: TransformedTargetRegressor(scaled(MLPRegressor(random_state=0)),
                                                     transformer=StandardScaler())),
    "linear": ([], lambda n: LinearRegression()),
}
CASES = [(name, model) for name in ("iris", "wine", "breast_cancer", "digits")
         for model in CLASSIFIERS] + [("diabetes", model) for model in REGRESSORS]


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory):
    pytest.importorskip("pandas")
    folder = tmp_path_factory.mktemp("real")
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        options = {"scaled": False} if name == "diabetes" else {}
        frame = getattr(datasets, f"load_{name}")(as_frame=True, **options).frame
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.mark.parametrize("name, model", CASES)
def test_the_command_line_scores_as_scikit_learn_does(csv_files, capsys, name, model):
    options = {"scaled": False} if name == "diabetes" else {}
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True, **options)
    extra, reference = (REGRESSORS if name == "diabetes" else CLASSIFIERS)[model]
    extra = extra(len(X)) if callable(extra) else extra
    code = main(["train", str(csv_files / f"{name}.csv"), "--model", model.split("-")[0],
                 "--quiet", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    found = float(re.search(r"test (?:accuracy|R\^2)\s+(-?[\d.]+)", out).group(1))
    train, test = _split(len(X), 0.2, 0)  # the command line's split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's convergence warnings
        expected = reference(len(X)).fit(X[train], y[train]).score(X[test], y[test])
    print(f"{name} {model}: mlpcore {found:.4f}, scikit-learn {expected:.4f}")
    assert abs(found - expected) <= TOLERANCE, (found, expected)
    assert found > (0.45 if name == "diabetes" else 0.79)
