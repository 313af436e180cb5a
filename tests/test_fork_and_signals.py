"""Processes and signals: fork-start pools after threaded work, and Ctrl-C during long
kernels and fits.

Each scenario runs in a child Python process with a timeout, so that a hang (GNU OpenMP
in a forked child) or a crash is a failed test, not a stuck suite.
"""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork and SIGINT as on Linux")


def run_child(code, timeout=120):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), OMP_NUM_THREADS="2")
    env.pop("MLPCORE_NUM_THREADS", None)
    try:
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                               text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the child process hung for {timeout} s; its output:\n{e.stdout}\n{e.stderr}")
    assert child.returncode == 0, f"status {child.returncode}\n{child.stdout}\n{child.stderr[-3000:]}"
    return child.stdout


# Threaded work done in the parent before the pool is made.
PARENT_WORK = {
    "matmul": "K.matmul(big, big)",
    "linear_forward": "K.linear_forward(big, big, None, 'relu')",
    "softmax": "K.softmax_forward(np.ones((200000, 10)))",
    "fit": "MLPClassifier((32,), max_epochs=3, tol=None, random_state=0).fit(X, y)",
}

SETUP = """
    import multiprocessing as mp
    import numpy as np
    import mlpcore
    from mlpcore import kernels as K, MLPClassifier
    mlpcore.set_num_threads(2)
    rng = np.random.default_rng(0)
    big = rng.normal(size=(400, 400)).astype(np.float32)
    X = rng.normal(size=(3000, 20)); y = (X[:, 0] > 0).astype(int)

    def task(i):
        # a threaded kernel and a fit, in the child
        c = K.matmul(big, big)
        m = MLPClassifier((16,), max_epochs=2, tol=None, random_state=i).fit(X, y)
        return float(c.sum()), m.predict(X[:50]).tolist(), mlpcore.get_num_threads()
"""


@pytest.mark.parametrize("work", sorted(PARENT_WORK))
def test_fork_pool_after_threaded_work(work):
    out = run_child(SETUP + f"""
    {PARENT_WORK[work]}
    expected = [task(i) for i in range(4)]
    with mp.get_context("fork").Pool(2) as pool:
        got = pool.map(task, range(4))
    for (s, p, threads), (s0, p0, _) in zip(got, expected):
        assert s == s0 and p == p0, "a forked child computed another result"
        assert threads == 1, threads
    print("ok", mlpcore.get_num_threads())
    """)
    assert out.split() == ["ok", "2"]  # the parent keeps its threads


def test_joblib_multiprocessing_backend_after_a_fit():
    pytest.importorskip("joblib")
    out = run_child(SETUP + """
    from joblib import Parallel, delayed
    MLPClassifier((32,), max_epochs=3, tol=None, random_state=0).fit(X, y)
    expected = [task(i) for i in range(3)]
    got = Parallel(n_jobs=2, backend="multiprocessing")(delayed(task)(i) for i in range(3))
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    print("ok")
    """)
    assert out.strip() == "ok"


def test_os_fork_child_runs_single_threaded_and_parent_is_unaffected():
    out = run_child(SETUP + """
    import os
    expected = K.matmul(big, big)
    pid = os.fork()
    if pid == 0:
        # bitwise the parent's result: reductions run in an order independent of threads
        ok = mlpcore.get_num_threads() == 1 and np.array_equal(K.matmul(big, big), expected)
        mlpcore.set_num_threads(4)   # still one: the inherited pool is unusable
        ok = ok and mlpcore.get_num_threads() == 1
        with mlpcore.num_threads(4, scope="thread"):  # the thread's own count too
            ok = ok and mlpcore.get_num_threads() == 1
            ok = ok and np.array_equal(K.matmul(big, big), expected)
        os._exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), mlpcore.get_num_threads())
    """)
    assert out.split() == ["0", "2"]


def test_os_fork_in_a_thread_scope_child_runs_single_threaded():
    # the forking thread's own count is copied into the child, where the fork rule wins
    out = run_child(SETUP + """
    import os
    expected = K.matmul(big, big)
    with mlpcore.num_threads(3, scope="thread"):
        K.matmul(big, big)  # the parent's pool now has threads that the child lacks
        pid = os.fork()
        if pid == 0:
            ok = mlpcore.get_thread_num_threads() == 3 and mlpcore.get_num_threads() == 1
            ok = ok and np.array_equal(K.matmul(big, big), expected)
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        inside = mlpcore.get_num_threads()
    print(os.waitstatus_to_exitcode(status), inside, mlpcore.get_num_threads())
    """)
    assert out.split() == ["0", "3", "2"]


INTERRUPT = """
    import os, signal, threading, time
    import numpy as np
    import mlpcore
    from mlpcore import kernels as K
    sent = []

    def interrupt_after(seconds):
        def send():
            time.sleep(seconds)
            sent.append(time.perf_counter())
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=send, daemon=True).start()

    def interrupted(call):
        try:
            call()
        except KeyboardInterrupt:
            return time.perf_counter() - sent[0]
        raise AssertionError("not interrupted")
"""


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctrl_c_stops_a_long_matmul(threads, dtype):
    out = run_child(INTERRUPT + f"""
    mlpcore.set_num_threads({threads})
    a = np.ones((5000, 5000), np.{dtype})
    interrupt_after(0.5)
    delay = interrupted(lambda: K.matmul(a, a))
    small = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(K.matmul(small, small.T), small @ small.T)   # usable afterwards
    print(f"{{delay:.3f}}")
    """)
    assert float(out) < 2.0, f"KeyboardInterrupt came {out.strip()} s after SIGINT"


@pytest.mark.parametrize("model", ["MLPRegressor((256, 256), batch_size=64)",
                                   "LogisticRegression(solver='sgd', batch_size=1)",
                                   "Perceptron()", "LinearRegression(solver='gd')",
                                   "MLPClassifier((64,))"])
def test_ctrl_c_stops_a_long_fit_and_leaves_a_first_fit_unfitted(model):
    out = run_child(INTERRUPT + f"""
    from mlpcore import *
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100000, 100))
    y = X[:, 0] + rng.normal(size=len(X))
    est = {model}.set_params(max_epochs=100000, tol=None)
    if hasattr(est, "predict_proba") or isinstance(est, Perceptron):
        y = (y > 0).astype(int)   # not separable: the perceptron keeps making mistakes
    before = dict(vars(est))
    interrupt_after(1.0)
    delay = interrupted(lambda: est.fit(X, y))
    assert vars(est).keys() == before.keys(), sorted(set(vars(est)) ^ set(before))
    print(f"{{delay:.3f}}")
    """)
    assert float(out) < 2.0, f"KeyboardInterrupt came {out.strip()} s after SIGINT"


def test_ctrl_c_during_a_warm_start_keeps_the_previous_model():
    out = run_child(INTERRUPT + """
    from mlpcore import MLPClassifier
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100000, 50)); y = (X[:, 0] > 0).astype(int)
    est = MLPClassifier((128,), max_epochs=1, tol=None, warm_start=True, random_state=0)
    est.fit(X[:1000], y[:1000])
    coefs = [c.copy() for c in est.coefs_]
    t, n_iter, loss = est.t_, est.n_iter_, list(est.history_["loss"])
    est.set_params(max_epochs=100000)
    interrupt_after(1.0)
    interrupted(lambda: est.fit(X, y))
    assert all(np.array_equal(a, b) for a, b in zip(coefs, est.coefs_))
    assert (est.t_, est.n_iter_, est.history_["loss"]) == (t, n_iter, loss)
    est.set_params(max_epochs=1).fit(X[:1000], y[:1000])   # and it trains on
    print("ok")
    """)
    assert out.strip() == "ok"


def test_a_signal_handler_that_does_not_raise_runs_and_the_kernel_completes():
    out = run_child(INTERRUPT + """
    calls = []
    signal.signal(signal.SIGUSR1, lambda *args: calls.append(1))
    a = np.random.default_rng(0).normal(size=(4000, 4000)).astype(np.float32)
    def send():
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGUSR1)
    threading.Thread(target=send, daemon=True).start()
    c = K.matmul(a, a)
    assert calls == [1]
    assert np.allclose(c[:5], a[:5] @ a, rtol=1e-3, atol=1e-2)
    print("ok")
    """)
    assert out.strip() == "ok"
