"""Saving and loading models without pickle.

A model file is a NumPy .npz archive (a zip of .npy members). Its ``__meta__``
member is UTF-8 JSON: the format and its version, the mlpcore version, the class,
the hyperparameters and the parts of the model's state that are not arrays; each
other member is one array of the state (``_weights.0``, ``_velocity.0.biases``,
``history_.loss``, ...). The state is the model's ``get_state()``; what it holds, how
each entry is stored and the rules its values obey are declared once, in the class's
``_state_schema`` (see mlpcore._state), and ``set_state`` checks them.

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

A Standardized model holds other models (its scalers and its estimator): each is an
entry {"class", "params", "state"} of its state in the metadata, of the classes its
schema allows (never another Standardized), with its arrays stored under the entry's
name (``estimator_._weights.0``), read and checked as a model of its own.

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
import secrets
import stat
import tokenize
import zipfile
import zlib

import numpy as np

from ._core import _build_info
from ._state import MAX_META_BYTES, Field, InvalidStateError, check_names
from ._state import show as _show

FORMAT = "mlpcore-model"
FORMAT_VERSION = 2
MAX_JSON_DEPTH = 16
MAX_MODEL_BYTES = 1 << 30  # load's default bound on the bytes of all arrays together
_MAX_NPY_HEADER = 10_000  # numpy's own default bound on a .npy header


class ModelFileError(ValueError):
    """A path that is not a regular file, or a file that is not a readable mlpcore model.

    The file may be truncated, corrupted, of another kind, inconsistent, or written in
    another format version.

    Examples
    --------
    >>> import os, tempfile
    >>> import mlpcore
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.npz")
    ...     with open(path, "w") as f:
    ...         _ = f.write("not a model")
    ...     try:
    ...         mlpcore.load(path)
    ...     except mlpcore.ModelFileError as error:
    ...         print("ModelFileError:", str(error).split(": ", 1)[1])
    ModelFileError: not a readable mlpcore model file (File is not a zip file)
    """


def _estimator_classes():
    from . import estimators

    return {cls.__name__: cls for cls in (
        estimators.Perceptron, estimators.LogisticRegression, estimators.LinearRegression,
        estimators.MLPClassifier, estimators.MLPRegressor)}


def _model_classes():
    """The classes a model file may hold, by name."""
    from .features import Standardizer
    from .network import MLP
    from .standardized import Standardized

    return {**_estimator_classes(), "MLP": MLP, "Standardizer": Standardizer,
            "Standardized": Standardized}


# Attributes an estimator derives from its state (_publish), never saved.
_PUBLISHED = ("coef_", "intercept_", "coefs_", "intercepts_", "loss_")


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
    if _estimator_classes().get(type(value).__name__) is type(value):
        return {"estimator": {"class": type(value).__name__, "params": {
            key: _param_to_json(f"{name}__{key}", v) for key, v in _params_of(value).items()}}}
    raise TypeError(f"cannot save the hyperparameter {name} of type {type(value).__name__} "
                    "(only None, numbers, strings, tuples, lists and dicts of them, and "
                    "mlpcore estimators)")


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
        if kind == "estimator" and isinstance(items, dict) and items.keys() == {"class",
                                                                                "params"}:
            cls = _estimator_classes().get(items["class"]) if isinstance(items["class"],
                                                                         str) else None
            if cls is None or not isinstance(items["params"], dict):
                raise ModelFileError(f"hyperparameter {name}: not an mlpcore estimator: "
                                     f"{_show(items)}")
            return _new_model(cls, {key: _param_from_json(f"{name}__{key}", v)
                                    for key, v in items["params"].items()})
    raise ModelFileError(f"hyperparameter {name}: malformed value {_show(stored)}")


def _params_of(model):
    return model.get_params(deep=False) if hasattr(model, "get_params") else {}


def _new_model(cls, params):
    """An unfitted estimator with these hyperparameters, which it accepts; for an MLP,
    which has none, an empty network that set_state fills."""
    if not hasattr(cls, "get_params"):
        if params:
            raise ModelFileError(f"an MLP has no hyperparameters, got {_show(sorted(params))}")
        return cls.__new__(cls)
    expected = set(cls._get_param_names())
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
    """The model's state (get_state), refusing attributes a file would silently drop."""
    name = type(model).__name__
    if name != "MLP" and not hasattr(model, "n_features_in_"):
        raise ValueError(f"cannot save an unfitted {name}: call fit first")
    known = {*model._state_schema, *_params_of(model), *_PUBLISHED}
    unknown = sorted(k for k in vars(model) if k not in known)
    if unknown:
        raise ValueError(f"cannot save this {name}: its attributes {unknown} are not part of "
                         "the state a model file holds")
    return model.get_state()


def _model_from_state(cls, params, state):
    """The model of class cls with these hyperparameters and this state, all checked;
    its published attributes are derived from the state."""
    return _new_model(cls, params).set_state(state)


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
    return meta  # its model entry is checked by _plan


_ENTRY_KEYS = {"class", "params", "state"}


def _plan(entry, classes):
    """(specs, build) for one model of the metadata, {"class", "params", "state"}: the
    arrays it needs, {member: (shape, dtype)}, and build(arrays), the checked model.
    Everything the metadata says is checked here, before any array is read."""
    if not isinstance(entry, dict) or entry.keys() != _ENTRY_KEYS:
        raise ModelFileError(f"a model's entry holds {_show(entry)}; expected the keys "
                             f"{sorted(_ENTRY_KEYS)}")
    name = entry["class"]
    if not isinstance(name, str) or name not in classes:
        known = isinstance(name, str) and name in _model_classes()
        raise ModelFileError(f"unknown model class {_show(name)}"
                             + (f" here (expected one of {sorted(classes)})" if known else ""))
    if not isinstance(entry["params"], dict) or not isinstance(entry["state"], dict):
        raise ModelFileError("the hyperparameters and the state must be JSON objects")
    cls = classes[entry["class"]]
    schema = cls._state_schema
    params = {name: _param_from_json(name, v) for name, v in entry["params"].items()}
    model = _new_model(cls, params)
    stored = entry["state"]
    check_names(schema, stored)
    # The metadata's own entries first: they give the shapes of the arrays.
    state = {}
    for name, field in schema.items():
        if name in stored and not field.in_members:
            state[name] = field.from_file(name, stored[name], None)
            field.check(name, state[name], state)
    sizes, dtype = model._state_shapes(state)
    specs = {}
    for name, field in schema.items():
        if field.in_members and name in stored:
            specs.update(field.members(name, stored[name], sizes, dtype))

    def build(arrays):
        for name, field in schema.items():
            if field.in_members and name in stored:
                state[name] = field.from_file(name, stored[name], arrays)
        return _model_from_state(cls, params, state)

    return specs, build


def _read_model(file, max_bytes):
    archive = _Archive(file)
    meta = _read_meta(archive)
    specs, build = _plan({key: meta[key] for key in _ENTRY_KEYS}, _model_classes())
    total = sum(math.prod(shape) * dt.itemsize for shape, dt in specs.values())
    if total > max_bytes:
        raise ModelFileError(f"its arrays take {total} bytes, more than max_bytes={max_bytes} "
                             "(pass a larger max_bytes to load a model this large)")
    unexpected = archive.names() - {f"{m}.npy" for m in (*specs, "__meta__")}
    if unexpected:
        raise ModelFileError(f"unexpected archive members {_show(sorted(unexpected))}")
    return build({m: archive.read(m, dt, shape) for m, (shape, dt) in specs.items()})


class Model(Field):
    """A fitted model inside another one's state (a Standardized's scaler and
    estimator), of one of the classes named; stored as its own {"class", "params",
    "state"} entry in the metadata, its arrays as members prefixed by the field's name."""

    in_members = True

    def __init__(self, *classes, optional=False):
        self.classes, self.optional = classes, optional

    def _allowed(self):
        return {name: cls for name, cls in _model_classes().items() if name in self.classes}

    def to_file(self, name, value, members):
        entry, arrays = _encode(value)
        members.update({f"{name}.{member}": array for member, array in arrays.items()})
        return entry

    def members(self, name, stored, sizes, dtype):
        specs, _ = _plan(stored, self._allowed())
        return {f"{name}.{member}": spec for member, spec in specs.items()}

    def from_file(self, name, stored, arrays):
        _, build = _plan(stored, self._allowed())
        prefix = f"{name}."
        return build({m[len(prefix):]: a for m, a in arrays.items() if m.startswith(prefix)})

    def check(self, name, value, state, sizes=None, dtype=None):
        if type(value).__name__ not in self.classes or not hasattr(value, "n_features_in_"):
            raise InvalidStateError(f"{name} must be a fitted {' or '.join(self.classes)}, "
                                    f"got {_show(value)}")


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

def _encode(model):
    """({"class", "params", "state"}, members): a model's metadata entry and its arrays,
    once the state passes the checks load makes and reproduces the model."""
    cls = type(model)
    if _model_classes().get(cls.__name__) is not cls:
        raise TypeError(f"save takes an mlpcore estimator or MLP (or a Standardized or "
                        f"Standardizer), got {cls.__name__}")
    params, state = _params_of(model), _state_of(model)
    try:
        rebuilt = _model_from_state(cls, params, state)
        members = {}
        stored = {key: cls._state_schema[key].to_file(key, value, members)
                  for key, value in state.items()}
    except (ModelFileError, InvalidStateError) as exc:
        raise ValueError(f"cannot save this {cls.__name__}: {exc}") from None
    changed = [key for key in _PUBLISHED if not _same(getattr(model, key, None),
                                                       getattr(rebuilt, key, None))]
    if changed:
        raise ValueError(f"cannot save this {cls.__name__}: {', '.join(changed)} no longer "
                         "match the weights it trains and predicts with; a model file holds "
                         "those weights (set them through fit, or build an MLP)")
    return {"class": cls.__name__,
            "params": {key: _param_to_json(key, value) for key, value in params.items()},
            "state": stored}, members


def save(model, path) -> None:
    """Write a fitted estimator, Standardized, Standardizer or MLP to an .npz file, atomically.

    No pickle: the file holds the JSON metadata (format version, mlpcore version, class,
    hyperparameters) and the arrays of the model's state. Only a regular file (or a
    symlink to one) is replaced; see the module's notes.

    Parameters
    ----------
    model : estimator, Standardized, Standardizer or MLP
        A fitted mlpcore estimator, an mlpcore.Standardized or a fitted
        mlpcore.features.Standardizer, or an mlpcore.MLP.
    path : str or path-like
        The file to write.

    See Also
    --------
    load

    Examples
    --------
    >>> import os, tempfile
    >>> import mlpcore
    >>> from mlpcore import LogisticRegression, datasets
    >>> X, y = datasets.blobs(n_samples=60, centers=2, random_state=0)
    >>> model = LogisticRegression().fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.npz")
    ...     mlpcore.save(model, path)
    ...     again = mlpcore.load(path)
    >>> bool((again.predict(X) == model.predict(X)).all())
    True
    """
    entry, members = _encode(model)
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "mlpcore_version": _build_info()["version"], **entry}
    text = json.dumps(meta, allow_nan=False).encode("ascii")
    if len(text) > MAX_META_BYTES:
        raise ValueError(f"cannot save this {entry['class']}: its metadata takes {len(text)} "
                         f"bytes, more than {MAX_META_BYTES}")
    _replace_file(path, lambda f: np.savez(f, __meta__=np.frombuffer(text, np.uint8),
                                           **members))


def load(path, *, max_bytes=MAX_MODEL_BYTES):
    """The model saved at path, after checking the whole file (see the module's notes).

    Parameters
    ----------
    path : str or path-like
        A file written by save.
    max_bytes : int, default 1 GiB
        Bound on the bytes of all its arrays together: raise it to load a model larger
        than 1 GiB from a file you trust.

    Returns
    -------
    estimator, Standardized, Standardizer or MLP
        The model, predicting bitwise as the one saved.

    Raises
    ------
    ModelFileError
        The file is not a readable mlpcore model.
    FileNotFoundError
        There is no such file.

    See Also
    --------
    save

    Examples
    --------
    >>> import os, tempfile
    >>> import mlpcore
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "net.npz")
    ...     mlpcore.save(mlpcore.MLP([2, 3, 1], random_state=0), path)
    ...     print(mlpcore.load(path))
    MLP([2, 3, 1], ['relu', 'identity'])
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
        raise ValueError(f"max_bytes must be an integer >= 0, got {max_bytes!r}")
    path = os.fspath(path)
    with _open_regular(path) as file:
        try:
            return _read_model(file, max_bytes)
        except (ModelFileError, InvalidStateError) as exc:
            raise ModelFileError(f"{path}: {exc}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            # zipfile's errors for a corrupt archive, or one of a later zip version
            raise ModelFileError(f"{path}: not a readable mlpcore model file ({exc})") from None
