"""Arrays as users hold them: DLPack tensors (viewed, never copied) and pandas frames."""

import numpy as np
import pytest

import mlpcore
from mlpcore import kernels as K
from mlpcore._validation import check_array


class DLPackOnly:
    """A foreign tensor that NumPy can only reach through DLPack (no __array__)."""

    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_a_dlpack_tensor_is_read_and_written_in_place():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((5, 3))
    out_memory = np.zeros((7, 3))
    result = K.matmul(DLPackOnly(a), DLPackOnly(b), out=DLPackOnly(out_memory))
    assert np.shares_memory(result, out_memory)
    np.testing.assert_allclose(out_memory, a @ b, rtol=1e-12)

    param, grad = rng.standard_normal(10), rng.standard_normal(10)
    expected = param - 0.5 * grad
    K.sgd_step(DLPackOnly(param), DLPackOnly(grad), 0.5)
    np.testing.assert_allclose(param, expected, rtol=1e-15)

    X = rng.standard_normal((20, 3))
    assert np.shares_memory(check_array(DLPackOnly(X)), X)


def test_a_read_only_dlpack_output_is_refused():
    out_memory = np.zeros((2, 2))
    out_memory.flags.writeable = False
    with pytest.raises((ValueError, TypeError), match=r"\[matmul\] out"):
        K.matmul(np.eye(2), np.eye(2), out=DLPackOnly(out_memory))


@pytest.mark.filterwarnings("ignore::mlpcore.ConvergenceWarning")
def test_torch_cpu_tensors_without_a_copy():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    a, b = torch.randn(64, 32), torch.randn(32, 10)
    out = torch.empty(64, 10)
    result = K.matmul(a, b, out=out)
    assert np.shares_memory(result, out.numpy())
    torch.testing.assert_close(out, a @ b, rtol=1e-5, atol=1e-5)
    # a transposed tensor is a strided view, used as it is
    torch.testing.assert_close(torch.from_numpy(K.matmul(a.T, a)), a.T @ a, rtol=1e-4, atol=1e-4)

    # logits and labels straight from torch; dlogits written into a torch tensor
    logits, labels = torch.randn(16, 5), torch.randint(0, 5, (16,))
    dlogits = torch.empty_like(logits)
    loss, _ = K.cross_entropy_forward_backward(logits, labels, dlogits=dlogits)
    reference = logits.clone().requires_grad_(True)
    expected = torch.nn.functional.cross_entropy(reference, labels)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    torch.testing.assert_close(dlogits, reference.grad, rtol=1e-5, atol=1e-6)

    # an SGD step updates the tensor itself
    w, g = torch.randn(100), torch.randn(100)
    before = w.clone()
    K.sgd_step(w, g, 0.1)
    torch.testing.assert_close(w, before - 0.1 * g)

    # the estimators view the tensor's memory
    X = torch.randn(200, 4)
    assert np.shares_memory(check_array(X), X.numpy())
    y = (X[:, 0] > 0).long()
    model = mlpcore.LogisticRegression(max_epochs=50).fit(X, y)
    assert model.score(X, y) > 0.9


def test_a_tensor_that_cannot_be_exported_says_why():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"\[matmul\] a .*DLPack.*detach"):
        K.matmul(torch.randn(3, 3, requires_grad=True), torch.randn(3, 3))


@pytest.mark.filterwarnings("ignore::mlpcore.ConvergenceWarning")
def test_pandas_frames_in_the_estimators():
    pd = pytest.importorskip("pandas")
    X, y = mlpcore.datasets.blobs(150, centers=3, random_state=1)
    frame = pd.DataFrame(X, columns=["width", "height"])
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="kind")
    model = mlpcore.LogisticRegression(max_epochs=100).fit(frame, labels)
    assert model.feature_names_in_.tolist() == ["width", "height"]
    assert model.classes_.tolist() == ["a", "b", "c"]
    same = mlpcore.LogisticRegression(max_epochs=100).fit(X, labels.to_numpy())
    np.testing.assert_array_equal(model.predict(frame), same.predict(X))
    assert model.score(frame, labels) > 0.9

    target = X @ [2.0, -1.0] + 0.5
    regressor = mlpcore.LinearRegression(max_epochs=50).fit(frame, pd.Series(target))
    plain = mlpcore.LinearRegression(max_epochs=50).fit(X, target)
    np.testing.assert_array_equal(regressor.coef_, plain.coef_)
