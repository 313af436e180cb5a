#!/usr/bin/env python3
"""Hostile cases against mlpcore, each in a child process with a timeout and a memory cap.

A case passes when its child exits with status 0: the hostile input met a clear Python
exception (or a correct result), as its code asserts. It fails on a crash (a signal), a
hang (past its timeout), running out of its memory cap, an undocumented exception or a
wrong answer. Prints a table of the cases and a summary per class; exits 1 on any failure.

    python tools/redteam.py                  # every case
    python tools/redteam.py --budget 120     # stop starting cases after 120 s (CI)
    python tools/redteam.py --only files     # the classes whose name contains "files"
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass

MEMORY_CAP = 3 << 30  # bytes of address space per child

PRELUDE = """
import os, signal, subprocess, sys, threading, time, warnings
import numpy as np
import mlpcore
from mlpcore import kernels as K
from mlpcore import (LinearRegression, LogisticRegression, MLPClassifier, MLPRegressor,
                     Perceptron)
warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
X = rng.normal(size=(200, 4)); y = (X[:, 0] + X[:, 1] > 0).astype(int)
work = os.getcwd()

def raises(exc, fn, *words):
    try:
        fn()
    except exc as e:
        text = str(e)
        assert all(w.lower() in text.lower() for w in words), f"message lacks {words}: {text}"
        return text
    raise AssertionError(f"no {exc.__name__} was raised")

def members_of(path):
    import zipfile
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}

def write_members(path, members):
    import zipfile
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)

def refused_or_same(m, path):
    # a tampered model file is refused, or loads as the very model m
    try:
        loaded = mlpcore.load(path)
    except mlpcore.ModelFileError:
        return
    assert type(loaded) is type(m), type(loaded)
    if hasattr(m, "predict_proba"):
        assert np.array_equal(loaded.predict_proba(X), m.predict_proba(X)), "other predictions"
    assert [repr(p) for p in loaded.predict(X)] == [repr(p) for p in m.predict(X)], "other labels"
    assert np.array_equal(np.asarray(loaded.coef_), np.asarray(m.coef_)), "other coef_"

def cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "mlpcore", *args], capture_output=True,
                          text=True, timeout=60, input=stdin)

def cli_refuses(*args):
    r = cli(*args)
    assert r.returncode == 1, (r.returncode, r.stderr[-500:])
    assert "Traceback" not in r.stderr, r.stderr[-800:]
    return r.stderr
"""


@dataclass
class Case:
    group: str
    name: str
    code: str
    timeout: float = 60.0


CASES: list[Case] = []


def case(group, name, code, timeout=60.0):
    CASES.append(Case(group, name, textwrap.dedent(code), timeout))


# ------------------------------------------------------------------------ memory safety
KERNEL_CALLS = {
    "softmax_forward": "K.softmax_forward(a)",
    "log_softmax_forward": "K.log_softmax_forward(a)",
    "activation_forward": "K.activation_forward('tanh', a)",
    "activation_backward": "K.activation_backward('sigmoid', a, a)",
    "cross_entropy_forward_backward": "K.cross_entropy_forward_backward(a, np.zeros(len(a), int))",
    "matmul": "K.matmul(a, a.T)",
    "linear_forward": "K.linear_forward(a, a.T, None, 'relu')",
    "linear_backward": "K.linear_backward(a, a.T, np.ones((100, 100), a.dtype))",
    "squared_error_backward": "K.squared_error_backward(a, a)",
}
for kernel, call in KERNEL_CALLS.items():
    for dtype in (">f4", ">f8"):
        case("byte order", f"{kernel} {dtype}", f"""
            native = np.random.default_rng(1).normal(size=(100, 100))
            a = native.astype("{dtype}")
            got = {call}
            a = native.astype("{dtype}".replace(">", "="))
            want = {call}
            for g, w in zip(got if isinstance(got, tuple) else [got],
                            want if isinstance(want, tuple) else [want]):
                assert np.array_equal(np.asarray(g), np.asarray(w)), "differs from native"
            """)
for dtype in (">f4", ">f8"):
    case("byte order", f"sgd_step param {dtype}", f"""
        raises(TypeError, lambda: K.sgd_step(np.ones(5, "{dtype}"), np.ones(5), 0.1), "byte order")
        """)
    case("byte order", f"softmax out {dtype}", f"""
        a = np.ones((4, 3), "{dtype}".replace(">", "="))
        raises(TypeError, lambda: K.softmax_forward(a, out=np.ones((4, 3), "{dtype}")), "byte order")
        """)

# ------------------------------------------------------------------------ fork, signals
for work_ in ("K.matmul(big, big)", "MLPClassifier((16,), max_epochs=2).fit(X, y)"):
    for start in ("pool", "joblib"):
        case("fork", f"{start} after {work_.split('(')[0]}", f"""
            import multiprocessing as mp
            mlpcore.set_num_threads(2)
            big = np.ones((500, 500), np.float32)
            def task(i):
                return float(K.matmul(big, big)[0, 0]) + i
            {work_}
            if "{start}" == "pool":
                with mp.get_context("fork").Pool(2) as p:
                    got = p.map(task, range(4))
            else:
                from joblib import Parallel, delayed
                got = Parallel(n_jobs=2, backend="multiprocessing")(delayed(task)(i) for i in range(4))
            assert got == [500.0 + i for i in range(4)], got
            """, timeout=60)
for target, model in (("kernel", None), ("fit", "MLPRegressor((512, 512))"),
                      ("fit", "LogisticRegression(solver='sgd', batch_size=1)")):
    call = ("K.matmul(np.ones((6000, 6000), np.float32), np.ones((6000, 6000), np.float32))"
            if model is None else
            f"est.fit(rng.normal(size=(100000, 200)), rng.integers(0, 2, 100000))")
    case("ctrl-c", f"{target} {model or 'matmul 6000^3'}", f"""
        est = {model or 'None'}
        if est is not None:
            est.set_params(max_epochs=10**6, tol=None)
        sent = []
        def send():
            time.sleep(1.0); sent.append(time.perf_counter()); os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=send, daemon=True).start()
        try:
            {call}
            raise AssertionError("not interrupted")
        except KeyboardInterrupt:
            delay = time.perf_counter() - sent[0]
        assert delay < 0.5, f"{{delay:.2f}} s to react"
        assert est is None or not hasattr(est, "n_features_in_"), "a half-fitted estimator"
        """, timeout=60)

# ------------------------------------------------------------------------ model files
case("files", "zip bomb: 1.5 GB member", """
    import zipfile
    m = LogisticRegression(max_epochs=3).fit(X, y)
    mlpcore.save(m, "m.npz")
    with zipfile.ZipFile("m.npz", "a", zipfile.ZIP_DEFLATED) as z, \
            z.open("bomb.npy", "w", force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                                 "shape": (200_000_000,)})
        chunk = bytes(1 << 24)
        for _ in range(96):
            f.write(chunk)
    start = time.perf_counter()
    try:
        mlpcore.load("m.npz")
    except mlpcore.ModelFileError:
        pass
    assert time.perf_counter() - start < 5, "the bomb was decompressed"
    """, timeout=120)
for shape in ("(10**10,)", "(2**40, 2**40)", "(-1,)"):
    case("files", f"member declaring shape {shape}", f"""
        import io
        m = LogisticRegression(max_epochs=3).fit(X, y)
        mlpcore.save(m, "m.npz")
        members = members_of("m.npz")
        victim = [n for n in members if n.endswith(".npy") and "meta" not in n][0]
        buf = io.BytesIO()
        header = "{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
        header = header + " " * (117 - len(header)) + "\\n"
        buf.write(b"\\x93NUMPY\\x01\\x00" + len(header).to_bytes(2, "little") + header.encode())
        members[victim] = buf.getvalue()
        write_members("m.npz", members)
        raises(mlpcore.ModelFileError, lambda: mlpcore.load("m.npz"))
        """)
case("files", "coef_ stored big-endian", """
    import io
    m = LinearRegression(max_epochs=50).fit(X, X[:, 0])
    mlpcore.save(m, "m.npz")
    members = members_of("m.npz")
    for n in list(members):
        if n.endswith(".npy"):
            a = np.load(io.BytesIO(members[n]), allow_pickle=False)
            if a.dtype.kind == "f":
                b = io.BytesIO(); np.save(b, a.astype(a.dtype.newbyteorder(">"))); members[n] = b.getvalue()
    write_members("m.npz", members)
    refused_or_same(m, "m.npz")
    """)


def _tamper(name, edit):
    case("files", name, f"""
        import json
        m = LogisticRegression(max_epochs=3).fit(X, np.array(["a", "b", "c", "d"])[rng.integers(0, 4, 200)])
        mlpcore.save(m, "m.npz")
        members = members_of("m.npz")
        meta_name = [n for n in members if "meta" in n][0]
        raw = members[meta_name]
        import io
        stored = np.load(io.BytesIO(raw), allow_pickle=False) if raw.startswith(b"\\x93NUMPY") else None
        if stored is None:
            text = raw.decode()
        else:   # JSON text as a byte array, or as a string array
            text = stored.tobytes().decode() if stored.dtype == np.uint8 else str(stored)
        meta = json.loads(text)
        {edit}
        text = json.dumps(meta).replace('"DEEP"', "[" * 100000 + "]" * 100000)
        if stored is None:
            members[meta_name] = text.encode()
        else:
            b = io.BytesIO()
            np.save(b, np.frombuffer(text.encode(), np.uint8) if stored.dtype == np.uint8
                    else np.array(text))
            members[meta_name] = b.getvalue()
        write_members("m.npz", members)
        refused_or_same(m, "m.npz")
        """)


def _walk_edit(fn):
    """Code that applies fn (source of a function of a value) to every leaf of meta."""
    return f"""
        def edit(v, depth=0):
            if isinstance(v, dict):
                return {{k: edit(x, depth + 1) for k, x in v.items()}}
            if isinstance(v, list):
                return [edit(x, depth + 1) for x in v]
            return ({fn})(v)
        meta = edit(meta)"""


_tamper("metadata: class renamed", "meta['class'] = 'MLPClassifier' if 'class' in meta else None")
_tamper("metadata: every string becomes a list", _walk_edit("lambda v: [v] if isinstance(v, str) else v"))
_tamper("metadata: every number becomes a string", _walk_edit("lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v"))
_tamper("metadata: every number becomes huge", _walk_edit("lambda v: 10**400 if isinstance(v, int) and not isinstance(v, bool) else v"))
_tamper("metadata: every number becomes NaN", _walk_edit("lambda v: float('nan') if isinstance(v, (int, float)) and not isinstance(v, bool) else v"))
_tamper("metadata: every value becomes None", _walk_edit("lambda v: None"))
_tamper("metadata: every list reversed", """
        def rev(v):
            if isinstance(v, dict):
                return {k: rev(x) for k, x in v.items()}
            if isinstance(v, list):
                return [rev(x) for x in v][::-1]
            return v
        meta = rev(meta)""")
_tamper("metadata: deep nesting", "meta['params']['shuffle'] = 'DEEP'  # 100000 nested lists")
_tamper("metadata: not an object", "meta = [meta]")
_tamper("metadata: empty", "meta = {}")
_tamper("metadata: entry named like a method", """
        def inject(v):
            if isinstance(v, dict):
                v = {k: inject(x) for k, x in v.items()}
                v["predict"] = 1; v["__class__"] = "x"
            return v
        meta = inject(meta)""")
_tamper("metadata: format version from the future", """
        for k in list(meta):
            if "version" in k and isinstance(meta[k], int):
                meta[k] = meta[k] + 100""")

for what in ("classes_ reversed", "classes_ shortened", "weights made NaN", "array dropped"):
    case("files", f"state: {what}", f"""
        import io
        m = LogisticRegression(max_epochs=3).fit(X, rng.integers(0, 3, 200))
        mlpcore.save(m, "m.npz")
        members = members_of("m.npz")
        arrays = {{n: np.load(io.BytesIO(d), allow_pickle=False) for n, d in members.items()
                  if n.endswith(".npy") and "meta" not in n}}
        what = "{what}"
        for n, a in arrays.items():
            if what == "classes_ reversed" and "class" in n:
                a = a[::-1]
            elif what == "classes_ shortened" and "class" in n:
                a = a[:-1]
            elif what == "weights made NaN" and a.dtype.kind == "f" and a.ndim == 2:
                a = a * np.nan
            b = io.BytesIO(); np.save(b, a); members[n] = b.getvalue()
        if what == "array dropped":
            members.pop(sorted(arrays)[0])
        write_members("m.npz", members)
        refused_or_same(m, "m.npz")
        """)
for kind in ("truncated", "empty", "not a zip", "directory", "unreadable", "fifo"):
    case("files", f"load: {kind}", f"""
        m = LogisticRegression(max_epochs=3).fit(X, y)
        mlpcore.save(m, "m.npz")
        kind = "{kind}"
        data = open("m.npz", "rb").read()
        path = "bad.npz"
        if kind == "truncated":
            open(path, "wb").write(data[: len(data) // 2])
        elif kind == "empty":
            open(path, "wb").close()
        elif kind == "not a zip":
            open(path, "wb").write(b"x,y\\n1,2\\n")
        elif kind == "directory":
            os.mkdir(path)
        elif kind == "unreadable":
            open(path, "wb").write(data); os.chmod(path, 0)
            if os.geteuid() == 0:   # root reads anything: nothing to refuse
                os.chmod(path, 0o644)
        else:
            os.mkfifo(path)
        try:
            mlpcore.load(path)
            assert kind == "unreadable" and os.geteuid() == 0, "accepted"
        except (mlpcore.ModelFileError, PermissionError, IsADirectoryError) as e:
            assert path in str(e) or "bad.npz" in str(e), str(e)
        """, timeout=30)
for kind in ("fifo", "symlink to a fifo", "existing file mode 0644", "umask 022"):
    case("files", f"save over {kind}", f"""
        import stat
        m = LogisticRegression(max_epochs=3).fit(X, y)
        kind = "{kind}"
        if kind == "fifo":
            os.mkfifo("target")
        elif kind == "symlink to a fifo":
            os.mkfifo("fifo"); os.symlink("fifo", "target")
        elif kind == "existing file mode 0644":
            open("target", "w").close(); os.chmod("target", 0o644)
        else:
            os.umask(0o022)
        if "fifo" in kind:
            raises(ValueError, lambda: mlpcore.save(m, "target"))
            assert stat.S_ISFIFO(os.stat("target").st_mode), "the fifo was replaced"
        else:
            mlpcore.save(m, "target")
            assert stat.S_IMODE(os.stat("target").st_mode) == 0o644, oct(os.stat("target").st_mode)
        """, timeout=30)
for label in ("['a', 'a\\x00']", "np.array([1, 2], dtype=object)", "[True, False]",
              "[0.5, 1.5]", "['=cmd', '+x']", "[-1, 1]", "['é', 'ß']"):
    case("labels", f"round trip of {label}", f"""
        labels = np.asarray({label}, dtype=object if "object" in "{label}" else None)
        yy = labels[rng.integers(0, len(labels), 200)] if len(labels) else labels
        yy[:2] = labels[:2]
        try:
            m = LogisticRegression(max_epochs=3).fit(X, yy)
        except (ValueError, TypeError) as e:
            raise SystemExit(0)   # refused at fit: acceptable
        assert len(m.classes_) == len(set(map(repr, labels.tolist()))), m.classes_
        try:
            mlpcore.save(m, "m.npz")
        except (ValueError, TypeError):
            raise AssertionError("fitted but cannot be saved")
        loaded = mlpcore.load("m.npz")
        assert [repr(c) for c in loaded.classes_.tolist()] == [repr(c) for c in m.classes_.tolist()]
        assert [repr(p) for p in loaded.predict(X).tolist()] == [repr(p) for p in m.predict(X).tolist()]
        """)

# ------------------------------------------------------------------------ training
for est in ("MLPClassifier(solver='sgd', learning_rate=1e4)",
            "MLPRegressor(solver='sgd', learning_rate=1e3)",
            "LinearRegression(solver='gd', learning_rate=10)",
            "LogisticRegression(solver='gd', learning_rate=1e300)",
            "LinearRegression(solver='sgd', learning_rate=100)"):
    case("divergence", est, f"""
        est = {est}
        yy = X[:, 0] * 1e3 if "Regressor" in "{est}" or "Linear" in "{est}" else y
        raises(ValueError, lambda: est.fit(X * 100, yy), "diverged", "learning_rate")
        assert not hasattr(est, "coef_") and not hasattr(est, "coefs_"), "garbage kept"
        """)
for weight in ("1e308", "1e-320", "5e-324", "1e-300"):
    case("sample weights", f"uniform {weight}", f"""
        a = LogisticRegression(max_epochs=30).fit(X, y)
        b = LogisticRegression(max_epochs=30).fit(X, y, sample_weight=np.full(len(X), {weight}))
        assert np.allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12), (a.coef_, b.coef_)
        """)
for weight in ("np.zeros(200)", "-np.ones(200)", "np.full(200, np.nan)", "np.full(200, np.inf)"):
    case("sample weights", f"refused {weight}", f"""
        raises(ValueError, lambda: LogisticRegression().fit(X, y, sample_weight={weight}))
        """)
for est in ("MLPClassifier(batch_size=2**64)", "MLPClassifier(hidden_layer_sizes=(10**9,))",
            "MLPClassifier(hidden_layer_sizes=(10**6, 10**6))", "MLPClassifier(batch_size=-1)",
            "MLPClassifier(max_epochs=2**70)", "LogisticRegression(learning_rate=float('nan'))"):
    case("odd inputs", est, f"""
        start = time.perf_counter()
        raises(ValueError, lambda: {est}.fit(X, y))
        assert time.perf_counter() - start < 2, "checked only after allocating"
        """, timeout=30)
case("odd inputs", "scipy.sparse to a kernel and a fit", """
    import scipy.sparse as sp
    s = sp.csr_matrix(np.eye(4))
    raises(TypeError, lambda: K.softmax_forward(s), "sparse")
    raises(TypeError, lambda: LogisticRegression().fit(sp.csr_matrix(X), y), "sparse")
    """)
case("odd inputs", "torch tensor with requires_grad", """
    try:
        import torch
    except ImportError:
        raise SystemExit(0)
    t = torch.tensor(X, requires_grad=True)
    raises(TypeError, lambda: K.softmax_forward(t))
    try:
        LogisticRegression(max_epochs=3).fit(t, y)
    except (TypeError, ValueError) as e:
        assert "grad" in str(e) or "detach" in str(e), str(e)
    """)

# ------------------------------------------------------------------------ command line
CSV = "np.savetxt('d.csv', np.c_[X, y], delimiter=',', header='a,b,c,d,label', comments='')"
for args in (["train", "d.csv", "--out", "d.csv"], ["train", "d.csv", "--out", "./d.csv"],
             ["train", "d.csv", "--out", "link.csv"]):
    case("cli", "output is the input: " + " ".join(args), f"""
        {CSV}
        os.symlink("d.csv", "link.csv")
        before = open("d.csv").read()
        cli_refuses(*{args!r})
        assert open("d.csv").read() == before, "the data was replaced"
        """)
case("cli", "predict --out over the model", f"""
    {CSV}
    assert cli("train", "d.csv", "--model", "logistic", "--out", "m.npz").returncode == 0
    before = open("m.npz", "rb").read()
    cli_refuses("predict", "m.npz", "d.csv", "--out", "m.npz")
    assert open("m.npz", "rb").read() == before
    """)
case("cli", "train /dev/zero", """
    cli_refuses("train", "/dev/zero")
    """, timeout=60)
case("cli", "one endless line from a fifo", """
    os.mkfifo("f.csv")
    def feed():
        with open("f.csv", "wb") as f:
            try:
                while True:
                    f.write(b"1," * 65536)
            except BrokenPipeError:
                pass
    threading.Thread(target=feed, daemon=True).start()
    cli_refuses("train", "f.csv")
    """, timeout=60)
case("cli", "--out in a missing folder", f"""
    {CSV}
    start = time.perf_counter()
    err = cli_refuses("train", "d.csv", "--epochs", "100000", "--out", "missing/dir/m.npz")
    assert "missing" in err and ".tmp" not in err, err
    assert time.perf_counter() - start < 20
    """)
for cell in ("nan", "inf", "-inf", "1e400"):
    case("cli", f"a {cell} cell", f"""
        {CSV}
        lines = open("d.csv").read().splitlines()
        lines[3] = "{cell}," + lines[3].split(",", 1)[1]
        open("d.csv", "w").write("\\n".join(lines) + "\\n")
        err = cli_refuses("train", "d.csv")
        assert "d.csv" in err and "line 4" in err and "column 1" in err, err
        """)
case("cli", "spreadsheet formulas in predicted labels", """
    import csv
    labels = np.array(["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)"])
    yy = labels[rng.integers(0, 4, 200)]
    with open("d.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "d", "label"])
        w.writerows([[*row, lab] for row, lab in zip(X.tolist(), yy)])
    assert cli("train", "d.csv", "--target", "label", "--model", "logistic",
               "--out", "m.npz").returncode == 0
    np.savetxt("new.csv", X, delimiter=",", header="a,b,c,d", comments="")
    r = cli("predict", "m.npz", "new.csv", "--out", "p.csv")
    assert r.returncode == 0, r.stderr
    for row in csv.reader(open("p.csv")):
        assert not row[-1].startswith(("=", "+", "-", "@")), row
    """)


# ------------------------------------------------------------------------ runner

def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    os.setsid()


def run_case(c: Case, env) -> tuple[str, float, str]:
    with tempfile.TemporaryDirectory(prefix="mlpcore-redteam-") as cwd:
        start = time.perf_counter()
        try:
            child = subprocess.run([sys.executable, "-c", PRELUDE + c.code], cwd=cwd, env=env,
                                   capture_output=True, text=True, timeout=c.timeout,
                                   preexec_fn=_limit_memory)
        except subprocess.TimeoutExpired:
            return "HANG", time.perf_counter() - start, f"no exit after {c.timeout:g} s"
        seconds = time.perf_counter() - start
    if child.returncode == 0:
        return "ok", seconds, ""
    if child.returncode < 0:
        return "CRASH", seconds, signal.Signals(-child.returncode).name
    last = (child.stderr.strip().splitlines() or ["(no output)"])[-1]
    if "MemoryError" in child.stderr or "bad_alloc" in child.stderr:
        return "MEMORY", seconds, last
    return "FAIL", seconds, last


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds after which no new case starts (the rest are reported "
                             "as not run)")
    parser.add_argument("--only", default="", help="run the classes whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if args.only in c.group]
    if args.list:
        for c in cases:
            print(f"{c.group}: {c.name}")
        return 0
    env = dict(os.environ)
    start = time.perf_counter()
    results = []
    width = max(len(f"{c.group}: {c.name}") for c in cases)
    for c in cases:
        if args.budget is not None and time.perf_counter() - start > args.budget:
            results.append((c, "not run", 0.0, "budget spent"))
            continue
        outcome, seconds, detail = run_case(c, env)
        results.append((c, outcome, seconds, detail))
        label = f"{c.group}: {c.name}"
        print(f"{label:<{width}}  {outcome:<7} {seconds:6.2f} s  {detail[:100]}", flush=True)
    print()
    groups = dict.fromkeys(c.group for c in cases)
    for g in groups:
        rows = [r for r in results if r[0].group == g]
        counts = {o: sum(r[1] == o for r in rows) for o in dict.fromkeys(r[1] for r in rows)}
        print(f"{g:<15} {len(rows):3d} cases: " + ", ".join(f"{n} {o}" for o, n in counts.items()))
    failed = [r for r in results if r[1] not in ("ok", "not run")]
    ran = sum(r[1] != "not run" for r in results)
    print(f"\n{ran} of {len(results)} cases run in {time.perf_counter() - start:.0f} s: "
          f"{ran - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
