"""Pieces every solver shares: constants, bookkeeping, step rules, mini-batches."""

import numpy as np

from .._products import dot
from ._problem import DivergenceError, SolverResult

# Sufficient decrease for the monotone line search of gd:
# F(x_new) <= F(x) - SUFFICIENT_DECREASE / (2 step) * |x_new - x|^2.
SUFFICIENT_DECREASE = 1e-4
# A backtracking step is multiplied by BACKTRACK; agd first tries GROW * step.
BACKTRACK = 0.5
GROW = 1.1
# Halvings after which a line search gives up: the iterate is at rounding level.
MAX_BACKTRACKS = 60
# Barzilai-Borwein steps are capped at MAX_STEP_RATIO times the first step.  They
# only approach the cap where F's curvature vanishes (for J: C=inf on separable
# data, optimum at infinity); unbounded, they amplify rounding there.
MAX_STEP_RATIO = 1e6
# Changes of f smaller than ROUNDING * eps * |f| are treated as rounding noise.
ROUNDING = 64
# F above this multiple of max(F_0, 1) (or not finite) is divergence.
DIVERGENCE_FACTOR = 1e3


def check_divergence(start_value, value, iteration):
    """Raise DivergenceError when F is not finite or above ``DIVERGENCE_FACTOR * max(F_0, 1)``."""
    if np.isfinite(value) and value <= DIVERGENCE_FACTOR * max(start_value, 1.0):
        return
    raise DivergenceError(start_value, value, iteration)


class Progress:
    """Bookkeeping shared by the solvers: curve, divergence test, monitor."""

    def __init__(self, value0, monitor):
        self.loss_curve = [value0]
        self.monitor = monitor
        self.stopped = False

    def record(self, iteration, x, value, optimality, step):
        """Record an iteration; True when the monitor asks the solver to stop."""
        check_divergence(self.loss_curve[0], value, iteration)
        self.loss_curve.append(value)
        if self.monitor is not None:
            self.stopped = bool(self.monitor(iteration, x, value, optimality, step))
        return self.stopped

    def result(self, x, n_iter, optimality, tol):
        """The solver's result at ``x``."""
        return SolverResult(
            x, n_iter, optimality <= tol, optimality, tol, self.loss_curve, self.stopped
        )


def barzilai_borwein_step(move, change):
    """Barzilai and Borwein's short step ``<s, y> / <y, y>``, or None without curvature.

    ``s`` is the last move of x, ``y`` the change of the gradient it caused.
    """
    curvature = dot(move, change)
    if curvature > 0:
        return float(curvature / dot(change, change))
    return None


def mini_batches(order, batch_size):
    """The consecutive slices of ``batch_size`` rows of ``order`` (the last may be shorter)."""
    return (order[start : start + batch_size] for start in range(0, len(order), batch_size))


def n_batches(n_rows, batch_size):
    """How many mini-batches :func:`mini_batches` cuts ``n_rows`` rows into."""
    return -(-n_rows // batch_size)
