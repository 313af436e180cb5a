"""Hyperparameters declared in one table per class and checked by one loop, as
scikit-learn's ``_parameter_constraints`` are:

    _constraints = {"learning_rate": [Interval(Real, 0, None, closed="neither"), "auto"],
                    "tol": [Interval(Real, 0, None, closed="left"), None], ...}

A parameter is valid when it meets any of its constraints: an Interval, a string
(that exact value), None, "boolean", "random_state", a type (an instance of it), or
any object with ``is_satisfied_by`` and ``description``.
"""

from __future__ import annotations

import numbers
from numbers import Integral, Real

import numpy as np

INT64_MAX = 2**63 - 1  # integers reach the compiled trainer as int64


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter of the wrong type or out of range. Both a ValueError and a
    TypeError, as scikit-learn's is, so that code catching either keeps working."""


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


class Interval:
    """Numbers of type Integral or Real (finite, never bools) between left and right
    (None: unbounded); closed is "left", "right", "both" or "neither"."""

    def __init__(self, kind, left, right, *, closed="both"):
        self.kind, self.left, self.right, self.closed = kind, left, right, closed

    def _of_kind(self, value):
        if _is_bool(value) or not isinstance(value, self.kind):
            return False
        return self.kind is Integral or bool(np.isfinite(value))

    def _bounds(self):
        parts = []
        if self.left is not None:
            parts.append(f"{'>=' if self.closed in ('left', 'both') else '>'} {self.left}")
        if self.right is not None and self.right != INT64_MAX:
            parts.append(f"{'<=' if self.closed in ('right', 'both') else '<'} {self.right}")
        return " and ".join(parts)

    def description(self):
        kind = "an int" if self.kind is Integral else "a finite number"
        return f"{kind} {self._bounds()}".rstrip()

    def _below(self, value):
        if self.left is None:
            return False
        return value < self.left if self.closed in ("left", "both") else value <= self.left

    def _above(self, value):
        if self.right is None:
            return False
        return value > self.right if self.closed in ("right", "both") else value >= self.right

    def is_satisfied_by(self, value):
        return self._of_kind(value) and not self._below(value) and not self._above(value)

    def error(self, name, value):
        """The error for a value of the right kind and out of range; None otherwise."""
        if not self._of_kind(value):
            return None
        if self.right == INT64_MAX and self._above(value):
            return f"{name} must fit in int64 (at most 2**63 - 1), got {value!r}"
        return f"{name} must be {self.description()}, got {value!r}"


class _Options:
    def __init__(self, description, test):
        self.description, self.test = (lambda: description), test

    def is_satisfied_by(self, value):
        return self.test(value)


_BOOLEAN = _Options("a bool", _is_bool)
_NONE = _Options("None", lambda value: value is None)
# n_iter_no_change=numpy.inf: never stop early, as scikit-learn accepts it
INFINITY = _Options("numpy.inf", lambda value: isinstance(value, numbers.Real)
                    and not _is_bool(value) and value == np.inf)
_RANDOM_STATE = _Options(
    "None, an int >= 0, a numpy.random.Generator or a numpy.random.RandomState",
    lambda value: value is None or isinstance(value, (np.random.Generator,
                                                      np.random.RandomState))
    or (isinstance(value, numbers.Integral) and not _is_bool(value) and value >= 0))


def _as_constraint(constraint):
    if constraint is None:
        return _NONE
    if constraint == "boolean":
        return _BOOLEAN
    if constraint == "random_state":
        return _RANDOM_STATE
    if isinstance(constraint, str):
        return _Options(repr(constraint),
                        lambda value: isinstance(value, str) and value == constraint)
    if isinstance(constraint, type):
        return _Options(f"a {constraint.__name__}", lambda value: isinstance(value, constraint))
    return constraint


def check_param(name, value, constraints):
    """InvalidParameterError unless value meets one of constraints."""
    constraints = [_as_constraint(c) for c in constraints]
    if any(c.is_satisfied_by(value) for c in constraints):
        return
    for c in constraints:  # a number out of its range says which range
        message = c.error(name, value) if hasattr(c, "error") else None
        if message is not None:
            raise InvalidParameterError(message)
    described = " or ".join(c.description() for c in constraints)
    raise InvalidParameterError(f"{name} must be {described}, got {value!r}")


def validate_params(owner):
    """Checks every parameter of owner against the tables of its class and bases."""
    table = {}
    for cls in reversed(type(owner).__mro__):
        table.update(vars(cls).get("_constraints", {}))
    for name, constraints in table.items():
        check_param(name, getattr(owner, name), constraints)
