"""Full-gradient solvers: gradient descent and accelerated gradient descent."""

import math

import numpy as np

from .._products import dot
from ._common import (
    BACKTRACK,
    GROW,
    MAX_BACKTRACKS,
    MAX_STEP_RATIO,
    ROUNDING,
    SUFFICIENT_DECREASE,
    Progress,
    barzilai_borwein_step,
)


def gradient_descent(problem, x0, options):
    """Proximal gradient descent; every parameter is updated at once.

    Without a line search this is the classic algorithm with the step
    ``alpha = options.step``, ``x <- prox(x - alpha grad f(x), alpha)``, which
    for g = 0 is ``x <- x - alpha grad F(x)``.  With one, the step starts at
    ``options.step``, then follows Barzilai and Borwein's short rule
    ``<s, y> / |y|^2`` (s the last move, y the change of gradient; at most
    ``MAX_STEP_RATIO`` times the first step), backtracked until F decreases
    sufficiently (Wright et al., 2009), so F never increases beyond its
    rounding error.  Of their two rules, the short one is rejected by the line
    search least often: on the benchmark problems it needs 1.0 to 1.15
    evaluations per iteration, the long one ``|s|^2 / <s, y>`` 1.3 to 1.7.

    Parameters
    ----------
    problem : CompositeProblem
    x0 : ndarray
        Start point; not modified.
    options : SolverOptions

    Returns
    -------
    SolverResult

    Raises
    ------
    DivergenceError
        When F blows up (a fixed step too large, or overflow).
    """
    step = first_step = options.step
    x = x0.copy()
    value, grad = problem.value_and_grad(x)
    value += problem.g(x)
    progress = Progress(value, options.monitor)
    optimality = problem.optimality(x, grad)
    n_iter = 0
    while optimality > options.tol and n_iter < options.max_iter:
        for _ in range(MAX_BACKTRACKS):
            x_new = problem.prox(x - step * grad, step)
            f_new, grad_new = problem.value_and_grad(x_new)
            value_new = f_new + problem.g(x_new)
            move = x_new - x
            if not options.line_search or _sufficient_decrease(
                value, value_new, move, grad_new - grad, step
            ):
                break
            step *= BACKTRACK
        else:  # no decrease at any step: x is optimal to rounding precision
            break
        n_iter += 1
        optimality = problem.optimality(x_new, grad_new)
        if options.line_search:
            short_step = barzilai_borwein_step(move, grad_new - grad)
            if short_step is not None:
                step = min(short_step, MAX_STEP_RATIO * first_step)
        x, grad, value = x_new, grad_new, value_new
        if progress.record(n_iter, x, value, optimality, step):
            break
    return progress.result(x, n_iter, optimality, options.tol)


def accelerated_gradient_descent(problem, x0, options):
    """Accelerated proximal gradient (Nesterov momentum; FISTA with an L1 part).

    Each iteration takes a proximal gradient step from the extrapolated point
    y, then moves y along the momentum direction.  With a line search the
    step is first grown by ``GROW`` and then backtracked until f satisfies
    the quadratic upper bound at y (Beck and Teboulle, 2009); without, it is
    fixed.  Momentum restarts whenever it points against the last step
    (O'Donoghue and Candes, 2015).

    Parameters, return value and exceptions are those of :func:`gradient_descent`.
    """
    step, tol, max_iter = options.step, options.tol, options.max_iter
    x = x0.copy()
    f, grad = problem.value_and_grad(x)
    progress = Progress(f + problem.g(x), options.monitor)
    optimality = problem.optimality(x, grad)
    y, f_y, grad_y = x, f, grad
    momentum = 1.0
    n_iter = 0
    while optimality > tol and n_iter < max_iter:
        if options.line_search:
            step *= GROW
        for _ in range(MAX_BACKTRACKS):
            x_new = problem.prox(y - step * grad_y, step)
            move = x_new - y
            f_new = problem.smooth_value(x_new)
            if not options.line_search or _below_quadratic_bound(
                problem, f_y, f_new, grad_y, x_new, move, step
            ):
                break
            step *= BACKTRACK
        else:  # no step satisfies the bound: x is optimal to rounding precision
            _, grad = problem.value_and_grad(x)
            optimality = problem.optimality(x, grad)
            break
        n_iter += 1
        value_new = f_new + problem.g(x_new)

        # optimality at y within tol is a cheap sign that x_new is near optimal;
        # only then pay for the gradient at x_new to apply the stopping rule there.
        estimate = problem.estimated_optimality(move, step)
        if estimate <= tol or n_iter == max_iter:
            _, grad_new = problem.value_and_grad(x_new)
            optimality = estimate = problem.optimality(x_new, grad_new)
        stop = progress.record(n_iter, x_new, value_new, estimate, step)
        if stop or optimality <= tol or n_iter == max_iter:
            x = x_new
            break

        if dot(y - x_new, x_new - x) > 0:  # momentum works against descent
            momentum = 1.0
            y = x_new
        else:
            next_momentum = (1 + math.sqrt(1 + 4 * momentum**2)) / 2
            y = x_new + ((momentum - 1) / next_momentum) * (x_new - x)
            momentum = next_momentum
        x = x_new
        f_y, grad_y = problem.value_and_grad(y)
    return progress.result(x, n_iter, optimality, tol)


def _sufficient_decrease(value, value_new, move, grad_change, step):
    """Whether a proximal gradient step decreases F enough to be accepted.

    The test is F(x_new) <= F(x) - SUFFICIENT_DECREASE / (2 step) |move|^2.
    When F's change is below its rounding error, that test is noise; convexity
    then certifies it from gradients alone, since for a prox step
    ``F(x_new) <= F(x) + <grad_change, move> - |move|^2 / step``.
    """
    squared_move = dot(move, move)
    margin = SUFFICIENT_DECREASE / (2 * step) * squared_move
    if value_new <= value - margin:
        return True
    if value_new - value > ROUNDING * np.finfo(move.dtype).eps * abs(value):
        return False
    return dot(grad_change, move) <= squared_move / step - margin


def _below_quadratic_bound(problem, f_y, f_new, grad_y, x_new, move, step):
    """FISTA's backtracking test ``f(x_new) <= f(y) + <grad_y, move> + |move|^2/(2 step)``.

    When f's change is below its rounding error, the test on values is noise;
    convexity then gives a certificate from gradients alone:
    ``f(x_new) - f(y) - <grad_y, move> <= <grad f(x_new) - grad_y, move>``.
    """
    squared_move = dot(move, move)
    excess = f_new - f_y - dot(grad_y, move) - squared_move / (2 * step)
    if excess <= 0:
        return True
    if excess > ROUNDING * np.finfo(x_new.dtype).eps * abs(f_y):
        return False
    _, grad_new = problem.value_and_grad(x_new)
    return dot(grad_new - grad_y, move) <= squared_move / (2 * step)
