"""What a fit tells its user when gradient descent did not end at the optimum."""

from contextlib import contextmanager

import numpy as np

from ._solvers import DivergenceError


def divergence_message(learning_rate, error):
    """Why J blew up (a :class:`skgd._solvers.DivergenceError`), and what to do."""
    if learning_rate == "auto":  # steps chosen by line search: the numbers overflowed
        advice = "Its numbers overflowed: scale the features (e.g. StandardScaler)."
    else:
        advice = (
            "Use a smaller learning_rate, scale the features (e.g. StandardScaler), "
            "or set learning_rate='auto', which chooses the step by line search."
        )
    return (
        f"Gradient descent diverged with learning_rate={learning_rate!r}: J rose from "
        f"{error.start_value:.4g} to {error.value:.4g} after {error.iteration} iterations. "
        f"{advice}"
    )


def non_convergence_message(estimator, result, dtype):
    """Why a fit stopped short of ``tol``, and what to try."""
    gradient = "gradient mapping" if estimator.l1_ratio > 0 else "gradient"
    reached = (
        f"the largest entry of the {gradient} is {result.optimality:.3e} > tol={result.tol:.3g}"
    )
    if result.n_iter >= estimator.max_iter:
        # tol is measured on the features as given, so their scale matters even
        # when learning_rate="auto" runs the solver on standardised ones
        return (
            f"solver={estimator.solver!r} did not converge in max_iter={estimator.max_iter} "
            f"iterations: {reached}. Scale the features (e.g. StandardScaler in a "
            "Pipeline), increase max_iter, or use a larger tol."
        )
    advice = "Use a larger tol or float64 input." if dtype == np.float32 else "Use a larger tol."
    return (
        f"solver={estimator.solver!r} stopped after {result.n_iter} iterations because J "
        f"cannot decrease further in {np.dtype(dtype).name}: {reached}. {advice}"
    )


@contextmanager
def worded_divergence(learning_rate):
    """Re-raise a solver's DivergenceError as a ValueError that says what to do."""
    try:
        yield
    except DivergenceError as error:
        raise ValueError(divergence_message(learning_rate, error)) from error
