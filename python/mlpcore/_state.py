"""An estimator's state, behind ``get_state()`` / ``set_state(state)``: the fields each
class declares in its ``_state_schema``, how each is stored in a model file (in the
JSON metadata or as arrays) and the rules its values obey.

The weights, biases, velocities and averages are shaped by the layer sizes, which the
other entries and the hyperparameters give (``_state_shapes``); set_state checks every
entry, so a state may come from anyone (a model file, another process).
"""

from __future__ import annotations

import json
import re
import reprlib

import numpy as np

from ._param_validation import INT64_MAX
from .kernels import ACTIVATIONS

# The largest metadata a model file may hold; labels are part of it.
MAX_META_BYTES = 4 << 20


class InvalidStateError(ValueError):
    """A state that breaks its schema: a missing or unknown entry, or a value of the
    wrong type, shape or range."""


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80


def show(value) -> str:
    """A short repr of a value read from a file, whatever its size."""
    return _REPR.repr(value)


# -------------------------------------------------------------------------- the state schema
# Each field knows how one entry of the state is stored (in the JSON metadata or as
# archive members) and checks its value; shaped fields are checked against the
# network's layer sizes, which the unshaped ones determine.

class Field:
    """One entry of a state. to_file gives its JSON for the metadata (and puts any
    arrays into members); members names the arrays a file must hold for it, given its
    JSON; from_file rebuilds the value from its JSON and those arrays; check raises
    InvalidStateError unless the value obeys the entry's rules."""

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


class Int(Field):
    def __init__(self, low, high=INT64_MAX, *, optional=False):
        self.low, self.high, self.optional = low, high, optional

    def to_file(self, name, value, members):
        return int(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
                or not self.low <= value <= self.high):
            raise InvalidStateError(
                f"{name} must be an integer from {self.low} to {self.high}, got {show(value)}")


class Count(Field):
    """A number of samples: an integer, or the float sum of sample weights; >= 0."""

    def to_file(self, name, value, members):
        return int(value) if isinstance(value, (int, np.integer)) else float(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                          np.floating))
                or not (np.isfinite(value) and 0 <= value <= INT64_MAX)):
            raise InvalidStateError(f"{name} must be a finite number from 0 to 2**63 - 1, got "
                                    f"{show(value)}")


class Flag(Field):
    def to_file(self, name, value, members):
        return bool(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, (bool, np.bool_)):
            raise InvalidStateError(f"{name} must be true or false, got {show(value)}")


class Dtype(Field):
    """The dtype of every weight array: float32 or float64, stored by name."""

    NAMES = ("float32", "float64")

    def to_file(self, name, value, members):
        return value.name

    def from_file(self, name, stored, arrays):
        if stored not in self.NAMES:
            raise InvalidStateError(f"{name} must be one of {self.NAMES}, got {show(stored)}")
        return np.dtype(stored)

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, np.dtype) or value.name not in self.NAMES:
            raise InvalidStateError(
                f"{name} must be the dtype float32 or float64, got {show(value)}")


class LayerSizes(Field):
    def to_file(self, name, value, members):
        return [int(n) for n in value]

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, list) or len(value) < 2:
            raise InvalidStateError(f"{name} must list at least 2 layer sizes, got {show(value)}")
        for i, n in enumerate(value):
            Int(1).check(f"{name}[{i}]", n, state)


class Activations(Field):
    def to_file(self, name, value, members):
        return list(value)

    def check(self, name, value, state, sizes=None, dtype=None):
        n_layers = len(state["layer_sizes"]) - 1
        if (not isinstance(value, list) or len(value) != n_layers
                or not all(isinstance(a, str) and a in ACTIVATIONS for a in value)):
            raise InvalidStateError(
                f"{name} must name {n_layers} activations among {', '.join(ACTIVATIONS)}; "
                f"got {show(value)}")


class FeatureNames(Field):
    """feature_names_in_: an object array of n_features_in_ strings (absent when X had
    no column names); stored as a JSON list."""

    optional = True

    def to_file(self, name, value, members):
        return value.tolist()

    def from_file(self, name, stored, arrays):
        if not isinstance(stored, list) or not all(isinstance(s, str) for s in stored):
            raise InvalidStateError(f"{name} must be a list of strings, got {show(stored)}")
        return np.array(stored, dtype=object)

    def check(self, name, value, state, sizes=None, dtype=None):
        n = state["n_features_in_"]
        if (not isinstance(value, np.ndarray) or value.dtype != object or value.shape != (n,)
                or not all(isinstance(s, str) for s in value)):
            raise InvalidStateError(f"{name} must be an object array of {n} strings, got "
                                    f"{show(value)}")


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
        raise InvalidStateError(f"a label must be a [type, value] pair of a known type, got "
                                f"{show(item)}")
    kind, value = _LABEL_TYPES[item[0]], item[1]
    if issubclass(kind, bytes):
        if not isinstance(value, str):
            raise InvalidStateError(f"a bytes label must be stored as text, got {show(item)}")
        value = value.encode("latin-1")
    return kind(value)


class Labels(Field):
    """classes_: sorted, unique labels; stored as {"dtype": ..., "values": [...]}, so
    that loading rebuilds the same array, element types included."""

    def __init__(self, count):
        self.count = count  # the number of classes, or None for 2 or more

    def to_file(self, name, value, members):
        dtype = value.dtype.str
        if not _LABEL_DTYPE.fullmatch(dtype):
            raise InvalidStateError(f"{name}: labels of dtype {value.dtype} cannot be saved "
                                    "(use bools, integers, floats, strings or bytes)")
        if value.dtype.kind != "O":
            return {"dtype": dtype, "values": [_label_json(v) for v in value.tolist()]}
        pairs = []
        for v in value:
            kind = f"{type(v).__module__}.{type(v).__name__}"
            if kind not in _LABEL_TYPES:
                raise InvalidStateError(f"{name}: a label of type {type(v).__name__} cannot be "
                                        "saved (use bools, integers, floats, strings or bytes)")
            pairs.append([kind, _label_json(v)])
        return {"dtype": dtype, "values": pairs}

    def from_file(self, name, stored, arrays):
        if not (isinstance(stored, dict) and stored.keys() == {"dtype", "values"}
                and isinstance(stored["dtype"], str) and _LABEL_DTYPE.fullmatch(stored["dtype"])
                and isinstance(stored["values"], list)):
            raise InvalidStateError(f"{name} must be {{'dtype': a label dtype, 'values': a list}}, "
                                    f"got {show(stored)}")
        dtype, values = np.dtype(stored["dtype"]), stored["values"]
        if dtype.itemsize * len(values) > MAX_META_BYTES:
            raise InvalidStateError(f"{name}: {len(values)} labels of dtype {dtype} are too large")
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
            raise InvalidStateError(f"{name}: {show(values)} are not labels of dtype {dtype} "
                                    f"({exc})") from None
        if not same:  # e.g. an int8 label of 300, or a string label ending in NUL
            raise InvalidStateError(f"{name}: {show(values)} do not survive as dtype {dtype}")
        return labels

    def check(self, name, value, state, sizes=None, dtype=None):
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            raise InvalidStateError(f"{name} must be a 1-D array, got {show(value)}")
        wanted = "at least 2" if self.count is None else str(self.count)
        if len(value) < 2 or (self.count is not None and len(value) != self.count):
            raise InvalidStateError(f"{name} must hold {wanted} classes, got {len(value)}")
        try:
            increasing = bool(np.all(value[1:] > value[:-1]))
        except TypeError:
            increasing = False
        if not increasing:
            raise InvalidStateError(f"{name} must be sorted and unique, got {show(value.tolist())}")
        if not all(np.isfinite(v) for v in value if isinstance(v, (float, np.floating))):
            raise InvalidStateError(f"{name} must be finite, got {show(value.tolist())}")


class History(Field):
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
            raise InvalidStateError(f"{name} must be a dict, got {show(value)}")
        unknown = [k for k in value if k not in self.kinds]
        missing = [k for k in self.required if k not in value]
        if unknown or missing:
            raise InvalidStateError(f"{name}: unknown keys {show(unknown)}, missing keys "
                                    f"{missing}; expected {sorted(self.kinds)}")

    def members(self, name, stored, sizes, dtype):
        self._check_keys(name, stored)
        for key, length in stored.items():
            Int(0).check(f"{name}[{key!r}] length", length, None)
        return {f"{name}.{key}": ((length,), self._dtype(key)) for key, length in stored.items()}

    def from_file(self, name, stored, arrays):
        return {key: arrays[f"{name}.{key}"].tolist() for key in stored}

    def check(self, name, value, state, sizes=None, dtype=None):
        self._check_keys(name, value)
        for key, values in value.items():
            kind = self.kinds[key]
            if not isinstance(values, list) or not all(
                    isinstance(v, kind) and not isinstance(v, bool) for v in values):
                raise InvalidStateError(f"{name}[{key!r}] must be a list of {kind.__name__}s, "
                                        f"got {show(values)}")


def _check_array(name, value, shape, dtype):
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype != dtype:
        found = (f"{value.dtype} array of shape {value.shape}" if isinstance(value, np.ndarray)
                 else show(value))
        raise InvalidStateError(f"{name} must be a {dtype} array of shape {shape}, got {found}")
    if not np.isfinite(value).all():
        raise InvalidStateError(f"{name} holds NaN or infinity")


def _layer_shapes(part, sizes):
    """The shape of each layer's weights (n_in, n_out) or biases (n_out,)."""
    if part == "weights":
        return list(zip(sizes[:-1], sizes[1:]))
    return [(n,) for n in sizes[1:]]


class Vector(Field):
    """A float64 array of one value per feature (the sizes' first entry), or None;
    stored as the member name (the metadata holds true, or null for None). positive:
    every value must be > 0 (a scale)."""

    in_members = shaped = True

    def __init__(self, *, positive=False):
        self.positive = positive

    def to_file(self, name, value, members):
        if value is None:
            return None
        members[name] = value
        return True

    def members(self, name, stored, sizes, dtype):
        if stored is None:
            return {}
        if stored is not True:
            raise InvalidStateError(f"{name} must be stored as true or null, got {show(stored)}")
        return {name: ((sizes[0],), np.dtype(np.float64))}

    def from_file(self, name, stored, arrays):
        return None if stored is None else arrays[name]

    def check(self, name, value, state, sizes=None, dtype=None):
        if value is None:
            return
        _check_array(name, value, (sizes[0],), np.dtype(np.float64))
        if self.positive and not np.all(value > 0):
            raise InvalidStateError(f"{name} must be positive, got {show(value.tolist())}")


class Layers(Field):
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


class LayerPairs(Field):
    """A (weights, biases) pair per layer, such as the velocities or the averages;
    stored as members name.k.weights and name.k.biases."""

    in_members = shaped = True
    PARTS = ("weights", "biases")

    def __init__(self, *, optional=False):
        self.optional = optional

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
                raise InvalidStateError(f"{name}[{k}] must be a (weights, biases) pair")
            for part, array in zip(self.PARTS, pair):
                shape = _layer_shapes(part, sizes)[k]
                _check_array(f"{name}[{k}].{part}", array, shape, dtype)


def _check_layer_count(name, count, sizes):
    if type(count) is not int or count != len(sizes) - 1:
        raise InvalidStateError(f"{name} must have {len(sizes) - 1} layers, got {show(count)}")


def _check_layer_list(name, value, sizes):
    if not isinstance(value, list):
        raise InvalidStateError(f"{name} must be a list with one entry per layer, got "
                                f"{show(value)}")
    _check_layer_count(name, len(value), sizes)


# The per-epoch entries of every history_ (those an epoch of the compiled loop reports,
# then its time), and those of a fit that stops early; a loss adds its own.
EPOCH_STATS = (("loss", float), ("learning_rate", float), ("grad_norm", float))
HISTORY = (*EPOCH_STATS, ("seconds", float))
VALIDATION = (("val_loss", float), ("val_score", float))


def check_names(schema, names):
    unknown = [n for n in names if n not in schema]
    missing = [n for n, field in schema.items() if n not in names and not field.optional]
    if unknown:
        raise InvalidStateError(f"unknown state entries {show(unknown)}")
    if missing:
        raise InvalidStateError(f"missing state entries {missing}")


def check_state(owner, state):
    """InvalidStateError unless state holds exactly the entries of owner's
    _state_schema, each obeying its rules; the layer sizes and dtype that shape the
    arrays come from owner._state_shapes(state)."""
    schema = owner._state_schema
    check_names(schema, state)
    for name, field in schema.items():
        if name in state and not field.shaped:
            field.check(name, state[name], state)
    sizes, dtype = owner._state_shapes(state)
    for name, field in schema.items():
        if field.shaped and name in state:
            field.check(name, state[name], state, sizes, dtype)
