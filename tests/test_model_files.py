"""Model files from anyone: mlpcore.load refuses every malformed or hostile file with
ModelFileError (or the OSError of a path it cannot open), without hanging or using more
memory than the model needs; labels round-trip exactly; save replaces regular files only.

Loads that a defect could crash, hang or blow up run in a child process with a time limit
and an address-space limit (load_in_child), so that such a defect fails the test instead
of killing pytest. Hostile archives are written field by field (forge), so that any zip or
.npy field can lie, and deflate bombs are a 16 kB compressed piece of zeros repeated, so
that a 1.5 GiB member costs the test a few milliseconds.
"""

import functools
import io
import json
import os
import pickle
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

import mlpcore
from conftest import memory_cap
from mlpcore import (
    MLP,
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    ModelFileError,
    Perceptron,
)

PYTHON_DIR = str(Path(mlpcore.__file__).resolve().parents[1])


# ------------------------------------------------------------------------------ models

def fit(cls, y=None, *, n_features=4, dtype=np.float64, X=None, **params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, n_features)).astype(dtype) if X is None else X
    values = np.asarray(X, dtype=np.float64)
    if y is None:
        if cls in (LinearRegression, MLPRegressor):
            y = values @ np.arange(1.0, n_features + 1)
        elif cls is Perceptron:
            y = np.where(values[:, 0] > 0, "up", "down")
        else:
            y = np.array(["a", "b", "c"])[np.argmax(values[:, :3], axis=1)]
    if cls in (LinearRegression, LogisticRegression):  # a state with every part
        params.setdefault("solver", "sgd")
    model = cls(random_state=0, max_epochs=4, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model, X


def saved_models(folder):
    """One saved file of each class, with every optional part of the state used:
    feature names, early stopping's history, a class_weight dict, averaging, float32.
    Without pandas, the classifier learns from an array: its file has no feature names (an
    optional entry, see OPTIONAL_STATE), and every other part is there."""
    folder.mkdir(exist_ok=True)
    frame = np.random.default_rng(1).normal(size=(60, 3))
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        frame = pd.DataFrame(frame, columns=["u", "v", "w"])
    models = {
        "logistic": fit(LogisticRegression)[0],
        "mlp_classifier": fit(MLPClassifier, X=frame, y=np.array([1, 2, 3] * 20, dtype=object),
                              hidden_layer_sizes=(3, 2), early_stopping=True,
                              class_weight={1: 2.0, 2: 1.0})[0],
        "perceptron": fit(Perceptron, dtype=np.float32, average=True)[0],
        "linear_2d": fit(LinearRegression, y=np.ones((60, 2)))[0],
        "mlp_regressor": fit(MLPRegressor, dtype=np.float32, hidden_layer_sizes=3)[0],
        "network": MLP([3, 4, 2], ["tanh", "identity"], random_state=0),
    }
    paths = {}
    for name, model in models.items():
        paths[name] = folder / f"{name}.npz"
        mlpcore.save(model, paths[name])
    return paths


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return saved_models(tmp_path_factory.mktemp("good"))


# ------------------------------------------------------------------------------ files

def members_of(path):
    """The archive's members (name -> the bytes of the .npy) and its metadata."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(np.load(io.BytesIO(members["__meta__.npy"])).tobytes())
    return members, meta


def npy(array):
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)
    return out.getvalue()


def npy_header(text, version=1, length=None):
    """A .npy header whose dict is text (bytes), declaring `length` bytes (its real
    length by default)."""
    size = struct.pack("<H" if version == 1 else "<I", len(text) if length is None else length)
    return b"\x93NUMPY" + bytes([version, 0]) + size + text


def declare(descr, shape, fortran=False):
    text = repr({"descr": descr, "fortran_order": fortran, "shape": shape})
    return npy_header(text.encode("latin-1"))


def meta_member(meta):
    return npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))


class Raw(NamedTuple):
    """A member as the archive holds it, with the zip fields declared for it."""

    data: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def forge(path, members):
    """Writes a zip archive field by field, so that any field may lie. members: a dict
    or a list of (name, member); a member is bytes (stored as they are) or a Raw."""
    out, central = bytearray(), bytearray()
    items = list(members.items() if isinstance(members, dict) else members)
    for name, member in items:
        if isinstance(member, bytes):
            member = Raw(member, len(member), zlib.crc32(member), zipfile.ZIP_STORED)
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, member.flags, member.method, 0, 0x21,
                             member.crc, len(member.data), member.size, len(encoded), 0)
        offset = len(out)
        out += b"PK\x03\x04" + fields + encoded + member.data
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                    + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
    out += central + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(items), len(items),
                                                 len(central), len(out), 0)
    Path(path).write_bytes(bytes(out))


def rewritten(src, dst, *, meta=None, change=None, **replace):
    """A copy of the model file src with its metadata changed (meta, or change(meta))
    and members replaced (name=bytes or Raw; None removes one)."""
    members, old = members_of(src)
    meta = old if meta is None else meta
    if change is not None:
        change(meta)
    members["__meta__.npy"] = meta_member(meta)
    for name, member in replace.items():
        members.pop(f"{name}.npy", None)
        if member is not None:
            members[f"{name}.npy"] = member
    forge(dst, members)
    return dst


PIECE = 1 << 24  # one piece of zeros: 16 MiB, 16 kB once deflated


@functools.lru_cache
def zeros_piece():
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(PIECE)) + compressor.flush(zlib.Z_FULL_FLUSH)


@functools.lru_cache
def zeros_crc(start, pieces):
    crc, zeros = start, bytes(PIECE)
    for _ in range(pieces):
        crc = zlib.crc32(zeros, crc)
    return crc


def bomb(prefix=b"", pieces=64, size=None, crc=None):
    """A deflated member: prefix, then pieces * 16 MiB of zeros, with a correct CRC; the
    zip fields may declare another size or CRC."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = head + zeros_piece() * pieces + compressor.flush()
    true_size = len(prefix) + pieces * PIECE
    true_crc = zeros_crc(zlib.crc32(prefix), pieces)
    return Raw(data, true_size if size is None else size, true_crc if crc is None else crc)


def deflated(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Raw(compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))


# ------------------------------------------------------------------------------ the child

CHILD = r"""
import json, os, sys, warnings
import numpy as np
import mlpcore

warnings.simplefilter("ignore")
job = json.load(sys.stdin)
mlpcore.load(job["warm_up"])  # imports everything load needs, before any privilege drop
if job["user"] is not None:
    os.setgroups([])
    os.setgid(job["user"])
    os.setuid(job["user"])
outcomes = []
for op in job["ops"]:
    try:
        if op[0] == "save":
            mlpcore.save(mlpcore.load(op[1]), op[2])
        else:
            model = mlpcore.load(op[1])
            if isinstance(model, mlpcore.MLP):
                model.forward(np.zeros((2, model.layer_sizes[0])))
            else:
                model.predict(np.zeros((2, model.n_features_in_)))
        outcomes.append(["done", ""])
    except Exception as exc:
        outcomes.append([type(exc).__name__, str(exc)])
print(json.dumps(outcomes))
"""

MEMORY = 5 << 28  # 1.25 GiB of address space: the child's 0.3 GiB and room to load


def run_child(ops, warm_up, *, memory=MEMORY, timeout=300, user=None):
    """The outcome, [exception name or "done", message], of each op: ("load", path) loads
    and predicts, ("save", source, target) loads source and saves it to target."""
    env = {**os.environ, "PYTHONPATH": PYTHON_DIR, "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    job = {"warm_up": str(warm_up), "user": user, "ops": [[str(p) for p in op] for op in ops]}
    child = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(job), text=True,
                           capture_output=True, timeout=timeout, preexec_fn=memory_cap(memory),
                           env=env)
    assert child.returncode == 0, f"the child died ({child.returncode}): {child.stderr[-3000:]}"
    return json.loads(child.stdout.splitlines()[-1])


def load_in_child(cases, warm_up, **limits):
    """{case: outcome} of loading each case's file in one child process."""
    outcomes = run_child([("load", path) for path in cases.values()], warm_up, **limits)
    return dict(zip(cases, outcomes))


def assert_refused(outcomes, paths, expected=None):
    """Every case raised ModelFileError naming its file (and matching expected[case])."""
    wrong = {case: outcome for case, outcome in outcomes.items()
             if outcome[0] != "ModelFileError" or str(paths[case]) not in outcome[1]
             or (expected and not re.search(expected[case], outcome[1]))}
    assert not wrong, "not refused as expected:\n" + "\n".join(
        f"  {case}: {kind}: {message[:300]}" for case, (kind, message) in wrong.items())


# ------------------------------------------------------------------------------ zip bombs

def test_bombs_and_huge_arrays_are_refused_before_decompression(good, tmp_path):
    src = good["logistic"]  # 4 features, 3 classes, float64
    members, meta = members_of(src)
    weights = "_weights.0"
    header = declare("<f8", (4, 3))
    data = members[f"{weights}.npy"]
    meta_bytes = members["__meta__.npy"]
    cases = {
        # a 1.5 GiB member behind a header that declares the expected (4, 3)
        "bomb behind the right header": {weights: bomb(header, pieces=96)},
        "bomb, zip size lies small": {weights: bomb(header, size=len(data))},
        "bomb, zip size lies large": {weights: bomb(header, size=2**32 - 1)},
        "bomb, zip size and CRC of the real array": {
            weights: bomb(header, size=len(data), crc=zlib.crc32(data))},
        "37 GB declared, with a bomb": {weights: bomb(declare("<f8", (10**6, 4625)))},
        "37 GB declared, stored": {weights: declare("<f8", (10**6, 4625)) + bytes(64)},
        "huge velocity declared": {"_velocity.0.weights": bomb(declare("<f8", (2**40, 3)))},
        "negative shape declared": {weights: declare("<f8", (-1, 3)) + bytes(64)},
        "unexpected bomb member": {"evil": bomb(header)},
        "unexpected member of another name": {"coef_": npy(np.zeros((3, 4)))},
        "metadata declares 2**40 bytes": {"__meta__": bomb(declare("|u1", (2**40,)))},
        "metadata declares -1 bytes": {"__meta__": declare("|u1", (-1,)) + bytes(64)},
        "metadata bomb behind its header": {"__meta__": bomb(meta_bytes)},
        "history bomb": {"history_.loss": bomb(npy(np.zeros(4))[:-32])},
        "v2 header of 4 GiB, a bomb": {weights: bomb(npy_header(b"{", 2, 2**32 - 1))},
        "v1 header of 64 kB": {weights: npy_header(b" " * 65000 + b"{}")},
        "truncated member": {weights: data[:-8]},
        "member without data": {weights: header},
        "bzip2 member": {weights: Raw(b"BZh9" + bytes(40), len(data), zlib.crc32(data), 12)},
        "lzma member": {weights: Raw(bytes(40), len(data), zlib.crc32(data), 14)},
        "encrypted member": {weights: Raw(data, len(data), zlib.crc32(data), 0, flags=1)},
        "wrong CRC": {weights: Raw(data, len(data), zlib.crc32(data) ^ 1, 0)},
        "deflated data one byte short": {weights: deflated(data[:-1])},
    }
    paths = {}
    for i, (case, replace) in enumerate(cases.items()):
        paths[case] = rewritten(src, tmp_path / f"{i}.npz", meta=json.loads(json.dumps(meta)),
                                **replace)
    # the metadata alone asks for too much
    paths["5 * 10**8 features"] = rewritten(
        src, tmp_path / "features.npz",
        change=lambda m: m["state"].update(n_features_in_=5 * 10**8))
    paths["a history of 10**12 epochs"] = rewritten(
        src, tmp_path / "history.npz", change=lambda m: m["state"]["history_"].update(loss=10**12))
    paths["hidden layers of 10**6"] = rewritten(
        good["mlp_classifier"], tmp_path / "hidden.npz",
        change=lambda m: m["params"].update(hidden_layer_sizes={"tuple": [10**6, 10**6]}))
    for width in (999999, 999999999):
        paths[f"labels of dtype <U{width}"] = rewritten(
            src, tmp_path / f"labels{width}.npz",
            change=lambda m, w=width: m["state"]["classes_"].update(dtype=f"<U{w}"))
    paths["duplicate members"] = tmp_path / "duplicate.npz"
    forge(paths["duplicate members"], [*members.items(), (f"{weights}.npy", data)])
    paths["a folder member"] = tmp_path / "folder.npz"
    forge(paths["a folder member"], {**members, "x/": b""})
    # all of them together, and small file sizes: the bombs cost the test little
    assert sum(p.stat().st_size for p in paths.values()) < 16 << 20
    expected = {case: "" for case in paths}
    expected.update({
        "bomb behind the right header": "more data than its header declares",
        "37 GB declared, with a bomb": r"expected float64 of shape \(4, 3\)",
        "metadata declares 2**40 bytes": "at most 4194304 elements",
        "unexpected bomb member": "unexpected archive members",
        "5 * 10**8 features": "more than max_bytes",
        "a history of 10**12 epochs": "more than max_bytes",
        "hidden layers of 10**6": "more than max_bytes",
        "labels of dtype <U999999": "too large",
    })
    outcomes = load_in_child(paths, src, timeout=120)
    assert_refused(outcomes, paths, expected)


# ------------------------------------------------------------------------------ .npy headers

def test_malformed_and_foreign_npy_headers_are_refused(good, tmp_path):
    src = good["logistic"]
    weights = members_of(src)[0]["_weights.0.npy"]
    marker = tmp_path / "unpickled"

    class Payload:  # what a pickle would run, if anything unpickled it
        def __reduce__(self):
            return (open, (str(marker), "w"))

    pickled = pickle.dumps(np.array([Payload()], dtype=object))
    headers = {
        "bad magic": b"\x93NUMPX\x01\x00" + weights[8:],
        "format (3, 0)": b"\x93NUMPY\x03\x00" + weights[8:],
        "format (0, 9)": b"\x93NUMPY\x00\x09" + weights[8:],
        "header not a dict": npy_header(b"[1, 2, 3]"),
        "header missing a key": npy_header(b"{'descr': '<f8', 'shape': (4, 3)}"),
        "header with an extra key": npy_header(
            b"{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), 'x': 1}"),
        "header calling a function": npy_header(b"{'descr': __import__('os').getcwd()}"),
        "header nested 150 deep": npy_header(b"[" * 150 + b"]" * 150),
        "header nested 5000 deep": npy_header(b"(" * 5000),
        "header not Python": npy_header(b"{'descr': '<f8', 'fortran_order': Fal"),
        "header shape a string": declare("<f8", "(4, 3)"),
        "header shape of floats": declare("<f8", (4.0, 3.0)),
        "header shape of 10**30": declare("<f8", (10**30, 3)),
        "header fortran_order 1": declare("<f8", (4, 3), fortran=1),
        "descr of a structure": declare([("a", "<f8")], (4, 3)),
        "descr nested 100 deep": declare(functools.reduce(lambda d, _: [("a", d)], range(100),
                                                          "<f8"), (4, 3)),
        "descr not a dtype": declare("<q9", (4, 3)),
        "descr a subarray": declare(("<f8", (2,)), (4, 3)),
        "shape transposed": declare("<f8", (3, 4)),
        "shape flattened": declare("<f8", (12,)),
        "shape with a third axis": declare("<f8", (4, 3, 1)),
        "shape scalar": declare("<f8", ()),
        "an object array (pickle)": pickled,
        "an object header, pickle data": declare("|O", (4, 3)) + pickled,
    }
    for descr in ("<f4", ">f4", "<f2", "<i8", "<u8", "|b1", "<c16", "|V8", "<U2", "|S8", "<M8[s]",
                  "<m8[s]", "|O"):
        headers[f"dtype {descr}"] = declare(descr, (4, 3)) + bytes(12 * np.dtype(descr).itemsize)
    paths = {case: rewritten(src, tmp_path / f"{i}.npz", **{"_weights.0": data})
             for i, (case, data) in enumerate(headers.items())}
    outcomes = load_in_child(paths, src, timeout=120)
    assert_refused(outcomes, paths)
    assert not marker.exists(), "a pickle was unpickled"


def test_max_bytes_bounds_the_arrays_of_a_file(good):
    path = good["mlp_classifier"]
    members, _ = members_of(path)
    arrays = [np.load(io.BytesIO(data)) for name, data in members.items()
              if name != "__meta__.npy"]
    total = sum(a.nbytes for a in arrays)
    assert mlpcore.load(path, max_bytes=total).classes_.tolist() == [1, 2, 3]
    with pytest.raises(ModelFileError, match=f"take {total} bytes, more than max_bytes"):
        mlpcore.load(path, max_bytes=total - 1)
    for bad in (-1, None, 1.5, "1", True):
        with pytest.raises(ValueError, match="max_bytes must be an integer"):
            mlpcore.load(path, max_bytes=bad)


def test_fortran_order_arrays_are_read_in_order(good, tmp_path):
    src = good["logistic"]
    weights = mlpcore.load(src)._weights[0]
    path = rewritten(src, tmp_path / "f.npz", **{"_weights.0": npy(np.asfortranarray(weights))})
    assert np.array_equal(mlpcore.load(path)._weights[0], weights)


# ------------------------------------------------------------------------------ byte order

def swapped(array):
    return array.astype(array.dtype.newbyteorder())


@pytest.mark.parametrize("name", ["logistic", "perceptron", "mlp_regressor", "network"])
def test_arrays_in_the_other_byte_order_are_converted_to_native(good, tmp_path, name):
    src = good[name]
    members, meta = members_of(src)
    original = mlpcore.load(src)
    n_features = meta["state"].get("n_features_in_") or meta["state"]["layer_sizes"][0]
    X = np.random.default_rng(3).normal(size=(20, n_features))
    arrays = {m[:-4]: np.load(io.BytesIO(data)) for m, data in members.items()
              if m != "__meta__.npy"}
    dtypes = {a.dtype.str for a in arrays.values()}
    assert dtypes & {"<f4", "<f8"} and dtypes <= {"<f4", "<f8", "<i8"}
    every = {m: npy(swapped(a)) for m, a in arrays.items()}
    variants = {"every array": every, **{m: {m: every[m]} for m in arrays}}
    for i, (case, replace) in enumerate(variants.items()):
        path = rewritten(src, tmp_path / f"{i}.npz", **replace)
        loaded = mlpcore.load(path)
        if isinstance(loaded, MLP):
            assert np.array_equal(loaded.forward(X), original.forward(X)), case
            state = loaded.weights + loaded.biases
        else:
            assert np.array_equal(loaded.predict(X), original.predict(X)), case
            assert loaded.history_ == original.history_, case
            state = [*loaded._weights, *loaded._biases,
                     *(a for pair in loaded._velocity + loaded._average for a in pair)]
        for array in state:
            assert array.dtype.isnative and array.flags.c_contiguous and array.flags.writeable


# ------------------------------------------------------------------------------ the state

def state_cases(src):
    """(case, change of the metadata) of states that disagree with themselves."""
    _, meta = members_of(src)
    state = meta["state"]
    cases = []
    for name in ("coef_", "intercept_", "coefs_", "intercepts_", "loss_", "predict", "fit",
                 "__class__", "__dict__", "_publish", "get_params", "_hidden_sizes", "extra"):
        cases.append((f"entry {name}", lambda m, n=name: m["state"].update({n: 1})))
    for name in set(state) - {name for _, name in OPTIONAL_STATE}:
        cases.append((f"without {name}", lambda m, n=name: m["state"].pop(n)))
    if "classes_" in state:
        values = state["classes_"]["values"]  # strings, or [type, int] pairs
        last = values[-1]
        beyond = last + "z" if isinstance(last, str) else [last[0], last[1] + 1]
        for case, new in {"reversed": values[::-1], "shortened": values[:-1],
                          "one class": values[:1], "none": [], "repeated": values + [last],
                          "extended": values + [beyond],
                          "swapped": [values[1], values[0], *values[2:]]}.items():
            cases.append((f"classes_ {case}", lambda m, v=new: m["state"]["classes_"].update(
                values=v)))
    for name in ("n_features_in_", "_n_targets"):
        if name in state:
            for delta in (-1, 1):
                cases.append((f"{name} {delta:+d}", lambda m, n=name, d=delta: m["state"].update(
                    {n: m["state"][n] + d})))
    for name in ("_weights", "_biases", "_velocity", "_average", "weights", "biases"):
        if name in state:
            for delta in (-1, 1):
                cases.append((f"{name} layers {delta:+d}", lambda m, n=name, d=delta:
                              m["state"].update({n: m["state"][n] + d})))
    return cases


@pytest.mark.parametrize("name", ["logistic", "mlp_classifier", "perceptron", "linear_2d",
                                  "mlp_regressor", "network"])
def test_inconsistent_states_are_refused(good, tmp_path, name):
    src = good[name]
    for i, (case, change) in enumerate(state_cases(src)):
        path = rewritten(src, tmp_path / f"{i}.npz", change=change)
        with pytest.raises(ModelFileError) as info:
            mlpcore.load(path)
        assert str(path) in str(info.value), case


def test_a_class_name_never_loads_another_class_state(good, tmp_path):
    names = {"logistic": "LogisticRegression", "mlp_classifier": "MLPClassifier",
             "perceptron": "Perceptron", "linear_2d": "LinearRegression",
             "mlp_regressor": "MLPRegressor", "network": "MLP"}
    tried = 0
    for key, src in good.items():
        for other in set(names.values()) - {names[key]}:
            path = rewritten(src, tmp_path / f"{key}-{other}.npz",
                             change=lambda m, c=other: m.update({"class": c}))
            with pytest.raises(ModelFileError):
                mlpcore.load(path)
            tried += 1
    assert tried == 30


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused(good, tmp_path, value):
    for name in ("perceptron", "mlp_classifier", "network"):
        members, _ = members_of(good[name])
        for i, member in enumerate(m for m in members if m != "__meta__.npy"
                                   and not m.startswith("history_")):
            array = np.load(io.BytesIO(members[member]))
            array.flat[-1] = value
            path = rewritten(good[name], tmp_path / f"{name}{i}.npz", **{member[:-4]: npy(array)})
            with pytest.raises(ModelFileError, match="NaN or infinity"):
                mlpcore.load(path)


def test_published_attributes_are_rebuilt_from_the_state(good):
    for name in ("logistic", "perceptron", "linear_2d"):
        model = mlpcore.load(good[name])
        weights, biases = model._prediction_params()
        assert np.array_equal(np.asarray(model.coef_).reshape(weights[0].T.shape), weights[0].T)
        assert np.array_equal(np.atleast_1d(model.intercept_), biases[0])
        assert model.loss_ == model.history_["loss"][-1]
    for name in ("mlp_classifier", "mlp_regressor"):
        model = mlpcore.load(good[name])
        assert all(a is b for a, b in zip(model.coefs_, model._prediction_params()[0]))
        assert all(a is b for a, b in zip(model.intercepts_, model._prediction_params()[1]))


# ------------------------------------------------------------------------------ metadata

def nested(depth):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES = [None, True, False, 0, -1, 1, 7, 2**63, 2**64, 10**40, -10**40, 0.5, 1e308,
                  -0.0, "", "x", "float64", "<f8", "predict", "__class__", [], [1], ["a"],
                  [[1]], {}, {"a": 1}, {"tuple": [1]}, {"list": "x"}, {"dict": [[[1], 2]]},
                  {"dict": [[{"a": 1}, 2]]}, {"dict": [[1, 2], [1, 3]]}, nested(12),
                  nested(40), {"dtype": "|O", "values": [1]}]


def nodes(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from nodes(item, (*path, i))


def replaced(meta, path, new):
    meta = json.loads(json.dumps(meta))
    if not path:
        return new
    parent = meta
    for key in path[:-1]:
        parent = parent[key]
    if new is _REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return meta


_REMOVE = object()


def mutations(meta):
    """(path, kind, new value, mutated metadata): every node replaced by every hostile
    value, every entry removed, an unknown entry added to every object."""
    for path, node in nodes(meta):
        for value in HOSTILE_VALUES:
            if json.dumps(value) != json.dumps(node):
                kind = "type" if type(value) is not type(node) else "value"
                yield path, kind, json.dumps(value)[:40], replaced(meta, path, value)
        if path:
            yield path, "removed", "", replaced(meta, path, _REMOVE)
        if isinstance(node, dict):
            yield path, "added", "unknown", replaced(meta, path, {**node, "unknown": 1})


# The state entries a valid file may lack: feature names (X without them), and Adam's
# step (files written before it).
OPTIONAL_STATE = {("state", "feature_names_in_"), ("state", "_optimizer_step")}


def refusal_required(path, kind):
    """Mutations that no valid file can result from: all but new values of the same
    type, new types of hyperparameters, and removed optional entries."""
    if kind == "added" or not path:
        return True
    if kind == "type":
        return path[0] != "params" or len(path) == 1
    if kind == "removed":
        return path not in OPTIONAL_STATE and path[:2] != ("params", "class_weight")
    return False


def test_every_malformed_metadata_value_is_refused(good, tmp_path):
    paths, required = {}, set()
    for name in ("mlp_classifier", "perceptron", "linear_2d", "network"):
        members, meta = members_of(good[name])
        for i, (path, kind, value, new) in enumerate(mutations(meta)):
            case = f"{name}: {kind} at {'.'.join(map(str, path)) or 'top'}: {value}"
            paths[case] = tmp_path / f"{name}-{i}.npz"
            forge(paths[case], {**members, "__meta__.npy": meta_member(new)})
            if refusal_required(path, kind):
                required.add(case)
    outcomes = load_in_child(paths, good["network"], timeout=600)
    allowed = {"ModelFileError", "done"}
    wrong = {c: o for c, o in outcomes.items() if o[0] not in allowed
             or (o[0] == "ModelFileError" and str(paths[c]) not in o[1])
             or (c in required and o[0] != "ModelFileError")}
    assert not wrong, f"{len(wrong)} of {len(paths)} mutations not refused cleanly:\n" + "\n".join(
        f"  {case}: {kind}: {message[:200]}" for case, (kind, message) in list(wrong.items())[:40])
    refused = sum(o[0] == "ModelFileError" for o in outcomes.values())
    assert len(paths) > 6000 and len(required) > 3000 and refused > 0.9 * len(paths), (
        len(paths), len(required), refused)


def test_malformed_metadata_text_is_refused(good, tmp_path):
    src = good["logistic"]
    members, meta = members_of(src)
    text = json.dumps(meta)

    def edited(old, new):
        assert old in text
        return text.replace(old, new, 1).encode()

    texts = {
        "not UTF-8": b"\xff\xfe" + text.encode(),
        "UTF-8 with a BOM": b"\xef\xbb\xbf" + text.encode(),
        "not JSON": b"{'format': 'mlpcore-model'}",
        "empty": b"",
        "truncated": text.encode()[:-1],
        "trailing data": text.encode() + b"{}",
        "NaN": edited('"n_iter_": 4', '"n_iter_": NaN'),
        "Infinity": edited('"n_iter_": 4', '"n_iter_": Infinity'),
        "-Infinity in a hyperparameter": edited('"tol": 1e-06', '"tol": -Infinity'),
        "a number of 5000 digits": edited('"n_iter_": 4', '"n_iter_": ' + "9" * 5000),
        "a float of 400 digits": edited('"n_iter_": 4', '"n_iter_": 1' + "0" * 400 + ".5"),
        "1e999": edited('"tol": 1e-06', '"tol": 1e999'),
        "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
        "nested 100000 deep, unclosed": b'{"a":' * 100_000,
        "nested 17 deep": json.dumps({**meta, "format": nested(17)}).encode(),
        "nested 900 deep in a hyperparameter": edited('"tol": 1e-06',
                                                      '"tol": ' + json.dumps(nested(900))),
        "duplicate keys": edited('"format": "mlpcore-model"',
                                 '"format": "mlpcore-model", "format": "mlpcore-model"'),
        "a list": json.dumps([meta]).encode(),
        "a string": b'"mlpcore-model"',
        "null": b"null",
        "4 MiB of spaces": text.encode() + b" " * (4 << 20),
        "NUL bytes": text.encode() + b"\x00",
        "format 1": json.dumps({**meta, "format_version": 1}).encode(),
        "format 99": json.dumps({**meta, "format_version": 99}).encode(),
        "format 2.0": json.dumps({**meta, "format_version": 2.0}).encode(),
        "format true": json.dumps({**meta, "format_version": True}).encode(),
        "another format": json.dumps({**meta, "format": "numpy"}).encode(),
    }
    paths = {}
    for i, (case, data) in enumerate(texts.items()):
        paths[case] = tmp_path / f"{i}.npz"
        forge(paths[case], {**members, "__meta__.npy": npy(np.frombuffer(data, np.uint8))})
    paths["format 1 text metadata"] = tmp_path / "v1.npz"
    forge(paths["format 1 text metadata"], {**members, "__meta__.npy": npy(np.array(text))})
    expected = {case: "" for case in paths}
    expected.update({"format 1 text metadata": "format 1", "format 99": "format 99",
                     "nested 100000 deep": "nested", "nested 17 deep": "nested",
                     "duplicate keys": "appears twice", "4 MiB of spaces": "at most"})
    outcomes = load_in_child(paths, src, timeout=120)
    assert_refused(outcomes, paths, expected)


def test_hyperparameters_the_estimator_refuses_are_refused(good, tmp_path):
    src = good["mlp_classifier"]
    bad = {"hidden_layer_sizes": [{"tuple": []}, {"tuple": [0]}, {"tuple": [-3]}, None, "abc",
                                  {"tuple": [True]}, {"tuple": [1.5]}, {"dict": []}],
           "activation": ["relux", None, 1], "solver": ["adamw", ""], "learning_rate": [0, -1, "x"],
           "batch_size": [0, 1.5, None], "max_epochs": [0, -1, 2**63], "momentum": [1, -0.5, 2],
           "nesterov": ["yes", 1], "average": [-1, 1.5, "x"], "tol": [-1, "x"],
           "validation_fraction": [0, 1, 1.5], "schedule": ["step"], "power_t": [-1],
           "weight_decay": [-1e-3], "n_iter_no_change": [0]}
    i = 0
    for name, values in bad.items():
        for value in values:
            path = rewritten(src, tmp_path / f"{i}.npz",
                             change=lambda m, n=name, v=value: m["params"].update({n: v}))
            with pytest.raises(ModelFileError, match=f"{name}|refuses|malformed"):
                mlpcore.load(path)
            i += 1
    for change in (lambda m: m["params"].update(evil=1), lambda m: m["params"].pop("tol")):
        path = rewritten(src, tmp_path / "names.npz", change=change)
        with pytest.raises(ModelFileError, match="hyperparameters"):
            mlpcore.load(path)


# ------------------------------------------------------------------------------ corruption

def test_corrupted_bytes_never_escape_as_other_errors(good, tmp_path):
    rng = np.random.default_rng(4)
    paths = {}
    for name in ("logistic", "network"):
        data = good[name].read_bytes()
        for i in range(300):
            corrupted = bytearray(data)
            start = len(data) - 1500 if i % 2 else 0  # every other one in the zip directory
            for at in rng.integers(start, len(data), size=rng.integers(1, 4)):
                corrupted[at] = rng.integers(0, 256)
            paths[f"{name} flip {i}"] = tmp_path / f"{name}-flip-{i}.npz"
            paths[f"{name} flip {i}"].write_bytes(bytes(corrupted))
        for i, length in enumerate(rng.integers(0, len(data), size=40)):
            paths[f"{name} cut at {length}"] = tmp_path / f"{name}-cut-{i}.npz"
            paths[f"{name} cut at {length}"].write_bytes(data[:length])
    outcomes = load_in_child(paths, good["network"], timeout=300)
    wrong = {c: o for c, o in outcomes.items() if o[0] not in ("ModelFileError", "done")}
    assert not wrong, "\n".join(f"{c}: {k}: {m[:200]}" for c, (k, m) in wrong.items())
    assert sum(o[0] == "ModelFileError" for o in outcomes.values()) > len(paths) // 2


# ------------------------------------------------------------------------------ paths

def special_files(folder):
    """A FIFO, a socket, a character device (where mknod is allowed) and links to them."""
    folder.mkdir()
    made = {"a FIFO": folder / "fifo", "a socket": folder / "socket",
            "a character device": folder / "device"}
    os.mkfifo(made["a FIFO"])
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(made["a socket"]))
    try:
        os.mknod(made["a character device"], stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        del made["a character device"]
    made["a directory"] = folder / "directory"
    made["a directory"].mkdir()
    for kind, target in list(made.items()):
        made[f"a symlink to {kind}"] = folder / f"link-{target.name}"
        made[f"a symlink to {kind}"].symlink_to(target)
    return made, server


def test_paths_that_are_not_regular_files_are_refused_without_blocking(good, tmp_path):
    made, server = special_files(tmp_path / "special")
    try:
        missing = {"a missing file": tmp_path / "missing.npz",
                   "a dangling symlink": tmp_path / "dangling.npz",
                   "a symlink loop": tmp_path / "loop.npz"}
        missing["a dangling symlink"].symlink_to(tmp_path / "nothing")
        missing["a symlink loop"].symlink_to(missing["a symlink loop"])
        outcomes = load_in_child({**made, **missing}, good["network"], timeout=60)
    finally:
        server.close()
    for case, path in made.items():
        kind = case.removeprefix("a symlink to ")
        assert outcomes[case] == ["ModelFileError", f"{path}: is {kind}, not a regular file"]
    assert outcomes["a missing file"][0] == "FileNotFoundError"
    assert outcomes["a dangling symlink"][0] == "FileNotFoundError"
    assert outcomes["a symlink loop"][0] == "OSError"
    assert all(str(missing[c]) in outcomes[c][1] for c in missing)


def test_an_unreadable_file_raises_permission_error(good):
    folder = Path(tempfile.mkdtemp())  # under /tmp, which every user may cross
    try:
        folder.chmod(0o755)
        readable, unreadable = folder / "readable.npz", folder / "unreadable.npz"
        for path in (readable, unreadable):
            shutil.copy(good["network"], path)
            path.chmod(0o644)
        unreadable.chmod(0)
        user = 65534 if os.geteuid() == 0 else None  # root reads anything: load as nobody
        outcomes = run_child([("load", readable), ("load", unreadable)], good["network"],
                             user=user, timeout=60)
    finally:
        shutil.rmtree(folder)
    assert outcomes[0] == ["done", ""]
    assert outcomes[1][0] == "PermissionError" and str(unreadable) in outcomes[1][1]


# ------------------------------------------------------------------------------ labels

LABELS = {
    "int8": np.array([-3, 0, 5], dtype=np.int8),
    "int16 big-endian": np.array([-300, 0, 300], dtype=">i2"),
    "int64": np.array([-2**62, 0, 2**62]),
    "uint64": np.array([0, 2**63, 2**64 - 1], dtype=np.uint64),
    "float16": np.array([-2.0, 0.0, 3.0], dtype=np.float16),
    "float32": np.array([-1.0, 0.0, 16777216.0], dtype=np.float32),
    "float64": np.array([-1e300, -0.0, 2.0**60]),
    "bool": np.array([False, True]),
    "str": np.array(["a", "é", "日本"]),
    "str wider than its labels": np.array(["a", "b", "c"], dtype="<U12"),
    "bytes": np.array([b"a", b"b\xff", b"c\x00d"]),
    "object str with NUL": np.array(["a", "a\x00", "a\x00\x00"], dtype=object),
    "object str": np.array(["", " ", "\n"], dtype=object),
    "object int": np.array([1, 2, 3], dtype=object),
    "object mixed ints": np.array([1, np.int64(2), np.uint8(3), np.int8(4)], dtype=object),
    "object big ints": np.array([-2**100, 0, 2**100], dtype=object),
    "object np.str_": np.array([np.str_("a"), np.str_("b")], dtype=object),
    "object bytes": np.array([b"a\x00", b"a\x00\x00"], dtype=object),
    "object floats": np.array([1.0, 2.0, 3.0], dtype=object),
    "object bools": np.array([False, True], dtype=object),
}


@pytest.mark.parametrize("cls", [LogisticRegression, MLPClassifier, Perceptron])
@pytest.mark.parametrize("case", list(LABELS))
def test_labels_round_trip_exactly(cls, case, tmp_path):
    labels = LABELS[case]
    if cls is Perceptron:
        labels = labels[:2]
    y = labels[np.arange(60) % len(labels)]
    model, X = fit(cls, y=y, hidden_layer_sizes=(3,)) if cls is MLPClassifier else fit(cls, y=y)
    assert len(model.classes_) == len(labels)
    mlpcore.save(model, tmp_path / "m.npz")
    loaded = mlpcore.load(tmp_path / "m.npz")

    def exact(array):
        return array.dtype, [(type(v), v) for v in array.tolist()], [type(v) for v in array]

    assert exact(loaded.classes_) == exact(model.classes_)
    assert exact(loaded.predict(X)) == exact(model.predict(X))
    loaded.partial_fit(X, y)  # the labels of y are still found among classes_


def test_labels_that_cannot_round_trip_are_refused_by_save(tmp_path):
    from decimal import Decimal
    from fractions import Fraction

    for labels in (np.array([Decimal(1), Decimal(2)], dtype=object),
                   np.array([Fraction(1, 2), Fraction(3, 2)], dtype=object),
                   np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"),
                   np.array([1.0, 2.0], dtype=np.longdouble)):
        try:
            model, _ = fit(LogisticRegression, y=labels[np.arange(60) % 2])
        except ValueError:
            continue  # refused by fit already
        with pytest.raises(ValueError, match="cannot be saved"):
            mlpcore.save(model, tmp_path / "m.npz")
        assert not any(tmp_path.iterdir())


def test_hostile_labels_are_refused(good, tmp_path):
    src = good["perceptron"]  # two classes: each case below is wrong in one way only
    hostile = [
        {"dtype": "|i1", "values": [1, 300]},
        {"dtype": "|i1", "values": [1, 2.0]},
        {"dtype": "|i1", "values": [False, True]},
        {"dtype": "<u8", "values": [-1, 1]},
        {"dtype": "<u8", "values": [1, 2**64]},
        {"dtype": "<f2", "values": [1.0, 1e10]},
        {"dtype": "<f8", "values": [1.0, 1]},
        {"dtype": "|b1", "values": [0, 1]},
        {"dtype": "<U2", "values": ["a", "a\u0000"]},
        {"dtype": "<U2", "values": ["a", "abc"]},
        {"dtype": "<U2", "values": ["a", 1]},
        {"dtype": "|S2", "values": ["a", "\u0100"]},
        {"dtype": "|S2", "values": ["a", "b\u0000"]},
        {"dtype": "|S2", "values": ["a", None]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["builtins.eval", "b"]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["os.system", "b"]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["numpy.object_", "b"]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["builtins.str", 1]]},
        {"dtype": "|O", "values": [["builtins.int", 1], ["builtins.int", "2"]]},
        {"dtype": "|O", "values": [["builtins.int", 1], ["builtins.int", 2.5]]},
        {"dtype": "|O", "values": [["numpy.int8", 1], ["numpy.int8", 300]]},
        {"dtype": "|O", "values": [["builtins.int", 1], ["builtins.str", "a"]]},
        {"dtype": "|O", "values": [["builtins.bytes", "a"], ["builtins.bytes", 1]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["builtins.str"]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], "b"]},
        {"dtype": "|O", "values": [["builtins.str", "b"], ["builtins.str", "a"]]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["builtins.str", "a"]]},
        {"dtype": "<M8[D]", "values": [1, 2]},
        {"dtype": "<c16", "values": [1, 2]},
        {"dtype": "|V8", "values": [1, 2]},
        {"dtype": "<U0", "values": ["", ""]},
        {"dtype": "int64", "values": [1, 2]},
        {"dtype": "<i8", "values": [[1], [2]]},
        {"dtype": "<i8", "values": "12"},
        {"dtype": "<i8"},
        {"values": [1, 2]},
        {"dtype": "<i8", "values": [1, 2], "x": 1},
        ["<i8", [1, 2]],
    ]
    controls = [  # the same dtypes with labels that do round-trip
        {"dtype": "|i1", "values": [1, 2]}, {"dtype": "<u8", "values": [0, 2**64 - 1]},
        {"dtype": "<f2", "values": [1.0, 2.0]}, {"dtype": "|b1", "values": [False, True]},
        {"dtype": "<U2", "values": ["a", "ab"]}, {"dtype": "|S2", "values": ["a", "\u00ff"]},
        {"dtype": "|O", "values": [["builtins.str", "a"], ["numpy.str_", "b"]]},
        {"dtype": "|O", "values": [["builtins.int", 1], ["numpy.int8", 2]]},
        {"dtype": "|O", "values": [["builtins.bytes", "a"], ["numpy.bytes_", "b"]]},
    ]
    for i, labels in enumerate(controls + hostile):
        path = rewritten(src, tmp_path / f"{i}.npz",
                         change=lambda m, v=labels: m["state"].update(classes_=v))
        if i < len(controls):
            assert len(mlpcore.load(path).classes_) == 2
        else:
            with pytest.raises(ModelFileError, match="classes_"):
                mlpcore.load(path)
    members, meta = members_of(src)
    for labels in ('{"dtype": "<f8", "values": [1.0, 1e999]}',  # JSON's way to infinity
                   '{"dtype": "|O", "values": [["builtins.float", 1.0], '
                   '["builtins.float", 1e999]]}'):
        text = json.dumps(meta).replace(json.dumps(meta["state"]["classes_"]), labels)
        forge(tmp_path / "inf.npz", {**members, "__meta__.npy": npy(np.frombuffer(
            text.encode(), np.uint8))})
        with pytest.raises(ModelFileError, match="classes_ must be finite"):
            mlpcore.load(tmp_path / "inf.npz")


# ------------------------------------------------------------------------------ save

def test_save_refuses_to_replace_anything_but_a_regular_file(good, tmp_path):
    made, server = special_files(tmp_path / "special")
    try:
        before = {case: os.lstat(path) for case, path in made.items()}
        outcomes = run_child([("save", good["network"], path) for path in made.values()],
                             good["network"], timeout=60)
    finally:
        server.close()
    for (case, path), outcome in zip(made.items(), outcomes):
        kind = case.removeprefix("a symlink to ")
        assert outcome == ["ModelFileError", f"{path}: is {kind}, not a regular file"], case
        after = os.lstat(path)
        assert (after.st_mode, after.st_ino) == (before[case].st_mode, before[case].st_ino), case
    assert sorted(p.name for p in (tmp_path / "special").iterdir()) == sorted(
        p.name for p in made.values())


def test_save_into_a_missing_folder_names_the_path(good, tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere/m.npz"):
        mlpcore.save(mlpcore.load(good["network"]), tmp_path / "nowhere" / "m.npz")


def test_save_follows_a_symlink_and_keeps_it(good, tmp_path):
    model = mlpcore.load(good["network"])
    target, link = tmp_path / "target.npz", tmp_path / "link.npz"
    target.write_bytes(b"old")
    link.symlink_to(target)
    mlpcore.save(model, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert np.array_equal(mlpcore.load(target).weights[0], model.weights[0])
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "created.npz")
    mlpcore.save(model, dangling)
    assert dangling.is_symlink() and (tmp_path / "created.npz").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "created.npz", "dangling.npz", "link.npz", "target.npz"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_a_new_file_gets_the_mode_of_the_umask(good, tmp_path, umask):
    model = mlpcore.load(good["network"])
    old = os.umask(umask)
    try:
        mlpcore.save(model, tmp_path / "new.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.npz").stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o600, 0o444, 0o777, 0o4755, 0o2750])
def test_an_overwritten_file_keeps_its_permissions(good, tmp_path, mode):
    model = mlpcore.load(good["network"])
    path = tmp_path / "old.npz"
    path.write_bytes(b"old")
    path.chmod(mode)
    mlpcore.save(model, path)
    assert stat.S_IMODE(path.stat().st_mode) == mode & 0o777  # setuid and setgid dropped
    assert mlpcore.load(path).layer_sizes == model.layer_sizes


def test_assigned_weights_are_the_state_a_file_keeps(tmp_path):
    # the published attributes are the state: assigned ones are saved, as they predict
    for cls, params, attribute in ((LogisticRegression, {}, "coef_"),
                                   (MLPClassifier, {"hidden_layer_sizes": (3,)}, "coefs_")):
        model, X = fit(cls, **params)
        if attribute == "coef_":
            model.coef_ = model.coef_ * 2
        else:
            model.coefs_ = [w + 1 for w in model.coefs_]
        expected = model.predict_proba(X)
        mlpcore.save(model, tmp_path / f"{cls.__name__}.npz")
        loaded = mlpcore.load(tmp_path / f"{cls.__name__}.npz")
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_save_refuses_state_a_file_would_not_keep(tmp_path):
    model, X = fit(LinearRegression)
    model.note_ = "kept nowhere"
    with pytest.raises(ValueError, match="note_"):
        mlpcore.save(model, tmp_path / "m.npz")
    model, X = fit(Perceptron)
    model._weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        mlpcore.save(model, tmp_path / "m.npz")
    model, X = fit(MLPRegressor, hidden_layer_sizes=2)
    model.set_params(random_state=np.random.default_rng(0))
    with pytest.raises(TypeError, match="random_state"):
        mlpcore.save(model, tmp_path / "m.npz")
    assert not any(tmp_path.iterdir())
