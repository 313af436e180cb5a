"""The exceptions and warnings mlpcore raises: scikit-learn's own when it is installed
(so that code catching them keeps working), stand-ins otherwise.

A leaf module: it imports nothing of mlpcore, so every module may import it.
"""

from __future__ import annotations

try:
    from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError
except ImportError:  # pragma: no cover - exercised in environments without scikit-learn

    class NotFittedError(ValueError, AttributeError):
        """Raised when a model is used before it was fitted."""

    class ConvergenceWarning(UserWarning):
        """Training stopped before its convergence criterion was met."""

    class DataConversionWarning(UserWarning):
        """Input data was converted (for example y given as a column vector)."""


__all__ = ["ConvergenceWarning", "DataConversionWarning", "NotFittedError"]
