"""Training on a Dask cluster against one machine (``mlpcore bench --distributed``).

A LocalCluster of --workers worker processes of one thread each trains an
MLPClassifier((64,)) with each strategy of ``mlpcore.distributed.fit``:

- "gradient" (solver "gd"): each epoch one round trip, every chunk's sum of the loss
  and its gradient;
- "sync_sgd" (solver "sgd", batch_size 4096, at most an eighth of the rows): fit's
  minibatches, each batch's gradient summed over the chunks, one round trip per batch,
  ceil(rows / batch_size) per epoch;
- "average" (solver "sgd", the same batch_size): each chunk runs compiled epochs on its
  own rows, the driver averages the weights every average_every epochs (1 and 5; with
  5, at least 10 epochs, so that the median is over two rounds).

Each is timed against the same estimator's ``fit`` on the concatenated NumPy arrays,
with one thread and with as many threads as workers. Times are the median of the
per-epoch seconds of ``history_["seconds"]`` (tol=None: every epoch runs), which
leave out what a fit does once (checking and weighing the chunks, the learning rate);
ratio = distributed / fit: above 1, the one-machine fit is faster.

The data, a random linear-softmax problem (float64, 32 features, 10 classes), are
split into two chunks of rows per worker and persisted on the workers before anything
is timed: the times exclude generating the data and sending it to the workers once.

Communication: the time of one round as the strategies make it, one task per chunk
(placed with its chunk) carrying the model's weights and biases and returning arrays
of their shapes, gathered on the driver, here with no computation (the task returns
zeros): the latency of the cluster; with the weights' size and the bytes a round moves.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

import mlpcore

FEATURES = 32
CLASSES = 10
HIDDEN = (64,)
# the minibatch of "sync_sgd" and of the partitions' epochs in "average" (at most an
# eighth of the rows, so that a small run still makes several round trips per epoch)
BATCH = 4096
AVERAGE_EVERY = (1, 5)


def make_data(rows, features=FEATURES, classes=CLASSES, seed=0):
    """A random linear-softmax problem: X standard normal, y drawn from the softmax of
    X @ W (the argmax of the logits plus Gumbel noise), so the rows come shuffled."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features))
    W = rng.standard_normal((features, classes)) * (2.0 / np.sqrt(features))
    y = np.argmax(X @ W + rng.gumbel(size=(rows, classes)), axis=1)
    return X, y


def _estimator(solver, epochs, batch):
    return mlpcore.MLPClassifier(HIDDEN, solver=solver, batch_size=batch, max_epochs=epochs,
                                 tol=None, random_state=0)


def _noop_round(chunk, weights, biases):
    """A task of a round without its computation: gradient-sized float64 zeros (the sums
    the chunks return are float64) and a loss."""
    return 0.0, [np.zeros(w.shape) for w in weights], [np.zeros(b.shape) for b in biases]


def _state_bytes(value):
    """The bytes of the arrays in an estimator's state (nested lists, tuples, dicts)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(_state_bytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_state_bytes(v) for v in value.values())
    return 0


def _stats(samples):
    return {"median": float(np.median(samples)), "min": float(np.min(samples)),
            "max": float(np.max(samples)), "n": len(samples)}


def _epoch_seconds(fit):
    """The per-epoch seconds of a fit (a callable returning the fitted estimator), its
    wall time and the estimator."""
    start = time.perf_counter()
    model = fit()
    wall = time.perf_counter() - start
    seconds = [float(s) for s in model.history_["seconds"]]
    return _stats(seconds), wall, model


def _communication(client, chunk_futures, weights, biases, rounds):
    """Seconds of `rounds` no-op rounds (after two untimed ones)."""
    samples = []
    for r in range(rounds + 2):
        start = time.perf_counter()
        futures = [client.submit(_noop_round, c, weights, biases, pure=False)
                   for c in chunk_futures]
        client.gather(futures)
        elapsed = time.perf_counter() - start
        if r >= 2:
            samples.append(elapsed)
    return _stats(samples)


def run_distributed(rows, workers, epochs, rounds):
    """Starts the cluster, times each strategy, fit and a no-op round, prints the
    tables and returns the JSON part."""
    import dask.array as da
    from distributed import Client, LocalCluster, futures_of, wait

    from mlpcore import distributed as md

    chunks = 2 * workers
    batch = max(1, min(BATCH, rows // 8))
    per_chunk = -(-rows // chunks)
    X, y = make_data(rows)
    print(f"\ndistributed training: LocalCluster of {workers} worker processes x 1 thread "
          f"(threads_per_task=1), MLPClassifier({HIDDEN}) on a random linear-softmax "
          f"problem, {rows} x {FEATURES} float64, {CLASSES} classes, {chunks} chunks of "
          f"{per_chunk} rows")
    start = time.perf_counter()
    with warnings.catch_warnings(), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        warnings.simplefilter("ignore")  # ConvergenceWarning of the capped fits
        started = time.perf_counter() - start
        start = time.perf_counter()
        Xd = da.from_array(X, chunks=(per_chunk, FEATURES))
        yd = da.from_array(y, chunks=per_chunk)
        Xd, yd = client.persist([Xd, yd])
        wait([Xd, yd])
        persisted = time.perf_counter() - start
        print(f"  cluster started in {started:.1f}s; data persisted on the workers in "
              f"{persisted:.1f}s, before timing (the times exclude generating and sending "
              "the data)")
        print(f"  median of the per-epoch seconds (history_['seconds']) over the epochs of "
              f"one fit, tol=None; batch_size {batch} for sgd; ratio = distributed / fit "
              f"(above 1: the one-machine fit is faster); comm/epoch = round trips per "
              f"epoch x the no-op round below")

        cases = [("gradient", "gd", {}, epochs),
                 ("sync_sgd", "sgd", {}, epochs)]
        cases += [(f"average every {k}", "sgd", {"average_every": k}, max(epochs, 2 * k))
                  for k in AVERAGE_EVERY]
        local = {}  # solver -> {threads: per-epoch times of fit}, 1 and `workers` threads
        results = []
        model = None
        for name, solver, options, n_epochs in cases:
            strategy = name.split()[0]
            dist, wall, fitted = _epoch_seconds(
                lambda: md.fit(_estimator(solver, n_epochs, batch), Xd, yd, client=client,
                               strategy=strategy, **options))
            model = fitted if model is None else model
            if solver not in local:
                local[solver] = {}
                for threads in dict.fromkeys((1, workers)):
                    with mlpcore.num_threads(threads):
                        t, local_wall, _ = _epoch_seconds(
                            lambda: _estimator(solver, epochs, batch).fit(X, y))
                    local[solver][threads] = dict(t, wall=local_wall)
            trips = {"gradient": 1.0, "sync_sgd": float(math.ceil(rows / batch))}.get(
                strategy, 1.0 / options.get("average_every", 1))
            row = {"strategy": strategy, "case": name, "solver": solver, "epochs": n_epochs,
                   "batch_size": batch if solver == "sgd" else None,
                   "round_trips_per_epoch": trips, "distributed": dict(dist, wall=wall),
                   "fit_1_thread": local[solver][1],
                   "fit_n_threads": local[solver][workers],
                   "train_accuracy": float(np.mean(fitted.predict(X[:20000]) == y[:20000]))}
            row["ratio_1_thread"] = dist["median"] / local[solver][1]["median"]
            row["ratio_n_threads"] = dist["median"] / local[solver][workers]["median"]
            results.append(row)

        weights = [w.copy() for w in model._weights]
        biases = [b.copy() for b in model._biases]
        weight_bytes = sum(a.nbytes for a in (*weights, *biases))
        parameters = sum(a.size for a in (*weights, *biases))
        state_bytes = _state_bytes(model.get_state())
        keys = Xd.__dask_keys__()
        by_key = {f.key: f for f in futures_of(Xd)}
        chunk_futures = [by_key[k[0] if isinstance(k, list) else k] for k in keys]
        comm = _communication(client, chunk_futures, weights, biases, rounds)

    per_round = chunks * 2 * weight_bytes
    for row in results:
        row["comm_per_epoch"] = row["round_trips_per_epoch"] * comm["median"]

    head = (f"\n{'strategy':<24}{'solver':>7}{'epochs':>7}{'rounds/ep':>10}"
            f"{'distributed':>12}{'fit 1 thr':>11}{'ratio':>7}{f'fit {workers} thr':>11}"
            f"{'ratio':>7}{'comm/ep':>10}")
    print(head)
    for row in results:
        trips = row["round_trips_per_epoch"]
        trips = f"{trips:.0f}" if trips >= 1 else f"{trips:.2f}"
        name = row["case"] if row["strategy"] != "sync_sgd" else f"sync_sgd (batch {batch})"
        print(f"{name:<24}{row['solver']:>7}{row['epochs']:>7}{trips:>10}"
              f"{row['distributed']['median']:>11.3f}s{row['fit_1_thread']['median']:>10.3f}s"
              f"{row['ratio_1_thread']:>7.2f}"
              f"{row['fit_n_threads']['median']:>10.3f}s"
              f"{row['ratio_n_threads']:>7.2f}{row['comm_per_epoch']:>9.3f}s",
              flush=True)
    print(f"\ncommunication: one round = {chunks} tasks (one per chunk, on its worker) "
          f"carrying the weights and returning gradient-sized float64 zeros, gathered:")
    print(f"  median {comm['median'] * 1e3:.2f} ms (min {comm['min'] * 1e3:.2f}, "
          f"max {comm['max'] * 1e3:.2f}) over {rounds} rounds")
    print(f"  weights: {parameters} parameters, {weight_bytes} bytes (weights + biases, "
          f"float64); per round {per_round} bytes ({chunks} chunks x (weights out + "
          f"gradients back)); \"average\" sends and returns each partition's whole state, "
          f"{state_bytes} bytes")
    print(f"  sync_sgd: {math.ceil(rows / batch)} round trip(s) per epoch (ceil({rows} / "
          f"{batch})): latency-bound where they take most of its epoch")
    return {"distributed": {
        "workers": workers, "threads_per_worker": 1, "threads_per_task": 1,
        "n_threads": workers,  # the threads of fit_n_threads
        "rows": rows, "features": FEATURES, "classes": CLASSES, "chunks": chunks,
        "rows_per_chunk": per_chunk, "hidden": list(HIDDEN), "batch_size": batch,
        "cluster_start_s": started, "persist_s": persisted, "strategies": results,
        "communication": dict(comm, parameters=int(parameters), weight_bytes=int(weight_bytes),
                              bytes_per_round=int(per_round), state_bytes=int(state_bytes)),
    }}
