"""Every public class and function has a numpydoc docstring whose Examples run.

Public names: ``mlpcore.__all__`` (but the submodules, ``__version__`` and the two exception
classes that are scikit-learn's own where it is installed), ``mlpcore.kernels.__all__``,
``mlpcore.reference.__all__``, ``mlpcore.features.__all__``, ``mlpcore.datasets.__all__``,
``mlpcore.plot.__all__`` and, where Dask is installed, ``mlpcore.distributed.__all__``;
constants aside. Each docstring must have a one-line summary, a
Parameters section naming exactly the parameters of the signature, a Returns section (functions
that return something), an Attributes section naming every fitted attribute (estimators and
transformers) and an Examples section; every kernel's docstring states its tolerance against
its twin in ``mlpcore.reference``. The sections are read by a small parser of numpydoc's
layout (a title underlined with dashes; entries ``name : type`` at the section's indentation),
so the test needs nothing beyond the package.

The Examples run as doctests (ELLIPSIS and NORMALIZE_WHITESPACE; floats are printed rounded in
the docstrings), with ``np`` (NumPy) as the only predefined name.
"""

import contextlib
import doctest
import importlib
import importlib.util
import inspect
import pydoc
import re
import textwrap
import warnings

import numpy as np
import pytest

import mlpcore

SUBMODULES = ("kernels", "reference", "features", "datasets", "plot",
              *(("distributed",) if importlib.util.find_spec("distributed") else ()))
# scikit-learn's own classes where it is installed (mlpcore re-exports them): their docstrings
# are scikit-learn's.
FOREIGN = {"ConvergenceWarning", "NotFittedError"}
# Functions that return None, so their docstrings have no Returns section.
RETURN_NOTHING = {"mlpcore.save", "mlpcore.set_num_threads", "mlpcore.set_thread_num_threads"}
SECTION = re.compile(r"^([A-Z][A-Za-z ]+)\n-+$", re.M)
PYBIND_SIGNATURE = re.compile(r"^(?:\d+\. )?(\w+)\((.*)\)(?: -> .+)?$")


def public_names():
    names = []
    for name in mlpcore.__all__:
        obj = getattr(mlpcore, name)
        if inspect.ismodule(obj) or name == "__version__" or name in FOREIGN:
            continue
        names.append((f"mlpcore.{name}", obj))
    for module_name in SUBMODULES:
        module = importlib.import_module(f"mlpcore.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj):
                names.append((f"mlpcore.{module_name}.{name}", obj))
    return names


PUBLIC = public_names()
IDS = [qualname for qualname, _ in PUBLIC]


def is_pybind(obj):
    return inspect.isbuiltin(obj)


def split_docstring(obj):
    """(docstring without pybind11's signature line, parameter names of the signature)."""
    doc = obj.__doc__ or ""
    if is_pybind(obj):
        first, _, rest = doc.partition("\n")
        match = PYBIND_SIGNATURE.match(first)
        assert match, f"no pybind11 signature on the first line: {first!r}"
        params = []
        for part in _split_top_level(match.group(2)):
            name = part.split(":")[0].split("=")[0].strip()
            if name and name != "*":
                params.append(name)
        return rest.strip("\n"), params
    target = obj.__init__ if inspect.isclass(obj) else obj
    if not inspect.isfunction(inspect.unwrap(target)):  # a class with the __init__ of a builtin
        params = []
    else:
        params = [p.name if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                  else ("*" if p.kind == p.VAR_POSITIONAL else "**") + p.name
                  for p in inspect.signature(target).parameters.values() if p.name != "self"]
    doc = inspect.cleandoc(doc)
    return doc, params


def _split_top_level(text):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def sections(doc):
    """{title: body} of the numpydoc sections, with the text before them as "Summary"."""
    found = list(SECTION.finditer(doc))
    out = {"Summary": doc[:found[0].start()] if found else doc}
    for this, after in zip(found, found[1:] + [None]):
        title = this.group(1)
        assert title not in out, f"section {title!r} appears twice"
        out[title] = doc[this.end():after.start() if after else len(doc)]
    return out


def entry_names(body):
    """The names an entry list (Parameters, Attributes) documents: ``a, b : type`` gives a, b."""
    names = []
    for line in textwrap.dedent(body.strip("\n")).splitlines():
        if line and not line[0].isspace():
            head = line.split(" : ")[0]
            names.extend(n.strip() for n in head.split(","))
    return names


# How to make an instance of the classes whose parameters have no defaults.
FACTORIES = {"Standardized": lambda: mlpcore.Standardized(mlpcore.LogisticRegression()),
             "Incremental": lambda: importlib.import_module("mlpcore.distributed").Incremental(
                 mlpcore.LogisticRegression(solver="sgd"))}


@contextlib.contextmanager
def _dask_client():
    """A Dask client on a LocalCluster of threads, the current one while fitting."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        yield


# What the fit of a class needs around it.
CONTEXTS = {"Incremental": _dask_client}


def fitted(cls):
    """An instance of cls, fitted on a small problem."""
    X, y = mlpcore.datasets.blobs(n_samples=60, centers=3, random_state=0)
    model = FACTORIES.get(cls.__name__, cls)()
    with CONTEXTS.get(cls.__name__, contextlib.nullcontext)(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(model, "predict_proba") or hasattr(model, "decision_function"):  # classifier
            model.fit(X, y)
        elif hasattr(model, "predict"):  # a regressor
            model.fit(X, X[:, 0])
        else:  # a transformer
            model.fit(X)
    return model


@pytest.mark.parametrize("qualname, obj", PUBLIC, ids=IDS)
def test_numpydoc_sections(qualname, obj):
    doc, params = split_docstring(obj)
    parts = sections(doc)
    summary = parts["Summary"].strip().split("\n\n")[0]
    assert summary, f"{qualname}: no summary line"
    assert "\n" not in summary, f"{qualname}: the summary is not one line: {summary!r}"
    assert summary.endswith("."), f"{qualname}: the summary line does not end with a period"

    documented = entry_names(parts.get("Parameters", ""))
    if params:
        assert "Parameters" in parts, f"{qualname}: no Parameters section for {params}"
    assert sorted(documented) == sorted(params), (
        f"{qualname}: Parameters documents {documented}, the signature has {params}")

    if inspect.isclass(obj):
        if hasattr(obj, "fit"):
            model = fitted(obj)
            learned = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
            attrs = set(entry_names(parts.get("Attributes", "")))
            assert learned <= attrs, f"{qualname}: undocumented attributes {learned - attrs}"
            # feature_names_in_ exists after a fit on a DataFrame only
            missing = {a for a in attrs if a.endswith("_") and a != "feature_names_in_"
                       and not hasattr(model, a)}
            assert not missing, f"{qualname}: documented attributes fit does not set: {missing}"
    elif qualname in RETURN_NOTHING:
        assert "Returns" not in parts, f"{qualname} returns None but documents Returns"
    else:
        assert parts.get("Returns", "").strip(), f"{qualname}: no Returns section"

    assert ">>>" in parts.get("Examples", ""), f"{qualname}: no Examples section with code"


@pytest.mark.parametrize("qualname, obj", [p for p in PUBLIC if ".kernels." in p[0]],
                         ids=[q for q in IDS if ".kernels." in q])
def test_kernel_docstrings_state_their_tolerance(qualname, obj):
    name = qualname.rsplit(".", 1)[1]
    assert f"Tolerance against mlpcore.reference.{name}:" in obj.__doc__, (
        f"{qualname} does not state its tolerance against mlpcore.reference.{name}")


def test_every_kernel_has_a_reference_twin_documented():
    kernel_names = {q.rsplit(".", 1)[1] for q in IDS if ".kernels." in q}
    reference_names = {q.rsplit(".", 1)[1] for q in IDS if ".reference." in q}
    assert kernel_names == reference_names
    assert len(kernel_names) == 18


@pytest.fixture
def agg():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    yield
    pyplot.close("all")


@pytest.mark.parametrize("qualname, obj", PUBLIC, ids=IDS)
def test_examples_run(qualname, obj, request, capsys):
    if qualname.startswith("mlpcore.plot."):
        request.getfixturevalue("agg")
    doc, _ = split_docstring(obj)
    test = doctest.DocTestParser().get_doctest(doc, {"np": np}, qualname, None, 0)
    assert test.examples, f"{qualname}: no examples"
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    before = mlpcore.get_num_threads()
    result = runner.run(test, out=print)
    report = capsys.readouterr().out
    assert mlpcore.get_num_threads() == before, f"{qualname}'s example changed the thread count"
    assert result.failed == 0, f"{qualname}: {result.failed} failed examples\n{report}"


def test_help_shows_the_parameters():
    text = pydoc.render_doc(mlpcore.MLPClassifier, renderer=pydoc.plaintext)
    for line in ("hidden_layer_sizes : int or sequence of int", "activation : str",
                 "solver : ", "learning_rate : ", "coefs_ : list of ndarray"):
        assert line in text, f"help(MLPClassifier) lacks {line!r}"


def test_the_public_names_are_many():
    # the list above is built from the __all__ lists: a refactoring that empties it would pass
    # every parametrized test vacuously
    assert len(PUBLIC) >= 71, [q for q, _ in PUBLIC]
