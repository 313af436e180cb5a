"""Byte order and alignment at the binding layer: every kernel, with inputs stored
big-endian (">f4", ">f8"), inputs that are native views of big-endian-declared buffers,
misaligned inputs (at an odd address, as a deserialized message may leave them), and
outputs of each kind.

A non-native or misaligned float input is read through a native, aligned copy, so the
result is bitwise that of the native input; a non-native array that a kernel writes into
is refused with a TypeError naming the kernel, a misaligned one with a ValueError. The cases run in one child process (a heap corruption there
fails these tests instead of killing pytest), which reports each case's outcome.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

FOREIGN = ">" if sys.byteorder == "little" else "<"


def swapped(x):
    """The same values, stored in the other byte order."""
    return x.astype(x.dtype.newbyteorder(FOREIGN))


def native_view_of_swapped(x):
    """A native view holding x's values, on a buffer whose owner is declared foreign."""
    owner = np.zeros(x.shape, x.dtype.newbyteorder(FOREIGN))
    view = owner.view(x.dtype)
    view[...] = x
    assert view.base is owner
    return view


def misaligned(x):
    """The same values in a native array one byte past an aligned address."""
    buffer = np.zeros(x.nbytes + 1, np.uint8)
    view = buffer[1:].view(x.dtype).reshape(x.shape)
    view[...] = x
    assert not view.flags.aligned and view.flags.writeable
    return view


def _inputs(dt, seed=0):
    rng = np.random.default_rng(seed)
    n, d, k = 37, 19, 7
    return {
        "x": rng.normal(size=(n, d)).astype(dt), "w": rng.normal(size=(d, k)).astype(dt),
        "b": rng.normal(size=k).astype(dt), "dz": rng.normal(size=(n, k)).astype(dt),
        "a": rng.normal(size=(n, k)).astype(dt), "p": rng.dirichlet(np.ones(k), n).astype(dt),
        "y": np.tanh(rng.normal(size=(n, k))).astype(dt), "s": rng.normal(size=n).astype(dt),
        "d": np.where(rng.normal(size=n) > 0, 1.0, -1.0).astype(dt),
        "param": rng.normal(size=(d, k)).astype(dt), "grad": rng.normal(size=(d, k)).astype(dt),
        "labels": rng.integers(0, k, n),
    }


# Each kernel call with its float inputs named; `outputs` are the arguments it writes into.
CALLS = {
    "matmul": (lambda K, v, o: K.matmul(v["x"], v["w"], **o), ("x", "w"), {"out": ("n", "k")}),
    "matmul-transposed": (lambda K, v, o: K.matmul(v["w"].T, v["param"], **o), ("w", "param"),
                          {"out": ("k", "k")}),
    "gemm": (lambda K, v, o: K.gemm(v["x"], v["w"], o["c"], alpha=0.5, beta=1.0),
             ("x", "w"), {"c": ("n", "k")}),
    "linear_forward": (lambda K, v, o: K.linear_forward(v["x"], v["w"], v["b"], "tanh", **o),
                       ("x", "w", "b"), {"out": ("n", "k")}),
    "linear_backward": (lambda K, v, o: K.linear_backward(v["x"], v["w"], v["dz"], **o),
                        ("x", "w", "dz"), {"dx": ("n", "d"), "dw": ("d", "k"), "db": ("k",)}),
    "softmax_forward": (lambda K, v, o: K.softmax_forward(v["a"], **o), ("a",),
                        {"out": ("n", "k")}),
    "log_softmax_forward": (lambda K, v, o: K.log_softmax_forward(v["a"], **o), ("a",),
                            {"out": ("n", "k")}),
    "cross_entropy_forward": (lambda K, v, o: K.cross_entropy_forward(v["a"], v["p"]),
                              ("a", "p"), {}),
    "cross_entropy_backward": (lambda K, v, o: K.cross_entropy_backward(v["a"], v["labels"], **o),
                               ("a",), {"dlogits": ("n", "k")}),
    "cross_entropy_forward_backward": (
        lambda K, v, o: K.cross_entropy_forward_backward(v["a"], v["p"], **o), ("a", "p"),
        {"dlogits": ("n", "k")}),
    "squared_error_forward": (lambda K, v, o: K.squared_error_forward(v["y"], v["a"]),
                              ("y", "a"), {}),
    "squared_error_backward": (lambda K, v, o: K.squared_error_backward(v["y"], v["a"], **o),
                               ("y", "a"), {"dy": ("n", "k")}),
    "perceptron_forward": (lambda K, v, o: K.perceptron_forward(v["s"], v["d"]), ("s", "d"), {}),
    "perceptron_backward": (lambda K, v, o: K.perceptron_backward(v["s"], v["d"], **o),
                            ("s", "d"), {"dscores": ("n",)}),
    "sgd_step": (lambda K, v, o: K.sgd_step(o["param"], v["grad"], 0.1, momentum=0.9,
                                            velocity=o["velocity"], weight_decay=0.01),
                 ("grad",), {"param": ("d", "k"), "velocity": ("d", "k")}),
    "adam_step": (lambda K, v, o: K.adam_step(o["param"], v["grad"], 0.1, o["m"], o["v"], 3,
                                              weight_decay=0.01),
                  ("grad",), {"param": ("d", "k"), "m": ("d", "k"), "v": ("d", "k")}),
    "average_step": (lambda K, v, o: K.average_step(o["avg"], v["param"], 3), ("param",),
                     {"avg": ("d", "k")}),
}
CALLS.update({
    f"activation_forward-{name}": (
        lambda K, v, o, name=name: K.activation_forward(name, v["a"], **o), ("a",),
        {"out": ("n", "k")})
    for name in ("identity", "sign", "heaviside", "tanh", "sigmoid", "relu", "softplus")})
CALLS.update({
    f"activation_backward-{name}": (
        lambda K, v, o, name=name: K.activation_backward(name, v["y"], v["dz"], **o),
        ("y", "dz"), {"out": ("n", "k")})
    for name in ("identity", "tanh", "sigmoid", "relu", "softplus")})

# Output arguments that are also read (updated in place) start from these values.
STARTS = {"c": "dz", "param": "param", "velocity": "grad", "avg": "w", "m": "grad", "v": "p"}
INPUT_VARIANTS = {"swapped": swapped, "native-view": native_view_of_swapped,
                  "misaligned": misaligned}
OUTPUT_VARIANTS = ("none", "native", "native-view", "swapped", "misaligned")


def _outputs(kind, specs, v, dt):
    sizes = {"n": 37, "d": 19, "k": 7}
    made = {}
    for name, shape in specs.items():
        shape = tuple(sizes[s] for s in shape)
        if kind == "none" and name not in STARTS:
            continue
        start = v[STARTS[name]].reshape(-1)[:int(np.prod(shape))].reshape(shape) \
            if name in STARTS else np.zeros(shape, dt)
        start = np.array(start, dt, order="C")  # a copy: never a view of an input
        made[name] = {"none": start, "native": start, "native-view": native_view_of_swapped(start),
                      "swapped": swapped(start), "misaligned": misaligned(start)}[kind]
    return made


def _flat(result, outs):
    parts = list(result) if isinstance(result, tuple) else [result]
    parts += list(outs.values())
    return [np.asarray(p, np.float64).ravel() for p in parts]


def run_cases():
    """Every (kernel, dtype, input variant, output variant): 'ok', or what went wrong."""
    import mlpcore.kernels as K

    outcomes = {}
    for kernel, (call, inputs, outs) in CALLS.items():
        for dt in (np.float32, np.float64):
            base = _inputs(dt)
            wants = {}
            for kind in ("none", "native"):
                ref_outs = _outputs(kind, outs, base, dt)
                wants[kind] = _flat(call(K, base, ref_outs), ref_outs)
            for in_kind, make in [("native", None), *INPUT_VARIANTS.items()]:
                for out_kind in OUTPUT_VARIANTS:
                    want = wants["none" if out_kind == "none" else "native"]
                    case = f"{kernel}-{np.dtype(dt).name}-in:{in_kind}-out:{out_kind}"
                    v = dict(base)
                    for name in inputs:
                        v[name] = make(base[name]) if make else base[name]
                    o = _outputs(out_kind, outs, base, dt)
                    try:
                        got = _flat(call(K, v, o), o)
                    except TypeError as e:
                        refused = out_kind == "swapped" and bool(o)
                        outcomes[case] = "ok" if refused and str(e).startswith("[") and \
                            "byte order" in str(e) else f"TypeError: {e}"
                        continue
                    except ValueError as e:
                        refused = out_kind == "misaligned" and bool(o)
                        outcomes[case] = "ok" if refused and str(e).startswith("[") and \
                            "must be aligned" in str(e) else f"ValueError: {e}"
                        continue
                    except Exception as e:  # noqa: BLE001 - reported, then asserted on
                        outcomes[case] = f"{type(e).__name__}: {e}"
                        continue
                    if out_kind in ("swapped", "misaligned") and o:
                        outcomes[case] = f"a {out_kind} output was accepted"
                    elif len(got) != len(want) or not all(
                            np.array_equal(g, w, equal_nan=True) for g, w in zip(got, want)):
                        outcomes[case] = "result differs from the native call"
                    else:
                        outcomes[case] = "ok"
    return outcomes


CASE_IDS = [f"{kernel}-{np.dtype(dt).name}-in:{i}-out:{o}" for kernel in CALLS
            for dt in (np.float32, np.float64) for i in ("native", *INPUT_VARIANTS)
            for o in OUTPUT_VARIANTS]


@pytest.fixture(scope="module")
def outcomes():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.run([sys.executable, __file__], capture_output=True, text=True,
                           timeout=300, env=env)
    assert child.returncode == 0, (
        f"the child process died (status {child.returncode}):\n{child.stderr[-3000:]}")
    return json.loads(child.stdout)


@pytest.mark.parametrize("case", CASE_IDS)
def test_byte_order(outcomes, case):
    assert outcomes[case] == "ok", outcomes[case]


def test_every_kernel_is_covered():
    import mlpcore.kernels as K

    covered = {name.split("-")[0] for name in CALLS}
    assert covered == set(K.__all__) - {"ACTIVATIONS"}


def test_the_finiteness_check_reads_a_misaligned_array():
    from mlpcore import _core

    x = np.arange(12.0).reshape(3, 4)
    assert _core._all_finite(misaligned(x))
    x[1, 2] = np.nan
    assert not _core._all_finite(misaligned(x))
    assert not _core._all_finite(misaligned(x.astype(np.float32)).T)


def test_estimators_and_trainer_read_big_endian_data():
    from mlpcore import LogisticRegression, MLPRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int)
    native = LogisticRegression(max_epochs=20).fit(X, y)
    foreign = LogisticRegression(max_epochs=20).fit(swapped(X), y)
    np.testing.assert_array_equal(native.coef_, foreign.coef_)
    np.testing.assert_array_equal(native.predict_proba(swapped(X)), native.predict_proba(X))
    reg = MLPRegressor((5,), max_epochs=5, random_state=0, tol=None)
    a = reg.fit(X, X[:, 1]).predict(X)
    b = MLPRegressor((5,), max_epochs=5, random_state=0, tol=None).fit(
        swapped(X), swapped(X[:, 1])).predict(swapped(X))
    np.testing.assert_array_equal(a, b)


if __name__ == "__main__":
    print(json.dumps(run_cases()))
