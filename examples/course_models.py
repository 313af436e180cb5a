"""A tour of the course's models on data that mlpcore generates itself."""

import matplotlib.pyplot as plt
import numpy as np

from mlpcore import LinearRegression, LogisticRegression, MLPClassifier, Perceptron, datasets
from mlpcore import plot
from mlpcore.features import Standardizer

# The perceptron on two separable clouds: w <- w + lr d x on each mistake.
X, y = datasets.blobs(n_samples=200, centers=[[-2, -2], [2, 2]], random_state=0)
p = Perceptron(random_state=0).fit(X, y)
print(f"Perceptron: mistakes per epoch {p.history_['mistakes']}, accuracy {p.score(X, y):.3f}")

# Multinomial logistic regression: softmax, cross-entropy, gradient Phi^T (Y - T) / n.
X, y = datasets.spirals(n_samples=600, n_classes=3, noise=0.05, random_state=0)
X = Standardizer().fit_transform(X)
logistic = LogisticRegression().fit(X, y)
print(f"LogisticRegression on 3 spirals: accuracy {logistic.score(X, y):.3f} (a linear model)")

# An MLP with averaged SGD: the same problem, now separable by the network.
mlp = MLPClassifier(hidden_layer_sizes=(64, 64), activation="relu", solver="sgd", batch_size=32,
                    average=50, max_epochs=300, random_state=0).fit(X, y)
print(f"MLPClassifier 2-64-64-3 (averaged from epoch 50): accuracy {mlp.score(X, y):.3f}")

# Least squares by gradient descent, against the closed form.
rng = np.random.default_rng(0)
A = rng.normal(size=(300, 4))
t = A @ [1.0, -2.0, 3.0, 0.5] + 4.0 + 0.1 * rng.normal(size=300)
lin = LinearRegression(solver="gd").fit(A, t)
exact = np.linalg.lstsq(np.hstack([A, np.ones((300, 1))]), t, rcond=None)[0]
print(f"LinearRegression: w = {np.round(lin.coef_, 4)}, b = {lin.intercept_:.4f}; "
      f"largest difference to lstsq {np.max(np.abs(np.r_[lin.coef_, lin.intercept_] - exact)):.1e}")

# The three spirals: the linear model's regions against the MLP's, and the MLP's loss per
# epoch (needs matplotlib: pip install "mlpcore[plot]").
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
plot.decision_boundary(logistic, X, y, axes[0]).set_title("LogisticRegression: linear regions")
plot.decision_boundary(mlp, X, y, axes[1]).set_title("MLPClassifier 2-64-64-3, averaged SGD")
plot.loss_curve(mlp, axes[2]).set_title("MLPClassifier: training loss per epoch")
plt.show()
