"""Train a multinomial logistic regression with mlpcore's kernels alone.

Three Gaussian blobs in 2-D, the softmax model p = softmax(X W + b), the fused
cross-entropy and its gradient, and plain gradient descent; each kernel result is
checked against its NumPy twin in mlpcore.reference.
"""

import matplotlib.pyplot as plt
import numpy as np

import mlpcore
from mlpcore import kernels as K
from mlpcore import plot
from mlpcore import reference as R

rng = np.random.default_rng(0)
centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
y = rng.integers(0, 3, size=600)
X = centers[y] + rng.normal(size=(600, 2))

W = np.zeros((2, 3))
b = np.zeros(3)
losses = []
for step in range(200):
    logits = K.linear_forward(X, W, b)
    loss, dlogits = K.cross_entropy_forward_backward(logits, y)
    losses.append(loss)
    _, dW, db = K.linear_backward(X, W, dlogits)
    K.sgd_step(W, dW, 0.5)
    K.sgd_step(b, db, 0.5)
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss:.4f}")

logits = K.linear_forward(X, W, b)
accuracy = np.mean(np.argmax(logits, axis=1) == y)
loss_ref, dlogits_ref = R.cross_entropy_forward_backward(logits, y)
print(f"final loss {K.cross_entropy_forward(logits, y):.4f} (NumPy twin: {loss_ref:.4f})")
print(f"training accuracy {accuracy:.3f}")
print(f"largest gradient difference to NumPy: "
      f"{np.max(np.abs(K.cross_entropy_backward(logits, y) - dlogits_ref)):.1e}")
print(f"SIMD path {mlpcore.build_info()['isa']}, {mlpcore.get_num_threads()} threads")

# The loss per step and the regions of the three classes (needs matplotlib: pip install
# "mlpcore[plot]"); decision_boundary needs only an object with predict.


class Trained:
    """The classifier the kernels trained: argmax of X W + b."""

    def predict(self, X):
        return np.argmax(K.linear_forward(X, W, b), axis=1)


fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
plot.loss_curve({"loss": losses}, left).set_title("cross-entropy per gradient step")
plot.decision_boundary(Trained(), X, y, right).set_title("softmax(X W + b): three classes")
plt.show()
