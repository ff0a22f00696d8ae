"""What a solver sees: a composite problem of plain callables, options, a result.

A solver minimises ``F(x) = f(x) + g(x)``, f smooth and g with a cheap
proximal operator, knowing nothing but the callables of a
:class:`CompositeProblem`.  It never sees data, labels, a change of
variables or the estimator, so a problem can be a toy quadratic written in
a few lambdas, or J on data held anywhere.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class CompositeProblem:
    """``min_x f(x) + g(x)`` as callables; ``x`` is an ndarray of any shape.

    Parameters
    ----------
    value_and_grad : callable
        ``x -> (f(x), grad f(x))``.  The gradient is a new array.
    g : callable
        ``x -> g(x)``, the non-smooth part's value.
    prox : callable
        ``(x, step) -> argmin_v g(v) + |v - x|^2 / (2 step)``.  It may return
        ``x`` itself when g is 0.
    optimality : callable
        ``(x, grad) -> float``: the measure ``tol`` is defined on, at ``x``
        with ``grad = grad f(x)`` (for example ``max |G(x)|``, see
        :func:`gradient_mapping_norm`).
    value : callable, default=None
        ``x -> f(x)`` alone, where that is cheaper than with the gradient;
        by default from ``value_and_grad``.
    step_optimality : callable, default=None
        ``(move, step) -> float``: ``optimality`` estimated at the start of a
        proximal gradient step of size ``step`` that moved x by ``move``; by
        default ``max |move| / step``, exact when ``optimality`` is
        ``max |G|`` at that step.
    n_samples : int, default=None
        For the stochastic solvers: f is a mean over this many rows.
    batch_gradient : callable, default=None
        For the stochastic solvers: ``(x, rows, reference=None) -> ndarray``,
        an unbiased estimate of grad f(x) from ``rows``, or with a
        ``reference`` of ``grad f(x) - grad f(reference)`` from the same rows.
    epoch : callable, default=None
        A faster computation of SVRG's inner loop (the one
        :func:`skgd._solvers.stochastic_gradient_descent` runs otherwise):
        ``(snapshot, snapshot_grad, step, order, batch_size) -> x``.
    averaged_pass : callable, default=None
        A faster computation of an averaged SGD pass (the one
        :func:`skgd._streaming.averaged_sgd_pass` runs otherwise):
        ``(x, average, n_steps, schedule, order, batch_size) -> (x, average,
        n_steps)``, or None where it does not apply to these steps.
    """

    value_and_grad: Callable
    g: Callable
    prox: Callable
    optimality: Callable
    value: Callable | None = None
    step_optimality: Callable | None = None
    n_samples: int | None = None
    batch_gradient: Callable | None = None
    epoch: Callable | None = None
    averaged_pass: Callable | None = None

    def smooth_value(self, x):
        """f(x)."""
        if self.value is not None:
            return self.value(x)
        return self.value_and_grad(x)[0]

    def composite_value(self, x):
        """F(x) = f(x) + g(x)."""
        return self.smooth_value(x) + self.g(x)

    def estimated_optimality(self, move, step):
        """``step_optimality(move, step)``, or its default ``max |move| / step``."""
        if self.step_optimality is not None:
            return self.step_optimality(move, step)
        return float(np.max(np.abs(move))) / step


@dataclass(frozen=True)
class SolverOptions:
    """How a solver runs; every solver takes the same options.

    Parameters
    ----------
    step : float
        With ``line_search``, the first step size (``1 / L`` for an upper
        bound L on the Lipschitz constant of grad f); otherwise the fixed step.
    line_search : bool
        Whether the solver adapts the step (Barzilai-Borwein steps,
        backtracking) so that F decreases; a fixed step otherwise.
    max_iter : int
        Iterations at most (epochs for the stochastic solvers).
    tol : float
        Stop at the first iterate whose ``problem.optimality`` is at most this.
    monitor : callable, default=None
        Called as ``monitor(iteration, x, value, optimality, step)`` after each
        iteration with the new iterate, F there and its optimality (for agd,
        the estimate at the extrapolated point until the stopping rule is
        checked at the iterate); a true return value stops the solver there.
    batch_size : int, default=512
        Rows per mini-batch, for the stochastic solvers.
    random_state : numpy.random.RandomState, default=None
        Source of the row orders, for the stochastic solvers.
    """

    step: float
    line_search: bool
    max_iter: int
    tol: float
    monitor: Callable | None = None
    batch_size: int = 512
    random_state: np.random.RandomState | None = None


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    x : ndarray
        The final iterate.
    n_iter : int
        Number of iterations (updates of x) performed.
    converged : bool
        Whether ``optimality <= tol`` at ``x``.
    optimality : float
        ``problem.optimality`` at ``x``.
    tol : float
        The tolerance applied.
    loss_curve : list of float
        F at the start point and after each iteration; the last entry is F(x).
    stopped : bool
        Whether the monitor asked the solver to stop.
    """

    x: np.ndarray
    n_iter: int
    converged: bool
    optimality: float
    tol: float
    loss_curve: list = field(default_factory=list)
    stopped: bool = False


class DivergenceError(ValueError):
    """Gradient descent diverged: F not finite, or above ``DIVERGENCE_FACTOR * max(F_0, 1)``.

    Raised by the solvers, and by ``GDLogisticRegression.fit`` and
    ``partial_fit`` (a subclass of ValueError, with a message that says what
    to change) when a fixed learning rate is too large or the numbers
    overflow.

    Parameters
    ----------
    start_value, value, iteration
        As the attributes.
    message : str, default=None
        What to tell the user; by default the bare facts.

    Attributes
    ----------
    start_value : float
        F at the start point.
    value : float
        F when the divergence was noticed.
    iteration : int
        The iteration (or pass) that produced it.
    """

    def __init__(self, start_value, value, iteration, message=None):
        if message is None:
            message = f"F rose from {start_value:.4g} to {value:.4g} by iteration {iteration}."
        super().__init__(message)
        self.start_value = start_value
        self.value = value
        self.iteration = iteration

    def __reduce__(self):  # pickles (e.g. from a joblib worker) with its attributes
        return type(self), (self.start_value, self.value, self.iteration, str(self))


def gradient_mapping_norm(prox, x, grad, step):
    """``max |G(x)|`` for the gradient mapping ``G(x) = (x - prox(x - step grad, step)) / step``.

    Without a non-smooth part (``prox`` returning its input) G is the gradient
    itself, and ``max |grad|`` is returned without rounding.
    """
    shifted = x - step * grad
    mapped = prox(shifted, step)
    if mapped is shifted:
        return float(np.max(np.abs(grad)))
    return float(np.max(np.abs(x - mapped))) / step
