"""skgd: logistic regression trained by explicit gradient descent, for scikit-learn."""

from ._display import LossCurveDisplay
from ._logistic import GDLogisticRegression
from ._solvers import DivergenceError

__all__ = ["DivergenceError", "GDLogisticRegression", "LossCurveDisplay"]
__version__ = "0.1.0"
