"""mlpcore.distributed.Incremental on a LocalCluster: partial_fit streamed over the blocks,
bitwise the local partial_fit loop (in order, or in the order random_state draws), after a
lost worker too; learning_rate="auto" computed once; predictions and scores those of the
estimator; the driver's memory bounded while streaming a 2 GB lazy array."""

import os
import sys
import threading
import time
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

import mlpcore  # noqa: E402
from mlpcore import (  # noqa: E402
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    Perceptron,
    _training,
)
from mlpcore import distributed as md  # noqa: E402
from dask_clusters import (  # noqa: E402,F401 (fixtures)
    WORKER_START,
    client,
    procs,
    threads,
)

N, D = 800, 12
CHUNKINGS = {"one": (N,), "even": (200, 200, 200, 200), "uneven": (1, 500, 299),
             "with-empty": (300, 0, 500)}
CLASSES = np.array([0, 1, 2])


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D))
    W = rng.standard_normal((D, 3))
    y = np.argmax(X @ W + rng.standard_normal((N, 3)), axis=1)
    # the blocks differ in scale, so that each block's 1/L differs
    X[:300] *= 0.5
    yr = X @ W[:, 0] + 0.3 * rng.standard_normal(N) + 1.0
    return X, y, yr


X, Y, YR = _data()


def _dask(a, chunking):
    rows = CHUNKINGS[chunking]
    return da.from_array(a, chunks=(rows, *a.shape[1:]))


def _blocks(chunking):
    bounds = np.cumsum((0, *CHUNKINGS[chunking]))
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


# estimator, target, whether it takes classes
CASES = {
    "mlpc-sgd": (lambda: MLPClassifier((8,), solver="sgd", batch_size=64, momentum=0.9,
                                       random_state=0), Y, True),
    "mlpc-adam": (lambda: MLPClassifier((6, 5), activation="tanh", solver="adam",
                                        batch_size=50, random_state=1), Y, True),
    "logistic-sgd": (lambda: LogisticRegression(solver="sgd", batch_size=32, random_state=0),
                     Y, True),
    "logistic-gd": (lambda: LogisticRegression(solver="gd", weight_decay=1e-3, random_state=0), Y, True),
    "mlpr-sgd": (lambda: MLPRegressor((8,), solver="sgd", batch_size=64, learning_rate=0.005,
                                      random_state=2), YR, False),
    "linear-sgd": (lambda: LinearRegression(solver="sgd", batch_size=40, average=2,
                                            random_state=3), YR, False),
}


def _local_loop(model, target, blocks, takes_classes, sample_weight=None, rate=None):
    """partial_fit over the blocks on one machine; with learning_rate="auto", the step
    partial_fit computed on the first block is fixed for the later ones."""
    for k, rows in enumerate(blocks):
        kwargs = {"classes": CLASSES} if takes_classes else {}
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight[rows]
        model.partial_fit(X[rows], target[rows], **kwargs)
        if k == 0 and model.learning_rate == "auto" and rate is None:
            data = _training.prepare_data(model, X[rows], target[rows],
                                          kwargs.get("sample_weight"), first=False,
                                          classes=None, incremental=True)
            rate = _training.learning_rate(model, data.X,
                                           data.sample_weight / data.weight_scale)
            model.set_params(learning_rate=rate)
    return model, rate


def _assert_same_weights(a, b):
    assert len(a._weights) == len(b._weights)
    for u, v in zip([*a._weights, *a._biases], [*b._weights, *b._biases]):
        np.testing.assert_array_equal(u, v)


def _state_equal(a, b):
    for u, v in zip([*a._weights, *a._biases, *(x for p in a._velocity for x in p)],
                    [*b._weights, *b._biases, *(x for p in b._velocity for x in p)]):
        np.testing.assert_array_equal(u, v)
    assert a._step == b._step and a._rng_state == b._rng_state
    assert a.n_iter_ == b.n_iter_


# ------------------------------------------------------------------ bitwise the local loop

@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("chunking", list(CHUNKINGS))
def test_in_order_equals_the_local_partial_fit_loop(threads, case, chunking):
    make, target, takes_classes = CASES[case]
    kwargs = {"classes": CLASSES} if takes_classes else {}
    inc = md.Incremental(make(), shuffle_blocks=False).fit(
        _dask(X, chunking), _dask(target, chunking), client=threads, **kwargs)
    local, rate = _local_loop(make(), target, _blocks(chunking), takes_classes)
    _state_equal(inc.estimator_, local)
    assert inc.learning_rate_ == (rate if rate is not None else make().learning_rate)
    assert inc.estimator_.learning_rate == make().learning_rate  # the user's, unchanged
    assert inc.estimator_.history_["loss"] == local.history_["loss"]


@pytest.mark.parametrize("case", ["mlpc-sgd", "logistic-sgd", "mlpr-sgd"])
def test_on_process_workers_with_sample_weight_and_partial_fit_continuing(procs, case):
    make, target, takes_classes = CASES[case]
    kwargs = {"classes": CLASSES} if takes_classes else {}
    sw = np.random.default_rng(5).uniform(0.0, 2.0, N)
    inc = md.Incremental(make(), shuffle_blocks=False)
    inc.fit(_dask(X, "uneven"), _dask(target, "uneven"), sample_weight=_dask(sw, "uneven"),
            client=procs, **kwargs)
    inc.partial_fit(_dask(X, "even"), target, sample_weight=sw, client=procs)  # NumPy y, sw
    local, rate = _local_loop(make(), target, _blocks("uneven"), takes_classes, sw)
    local, _ = _local_loop(local, target, _blocks("even"), takes_classes, sw, rate)
    _state_equal(inc.estimator_, local)
    assert inc.estimator_.n_iter_ == 7  # 3 blocks, then 4


def test_numpy_inputs_are_split_per_worker_and_the_current_client_is_used(procs):
    make, target, _ = CASES["mlpc-sgd"]
    with procs.as_current():
        inc = md.Incremental(make(), shuffle_blocks=False).fit(X, target)
    local, _ = _local_loop(make(), target, [slice(0, 400), slice(400, 800)], True)
    _state_equal(inc.estimator_, local)


def test_auto_learning_rate_is_computed_once_not_per_block(threads):
    """On one machine, partial_fit recomputes learning_rate="auto" from each batch and
    keeps it nowhere (so a travelling state could not carry it); Incremental fixes the
    first block's."""
    blocks = [slice(200, 700), slice(700, 800)]  # rows below 300 are scaled by 0.5
    plain = LogisticRegression(solver="sgd", batch_size=32)
    for rows in blocks:
        plain.partial_fit(X[rows], Y[rows], classes=CLASSES)
    first, second = plain.history_["learning_rate"]
    assert first != second  # recomputed from each batch
    assert "learning_rate" not in plain.get_state()
    Xd, yd = da.from_array(X[200:], chunks=((500, 100), (D,))), da.from_array(Y[200:], 500)
    inc = md.Incremental(LogisticRegression(solver="sgd", batch_size=32),
                         shuffle_blocks=False).fit(Xd, yd, classes=CLASSES, client=threads)
    rates = inc.estimator_.history_["learning_rate"]
    assert rates == [first, first] == [inc.learning_rate_] * 2
    inc.partial_fit(Xd, yd, client=threads)  # continuing: the same step
    assert inc.estimator_.history_["learning_rate"] == [first] * 4
    # a fit starts again: the first block of the new order gives the step
    inc.set_params(shuffle_blocks=True, random_state=1).fit(Xd, yd, client=threads)
    assert inc.estimator_.n_iter_ == 2 and len(set(inc.estimator_.history_["learning_rate"])) == 1


# ------------------------------------------------------------------ shuffled blocks

def test_shuffled_order_comes_from_random_state_and_is_reproducible(client):
    make, target, _ = CASES["mlpc-sgd"]
    Xd, yd = _dask(X, "even"), _dask(target, "even")

    def run(seed):
        inc = md.Incremental(make(), random_state=seed)
        inc.fit(Xd, yd, classes=CLASSES, client=client)
        first = [w.copy() for w in inc.estimator_._weights]
        inc.partial_fit(Xd, yd, client=client)
        return first, inc.estimator_

    first_a, a = run(0)
    first_b, b = run(0)
    _, c = run(1)
    _state_equal(a, b)
    for u, v in zip(first_a, first_b):
        np.testing.assert_array_equal(u, v)
    assert not all(np.array_equal(u, v) for u, v in zip(a._weights, c._weights))
    # the orders: permutations of a Generator made from random_state at fit
    rng = np.random.default_rng(0)
    blocks = _blocks("even")
    local, _ = _local_loop(make(), target, [blocks[i] for i in rng.permutation(4)], True)
    for u, v in zip(first_a, local._weights):
        np.testing.assert_array_equal(u, v)
    local, _ = _local_loop(local, target, [blocks[i] for i in rng.permutation(4)], True)
    _state_equal(a, local)


def test_a_random_state_generator_and_refit_restart_the_orders(threads):
    make, target, _ = CASES["logistic-sgd"]
    Xd, yd = _dask(X, "even"), _dask(target, "even")
    inc = md.Incremental(make(), random_state=7)
    once = inc.fit(Xd, yd, classes=CLASSES, client=threads).estimator_
    twice = inc.fit(Xd, yd, classes=CLASSES, client=threads).estimator_  # fit resets
    _state_equal(once, twice)
    gen = md.Incremental(make(), random_state=np.random.default_rng(7))
    _state_equal(gen.fit(Xd, yd, classes=CLASSES, client=threads).estimator_, once)


# ------------------------------------------------------------------ classes, prediction, score

def test_classes_are_required_or_computed_as_partial_fit_needs(threads):
    Xd, yd = _dask(X, "even"), _dask(Y, "even")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        md.Incremental(LogisticRegression(solver="sgd")).partial_fit(Xd, yd, client=threads)
    # fit takes the labels of all of y (blocks may lack some)
    keep = Y != 2
    yd2 = da.from_array(np.where(np.arange(N) < 200, 0, Y), chunks=200)  # block 0 all 0
    inc = md.Incremental(LogisticRegression(solver="sgd", random_state=0),
                         shuffle_blocks=False).fit(Xd, yd2, client=threads)
    np.testing.assert_array_equal(inc.estimator_.classes_, np.unique(Y))
    ref = md.Incremental(LogisticRegression(solver="sgd", random_state=0),
                         shuffle_blocks=False).fit(Xd, yd2, classes=CLASSES, client=threads)
    _state_equal(inc.estimator_, ref.estimator_)
    # labels outside classes are refused by the block's partial_fit
    with pytest.raises(ValueError, match="not in classes|not seen"):
        md.Incremental(LogisticRegression(solver="sgd")).fit(
            Xd, yd, classes=[0, 1], client=threads)
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        inc.partial_fit(Xd, yd, classes=[0, 1, 2, 3], client=threads)
    assert keep.any()


def test_predict_predict_proba_and_score_equal_the_estimators(client):
    make, _, _ = CASES["mlpc-sgd"]
    inc = md.Incremental(make(), random_state=0).fit(_dask(X, "uneven"), _dask(Y, "uneven"),
                                                     classes=CLASSES, client=client)
    est = inc.estimator_
    sw = np.random.default_rng(3).uniform(0, 1, N)
    for chunking in ("one", "uneven"):
        Xd, yd = _dask(X, chunking), _dask(Y, chunking)
        labels = inc.predict(Xd)
        assert isinstance(labels, da.Array)
        np.testing.assert_array_equal(labels.compute(scheduler=client.get), est.predict(X))
        np.testing.assert_array_equal(inc.predict_proba(Xd).compute(scheduler=client.get),
                                      est.predict_proba(X))
        assert inc.score(Xd, yd, client=client) == est.score(X, Y)
        assert inc.score(Xd, yd, sample_weight=_dask(sw, chunking), client=client) == (
            est.score(X, Y, sample_weight=sw))
    np.testing.assert_array_equal(inc.predict(X), est.predict(X))  # NumPy stays NumPy
    assert inc.score(X, Y) == est.score(X, Y)

    reg = md.Incremental(MLPRegressor((8,), solver="sgd", random_state=0)).fit(
        _dask(X, "even"), _dask(YR, "even"), client=client)
    for weights in (None, _dask(sw, "uneven")):
        got = reg.score(_dask(X, "uneven"), _dask(YR, "uneven"), sample_weight=weights,
                        client=client)
        assert got == reg.estimator_.score(X, YR, sample_weight=None if weights is None
                                           else sw)
    assert not hasattr(reg, "predict_proba")
    assert hasattr(md.Incremental(make()), "predict_proba")


def test_get_params_clone_and_not_fitted(threads):
    sklearn_base = pytest.importorskip("sklearn.base")
    inc = md.Incremental(LogisticRegression(solver="sgd"), random_state=3, verbose=False)
    params = inc.get_params()
    assert params["random_state"] == 3 and params["estimator__solver"] == "sgd"
    copy = sklearn_base.clone(inc)
    assert copy.estimator is not inc.estimator and copy.get_params()["random_state"] == 3
    assert sklearn_base.is_classifier(inc)
    assert sklearn_base.is_regressor(md.Incremental(MLPRegressor(solver="adam")))
    with pytest.raises(mlpcore.NotFittedError):
        inc.predict(X)


# ------------------------------------------------------------------ refusals

def test_inputs_are_taken_in_the_row_blocks_of_x_as_fit_takes_them(threads):
    """Columns in chunks, y and sample weights chunked otherwise, DataFrames: the stream
    is the row blocks of X, as with X in whole rows and everything in its blocks."""
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    make, target, _ = CASES["logistic-sgd"]
    sw = np.linspace(0.5, 2.0, N)
    ordered = lambda: md.Incremental(make(), shuffle_blocks=False)  # noqa: E731
    reference = ordered().fit(_dask(X, "even"), _dask(target, "even"), classes=CLASSES,
                              sample_weight=_dask(sw, "even"), client=threads)
    columns = da.from_array(X, chunks=(200, 6))
    other = ordered().fit(columns, _dask(target, "uneven"), classes=CLASSES,
                          sample_weight=da.from_array(sw, chunks=400), client=threads)
    frames = ordered().fit(dd.from_pandas(pd.DataFrame(X), npartitions=4),
                           dd.from_pandas(pd.Series(target), npartitions=4),
                           classes=CLASSES, sample_weight=sw, client=threads)
    for model in (other, frames):
        np.testing.assert_array_equal(model.estimator_.coef_, reference.estimator_.coef_)
        np.testing.assert_array_equal(model.estimator_.intercept_,
                                      reference.estimator_.intercept_)


def test_refusals(threads):
    Xd, yd = _dask(X, "even"), _dask(Y, "even")
    with pytest.raises(TypeError, match="LogisticRegression has none"):  # lbfgs: no partial_fit
        md.Incremental(LogisticRegression()).fit(Xd, yd, client=threads)
    with pytest.raises(TypeError, match="Standardized has none"):
        md.Incremental(mlpcore.Standardized(LogisticRegression())).fit(Xd, yd, client=threads)
    linear_model = pytest.importorskip("sklearn.linear_model")
    with pytest.raises(TypeError, match="SGDClassifier is not one"):
        md.Incremental(linear_model.SGDClassifier()).fit(Xd, yd, client=threads)
    model = md.Incremental(LogisticRegression(solver="sgd"))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(Xd, Y[:-1], classes=CLASSES, client=threads)
    with pytest.raises(ValueError, match="requires y"):
        model.fit(Xd, None, classes=CLASSES, client=threads)
    with pytest.raises(ValueError, match="unknown size"):
        model.fit(Xd[Xd[:, 0] > 0], yd[Xd[:, 0] > 0], classes=CLASSES, client=threads)
    with pytest.raises(ValueError, match="early_stopping"):  # partial_fit's own refusal
        md.Incremental(LogisticRegression(solver="sgd", early_stopping=True)).fit(
            Xd, yd, classes=CLASSES, client=threads)
    assert not hasattr(model, "estimator_")


def test_a_failed_call_leaves_the_model_and_the_orders_as_they_were(threads):
    make, target, _ = CASES["logistic-sgd"]
    Xd, yd = _dask(X, "even"), _dask(target, "even")
    inc = md.Incremental(make(), random_state=0).fit(Xd, yd, classes=CLASSES, client=threads)
    before = inc.estimator_
    bad = X.copy()
    bad[650, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        inc.partial_fit(_dask(bad, "even"), yd, client=threads)
    assert inc.estimator_ is before
    inc.partial_fit(Xd, yd, client=threads)
    ref = md.Incremental(make(), random_state=0).fit(Xd, yd, classes=CLASSES, client=threads)
    ref.partial_fit(Xd, yd, client=threads)
    _state_equal(inc.estimator_, ref.estimator_)


def test_tasks_do_not_write_into_their_inputs(threads):
    Xc, yc = X.copy(), Y.copy()
    inc = md.Incremental(MLPClassifier((8,), solver="sgd", random_state=0), random_state=0)
    inc.fit(Xc, yc, classes=CLASSES, client=threads)
    est = inc.estimator_
    saved = [w.copy() for w in est._weights]
    inc.partial_fit(Xc, yc, client=threads)
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(yc, Y)
    for w, s in zip(est._weights, saved):  # the previous estimator_ is not trained further
        np.testing.assert_array_equal(w, s)


def test_perceptron_streams_too(threads):
    inc = md.Incremental(Perceptron(random_state=0), shuffle_blocks=False).fit(
        _dask(X, "even"), _dask(Y, "even"), classes=CLASSES, client=threads)
    local, _ = _local_loop(Perceptron(random_state=0), Y, _blocks("even"), True)
    _assert_same_weights(inc.estimator_, local)


def test_verbose_reports_each_block_on_stderr(threads, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # lines, not a tqdm bar
    md.Incremental(LogisticRegression(solver="sgd"), verbose=True).fit(
        _dask(X, "even"), _dask(Y, "even"), classes=CLASSES, client=threads)
    err = capsys.readouterr().err
    assert "Incremental(LogisticRegression) block 1/4: loss" in err
    assert "Incremental(LogisticRegression) block 4/4: loss" in err


# ------------------------------------------------------------------ a lost worker

def test_a_worker_killed_during_a_fit_gives_bitwise_the_same_result(procs, monkeypatch):
    make, target, _ = CASES["mlpc-sgd"]
    Xd, yd = _dask(X, "even"), _dask(target, "even")
    Xd, yd = Xd.rechunk({0: 100}), yd.rechunk(100)  # eight blocks

    def run():
        return md.Incremental(make(), random_state=4).fit(Xd, yd, classes=CLASSES,
                                                          client=procs).estimator_

    reference = run()
    procs.wait_for_workers(2, timeout=WORKER_START)
    calls, victims, done = [], [], md.Incremental._done

    def killing_done(self, client, step, losses, progress):
        out = done(self, client, step, losses, progress)
        calls.append(1)
        if len(calls) == 3:  # mid-stream: the worker holding the state the next step needs
            victims.extend(client.who_has(step)[step.key])
            try:
                procs.run(os._exit, 1, workers=victims)
            except Exception:  # the worker may be gone before it answers  # noqa: BLE001
                pass
        return out

    monkeypatch.setattr(md.Incremental, "_done", killing_done)
    again = run()
    assert len(calls) == 7 and len(victims) == 1
    procs.wait_for_workers(2, timeout=WORKER_START)
    assert victims[0] not in procs.scheduler_info()["workers"]  # it died (and was replaced)
    _state_equal(reference, again)
    assert reference.history_["loss"] == again.history_["loss"]


# ------------------------------------------------------------------ larger than memory

def _rss():
    import psutil

    return psutil.Process().memory_info().rss


def test_a_2_gb_lazy_array_streams_with_little_driver_memory(procs):
    rows, chunk = 3_906_250, 156_250  # 2.0e9 bytes of float64 in 25 blocks of 80 MB
    X2 = da.random.RandomState(0).random_sample((rows, 64), chunks=(chunk, 64))
    y2 = (X2[:, 0] > 0.5).astype(np.int64)
    assert X2.nbytes == 2_000_000_000
    peak, stop = [_rss()], threading.Event()

    def watch():
        while not stop.wait(0.02):
            peak.append(_rss())

    before = _rss()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        inc = md.Incremental(LogisticRegression(solver="sgd", batch_size=4096,
                                                learning_rate=0.5, random_state=0),
                             random_state=0).fit(X2, y2, classes=[0, 1], client=procs)
    finally:
        stop.set()
        watcher.join()
    seconds = time.perf_counter() - start
    growth = max(peak) - before
    print(f"2 GB stream: {seconds:.1f} s, driver RSS growth {growth / 2**20:.1f} MiB")
    assert growth < 300 * 2**20, growth
    assert inc.estimator_.n_iter_ == 25
    coef = inc.estimator_.coef_
    assert coef[1, 0] - coef[0, 0] > 1.0  # it learned that column 0 decides
