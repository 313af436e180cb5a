"""The ``mlpcore`` command (also ``python -m mlpcore``).

    mlpcore demo [--out DIR]                  the course's figures on capacity and step sizes
    mlpcore train DATA | --data NAME [...]    fit a model, report its score, save it (--out)
    mlpcore predict MODEL DATA [--out FILE]   write a saved model's predictions as CSV
    mlpcore bench [...]                       mlpcore against NumPy, PyTorch and scikit-learn
    mlpcore info                              build and runtime information
    mlpcore --cmake-dir | --include-dir       where the C++ package config and headers are

A user mistake (a missing file, a malformed cell, a bad option) is reported on one line
with a non-zero exit status; set MLPCORE_TRACEBACK=1 to see the traceback instead. An --out
is checked before any work: never one of the inputs, nor a file of the other kind (a model,
a CSV) unless --force. Data files are read up to --max-input-size (1G by default).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
import warnings
import zipfile

GENERATED = ("xor", "moons", "circles", "spirals", "blobs")
BUILT_IN = (*GENERATED, "digits")
MODELS = ("perceptron", "logistic", "linear", "mlp")


class UsageError(ValueError):
    """A mistake in the command line that argparse cannot see (e.g. two data sources)."""


# ------------------------------------------------------------------------------- data


def _positive_int_list(text: str) -> tuple:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths separated by commas such as 256,128, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be at least 1, got {text!r}")
    return sizes


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


_UNIT_BITS = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}  # powers of 1024


def _size(text: str) -> int:
    """--max-input-size: bytes, or a number followed by K, M, G or T (500M, 8G, 8GiB)."""
    match = re.fullmatch(r"(\d+)\s*([KMGT]?)(?:i?B)?", text.strip(), re.IGNORECASE)
    if not match or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"expected a size such as 500M or 8G, got {text!r}")
    return int(match[1]) << _UNIT_BITS[match[2].upper()]


_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " ",
                    "pipe": "|"}


def _delimiter(text: str) -> str:
    """--delimiter: one character, or tab (also \\t as typed in a shell), comma, semicolon,
    space, pipe."""
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if len(value) != 1 or value in "\r\n\"":
        raise argparse.ArgumentTypeError(
            f"expected one character or one of {', '.join(_DELIMITER_NAMES)}, got {text!r}")
    return value


def _column(text: str):
    """--target: "last", "none", a column index or a header name."""
    if text in ("last", "none"):
        return None if text == "none" else "last"
    try:
        return int(text)
    except ValueError:
        return text


def load_file(path: str, *, target="last", delimiter=None, labels=None, need_target=True,
              max_bytes=None):
    """(X, y, names, description) of a CSV, NPZ or MNIST IDX file (datasets.load); y may be
    None when not need_target, names (of X's columns) is None without a CSV header."""
    from . import datasets

    try:
        X, y, names = datasets.load(path, target=target, delimiter=delimiter, labels=labels,
                                    need_target=need_target, max_bytes=max_bytes,
                                    return_names=True)
    except datasets.DataFileError as exc:
        if not exc.reason.startswith("no labels file found"):
            raise
        raise UsageError(f"{path}: no labels file found next to the images; give it with "
                         "--labels FILE") from None
    return X, y, names, f"{path}: {X.shape[0]} x {X.shape[1]} {X.dtype}"


def load_built_in(name: str, n_samples: int, seed: int):
    from . import datasets

    if name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise UsageError("--data digits reads scikit-learn's copy of the 8x8 digits: "
                             "pip install scikit-learn") from None
        X, y = load_digits(return_X_y=True)
        return X / 16.0, y, "digits (scikit-learn's 1797 8x8 images, scaled to [0, 1])"
    X, y = getattr(datasets, name)(n_samples=n_samples, random_state=seed)
    return X, y, f"{name}: {n_samples} generated samples (seed {seed})"


# ----------------------------------------------------------------------------- --out

_HOLDS = {"model": "an mlpcore model", "archive": "a zip archive that is not a model",
          "binary": "binary data", "text": "text", "empty": "nothing"}


def _file_kind(path: str) -> str:
    """What an existing regular file holds, from its content (not its name): one of _HOLDS."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head:
        return "empty"
    if zipfile.is_zipfile(path):  # an .npz; a model has a __meta__ entry (see persistence)
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return "binary"
        return "model" if any(n.startswith("__meta__") for n in names) else "archive"
    return "binary" if b"\0" in head or head.startswith(b"\x1f\x8b") else "text"


def _check_out(out: str, inputs: list, writes: str, force: bool) -> None:
    """Refuse --out before any work is done: a folder that is missing or not writable, one of
    the inputs (by any path to it: ./name, a symlink, a hard link), a device where a model goes
    (it is renamed into place), or, without --force, a file of the other kind: anything but a
    model where a model goes (writes="model"), a model or other binary data where a CSV goes
    (writes="csv")."""
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UsageError(f"--out {out}: {folder} is not a folder" if os.path.exists(folder)
                         else f"--out {out}: the folder {folder} does not exist")
    if os.path.isdir(out):
        raise UsageError(f"--out {out} is a folder; expected a file name")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write in the folder {folder} ({exc.strerror})"
                         ) from None
    if not os.path.exists(out):
        return
    for path in inputs:
        if os.path.exists(path) and os.path.samefile(out, path):
            raise UsageError(f"--out {out} is the input {path}; write to another file")
    if not os.path.isfile(out):
        if writes == "model":
            raise UsageError(f"--out {out} is not a regular file; a model is saved to a file")
        return  # predictions may go to /dev/stdout or a FIFO
    kind = _file_kind(out)
    if force or kind == "empty" or kind == ("model" if writes == "model" else "text"):
        return
    expected = "an mlpcore model" if writes == "model" else "predictions (text)"
    raise UsageError(f"--out {out} exists and holds {_HOLDS[kind]}, not {expected}; pass "
                     "--force to replace it")


# ------------------------------------------------------------------------------ train


# A target of whole numbers is read as class labels when it has at most this many
# distinct values and at least MIN_ROWS_PER_CLASS rows per value on average; otherwise
# as a quantity (diabetes' 214 distinct values in 442 rows, counts, ages).
MAX_GUESSED_CLASSES = 100
MIN_ROWS_PER_CLASS = 5


def choose_task(model_name: str, task: str, y) -> tuple:
    """(classification, why): the task train runs, and the reason it prints."""
    import numpy as np

    if model_name in ("perceptron", "logistic"):
        return True, f"--model {model_name} classifies"
    if model_name == "linear":
        return False, "--model linear regresses"
    if task != "auto":
        return task == "classify", f"--task {task}"
    y = np.asarray(y)
    if y.dtype.kind in "bUSO":
        return True, "the target holds labels that are not numbers"
    if y.dtype.kind == "f" and not (np.all(np.isfinite(y)) and np.all(y == np.round(y))):
        return False, "the target holds fractional numbers (--task classify to override)"
    values = len(np.unique(y))
    if values <= MAX_GUESSED_CLASSES and len(y) >= MIN_ROWS_PER_CLASS * values:
        return True, (f"the target holds {values} distinct whole numbers, "
                      f"{len(y) / values:.0f} rows each on average (--task regress to "
                      "override)")
    return False, (f"the target holds {values} distinct whole numbers in {len(y)} rows, too "
                   f"many for classes (more than {MAX_GUESSED_CLASSES}, or fewer than "
                   f"{MIN_ROWS_PER_CLASS} rows each); --task classify to override")


def make_model(args, classification: bool):
    import mlpcore

    common = {"random_state": args.seed, "verbose": not args.quiet}
    for option, param in (("epochs", "max_epochs"), ("lr", "learning_rate"),
                          ("weight_decay", "weight_decay"),
                          ("batch_size", "batch_size"), ("average", "average")):
        value = getattr(args, option)
        if value is not None:
            common[param] = value
    if args.solver is not None:
        common["solver"] = args.solver
    elif args.batch_size is not None and args.model != "mlp":
        common["solver"] = "sgd"  # the linear models default to solvers on all the data
    if args.validation_fraction:
        common.update(early_stopping=True, validation_fraction=args.validation_fraction)
    if args.model == "mlp":
        cls = mlpcore.MLPClassifier if classification else mlpcore.MLPRegressor
        return cls(hidden_layer_sizes=args.hidden, activation=args.activation, **common)
    cls = {"perceptron": mlpcore.Perceptron, "logistic": mlpcore.LogisticRegression,
           "linear": mlpcore.LinearRegression}[args.model]
    return cls(**common)


def _usable_names(names):
    """The header's names when they can match columns (present, non-empty, unique), else
    None."""
    if names is None or not all(names) or len(set(names)) != len(names):
        return None
    return names


def _with_feature_names(model, names):
    """model, recording names as its feature_names_in_ (in its state, so the file keeps them)."""
    import numpy as np

    state = model.get_state()
    state["feature_names_in_"] = np.array(names, dtype=object)
    return model.set_state(state)


def _scaling(standardize: bool, classification: bool, model_name: str) -> str:
    """What the summary says of the standardization."""
    if not standardize:
        return ("none (--no-standardize): the model sees the features as read"
                if model_name != "linear" else "none (the default of --model linear)")
    return ("features" + ("" if classification else " and target")
            + " standardized with the training rows' mean and standard deviation; saved in "
            "the model, predict applies them")


def _stopping(estimator) -> str:
    """The epochs run and, when the fit stopped before max_epochs, at which epoch and why."""
    from ._training import _stopping_goal

    history, epochs = estimator.history_, len(estimator.history_["loss"])
    if not estimator.converged_ or epochs >= estimator.max_epochs:
        return f"{epochs} (max_epochs={estimator.max_epochs})"
    said = f"{epochs} of max_epochs={estimator.max_epochs}, stopped: {_stopping_goal(estimator)}"
    if estimator.solver in ("sgd", "adam") and not estimator.early_stopping:
        said += " of the training loss"
    if "val_score" in history and history["val_score"]:
        scores = history["val_score"]
        best = max(range(len(scores)), key=scores.__getitem__)
        said += (f" on the validation rows; the weights of epoch {best + 1} (validation "
                 f"{_score_name(estimator)} {scores[best]:.4f}) are kept")
    return said


def _split(n: int, test_fraction: float, seed: int):
    import numpy as np

    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(test_fraction * n))
    if test_fraction and (n_test == 0 or n_test == n):
        raise UsageError(f"--test-fraction {test_fraction} of {n} samples leaves no test or no "
                         "training sample")
    return order[n_test:], order[:n_test]


def _score_name(model) -> str:
    return "accuracy" if hasattr(model, "classes_") else "R^2"  # what model.score gives


def cmd_train(args) -> int:
    import numpy as np

    import mlpcore
    from .datasets._load import input_files

    if (args.file is None) == (args.data is None):
        raise UsageError("give one data source: a file (CSV, NPZ or MNIST IDX) or --data "
                         f"{{{','.join(BUILT_IN)}}}")
    if args.out:
        _check_out(args.out, input_files(args.file, args.labels), "model", args.force)
    if args.threads is not None:
        mlpcore.set_num_threads(args.threads)
    names = None
    if args.file is not None:
        X, y, names, description = load_file(args.file, target=_column(args.target),
                                             delimiter=args.delimiter, labels=args.labels,
                                             max_bytes=args.max_input_size)
        if y is None:
            raise UsageError(f"{args.file}: no target column (--target none); training needs one")
        if X.shape[1] == 0:
            raise UsageError(f"{args.file}: no feature columns besides the target; is the "
                             "delimiter right? (--delimiter)")
    else:
        X, y, description = load_built_in(args.data, args.samples, args.seed)
    if args.dtype is not None:
        X = X.astype(args.dtype, copy=False)
    classification, why = choose_task(args.model, args.task, y)
    if classification and y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)  # whole-number labels read from a CSV: classes 0, 1, not 0.0, 1.0
    estimator = make_model(args, classification)
    standardize = args.model != "linear" if args.standardize is None else args.standardize
    model = mlpcore.Standardized(estimator, target=not classification) if standardize \
        else estimator
    train, test = _split(len(X), args.test_fraction, args.seed)
    # the two parts as copies, and the whole let go: the data is held twice at most
    (X_train, y_train), (X_test, y_test) = (X[train], y[train]), (X[test], y[test])
    del X, y

    print(f"data      {description}", flush=True)
    print(f"task      {'classification' if classification else 'regression'}: {why}",
          flush=True)
    print(f"model     {estimator}", flush=True)
    print(f"scaling   {_scaling(standardize, classification, args.model)}", flush=True)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    fitted = model.estimator_ if standardize else model
    epochs = len(fitted.history_["loss"])
    score = _score_name(fitted)
    rows = [
        ("epochs", _stopping(fitted)),
        ("time", f"{seconds:.3f} s, {len(train) * epochs / seconds:,.0f} samples/s "
                 f"({mlpcore.get_num_threads()} threads, {mlpcore.build_info()['isa']})"),
        ("final loss", f"{fitted.history_['loss'][-1]:.6g}"),
        (f"train {score}", f"{model.score(X_train, y_train):.4f} ({len(train)} samples)"),
    ]
    if len(test):
        rows.append((f"test {score}", f"{model.score(X_test, y_test):.4f} "
                                      f"({len(test)} held-out samples)"))
    if args.out:
        names = _usable_names(names)
        if names is not None:
            model = _with_feature_names(model, names)
        mlpcore.save(model, args.out)
        rows.append(("columns", "saved by name: predict matches a file's header to them"
                     if names is not None else "no usable header: predict takes columns by "
                     "position"))
        rows.append(("saved", os.path.abspath(args.out)))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


# ---------------------------------------------------------------------------- predict


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(cell):
    """A predicted label as a CSV cell: text a spreadsheet would run as a formula (it starts
    with one of _FORMULA_START) gets a leading ' and shows as text; numbers, -1 as well, stay."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _columns_by_name(path, X, names, fitted, *, extra_target):
    """(X with the model's columns in the model's order, y or None): the columns of the
    file are matched to the model's by name; with extra_target, one column the model does
    not know is read as the target (the training file's own)."""
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UsageError(f"{path}: the header names {twice} more than once; the model's "
                         "columns are matched by name")
    missing = [n for n in fitted if n not in names]
    extra = [n for n in names if n not in fitted]
    if missing or len(extra) > (1 if extra_target else 0):
        said = [f"lacks the model's columns {missing}"] if missing else []
        if extra:
            said.append(f"has columns the model was not trained on: {extra}")
        raise UsageError(f"{path}: the header {' and '.join(said)}; the model's columns are "
                         f"{fitted}")
    position = {n: j for j, n in enumerate(names)}
    y = X[:, position[extra[0]]] if extra else None
    return X[:, [position[n] for n in fitted]], y


def _predicting(call, X):
    """call(X) for X whose columns were matched to the model's already (by name or by
    position), so the estimator's warning that X has no names says nothing."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "X does not have valid feature names")
        return call(X)


def cmd_predict(args) -> int:
    import numpy as np

    import mlpcore
    from .datasets._load import input_files

    if args.out:
        _check_out(args.out, [args.model, *input_files(args.file, args.labels)], "csv",
                  args.force)
    model = mlpcore.load(args.model)
    if not hasattr(model, "predict") or not hasattr(model, "n_features_in_"):
        raise UsageError(f"{args.model}: holds a {type(model).__name__}, not a fitted estimator")
    target = _column(args.target) if args.target is not None else None
    X, y, names, _ = load_file(args.file, target=target, delimiter=args.delimiter,
                               labels=args.labels, need_target=False,
                               max_bytes=args.max_input_size)
    fitted_names = getattr(model, "feature_names_in_", None)
    if fitted_names is not None and names is not None:
        X, found = _columns_by_name(args.file, X, names, list(fitted_names),
                                    extra_target=args.target is None and y is None)
        y = y if found is None else found
    elif args.target is None and y is None and X.shape[1] == model.n_features_in_ + 1:
        X, y = X[:, :-1], X[:, -1]  # a file with the training target still in its last column
    if X.shape[1] != model.n_features_in_:
        raise UsageError(f"{args.file}: {X.shape[1]} feature columns, but the model was trained "
                         f"on {model.n_features_in_}")
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise UsageError(f"--proba: a {type(model).__name__} gives no probabilities")
        values = _predicting(model.predict_proba, X)
        header = [f"p({c})" for c in model.classes_]
    else:
        values = np.asarray(_predicting(model.predict, X)).reshape(len(X), -1)
        header = ["prediction"] if values.shape[1] == 1 else [
            f"prediction{i}" for i in range(values.shape[1])]
    rows = values.tolist()
    if values.dtype.kind not in "biuf":  # string labels
        rows = [[spreadsheet_safe(cell) for cell in row] for row in rows]
    out = open(args.out, "w", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    finally:
        if args.out:
            out.close()
    if y is not None:
        score = _predicting(lambda X: model.score(X, y), X)
        print(f"{_score_name(model)} {score:.4f} on {len(X)} samples of {args.file}",
              file=sys.stderr)
    if args.out:
        print(f"wrote {len(X)} predictions to {os.path.abspath(args.out)}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------- the others


def cmd_demo(args) -> int:
    from .demo import run_demo

    run_demo(args.out, seed=args.seed, quick=args.quick)
    return 0


def cmd_info(_args) -> int:
    import platform

    import numpy as np

    import mlpcore

    info = mlpcore.build_info()
    rows = [
        ("mlpcore", info["version"]),
        ("python", platform.python_version()),
        ("numpy", np.__version__),
        ("compiler", info["compiler"]),
        ("openmp", info["openmp"]),
        ("openmp wait policy", info["openmp_wait_policy"]),
        ("threads", f"{info['num_threads']} (of {info['max_threads']} available)"),
        ("simd path", info["isa"]),
        ("simd paths available", ", ".join(info["isas_available"])),
        ("cpu", info["cpu"]),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def _paragraph(text: str) -> str:
    """A description for a formatter that keeps line breaks (the examples need them)."""
    import textwrap

    return textwrap.fill(text, 79)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlpcore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument("--cmake-dir", action="store_true",
                        help="print the folder of mlpcoreConfig.cmake (for find_package)")
    parser.add_argument("--include-dir", action="store_true", help="print the C++ include folder")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    raw = argparse.RawDescriptionHelpFormatter
    demo = commands.add_parser(
        "demo", help="the course's figures on capacity and step sizes", formatter_class=raw,
        description=_paragraph(
            "Draw the course's two figures as PNG files: the decision boundaries of a single "
            "neuron, a 2+2+1 and a 10+10+1 tanh network on XOR and the two moons "
            "(capacity.png), and gradient descent on least squares with steps of 0.1/L to "
            "2.5/L, diverging above 2/L (step_sizes.png). Needs matplotlib."),
        epilog="examples:\n  mlpcore demo --out figures\n  mlpcore demo --quick")
    demo.add_argument("--out", default="mlpcore-demo", help="folder for the figures "
                      "(default: ./mlpcore-demo)")
    demo.add_argument("--seed", type=int, default=0, help="seed of the data and the models")
    demo.add_argument("--quick", action="store_true", help="fewer samples and epochs")
    demo.set_defaults(run=cmd_demo)

    train = commands.add_parser(
        "train", help="fit a model on a data file or a built-in set", formatter_class=raw,
        description=_paragraph(
            "Fit a perceptron, a logistic or linear regression or an MLP on a data file (CSV "
            "or TSV, NPZ, MNIST IDX) or a built-in set; print the task, the model, the scores "
            "on the training and held-out rows and the time; save the model with --out for "
            "`mlpcore predict`."),
        epilog="examples:\n"
               "  mlpcore train --data moons --model mlp --hidden 10,10 --out moons.npz\n"
               "  mlpcore train iris.csv --target species --model logistic\n"
               "  mlpcore train houses.tsv --model mlp --task regress --epochs 50\n"
               "  mlpcore train train-images-idx3-ubyte.gz --model mlp --hidden 256 --epochs 5")
    train.add_argument("file", nargs="?", metavar="DATA",
                       help="a CSV (.csv, .csv.gz, ...), NPZ (X, y) or MNIST IDX images file")
    train.add_argument("--data", choices=BUILT_IN, help="a built-in data set instead of a file")
    train.add_argument("--samples", type=int, default=1000,
                       help="samples of a generated data set (default 1000)")
    train.add_argument("--model", choices=MODELS, default="logistic", help="default: logistic")
    train.add_argument("--task", choices=("auto", "classify", "regress"), default="auto",
                       help="for --model mlp: auto classifies labels that are not numbers "
                            f"and whole numbers of at most {MAX_GUESSED_CLASSES} distinct "
                            f"values with {MIN_ROWS_PER_CLASS} rows each on average, and "
                            "regresses other targets")
    train.add_argument("--standardize", action=argparse.BooleanOptionalAction,
                       help="train on standardized features (and, for a regression, target): "
                            "the mean and standard deviation of each column, from the training "
                            "rows, are saved in the model and predict applies them (default: "
                            "on, except for --model linear)")
    train.add_argument("--hidden", type=_positive_int_list, default=(100,),
                       help="hidden layer widths of --model mlp, e.g. 256,128 (default 100)")
    train.add_argument("--activation", default="relu",
                       help="hidden activation of --model mlp (default relu)")
    train.add_argument("--epochs", type=int, help="most epochs (the model's default otherwise)")
    train.add_argument("--lr", type=float, help="learning rate (default: the model's 'auto')")
    train.add_argument("--solver", choices=("exact", "lbfgs", "adam", "sgd", "gd"),
                       help="the optimizer (default: the model's; exact is linear's only, "
                            "the perceptron takes sgd and gd)")
    train.add_argument("--batch-size", type=int, help="minibatch size (SGD)")
    train.add_argument("--weight-decay", type=float, metavar="LAMBDA",
                       help="L2 penalty: the loss plus LAMBDA/2 times the squared weights "
                            "(default: the model's; scikit-learn's LogisticRegression(C) is "
                            "LAMBDA = 1/(C n) for n training rows)")
    train.add_argument("--average", type=int, help="average the weights from this epoch on")
    train.add_argument("--validation-fraction", type=_fraction, default=0.0,
                       help="hold out this fraction for a validation score per epoch and "
                            "early stopping (default 0: none)")
    train.add_argument("--test-fraction", type=_fraction, default=0.2,
                       help="held out for the final test score (default 0.2)")
    train.add_argument("--seed", type=int, default=0, help="seed of the split, data and model")
    train.add_argument("--threads", type=int, help="threads of the compiled core")
    train.add_argument("--dtype", choices=("float32", "float64"),
                       help="compute in this precision (default: the data's)")
    train.add_argument("--out", help="save the fitted model to this .npz file (checked before "
                       "training: never one of the inputs, nor a file that is not a model "
                       "unless --force)")
    train.add_argument("--force", action="store_true",
                       help="let --out replace a file that is not an mlpcore model")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    _file_options(train, target_default="last")
    train.set_defaults(run=cmd_train)

    predict = commands.add_parser(
        "predict", help="predictions of a saved model, as CSV", formatter_class=raw,
        epilog="examples:\n"
               "  mlpcore predict moons.npz new.csv --out predictions.csv\n"
               "  mlpcore predict model.npz test.csv --proba",
        description=_paragraph(
            "Write a saved model's predictions (or class probabilities) as CSV. A string "
            "label that starts with =, +, -, @, a tab or a carriage return is written with a "
            "leading ' so that a spreadsheet shows it as text instead of running it as a "
            "formula (CSV injection); numbers, such as -1, are written as they are."))
    predict.add_argument("model", metavar="MODEL", help="a model saved by train --out")
    predict.add_argument("file", metavar="DATA", help="a CSV, NPZ or MNIST IDX images file")
    predict.add_argument("--out", help="write the predictions here (default: standard output; "
                         "never one of the inputs, nor a model or other binary file unless "
                         "--force)")
    predict.add_argument("--force", action="store_true",
                         help="let --out replace a model or other binary file")
    predict.add_argument("--proba", action="store_true", help="class probabilities")
    _file_options(predict, target_default=None)
    predict.set_defaults(run=cmd_predict)

    commands.add_parser("bench", help="benchmarks against NumPy, PyTorch and scikit-learn "
                        "(mlpcore bench --help)", add_help=False)
    commands.add_parser(
        "info", help="build and runtime information", formatter_class=raw,
        description=_paragraph(
            "Print the versions, the compiler, the OpenMP runtime and its wait policy, the "
            "thread count, the SIMD paths and the CPU: what a bug report needs."),
        epilog="example:\n  mlpcore info").set_defaults(run=cmd_info)
    return parser


def _file_options(parser, target_default):
    parser.add_argument("--target", default=target_default,
                        help="CSV target column: last, none, an index or a header name"
                             + (" (default last)" if target_default else
                                " (default: the last one when the file has one column more "
                                "than the model's features)"))
    parser.add_argument("--delimiter", type=_delimiter,
                        help="CSV delimiter: one character, or tab, comma, semicolon, space, "
                             "pipe (default: tab for .tsv and .tab files, else comma)")
    parser.add_argument("--labels", help="MNIST IDX labels file (default: found next to the "
                                         "images file)")
    parser.add_argument("--max-input-size", type=_size, metavar="SIZE",
                        help="read at most this much of a data file, e.g. 500M or 16G (default "
                             "1G); a longer or endless stream is refused")


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark runner parses its own options
        from .benchmark import main as bench

        return bench(argv[1:], prog="mlpcore bench")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            from . import __version__

            print(__version__)
            return 0
        if args.cmake_dir or args.include_dir:
            from ._paths import get_cmake_dir, get_include

            print(get_cmake_dir() if args.cmake_dir else get_include())
            return 0
        if args.command is None:
            parser.print_usage(sys.stderr)
            print("mlpcore: error: a command is required (demo, train, predict, bench, info)",
                  file=sys.stderr)
            return 2
        default_format, warnings.formatwarning = warnings.formatwarning, _one_line_warning
        try:
            return args.run(args)
        finally:
            warnings.formatwarning = default_format
    except KeyboardInterrupt:
        print("mlpcore: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (mlpcore predict ... | head)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the exit flush quiet
        return 0
    except (ValueError, TypeError, OSError, ImportError) as exc:
        if os.environ.get("MLPCORE_TRACEBACK"):
            raise
        prefix = f"mlpcore {args.command}" if args.command else "mlpcore"
        message = str(exc) if not isinstance(exc, OSError) or not exc.filename else (
            f"{exc.filename}: {exc.strerror}")
        print(f"{prefix}: error: {message}", file=sys.stderr)
        return 1
