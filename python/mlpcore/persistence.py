"""Saving and loading models without pickle: a NumPy .npz archive whose arrays are
the model's arrays and whose ``__meta__`` entry is JSON (format version, mlpcore
version, class, hyperparameters and the model's other state).

Files are written atomically (a temporary file in the same folder, flushed and
fsynced, then renamed over the target), so a crash mid-write never leaves a broken
model in place. Loading validates the whole file before it builds the model.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile

import numpy as np

from ._core import _build_info

FORMAT = "mlpcore-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a readable mlpcore model (missing, truncated, corrupted,
    of another kind, or written by a newer format version)."""


def _model_classes():
    from . import estimators
    from .network import MLP

    return {cls.__name__: cls for cls in (
        estimators.Perceptron, estimators.LogisticRegression, estimators.LinearRegression,
        estimators.MLPClassifier, estimators.MLPRegressor, MLP)}


# -------------------------------------------------------------------------- encoding

def _encode(value, key, arrays):
    """A JSON description of value; arrays go to `arrays` under names derived from key."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            # Object arrays of strings (feature names, labels) are kept as strings.
            if not all(isinstance(v, str) for v in value.ravel()):
                raise TypeError(f"{key}: object arrays cannot be saved without pickle "
                                "(use labels of one type: numbers or strings)")
            arrays[key] = value.astype(str)
            return {"strings": key}
        arrays[key] = value
        return {"array": key}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, f"{key}.{i}", arrays) for i, v in enumerate(value)]
        return {"tuple" if isinstance(value, tuple) else "list": items}
    if isinstance(value, dict):  # arrays named after their keys: state._weights.0, ...
        return {"dict": [[_encode(k, f"{key}.key{i}", arrays),
                          _encode(v, f"{key}.{k if isinstance(k, str) else i}", arrays)]
                         for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, np.dtype):
        return {"dtype": value.str}
    if isinstance(value, (np.generic,)):
        return _encode(value.item(), key, arrays)
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and not np.isfinite(value):
            return {"float": repr(value)}
        return {"value": value}
    raise TypeError(f"{key}: cannot save a value of type {type(value).__name__}")


def _decode(spec, arrays, where):
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ModelFileError(f"{where}: malformed entry {spec!r}")
    (kind, body), = spec.items()
    if kind in ("array", "strings"):
        if body not in arrays:
            raise ModelFileError(f"{where}: array {body!r} is missing")
        return arrays[body].astype(object) if kind == "strings" else arrays[body]
    if kind in ("list", "tuple"):
        items = [_decode(s, arrays, where) for s in body]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {_decode(k, arrays, where): _decode(v, arrays, where) for k, v in body}
    if kind == "dtype":
        dtype = np.dtype(body)
        if dtype not in (np.float32, np.float64):
            raise ModelFileError(f"{where}: unexpected dtype {body!r}")
        return dtype
    if kind == "float":
        return float(body)
    if kind == "value":
        return body
    raise ModelFileError(f"{where}: unknown entry kind {kind!r}")


def _state_of(model):
    from .network import MLP

    if isinstance(model, MLP):
        return {}, {"weights": model.weights, "biases": model.biases,
                    "activations": model.activations}
    if not hasattr(model, "n_features_in_"):
        raise ValueError(f"cannot save an unfitted {type(model).__name__}: call fit first")
    params = model.get_params()
    state = {k: v for k, v in vars(model).items() if k not in params}
    return params, state


# -------------------------------------------------------------------------- save / load

def save(model, path) -> None:
    """Write a fitted estimator or an MLP to path (an .npz file), atomically."""
    classes = _model_classes()
    name = type(model).__name__
    if classes.get(name) is not type(model):
        raise TypeError(f"save takes an mlpcore estimator or MLP, got {name}")
    params, state = _state_of(model)
    arrays: dict = {}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlpcore_version": _build_info()["version"],
        "class": name,
        "params": _encode(params, "params", arrays),
        "state": _encode(state, "state", arrays),
    }
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mlpcore-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path):
    """The model saved at path, after checking the whole file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):  # an .npz is a zip archive; anything else is not a model
        raise ModelFileError(f"{path}: not a readable mlpcore model file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        raise ModelFileError(f"{path}: not a readable mlpcore model file ({exc})") from None
    if "__meta__" not in arrays:
        raise ModelFileError(f"{path}: not an mlpcore model file (no __meta__ entry)")
    try:
        meta = json.loads(str(arrays.pop("__meta__")))
    except ValueError as exc:
        raise ModelFileError(f"{path}: corrupted metadata ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an mlpcore model file")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: written in model format {version!r} by mlpcore "
            f"{meta.get('mlpcore_version')}; this mlpcore reads up to format {FORMAT_VERSION}")
    cls = _model_classes().get(meta.get("class"))
    if cls is None:
        raise ModelFileError(f"{path}: unknown model class {meta.get('class')!r}")
    params = _decode(meta.get("params"), arrays, path)
    state = _decode(meta.get("state"), arrays, path)
    if not isinstance(params, dict) or not isinstance(state, dict):
        raise ModelFileError(f"{path}: malformed parameters or state")
    return _build(cls, params, state, path)


def _build(cls, params, state, path):
    from .network import MLP

    if cls is MLP:
        try:
            return MLP.from_weights(state["weights"], state["biases"], state["activations"])
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelFileError(f"{path}: invalid network ({exc})") from None
    try:
        model = cls(**params)
    except TypeError as exc:
        raise ModelFileError(f"{path}: parameters do not fit {cls.__name__} ({exc})") from None
    _check_state(cls, state, path)
    for key, value in state.items():
        setattr(model, key, value)
    return model


def _check_state(cls, state, path):
    """The arrays a fitted model needs are there and fit together."""
    needed = ("n_features_in_", "_weights", "_biases", "_dtype")
    missing = [k for k in needed if k not in state]
    if missing:
        raise ModelFileError(f"{path}: missing model state {missing}")
    weights, biases, dtype = state["_weights"], state["_biases"], state["_dtype"]
    if not weights or len(weights) != len(biases):
        raise ModelFileError(f"{path}: weights and biases do not match")
    if weights[0].shape[0] != state["n_features_in_"]:
        raise ModelFileError(f"{path}: the first layer does not take n_features_in_ inputs")
    for k, (w, b) in enumerate(zip(weights, biases)):
        if w.ndim != 2 or b.shape != (w.shape[1],) or w.dtype != dtype or b.dtype != dtype:
            raise ModelFileError(f"{path}: layer {k} has inconsistent shapes or dtypes")
        if k and w.shape[0] != weights[k - 1].shape[1]:
            raise ModelFileError(f"{path}: layers {k - 1} and {k} do not chain")
