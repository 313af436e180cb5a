"""The command line: train, predict, info, bench, and one-line errors for user mistakes."""

import csv
import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import mlpcore
from mlpcore.cli import build_parser, main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def summary(out):
    """The 'name  value' rows that train prints, as a dict."""
    rows = {}
    for line in out.splitlines():
        name, _, value = line.partition("  ")
        rows[name.strip()] = value.strip()
    return rows


def write_csv(path, X, y=None, header=None):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        for i, row in enumerate(X):
            writer.writerow(list(row) + ([] if y is None else [y[i]]))


def one_line_error(code, err, prefix):
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prefix}: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_train_a_network_on_a_built_in_set(capsys):
    code, out, err = run(capsys, "train", "--data", "moons", "--model", "mlp", "--hidden", "10,10",
                         "--activation", "tanh", "--epochs", "200", "--quiet", "--seed", "3")
    assert code == 0, err
    rows = summary(out)
    assert "MLPClassifier" in rows["model"] and "hidden_layer_sizes=(10, 10)" in rows["model"]
    assert float(rows["test accuracy"].split()[0]) > 0.9
    assert int(rows["epochs"].split()[0]) <= 200
    assert "samples/s" in rows["time"]


def test_the_model_flag_picks_the_estimator(capsys):
    for flag, name in [("perceptron", "Perceptron"), ("logistic", "LogisticRegression"),
                       ("linear", "LinearRegression")]:
        code, out, err = run(capsys, "train", "--data", "xor", "--model", flag, "--epochs", "3",
                             "--quiet")
        assert code == 0, err
        assert summary(out)["model"].startswith(name)
        assert ("train R^2" in summary(out)) == (flag == "linear")
    # three classes: the perceptron is one-vs-rest
    code, out, err = run(capsys, "train", "--data", "blobs", "--model", "perceptron", "--quiet")
    assert code == 0, err
    assert float(summary(out)["test accuracy"].split()[0]) > 0.8


def test_train_save_and_predict_a_csv(tmp_path, capsys):
    X, y = mlpcore.datasets.blobs(300, centers=3, random_state=0)
    data = tmp_path / "blobs.csv"
    write_csv(data, X, y, header=["x1", "x2", "label"])
    model_path = tmp_path / "model.npz"
    code, out, err = run(capsys, "train", str(data), "--model", "logistic", "--target", "label",
                         "--out", str(model_path), "--quiet")
    assert code == 0, err
    assert summary(out)["saved"] == str(model_path)
    model = mlpcore.load(model_path)
    # labels read as 0.0, 1.0, 2.0 from the file become the classes 0, 1, 2
    assert model.classes_.tolist() == [0, 1, 2]

    # the features only: predictions on standard output
    features = tmp_path / "features.csv"
    write_csv(features, X)
    code, out, err = run(capsys, "predict", str(model_path), str(features))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "prediction"
    assert [int(v) for v in lines[1:]] == model.predict(X).tolist()
    assert err == ""

    # the file with its target column: the score as well; probabilities to a file
    preds = tmp_path / "p.csv"
    code, out, err = run(capsys, "predict", str(model_path), str(data), "--proba",
                         "--out", str(preds))
    assert code == 0, err
    table = np.loadtxt(preds, delimiter=",", skiprows=1)
    np.testing.assert_allclose(table, model.predict_proba(X), rtol=1e-12)
    assert preds.read_text().splitlines()[0] == "p(0),p(1),p(2)"
    assert f"accuracy {model.score(X, y):.4f} on 300 samples" in err


def test_npz_and_mnist_idx_inputs(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    images = np.where(y[:, None, None] == 1, 200, 20) + rng.integers(0, 40, (200, 4, 4))
    images = images.astype(np.uint8)
    with gzip.open(tmp_path / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 200, 4, 4) + images.tobytes())
    with gzip.open(tmp_path / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x801, 200) + y.astype(np.uint8).tobytes())
    model_path = tmp_path / "m.npz"
    # the labels file is found next to the images file
    code, out, err = run(capsys, "train", str(tmp_path / "train-images-idx3-ubyte.gz"),
                         "--out", str(model_path), "--quiet")
    assert code == 0, err
    assert "200 x 16 float32" in summary(out)["data"]
    assert float(summary(out)["test accuracy"].split()[0]) == 1.0

    npz = tmp_path / "data.npz"
    # the same pixels as stored (0-255): one rule for every format, the model standardizes
    np.savez(npz, X=images.reshape(200, 16).astype(np.float32))
    code, out, err = run(capsys, "predict", str(model_path), str(npz))
    assert code == 0, err
    assert [int(v) for v in out.splitlines()[1:]] == y.tolist()


@pytest.mark.parametrize("argv, prefix, expected", [
    (["train", "missing.csv"], "mlpcore train", "missing.csv: No such file or directory"),
    (["train"], "mlpcore train", "give one data source"),
    (["train", "--data", "xor", "--test-fraction", "0.5", "--samples", "1"], "mlpcore train",
     "leaves no test or no training sample"),
    (["predict", "missing.npz", "x.csv"], "mlpcore predict", "missing.npz"),
])
def test_user_mistakes_are_one_line(capsys, tmp_path, monkeypatch, argv, prefix, expected):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert expected in one_line_error(code, err, prefix)


def test_file_errors_name_the_file_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,0\n3,oops,1\n")
    code, _, err = run(capsys, "train", str(bad))
    line = one_line_error(code, err, "mlpcore train")
    assert "bad.csv, line 3, column 2" in line and "oops" in line

    not_a_model = tmp_path / "notmodel.npz"
    not_a_model.write_text("hello")
    code, _, err = run(capsys, "predict", str(not_a_model), str(bad))
    assert "not a readable mlpcore model file" in one_line_error(code, err, "mlpcore predict")


def test_predict_checks_the_feature_count(tmp_path, capsys):
    X, y = mlpcore.datasets.xor(100, random_state=0)
    model_path = tmp_path / "m.npz"
    mlpcore.save(mlpcore.LogisticRegression().fit(X, y), model_path)
    wide = tmp_path / "wide.csv"
    write_csv(wide, np.c_[X, X, X])
    code, _, err = run(capsys, "predict", str(model_path), str(wide))
    line = one_line_error(code, err, "mlpcore predict")
    assert "6 feature columns, but the model was trained on 2" in line
    code, _, err = run(capsys, "predict", str(model_path), str(wide), "--proba")
    one_line_error(code, err, "mlpcore predict")


def test_bad_options_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--data", "xor", "--hidden", "10,x"])
    assert exc.value.code == 2
    assert "layer widths separated by commas" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--data", "xor", "--validation-fraction", "1.5"])
    assert "expected a number in [0, 1)" in capsys.readouterr().err
    code, _, err = run(capsys)
    assert code == 2 and "a command is required" in err


@pytest.mark.parametrize("text, size", [("1", 1), ("1024", 1024), ("2K", 2048), ("500M", 500 << 20),
                                        ("8G", 8 << 30), ("8GiB", 8 << 30), ("1 t", 1 << 40),
                                        ("16mb", 16 << 20)])
def test_max_input_size_reads_units(text, size):
    assert build_parser().parse_args(["train", "x.csv", "--max-input-size", text]
                                     ).max_input_size == size


@pytest.mark.parametrize("text", ["0", "-5", "1X", "", "1.5G", "G", "8 GG"])
def test_max_input_size_refuses_what_is_not_a_size(capsys, text):
    with pytest.raises(SystemExit) as exc:
        main(["train", "x.csv", "--max-input-size", text])
    assert exc.value.code == 2
    assert f"expected a size such as 500M or 8G, got {text!r}" in capsys.readouterr().err


def test_info_and_version(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0
    info = mlpcore.build_info()
    assert f"simd path             {info['isa']}" in out
    code, out, _ = run(capsys, "--version")
    assert out.strip() == mlpcore.__version__


def test_cmake_dir(capsys):
    try:
        from mlpcore._paths import get_cmake_dir
        expected = get_cmake_dir()
    except FileNotFoundError as exc:  # a development tree: no installed C++ package
        code, _, err = run(capsys, "--cmake-dir")
        assert str(exc).split(":")[0] in one_line_error(code, err, "mlpcore")
        return
    code, out, _ = run(capsys, "--cmake-dir")
    assert code == 0 and out.strip() == expected
    assert os.path.isfile(os.path.join(expected, "mlpcoreConfig.cmake"))


def test_the_installed_command_runs_as_a_module(tmp_path):
    env = dict(os.environ)
    package_root = os.path.dirname(os.path.dirname(mlpcore.__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "mlpcore", "bench", "--quick", "--kernels-only", "--filter",
         "matmul 256", "--repeats", "1", "--json", str(tmp_path / "b.json")],
        capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "matmul 256x256x256" in result.stdout
    result = subprocess.run([sys.executable, "-m", "mlpcore", "train", "nothing.csv"],
                            capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "mlpcore train: error: nothing.csv: No such file or directory"


def test_tab_separated_files(tmp_path, capsys):
    # A .tsv (or .tab, gzipped too) file is read with tabs; --delimiter takes tab, \t
    # (as typed in a shell) or the character; a tab-separated file read with commas is
    # refused with the delimiter to use, not trained on zero features.
    X, y = mlpcore.datasets.blobs(150, random_state=0)
    rows = "".join(f"{a!r}\t{b!r}\t{t}\n" for (a, b), t in zip(X.tolist(), y))
    text = "x1\tx2\tlabel\n" + rows
    (tmp_path / "blobs.tsv").write_text(text)
    with gzip.open(tmp_path / "blobs.tab.gz", "wt") as f:
        f.write(text)
    (tmp_path / "blobs.txt").write_text(text)
    (tmp_path / "blobs.csv").write_text(text)
    runs = [["blobs.tsv"], ["blobs.tab.gz"], ["blobs.txt", "--delimiter", "tab"],
            ["blobs.txt", "--delimiter", "\\t"], ["blobs.txt", "--delimiter", "\t"]]
    for argv in runs:
        code, out, _ = run(capsys, "train", str(tmp_path / argv[0]), *argv[1:], "--model",
                           "logistic", "--quiet")
        assert code == 0, argv
        rows = summary(out)
        assert "120 x 2" not in rows["data"] and "150 x 2" in rows["data"], rows["data"]
        assert float(rows["test accuracy"].split()[0]) > 0.9
    code, _, err = run(capsys, "train", str(tmp_path / "blobs.csv"), "--model", "logistic")
    line = one_line_error(code, err, "mlpcore train")
    assert "one column with the delimiter ','" in line and "--delimiter tab" in line
    (tmp_path / "labels.csv").write_text("label\n0\n1\n")  # a target alone
    code, _, err = run(capsys, "train", str(tmp_path / "labels.csv"))
    assert "no feature columns besides the target" in one_line_error(code, err, "mlpcore train")
    X2, y2 = mlpcore.datasets.load(tmp_path / "blobs.tsv")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "train", str(tmp_path / "blobs.txt"), "--delimiter", "ab")
    assert exit_.value.code == 2
    assert "expected one character or one of tab" in capsys.readouterr().err


@pytest.mark.parametrize("target,extra,task", [
    ("classes", [], "classification"),
    ("counts", [], "regression"),
    ("real", [], "regression"),
    ("names", [], "classification"),
    ("counts", ["--task", "classify"], "classification"),
    ("classes", ["--task", "regress"], "regression"),
])
def test_the_task_follows_the_target(tmp_path, capsys, target, extra, task):
    # --model mlp guesses: whole numbers of few distinct values, each on several rows, are
    # classes; a target like diabetes' (214 distinct values in 442 rows) is a quantity.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((442, 3))
    y = {"classes": rng.integers(0, 3, 442), "counts": rng.integers(25, 346, 442),
         "real": rng.standard_normal(442),
         "names": rng.choice(["setosa", "virginica"], 442)}[target]
    write_csv(tmp_path / "d.csv", X, y, header=["a", "b", "c", "y"])
    code, out, _ = run(capsys, "train", str(tmp_path / "d.csv"), "--model", "mlp", "--epochs",
                       "2", "--quiet", *extra)
    assert code == 0
    rows = summary(out)
    assert rows["task"].startswith(task + ": "), rows["task"]
    assert ("test accuracy" in rows) == (task == "classification")
    if target == "counts" and not extra:
        assert "distinct whole numbers in 442 rows" in rows["task"]


def test_a_pandas_index_column_is_dropped_with_a_note(tmp_path, capsys):
    X, y = mlpcore.datasets.blobs(100, random_state=1)
    write_csv(tmp_path / "df.csv", [[i, *row] for i, row in enumerate(X.tolist())], y,
              header=["", "x1", "x2", "label"])
    with pytest.warns(mlpcore.datasets.DataFileWarning, match="an index written by pandas"):
        code, out, _ = run(capsys, "train", str(tmp_path / "df.csv"), "--model", "logistic",
                           "--quiet")
    assert code == 0
    assert "100 x 2" in summary(out)["data"]
    # outside pytest's capture, the command prints it as one line
    r = subprocess.run([sys.executable, "-m", "mlpcore", "train", str(tmp_path / "df.csv"),
                        "--model", "logistic", "--quiet"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(
                           [str(os.path.dirname(os.path.dirname(mlpcore.__file__))),
                            os.environ.get("PYTHONPATH", "")])), timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("warning: ") and "an index written by pandas" in r.stderr


@pytest.mark.parametrize("command", ["train", "predict", "demo", "info"])
def test_help_has_a_description_and_examples(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    usage, description = text.split("\n\n")[:2]
    assert usage.startswith(f"usage: mlpcore {command}")
    assert len(description.split()) >= 10, description
    examples = text.split("example")[-1].splitlines()[1:]
    assert any(line.strip().startswith(f"mlpcore {command}") for line in examples), text


# ------------------------------------------------------------------ scaling and columns

def wide_scale_data(n=300, seed=0):
    """Three classes in features of scales 0.1 to 1,500, as in the wine data."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[0, 0, 0], [1, 1, 1], [2, 0, 1]], dtype=float)
    X = (centers[y] + rng.normal(scale=0.35, size=(n, 3))) * np.array([0.1, 20, 1500])
    return X, y


def test_features_are_standardized_by_default_and_saved(tmp_path, capsys):
    X, y = wide_scale_data()
    data, model_path = tmp_path / "wide.csv", tmp_path / "m.npz"
    write_csv(data, X, y, header=["alcohol", "ash", "proline", "class"])
    code, out, err = run(capsys, "train", str(data), "--model", "mlp", "--quiet", "--epochs",
                         "300", "--out", str(model_path))
    assert code == 0, err
    rows = summary(out)
    assert rows["scaling"].startswith("features standardized with the training rows' mean")
    assert float(rows["test accuracy"].split()[0]) >= 0.9
    model = mlpcore.load(model_path)
    assert isinstance(model, mlpcore.Standardized)
    # the statistics of the training rows, which predict applies to raw features
    train, _ = mlpcore.cli._split(len(X), 0.2, 0)
    np.testing.assert_allclose(model.scaler_.mean_, X[train].mean(axis=0), rtol=1e-12)
    assert model.feature_names_in_.tolist() == ["alcohol", "ash", "proline"]
    code, out, err = run(capsys, "predict", str(model_path), str(data))
    assert code == 0, err
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        expected = model.predict(X)
    assert [int(v) for v in out.splitlines()[1:]] == expected.tolist()

    code, out, err = run(capsys, "train", str(data), "--model", "mlp", "--quiet", "--epochs",
                         "300", "--no-standardize")
    assert code == 0, err
    assert summary(out)["scaling"].startswith("none (--no-standardize)")


def test_a_regression_target_is_standardized_too(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3)) * [1, 10, 100]
    y = 300 + X @ [20, 2, 0.2] + rng.normal(size=400)
    data = tmp_path / "r.csv"
    write_csv(data, X, y)
    code, out, err = run(capsys, "train", str(data), "--model", "mlp", "--task", "regress",
                         "--quiet")
    assert code == 0, err
    rows = summary(out)
    assert rows["scaling"].startswith("features and target standardized")
    assert float(rows["test R^2"].split()[0]) > 0.95
    code, out, err = run(capsys, "train", str(data), "--model", "linear", "--quiet")
    assert code == 0, err
    assert summary(out)["scaling"] == "none (the default of --model linear)"


def test_predict_matches_columns_by_name(tmp_path, capsys):
    X, y = wide_scale_data()
    names = ["alcohol", "ash", "proline"]
    data, model_path = tmp_path / "wide.csv", tmp_path / "m.npz"
    write_csv(data, X, y, header=[*names, "class"])
    code, _, err = run(capsys, "train", str(data), "--model", "logistic", "--quiet", "--out",
                       str(model_path))
    assert code == 0, err
    code, out, err = run(capsys, "predict", str(model_path), str(data))
    assert code == 0, err
    expected = out.splitlines()
    score = err.splitlines()[0]
    # the columns in another order, the target first: the same predictions and score
    order = [3, 2, 0, 1]
    table = np.column_stack([X, y])[:, order]
    write_csv(tmp_path / "reordered.csv", table, header=[[*names, "class"][j] for j in order])
    code, out, err = run(capsys, "predict", str(model_path), str(tmp_path / "reordered.csv"))
    assert code == 0, err
    assert out.splitlines() == expected
    assert err.splitlines()[0].replace("reordered", "wide") == score
    # without a header, the columns go by position
    write_csv(tmp_path / "plain.csv", X)
    code, out, err = run(capsys, "predict", str(model_path), str(tmp_path / "plain.csv"))
    assert code == 0, err
    assert out.splitlines() == expected
    # a header that lacks a column, or has two the model does not know, is refused
    for header, said in [(["alcohol", "ash", "color"], "lacks the model's columns ['proline']"),
                         (["alcohol", "ash", "proline", "hue", "color"],
                          "the model was not trained on: ['hue', 'color']"),
                         (["alcohol", "ash", "ash"], "names ['ash'] more than once")]:
        write_csv(tmp_path / "bad.csv", np.zeros((4, len(header))), header=header)
        code, _, err = run(capsys, "predict", str(model_path), str(tmp_path / "bad.csv"))
        assert said in one_line_error(code, err, "mlpcore predict")


def test_early_stopping_says_when_and_why(capsys):
    pytest.importorskip("sklearn", reason="--data digits reads scikit-learn's copy")
    code, out, err = run(capsys, "train", "--data", "digits", "--model", "mlp", "--quiet",
                         "--validation-fraction", "0.2", "--hidden", "32")
    assert code == 0, err
    epochs = summary(out)["epochs"]
    ran = int(epochs.split()[0])
    assert ran < 200 and "stopped: no improvement of 0.0001 in 10 epochs" in epochs
    best = int(epochs.split("the weights of epoch ")[1].split()[0])
    assert ran - best >= 10  # patience epochs ran after the best one
    assert "on the validation rows" in epochs and "validation accuracy 0." in epochs


def test_weight_decay_reaches_the_model(capsys):
    code, out, err = run(capsys, "train", "--data", "blobs", "--model", "logistic",
                         "--weight-decay", "0.01", "--quiet")
    assert code == 0, err
    assert "weight_decay=0.01" in summary(out)["model"]


def test_the_same_pixels_give_the_same_model_from_idx_and_csv(tmp_path, capsys):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 150)
    images = (np.clip(y[:, None, None] * 80 + rng.integers(0, 90, (150, 3, 3)), 0, 255)
              .astype(np.uint8))
    with open(tmp_path / "t-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 150, 3, 3) + images.tobytes())
    with open(tmp_path / "t-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 0x801, 150) + y.astype(np.uint8).tobytes())
    X, _ = mlpcore.datasets.load(tmp_path / "t-images-idx3-ubyte")
    assert X.dtype == np.float32 and X.max() == images.max()  # as stored: 0-255
    write_csv(tmp_path / "t.csv", images.reshape(150, 9), y)
    scores = []
    for data in ("t-images-idx3-ubyte", "t.csv"):
        code, out, err = run(capsys, "train", str(tmp_path / data), "--model", "mlp",
                             "--dtype", "float32", "--quiet", "--epochs", "20")
        assert code == 0, err
        scores.append((summary(out)["final loss"], summary(out)["test accuracy"]))
    assert scores[0] == scores[1]
