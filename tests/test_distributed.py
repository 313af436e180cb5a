"""mlpcore.distributed on a LocalCluster: the chunks' sums give one machine's loss,
gradient and fit (within rounding), bitwise the same for any number of workers and
after a lost worker; predictions bitwise equal."""

import os
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
    _training,
)
from mlpcore import distributed as md  # noqa: E402
from dask_clusters import (  # noqa: E402,F401 (fixtures)
    WORKER_START,
    client,
    local_cluster,
    procs,
    threads,
)

N, D = 800, 12
CHUNKINGS = {"one": (N,), "even": (200, 200, 200, 200), "uneven": (1, 500, 299)}


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D))
    W = rng.standard_normal((D, 3))
    y = np.argmax(X @ W + rng.standard_normal((N, 3)), axis=1)  # not separable
    yr = X @ W[:, 0] + 0.3 * rng.standard_normal(N) + 1.0
    return X, y, yr


X, Y, YR = _data()


def _dask(a, chunking):
    rows = CHUNKINGS[chunking]
    return da.from_array(a, chunks=(rows, *a.shape[1:]))


def _max_difference(a, b):
    """The largest difference of the weights and biases, relative to 1 or their size."""
    pairs = zip([*a._weights, *a._biases], [*b._weights, *b._biases])
    return max(float(np.abs(u - v).max()) / max(1.0, float(np.abs(u).max())) for u, v in pairs)


def _fit_quietly(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
        if kwargs.pop("distributed", False):
            return md.fit(model, *args, **kwargs)
        return model.fit(*args, **kwargs)


# (estimator, target) of the equality tests, with a chunking each
CASES = {
    "logistic-gd": (lambda: LogisticRegression(solver="gd", max_epochs=50, tol=None), Y,
                    "uneven"),
    "logistic-gd-tol": (lambda: LogisticRegression(solver="gd", max_epochs=50, tol=0.05),
                        Y, "even"),
    "logistic-lbfgs": (lambda: LogisticRegression(solver="lbfgs", max_epochs=50, tol=None,
                                                  weight_decay=1e-3), Y, "even"),
    "linear-gd": (lambda: LinearRegression(
        solver="gd", max_epochs=50, tol=None, momentum=0.5, nesterov=True,
        weight_decay=1e-3, average=10, schedule="invscaling", power_t=0.1), YR, "one"),
    "linear-lbfgs": (lambda: LinearRegression(solver="lbfgs", max_epochs=50, tol=None), YR,
                     "uneven"),
    "mlpc-lbfgs": (lambda: MLPClassifier((8,), solver="lbfgs", max_epochs=50, tol=None,
                                         random_state=0), Y, "uneven"),
    "mlpc-gd": (lambda: MLPClassifier((8,), activation="tanh", solver="gd", momentum=0.9,
                                      max_epochs=50, tol=None, random_state=1), Y, "even"),
    "mlpr-lbfgs": (lambda: MLPRegressor((8,), solver="lbfgs", max_epochs=50, tol=None,
                                        random_state=0), YR, "one"),
}


def _local_loss_and_gradient(model, X, y, sample_weight=None):
    data = _training.prepare_data(model, X, y, sample_weight, first=False, classes=None,
                                  incremental=False)
    trainer = _training.make_trainer(model, data, 0.0)
    gw = [np.empty_like(w) for w in model._weights]
    gb = [np.empty_like(b) for b in model._biases]
    loss = trainer.loss_and_gradient(data.X, data.target, data.weights_arg, gw, gb)
    return loss, gw, gb


@pytest.mark.parametrize("case", ["logistic-lbfgs", "linear-gd", "mlpc-lbfgs", "mlpr-lbfgs"])
@pytest.mark.parametrize("chunking", list(CHUNKINGS))
def test_loss_and_gradient_equal_one_machines(threads, case, chunking):
    make, target, _ = CASES[case]
    model = _fit_quietly(make().set_params(max_epochs=3, weight_decay=1e-2), X, target)
    sw = np.random.default_rng(1).uniform(0.0, 3.0, N)
    for weights in (None, sw):
        loss, gw, gb = md.loss_and_gradient(model, _dask(X, chunking), _dask(target, chunking),
                                            client=threads, sample_weight=weights)
        ref_loss, ref_w, ref_b = _local_loss_and_gradient(model, X, target, weights)
        assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss)
        for got, ref in zip([*gw, *gb], [*ref_w, *ref_b]):
            assert got.shape == ref.shape
            assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max(), (
                np.abs(got - ref).max())


def test_loss_and_gradient_on_process_workers_with_numpy_and_the_current_client(procs):
    model = _fit_quietly(MLPClassifier((8,), solver="lbfgs", max_epochs=3, random_state=0),
                         X, Y)
    with procs.as_current():
        loss, gw, gb = md.loss_and_gradient(model, X, Y)
    ref_loss, ref_w, ref_b = _local_loss_and_gradient(model, X, Y)
    assert abs(loss - ref_loss) <= 1e-12 * ref_loss
    for got, ref in zip([*gw, *gb], [*ref_w, *ref_b]):
        assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()


@pytest.mark.parametrize("case", list(CASES))
def test_fit_equals_one_machines_fit(threads, case):
    make, target, chunking = CASES[case]
    local = _fit_quietly(make(), X, target)
    dist = _fit_quietly(make(), _dask(X, chunking), _dask(target, chunking), client=threads,
                        distributed=True)
    assert dist.n_iter_ == local.n_iter_ and dist.t_ == local.t_
    assert dist.converged_ == local.converged_
    assert _max_difference(local, dist) <= 1e-10, _max_difference(local, dist)
    for key in ("loss", "grad_norm", "learning_rate"):  # within 1e-10 of their largest
        ref = np.asarray(local.history_[key])
        np.testing.assert_allclose(dist.history_[key], ref, rtol=0,
                                   atol=1e-10 * max(np.abs(ref).max(), 1e-300))
    assert len(dist.history_["seconds"]) == dist.n_iter_
    np.testing.assert_allclose(dist.predict(X), local.predict(X), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", ["logistic-gd", "linear-lbfgs", "mlpc-lbfgs"])
def test_fit_on_process_workers_equals_one_machines_fit(procs, case):
    make, target, chunking = CASES[case]
    local = _fit_quietly(make(), X, target)
    dist = _fit_quietly(make(), _dask(X, chunking), _dask(target, chunking), client=procs,
                        distributed=True)
    assert dist.n_iter_ == local.n_iter_
    assert _max_difference(local, dist) <= 1e-10, _max_difference(local, dist)


def test_numpy_inputs_with_sample_and_balanced_class_weights(procs):
    sw = np.random.default_rng(2).uniform(0.0, 2.0, N)
    make = lambda: LogisticRegression(solver="lbfgs", max_epochs=50, tol=None,  # noqa: E731
                                      class_weight="balanced", weight_decay=1e-3)
    keep = Y != 2
    Xb, yb, swb = X[keep], Y[keep], sw[keep]  # unequal class counts
    local = _fit_quietly(make(), Xb, yb, sample_weight=swb)
    dist = _fit_quietly(make(), Xb, yb, sample_weight=swb, client=procs, distributed=True)
    assert _max_difference(local, dist) <= 1e-10, _max_difference(local, dist)
    np.testing.assert_array_equal(dist.classes_, local.classes_)


@pytest.mark.parametrize("strategy", ["gradient", "sync_sgd"])
def test_one_and_two_workers_give_bitwise_the_same_fit(procs, strategy):
    make, target, _ = CASES["mlpc-lbfgs"]
    if strategy == "sync_sgd":
        make, target = SGD_CASES["mlpc-sgd"]
    two = _fit_quietly(make().set_params(max_epochs=15), _dask(X, "uneven"),
                       _dask(target, "uneven"), client=procs, distributed=True,
                       strategy=strategy)
    with local_cluster(False, n_workers=1) as cluster, distributed.Client(cluster) as one_client:
        one = _fit_quietly(make().set_params(max_epochs=15), _dask(X, "uneven"),
                           _dask(target, "uneven"), client=one_client, distributed=True,
                           strategy=strategy)
    for a, b in zip([*one._weights, *one._biases], [*two._weights, *two._biases]):
        np.testing.assert_array_equal(a, b)
    assert one.history_["loss"] == two.history_["loss"]


@pytest.mark.parametrize("inputs", ["dask", "numpy"])
def test_a_worker_killed_during_a_fit_gives_bitwise_the_same_result(procs, monkeypatch,
                                                                     inputs):
    make, target, _ = CASES["mlpc-lbfgs"]
    data = ((_dask(X, "even"), _dask(target, "even")) if inputs == "dask" else (X, target))
    reference = _fit_quietly(make().set_params(max_epochs=12), *data, client=procs,
                             distributed=True)
    procs.wait_for_workers(2, timeout=WORKER_START)  # the worker an earlier case killed is back
    victim = sorted(procs.scheduler_info()["workers"])[0]
    calls, step = [], md._Chunks.loss_and_gradient

    def killing_step(self, weights, biases):
        calls.append(1)
        if len(calls) == 4:  # after the first steps, while the chunks live on the workers
            try:
                procs.run(os._exit, 1, workers=[victim])
            except Exception:  # the worker may be gone before it answers  # noqa: BLE001
                pass
        return step(self, weights, biases)

    monkeypatch.setattr(md._Chunks, "loss_and_gradient", killing_step)
    again = _fit_quietly(make().set_params(max_epochs=12), *data, client=procs,
                         distributed=True)
    assert len(calls) > 4
    procs.wait_for_workers(2, timeout=WORKER_START)
    assert victim not in procs.scheduler_info()["workers"]  # it did die (and was replaced)
    for a, b in zip([*reference._weights, *reference._biases],
                    [*again._weights, *again._biases]):
        np.testing.assert_array_equal(a, b)
    assert reference.history_["loss"] == again.history_["loss"]


@pytest.mark.parametrize("strategy", ["sync_sgd", "average"])
def test_a_worker_killed_during_a_minibatch_fit_gives_bitwise_the_same_result(
        procs, monkeypatch, strategy):
    make, target = SGD_CASES["mlpc-adam"]
    data = _dask(X, "even"), _dask(target, "even")
    reference = _fit_quietly(make(), *data, client=procs, distributed=True,
                             strategy=strategy)
    procs.wait_for_workers(2, timeout=WORKER_START)
    victim = sorted(procs.scheduler_info()["workers"])[0]
    epochs, record = [], md._record_epoch

    def killing_record(*args):
        epochs.append(1)
        if len(epochs) == 3:  # between epochs, while the chunks live on the workers
            try:
                procs.run(os._exit, 1, workers=[victim])
            except Exception:  # the worker may be gone before it answers  # noqa: BLE001
                pass
        return record(*args)

    monkeypatch.setattr(md, "_record_epoch", killing_record)
    again = _fit_quietly(make(), *data, client=procs, distributed=True, strategy=strategy)
    procs.wait_for_workers(2, timeout=WORKER_START)
    assert victim not in procs.scheduler_info()["workers"]
    _states_equal(reference, again)


def test_predictions_are_bitwise_one_machines(client):
    clf = _fit_quietly(MLPClassifier((8,), solver="lbfgs", max_epochs=20, random_state=0),
                       X, Y)
    reg = _fit_quietly(LinearRegression(solver="gd", max_epochs=20), X, np.c_[YR, -YR])
    for chunking in CHUNKINGS:
        Xd = _dask(X, chunking)
        labels = md.predict(clf, Xd)
        assert isinstance(labels, da.Array)
        np.testing.assert_array_equal(labels.compute(scheduler=client.get), clf.predict(X))
        np.testing.assert_array_equal(
            md.predict_proba(clf, Xd).compute(scheduler=client.get), clf.predict_proba(X))
        np.testing.assert_array_equal(md.predict(reg, Xd).compute(scheduler=client.get),
                                      reg.predict(X))
    np.testing.assert_array_equal(md.predict(clf, X).compute(scheduler=client.get),
                                  clf.predict(X))


@pytest.mark.parametrize("strategy", ["gradient", "sync_sgd", "average"])
def test_standardized_fits_as_on_one_machine(threads, strategy):
    """The statistics from the chunks' sums of the two passes, then the estimator on the
    standardized chunks: as Standardized.fit on all the rows, up to rounding."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    solver = {"gradient": "gd", "sync_sgd": "sgd", "average": "sgd"}[strategy]
    frame = pd.DataFrame(100.0 * X + 7.0, columns=[f"f{j}" for j in range(D)])
    sw = np.random.default_rng(3).uniform(0.5, 2.0, N)
    make = lambda: mlpcore.Standardized(MLPClassifier(  # noqa: E731
        (6,), solver=solver, batch_size=800 if strategy == "average" else 100,
        max_epochs=8, tol=None, random_state=0))
    local = _fit_quietly(make(), frame, Y, sample_weight=sw)
    chunking = "one" if strategy == "average" else "uneven"  # "average": one is fit
    model = _fit_quietly(make(), dd.from_pandas(frame, npartitions=1 if chunking == "one"
                                                else 3),
                         dd.from_pandas(pd.Series(Y), npartitions=1 if chunking == "one"
                                        else 3),
                         sample_weight=_dask(sw, chunking) if chunking == "one" else sw,
                         client=threads, distributed=True, strategy=strategy)
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(getattr(model.scaler_, name),
                                   getattr(local.scaler_, name), rtol=1e-13)
    assert model.scaler_.n_samples_seen_ == pytest.approx(local.scaler_.n_samples_seen_,
                                                          rel=1e-14)
    assert _max_difference(local.estimator_, model.estimator_) < 1e-10
    assert list(model.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(model.predict(frame), local.predict(frame))


def test_standardized_regressor_with_its_target_and_empty_chunks(threads):
    make = lambda: mlpcore.Standardized(LinearRegression(  # noqa: E731
        solver="gd", max_epochs=30, tol=None), target=True)
    Xs, ys = 100.0 * X + 7.0, np.c_[50.0 * YR + 3.0, -YR]
    local = _fit_quietly(make(), Xs, ys)
    rows = (0, 300, 0, 500)
    model = _fit_quietly(make(), da.from_array(Xs, chunks=(rows, D)),
                         da.from_array(ys, chunks=(rows, 2)), client=threads,
                         distributed=True)
    for scaler in ("scaler_", "target_scaler_"):
        for name in ("mean_", "scale_"):
            np.testing.assert_allclose(getattr(getattr(model, scaler), name),
                                       getattr(getattr(local, scaler), name), rtol=1e-13)
    assert _max_difference(local.estimator_, model.estimator_) < 1e-10
    np.testing.assert_allclose(model.predict(Xs), local.predict(Xs), rtol=1e-10)
    assert not hasattr(model, "feature_names_in_")
    bad = Xs.copy()
    bad[5, 2] = np.nan
    fresh = make()
    with pytest.raises(ValueError, match="Input X contains NaN"):
        md.fit(fresh, da.from_array(bad, chunks=(rows, D)), ys, client=threads)
    assert not hasattr(fresh, "estimator_")  # nothing fitted
    with pytest.raises(ValueError, match="sum of sample_weight must be positive"):
        md.fit(make(), Xs, ys, sample_weight=np.zeros(N), client=threads)


def test_a_standardized_model_predicts_over_the_blocks(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame(100.0 * X + 7.0, columns=[f"f{j}" for j in range(D)])
    clf = _fit_quietly(mlpcore.Standardized(LogisticRegression(max_epochs=20)), frame, Y)
    reg = _fit_quietly(mlpcore.Standardized(LinearRegression(solver="gd", max_epochs=20),
                                            target=True), frame.to_numpy(), 50.0 * YR)
    ddf = dd.from_pandas(frame, npartitions=3)
    np.testing.assert_array_equal(md.predict(clf, ddf).compute(scheduler=client.get),
                                  clf.predict(frame))
    np.testing.assert_array_equal(md.predict_proba(clf, ddf).compute(scheduler=client.get),
                                  clf.predict_proba(frame))
    np.testing.assert_array_equal(
        md.predict(reg, _dask(frame.to_numpy(), "uneven")).compute(scheduler=client.get),
        reg.predict(frame.to_numpy()))
    with pytest.raises(ValueError, match="feature names should match"):
        md.predict(clf, ddf.rename(columns={"f0": "z"}))


def test_the_drivers_thread_count_and_environment_are_unchanged(client):
    before = mlpcore.get_num_threads()
    target = 1 if before > 1 else 2
    environment = os.environ.get("OMP_NUM_THREADS")  # as the cluster left it
    mlpcore.set_num_threads(target)
    try:
        make, y, chunking = CASES["mlpc-lbfgs"]
        _fit_quietly(make().set_params(max_epochs=3), _dask(X, chunking), _dask(y, chunking),
                     client=client, distributed=True, threads_per_task=2)
        assert mlpcore.get_num_threads() == target
        assert mlpcore.get_thread_num_threads() == 0
        assert os.environ.get("OMP_NUM_THREADS") == environment
    finally:
        mlpcore.set_num_threads(before)


def _threads_in_task(n):
    with md._task_threads(n):
        return mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()


def _thread_count_of_the_task_thread():
    return mlpcore.get_thread_num_threads()


def test_tasks_run_the_kernels_with_threads_per_task(client):
    # on process workers (whose environment has Dask's OMP_NUM_THREADS=1) and on
    # in-process workers alike; the driver's count is left alone
    driver = mlpcore.get_num_threads()
    n = driver + 1
    before_task = client.run(mlpcore.get_num_threads)
    assert client.submit(_threads_in_task, n, pure=False).result() == (n, n)
    # restored after the task, in the task's thread and elsewhere in the worker
    assert client.submit(_thread_count_of_the_task_thread, pure=False).result() == 0
    assert client.run(mlpcore.get_num_threads) == before_task
    assert mlpcore.get_num_threads() == driver
    assert mlpcore.get_thread_num_threads() == 0


def test_a_fits_tasks_on_in_process_workers_run_with_threads_per_task(threads, monkeypatch):
    seen = []
    make_trainer = md._trainer

    def recording(model, chunk):  # the workers are threads of this process: one module
        seen.append(mlpcore.get_num_threads())
        return make_trainer(model, chunk)

    monkeypatch.setattr(md, "_trainer", recording)
    driver = mlpcore.get_num_threads()
    n = driver + 1
    make, y, chunking = CASES["mlpc-lbfgs"]
    _fit_quietly(make().set_params(max_epochs=2), _dask(X, chunking), _dask(y, chunking),
                 client=threads, distributed=True, threads_per_task=n)
    assert seen and set(seen) == {n}
    assert mlpcore.get_num_threads() == driver


def test_a_worker_with_another_mlpcore_version_is_refused(procs, monkeypatch):
    monkeypatch.setattr(md, "_version", lambda: "0.0.0-driver")
    with pytest.raises(RuntimeError, match="driver runs mlpcore 0.0.0-driver"):
        md.loss_and_gradient(_fit_quietly(LogisticRegression(max_epochs=2), X, Y), X, Y,
                             client=procs)


def test_strategies_refuse_what_they_cannot_train(threads):
    with pytest.raises(ValueError, match=r"expected 'auto' or one of \['gradient', "
                                         r"'sync_sgd', 'average'\]"):
        md.fit(LogisticRegression(), X, Y, client=threads, strategy="allreduce")
    with pytest.raises(ValueError, match="strategy='gradient' needs solver 'gd' or 'lbfgs'"):
        md.fit(LogisticRegression(solver="sgd"), X, Y, client=threads, strategy="gradient")
    for strategy in ("sync_sgd", "average"):
        with pytest.raises(ValueError, match=f"strategy='{strategy}' needs solver 'sgd' or "
                                             "'adam', not solver='lbfgs'"):
            md.fit(MLPClassifier(solver="lbfgs"), X, Y, client=threads, strategy=strategy)
    for strategy in ("gradient", "sync_sgd"):
        with pytest.raises(ValueError, match="cannot train a Perceptron"):
            md.fit(mlpcore.Perceptron(), X, Y, client=threads, strategy=strategy)
    with pytest.raises(ValueError, match="early_stopping=True"):
        md.fit(MLPClassifier(early_stopping=True), X, Y, client=threads)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[800, 799\]"):
        md.fit(LogisticRegression(), _dask(X, "even"), Y[:-1], client=threads)
    for bad, error in ((0, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="average_every"):
            md.fit(MLPClassifier(solver="sgd"), X, Y, client=threads, average_every=bad)
    assert md.STRATEGIES == ("gradient", "sync_sgd", "average")


def test_what_is_not_an_estimator_it_trains_is_refused_by_name(threads):
    linear_model = pytest.importorskip("sklearn.linear_model")
    with pytest.raises(TypeError, match=r"takes LogisticRegression, LinearRegression, "
                                        r"MLPClassifier, MLPRegressor or Perceptron, not "
                                        r"sklearn's LogisticRegression"):
        md.fit(linear_model.LogisticRegression(), X, Y, client=threads)
    with pytest.raises(TypeError, match="estimator must be an mlpcore estimator"):
        md.fit(mlpcore.Standardized(linear_model.LogisticRegression()), X, Y, client=threads)
    perceptron = _fit_quietly(mlpcore.Perceptron(max_epochs=2), X, Y)
    for model in (perceptron, _fit_quietly(mlpcore.Standardized(LogisticRegression()), X, Y)):
        with pytest.raises(TypeError, match=r"loss_and_gradient takes .* or MLPRegressor, "
                                            f"not {type(model).__name__}"):
            md.loss_and_gradient(model, X, Y, client=threads)
    fitted = linear_model.LogisticRegression().fit(X, Y)
    with pytest.raises(TypeError, match="sklearn's LogisticRegression is not one"):
        md.predict(fitted, X)


def test_every_entry_point_refuses_x_without_rows_or_of_other_dimensions(threads):
    fitted = _fit_quietly(LogisticRegression(solver="sgd", max_epochs=2), X, Y)
    stream = md.Incremental(LogisticRegression(solver="sgd"))
    calls = {
        "fit": lambda X, y: md.fit(LogisticRegression(), X, y, client=threads),
        "loss_and_gradient": lambda X, y: md.loss_and_gradient(fitted, X, y, client=threads),
        "Incremental.fit": lambda X, y: stream.fit(X, y, classes=[0, 1, 2], client=threads),
        "Incremental.partial_fit": lambda X, y: stream.partial_fit(X, y, classes=[0, 1, 2],
                                                                   client=threads),
    }
    for name, call in calls.items():
        for rows in (X[:0], _dask(X, "even")[:0]):
            with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 12\)\)"):
                call(rows, Y[:0])
        for bad in (X[:, 0], X[None], 1.0):
            with pytest.raises(ValueError, match="Expected a 2D array"):
                call(bad, Y)
    with pytest.raises(ValueError, match="Expected a 2D array, got 1D"):
        md.predict(fitted, _dask(X, "even")[:, 0])
    assert not hasattr(stream, "estimator_")


# (estimator, target) of the minibatch strategies' tests: every optimizer setting the
# compiled loop has (momentum, Nesterov, weight decay, averaging, the schedule, Adam)
SGD_CASES = {
    "logistic-sgd": (lambda: LogisticRegression(solver="sgd", batch_size=64, max_epochs=8,
                                                tol=None, random_state=0), Y),
    "linear-sgd": (lambda: LinearRegression(
        solver="sgd", batch_size=50, max_epochs=8, tol=None, momentum=0.9, nesterov=True,
        weight_decay=1e-3, average=3, schedule="invscaling", power_t=0.3, random_state=0),
        YR),
    "mlpc-sgd": (lambda: MLPClassifier((8,), solver="sgd", batch_size=100, max_epochs=8,
                                       tol=None, momentum=0.5, random_state=0), Y),
    "mlpc-adam": (lambda: MLPClassifier((8,), solver="adam", batch_size=100, max_epochs=8,
                                        tol=None, weight_decay=1e-3, random_state=0), Y),
    "mlpr-adam": (lambda: MLPRegressor((8,), solver="adam", batch_size=128, max_epochs=8,
                                       random_state=0), YR),
}


@pytest.mark.parametrize("case", list(SGD_CASES))
@pytest.mark.parametrize("chunking", list(CHUNKINGS))
def test_sync_sgd_equals_one_machines_minibatch_fit(threads, case, chunking):
    make, target = SGD_CASES[case]
    local = _fit_quietly(make(), X, target)
    model = _fit_quietly(make(), _dask(X, chunking), _dask(target, chunking), client=threads,
                         distributed=True, strategy="sync_sgd")
    assert _max_difference(local, model) < 1e-10
    np.testing.assert_allclose(model.history_["loss"], local.history_["loss"], rtol=1e-12)
    np.testing.assert_allclose(model.history_["learning_rate"],
                               local.history_["learning_rate"], rtol=1e-12)
    assert (model.n_iter_, model.t_, model._rng_state) == (local.n_iter_, local.t_,
                                                          local._rng_state)


def test_sync_sgd_on_process_workers_stops_where_fit_stops(procs):
    make = lambda: MLPClassifier((8,), solver="sgd", batch_size=200, max_epochs=60,  # noqa: E731
                                 tol=1e-2, n_iter_no_change=2, random_state=3)
    local = _fit_quietly(make(), X, Y)
    model = _fit_quietly(make(), X, Y, client=procs, distributed=True, strategy="sync_sgd")
    assert local.n_iter_ < 60 and model.n_iter_ == local.n_iter_
    assert _max_difference(local, model) < 1e-10
    assert model.converged_ == local.converged_


@pytest.mark.parametrize("strategy", ["sync_sgd", "average"])
def test_minibatch_strategies_with_sample_and_class_weights(threads, strategy):
    make = lambda: MLPClassifier((8,), solver="sgd", batch_size=100, max_epochs=6,  # noqa: E731
                                 tol=None, class_weight="balanced", random_state=0)
    sw = np.random.default_rng(2).uniform(0.0, 3.0, N)
    local = _fit_quietly(make(), X, Y, sample_weight=sw)
    chunking = "one" if strategy == "average" else "uneven"
    model = _fit_quietly(make(), _dask(X, chunking), _dask(Y, chunking), client=threads,
                         distributed=True, strategy=strategy, sample_weight=_dask(sw, chunking))
    assert _max_difference(local, model) < 1e-10


def _states_equal(a, b):
    sa, sb = a.get_state(), b.get_state()
    assert sa.keys() == sb.keys()
    for key in sa:
        if key == "history_":
            assert {k: v for k, v in sa[key].items() if k != "seconds"} == {
                k: v for k, v in sb[key].items() if k != "seconds"}
        else:
            np.testing.assert_equal(sa[key], sb[key], err_msg=key)


@pytest.mark.parametrize("case", list(SGD_CASES))
def test_average_with_one_partition_is_fit_bitwise(client, case):
    make, target = SGD_CASES[case]
    local = _fit_quietly(make(), X, target)
    model = _fit_quietly(make(), _dask(X, "one"), _dask(target, "one"), client=client,
                         distributed=True, strategy="average")
    _states_equal(local, model)


def test_average_with_one_partition_trains_a_perceptron_as_fit(threads):
    make = lambda: mlpcore.Perceptron(max_epochs=30, random_state=0)  # noqa: E731
    labels = np.where(Y == 1, 1, -1)
    local = _fit_quietly(make(), X, labels)
    model = _fit_quietly(make(), _dask(X, "one"), _dask(labels, "one"), client=threads,
                         distributed=True)  # "auto" is "average" for a perceptron
    _states_equal(local, model)
    two = _fit_quietly(make(), _dask(X, "even"), _dask(labels, "even"), client=threads,
                       distributed=True)
    assert len(two.history_["mistakes"]) == two.n_iter_
    assert two.score(X, labels) > 0.6


@pytest.mark.parametrize("every", [1, 3])
def test_average_does_not_depend_on_the_workers(procs, every):
    make, target = SGD_CASES["mlpc-adam"]
    data = _dask(X, "uneven"), _dask(target, "uneven")
    two = _fit_quietly(make(), *data, client=procs, distributed=True, strategy="average",
                       average_every=every)
    with local_cluster(False, n_workers=1) as cluster, distributed.Client(cluster) as one_client:
        one = _fit_quietly(make(), *data, client=one_client, distributed=True,
                           strategy="average", average_every=every)
    _states_equal(one, two)
    assert two.n_iter_ == 8


@pytest.mark.parametrize("chunking", ["even", "uneven"])
def test_average_weighs_each_partition_by_its_rows(threads, chunking):
    """One epoch of one full batch per partition, averaged by rows, is one full-batch
    step on all the rows: sum_p (n_p / n) (w - lr g_p) = w - lr g. An unweighted mean
    of the partitions would not give it on uneven chunks."""
    make = lambda: LogisticRegression(solver="sgd", batch_size=N, shuffle=False,  # noqa: E731
                                      max_epochs=1, random_state=0)
    local = _fit_quietly(make(), X, Y)
    model = _fit_quietly(make(), _dask(X, chunking), _dask(Y, chunking), client=threads,
                         distributed=True, strategy="average")
    assert _max_difference(local, model) < 1e-14
    assert abs(model.history_["loss"][0] - local.history_["loss"][0]) < 1e-14
    # with sample weights too (the copies' losses are means over their rows of weights
    # of mean 1 over all the data: rows, not weight sums, weigh the copies)
    sw = np.where(np.arange(N) < 400, 1.0, 3.0)
    local = _fit_quietly(make(), X, Y, sample_weight=sw)
    model = _fit_quietly(make(), _dask(X, chunking), _dask(Y, chunking), client=threads,
                         distributed=True, strategy="average",
                         sample_weight=_dask(sw, chunking))
    assert _max_difference(local, model) < 1e-12


def test_average_applies_a_two_class_perceptrons_class_weight(threads):
    labels = np.where(Y == 1, 1, -1)
    make = lambda **kw: mlpcore.Perceptron(max_epochs=5, random_state=0, **kw)  # noqa: E731
    weighted = {"class_weight": {-1: 1.0, 1: 5.0}}
    local = _fit_quietly(make(**weighted), X, labels)
    model = _fit_quietly(make(**weighted), _dask(X, "one"), _dask(labels, "one"),
                         client=threads, distributed=True)
    assert _max_difference(local, model) < 1e-10
    assert _max_difference(_fit_quietly(make(), X, labels), model) > 1e-3


def test_pandas_frames_give_their_names_too(threads):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(D)])
    make, _, _ = CASES["logistic-lbfgs"]
    model = _fit_quietly(make(), frame, Y, client=threads, distributed=True)
    assert list(model.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(md.predict(model, frame).compute(scheduler=threads.get),
                                  model.predict(frame))


def test_average_warns_on_partitions_with_different_class_proportions(threads):
    order = np.argsort(Y, kind="stable")  # sorted by class: each chunk holds one or two
    with pytest.warns(UserWarning, match="class proportions of partition 0"):
        _fit_quietly(LogisticRegression(solver="sgd", max_epochs=2, random_state=0),
                     _dask(X[order], "even"), _dask(Y[order], "even"), client=threads,
                     distributed=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit_quietly(LogisticRegression(solver="sgd", max_epochs=2, random_state=0),
                     _dask(X, "uneven"), _dask(Y, "uneven"), client=threads,
                     distributed=True)  # a chunk of one row is noise, not a difference
    # the warning names the chunk, empty chunks counted
    rows = (0, 300, 500)
    with pytest.warns(UserWarning, match=r"class proportions of partition [12] "):
        _fit_quietly(LogisticRegression(solver="sgd", max_epochs=2, random_state=0),
                     da.from_array(X[order], chunks=(rows, D)),
                     da.from_array(Y[order], chunks=(rows,)), client=threads,
                     distributed=True)


@pytest.mark.parametrize("make", [
    lambda: LogisticRegression(solver="sgd", max_epochs=100, random_state=0),
    lambda: MLPClassifier((32,), solver="sgd", max_epochs=100, random_state=0),
], ids=["logistic", "mlp"])
def test_average_on_digits_is_within_two_points_of_one_machine(threads, make):
    datasets = pytest.importorskip("sklearn.datasets")
    Xd, yd = datasets.load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(Xd))
    Xd, yd = Xd[order] / 16.0, yd[order]
    train, test = slice(0, 1400), slice(1400, None)
    local = _fit_quietly(make(), Xd[train], yd[train]).score(Xd[test], yd[test])
    model = _fit_quietly(make(), da.from_array(Xd[train], chunks=(700, 64)),
                         da.from_array(yd[train], chunks=700), client=threads,
                         distributed=True, average_every=5)
    assert model.score(Xd[test], yd[test]) >= local - 0.02


def test_a_failed_fit_leaves_the_estimator_as_it_was(threads):
    model = LogisticRegression(solver="gd", max_epochs=5)
    bad = X.copy()
    bad[10, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        md.fit(model, _dask(bad, "even"), _dask(Y, "even"), client=threads)
    assert not hasattr(model, "coef_")


def test_tasks_do_not_write_into_their_inputs(threads):
    make, target, chunking = CASES["linear-gd"]
    Xc, yc = X.copy(), target.copy()
    model = _fit_quietly(make(), _dask(Xc, chunking), _dask(yc, chunking), client=threads,
                         distributed=True)
    state = {k: v.copy() for k, v in zip(("w", "b"), (model._weights[0], model._biases[0]))}
    md.loss_and_gradient(model, Xc, yc, client=threads)
    md.predict(model, Xc).compute(scheduler=threads.get)
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(yc, target)
    np.testing.assert_array_equal(model._weights[0], state["w"])
    np.testing.assert_array_equal(model._biases[0], state["b"])


def test_dask_dataframes_are_taken_with_their_column_names(threads):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    names = [f"x{j}" for j in range(D)]
    frame = pd.DataFrame(X, columns=names)
    ddf = dd.from_pandas(frame, npartitions=3)
    target = dd.from_pandas(pd.Series(Y, name="label"), npartitions=3)
    make, _, _ = CASES["logistic-lbfgs"]
    local = _fit_quietly(make(), frame, Y)
    model = _fit_quietly(make(), ddf, target, client=threads, distributed=True)
    assert list(model.feature_names_in_) == names
    assert _max_difference(local, model) < 1e-10
    np.testing.assert_array_equal(md.predict(model, ddf).compute(scheduler=threads.get),
                                  local.predict(frame))
    # the frames' sums are the arrays' of their partitions
    loss, coef_grads, _ = md.loss_and_gradient(model, ddf, target, client=threads)
    arrays = ddf.to_dask_array(lengths=True), target.to_dask_array(lengths=True)
    loss_of_arrays, coef_grads_of_arrays, _ = md.loss_and_gradient(
        model, *arrays, client=threads)
    assert loss == loss_of_arrays
    np.testing.assert_array_equal(coef_grads[0], coef_grads_of_arrays[0])
    renamed = dd.from_pandas(frame.rename(columns={"x0": "z"}), npartitions=3)
    with pytest.raises(ValueError, match="feature names should match"):
        md.predict(model, renamed)
    with pytest.raises(ValueError, match="feature names should match"):
        md.loss_and_gradient(model, renamed, target, client=threads)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        md.predict(model, X)  # as one machine's predict warns on an array


@pytest.mark.parametrize("strategy", ["gradient", "sync_sgd", "average"])
def test_empty_chunks_are_left_out(threads, strategy):
    make = SGD_CASES["logistic-sgd"][0]
    if strategy == "gradient":
        make = lambda: CASES["logistic-gd"][0]().set_params(random_state=0)  # noqa: E731
    rows = (0, 400, 0, 400)
    data = da.from_array(X, chunks=(rows, D)), da.from_array(Y, chunks=(rows,))
    without = da.from_array(X, chunks=((400, 400), D)), da.from_array(Y, chunks=((400, 400),))
    model = _fit_quietly(make(), *data, client=threads, distributed=True, strategy=strategy)
    same = _fit_quietly(make(), *without, client=threads, distributed=True, strategy=strategy)
    _states_equal(model, same)
