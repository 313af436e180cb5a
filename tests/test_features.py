"""mlpcore.features: bias trick, one-hot, PolynomialFeatures and Standardizer.

Checked against hand-computed values always, and against scikit-learn's PolynomialFeatures and
StandardScaler when scikit-learn is installed.
"""

import pickle
import re
import warnings

import numpy as np
import pytest

from mlpcore._compat import HAVE_SKLEARN, NotFittedError
from mlpcore.features import PolynomialFeatures, Standardizer, add_bias, one_hot

TRANSFORMERS = [PolynomialFeatures, Standardizer]


# ----------------------------------------------------------------------------------------------
# add_bias
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_bias_values_and_dtype(dtype):
    X = np.array([[2.0, -3.0], [0.5, 7.0], [1.0, 0.0]], dtype=dtype)
    out = add_bias(X)
    assert out.dtype == dtype
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[1, 2, -3], [1, 0.5, 7], [1, 1, 0]])
    # the bias is the weight of index 0: [1, X] @ w == X @ w[1:] + w[0]
    w = np.array([0.25, 2.0, -1.0], dtype=dtype)
    np.testing.assert_allclose(out @ w, X @ w[1:] + w[0], rtol=1e-6)


def test_add_bias_other_numbers_become_float64_and_input_untouched():
    X = np.array([[1, 2], [3, 4]], dtype=np.int32)
    out = add_bias(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1, 1, 2], [1, 3, 4]])
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    assert add_bias([[True], [False]]).dtype == np.float64
    assert add_bias([[1.5, 2.5]]).tolist() == [[1.0, 1.5, 2.5]]


@pytest.mark.parametrize("bad, match", [
    (np.array([1.0, 2.0]), "Expected 2D array, got 1D array"),
    (np.array([[1.0, np.nan]]), "contains NaN"),
    (np.array([[1.0, np.inf]]), "infinity"),
    (np.zeros((0, 3)), "0 sample"),
])
def test_add_bias_checks_input(bad, match):
    with pytest.raises(ValueError, match=match):
        add_bias(bad)


# ----------------------------------------------------------------------------------------------
# one_hot
# ----------------------------------------------------------------------------------------------

def test_one_hot_values():
    T = one_hot([2, 0, 1, 2])
    assert T.dtype == np.float64 and T.shape == (4, 3)
    np.testing.assert_array_equal(T, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(T.argmax(axis=1), [2, 0, 1, 2])
    np.testing.assert_array_equal(T.sum(axis=1), 1)


def test_one_hot_n_classes_and_dtype():
    T = one_hot(np.array([1, 1], dtype=np.uint8), n_classes=4, dtype=np.float32)
    assert T.dtype == np.float32 and T.shape == (2, 4)
    np.testing.assert_array_equal(T, [[0, 1, 0, 0], [0, 1, 0, 0]])
    assert one_hot([0, 1], dtype=np.int64).dtype == np.int64
    assert one_hot([], n_classes=3).shape == (0, 3)
    assert one_hot([]).shape == (0, 0)


def test_one_hot_accepts_integral_floats_and_bools():
    np.testing.assert_array_equal(one_hot([1.0, 0.0]), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(one_hot(np.array([True, False])), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1, 0], dtype=object)), [[0, 1], [1, 0]])


def test_one_hot_column_vector_warns():
    with pytest.warns(Warning, match="column-vector y"):
        T = one_hot(np.array([[1], [0]]))
    np.testing.assert_array_equal(T, [[0, 1], [1, 0]])


@pytest.mark.parametrize("y, kwargs, pattern", [
    ([0, 1, -1, 2], {}, r"y\[2\] = -1 is negative"),
    ([0, 1.5, 2], {}, r"y\[1\] = 1\.5 is not an integer"),
    ([0.0, np.nan], {}, r"y\[1\] = nan is not an integer"),
    (["a", "b"], {}, r"y\[0\] = 'a' is not an integer"),
    (np.array([0, "b"], dtype=object), {}, r"y\[1\] = 'b' is not an integer"),
    ([0, 1, 3, 5], {"n_classes": 3}, r"y\[2\] = 3 is too large for n_classes=3"),
    ([[0, 1], [1, 0]], {}, r"1d array"),
])
def test_one_hot_bad_labels_name_value_and_position(y, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        one_hot(y, **kwargs)


def test_one_hot_bad_n_classes():
    with pytest.raises(ValueError, match="n_classes must be >= 0"):
        one_hot([0], n_classes=-1)
    with pytest.raises(TypeError, match="n_classes must be an int"):
        one_hot([0], n_classes=2.5)


# ----------------------------------------------------------------------------------------------
# PolynomialFeatures
# ----------------------------------------------------------------------------------------------

def test_polynomial_degree2_by_hand():
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    pf = PolynomialFeatures(degree=2)
    out = pf.fit_transform(X)
    a, b = X[:, 0], X[:, 1]
    np.testing.assert_allclose(out, np.column_stack([a, b, a * a, a * b, b * b]))
    assert pf.n_features_in_ == 2 and pf.n_output_features_ == 5
    assert pf.powers_.dtype == np.int64
    np.testing.assert_array_equal(pf.powers_, [[1, 0], [0, 1], [2, 0], [1, 1], [0, 2]])
    assert list(pf.get_feature_names_out()) == ["x0", "x1", "x0^2", "x0 x1", "x1^2"]
    assert list(pf.get_feature_names_out(["a", "b"])) == ["a", "b", "a^2", "a b", "b^2"]


def test_polynomial_bias_interactions_degree3():
    X = np.array([[2.0, 3.0, 5.0]])
    pf = PolynomialFeatures(degree=3, include_bias=True, interaction_only=True).fit(X)
    assert list(pf.get_feature_names_out()) == [
        "1", "x0", "x1", "x2", "x0 x1", "x0 x2", "x1 x2", "x0 x1 x2"]
    np.testing.assert_array_equal(pf.transform(X), [[1, 2, 3, 5, 6, 10, 15, 30]])
    full = PolynomialFeatures(degree=3).fit(X)
    # C(3 + 3, 3) - 1 monomials of degree 1..3 in 3 variables
    assert full.n_output_features_ == 19
    names = list(full.get_feature_names_out())
    assert names[-1] == "x2^3" and "x0^2 x1" in names
    out = full.transform(X)[0]
    np.testing.assert_array_equal(out[names.index("x0^2 x1")], 12.0)
    np.testing.assert_array_equal(out[names.index("x0 x1 x2")], 30.0)


def test_polynomial_degree_zero_and_one():
    X = np.array([[4.0, 5.0], [6.0, 7.0]])
    np.testing.assert_array_equal(
        PolynomialFeatures(degree=0, include_bias=True).fit_transform(X), [[1], [1]])
    np.testing.assert_array_equal(PolynomialFeatures(degree=1).fit_transform(X), X)
    with pytest.raises(ValueError, match="empty output"):
        PolynomialFeatures(degree=0).fit(X)


def test_polynomial_degree_tuple():
    X = np.array([[2.0, 3.0]])
    pf = PolynomialFeatures(degree=(2, 3)).fit(X)
    assert list(pf.get_feature_names_out()) == [
        "x0^2", "x0 x1", "x1^2", "x0^3", "x0^2 x1", "x0 x1^2", "x1^3"]
    np.testing.assert_array_equal(pf.transform(X), [[4, 6, 9, 8, 12, 18, 27]])


@pytest.mark.parametrize("params, exc, match", [
    ({"degree": -1}, ValueError, "degree must be an int >= 0"),
    ({"degree": 1.5}, TypeError, "degree must be an int"),
    ({"degree": "2"}, TypeError, "degree must be an int"),
    ({"degree": True}, TypeError, "degree must be an int"),
    ({"degree": (3, 2)}, ValueError, "min_degree <= max_degree"),
    ({"degree": (1, 2, 3)}, ValueError, "tuple"),
    ({"include_bias": "yes"}, TypeError, "include_bias must be a bool"),
    ({"interaction_only": 1}, TypeError, "interaction_only must be a bool"),
])
def test_polynomial_hyperparameters_checked_in_fit_not_init(params, exc, match):
    pf = PolynomialFeatures(**params)  # __init__ only stores
    for name, value in params.items():
        assert getattr(pf, name) == value
    with pytest.raises(exc, match=match):
        pf.fit(np.ones((2, 2)))
    assert not hasattr(pf, "n_features_in_")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_polynomial_keeps_float32(dtype):
    X = np.arange(6, dtype=dtype).reshape(3, 2)
    out = PolynomialFeatures(3).fit_transform(X)
    assert out.dtype == dtype
    assert PolynomialFeatures(2).fit_transform(X.astype(np.int64)).dtype == np.float64


def test_polynomial_feature_names_length_checked():
    pf = PolynomialFeatures().fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="input_features should have length equal to"):
        pf.get_feature_names_out(["a", "b", "c"])


def test_polynomial_params_roundtrip():
    pf = PolynomialFeatures(degree=3, interaction_only=True)
    assert pf.get_params() == {"degree": 3, "include_bias": False, "interaction_only": True}
    pf.set_params(degree=4)
    assert pf.degree == 4


# ----------------------------------------------------------------------------------------------
# Standardizer
# ----------------------------------------------------------------------------------------------

def _data(rng, n=40, d=4, dtype=np.float64):
    X = rng.standard_normal((n, d)) * [1.0, 10.0, 0.01, 3.0][:d] + [5.0, -2.0, 100.0, 0.0][:d]
    return X.astype(dtype)


def test_standardizer_by_hand():
    X = np.array([[1.0, 10.0, 3.0], [2.0, 20.0, 3.0], [3.0, 60.0, 3.0]])
    s = Standardizer().fit(X)
    np.testing.assert_allclose(s.mean_, [2.0, 30.0, 3.0])
    np.testing.assert_allclose(s.var_, [2 / 3, 1400 / 3, 0.0])
    np.testing.assert_allclose(s.scale_, [np.sqrt(2 / 3), np.sqrt(1400 / 3), 1.0])  # ddof 0
    assert s.n_features_in_ == 3 and s.n_samples_seen_ == 3
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(Z[:, 2], 0.0)  # constant feature: only centred
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-14)
    np.testing.assert_array_equal(X, [[1, 10, 3], [2, 20, 3], [3, 60, 3]])  # not modified


def test_standardizer_constant_feature_up_to_rounding_gets_scale_one():
    X = np.full((10, 1), 0.1)  # variance of rounding size only
    s = Standardizer().fit(X)
    assert s.scale_[0] == 1.0
    np.testing.assert_allclose(s.transform(X), 0.0, atol=1e-15)


def test_standardizer_options(rng):
    X = _data(rng)
    m = X.mean(axis=0)
    sd = X.std(axis=0)
    only_scale = Standardizer(with_mean=False).fit(X)
    np.testing.assert_allclose(only_scale.transform(X), X / sd, rtol=1e-12)
    np.testing.assert_allclose(only_scale.mean_, m, rtol=1e-12)
    only_centre = Standardizer(with_std=False).fit(X)
    assert only_centre.scale_ is None and only_centre.var_ is None
    np.testing.assert_allclose(only_centre.transform(X), X - m, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(only_centre.inverse_transform(X - m), X, rtol=1e-12)
    nothing = Standardizer(with_mean=False, with_std=False).fit(X)
    assert nothing.mean_ is None and nothing.scale_ is None
    np.testing.assert_array_equal(nothing.transform(X), X)


def test_standardizer_integer_weights_equal_repeated_rows(rng):
    X = _data(rng, n=12)
    w = rng.integers(0, 4, size=12)
    w[0] = 1
    weighted = Standardizer().fit(X, sample_weight=w.astype(float))
    repeated = Standardizer().fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-13)
    np.testing.assert_allclose(weighted.var_, repeated.var_, rtol=1e-11)
    assert weighted.n_samples_seen_ == pytest.approx(w.sum())
    # (x - mean) / scale: the two means differ by rounding (a few eps |mean|), which the
    # division by the scale magnifies (column 2: mean 100, scale 0.01).
    atol = 50 * np.finfo(np.float64).eps * np.max(np.abs(repeated.mean_) / repeated.scale_)
    np.testing.assert_allclose(weighted.transform(X), repeated.transform(X), rtol=1e-11,
                               atol=atol)
    np.testing.assert_allclose(
        Standardizer().fit_transform(X, sample_weight=w.astype(float)), weighted.transform(X))


def test_standardizer_bad_weights():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="Negative values in data passed to sample_weight"):
        Standardizer().fit(X, sample_weight=[1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match=re.escape("expected (3,)")):
        Standardizer().fit(X, sample_weight=[1.0, 1.0])
    with pytest.raises(ValueError, match="sum of sample_weight must be positive"):
        Standardizer().fit(X, sample_weight=[0.0, 0.0, 0.0])


def test_standardizer_keeps_float32(rng):
    X = _data(rng, dtype=np.float32)
    s = Standardizer().fit(X)
    Z = s.transform(X)
    assert Z.dtype == np.float32
    assert s.inverse_transform(Z).dtype == np.float32
    assert s.mean_.dtype == np.float64  # statistics in float64, as scikit-learn
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-5, atol=1e-4)
    assert Standardizer().fit_transform(X.astype(np.int32)).dtype == np.float64


def test_standardizer_params_checked_in_fit():
    s = Standardizer(with_mean="no")
    with pytest.raises(TypeError, match="with_mean must be a bool"):
        s.fit(np.ones((2, 2)))


# ----------------------------------------------------------------------------------------------
# Shared transformer behaviour
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_not_fitted(cls):
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted yet"):
        cls().transform(np.ones((2, 2)))
    if hasattr(cls, "inverse_transform"):
        with pytest.raises(NotFittedError):
            cls().inverse_transform(np.ones((2, 2)))


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_wrong_feature_count(cls):
    t = cls().fit(np.arange(8.0).reshape(2, 4))
    msg = f"X has 3 features, but {cls.__name__} is expecting 4 features as input."
    with pytest.raises(ValueError, match=re.escape(msg)):
        t.transform(np.ones((2, 3)))


@pytest.mark.parametrize("cls", TRANSFORMERS)
@pytest.mark.parametrize("value, match", [(np.nan, "contains NaN"), (np.inf, "infinity")])
def test_non_finite_input(cls, value, match):
    X = np.ones((3, 2))
    X[1, 1] = value
    with pytest.raises(ValueError, match=match):
        cls().fit(X)
    t = cls().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match=match):
        t.transform(X)


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_fit_transform_equals_fit_then_transform_and_pickles(cls, rng):
    X = _data(rng, n=7, d=3)
    t = cls()
    np.testing.assert_allclose(t.fit_transform(X), cls().fit(X).transform(X))
    again = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(again.transform(X), t.transform(X))


# ----------------------------------------------------------------------------------------------
# Against scikit-learn
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("degree", [0, 1, 2, 3, (2, 3), (0, 2)])
@pytest.mark.parametrize("include_bias", [False, True])
@pytest.mark.parametrize("interaction_only", [False, True])
def test_polynomial_matches_sklearn(degree, include_bias, interaction_only, rng):
    skp = pytest.importorskip("sklearn.preprocessing")
    X = rng.standard_normal((9, 3))
    params = dict(degree=degree, include_bias=include_bias, interaction_only=interaction_only)
    ref = skp.PolynomialFeatures(**params)
    ours = PolynomialFeatures(**params)
    try:
        expected = ref.fit_transform(X)
    except ValueError:
        with pytest.raises(ValueError):
            ours.fit(X)
        return
    np.testing.assert_allclose(ours.fit_transform(X), expected, rtol=1e-13)
    np.testing.assert_array_equal(ours.powers_, ref.powers_)
    assert ours.n_output_features_ == ref.n_output_features_
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    names = ["a", "b", "c"]
    assert list(ours.get_feature_names_out(names)) == list(ref.get_feature_names_out(names))
    X32 = X.astype(np.float32)
    np.testing.assert_allclose(ours.fit(X32).transform(X32), ref.fit(X32).transform(X32),
                               rtol=1e-6)


@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("with_std", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_standardizer_matches_sklearn(with_mean, with_std, weighted, dtype, rng):
    skp = pytest.importorskip("sklearn.preprocessing")
    X = _data(rng, n=50, dtype=dtype)
    X[:, 2] = 7.0  # a constant feature
    w = rng.uniform(0.1, 3.0, size=50) if weighted else None
    ref = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    ours = Standardizer(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    for name in ("mean_", "var_", "scale_"):
        a, e = getattr(ours, name), getattr(ref, name)
        if e is None:
            assert a is None, name
        else:
            assert a.dtype == e.dtype, name
            # scikit-learn accumulates float32 data partly in float32, mlpcore in float64
            rtol = 1e-12 if dtype == np.float64 else 1e-6
            np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-30, err_msg=name)
    assert float(ours.n_samples_seen_) == pytest.approx(float(ref.n_samples_seen_))
    tol = 1e-6 if dtype == np.float32 else 1e-12
    Z = ours.transform(X)
    assert Z.dtype == ref.transform(X).dtype == dtype
    np.testing.assert_allclose(Z, ref.transform(X), rtol=tol, atol=tol)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), rtol=tol,
                               atol=tol)


def test_sklearn_clone_and_pipeline(rng):
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    assert HAVE_SKLEARN
    pf = PolynomialFeatures(degree=3, include_bias=True)
    c = clone(pf)
    assert c is not pf and c.get_params() == pf.get_params()
    X = _data(rng, n=10, d=2)
    pipe = make_pipeline(PolynomialFeatures(2), Standardizer()).fit(X)
    Z = pipe.transform(X)
    assert Z.shape == (10, 5)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(Standardizer()) == "Standardizer()"
