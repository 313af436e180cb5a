"""Gradient descent on least squares with steps around 2/L.

For E(w) = 1/(2n) ||Phi w - d||^2 the gradient is L-Lipschitz with L the largest
eigenvalue of Phi^T Phi / n; gradient descent converges for any step below 2/L and
diverges above it. LinearRegression(learning_rate="auto") takes 1/L. The figure (matplotlib:
pip install "mlpcore[plot]") shows the loss per epoch of each step size.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

from mlpcore import LinearRegression, plot

rng = np.random.default_rng(0)
X = rng.normal(size=(500, 3)) * [1.0, 3.0, 0.3]
d = X @ [2.0, -1.0, 0.5] + 1.0 + 0.1 * rng.normal(size=500)
phi = np.hstack([X, np.ones((500, 1))])
L = np.linalg.eigvalsh(phi.T @ phi / len(X)).max()
print(f"L = {L:.4f}, 2/L = {2 / L:.4f}")

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for factor in (0.2, 1.0, 1.9, 2.1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LinearRegression(solver="gd", learning_rate=factor / L, max_epochs=50,
                                 tol=None).fit(X, d)
    loss = model.history_["loss"]
    print(f"step {factor:>3} / L: loss after 1, 10, 50 epochs: "
          f"{loss[0]:10.4g} {loss[9]:10.4g} {loss[-1]:10.4g}")
    plot.loss_curve(model, ax, label=f"{factor}/L", mark_best=False)

ax.set_ylim(top=10 * model.history_["loss"][0])
ax.set_title("Gradient descent on least squares: below 2/L it converges, above it diverges")
plt.show()
