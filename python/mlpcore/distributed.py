"""Training and prediction on a Dask cluster: the same compiled calls per chunk of rows,
reduced on the driver (``pip install "mlpcore[dask]"``).

``fit(estimator, X, y, client=..., strategy=...)`` trains a model whose data are
row-chunked dask arrays (or NumPy arrays, split into one chunk per worker), with one of
three strategies. ``Incremental`` streams ``partial_fit`` over the blocks of an array
larger than the cluster's memory instead.

``strategy="gradient"`` (what "auto" picks for solvers "gd" and "lbfgs"). The driver
holds the weights; at every step each chunk computes the *sum* over its rows of the loss
and its gradient with the compiled trainer (``Trainer.loss_and_gradient``, the call
``solver="lbfgs"`` makes on one machine), the driver adds the chunks' sums in chunk
order, divides by the total sample weight, adds the weight decay once and steps:

- ``solver="lbfgs"``: mlpcore's own L-BFGS (``_training.lbfgs_loop``) on that objective;
- ``solver="gd"``: the compiled loop's full-batch gradient descent, replayed on the
  driver with the compiled ``sgd_step`` and ``average_step`` kernels: learning_rate
  ``"auto"`` is 1/L with L from a distributed power iteration (on a sample of 100,000
  rows above 200,000, as on one machine), the schedule, momentum (Nesterov's too),
  weight decay, averaging, ``tol`` with the relative-gradient rule and ``history_``.

One round trip per epoch (gd) or per evaluation (lbfgs): the weights go out, one
gradient per chunk comes back.

``strategy="sync_sgd"`` (solvers "sgd" and "adam"; data-parallel minibatch SGD, what
PyTorch's DistributedDataParallel computes). The driver replays fit's minibatch loop:
the same permutation from the same generator (the compiled loop's), the same batches;
each chunk returns the sum over its rows of the batch of w_i loss_i and its gradient,
and the driver divides the chunks' total by the batch's size (never a mean of the
chunks' means, which weighs a chunk's few rows as much as another's many) and takes the
compiled loop's step (``sgd_step`` or ``adam_step``, momentum, weight decay, schedule,
averaging). It is latency-bound: one round trip per batch, ceil(n / batch_size) an
epoch, each carrying the weights out and a gradient per chunk back; use it with large
batches, or where it must equal ``fit(solver="sgd")``.

``strategy="average"`` (what "auto" picks for "sgd" and "adam", and for the
Perceptron; local SGD with model averaging). Each partition (chunk) trains its own copy
of the model on its own rows with fit's compiled epochs; every ``average_every`` epochs
the driver replaces the copies' weights (and running averages) by their mean weighted by
each partition's share of the rows, in chunk order, and sends it back: the sample
weights have mean 1 over all the data and each copy's loss is the mean over its own
rows, so the data's loss is the copies' losses weighted by rows. Each copy keeps its
own optimizer state (velocities, Adam's moments, step count and so the schedule) and
generator: partition 0 the model's, so that with one partition the fit is ``fit``
bitwise (within rounding with sample or class weights, which ``fit`` brings to mean 1
in another order); the others one derived from it and the partition's index. The
model's ``t_`` and optimizer state are partition 0's. One round trip per
``average_every`` epochs, with a copy of the weights each way per partition. It is
approximate: an average of models trained on parts of the data is not the model
trained on all of it (on digits, 2 partitions averaged every epoch: the same test
accuracy for LogisticRegression, 1.3 points less for an MLP after 100 epochs; the
README has more). It warns when a partition's class proportions differ from all the
data's by more than 0.1 plus sampling noise (sqrt(classes / rows)): partitions cut
from sorted data train models that average poorly. The stopping rule (``tol``) looks
at every epoch's mean loss over the partitions and stops at the end of that round.

What is exact: each chunk's sums are computed by the same kernels as on one machine and
added in a fixed order, so every strategy gives bitwise the same weights for any number
of workers, any placement of the chunks and any retry after a lost worker ("average"
depends on the chunks, not on the workers; a NumPy array is cut into one chunk per
worker, so pass a dask array for a result that does not depend on the cluster).
Against ``estimator.fit`` on the concatenated data "gradient" and "sync_sgd" differ
only by rounding, because one
machine sums all rows in one pass (and scales each row by 1/n before its GEMM) where
the driver adds per-chunk sums. Measured in float64 (800 rows, 12 features, chunks of
(800,), (200,)*4 or (1, 500, 299)): the loss and gradient within 1e-15 relative; after
50 epochs the weights of LogisticRegression and LinearRegression (gd and lbfgs) and of
an MLPClassifier with gd within 5e-16 (3.4e-15 for lbfgs), those of MLPClassifier and
MLPRegressor with lbfgs within 1.2e-12 and 7e-12; "sync_sgd" after 10 epochs within
9e-16 for LogisticRegression, LinearRegression (momentum, Nesterov, weight decay,
averaging, invscaling), MLPClassifier (sgd and adam) and MLPRegressor (adam). L-BFGS
amplifies rounding on a badly conditioned problem: unregularized multinomial logistic
regression on the first 800 digits differs by 3.3e-8 after 50 iterations, as much as
two one-machine fits of the same rows in another order differ (3.2e-8); with the 1,797
digits, 3.7e-12. That is not exact, and no order of the chunks' sums makes it so.

A ``Standardized`` model is fitted as on one machine: the features' mean and standard
deviation (and the target's, with ``target=True``) by Standardizer's two passes, each
chunk's sums added in chunk order, then its estimator on the standardized chunks by any
strategy; ``predict`` standardizes each block.

Not supported (ValueError): ``early_stopping=True`` (hold out validation rows and score
them with ``predict``) and ``warm_start=True``.

Dask DataFrames (and Series for y and sample_weight) are taken as the dask arrays of
their partitions (``to_dask_array(lengths=True)``, one pass to count each partition's
rows); their column names become ``feature_names_in_``, checked by ``predict`` and
``loss_and_gradient`` as ``fit`` on one machine checks a pandas DataFrame's.

Threads: a task runs the kernels with ``threads_per_task`` threads as the count of its
own thread (``mlpcore.num_threads(n, scope="thread")``, restored after the task), not
capped by the OMP_NUM_THREADS=1 that Dask's nanny gives its worker processes. It changes
neither the process-wide count nor the environment, so on workers that are threads of
the driver's own process (``LocalCluster(processes=False)``) too, tasks run with
``threads_per_task`` threads and the driver keeps its count; the results do not depend
on the thread count.

State travels as the estimator's state (``get_state()``): the class, ``get_params()``
and the state dict, rebuilt on the worker by ``set_state``, which validates it; tasks
copy what they are given and never write into their inputs, so Dask may rerun any of
them after a lost worker. Every task checks that the worker runs the driver's version of
mlpcore.
"""

from __future__ import annotations

import functools
import time

try:
    import dask
    import dask.array as da
    import distributed
except ImportError as exc:  # pragma: no cover - tested in a child process without dask
    raise ImportError(
        "mlpcore.distributed needs Dask with its distributed scheduler: "
        'pip install "mlpcore[dask]"') from exc

import numpy as np

from . import _core, _training
from ._compat import BaseEstimator
from ._runtime import num_threads
from ._state import HISTORY
from .kernels import adam_step, average_step, sgd_step

__all__ = ["STRATEGIES", "Incremental", "fit", "loss_and_gradient", "predict", "predict_proba"]

# fit's strategies (the module's notes describe each).
STRATEGIES = ("gradient", "sync_sgd", "average")
# The rows of a chunk its trainer takes at a time.
_TASK_BATCH = 4096


def _version():
    from . import __version__

    return __version__


def _check_version(driver_version):
    mine = _version()
    if mine != driver_version:
        raise RuntimeError(
            f"mlpcore {mine} on this Dask worker, but the driver runs mlpcore "
            f"{driver_version}: install the same version of mlpcore on every worker")


def _task_threads(n):
    # the worker thread's own count: the driver's and other threads' are left alone
    return num_threads(n, scope="thread")


# -------------------------------------------------------------------------- the model spec

def _spec(model, threads):
    """What a task needs to rebuild model: its class, parameters and state (weights,
    classes, dtype; an empty history), with the settings of the chunks' trainer (no
    weight decay, which the driver adds once; sample weights computed by the driver)."""
    state = dict(model.get_state())
    state["history_"] = {key: [] for key in state["history_"]}
    state.pop("feature_names_in_", None)  # the driver checks the names; tasks get arrays
    state = {key: _copy(value) for key, value in state.items()}
    params = model.get_params(deep=False)
    # The trainer's batches only bound its buffers: loss_and_gradient scales each batch
    # by 1/rows of the chunk and adds them up (a batch of all the rows would make every
    # task allocate and touch buffers of the chunk's size).
    params.update(weight_decay=0.0, solver="sgd", batch_size=_TASK_BATCH, shuffle=False,
                  early_stopping=False, warm_start=False, verbose=False)
    if "class_weight" in params:
        params["class_weight"] = None
    return {"cls": type(model), "params": params, "state": state, "version": _version(),
            "threads": int(threads)}


def _prediction_spec(model):
    """What a task needs to rebuild a fitted mlpcore model (the estimators, Standardized)
    as it is, to predict: its class, parameters and state without the history."""
    if not (hasattr(model, "get_state") and hasattr(model, "set_state")):
        raise TypeError(f"mlpcore.distributed predicts with an mlpcore estimator (its state "
                        f"travels through get_state/set_state); {_kind_name(model)} is not "
                        "one")
    state = {key: _copy(value) for key, value in model.get_state().items()
             if key != "feature_names_in_"}  # the driver checks the names
    if "history_" in state:
        state["history_"] = {key: [] for key in state["history_"]}
    return {"cls": type(model), "params": model.get_params(deep=False), "state": state,
            "version": _version(), "threads": 1}


def _kind_name(obj):
    """The class name of obj, with its package's where that is not mlpcore."""
    package = type(obj).__module__.split(".")[0]
    name = type(obj).__qualname__
    return name if package == "mlpcore" else f"{package}'s {name}"


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _rebuild(spec, weights=None, biases=None):
    """The model of spec (with these weights and biases), validated by set_state; every
    array a copy, so that nothing the task was given is written to."""
    state = _copy(spec["state"])
    if weights is not None:
        state["_weights"], state["_biases"] = _copy(list(weights)), _copy(list(biases))
    return spec["cls"](**spec["params"]).set_state(state)


# -------------------------------------------------------------------------- tasks

def _prepare_chunk(X, y, sample_weight, spec):
    """A chunk checked and encoded as fit checks it: X in the model's dtype (finite),
    the target encoded against the model's classes, the raw sample weights."""
    _check_version(spec["version"])
    model = _rebuild(spec)
    from ._validation import check_consistent_length, check_sample_weight

    X = model._check_X(X, reset=False)
    if y is None:
        raise ValueError(f"{type(model).__name__} requires y to be passed, but the target "
                         "y is None")
    check_consistent_length(X, y)
    target, _ = model._encode_target(np.asarray(y), first=False, incremental=True)
    if target.dtype.kind == "f":
        target = target.astype(model._dtype, copy=False)
    sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
    counts = strata = None
    if hasattr(model, "classes_"):  # each row's class, whatever the target's encoding
        strata = model._strata(target)
        counts = np.bincount(strata, minlength=len(model.classes_))
    squares = (float(np.einsum("ij,ij->", target, target, dtype=np.float64))
               if target.dtype.kind == "f" else 0.0)
    return {"X": X, "target": target, "raw_weight": sw, "rows": X.shape[0],
            "strata": strata, "counts": counts, "squares": squares}


def _chunk_stats(chunk):
    """The small numbers of a prepared chunk the driver needs (never its arrays)."""
    return {"rows": chunk["rows"], "counts": chunk["counts"], "squares": chunk["squares"]}


def _class_weighted(chunk, per_class):
    w = chunk["raw_weight"]
    if per_class is not None:
        w = w * per_class[chunk["strata"]]
    return w


def _weight_stats(chunk, per_class):
    """The largest and smallest weight of the chunk, and its sum over the largest."""
    w = _class_weighted(chunk, per_class)
    if w.size == 0:
        return 0.0, np.inf, 0.0
    top = float(w.max())
    return top, float(w.min()), float(np.sum(w / top)) if top > 0 else 0.0


def _weigh_chunk(chunk, per_class, top, factor, uniform, dtype):
    """A new chunk whose sample weights have mean 1 over all the data (fit's
    weights), or None where every weight is the same."""
    out = {key: chunk[key] for key in ("X", "target", "rows")}
    if uniform:
        out["weights"] = None
    else:
        out["weights"] = ((_class_weighted(chunk, per_class) / top) * factor).astype(dtype)
    return out


def _trainer(model, chunk):
    """The compiled trainer of the model on the chunk, one batch of all its rows."""
    data = _training.TrainingData(chunk["X"], chunk["target"], chunk["weights"], n_outputs=0,
                                  uniform=chunk["weights"] is None, first=False)
    return _training.make_trainer(model, data, 0.0)


def _chunk_loss_grad(chunk, spec, weights, biases, rows=None):
    """The sum over the chunk's rows (or over rows, indices into the chunk, in that
    order) of w_i loss_i and of its gradient (float64), as (loss, coef_grads,
    intercept_grads); zeros for no rows."""
    _check_version(spec["version"])
    if rows is not None:
        chunk = _chunk_subset(chunk, rows)
    if chunk["rows"] == 0:
        return 0.0, [np.zeros(w.shape) for w in weights], [np.zeros(b.shape) for b in biases]
    with _task_threads(spec["threads"]):
        model = _rebuild(spec, weights, biases)
        trainer = _trainer(model, chunk)
        gw = [np.empty_like(w) for w in model._weights]
        gb = [np.empty_like(b) for b in model._biases]
        # the mean over the chunk's rows (no weight decay: the spec has none)
        mean = trainer.loss_and_gradient(chunk["X"], chunk["target"], chunk["weights"],
                                         gw, gb)
    rows = float(chunk["rows"])
    return (mean * rows, [g.astype(np.float64) * rows for g in gw],
            [g.astype(np.float64) * rows for g in gb])


def _chunk_subset(chunk, rows):
    """The chunk's rows (indices, in that order) as a chunk of their own."""
    weights = chunk["weights"]
    return {"X": np.ascontiguousarray(chunk["X"][rows]), "target": chunk["target"][rows],
            "weights": None if weights is None else weights[rows], "rows": len(rows)}


def _chunk_epochs(chunk, spec, state, lr, epochs, first):
    """epochs epochs of the compiled loop (fit's) on the chunk's rows alone, from the
    model of spec with state: the new state and each epoch's stats. first: the fit's
    first round (the epoch checks the rows' finiteness, as fit's first epoch does)."""
    _check_version(spec["version"])
    with _task_threads(spec["threads"]):
        model = spec["cls"](**spec["params"]).set_state(_copy(state))
        data = _training.TrainingData(chunk["X"], chunk["target"], chunk["weights"],
                                      n_outputs=0, uniform=chunk["weights"] is None,
                                      first=False)
        trainer = _training.make_trainer(model, data, lr)
        stats = []
        for epoch in range(epochs):
            averaging = bool(model.average) and model._epochs_done + 1 >= int(model.average)
            epoch_stats = dict(trainer.epoch(data.X, data.target, data.weights_arg,
                                             average=averaging,
                                             check_finite=first and epoch == 0))
            if epoch_stats["nonfinite_row"] >= 0:
                _training.refuse_nonfinite(data.X)
            model._epochs_done += 1
            stats.append(epoch_stats)
        model._rng_state, model._step = trainer.rng_state, trainer.step
        model._optimizer_step = trainer.optimizer_step
        model._average_count = trainer.average_count
        model._publish()  # coef_ and the like from the trained weights, as fit ends
        state = {key: _copy(value) for key, value in model.get_state().items()}
    return state, stats


def _chunk_matvec(chunk, v, bias, dtype):
    """The chunk's share of Phi^T diag(w) Phi v, Phi = [X, 1 (bias)], times n."""
    X = chunk["X"]
    if chunk["rows"] == 0:
        return np.zeros(X.shape[1] + 1)
    w = (np.ones(chunk["rows"]) if chunk["weights"] is None else chunk["weights"]).astype(dtype)
    v = v.astype(dtype)
    head, tail = v[:-1], v[-1] * bias
    u = (_core.matmul(X, head[:, None])[:, 0] + tail) * w
    return np.concatenate([_core.matmul(X.T, u[:, None])[:, 0], [u.sum() * bias]]).astype(
        np.float64)


def _chunk_sample_max(chunk, bias):
    """The largest w_i (||x_i||^2 + bias) of the chunk (for the sampled eigenvalue)."""
    X = chunk["X"]
    if chunk["rows"] == 0:
        return 0.0
    w = np.ones(chunk["rows"]) if chunk["weights"] is None else chunk["weights"]
    with np.errstate(invalid="ignore", over="ignore"):
        return float(((np.einsum("ij,ij->i", X, X, dtype=np.float64) + bias) * w).max())


def _chunk_rows(chunk, rows):
    """Rows of the chunk (X and weights), for the driver's sampled eigenvalue."""
    w = np.ones(len(rows)) if chunk["weights"] is None else chunk["weights"][rows]
    return chunk["X"][rows], w


def _predict_block(block, spec, method):
    _check_version(spec["version"])
    with _task_threads(spec["threads"]):
        model = _rebuild(spec)
        return getattr(model, method)(block)


# -------------------------------------------------------------------------- the data

def _get_client(client):
    return distributed.get_client() if client is None else client


def _n_workers(client):
    return max(1, len(client.nthreads()))


def _from_frame(X, lengths=True):
    """A Dask DataFrame or Series as the dask array of its partitions (their lengths
    computed unless lengths is None), and for a Dask or pandas DataFrame a one-row pandas
    DataFrame of its columns for the feature-name checks of _check_X (else None)."""
    header = None
    if hasattr(X, "columns"):  # a Dask or pandas DataFrame
        import pandas as pd  # both need pandas

        header = pd.DataFrame(np.zeros((1, len(X.columns))), columns=X.columns)
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=lengths)
    return X, header


def _check_2d(X):
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array, got {X.ndim}D array (X) instead")


def _as_dask(X, client):
    """X as a 2-D dask array of at least one row, in row chunks of known sizes and one
    chunk of columns (NumPy: one chunk per worker)."""
    if not isinstance(X, da.Array):
        X = np.asarray(X)
    _check_2d(X)
    if X.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                         "of 1 is required.")
    if not isinstance(X, da.Array):
        X = da.from_array(X, chunks=(max(1, -(-X.shape[0] // _n_workers(client))), -1))
    if any(np.isnan(c).any() for c in X.chunks):
        raise ValueError("X has chunks of unknown size: compute them first "
                         "(X.compute_chunk_sizes())")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def _aligned(a, X, name):
    """a (y or sample_weight) as a dask array in X's row chunks."""
    if a is None:
        return None
    if not isinstance(a, da.Array):
        a = np.asarray(a)
        if a.ndim == 0:  # a scalar sample weight
            return da.full(X.shape[0], float(a), chunks=X.chunks[0])
    if a.shape[0] != X.shape[0]:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                         f"[{X.shape[0]}, {a.shape[0]}] (X and {name})")
    if not isinstance(a, da.Array):
        a = da.from_array(a, chunks=(X.chunks[0], *a.shape[1:]))
    return a.rechunk({0: X.chunks[0], **{i: -1 for i in range(1, a.ndim)}})


class _Chunks:
    """The prepared chunks of one call, kept on the workers as futures (recomputed from
    their graph after a lost worker), and the distributed operations over them."""

    def __init__(self, client, model, X, y, sample_weight, threads):
        self.client, self.model = client, model
        X = _as_dask(X, client)
        y = _aligned(y, X, "y")
        sw = _aligned(sample_weight, X, "sample_weight")
        self.spec = _spec(model, threads)
        # the tasks take the spec as a future: hashed and sent once, not with every task
        self.spec_future = client.submit(_identity, self.spec, pure=True)
        xs = X.to_delayed().ravel()
        ys = y.to_delayed().ravel() if y is not None else [None] * len(xs)
        ws = sw.to_delayed().ravel() if sw is not None else [None] * len(xs)
        # each chunk's place among X's chunks: those of no rows are left out
        self.numbers = [i for i, rows in enumerate(X.chunks[0]) if rows > 0]
        prepare = dask.delayed(_prepare_chunk, pure=True)
        self.prepared = client.compute([prepare(xs[i], ys[i], ws[i], self.spec)
                                        for i in self.numbers])
        stats = client.gather(client.map(_chunk_stats, self.prepared, pure=True))
        self.rows = [s["rows"] for s in stats]
        self.starts = np.cumsum([0] + self.rows)  # each chunk's first row in all the data
        self.n = int(sum(self.rows))
        self.squares = sum(s["squares"] for s in stats)  # in chunk order
        self.counts = [s["counts"] for s in stats]  # per class, for a classifier
        per_class = None
        if stats[0]["counts"] is not None:
            counts = np.sum([s["counts"] for s in stats], axis=0)
            per_class = self._per_class(counts)
        tops = client.gather(client.map(_weight_stats, self.prepared,
                                        [per_class] * len(stats), pure=True))
        top = max(t for t, _, _ in tops)
        if not top > 0:
            raise ValueError("sample_weight times class_weight is zero for every sample: "
                             "there is nothing to fit")
        total = 0.0
        for t, _, s in tops:
            total += s * (t / top)
        uniform = min(m for _, m, _ in tops) == top
        self.chunks = client.map(_weigh_chunk, self.prepared, [per_class] * len(stats),
                                 top=top, factor=self.n / total, uniform=uniform,
                                 dtype=model._dtype, pure=True)
        self.dtype = model._dtype

    def _per_class(self, counts):
        model = self.model
        if getattr(model, "class_weight", None) == "balanced":
            n = counts.sum()
            return np.where(counts > 0,
                            n / (len(model.classes_) * np.maximum(counts, 1)), 0.0)
        weights = model._class_weights(np.arange(len(model.classes_)))
        return None if np.isscalar(weights) else np.asarray(weights, dtype=np.float64)

    def _map(self, func, *args, **kwargs):
        futures = self.client.map(func, self.chunks, *[[a] * len(self.chunks) for a in args],
                                  pure=True, **kwargs)
        return self.client.gather(futures)

    def batch_sums(self, weights, biases, rows):
        """The sums over the given rows (indices into all the data, in the batch's
        order) of w_i loss_i and its gradient, each chunk summing its own rows and the
        driver adding the chunks' sums in chunk order: (loss, coef_sums, intercept_sums)."""
        weights = [w.copy() for w in weights]
        biases = [b.copy() for b in biases]
        owner = np.searchsorted(self.starts, rows, side="right") - 1
        futures = [self.client.submit(_chunk_loss_grad, self.chunks[c], self.spec_future, weights,
                                      biases, rows[owner == c] - self.starts[c], pure=True)
                   for c in np.unique(owner)]  # unique: sorted, so in chunk order
        return _add_parts(self.client.gather(futures))

    def loss_and_gradient(self, weights, biases):
        """sum_i w_i loss_i / n and its gradient (float64), without weight decay."""
        weights = [w.copy() for w in weights]  # what the tasks read, whatever the driver does
        biases = [b.copy() for b in biases]
        loss, gw, gb = _add_parts(self._map(_chunk_loss_grad, self.spec_future, weights, biases))
        n = float(self.n)
        return loss / n, [g / n for g in gw], [g / n for g in gb]

    def matvec(self, v, bias):
        parts = self._map(_chunk_matvec, v.astype(np.float64), bias, self.dtype)
        if len(parts) == 1:  # one machine's operation exactly (it divides in the dtype)
            return parts[0].astype(self.dtype) / self.dtype.type(self.n)
        total = parts[0].copy()
        for p in parts[1:]:
            total += p
        return (total / self.n).astype(self.dtype)

    def lipschitz(self, scale):
        """_training.lipschitz over the chunks."""
        model, n = self.model, self.n
        bias = 1.0 if model.fit_intercept else 0.0
        per_sample_max = None
        if n > _training.SAMPLE_ABOVE or model.solver == "sgd":
            per_sample_max = max(self._map(_chunk_sample_max, bias))
        eigenvalue = None
        if n > _training.SAMPLE_ABOVE:
            eigenvalue = self._sampled_eigenvalue(bias, per_sample_max)
        if eigenvalue is None:
            eigenvalue = _training._power_iteration(lambda v: self.matvec(v, bias),
                                                    self.model.n_features_in_ + 1, self.dtype)
        return _training.combine_lipschitz(model, n, scale, eigenvalue, per_sample_max)

    def _sampled_eigenvalue(self, bias, per_sample_max):
        rows = np.sort(np.random.default_rng(0).choice(self.n, _training.SAMPLE_ROWS,
                                                       replace=False))
        starts = self.starts
        futures = [self.client.submit(_chunk_rows, c, rows[(rows >= a) & (rows < b)] - a,
                                      pure=True)
                   for c, a, b in zip(self.chunks, starts[:-1], starts[1:])]
        parts = self.client.gather(futures)
        Xs = np.concatenate([p[0] for p in parts])
        ws = np.concatenate([p[1] for p in parts])
        estimate = _training._largest_eigenvalue(Xs, ws, bias)
        if not (np.isfinite(estimate) and per_sample_max > 0):
            return None
        if -0.005 * _training.SAMPLE_ROWS * estimate / per_sample_max > np.log(1e-9):
            return None
        return estimate / 0.9

    def zero_output_loss(self):
        """The loss of a zero output (_loss_scale), as Loss.zero_output_loss gives it."""
        loss = self.model._loss
        if loss.float_target:  # the squared error: sum ||y_i||^2 / (2 n)
            return self.squares / (2 * self.n)
        return loss.zero_output_loss(None, self.model._weights[-1].shape[1])


def _identity(value):
    return value


def _add_parts(parts):
    """The chunks' (loss, coef_sums, intercept_sums) added in chunk order."""
    loss = parts[0][0]
    gw = [g.copy() for g in parts[0][1]]
    gb = [g.copy() for g in parts[0][2]]
    for part in parts[1:]:
        loss += part[0]
        for total, g in zip(gw, part[1]):
            total += g
        for total, g in zip(gb, part[2]):
            total += g
    return loss, gw, gb


# -------------------------------------------------------------------------- the driver

# The solvers each strategy trains with; "auto" picks the strategy of the solver.
_SOLVERS = {"gradient": ("gd", "lbfgs"), "sync_sgd": ("sgd", "adam"),
            "average": ("sgd", "adam")}


def _require_kind(estimator, what, kinds):
    """TypeError unless estimator is one of the kinds (class names in the estimators
    module) whose state the tasks rebuild."""
    from . import estimators

    if not isinstance(estimator, tuple(getattr(estimators, kind) for kind in kinds)):
        name = _kind_name(estimator)
        raise TypeError(f"{what} takes {', '.join(kinds[:-1])} or {kinds[-1]}, not "
                        f"{name}")


_TRAINED = ("LogisticRegression", "LinearRegression", "MLPClassifier", "MLPRegressor",
            "Perceptron")


def _refuse(model, strategy):
    """The strategy chosen for model, or ValueError for what this module does not do."""
    from .estimators import Perceptron

    name = type(model).__name__
    if strategy == "auto":
        strategy = "gradient" if model.solver in ("gd", "lbfgs") else "average"
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r}: expected 'auto' or one of "
                         f"{list(STRATEGIES)}")
    if isinstance(model, Perceptron) and strategy != "average":
        raise ValueError(f"strategy={strategy!r} cannot train a Perceptron: its criterion "
                         "has no gradient to sum over chunks; use strategy='average'")
    solvers = _SOLVERS[strategy]
    if model.solver not in solvers and not (isinstance(model, Perceptron)
                                            and strategy == "average"):
        raise ValueError(f"strategy={strategy!r} needs solver {' or '.join(map(repr, solvers))}"
                         f", not solver={model.solver!r}")
    if model.early_stopping:
        raise ValueError("mlpcore.distributed.fit does not support early_stopping=True: "
                         "hold out validation rows yourself and score them with "
                         "mlpcore.distributed.predict")
    if model.warm_start and hasattr(model, "_weights"):
        raise ValueError("mlpcore.distributed.fit does not support warm_start=True: it "
                         "fits from a fresh start")
    return strategy


def _start(model, X, y, classes, header):
    """The fresh start _training.fit makes for X (from _as_dask): n_features_in_ (and
    feature_names_in_ from a DataFrame's header), classes_ (from classes or from the
    labels of all of y), the initial weights from random_state, dtype."""
    d = X.shape[1]
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    model._check_X(np.zeros((1, d), dtype) if header is None else header, reset=True)
    if y is None:
        raise ValueError(f"{type(model).__name__} requires y to be passed, but the target "
                         "y is None")
    from .estimators import _Classifier

    if isinstance(model, _Classifier):
        labels = classes
        if labels is None:
            labels = da.unique(y).compute() if isinstance(y, da.Array) else np.unique(y)
        _, n_outputs = model._encode_target(np.asarray(labels), first=True,
                                            classes=classes)
    else:
        head = y[:1].compute() if isinstance(y, da.Array) else np.asarray(y)[:1]
        if isinstance(y, da.Array):
            head = head.reshape(1, *y.shape[1:])
        _, n_outputs = model._encode_target(head, first=True)
    rng = _training.make_rng(model.random_state)
    model._init_parameters(d, n_outputs, dtype, rng)
    model.history_ = {key: [] for key, _ in (*HISTORY, *model._loss.history_fields)}
    model.n_iter_, model.t_, model.converged_ = 0, 0, False
    model._publish()


def _check_header(model, X, header):
    """The names of a DataFrame's columns checked against the fitted ones (a warning
    where only one of them has names), as fit on one machine checks a pandas frame's."""
    model._check_X(np.zeros((1, X.shape[1]), model._dtype) if header is None else header,
                   reset=False)


def fit(estimator, X, y, *, client=None, strategy="auto", sample_weight=None, classes=None,
        average_every=1, threads_per_task=1, verbose=False):
    """Fit estimator on the rows of X and y spread over a Dask cluster.

    With "gradient" and "sync_sgd" the driver holds the weights and steps on the sum of
    the chunks' gradients, and the result equals ``estimator.fit(X, y)`` on one machine
    up to rounding; with "average" each partition trains a copy and the driver averages
    them, an approximation (the module's notes describe each and give the measured
    differences). Like fit, it is a transaction: an exception leaves the estimator as
    it was.

    Parameters
    ----------
    estimator : mlpcore estimator or Standardized
        LogisticRegression, LinearRegression, MLPClassifier, MLPRegressor, Perceptron
        or a Standardized one of them, fitted from a fresh start (a copy is never made:
        like ``fit``, this fits it). A Standardized one takes its statistics from two
        more passes over the chunks (each chunk's sums, added in chunk order) and fits
        a copy of its estimator on the standardized chunks, as ``Standardized.fit``
        does on one machine.
    X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
        Its row chunks (a DataFrame's partitions, its column names kept as
        ``feature_names_in_``) are the chunks; a NumPy array is split into one chunk per
        worker.
    y : dask array, Dask Series or ndarray (n_samples,) or (n_samples, n_outputs)
        Taken in the row chunks of X.
    client : distributed.Client, optional
        By default the current one (``distributed.get_client()``).
    strategy : {"auto", "gradient", "sync_sgd", "average"}, default "auto"
        "gradient" for solvers "gd" and "lbfgs", "sync_sgd" or "average" for "sgd" and
        "adam" (the module's notes compare them); "auto" is "gradient" for "gd" and
        "lbfgs", else "average".
    sample_weight : dask array or ndarray (n_samples,), optional
    classes : array-like, optional
        All the labels of a classifier (else those of y, computed first).
    average_every : int, default 1
        With ``strategy="average"``: the epochs each partition trains between two
        averagings of the weights.
    threads_per_task : int, default 1
        The threads of the kernels in each task, on process and in-process workers.
    verbose : bool, default False
        A progress line per epoch, as ``fit`` with ``verbose=True`` prints.

    Returns
    -------
    estimator
        The estimator, fitted.

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> import mlpcore
    >>> from mlpcore import distributed as md
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = mlpcore.datasets.blobs(600, centers=3, random_state=0)
    >>> Xd, yd = da.from_array(X, chunks=200), da.from_array(y, chunks=200)
    >>> model = md.fit(mlpcore.LogisticRegression(solver="lbfgs"), Xd, yd, client=client)
    >>> local = mlpcore.LogisticRegression(solver="lbfgs").fit(X, y)
    >>> bool(abs(model.coef_ - local.coef_).max() < 1e-10)
    True
    >>> averaged = md.fit(mlpcore.MLPClassifier((8,), solver="sgd", random_state=0), Xd, yd,
    ...                   client=client, strategy="average", average_every=5)
    >>> bool(averaged.score(X, y) > 0.95)
    True
    >>> client.close(); cluster.close()
    """
    from .standardized import Standardized

    if isinstance(estimator, Standardized):
        return _fit_standardized(estimator, X, y, client=client, strategy=strategy,
                                 sample_weight=sample_weight, classes=classes,
                                 average_every=average_every,
                                 threads_per_task=threads_per_task, verbose=verbose)
    _require_kind(estimator, "mlpcore.distributed.fit", _TRAINED)
    client = _get_client(client)
    estimator._validate_params()
    strategy = _refuse(estimator, strategy)
    average_every = _positive_int(average_every, "average_every")
    threads_per_task = _positive_int(threads_per_task, "threads_per_task")
    saved = estimator._state_before_fit()
    saved_verbose = estimator.verbose
    try:
        estimator.verbose = bool(verbose) or bool(saved_verbose)
        X, header = _from_frame(X)
        X = _as_dask(X, client)
        y, sample_weight = _from_frame(y)[0], _from_frame(sample_weight)[0]
        _start(estimator, X, y, classes, header)
        chunks = _Chunks(client, estimator, X, y, sample_weight, threads_per_task)
        epochs = int(estimator.max_epochs)
        estimator._stop_reason = None
        if strategy == "average":
            converged = _average(estimator, chunks, epochs, average_every)
        elif strategy == "sync_sgd":
            converged = _sync_sgd(estimator, chunks, epochs)
        elif estimator.solver == "gd":
            converged = _gradient_descent(estimator, chunks, epochs)
        else:
            converged = _lbfgs(estimator, chunks, epochs)
        _training.conclude(estimator, converged, epochs)
        estimator._publish()
    except BaseException:
        estimator._restore_state(saved)
        raise
    finally:
        estimator.verbose = saved_verbose
    return estimator


def _fit_standardized(model, X, y, *, client, sample_weight, **options):
    """Standardized.fit over the chunks: the features' statistics (and the target's,
    with target=True) by Standardizer's two passes, each chunk's sums added in chunk
    order, then a copy of its estimator fitted by fit on the standardized chunks. The
    model changes only once that has succeeded."""
    from .estimators import _feature_names

    model._validate_params()
    client = _get_client(client)
    X, header = _from_frame(X)
    X = _as_dask(X, client)
    y, sample_weight = _from_frame(y)[0], _from_frame(sample_weight)[0]
    sample_weight = _aligned(sample_weight, X, "sample_weight")
    scaler = _standardizer(client, X, sample_weight)
    estimator = type(model.estimator)(**model.estimator.get_params(deep=False))
    target_scaler = None
    if model.target:
        if y is None:
            raise ValueError("Standardized requires y to be passed, but the target y is None")
        y = _aligned(y, X, "y").astype(np.float64)
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D, got {y.ndim} dimensions")
        target_scaler = _standardizer(client, y.reshape(y.shape[0], -1), sample_weight)
        y = y.map_blocks(_standardize_block, target_scaler, dtype=np.float64,
                         meta=np.empty((0,) * y.ndim))
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    fit(estimator, X.map_blocks(_standardize_block, scaler, dtype=dtype,
                                meta=np.empty((0, 0), dtype)),
        y, client=client, sample_weight=sample_weight, **options)
    model.__dict__.pop("feature_names_in_", None)
    names = None if header is None else _feature_names(header)
    if names is not None:
        model.feature_names_in_ = names
    model.n_features_in_ = X.shape[1]
    model.scaler_, model.estimator_, model.target_scaler_ = scaler, estimator, target_scaler
    return model


def _standardizer(client, X, sample_weight):
    """A Standardizer fitted on the rows of the dask array X (weighted by sample_weight,
    a dask array in X's chunks, or None) as Standardizer.fit fits one on all of them:
    each chunk's sums of its two passes, added in chunk order."""
    from .features import Standardizer

    xs = X.to_delayed().ravel()
    ws = (sample_weight.to_delayed().ravel() if sample_weight is not None
          else [None] * len(xs))
    first = dask.delayed(_chunk_sums, pure=True)
    sums = client.gather(client.compute([first(x, w, None) for x, w in zip(xs, ws)]))
    total = sum(t for _, t in sums)
    if sample_weight is not None and not total > 0:
        raise ValueError(f"The sum of sample_weight must be positive, got {total!r}.")
    mean = functools.reduce(np.add, [s for s, _ in sums]) / total
    sums = client.gather(client.compute([first(x, w, mean) for x, w in zip(xs, ws)]))
    correction = functools.reduce(np.add, [c for c, _ in sums])
    squares = functools.reduce(np.add, [q for _, q in sums])
    return Standardizer()._set_moments(X.shape[1], X.shape[0], total, mean, correction,
                                       squares)


def _chunk_sums(X, sample_weight, mean):
    """A chunk's sums of Standardizer's first pass (mean None: the column sums and the
    total weight) or second (the centred sums), its rows checked as fit checks them."""
    from ._validation import check_array, check_sample_weight
    from .features import _centred_sums, _column_sums

    X64 = check_array(X, ensure_min_samples=0).astype(np.float64, copy=False)
    w = (None if sample_weight is None
         else check_sample_weight(sample_weight, X64.shape[0], np.float64))
    return _column_sums(X64, w) if mean is None else _centred_sums(X64, w, mean)


def _standardize_block(block, scaler):
    """A block of rows (a 1-D block: its values) standardized by scaler."""
    if block.shape[0] == 0:
        return block.astype(np.float64 if block.dtype != np.float32 else block.dtype)
    return scaler.transform(block.reshape(block.shape[0], -1)).reshape(block.shape)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _penalty(model):
    """(weight_decay / 2) ||W||^2 over the layers' weights, as the trainer adds it."""
    wd = float(model.weight_decay)
    if wd == 0.0:
        return 0.0
    return 0.5 * wd * sum(float(np.dot(w.ravel(), w.ravel())) for w in model._weights)


def _objective(model, chunks):
    """objective(coef_grads, intercept_grads) of _training.lbfgs_loop over the chunks: the
    sum of the chunks, the weight decay added once."""
    wd = float(model.weight_decay)

    def objective(coef_grads, intercept_grads):
        loss, gw, gb = chunks.loss_and_gradient(model._weights, model._biases)
        for out, g, w in zip(coef_grads, gw, model._weights):
            out[...] = g
            if wd != 0.0:
                out += out.dtype.type(wd) * w
        for out, g in zip(intercept_grads, gb):
            out[...] = g
        return loss + _penalty(model)

    return objective


def _lbfgs(model, chunks, epochs):
    def refuse_overflow(loss):
        if not np.isfinite(loss):
            raise ValueError(
                f"{type(model).__name__} cannot fit this data: its training loss is {loss} "
                f"in {model._dtype} arithmetic. Scale X (and y) first, for example with "
                "mlpcore.features.Standardizer.")

    zero = chunks.zero_output_loss()
    return _training.lbfgs_loop(
        model, _objective(model, chunks), epochs, refuse_overflow=refuse_overflow,
        scale_of=lambda start: max(zero, start) if np.isfinite(start) else zero)


def _learning_rate(model, chunks):
    """_training.learning_rate over the chunks."""
    return _training.step_size(model, chunks.lipschitz)


def _apply_step(model, gw, gb, lr, averaging):
    """The compiled loop's update (Trainer::update) on the driver's arrays: each
    layer's optimizer step (the weights with weight decay, the biases without), then
    the running average."""
    wd = float(model.weight_decay)
    fit_bias = model._fit_bias()
    settings = _training._optimizer(model)
    count = model._optimizer_step + 1
    for k, (w, b) in enumerate(zip(model._weights, model._biases)):
        vw, vb = model._velocity[k]
        if settings.get("optimizer") == "adam":
            sw, sb = model._second_moment[k]
            adam = dict(beta1=settings["beta1"], beta2=settings["beta2"],
                        eps=settings["epsilon"])
            adam_step(w, gw[k], lr, vw, sw, count, weight_decay=wd, **adam)
            if fit_bias:
                adam_step(b, gb[k], lr, vb, sb, count, weight_decay=0.0, **adam)
        else:
            sgd = dict(momentum=settings["momentum"], nesterov=settings["nesterov"])
            sgd_step(w, gw[k], lr, velocity=vw, weight_decay=wd, **sgd)
            if fit_bias:
                sgd_step(b, gb[k], lr, velocity=vb, **sgd)
        if averaging:
            wa, ba = model._average[k]
            average_step(wa, w, model._average_count)
            average_step(ba, b, model._average_count)
    if averaging:
        model._average_count += 1
    model._step += 1
    model._optimizer_step += 1


def _squared_norm(model, gw, gb):
    """||g + weight_decay w||^2 over the weights plus ||g||^2 over the fitted biases, in
    float64: the history's gradient norm, squared."""
    twd = model._dtype.type(model.weight_decay)
    norm2 = 0.0
    for g, w, b in zip(gw, model._weights, gb):
        norm2 += float(np.sum(np.square((g + twd * w).astype(np.float64))))
        if model._fit_bias():
            norm2 += float(np.sum(np.square(b.astype(np.float64))))
    return norm2


def _learning_rate_at(model, lr0):
    """The schedule's step size at the model's step (learning_rate_at in the loop)."""
    if model.schedule == "invscaling":
        return lr0 / (1.0 + model._step) ** float(model.power_t)
    return lr0


def _record_epoch(model, history_values, seconds, progress):
    model._epochs_done += 1
    model.n_iter_ += 1
    for key, value in history_values.items():
        model.history_[key].append(value)
    model.history_["seconds"].append(seconds)
    if progress is not None:
        progress.update(model.history_)


def _gradient_descent(model, chunks, epochs):
    """The compiled loop's full-batch gradient descent (_training.compiled_loop with
    solver "gd"), each gradient summed over the chunks, each step by sgd_step."""
    lr0 = _learning_rate(model, chunks)
    rule = _training.StoppingRule(model.tol, model.n_iter_no_change + model._extra_patience,
                                  on_validation=False, relative_gradient=True)
    zero = chunks.zero_output_loss()
    scale, converged, reason = None, False, None
    progress = _training._progress(model, epochs)
    epoch = 0
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            loss, gw, gb = chunks.loss_and_gradient(model._weights, model._biases)
            loss += _penalty(model)
            gw = [g.astype(model._dtype) for g in gw]
            gb = [g.astype(model._dtype) if model._fit_bias() else np.zeros_like(g, model._dtype)
                  for g in gb]
            norm2 = _squared_norm(model, gw, gb)
            lr = _learning_rate_at(model, lr0)
            averaging = bool(model.average) and model._epochs_done + 1 >= int(model.average)
            _apply_step(model, gw, gb, lr, averaging)
            if scale is None:
                scale = max(zero, loss) if np.isfinite(loss) else zero
            _training._check_divergence(model, loss, scale, epoch + 1, lr0)
            _record_epoch(model, {"loss": float(loss), "learning_rate": float(lr),
                                  "grad_norm": float(np.sqrt(norm2))},
                          time.perf_counter() - start, progress)
            if rule.update(model.history_, lambda: None):
                converged, reason = True, rule.reason()
                break
        # an epoch reports the loss of the weights it started from: check the last ones
        final_loss = chunks.loss_and_gradient(model._weights, model._biases)[0]
        _training._check_divergence(model, final_loss, scale, epoch + 1, lr0)
    finally:
        if progress is not None:
            progress.close(reason)
    model.t_ = model._step
    return converged


def _sync_sgd(model, chunks, epochs):
    """fit's minibatch loop (_training.compiled_loop with solver "sgd" or "adam"), each
    batch's gradient summed over the chunks that hold its rows: the same permutation
    from the same generator, the same batches, each batch's sums divided by its size
    (never a mean of the chunks' means), the same updates."""
    lr0 = _learning_rate(model, chunks)
    n = chunks.n
    batch = max(1, min(int(model.batch_size), n))
    shuffled = batch < n and bool(model.shuffle)  # a full batch takes the rows in order
    rule = _training.StoppingRule(model.tol, model.n_iter_no_change + model._extra_patience,
                                  on_validation=False)
    zero = chunks.zero_output_loss()
    scale = None
    if batch < n:  # the scale of the starting weights (fit's estimate uses 1024 rows)
        start_loss = chunks.loss_and_gradient(model._weights, model._biases)[0]
        scale = max(zero, start_loss) if np.isfinite(start_loss) else zero
    converged, reason = False, None
    progress = _training._progress(model, epochs)
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            order = np.arange(n)
            if shuffled:
                order, model._rng_state = _core._shuffle_indices(n, model._rng_state)
            averaging = bool(model.average) and model._epochs_done + 1 >= int(model.average)
            total = 0.0
            for first in range(0, n, batch):
                rows = order[first:first + batch]
                loss, gw, gb = chunks.batch_sums(model._weights, model._biases, rows)
                size = float(len(rows))
                gw = [(g / size).astype(model._dtype) for g in gw]
                gb = [(g / size).astype(model._dtype) for g in gb]
                lr = _learning_rate_at(model, lr0)
                if first + batch >= n:  # the epoch reports its last update's gradient
                    norm2 = _squared_norm(model, gw, gb)
                total += (loss / size + _penalty(model)) * size
                _apply_step(model, gw, gb, lr, averaging)
            loss = total / n
            if scale is None:
                scale = max(zero, loss) if np.isfinite(loss) else zero
            _training._check_divergence(model, loss, scale, epoch + 1, lr0)
            _record_epoch(model, {"loss": loss, "learning_rate": float(lr),
                                  "grad_norm": float(np.sqrt(norm2))},
                          time.perf_counter() - start, progress)
            if rule.update(model.history_, lambda: None):
                converged, reason = True, rule.reason()
                break
    finally:
        if progress is not None:
            progress.close(reason)
    model.t_ = model._step
    return converged


def _train_spec(model, threads):
    """What a partition's task needs to rebuild model and train it as fit does: the
    class, the parameters (without what the driver does: early stopping, warm start,
    output, class weights, already in the chunks' sample weights)."""
    params = model.get_params(deep=False)
    params.update(early_stopping=False, warm_start=False, verbose=False)
    if "class_weight" in params:
        params["class_weight"] = None
    return {"cls": type(model), "params": params, "version": _version(),
            "threads": int(threads)}


# The largest difference of a partition's class proportions from all the data's (half
# the L1 distance) that "average" takes without a warning.
_PROPORTION_GAP = 0.1


def _warn_on_proportions(chunks):
    """A UserWarning when a partition's class proportions differ from the data's."""
    if chunks.counts[0] is None:
        return
    counts = np.array(chunks.counts, float)
    overall = counts.sum(axis=0) / counts.sum()
    rows = counts.sum(axis=1)
    gaps = 0.5 * np.abs(counts / rows[:, None] - overall).sum(axis=1)
    # sampling alone moves a partition of r rows by about sqrt(classes / r)
    excess = gaps - _PROPORTION_GAP - np.sqrt(len(overall) / rows)
    worst = int(np.argmax(excess))
    if excess[worst] > 0:
        _training.warn(
            f"strategy='average': the class proportions of partition "
            f"{chunks.numbers[worst]} "
            f"({np.round(counts[worst] / counts[worst].sum(), 3).tolist()}) differ from all "
            f"the data's ({np.round(overall, 3).tolist()}) by {gaps[worst]:.3f}; models "
            "trained on differently distributed partitions average poorly: shuffle the rows "
            "before chunking them", UserWarning)


def _partition_state(model, p):
    """Partition p's starting state: the model's, with a generator of its own (the
    model's for partition 0, so that one partition is fit)."""
    state = {key: _copy(value) for key, value in model.get_state().items()}
    if p > 0:
        seed = np.random.SeedSequence([model._rng_state, p])
        state["_rng_state"] = int(seed.generate_state(1, np.uint64)[0] >> np.uint64(1))
    return state


def _weighted_mean(arrays, shares, dtype):
    """sum_p shares[p] arrays[p] in float64, in partition order, in dtype."""
    total = np.zeros(arrays[0].shape)
    for a, share in zip(arrays, shares):
        total += share * a.astype(np.float64)
    return total.astype(dtype)


def _average(model, chunks, epochs, average_every):
    """Local SGD with model averaging: each partition (chunk) trains a copy of the model
    on its own rows with fit's compiled epochs; every average_every epochs the driver
    replaces the copies' weights by their mean weighted by each partition's share of
    the rows. Each partition keeps its own optimizer state (velocities, Adam's
    moments, step count, generator)."""
    _warn_on_proportions(chunks)
    lr = _learning_rate(model, chunks)
    spec = _train_spec(model, chunks.spec["threads"])
    # the weights have mean 1 over all the data and each copy's loss is a mean over its
    # rows, so the data's loss is the copies' weighted by rows (not by weight sums)
    shares = np.array(chunks.rows, dtype=np.float64) / chunks.n
    states = [_partition_state(model, p) for p in range(len(chunks.chunks))]
    rule = _training.StoppingRule(model.tol, model.n_iter_no_change + model._extra_patience,
                                  on_validation=False)
    zero = chunks.zero_output_loss()
    scale, converged, reason = None, False, None
    progress = _training._progress(model, epochs)
    fields = [key for key, _ in model._loss.history_fields]
    done = 0
    try:
        while done < epochs and not converged:
            start = time.perf_counter()
            rounds = min(average_every, epochs - done)
            futures = [chunks.client.submit(_chunk_epochs, chunk, spec, state, lr, rounds,
                                            done == 0, pure=True)
                       for chunk, state in zip(chunks.chunks, states)]
            results = chunks.client.gather(futures)
            # the copies' weights, biases and running averages, averaged
            for name in ("_weights", "_biases"):
                mean = [_weighted_mean([r[0][name][k] for r in results], shares, model._dtype)
                        for k in range(len(getattr(model, name)))]
                setattr(model, name, mean)
            model._average = [tuple(_weighted_mean([r[0]["_average"][k][j] for r in results],
                                                   shares, model._dtype) for j in (0, 1))
                              for k in range(len(model._average))]
            first = results[0][0]
            states = [state for state, _ in results]
            for state in states:
                for name in ("_weights", "_biases", "_average"):
                    state[name] = _copy(getattr(model, name))
            # the model's own optimizer state and counts: the first partition's
            for name in ("_velocity", "_second_moment", "_rng_state", "_step",
                         "_optimizer_step", "_average_count"):
                if name in first:
                    setattr(model, name, _copy(first[name]))
            seconds = (time.perf_counter() - start) / rounds
            for e in range(rounds):  # a stop is found at an epoch, made after the round
                stats = [r[1][e] for r in results]
                values = {key: float(sum(share * s[key] for share, s in zip(shares, stats)))
                          for key in ("loss", "grad_norm")}
                values["learning_rate"] = float(stats[0]["learning_rate"])
                for key in fields:  # counts (the perceptron's mistakes): their total
                    values[key] = int(sum(s[key] for s in stats))
                if scale is None:
                    scale = max(zero, values["loss"]) if np.isfinite(values["loss"]) else zero
                _training._check_divergence(model, values["loss"], scale, done + e + 1, lr)
                _record_epoch(model, values, seconds, progress)
                if converged:
                    continue
                if model._loss.reached_goal(values):
                    converged, reason = True, model._loss.goal
                elif rule.update(model.history_, lambda: None):
                    converged, reason = True, rule.reason()
            done += rounds
    finally:
        if progress is not None:
            progress.close(reason)
    model.t_ = model._step
    return converged


def loss_and_gradient(estimator, X, y, *, client=None, sample_weight=None):
    """The loss and its gradient at a fitted estimator's weights, over all of (X, y).

    As one machine computes them on all of X: loss = sum_i w_i loss_i / sum_i w_i +
    (weight_decay / 2) ||W||^2. Each chunk sums its rows with the compiled kernels; the
    driver adds the sums in chunk order. Within 1e-15 (relative) of the one-machine
    values in float64.

    Parameters
    ----------
    estimator : fitted LogisticRegression, LinearRegression, MLPClassifier or MLPRegressor
    X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
    y : dask array, Dask Series or ndarray (n_samples,) or (n_samples, n_outputs)
    client : distributed.Client, optional
        By default the current one.
    sample_weight : dask array or ndarray (n_samples,), optional

    Returns
    -------
    loss : float
    coef_grads : list of ndarray
        The gradient with respect to each layer's weights (n_in, n_out): the shapes of
        ``coefs_`` (for a linear model, of ``coef_.T``).
    intercept_grads : list of ndarray
        The gradient with respect to each layer's biases (zeros without an intercept).

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> import mlpcore
    >>> from mlpcore import distributed as md
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = mlpcore.datasets.blobs(600, centers=3, random_state=0)
    >>> Xd, yd = da.from_array(X, chunks=200), da.from_array(y, chunks=200)
    >>> model = mlpcore.LogisticRegression(max_epochs=5).fit(X, y)
    >>> loss, coef_grads, intercept_grads = md.loss_and_gradient(model, Xd, yd, client=client)
    >>> [g.shape for g in coef_grads], [g.shape for g in intercept_grads]
    ([(2, 3)], [(3,)])
    >>> client.close(); cluster.close()
    """
    from ._validation import check_is_fitted

    _require_kind(estimator, "mlpcore.distributed.loss_and_gradient", _TRAINED[:-1])
    client = _get_client(client)
    check_is_fitted(estimator)
    estimator._absorb_published()
    X, header = _from_frame(X)
    X = _as_dask(X, client)
    _check_header(estimator, X, header)
    y, sample_weight = _from_frame(y)[0], _from_frame(sample_weight)[0]
    chunks = _Chunks(client, estimator, X, y, sample_weight, 1)
    grads_w = [np.empty_like(w) for w in estimator._weights]
    grads_b = [np.empty_like(b) for b in estimator._biases]
    loss = _objective(estimator, chunks)(grads_w, grads_b)
    if not estimator._fit_bias():
        grads_b = [np.zeros_like(b) for b in grads_b]
    return float(loss), grads_w, grads_b


# -------------------------------------------------------------------------- prediction

def _predict(estimator, X, method):
    from ._validation import check_is_fitted

    check_is_fitted(estimator)
    if not hasattr(estimator, method):
        raise AttributeError(f"{type(estimator).__name__} has no {method}")
    X, header = _from_frame(X, lengths=None)  # map_blocks needs no chunk sizes
    if not isinstance(X, da.Array):
        X = da.from_array(np.asarray(X))
    _check_2d(X)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    spec = _prediction_spec(estimator)
    # the output of one row tells the dtype and the columns (and checks the names)
    row = (np.zeros((1, X.shape[1]), dtype=getattr(estimator, "_dtype", np.float64))
           if header is None else header)
    sample = getattr(estimator, method)(row)
    if sample.ndim == 1:
        return X.map_blocks(_predict_block, spec, method, dtype=sample.dtype, drop_axis=1,
                            meta=sample[:0])
    return X.map_blocks(_predict_block, spec, method, dtype=sample.dtype,
                        chunks=(X.chunks[0], (sample.shape[1],)), meta=sample[:0])


def predict(estimator, X):
    """estimator.predict over the blocks of X, as a lazy dask array.

    Parameters
    ----------
    estimator : fitted mlpcore estimator
    X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
        Chunked along rows (a NumPy array becomes one chunk).

    Returns
    -------
    dask array (n_samples,) or (n_samples, n_outputs)
        Bitwise equal to ``estimator.predict(X)``.

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> import mlpcore
    >>> from mlpcore import distributed as md
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = mlpcore.datasets.blobs(600, centers=3, random_state=0)
    >>> Xd, yd = da.from_array(X, chunks=200), da.from_array(y, chunks=200)
    >>> model = mlpcore.LogisticRegression().fit(X, y)
    >>> labels = md.predict(model, Xd)
    >>> bool((labels.compute() == model.predict(X)).all())
    True
    >>> client.close(); cluster.close()
    """
    return _predict(estimator, X, "predict")


def predict_proba(estimator, X):
    """estimator.predict_proba over the blocks of X, as a lazy dask array.

    Parameters
    ----------
    estimator : fitted classifier with predict_proba
    X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
        Chunked along rows (a NumPy array becomes one chunk).

    Returns
    -------
    dask array (n_samples, n_classes)
        Bitwise equal to ``estimator.predict_proba(X)``.

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> import mlpcore
    >>> from mlpcore import distributed as md
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = mlpcore.datasets.blobs(600, centers=3, random_state=0)
    >>> Xd, yd = da.from_array(X, chunks=200), da.from_array(y, chunks=200)
    >>> model = mlpcore.LogisticRegression().fit(X, y)
    >>> proba = md.predict_proba(model, Xd)
    >>> proba.shape, bool((proba.compute() == model.predict_proba(X)).all())
    ((600, 3), True)
    >>> client.close(); cluster.close()
    """
    return _predict(estimator, X, "predict_proba")


# -------------------------------------------------------------------------- Incremental

def _worker_threads():
    """The threads of the worker running the task (the tasks of a stream run one at a
    time, so one may use them all)."""
    try:
        return max(1, int(distributed.get_worker().state.nthreads))
    except (ValueError, AttributeError):
        return 1


def _fixed_learning_rate(model, X, y, sample_weight):
    """The step partial_fit took on (X, y): learning_rate, or for "auto" what
    _training.compiled_loop computed from these rows and sample weights."""
    if model.learning_rate != "auto":
        return float(model.learning_rate)
    data = _training.prepare_data(model, X, y, sample_weight, first=False, classes=None,
                                  incremental=True)
    return float(_training.learning_rate(model, data.X,
                                         data.sample_weight / data.weight_scale))


def _block_step(previous, X, y, sample_weight, spec):
    """partial_fit on one block, of the model rebuilt from the previous step (a fresh
    one for the first block of a fit); the new state, the fixed step size and the loss.
    Nothing it is given is written to: the state is copied before set_state."""
    _check_version(spec["version"])
    with _task_threads(_worker_threads()):
        params = dict(spec["params"])
        rate = None if previous is None else previous["learning_rate"]
        if rate is not None:
            params["learning_rate"] = rate
        model = spec["cls"](**params)
        if previous is not None:
            model.set_state(_copy(previous["state"]))
        kwargs = {} if spec["classes"] is None else {"classes": spec["classes"]}
        model.partial_fit(X, y, sample_weight=sample_weight, **kwargs)
        if rate is None:
            rate = _fixed_learning_rate(model, X, y, sample_weight)
        return {"state": model.get_state(), "learning_rate": rate,
                "loss": model.history_["loss"][-1]}


def _loss_of(step):
    return step["loss"]


def _block_correct(X, y, spec):
    """How many rows of the block the model classifies as y says."""
    _check_version(spec["version"])
    with _task_threads(_worker_threads()):
        model = _rebuild(spec)
        return int(np.count_nonzero(model.predict(X) == np.asarray(y)))


def _row_blocks(X, y, sample_weight, client):
    """X, y and sample_weight as fit takes them: dask arrays in the row blocks of X
    (DataFrames as their partitions, their names not kept; NumPy X in one block per
    worker), X in one chunk of columns."""
    if y is None:
        raise ValueError("Incremental requires y to be passed, but the target y is None")
    X = _as_dask(_from_frame(X)[0], client)
    return (X, _aligned(_from_frame(y)[0], X, "y"),
            _aligned(_from_frame(sample_weight)[0], X, "sample_weight"))


class _IfEstimatorHas:
    """A method that exists only where the estimator has it, as scikit-learn's
    available_if makes it (hasattr tells)."""

    def __init__(self, method):
        self.method = method
        self.__doc__ = method.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.method
        inner = obj.__dict__.get("estimator_", obj.estimator)
        if not hasattr(inner, self.name):
            raise AttributeError(f"{type(inner).__name__} has no {self.name}")
        return self.method.__get__(obj, owner)


class Incremental(BaseEstimator):
    """partial_fit over the row blocks of a dask array, the model travelling to the data.

    For each block in turn, a task on a worker receives the model's state (the previous
    task's result, a future: only the state moves, never a block) and the block (computed
    on the workers, never gathered to the driver), rebuilds the estimator from the state
    with ``set_state``, runs ``estimator.partial_fit`` on the block and returns the new
    state. The driver keeps at most the block being trained on and the next one in
    flight, so the data may be far larger than the driver's or a worker's memory.

    With ``shuffle_blocks=False`` the result is bitwise that of ``partial_fit`` on one
    machine over the blocks in order (with the step size fixed as below), whatever the
    number of workers and after a lost worker (Dask recomputes the lost steps from their
    inputs). With ``shuffle_blocks=True`` each call visits the blocks in the order of a
    permutation drawn from a ``numpy.random.Generator`` made from ``random_state`` at
    ``fit`` (or at the first ``partial_fit``), so the orders of a series of calls are
    reproducible; ``random_state=None`` gives a new series each time. Blocks of no rows
    are skipped.

    ``learning_rate="auto"`` is computed once: on one machine each ``partial_fit`` call
    computes it from its own rows (1/L of a linear model, from that batch's rows and
    sample weights; a constant for the MLPs and Adam) and does not keep it. Incremental
    computes it from the first block of the first call after a fresh start, as
    ``partial_fit`` computes it on that block alone, keeps it as ``learning_rate_`` and
    trains every later block (and later ``partial_fit`` calls) with
    ``learning_rate=learning_rate_``.

    Parameters
    ----------
    estimator : LogisticRegression, LinearRegression, MLPClassifier, MLPRegressor or Perceptron
        With a solver that has ``partial_fit`` ("sgd", "adam" or "gd"); unfitted, it is
        copied, never changed.
    shuffle_blocks : bool, default True
        Visit the blocks in a new random order at each call.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Seeds the orders of the blocks (the estimator's own random_state seeds its
        initial weights and the order of the rows within each block).
    verbose : bool, default False
        A progress line per block on standard error (the loss of its ``partial_fit``;
        the first block, then at most one a second, and the last), as ``fit`` with
        ``verbose=True`` reports epochs.

    Attributes
    ----------
    estimator_ : estimator
        The trained copy of the estimator (``learning_rate`` as given).
    learning_rate_ : float
        The step size every block was trained with (see above).

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> import mlpcore
    >>> from mlpcore import distributed as md
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = mlpcore.datasets.blobs(600, centers=3, random_state=0)
    >>> Xd, yd = da.from_array(X, chunks=200), da.from_array(y, chunks=200)
    >>> inc = md.Incremental(mlpcore.MLPClassifier((8,), solver="sgd", random_state=0),
    ...                      shuffle_blocks=False)
    >>> inc = inc.fit(Xd, yd, classes=[0, 1, 2])
    >>> local = mlpcore.MLPClassifier((8,), solver="sgd", random_state=0)
    >>> for rows in (slice(0, 200), slice(200, 400), slice(400, 600)):
    ...     local = local.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    >>> all((a == b).all() for a, b in zip(inc.estimator_.coefs_, local.coefs_))
    True
    >>> bool(inc.score(Xd, yd) == local.score(X, y))
    True
    >>> client.close(); cluster.close()
    """

    def __init__(self, estimator, *, shuffle_blocks=True, random_state=None, verbose=False):
        self.estimator = estimator
        self.shuffle_blocks = shuffle_blocks
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        """scikit-learn's tags: a classifier or a regressor as the estimator is."""
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags, tags.regressor_tags = inner.classifier_tags, inner.regressor_tags
        tags.target_tags = inner.target_tags
        return tags

    # ------------------------------------------------------------------ fitting

    def _check_estimator(self):
        est = self.estimator
        name = type(est).__name__
        if not (hasattr(est, "get_state") and hasattr(est, "set_state")):
            raise TypeError(f"Incremental needs an mlpcore estimator (its state travels "
                            f"through get_state/set_state); {name} is not one")
        try:
            est.partial_fit  # noqa: B018 - raises AttributeError where there is none
        except AttributeError as exc:
            raise TypeError(f"Incremental needs an estimator with partial_fit; {name} has "
                            f"none: {exc}") from None

    def _is_classifier(self):
        from ._compat import ClassifierMixin

        return isinstance(self.estimator, ClassifierMixin)

    def fit(self, X, y, classes=None, sample_weight=None, *, client=None):
        """One pass of partial_fit over the blocks, from a fresh copy of the estimator.

        One pass, as scikit-learn's and dask-ml's ``partial_fit`` take one step over
        the data they are given whatever ``max_epochs`` says: each block is a batch
        that ``partial_fit`` trains on for one epoch. Call ``partial_fit`` for more
        passes (each in a new order where ``shuffle_blocks``).

        Parameters
        ----------
        X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
            Its row blocks are the stream's (a NumPy array is split into one block per
            worker).
        y : dask array, Dask Series or ndarray (n_samples,) or (n_samples, n_outputs)
            Taken in the row blocks of X.
        classes : array-like, optional
            All the labels of a classifier; by default those of y, which costs one
            pass over y first (over X too where y is computed from it).
        sample_weight : dask array or ndarray (n_samples,), optional
            Chunked as X; taken as ``partial_fit`` takes them.
        client : distributed.Client, optional
            By default the current one.

        Returns
        -------
        self
        """
        client = _get_client(client)
        self._check_estimator()
        if self._is_classifier() and classes is None:
            X, y, sample_weight = _row_blocks(X, y, sample_weight, client)
            classes = client.compute(da.unique(y)).result()
        rng = _training.make_rng(self.random_state)
        self._stream(client, X, y, sample_weight, classes, rng, fresh=True)
        self._block_rng = rng
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None, *, client=None):
        """One pass of partial_fit over the blocks, continuing from ``estimator_``.

        The first call (without ``estimator_``) starts from a fresh copy of the
        estimator and, for a classifier, needs ``classes``, as ``partial_fit`` does.

        Parameters
        ----------
        X : dask array, Dask DataFrame or ndarray (n_samples, n_features)
            Its row blocks are the stream's (a NumPy array is split into one block per
            worker).
        y : dask array, Dask Series or ndarray (n_samples,) or (n_samples, n_outputs)
            Taken in the row blocks of X.
        classes : array-like, optional
            All the labels of a classifier: needed on the first call.
        sample_weight : dask array or ndarray (n_samples,), optional
            Chunked as X.
        client : distributed.Client, optional
            By default the current one.

        Returns
        -------
        self
        """
        client = _get_client(client)
        self._check_estimator()
        fresh = "estimator_" not in self.__dict__
        if fresh and self._is_classifier() and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        rng = self.__dict__.get("_block_rng")
        if rng is None:
            rng = _training.make_rng(self.random_state)
        self._stream(client, X, y, sample_weight, classes, rng, fresh=fresh)
        self._block_rng = rng
        return self

    def _stream(self, client, X, y, sample_weight, classes, rng, *, fresh):
        """Trains on the blocks in turn; estimator_ and learning_rate_ change only once
        every block is done (a failed call leaves them, and the block order, as they
        were)."""
        X, y, sample_weight = _row_blocks(X, y, sample_weight, client)
        est = self.estimator
        params = est.get_params(deep=False)
        params["verbose"] = False  # the progress is the driver's, per block
        rate = None if est.learning_rate == "auto" else float(est.learning_rate)
        previous = None
        if not fresh:
            previous = {"state": _copy(self.estimator_.get_state()),
                        "learning_rate": self.learning_rate_}
        elif rate is not None:  # a fixed step from the start
            params["learning_rate"] = rate
        spec = {"cls": type(est), "params": params, "version": _version(),
                "classes": None if classes is None else np.asarray(classes)}
        xs, ys = X.to_delayed().ravel(), y.to_delayed().ravel()
        ws = (sample_weight.to_delayed().ravel() if sample_weight is not None
              else [None] * len(xs))
        order = [i for i, rows in enumerate(X.chunks[0]) if rows > 0]
        saved = rng.bit_generator.state
        if self.shuffle_blocks:
            order = [order[i] for i in rng.permutation(len(order))]
        progress = None
        if self.verbose:
            from ._progress import EpochProgress

            progress = EpochProgress(f"Incremental({type(est).__name__})", len(order),
                                     unit="block")
        losses, live = [], []
        try:
            for k, i in enumerate(order):
                block = client.compute([xs[i], ys[i]] + ([ws[i]] if ws[i] is not None else []))
                if ws[i] is None:
                    block.append(None)
                step = client.submit(_block_step, previous, *block, spec, pure=False)
                live.append((step, block))
                if k > 0:  # the previous step done, its block released: two in flight
                    self._done(client, live.pop(0)[0], losses, progress)
                previous = step
            last = live.pop()[0]
            result = client.gather(last)
            if progress is not None:
                losses.append(result["loss"])
                progress.update({"loss": losses})
        except BaseException:
            rng.bit_generator.state = saved
            client.cancel([f for step, block in live for f in (step, *block)
                           if f is not None])
            raise
        finally:
            if progress is not None:
                progress.close()
        model = type(est)(**est.get_params(deep=False))
        model.set_state(result["state"])
        self.estimator_, self.learning_rate_ = model, float(result["learning_rate"])

    def _done(self, client, step, losses, progress):
        """Waits for a step (raising its error), reporting its loss when verbose."""
        distributed.wait(step)
        if step.status == "error":
            step.result()
        if progress is not None:
            losses.append(client.submit(_loss_of, step, pure=False).result())
            progress.update({"loss": losses})

    # ------------------------------------------------------------------ predicting

    def _fitted(self):
        from ._validation import check_is_fitted

        check_is_fitted(self, "estimator_")
        return self.estimator_

    def predict(self, X):
        """The estimator's predictions, a lazy dask array for a dask X (else NumPy).

        Parameters
        ----------
        X : dask array or ndarray (n_samples, n_features)

        Returns
        -------
        dask array or ndarray (n_samples,) or (n_samples, n_outputs)
        """
        model = self._fitted()
        if isinstance(X, da.Array):
            return predict(model, X)
        return model.predict(X)

    @_IfEstimatorHas
    def predict_proba(self, X):
        """The class probabilities where the estimator gives them, lazy for a dask X.

        Parameters
        ----------
        X : dask array or ndarray (n_samples, n_features)

        Returns
        -------
        dask array or ndarray (n_samples, n_classes)
        """
        model = self._fitted()
        if isinstance(X, da.Array):
            return predict_proba(model, X)
        return model.predict_proba(X)

    def score(self, X, y, sample_weight=None, *, client=None):
        """The estimator's score on all of X and y: accuracy, or R^2 for a regressor.

        Exactly ``estimator_.score`` on the concatenated data: an unweighted accuracy
        adds the blocks' counts of right answers (integers) and divides once; otherwise
        the predictions, y and sample_weight (never X) are gathered to the driver and
        scored by the estimator's own metric.

        Parameters
        ----------
        X : dask array or ndarray (n_samples, n_features)
        y : dask array or ndarray (n_samples,) or (n_samples, n_outputs)
        sample_weight : dask array or ndarray (n_samples,), optional
        client : distributed.Client, optional
            By default the current one (used only for dask inputs).

        Returns
        -------
        float
        """
        model = self._fitted()
        arrays = (X, y, sample_weight)
        if not any(isinstance(a, da.Array) for a in arrays):
            return model.score(X, y, sample_weight=sample_weight)
        client = _get_client(client)
        X, y, sample_weight = _row_blocks(X, y, sample_weight, client)
        spec = _prediction_spec(model)
        if self._is_classifier() and sample_weight is None:
            correct = dask.delayed(_block_correct, pure=True)
            counts = [correct(x, t, spec)
                      for x, t in zip(X.to_delayed().ravel(), y.to_delayed().ravel())]
            right = sum(client.gather(client.compute(counts)))
            return float(right / X.shape[0])
        parts = [predict(model, X), y] + ([sample_weight] if sample_weight is not None else [])
        values = client.gather(client.compute(parts))
        weights = values[2] if sample_weight is not None else None
        return float(_metric(model)(values[1], values[0], sample_weight=weights))


def _metric(model):
    """The metric of model.score as (y_true, y_pred, sample_weight): scikit-learn's
    accuracy or R^2 where it is installed (the mixins' score), else _compat's."""
    from ._compat import HAVE_SKLEARN, ClassifierMixin

    classifier = isinstance(model, ClassifierMixin)
    if HAVE_SKLEARN:
        from sklearn.metrics import accuracy_score, r2_score

        return accuracy_score if classifier else r2_score
    from ._metrics import r2_score

    if classifier:
        return lambda y, p, sample_weight=None: np.average(p == np.asarray(y),
                                                            weights=sample_weight)
    return r2_score
