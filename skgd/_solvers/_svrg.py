"""Mini-batch stochastic gradient descent with variance reduction (SVRG)."""

from functools import partial

import numpy as np

from ._common import (
    BACKTRACK,
    MAX_BACKTRACKS,
    MAX_STEP_RATIO,
    ROUNDING,
    Progress,
    barzilai_borwein_step,
    mini_batches,
    n_batches,
)

# With a line search, sgd's first step is ``options.step`` for mini-batches of
# this many rows, and grows in proportion with larger ones (from 64 to 1024 rows
# on the benchmark problems, the best constant step grew about linearly with the
# batch size, and 1 / L was about best at 256 rows).
STEP_BATCH_SIZE = 256


def stochastic_gradient_descent(problem, x0, options):
    """Mini-batch stochastic gradient descent with variance reduction (SVRG).

    Each iteration is an epoch.  It starts at a snapshot ``s`` where the full
    gradient is computed (and the stopping rule applied, as for the other
    solvers), then runs through the rows in a fresh random order, one
    mini-batch B at a time::

        x <- prox(x - step * (grad f_B(x) - grad f_B(s) + grad f(s)), step)

    The correction makes the estimate's variance vanish as x and s approach
    the optimum, so a constant step converges to the optimum itself rather
    than to a neighbourhood of it (Johnson and Zhang, 2013; with the prox,
    Xiao and Zhang, 2014).  With a line search, the first epoch's step is
    ``options.step * batch_size / STEP_BATCH_SIZE``; later epochs take the
    larger of that and the Barzilai-Borwein step between the last two
    snapshots divided by the number of batches (Tan et al., 2016), which lets
    few large batches move as far per epoch as a step of gd.  An epoch that
    would increase F is retried from its snapshot with half the step (and
    half the lower bound), so F never increases beyond its rounding error.
    Without a line search the step is ``options.step``, constant.

    Parameters
    ----------
    problem : CompositeProblem
        With ``n_samples`` and ``batch_gradient`` (and optionally ``epoch``).
    x0, options
        As for :func:`skgd._solvers.gradient_descent`; ``max_iter`` counts
        epochs, and ``batch_size`` and ``random_state`` are used.

    Returns
    -------
    SolverResult
        Raises DivergenceError as :func:`skgd._solvers.gradient_descent` does.
    """
    step, batch_size = options.step, options.batch_size
    if options.line_search:  # the linear scaling of the step with the batch size
        step *= min(batch_size, problem.n_samples) / STEP_BATCH_SIZE
    # the step never falls below this floor, which halves with every retry
    first_step = floor = step
    epoch = problem.epoch or partial(variance_reduced_epoch, problem)

    x = x0.copy()
    value, grad = problem.value_and_grad(x)
    value += problem.g(x)
    progress = Progress(value, options.monitor)
    optimality = problem.optimality(x, grad)
    n_iter = retries = 0
    while optimality > options.tol and n_iter < options.max_iter and retries < MAX_BACKTRACKS:
        order = options.random_state.permutation(problem.n_samples)
        x_new = epoch(x, grad, step, order, batch_size)
        f_new, grad_new = problem.value_and_grad(x_new)
        value_new = f_new + problem.g(x_new)
        # (an epoch whose F is not a number failed too: its step was too large)
        if options.line_search and not (
            value_new <= value + ROUNDING * np.finfo(x.dtype).eps * abs(value)
        ):
            step *= BACKTRACK
            floor *= BACKTRACK
            retries += 1
            continue
        n_iter += 1
        retries = 0
        if options.line_search:  # Barzilai-Borwein over the epoch, shared by its steps
            short_step = barzilai_borwein_step(x_new - x, grad_new - grad)
            if short_step is not None:
                short_step /= n_batches(problem.n_samples, batch_size)
                step = min(max(short_step, floor), MAX_STEP_RATIO * first_step)
        x, grad, value = x_new, grad_new, value_new
        optimality = problem.optimality(x, grad)
        if progress.record(n_iter, x, value, optimality, step):
            break
    return progress.result(x, n_iter, optimality, options.tol)


def variance_reduced_epoch(problem, snapshot, snapshot_grad, step, order, batch_size,
                           start=None):
    """One pass of SVRG's inner loop over the rows in ``order``; returns the last iterate.

    The pass starts at ``start`` (by default the snapshot): where data are
    spread out, one epoch is several such passes, one per part of the rows.
    """
    x = snapshot if start is None else start
    for rows in mini_batches(order, batch_size):
        estimate = problem.batch_gradient(x, rows, reference=snapshot)
        estimate += snapshot_grad
        x = problem.prox(x - step * estimate, step)
    return x
