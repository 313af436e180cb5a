"""The multilayer perceptron f(x; W) itself: h_0 = x, h_k = g_k(h_{k-1} W_k + b_k).

Weights W_k have shape (n_in, n_out), so that a batch X (n, d) maps to X W + b as
in the course's W = (w_1, ..., w_K) in R^{D x K}; they are NumPy arrays that users
read and set. Every step calls a compiled kernel of ``mlpcore.kernels``.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from . import kernels
from ._state import Activations, Dtype, Layers, LayerSizes, check_state
from .kernels import ACTIVATIONS


class Trace(NamedTuple):
    """Every pre-activation a_k = h_{k-1} W_k + b_k and output h_k (h[0] is the input)."""

    a: list
    h: list


class Gradients(NamedTuple):
    """dE/dW_k, dE/db_k for every layer and dE/dx, from backpropagation."""

    dW: list
    db: list
    dx: np.ndarray


def _as_activations(activations, n_layers: int) -> list:
    if isinstance(activations, str):
        # One name: every hidden layer; the output stays linear.
        names = [activations] * (n_layers - 1) + ["identity"]
    else:
        names = list(activations)
        if len(names) != n_layers:
            raise ValueError(
                f"activations must name one activation per layer ({n_layers}), got {len(names)}"
            )
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}, expected one of {', '.join(ACTIVATIONS)}")
    return names


def glorot_uniform(n_in: int, n_out: int, rng: np.random.Generator, dtype, activation: str):
    """Glorot and Bengio's uniform initialisation (doubled for the sigmoid, as in
    scikit-learn), which keeps activations and gradients of similar scale per layer."""
    bound = glorot_bound(n_in, n_out, activation)
    return rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)


def glorot_bound(n_in: int, n_out: int, activation: str) -> float:
    """The half-width of glorot_uniform's interval."""
    return float(np.sqrt((2.0 if activation == "sigmoid" else 6.0) / (n_in + n_out)))


def forward(weights, biases, activations, x):
    """The network's output for a batch x (n, d), one fused kernel call per layer."""
    h = x
    for w, b, g in zip(weights, biases, activations):
        h = kernels.linear_forward(h, w, b, g)
    return h


class MLP:
    """The multilayer perceptron f(x; W) itself: h_0 = x, h_k = g_k(h_{k-1} W_k + b_k).

    ``MLP([2, 2, 1], ["relu", "identity"])`` has 2 inputs, a hidden layer of 2 ReLU
    units and one linear output. The weights start at Glorot's uniform initialisation
    and the biases at zero; every step calls a compiled kernel of mlpcore.kernels.

    Parameters
    ----------
    layer_sizes : sequence of int
        The input size, the width of each hidden layer and the output size.
    activations : str or sequence of str, default "relu"
        One name per layer, or a single name for every hidden layer with a linear
        output layer. Names: identity, sign, heaviside, tanh, sigmoid, relu, softplus.
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        The dtype of the weights and of the computation.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the initial weights.

    Attributes
    ----------
    weights : list of ndarray
        weights[k] is W_k of shape (n_in, n_out); read and set them freely.
    biases : list of ndarray
        biases[k] is b_k of shape (n_out,).
    activations : list of str
        The activation of each layer.

    Examples
    --------
    The course's XOR network relu(x1 - x2) + relu(x2 - x1):

    >>> from mlpcore import MLP
    >>> net = MLP.from_weights([[[1, -1], [-1, 1]], [1, 1]], [[0, 0], [0]], ["relu", "identity"])
    >>> net.forward([[0, 0], [0, 1], [1, 0], [1, 1]]).ravel()
    array([0., 1., 1., 0.])
    >>> trace = net.forward_trace([[1.0, 0.0]])
    >>> grads = net.backward(trace, [[1.0]])
    >>> grads.db
    [array([1., 0.]), array([1.])]
    >>> MLP([2, 3, 1], "tanh", random_state=0)
    MLP([2, 3, 1], ['tanh', 'identity'])
    """

    def __init__(self, layer_sizes: Sequence[int], activations="relu", *, dtype=np.float64,
                 random_state=None):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(
                f"layer_sizes must list at least the input and output sizes, each >= 1, got {sizes}"
            )
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        self.activations = _as_activations(activations, len(sizes) - 1)
        rng = np.random.default_rng(random_state)
        self.weights = [
            glorot_uniform(n_in, n_out, rng, dtype, g)
            for n_in, n_out, g in zip(sizes[:-1], sizes[1:], self.activations)
        ]
        self.biases = [np.zeros(n_out, dtype) for n_out in sizes[1:]]

    _state_schema = {
        "layer_sizes": LayerSizes(),
        "activations": Activations(),
        "dtype": Dtype(),
        "weights": Layers("weights"),
        "biases": Layers("biases"),
    }

    def get_state(self) -> dict:
        """layer_sizes, activations, dtype, weights and biases (the network's own arrays)."""
        return {key: getattr(self, key) for key in self._state_schema}

    def set_state(self, state) -> "MLP":
        """Takes a state as get_state gives it, once every entry obeys _state_schema
        (InvalidStateError otherwise); the arrays are copied. Returns self."""
        check_state(self, state)
        net = MLP.from_weights(state["weights"], state["biases"], state["activations"])
        self.__dict__.update(vars(net))
        return self

    def _state_shapes(self, state):
        return state["layer_sizes"], state["dtype"]

    @classmethod
    def from_weights(cls, weights, biases, activations) -> "MLP":
        """The network with exactly these weights (n_in, n_out) and biases (n_out,)."""
        arrays = [np.asarray(w) for w in weights]
        dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
        # Copies, so that the network never aliases the caller's arrays; a 1-D weight
        # vector is one output unit.
        weights = [np.array(a, dtype=dtype, order="C", ndmin=1) for a in arrays]
        weights = [w.reshape(-1, 1) if w.ndim == 1 else w for w in weights]
        biases = [np.atleast_1d(np.array(b, dtype=dtype)) for b in biases]
        if len(weights) != len(biases) or not weights:
            raise ValueError("weights and biases must be lists of the same, non-zero length")
        for k, (w, b) in enumerate(zip(weights, biases)):
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise ValueError(
                    f"layer {k}: weights must be (n_in, n_out) and biases (n_out,), got "
                    f"{w.shape} and {b.shape}"
                )
            if k and w.shape[0] != weights[k - 1].shape[1]:
                raise ValueError(
                    f"layer {k} takes {w.shape[0]} inputs but layer {k - 1} gives "
                    f"{weights[k - 1].shape[1]}"
                )
        net = cls.__new__(cls)
        net.activations = _as_activations(activations, len(weights))
        net.weights, net.biases = weights, biases
        return net

    @property
    def layer_sizes(self) -> list:
        return [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]

    @property
    def dtype(self):
        return self.weights[0].dtype

    def _input(self, x):
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x[None, :]
        return x

    def forward(self, x):
        """f(x; W) for a batch x (n, n_in) (or one sample (n_in,)): the output (n, n_out)."""
        return forward(self.weights, self.biases, self.activations, self._input(x))

    __call__ = forward

    def forward_trace(self, x) -> Trace:
        """The forward pass keeping every a_k and h_k, for backpropagation."""
        h = [self._input(x)]
        a = []
        for w, b, g in zip(self.weights, self.biases, self.activations):
            a.append(kernels.linear_forward(h[-1], w, b))
            h.append(kernels.activation_forward(g, a[-1]))
        return Trace(a, h)

    def backward(self, trace: Trace, dout) -> Gradients:
        """Backpropagation of dout = dE/dh_L through the network: dE/dW_k, dE/db_k, dE/dx.

        delta_L = g_L'(a_L) * dout; dW_k = h_{k-1}^T delta_k; db_k = sum of delta_k;
        delta_{k-1} = g_{k-1}'(a_{k-1}) * (delta_k W_k^T).
        """
        dout = np.asarray(dout, dtype=self.dtype)
        dW = [None] * len(self.weights)
        db = [None] * len(self.weights)
        delta = kernels.activation_backward(self.activations[-1], trace.h[-1], dout)
        for k in range(len(self.weights) - 1, -1, -1):
            dx, dW[k], db[k] = kernels.linear_backward(trace.h[k], self.weights[k], delta)
            if k:
                delta = kernels.activation_backward(self.activations[k - 1], trace.h[k], dx)
        return Gradients(dW, db, dx)

    def check_gradients(self, x, dout=None, *, eps=1e-6, max_checks=200, random_state=0) -> float:
        """Largest relative error between backpropagation and central finite differences
        of E = sum(f(x) * dout), in float64 (dout random when None)."""
        net = MLP.from_weights([w.astype(np.float64) for w in self.weights],
                               [b.astype(np.float64) for b in self.biases], self.activations)
        x = np.asarray(x, dtype=np.float64)
        rng = np.random.default_rng(random_state)
        if dout is None:
            dout = rng.standard_normal(net.forward(x).shape)
        dout = np.asarray(dout, dtype=np.float64)

        def loss():
            return float(np.sum(net.forward(x) * dout))

        grads = net.backward(net.forward_trace(x), dout)
        return finite_difference_error(
            loss, list(zip(net.weights, grads.dW)) + list(zip(net.biases, grads.db)),
            eps=eps, max_checks=max_checks, rng=rng,
        )

    def __repr__(self):
        return f"MLP({self.layer_sizes}, {self.activations})"


def finite_difference_error(loss, params_and_grads, *, eps, max_checks, rng) -> float:
    """max |g - g_fd| / max(|g|, |g_fd|, eps) over (up to max_checks entries of) each
    parameter, with g_fd = (E(p + eps) - E(p - eps)) / (2 eps); parameters are
    perturbed in place and restored."""
    worst = 0.0
    for param, grad in params_and_grads:
        flat, gflat = param.reshape(-1), np.asarray(grad).reshape(-1)
        picks = np.arange(flat.size)
        if flat.size > max_checks:
            picks = rng.choice(flat.size, max_checks, replace=False)
        for i in picks:
            saved = flat[i]
            flat[i] = saved + eps
            up = loss()
            flat[i] = saved - eps
            down = loss()
            flat[i] = saved
            numeric = (up - down) / (2 * eps)
            scale = max(abs(gflat[i]), abs(numeric), eps)
            worst = max(worst, abs(gflat[i] - numeric) / scale)
    return worst
