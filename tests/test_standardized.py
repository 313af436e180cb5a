"""mlpcore.Standardized: an estimator on standardized features (and target), saved and
loaded as one model; the Standardizer's own state."""

import json
import warnings
import zipfile

import numpy as np
import pytest

import mlpcore
from mlpcore.features import Standardizer
from mlpcore.persistence import ModelFileError

RNG = np.random.default_rng(0)
# features on very different scales, as in the wine data (0.1 to 1,680)
X = RNG.normal(size=(240, 4)) * np.array([0.1, 1.0, 50.0, 1500.0]) + np.array([0, 5, 100, 800])
Y_CLASS = (X[:, 0] / 0.1 + X[:, 3] / 1500 > 0).astype(int) + (X[:, 2] > 100)
Y_REG = X[:, 2] * 3 + X[:, 3] / 10 + 500


def by_hand(estimator, X, y, target=False):
    """The same fit written out: the statistics, the estimator on the scaled rows."""
    scaler = Standardizer().fit(X)
    if target:
        y_scaler = Standardizer().fit(y[:, None])
        y = y_scaler.transform(y[:, None])[:, 0]
    fitted = estimator.fit(scaler.transform(X), y)
    return scaler, fitted, (y_scaler if target else None)


@pytest.mark.parametrize("make", [
    lambda: mlpcore.MLPClassifier((8,), max_epochs=30, random_state=1),
    lambda: mlpcore.LogisticRegression(),
    lambda: mlpcore.Perceptron(max_epochs=20, random_state=0),
])
def test_a_classifier_equals_the_pipeline_written_out(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model = mlpcore.Standardized(make()).fit(X, Y_CLASS)
        scaler, fitted, _ = by_hand(make(), X, Y_CLASS)
    np.testing.assert_array_equal(model.predict(X), fitted.predict(scaler.transform(X)))
    assert model.score(X, Y_CLASS) == fitted.score(scaler.transform(X), Y_CLASS)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    if hasattr(fitted, "predict_proba"):
        np.testing.assert_array_equal(model.predict_proba(X),
                                      fitted.predict_proba(scaler.transform(X)))
    else:
        with pytest.raises(AttributeError, match="no probabilities"):
            model.predict_proba(X)


def test_a_regressor_with_a_standardized_target_predicts_in_its_units():
    make = lambda: mlpcore.MLPRegressor((16,), max_epochs=300, random_state=0)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        model = mlpcore.Standardized(make(), target=True).fit(X, Y_REG)
        scaler, fitted, y_scaler = by_hand(make(), X, Y_REG, target=True)
    expected = y_scaler.inverse_transform(fitted.predict(scaler.transform(X))[:, None])[:, 0]
    np.testing.assert_array_equal(model.predict(X), expected)
    assert model.target_scaler_.mean_[0] == pytest.approx(Y_REG.mean())
    assert model.score(X, Y_REG) > 0.9  # R^2 in the target's units
    # the raw target is far from the network's first outputs: without scaling, the same
    # epochs leave it poorly fitted (R^2 -16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        plain = mlpcore.Standardized(make()).fit(X, Y_REG)
    assert plain.score(X, Y_REG) < 0


def test_a_two_column_target_is_standardized_per_column():
    Y = np.column_stack([Y_REG, -Y_REG / 1000])
    model = mlpcore.Standardized(mlpcore.LinearRegression(), target=True).fit(X, Y)
    exact = mlpcore.LinearRegression().fit(X, Y)
    np.testing.assert_allclose(model.predict(X), exact.predict(X), rtol=1e-9, atol=1e-9)


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="classifier"):
        mlpcore.Standardized(mlpcore.LogisticRegression(), target=True).fit(X, Y_CLASS)
    with pytest.raises(ValueError, match="an mlpcore estimator"):
        mlpcore.Standardized(object()).fit(X, Y_CLASS)
    with pytest.raises(mlpcore.NotFittedError):
        mlpcore.Standardized(mlpcore.LogisticRegression()).predict(X)


def test_feature_names_follow_scikit_learn():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = mlpcore.Standardized(mlpcore.LogisticRegression()).fit(frame, Y_CLASS)
    assert model.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(model.predict(frame), model.predict(X))
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame[["d", "c", "b", "a"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(X)


def fitted_models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        classifier = mlpcore.Standardized(
            mlpcore.MLPClassifier((6,), max_epochs=5, random_state=0)).fit(X, Y_CLASS)
        regressor = mlpcore.Standardized(
            mlpcore.MLPRegressor((6,), max_epochs=5, random_state=0), target=True).fit(X, Y_REG)
    state = regressor.get_state()
    state["feature_names_in_"] = np.array(["a", "b", "c", "d"], dtype=object)
    return {"classifier": classifier, "regressor": regressor.set_state(state)}


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_a_saved_model_predicts_bitwise_the_same(tmp_path, kind):
    model = fitted_models()[kind]
    path = tmp_path / "m.npz"
    mlpcore.save(model, path)
    loaded = mlpcore.load(path)
    assert type(loaded) is mlpcore.Standardized
    assert repr(loaded) == repr(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # names, when the model has them
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert (getattr(loaded, "feature_names_in_", None) is None) == (kind == "classifier")
    for key in ("mean_", "var_", "scale_"):
        np.testing.assert_array_equal(getattr(loaded.scaler_, key), getattr(model.scaler_, key))
    assert loaded.estimator_.history_ == model.estimator_.history_


def test_a_standardizer_saves_and_loads(tmp_path):
    for params in ({}, {"with_mean": False}, {"with_std": False},
                   {"with_mean": False, "with_std": False}):
        scaler = Standardizer(**params).fit(X)
        mlpcore.save(scaler, tmp_path / "s.npz")
        loaded = mlpcore.load(tmp_path / "s.npz")
        assert loaded.get_params() == scaler.get_params()
        np.testing.assert_array_equal(loaded.transform(X), scaler.transform(X))


def rewrite(path, edit):
    """The model file at path with its metadata changed by edit(meta)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(np.lib.format.read_array(
        __import__("io").BytesIO(members["__meta__.npy"])).tobytes())
    edit(meta)
    buffer = __import__("io").BytesIO()
    np.lib.format.write_array(buffer, np.frombuffer(json.dumps(meta).encode(), np.uint8))
    members["__meta__.npy"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _set(keys, value):
    def edit(meta):
        node = meta
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    # a model inside the scaler's place, or a Standardized inside itself
    (_set(["state", "scaler_", "class"], "MLPClassifier"), "unknown model class"),
    (_set(["state", "estimator_", "class"], "Standardized"), "unknown model class"),
    # the estimator that was fitted is not the one the hyperparameters name
    (_set(["params", "estimator", "estimator", "class"], "LogisticRegression"),
     "LogisticRegression: unknown hyperparameters"),
    # the target's statistics but target=False
    (_set(["params", "target"], False), "target_scaler_ must be None"),
    (_set(["state", "n_features_in_"], 5), "of 5 strings"),
    (_set(["state", "scaler_", "state", "n_features_in_"], 3), "shape"),
    (_set(["state", "target_scaler_", "params", "with_std"], False), "var_ must be None"),
    (_set(["state", "estimator_", "state"], {}), "missing state entries"),
    (_set(["state", "scaler_"], [1, 2]), "expected the keys"),
    (_set(["params", "estimator"], {"estimator": {"class": "MLP", "params": {}}}),
     "not an mlpcore estimator"),
])
def test_a_tampered_file_is_refused(tmp_path, edit, message):
    path = tmp_path / "m.npz"
    mlpcore.save(fitted_models()["regressor"], path)
    rewrite(path, edit)
    with pytest.raises(ModelFileError, match=message):
        mlpcore.load(path)


def test_a_negative_scale_and_max_bytes_are_checked_inside(tmp_path):
    model = fitted_models()["classifier"]
    path = tmp_path / "m.npz"
    mlpcore.save(model, path)
    total = 4 * 3 * 8 + sum(a.nbytes for a in model.estimator_.get_state()["_weights"])
    with pytest.raises(ModelFileError, match="max_bytes"):
        mlpcore.load(path, max_bytes=total // 2)
    model.scaler_.scale_[1] = -1.0
    with pytest.raises(ValueError, match="scale_ must be positive"):
        mlpcore.save(model, path)


def test_set_state_checks_that_the_parts_agree():
    model = fitted_models()["classifier"]
    state = model.get_state()
    other = mlpcore.Standardized(mlpcore.LogisticRegression())
    with pytest.raises(mlpcore.persistence.InvalidStateError, match="estimator_ is a "
                       "MLPClassifier, but estimator is a LogisticRegression"):
        other.set_state(state)
    assert not hasattr(other, "n_features_in_")  # left as it was
    state["n_features_in_"] = 5
    with pytest.raises(ValueError, match="takes 4 features"):
        mlpcore.Standardized(mlpcore.MLPClassifier()).set_state(state)
    state["n_features_in_"], state["scaler_"] = 4, "a scaler"
    with pytest.raises(ValueError, match="must be a fitted Standardizer"):
        mlpcore.Standardized(mlpcore.MLPClassifier()).set_state(state)


def test_scikit_learn_sees_a_classifier_or_a_regressor():
    base = pytest.importorskip("sklearn.base")
    model_selection = pytest.importorskip("sklearn.model_selection")
    classifier = mlpcore.Standardized(mlpcore.LogisticRegression())
    regressor = mlpcore.Standardized(mlpcore.LinearRegression())
    assert base.is_classifier(classifier) and not base.is_regressor(classifier)
    assert base.is_regressor(regressor) and not base.is_classifier(regressor)
    # cross_val_score stratifies the folds of a classifier and scores with its score
    pipeline = pytest.importorskip("sklearn.pipeline").make_pipeline(
        Standardizer(), mlpcore.LogisticRegression())
    scores = model_selection.cross_val_score(classifier, X, Y_CLASS, cv=3)
    np.testing.assert_array_equal(scores, model_selection.cross_val_score(pipeline, X, Y_CLASS,
                                                                          cv=3))
    clone = base.clone(mlpcore.Standardized(mlpcore.MLPClassifier((7,)), target=False))
    assert clone.get_params()["estimator__hidden_layer_sizes"] == (7,)
