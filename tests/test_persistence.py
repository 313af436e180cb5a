"""mlpcore.save / mlpcore.load: round trips, and files that must be refused."""

import json
import pickle
import warnings
import zipfile

import numpy as np
import pytest

import mlpcore
from mlpcore import (
    MLP,
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    ModelFileError,
    Perceptron,
)


def fitted(cls, dtype=np.float64, **params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5)).astype(dtype)
    if cls in (LinearRegression, MLPRegressor):
        y = X @ [1.0, 2.0, 0.0, -1.0, 0.5]
    elif cls is Perceptron:
        y = np.where(X[:, 0] > 0, "up", "down")
    else:
        y = np.array(["a", "b", "c"])[np.argmax(X[:, :3], axis=1)]
    if cls in (LinearRegression, LogisticRegression):  # a state with every part
        params.setdefault("solver", "sgd")
    model = cls(random_state=0, **params)
    model.set_params(max_epochs=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model.fit(X, y)
    return model, X, y


ESTIMATORS = [LinearRegression, LogisticRegression, Perceptron, MLPClassifier, MLPRegressor]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_round_trip_predicts_bitwise_the_same(cls, dtype, tmp_path):
    model, X, y = fitted(cls, dtype, average=True)
    path = tmp_path / "model.npz"
    mlpcore.save(model, path)
    loaded = mlpcore.load(path)
    assert type(loaded) is cls and loaded.get_params() == model.get_params()
    assert np.array_equal(loaded.predict(X), model.predict(X))
    if hasattr(model, "predict_proba"):
        assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.history_ == model.history_
    # Training goes on from the same state: the same next epoch.
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert [f.name for f in tmp_path.iterdir()] == ["model.npz"]  # no temporary left


def test_mlp_round_trip(tmp_path):
    net = MLP([3, 4, 2], ["tanh", "identity"], random_state=1)
    mlpcore.save(net, tmp_path / "net.npz")
    back = mlpcore.load(tmp_path / "net.npz")
    x = np.random.default_rng(2).normal(size=(6, 3))
    assert back.activations == net.activations
    assert np.array_equal(back.forward(x), net.forward(x))


def test_estimators_pickle():
    model, X, _ = fitted(MLPClassifier)
    assert np.array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))


def test_unfitted_and_foreign_objects_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unfitted"):
        mlpcore.save(LogisticRegression(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="estimator or MLP"):
        mlpcore.save(object(), tmp_path / "m.npz")
    assert not any(tmp_path.iterdir())


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    model, X, _ = fitted(LogisticRegression)
    path = tmp_path / "model.npz"
    mlpcore.save(model, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        mlpcore.save(model, path)
    assert path.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["model.npz"]


def rewrite_meta(src, dst, change):
    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays["__meta__"].tobytes())
    change(meta, arrays)
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(dst, **arrays)


def test_bad_files_raise_clear_errors(tmp_path):
    model, _, _ = fitted(MLPRegressor)
    good = tmp_path / "good.npz"
    mlpcore.save(model, good)
    data = good.read_bytes()
    cases = {}
    cases["truncated.npz"] = data[: len(data) // 2]
    cases["garbage.npz"] = b"\x00not a model at all" * 10
    cases["empty.npz"] = b""
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    np.savez(tmp_path / "plain.npz", X=np.zeros(3))
    rewrite_meta(good, tmp_path / "newer.npz", lambda m, a: m.update(format_version=99))
    rewrite_meta(good, tmp_path / "unknown.npz", lambda m, a: m.update({"class": "Evil"}))
    rewrite_meta(good, tmp_path / "missing.npz",
                 lambda m, a: a.pop(next(k for k in a if k.startswith("_weights"))))

    def bad_shape(meta, arrays):
        key = next(k for k in arrays if k.startswith("_weights.0"))
        arrays[key] = arrays[key][:-1]

    rewrite_meta(good, tmp_path / "shapes.npz", bad_shape)
    expected = {"truncated.npz": "readable", "garbage.npz": "readable", "empty.npz": "readable",
                "plain.npz": "no __meta__", "newer.npz": "format 99", "unknown.npz": "Evil",
                "missing.npz": "missing", "shapes.npz": r"_weights\.0 .* expected float64 of shape"}
    for name, message in expected.items():
        with pytest.raises(ModelFileError, match=message) as info:
            mlpcore.load(tmp_path / name)
        assert name in str(info.value)
    with pytest.raises(FileNotFoundError, match="nothere"):
        mlpcore.load(tmp_path / "nothere.npz")
    assert zipfile.is_zipfile(good)
