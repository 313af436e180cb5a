"""The training losses as objects, as scikit-learn's ``sklearn/_loss/loss.py`` has them:
each carries the name the compiled loop knows it by, its kernel pair, and the
properties training asks of it, so that estimators hold a loss instead of branching
on its name.
"""

from __future__ import annotations

import numpy as np

from . import kernels


class Loss:
    """One training loss of the network's output against an encoded target."""

    name = ""  # what _core.Trainer calls it
    # The Lipschitz constant of the gradient of a linear model's mean loss, as a
    # multiple of the largest eigenvalue of Phi^T diag(w) Phi / n; None where the
    # loss is not smooth, and "auto" keeps the default step.
    lipschitz_scale: float | None = 1.0
    # per-epoch statistics beyond the common ones, as (name, type) pairs
    history_fields: tuple[tuple[str, type], ...] = ()
    # What ends a fit on its own, named in the warning when max_epochs comes first;
    # None: only the tol / n_iter_no_change rule does.
    goal: str | None = None

    # The kernel pair (mlpcore.kernels) of the loss of an output against a target.
    forward_kernel = backward_kernel = None
    float_target = True  # the kernels take the target as float64 (not class indices)

    def _target(self, target):
        return target.astype(np.float64) if self.float_target else target

    def forward(self, out, target):
        """The mean loss of out against target."""
        return self.forward_kernel(out, self._target(target))

    def backward(self, out, target):
        """The gradient of forward with respect to out."""
        return self.backward_kernel(out, self._target(target))

    def zero_output_loss(self, target, n_outputs):
        """The loss of an output of zeros: a scale for the divergence check."""
        raise NotImplementedError

    def reached_goal(self, stats):
        """Whether the epoch that produced stats (Trainer.epoch's) reached the goal."""
        return False


class SquaredError(Loss):
    name = "squared_error"
    forward_kernel = staticmethod(kernels.squared_error_forward)
    backward_kernel = staticmethod(kernels.squared_error_backward)

    def zero_output_loss(self, target, n_outputs):
        # E = 1/(2n) sum_n ||d_n||^2 for the output 0
        return float(np.einsum("ij,ij->", target, target, dtype=np.float64)) / (2 * len(target))


class CrossEntropy(Loss):
    name = "cross_entropy"
    lipschitz_scale = 0.5  # the softmax's Hessian is at most half of Phi^T Phi / n
    forward_kernel = staticmethod(kernels.cross_entropy_forward)
    backward_kernel = staticmethod(kernels.cross_entropy_backward)
    float_target = False  # class indices

    def zero_output_loss(self, target, n_outputs):
        return float(np.log(n_outputs))  # the cross-entropy of equal scores


class PerceptronCriterion(Loss):
    """sum max(-d s, 0) with d in {-1, +1}: zero once every sample is classified."""

    name = "perceptron"
    lipschitz_scale = None
    history_fields = (("mistakes", int),)
    goal = "an epoch without mistakes"
    forward_kernel = staticmethod(kernels.perceptron_forward)
    backward_kernel = staticmethod(kernels.perceptron_backward)

    def zero_output_loss(self, target, n_outputs):
        return 0.0

    def reached_goal(self, stats):
        return stats["mistakes"] == 0
