"""What a fit tells its user when gradient descent did not end at the optimum."""

import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ._solvers import DivergenceError, iteration_name


def count(n, noun):
    """``"1 iteration"``, ``"2 iterations"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def divergence_message(learning_rate, error, unit="iteration"):
    """Why J blew up (a :class:`skgd._solvers.DivergenceError`), and what to do.

    ``unit`` names what ``error.iteration`` counts: iterations, epochs or passes.
    """
    if learning_rate == "auto":  # steps chosen by line search: the numbers overflowed
        advice = "Its numbers overflowed: scale the features (e.g. StandardScaler)."
    else:
        advice = (
            "Use a smaller learning_rate, scale the features (e.g. StandardScaler), "
            "or set learning_rate='auto', which chooses the step by line search."
        )
    return (
        f"Gradient descent diverged with learning_rate={learning_rate!r}: J rose from "
        f"{error.start_value:.4g} to {error.value:.4g} after "
        f"{count(error.iteration, unit)}. {advice}"
    )


def non_convergence_message(estimator, objective, result):
    """Why a fit of ``objective`` stopped short of ``tol``, and what to try."""
    unit = iteration_name(estimator.solver)
    gradient = "gradient" if objective.penalty.is_smooth else "gradient mapping"
    reached = (
        f"the largest entry of the {gradient} is {result.optimality:.3e} > tol={result.tol:.3g}"
    )
    if result.n_iter >= estimator.max_iter:
        # tol is measured on the features as given, so their scale matters even
        # when learning_rate="auto" runs the solver on standardised ones
        return (
            f"solver={estimator.solver!r} did not converge in max_iter={estimator.max_iter} "
            f"{unit}s: {reached}. Scale the features (e.g. StandardScaler in a "
            "Pipeline), increase max_iter, or use a larger tol."
        )
    float32 = objective.dtype == np.float32
    advice = "Use a larger tol or float64 input." if float32 else "Use a larger tol."
    return (
        f"solver={estimator.solver!r} stopped after {count(result.n_iter, unit)} because J "
        f"cannot decrease further in {objective.dtype.name}: {reached}. {advice}"
    )


def early_stopping_kept_start_message(estimator, result, warm):
    """Early stopping returned the start point (a ``warm`` start's or zeros)."""
    start = "the previous fit's coefficients" if warm else "zero coefficients"
    return (
        f"Early stopping kept the start point ({start}): the log-loss of the held-out "
        f"rows did not improve by more than tol={estimator.tol:g} in "
        f"{count(result.n_iter, iteration_name(estimator.solver))}. The held-out rows may "
        "be too few to judge the model by; use more data, a larger validation_fraction, "
        "or early_stopping=False."
    )


@contextmanager
def worded_divergence(learning_rate, unit="iteration"):
    """Re-raise a solver's DivergenceError with a message that says what to do."""
    try:
        yield
    except DivergenceError as error:
        message = divergence_message(learning_rate, error, unit)
        raise DivergenceError(error.start_value, error.value, error.iteration, message) from None


def warn(message, category=UserWarning):
    """``warnings.warn``, attributed to the first caller outside skgd.

    A fit's warnings then point at the user's ``fit`` call, however deep in
    skgd (and in scikit-learn's callback wrapper) they are raised.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and _inside(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _inside(filename):
    """Whether code of ``filename`` is skgd's, or scikit-learn's wrapper of fit for callbacks."""
    path = Path(filename).resolve()
    return path.is_relative_to(_PACKAGE) or ("sklearn" in path.parts and "callback" in path.parts)


_PACKAGE = Path(__file__).resolve().parent

