"""skgd: logistic regression trained by explicit gradient descent, for scikit-learn."""

from ._logistic import GDLogisticRegression

__all__ = ["GDLogisticRegression"]
__version__ = "0.1.0"
