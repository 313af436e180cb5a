"""The exceptions and warnings mlpcore raises: scikit-learn's own when it is installed
(so that code catching them keeps working), stand-ins otherwise.

A leaf module: it imports nothing of mlpcore, so every module may import it. The
classes are looked up on first use (``_exceptions.NotFittedError``), not at import:
importing scikit-learn takes a second or more, which ``import mlpcore`` should not pay.
"""

from __future__ import annotations

_NAMES = ("ConvergenceWarning", "DataConversionWarning", "NotFittedError")


class _StandIns:
    class NotFittedError(ValueError, AttributeError):
        """Raised when a model is used before it was fitted."""

    class ConvergenceWarning(UserWarning):
        """Training stopped before its convergence criterion was met."""

    class DataConversionWarning(UserWarning):
        """Input data was converted (for example y given as a column vector)."""


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from sklearn import exceptions as source
    except ImportError:  # pragma: no cover - exercised in environments without scikit-learn
        source = _StandIns
    for each in _NAMES:
        globals()[each] = getattr(source, each)
    return globals()[name]


__all__ = list(_NAMES)
