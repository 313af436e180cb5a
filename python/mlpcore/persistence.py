"""Saving and loading models without pickle.

A model file is a NumPy .npz archive (a zip of .npy members). Its ``__meta__``
member is UTF-8 JSON: the format and its version, the mlpcore version, the class,
the hyperparameters and the parts of the model's state that are not arrays; each
other member is one array of the state (``_weights.0``, ``_velocity.0.biases``,
``history_.loss``, ...). What each class saves is declared once, in ``_SCHEMAS``:
the state's entries, how each is stored, and the rules its values obey.

A model file may come from anyone, so ``load`` trusts nothing in it:

- It opens regular files only, so a FIFO or a device can never make it block.
- It reads the metadata first (at most MAX_META_BYTES of JSON, nested at most
  MAX_JSON_DEPTH deep), then only the arrays the schema derives from it. Their
  shapes follow from the hyperparameters, n_features_in_ and classes_; together
  they may hold at most ``max_bytes``, checked before any array is read. Each
  member's .npy header must declare exactly the expected shape and dtype before
  its data is decompressed, and no more bytes are decompressed than it declares
  (the sizes in the zip directory are not trusted). Object arrays are never read.
- An array stored in the other byte order (``>f8`` on a little-endian machine) is
  converted to native order; any dtype but the schema's is refused.
- Every value is checked against the schema: types and ranges, finite weights,
  classes_ sorted and unique, exactly the hyperparameters of the class, which the
  estimator must accept. The published attributes (coef_, intercept_, coefs_,
  intercepts_, loss_) are rebuilt from the checked state, never read from the file,
  so they always agree with the weights that training updates.
- Labels (classes_) are stored as JSON values with their dtype, so every label type
  round-trips exactly (strings with trailing NULs, integers of an object array,
  bytes, bools, floats); save refuses labels of any other type.

Any defect of the file raises ModelFileError, naming the file and what was wrong;
the system's own errors (a missing file, no permission) stay OSError.

``save`` writes atomically: a temporary file in the target's folder, flushed and
fsynced, then renamed over the target, so a crash never leaves a broken model in
place. It replaces regular files only: a symlink is followed (the file it points
to is replaced, the link is kept); a directory, FIFO, socket or device is refused
with ModelFileError. A new file gets the mode the umask gives, as with
``open(path, "w")``; an overwritten file keeps its permission bits (not setuid or
setgid). save checks the state against the same schema as load, so it never writes a
file that load refuses, and it refuses a model that a file would not reproduce: one
whose coef_ (or coefs_, ...) was replaced by hand, or that holds attributes the
schema does not know.

Format 2 replaced format 1, whose loader trusted the file's state; files of format 1
are refused with a message that says so (refit the model and save it again).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import reprlib
import secrets
import stat
import tokenize
import zipfile
import zlib

import numpy as np

from ._core import _build_info
from .kernels import ACTIVATIONS

FORMAT = "mlpcore-model"
FORMAT_VERSION = 2
MAX_META_BYTES = 4 << 20
MAX_JSON_DEPTH = 16
MAX_MODEL_BYTES = 1 << 30  # load's default bound on the bytes of all arrays together
_MAX_NPY_HEADER = 10_000  # numpy's own default bound on a .npy header
_INT64_MAX = 2**63 - 1


class ModelFileError(ValueError):
    """A path that is not a regular file, or a file that is not a readable mlpcore
    model (truncated, corrupted, of another kind, inconsistent, or written in another
    format version)."""


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80


def _show(value) -> str:
    """A short repr of a value read from a file, whatever its size."""
    return _REPR.repr(value)


def _model_classes():
    from . import estimators
    from .network import MLP

    return {cls.__name__: cls for cls in (
        estimators.Perceptron, estimators.LogisticRegression, estimators.LinearRegression,
        estimators.MLPClassifier, estimators.MLPRegressor, MLP)}


# -------------------------------------------------------------------------- the state schema
# Each field knows how one entry of the state is stored (in the JSON metadata or as
# archive members) and checks its value; shaped fields are checked against the
# network's layer sizes, which the unshaped ones determine.

class _Field:
    """One entry of a state. to_file gives its JSON for the metadata (and puts any
    arrays into members); members names the arrays a file must hold for it, given its
    JSON; from_file rebuilds the value from its JSON and those arrays; check raises
    ModelFileError unless the value obeys the entry's rules."""

    optional = False
    in_members = False  # stored as archive members, not in the metadata
    shaped = False  # checked against the layer sizes

    def to_file(self, name, value, members):
        return value

    def members(self, name, stored, sizes, dtype) -> dict:
        """{member: (shape, dtype)} of the arrays that hold this entry."""
        return {}

    def from_file(self, name, stored, arrays):
        return stored

    def check(self, name, value, state, sizes=None, dtype=None):
        raise NotImplementedError


class _Int(_Field):
    def __init__(self, low, high=_INT64_MAX):
        self.low, self.high = low, high

    def to_file(self, name, value, members):
        return int(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
                or not self.low <= value <= self.high):
            raise ModelFileError(
                f"{name} must be an integer from {self.low} to {self.high}, got {_show(value)}")


class _Flag(_Field):
    def to_file(self, name, value, members):
        return bool(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, (bool, np.bool_)):
            raise ModelFileError(f"{name} must be true or false, got {_show(value)}")


class _Dtype(_Field):
    """The dtype of every weight array: float32 or float64, stored by name."""

    NAMES = ("float32", "float64")

    def to_file(self, name, value, members):
        return value.name

    def from_file(self, name, stored, arrays):
        if stored not in self.NAMES:
            raise ModelFileError(f"{name} must be one of {self.NAMES}, got {_show(stored)}")
        return np.dtype(stored)

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, np.dtype) or value.name not in self.NAMES:
            raise ModelFileError(f"{name} must be the dtype float32 or float64, got {_show(value)}")


class _LayerSizes(_Field):
    def to_file(self, name, value, members):
        return [int(n) for n in value]

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, list) or len(value) < 2:
            raise ModelFileError(f"{name} must list at least 2 layer sizes, got {_show(value)}")
        for i, n in enumerate(value):
            _Int(1).check(f"{name}[{i}]", n, state)


class _Activations(_Field):
    def to_file(self, name, value, members):
        return list(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        n_layers = len(state["layer_sizes"]) - 1
        if (not isinstance(value, list) or len(value) != n_layers
                or not all(isinstance(a, str) and a in ACTIVATIONS for a in value)):
            raise ModelFileError(
                f"{name} must name {n_layers} activations among {', '.join(ACTIVATIONS)}; "
                f"got {_show(value)}")


class _FeatureNames(_Field):
    """feature_names_in_: an object array of n_features_in_ strings (absent when X had
    no column names); stored as a JSON list."""

    optional = True

    def to_file(self, name, value, members):
        return value.tolist()

    def from_file(self, name, stored, arrays):
        if not isinstance(stored, list) or not all(isinstance(s, str) for s in stored):
            raise ModelFileError(f"{name} must be a list of strings, got {_show(stored)}")
        return np.array(stored, dtype=object)

    def check(self, name, value, state, sizes=None, dtype=None):
        n = state["n_features_in_"]
        if (not isinstance(value, np.ndarray) or value.dtype != object or value.shape != (n,)
                or not all(isinstance(s, str) for s in value)):
            raise ModelFileError(f"{name} must be an object array of {n} strings, got "
                                 f"{_show(value)}")


# classes_ dtypes whose values JSON holds exactly, and the scalar types an object
# array of labels may hold, named "module.type".
_LABEL_DTYPE = re.compile(r"[<>|]?(b1|[iu][1248]|f[248]|[US][1-9][0-9]{0,5}|O)")
_LABEL_TYPES = {f"{t.__module__}.{t.__name__}": t for t in (
    bool, int, float, str, bytes, np.bool_, np.int8, np.int16, np.int32, np.int64,
    np.longlong, np.uint8, np.uint16, np.uint32, np.uint64, np.ulonglong, np.float16,
    np.float32, np.float64, np.str_, np.bytes_)}


def _label_json(value):
    """One label as a JSON value; bytes as latin-1 text (one character per byte)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value.item() if isinstance(value, np.generic) else value


def _label_from_json(item):
    """One label of an object array, from its [type, value] pair."""
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
            and item[0] in _LABEL_TYPES and isinstance(item[1], (bool, int, float, str))):
        raise ModelFileError(f"a label must be a [type, value] pair of a known type, got "
                             f"{_show(item)}")
    kind, value = _LABEL_TYPES[item[0]], item[1]
    if issubclass(kind, bytes):
        if not isinstance(value, str):
            raise ModelFileError(f"a bytes label must be stored as text, got {_show(item)}")
        value = value.encode("latin-1")
    return kind(value)


class _Labels(_Field):
    """classes_: sorted, unique labels; stored as {"dtype": ..., "values": [...]}, so
    that loading rebuilds the same array, element types included."""

    def __init__(self, count):
        self.count = count  # the number of classes, or None for 2 or more

    def to_file(self, name, value, members):
        dtype = value.dtype.str
        if not _LABEL_DTYPE.fullmatch(dtype):
            raise ModelFileError(f"{name}: labels of dtype {value.dtype} cannot be saved "
                                 "(use bools, integers, floats, strings or bytes)")
        if value.dtype.kind != "O":
            return {"dtype": dtype, "values": [_label_json(v) for v in value.tolist()]}
        pairs = []
        for v in value:
            kind = f"{type(v).__module__}.{type(v).__name__}"
            if kind not in _LABEL_TYPES:
                raise ModelFileError(f"{name}: a label of type {type(v).__name__} cannot be "
                                     "saved (use bools, integers, floats, strings or bytes)")
            pairs.append([kind, _label_json(v)])
        return {"dtype": dtype, "values": pairs}

    def from_file(self, name, stored, arrays):
        if not (isinstance(stored, dict) and stored.keys() == {"dtype", "values"}
                and isinstance(stored["dtype"], str) and _LABEL_DTYPE.fullmatch(stored["dtype"])
                and isinstance(stored["values"], list)):
            raise ModelFileError(f"{name} must be {{'dtype': a label dtype, 'values': a list}}, "
                                 f"got {_show(stored)}")
        dtype, values = np.dtype(stored["dtype"]), stored["values"]
        if dtype.itemsize * len(values) > MAX_META_BYTES:
            raise ModelFileError(f"{name}: {len(values)} labels of dtype {dtype} are too large")
        try:
            with np.errstate(all="ignore"):  # an overflow shows in the round trip below
                if dtype.kind == "O":
                    labels = np.empty(len(values), dtype=object)
                    labels[:] = [_label_from_json(v) for v in values]
                elif dtype.kind == "S":
                    labels = np.array([v.encode("latin-1") for v in values], dtype=dtype)
                else:
                    labels = np.array(values, dtype=dtype)
            same = json.dumps(self.to_file(name, labels, None)) == json.dumps(stored)
        except (TypeError, ValueError, OverflowError, AttributeError) as exc:
            raise ModelFileError(f"{name}: {_show(values)} are not labels of dtype {dtype} "
                                 f"({exc})") from None
        if not same:  # e.g. an int8 label of 300, or a string label ending in NUL
            raise ModelFileError(f"{name}: {_show(values)} do not survive as dtype {dtype}")
        return labels

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            raise ModelFileError(f"{name} must be a 1-D array, got {_show(value)}")
        wanted = "at least 2" if self.count is None else str(self.count)
        if len(value) < 2 or (self.count is not None and len(value) != self.count):
            raise ModelFileError(f"{name} must hold {wanted} classes, got {len(value)}")
        try:
            increasing = bool(np.all(value[1:] > value[:-1]))
        except TypeError:
            increasing = False
        if not increasing:
            raise ModelFileError(f"{name} must be sorted and unique, got {_show(value.tolist())}")
        if not all(np.isfinite(v) for v in value if isinstance(v, (float, np.floating))):
            raise ModelFileError(f"{name} must be finite, got {_show(value.tolist())}")


class _History(_Field):
    """history_: per-epoch lists; stored as {key: length} in the metadata and one
    1-D array per key."""

    in_members = True

    def __init__(self, required, optional=()):
        self.kinds = {key: kind for key, kind in (*required, *optional)}
        self.required = [key for key, _ in required]

    def to_file(self, name, value, members):
        for key, values in value.items():
            members[f"{name}.{key}"] = np.asarray(values, dtype=self._dtype(key))
        return {key: len(values) for key, values in value.items()}

    def _dtype(self, key):
        return np.dtype(np.int64 if self.kinds[key] is int else np.float64)

    def _check_keys(self, name, value):
        if not isinstance(value, dict):
            raise ModelFileError(f"{name} must be a dict, got {_show(value)}")
        unknown = [k for k in value if k not in self.kinds]
        missing = [k for k in self.required if k not in value]
        if unknown or missing:
            raise ModelFileError(f"{name}: unknown keys {_show(unknown)}, missing keys "
                                 f"{missing}; expected {sorted(self.kinds)}")

    def members(self, name, stored, sizes, dtype):
        self._check_keys(name, stored)
        for key, length in stored.items():
            _Int(0).check(f"{name}[{key!r}] length", length, None)
        return {f"{name}.{key}": ((length,), self._dtype(key)) for key, length in stored.items()}

    def from_file(self, name, stored, arrays):
        return {key: arrays[f"{name}.{key}"].tolist() for key in stored}

    def check(self, name, value, state, sizes=None, dtype=None):
        self._check_keys(name, value)
        for key, values in value.items():
            kind = self.kinds[key]
            if not isinstance(values, list) or not all(
                    isinstance(v, kind) and not isinstance(v, bool) for v in values):
                raise ModelFileError(f"{name}[{key!r}] must be a list of {kind.__name__}s, "
                                     f"got {_show(values)}")


def _check_array(name, value, shape, dtype):
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype != dtype:
        found = (f"{value.dtype} array of shape {value.shape}" if isinstance(value, np.ndarray)
                 else _show(value))
        raise ModelFileError(f"{name} must be a {dtype} array of shape {shape}, got {found}")
    if not np.isfinite(value).all():
        raise ModelFileError(f"{name} holds NaN or infinity")


def _layer_shapes(part, sizes):
    """The shape of each layer's weights (n_in, n_out) or biases (n_out,)."""
    if part == "weights":
        return list(zip(sizes[:-1], sizes[1:]))
    return [(n,) for n in sizes[1:]]


class _Layers(_Field):
    """One array per layer (its weights or its biases), stored as members name.k."""

    in_members = shaped = True

    def __init__(self, part):
        self.part = part

    def to_file(self, name, value, members):
        for k, array in enumerate(value):
            members[f"{name}.{k}"] = array
        return len(value)

    def members(self, name, stored, sizes, dtype):
        _check_layer_count(name, stored, sizes)
        return {f"{name}.{k}": (shape, dtype)
                for k, shape in enumerate(_layer_shapes(self.part, sizes))}

    def from_file(self, name, stored, arrays):
        return [arrays[f"{name}.{k}"] for k in range(stored)]

    def check(self, name, value, state, sizes=None, dtype=None):
        _check_layer_list(name, value, sizes)
        for k, (array, shape) in enumerate(zip(value, _layer_shapes(self.part, sizes))):
            _check_array(f"{name}[{k}]", array, shape, dtype)


class _LayerPairs(_Field):
    """A (weights, biases) pair per layer, such as the velocities or the averages;
    stored as members name.k.weights and name.k.biases."""

    in_members = shaped = True
    PARTS = ("weights", "biases")

    def to_file(self, name, value, members):
        for k, pair in enumerate(value):
            for part, array in zip(self.PARTS, pair):
                members[f"{name}.{k}.{part}"] = array
        return len(value)

    def members(self, name, stored, sizes, dtype):
        _check_layer_count(name, stored, sizes)
        return {f"{name}.{k}.{part}": (shape, dtype) for part in self.PARTS
                for k, shape in enumerate(_layer_shapes(part, sizes))}

    def from_file(self, name, stored, arrays):
        return [tuple(arrays[f"{name}.{k}.{part}"] for part in self.PARTS)
                for k in range(stored)]

    def check(self, name, value, state, sizes=None, dtype=None):
        _check_layer_list(name, value, sizes)
        for k, pair in enumerate(value):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ModelFileError(f"{name}[{k}] must be a (weights, biases) pair")
            for part, array in zip(self.PARTS, pair):
                shape = _layer_shapes(part, sizes)[k]
                _check_array(f"{name}[{k}].{part}", array, shape, dtype)


def _check_layer_count(name, count, sizes):
    if type(count) is not int or count != len(sizes) - 1:
        raise ModelFileError(f"{name} must have {len(sizes) - 1} layers, got {_show(count)}")


def _check_layer_list(name, value, sizes):
    if not isinstance(value, list):
        raise ModelFileError(f"{name} must be a list with one entry per layer, got "
                             f"{_show(value)}")
    _check_layer_count(name, len(value), sizes)


_HISTORY = (("loss", float), ("learning_rate", float), ("grad_norm", float),
            ("seconds", float))
_VALIDATION = (("val_loss", float), ("val_score", float))

# The saved state of each class, in the order it is checked: the entries that
# determine the layer sizes come before those that depend on them.
_ESTIMATOR = {
    "n_features_in_": _Int(1),
    "feature_names_in_": _FeatureNames(),
    "_dtype": _Dtype(),
    "n_iter_": _Int(0),
    "t_": _Int(0),
    "converged_": _Flag(),
    "_step": _Int(0),
    "_average_count": _Int(0),
    "_epochs_done": _Int(0),
    "_rng_state": _Int(0, 2**64 - 1),
    "history_": _History(_HISTORY, _VALIDATION),
    "_weights": _Layers("weights"),
    "_biases": _Layers("biases"),
    "_velocity": _LayerPairs(),
    "_average": _LayerPairs(),
}
_CLASSIFIER = {**_ESTIMATOR, "classes_": _Labels(count=None)}
_PERCEPTRON = {**_ESTIMATOR, "classes_": _Labels(count=2),
               "history_": _History((*_HISTORY, ("mistakes", int)), _VALIDATION)}
_REGRESSOR = {**_ESTIMATOR, "_y_ndim": _Int(1, 2), "_n_targets": _Int(1)}
_NETWORK = {
    "layer_sizes": _LayerSizes(),
    "activations": _Activations(),
    "dtype": _Dtype(),
    "weights": _Layers("weights"),
    "biases": _Layers("biases"),
}
_SCHEMAS = {
    "Perceptron": _PERCEPTRON,
    "LogisticRegression": _CLASSIFIER,
    "MLPClassifier": _CLASSIFIER,
    "LinearRegression": _REGRESSOR,
    "MLPRegressor": _REGRESSOR,
    "MLP": _NETWORK,
}
# Attributes an estimator derives from its state (_publish), never saved.
_PUBLISHED = ("coef_", "intercept_", "coefs_", "intercepts_", "loss_")


def _layer_sizes(model, state):
    """The network's layer sizes and dtype: an MLP's own, or an estimator's from its
    hyperparameters, n_features_in_ and its outputs."""
    if model is None:
        return state["layer_sizes"], state["dtype"]
    if "classes_" in state:
        outputs = 1 if type(model).__name__ == "Perceptron" else len(state["classes_"])
    else:
        outputs = state["_n_targets"]
        if state["_y_ndim"] == 1 and outputs != 1:
            raise ModelFileError(f"a 1-D target has one output, but _n_targets is {outputs}")
    return [state["n_features_in_"], *model._hidden_sizes(), outputs], state["_dtype"]


def _check_names(schema, names):
    unknown = [n for n in names if n not in schema]
    missing = [n for n, field in schema.items() if n not in names and not field.optional]
    if unknown:
        raise ModelFileError(f"unknown state entries {_show(unknown)}")
    if missing:
        raise ModelFileError(f"missing state entries {missing}")


def _check_state(schema, model, state):
    """Checks every entry of state against the schema."""
    _check_names(schema, state)
    for name, field in schema.items():
        if name in state and not field.shaped:
            field.check(name, state[name], state)
    sizes, dtype = _layer_sizes(model, state)
    for name, field in schema.items():
        if field.shaped:
            field.check(name, state[name], state, sizes, dtype)


# -------------------------------------------------------------------------- hyperparameters

def _param_to_json(name, value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot save the hyperparameter {name}={value}: it is not finite")
        return value
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [_param_to_json(name, v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_param_to_json(name, k), _param_to_json(name, v)]
                         for k, v in value.items()]}
    raise TypeError(f"cannot save the hyperparameter {name} of type {type(value).__name__} "
                    "(only None, numbers, strings, and tuples, lists and dicts of them)")


def _param_from_json(name, stored):
    if stored is None or isinstance(stored, (bool, int, float, str)):
        return stored
    if isinstance(stored, dict) and len(stored) == 1:
        (kind, items), = stored.items()
        if kind in ("tuple", "list") and isinstance(items, list):
            values = [_param_from_json(name, v) for v in items]
            return tuple(values) if kind == "tuple" else values
        if kind == "dict" and isinstance(items, list) and all(
                isinstance(pair, list) and len(pair) == 2 for pair in items):
            keys = [_param_from_json(name, k) for k, _ in items]
            if not all(k is None or isinstance(k, (bool, int, float, str)) for k in keys):
                raise ModelFileError(f"hyperparameter {name}: dict keys must be numbers or "
                                     f"strings, got {_show(keys)}")
            if len(set(keys)) != len(keys):
                raise ModelFileError(f"hyperparameter {name}: a dict key appears twice")
            return dict(zip(keys, (_param_from_json(name, v) for _, v in items)))
    raise ModelFileError(f"hyperparameter {name}: malformed value {_show(stored)}")


def _params_of(model):
    return model.get_params(deep=False) if hasattr(model, "get_params") else {}


def _new_model(cls, params):
    """An unfitted estimator with these hyperparameters, which it accepts; None for an
    MLP, which has none."""
    if not hasattr(cls, "get_params"):
        if params:
            raise ModelFileError(f"an MLP has no hyperparameters, got {_show(sorted(params))}")
        return None
    expected = set(cls().get_params(deep=False))
    unknown, missing = sorted(set(params) - expected), sorted(expected - set(params))
    if unknown or missing:
        raise ModelFileError(f"{cls.__name__}: unknown hyperparameters {_show(unknown)}, "
                             f"missing hyperparameters {missing}")
    model = cls(**params)
    try:
        model._validate_params()
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{cls.__name__} refuses its hyperparameters: {exc}") from None
    return model


# -------------------------------------------------------------------------- the state

def _state_of(model) -> dict:
    """The model's state: exactly the entries of its class's schema."""
    name = type(model).__name__
    schema = _SCHEMAS[name]
    if name != "MLP" and not hasattr(model, "n_features_in_"):
        raise ValueError(f"cannot save an unfitted {name}: call fit first")
    known = {*schema, *_params_of(model), *_PUBLISHED}
    unknown = sorted(k for k in vars(model) if k not in known)
    if unknown:  # state that a file would silently drop
        raise ValueError(f"cannot save this {name}: its attributes {unknown} are not part of "
                         "the state a model file holds")
    return {key: getattr(model, key) for key in schema if hasattr(model, key)}


def _model_from_state(cls, params, state):
    """The model of class cls with these hyperparameters and this state, all checked;
    its published attributes are derived from the state."""
    model = _new_model(cls, params)
    _check_state(_SCHEMAS[cls.__name__], model, state)
    if model is None:
        return cls.from_weights(state["weights"], state["biases"], state["activations"])
    for key, value in state.items():
        setattr(model, key, value)
    if hasattr(model, "class_weight"):
        try:  # the estimator's own check of class_weight, which needs classes_
            model._class_weights(np.zeros(0, dtype=np.int64))
        except (ValueError, TypeError) as exc:
            raise ModelFileError(f"{cls.__name__} refuses its class_weight: {exc}") from None
    model._publish()
    return model


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


# -------------------------------------------------------------------------- reading archives

class _Prefix:
    """At most `left` bytes of a stream: numpy reads a .npy header of any declared
    length before it checks that length."""

    def __init__(self, stream, left):
        self.stream, self.left = stream, left

    def read(self, n=-1):
        data = self.stream.read(self.left if n < 0 else min(n, self.left))
        self.left -= len(data)
        return data


# zip flags of plain members: deflate options, a data descriptor, UTF-8 names
_PLAIN_FLAGS = 0x080E


class _Archive:
    """The .npy members of a zip archive, each read only after its header is checked."""

    def __init__(self, file):
        self.zip = zipfile.ZipFile(file)
        infos = self.zip.infolist()
        self.infos = {info.filename: info for info in infos}
        if len(self.infos) != len(infos):
            raise ModelFileError("the archive holds two members of the same name")

    def names(self):
        return set(self.infos)

    def _open(self, name):
        info = self.infos.get(name + ".npy")
        if info is None:
            raise ModelFileError(f"the array {name} is missing")
        if info.flag_bits & ~_PLAIN_FLAGS or info.compress_type not in (zipfile.ZIP_STORED,
                                                                        zipfile.ZIP_DEFLATED):
            raise ModelFileError(f"the array {name} is encrypted, patched or compressed in a "
                                 "way model files are not")
        return self.zip.open(info)

    def header(self, name, stream=None):
        """The (shape, fortran_order, dtype) that member name declares."""
        if stream is None:
            with self._open(name) as stream:
                return self.header(name, stream)
        prefix = _Prefix(stream, 12 + _MAX_NPY_HEADER)  # magic, version, length, header
        fmt = np.lib.format
        try:
            version = fmt.read_magic(prefix)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f".npy format version {version} is not read")
            read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            return read(prefix, max_header_size=_MAX_NPY_HEADER)
        except (ValueError, TypeError, SyntaxError, OverflowError, RecursionError,
                tokenize.TokenError) as exc:  # what numpy's header parser lets through
            raise ModelFileError(f"the array {name} has a malformed .npy header "
                                 f"({_show(str(exc))})") from None

    def read(self, name, dtype, shape):
        """Member name as a native, writable, C-ordered array of dtype, once its header
        declares dtype (in either byte order) and shape (a tuple, or an int: the
        largest length of a 1-D array)."""
        with self._open(name) as stream:
            found, fortran, stored = self.header(name, stream)
            if isinstance(shape, int):
                fits = len(found) == 1 and 0 <= found[0] <= shape
            else:
                fits = found == shape
            if not fits or stored not in (dtype, dtype.newbyteorder()):
                wanted = f"at most {shape} elements" if isinstance(shape, int) else f"shape {shape}"
                raise ModelFileError(f"the array {name} is stored as {_show(stored)} of shape "
                                     f"{_show(found)}; expected {dtype} of {wanted}")
            nbytes = math.prod(found) * dtype.itemsize
            data = stream.read(nbytes)
            if len(data) != nbytes:
                raise ModelFileError(f"the array {name} is truncated")
            if stream.read(1):
                raise ModelFileError(f"the array {name} holds more data than its header "
                                     "declares")
        array = np.frombuffer(data, stored).reshape(found, order="F" if fortran else "C")
        return np.array(array, dtype=dtype, order="C")


def _parse_json(data: bytes):
    def unique_keys(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a key appears twice in {_show(keys)}")
        return dict(pairs)

    def refuse(constant):
        raise ValueError(f"{constant} is not a JSON number")

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=unique_keys,
                           parse_constant=refuse)
    except ValueError as exc:
        raise ModelFileError(f"corrupted metadata ({_show(str(exc))})") from None
    except RecursionError:  # json's parser recurses; it stops at Python's recursion limit
        too_deep = True
    else:
        too_deep = _depth(value) > MAX_JSON_DEPTH
    if too_deep:
        raise ModelFileError(f"the metadata is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict)
                                                   else item))
    return deepest


_META_KEYS = {"format", "format_version", "mlpcore_version", "class", "params", "state"}


def _read_meta(archive):
    if "__meta__.npy" not in archive.names():
        raise ModelFileError("not an mlpcore model file (no __meta__ entry)")
    if archive.header("__meta__")[2].kind == "U":  # format 1 kept its metadata as text
        raise ModelFileError(f"written in model format 1 by an older mlpcore; this mlpcore "
                             f"reads format {FORMAT_VERSION} only: refit the model and save it")
    meta = _parse_json(archive.read("__meta__", np.dtype(np.uint8), MAX_META_BYTES).tobytes())
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError("not an mlpcore model file")
    version = meta.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ModelFileError(
            f"written in model format {_show(version)} by mlpcore "
            f"{_show(meta.get('mlpcore_version'))}; this mlpcore reads format {FORMAT_VERSION}")
    if meta.keys() != _META_KEYS:
        raise ModelFileError(f"the metadata holds {_show(sorted(meta))}; expected "
                             f"{sorted(_META_KEYS)}")
    if not isinstance(meta["mlpcore_version"], str):
        raise ModelFileError(f"malformed mlpcore_version {_show(meta['mlpcore_version'])}")
    if not isinstance(meta["class"], str) or meta["class"] not in _SCHEMAS:
        raise ModelFileError(f"unknown model class {_show(meta['class'])}")
    if not isinstance(meta["params"], dict) or not isinstance(meta["state"], dict):
        raise ModelFileError("the hyperparameters and the state must be JSON objects")
    return meta


def _read_model(file, max_bytes):
    archive = _Archive(file)
    meta = _read_meta(archive)
    cls = _model_classes()[meta["class"]]
    schema = _SCHEMAS[cls.__name__]
    params = {name: _param_from_json(name, v) for name, v in meta["params"].items()}
    model = _new_model(cls, params)
    stored = meta["state"]
    _check_names(schema, stored)
    # The metadata's own entries first: they give the shapes of the arrays.
    state = {}
    for name, field in schema.items():
        if name in stored and not field.in_members:
            state[name] = field.from_file(name, stored[name], None)
            field.check(name, state[name], state)
    sizes, dtype = _layer_sizes(model, state)
    specs = {}
    for name, field in schema.items():
        if field.in_members:
            specs.update(field.members(name, stored[name], sizes, dtype))
    total = sum(math.prod(shape) * dt.itemsize for shape, dt in specs.values())
    if total > max_bytes:
        raise ModelFileError(f"its arrays take {total} bytes, more than max_bytes={max_bytes} "
                             "(pass a larger max_bytes to load a model this large)")
    unexpected = archive.names() - {f"{m}.npy" for m in (*specs, "__meta__")}
    if unexpected:
        raise ModelFileError(f"unexpected archive members {_show(sorted(unexpected))}")
    arrays = {m: archive.read(m, dt, shape) for m, (shape, dt) in specs.items()}
    for name, field in schema.items():
        if field.in_members:
            state[name] = field.from_file(name, stored[name], arrays)
    return _model_from_state(cls, params, state)


# -------------------------------------------------------------------------- files

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _refuse_special(path, mode):
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _KINDS if test(mode)), "not a plain file")
        raise ModelFileError(f"{path}: is {kind}, not a regular file")


def _open_regular(path):
    _refuse_special(path, os.stat(path).st_mode)  # before open, which fails on a socket
    # O_NONBLOCK: opening a FIFO does not wait for a writer, so that fstat refuses a
    # path that became one after the stat.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _refuse_special(path, os.fstat(fd).st_mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _replace_file(path, write):
    """Runs write(file) on a new file that then replaces path atomically."""
    target = os.path.realpath(os.fsdecode(path))  # a symlink is followed: its target is replaced
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    else:
        _refuse_special(path, mode)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:  # 0o666 less the umask, as open(path, "w") gives a new file
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as exc:  # the error of the path asked for, not of the temporary file
        raise OSError(exc.errno, exc.strerror, os.fsdecode(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(tmp, stat.S_IMODE(mode) & 0o777)  # the permissions, not setuid
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -------------------------------------------------------------------------- save / load

def save(model, path) -> None:
    """Write a fitted estimator or an MLP to path (an .npz file), atomically.

    Only a regular file (or a symlink to one) is replaced; see the module's notes."""
    cls = type(model)
    if _model_classes().get(cls.__name__) is not cls:
        raise TypeError(f"save takes an mlpcore estimator or MLP, got {cls.__name__}")
    params, state = _params_of(model), _state_of(model)
    try:
        rebuilt = _model_from_state(cls, params, state)
        members = {}
        stored = {key: _SCHEMAS[cls.__name__][key].to_file(key, value, members)
                  for key, value in state.items()}
    except ModelFileError as exc:
        raise ValueError(f"cannot save this {cls.__name__}: {exc}") from None
    changed = [key for key in _PUBLISHED if not _same(getattr(model, key, None),
                                                       getattr(rebuilt, key, None))]
    if changed:
        raise ValueError(f"cannot save this {cls.__name__}: {', '.join(changed)} no longer "
                         "match the weights it trains and predicts with; a model file holds "
                         "those weights (set them through fit, or build an MLP)")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlpcore_version": _build_info()["version"],
        "class": cls.__name__,
        "params": {key: _param_to_json(key, value) for key, value in params.items()},
        "state": stored,
    }
    text = json.dumps(meta, allow_nan=False).encode("ascii")
    if len(text) > MAX_META_BYTES:
        raise ValueError(f"cannot save this {cls.__name__}: its metadata takes {len(text)} "
                         f"bytes, more than {MAX_META_BYTES}")
    _replace_file(path, lambda f: np.savez(f, __meta__=np.frombuffer(text, np.uint8),
                                           **members))


def load(path, *, max_bytes=MAX_MODEL_BYTES):
    """The model saved at path, after checking the whole file (see the module's notes).

    max_bytes bounds the bytes of all its arrays together: raise it to load a model
    larger than 1 GiB from a file you trust."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
        raise ValueError(f"max_bytes must be an integer >= 0, got {max_bytes!r}")
    path = os.fspath(path)
    with _open_regular(path) as file:
        try:
            return _read_model(file, max_bytes)
        except ModelFileError as exc:
            raise ModelFileError(f"{path}: {exc}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            # zipfile's errors for a corrupt archive, or one of a later zip version
            raise ModelFileError(f"{path}: not a readable mlpcore model file ({exc})") from None
