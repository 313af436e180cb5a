"""XOR: the problem a single perceptron cannot learn, and the network that solves it.

The course's network has a ReLU hidden layer with W1 = [[1, -1], [-1, 1]], b1 = 0
and a linear output w2 = [1, 1], b2 = 0: it computes relu(x1 - x2) + relu(x2 - x1),
which is exactly XOR on {0, 1}^2.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

import mlpcore
from mlpcore import MLP, MLPClassifier, Perceptron, datasets, plot

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0])

net = MLP.from_weights(weights=[[[1, -1], [-1, 1]], [1, 1]], biases=[[0, 0], [0]],
                       activations=["relu", "identity"])
print("XOR network f(x):", net.forward(X)[:, 0], " targets:", y)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
    perceptron = Perceptron(max_epochs=100, random_state=0).fit(X, y)
print(f"perceptron: converged={perceptron.converged_}, mistakes in the last epoch "
      f"{perceptron.history_['mistakes'][-1]}, accuracy {perceptron.score(X, y):.2f}")

Xn, yn = datasets.xor(n_samples=400, noise=0.2, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs",
                    random_state=0).fit(Xn, yn)
print(f"MLP 2-8-2 on noisy XOR: training accuracy {mlp.score(Xn, yn):.3f} "
      f"after {mlp.n_iter_} epochs")

# The regions each model predicts (needs matplotlib: pip install "mlpcore[plot]").
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
plot.decision_boundary(mlp, Xn, yn, left).set_title("MLP 2-8-2: one hidden layer separates XOR")
linear = Perceptron(max_epochs=20, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", mlpcore.ConvergenceWarning)
    linear.fit(Xn, yn)
plot.decision_boundary(linear, Xn, yn, right).set_title("a perceptron: one line cannot")
plt.show()
