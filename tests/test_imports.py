"""`import mlpcore` loads neither scikit-learn nor what it pulls in (SciPy, pandas):
they load on first use of an estimator, which is then a genuine scikit-learn one."""

import json
import subprocess
import sys

import pytest


def modules_after(statement):
    code = f"import sys; {statement}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(json.loads(out))


def test_import_mlpcore_loads_no_heavy_library():
    loaded = modules_after("import mlpcore")
    for heavy in ("sklearn", "scipy", "pandas", "matplotlib", "torch", "dask", "distributed"):
        assert heavy not in loaded, f"import mlpcore loaded {heavy}"


def test_the_kernels_and_the_runtime_need_no_heavy_library():
    loaded = modules_after("import mlpcore, numpy as np; mlpcore.set_num_threads(1); "
                           "mlpcore.kernels.matmul(np.ones((2, 2)), np.ones((2, 2))); "
                           "mlpcore.build_info(); mlpcore.datasets.xor(10)")
    assert "sklearn" not in loaded and "scipy" not in loaded


def test_every_public_name_resolves():
    import mlpcore

    for name in mlpcore.__all__:
        assert getattr(mlpcore, name) is not None, name
        assert name in dir(mlpcore)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mlpcore.nothing  # noqa: B018


def test_estimators_and_exceptions_are_scikit_learns_when_installed():
    sklearn = pytest.importorskip("sklearn")
    import sklearn.base
    import sklearn.exceptions

    import mlpcore

    assert issubclass(mlpcore.LogisticRegression, sklearn.base.BaseEstimator)
    assert mlpcore.NotFittedError is sklearn.exceptions.NotFittedError
    assert mlpcore.ConvergenceWarning is sklearn.exceptions.ConvergenceWarning
    with pytest.raises(sklearn.exceptions.NotFittedError):
        mlpcore.LogisticRegression().predict([[0.0]])


def test_mlpcore_distributed_without_dask_names_the_extra():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import mlpcore\n"
            "try:\n    import mlpcore.distributed\n"
            "except ImportError as exc:\n    print('refused:', exc)\n"
            "else:\n    print('imported')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("refused:"), out
    assert 'pip install "mlpcore[dask]"' in out
