"""skgd: logistic regression trained by explicit gradient descent, for scikit-learn."""

from ._display import LossCurveDisplay
from ._logistic import GDLogisticRegression

__all__ = ["GDLogisticRegression", "LossCurveDisplay"]
__version__ = "0.1.0"
