"""The scaling refreshed by the curvature as a solver goes.

Standardising (:class:`skgd._reparam.Standardization`) scales each feature by
a bound on its curvature.  Where the fitted model is confident (rare
categories, near-constant pixels, classes told apart easily), the true
curvature ``p (1 - p)`` falls far below that bound and gradient descent
crawls along those directions.  So after ``FIRST_REFRESH`` iterations (sgd's
are epochs), then after phases twice as long each time, the variables are
standardised again by the Hessian's diagonal at the iterate
(:meth:`skgd._objective.LogisticObjective.curvature_moments`; for gd and sgd
on dense data, one set of scales per class).  Where that moved the scales
(``RESCALE``), the solver restarts from its iterate in the new variables;
elsewhere it goes on undisturbed.  gd and agd restart at the step 1 (the
curvature of every coordinate is 1 there) and search from it; sgd, whose
first step is also the least it takes, at the safe ``1 / L`` of the new
variables, as it starts a fit.  Each refresh costs about two passes over X.
J and its minimiser do not change, only the path; the curve of J, the
iteration count and the callbacks run on across the restarts.
"""

from dataclasses import replace

import numpy as np

from ._reparam import Standardization
from ._solvers import (
    DivergenceError,
    accelerated_gradient_descent,
    gradient_descent,
    stochastic_gradient_descent,
)

# The solvers whose variables are refreshed.
REFRESHED_SOLVERS = (gradient_descent, accelerated_gradient_descent, stochastic_gradient_descent)
# Iterations before the first refresh; each later phase is twice as long.
FIRST_REFRESH = 10
# A refresh restarts the solver, which costs it its step's memory (and agd its
# momentum): only done where the curvature has moved the scales of some
# features at least RESCALE times relative to the others (the median change).
RESCALE = 1.3
# The least curvature weight, as a fraction of the loss's curvature bound: a
# direction in which every row is already fitted is scaled up at most
# 1 / sqrt(LEAST_CURVATURE) times beyond its standardisation.
LEAST_CURVATURE = 1e-6


def refreshes(solver, objective):
    """Whether ``solver`` on ``objective`` is refreshed (an objective must offer its curvature)."""
    return solver in REFRESHED_SOLVERS and hasattr(objective, "curvature_moments")


def solve_refreshing(assembly, solver, start, options, monitor):
    """:meth:`skgd._assemble.Assembly.solve` with the variables refreshed by the curvature.

    Parameters
    ----------
    assembly : Assembly
        J and its first variables.
    solver : callable
    start : ndarray
        Start point in J's variables.
    options : SolverOptions
        With ``tol`` already the attainable one; its ``monitor`` is replaced.
    monitor : callable or None
        Sees every iteration, counted from the fit's start, in J's variables.

    Returns
    -------
    SolverResult
        In J's variables.
    """
    refresh = _Refresh(assembly, solver, options, monitor)
    variables, step, x = assembly.variables, assembly.step, start
    n_iter, loss_curve = 0, []
    while True:
        refresh.watch(variables, n_iter)
        phase_options = replace(
            options, step=step, max_iter=options.max_iter - n_iter, monitor=refresh
        )
        try:
            result = solver(assembly.problem(options.batch_size, variables),
                            variables.from_original(x), phase_options)
        except DivergenceError as error:  # counted from the fit's start
            start_value = loss_curve[0] if loss_curve else error.start_value
            raise DivergenceError(start_value, error.value, n_iter + error.iteration) from None
        x = variables.to_original(result.x)
        loss_curve += result.loss_curve[1:] if loss_curve else result.loss_curve
        n_iter += result.n_iter
        if refresh.refreshed is None:  # converged, stopped, at max_iter or rounding
            return replace(result, x=x, n_iter=n_iter, loss_curve=loss_curve)
        variables = refresh.refreshed
        step = 1.0 / variables.lipschitz_bound if solver is stochastic_gradient_descent else 1.0


def curvature_variables(objective, x, by_class, round_scales=False):
    """The variables standardised by the Hessian's diagonal at ``x`` (J's variables).

    With several classes and ``by_class``, each class has its own scales and
    centring: their curvatures differ by far where a class is rare or
    confidently told apart.  Steps scaled per class no longer keep the
    classes' coefficients summing to 0, so
    :meth:`skgd._assemble.Assembly.problem` centres them after every step.
    Otherwise the classes share one scale per feature, from the mean of their
    curvatures, which treats them alike.  ``round_scales`` as for
    :meth:`skgd._reparam.Standardization.from_moments`.
    """
    least_curvature = LEAST_CURVATURE * objective.loss.curvature_bound
    total, (mean_by_class, variance) = objective.curvature_moments(x, least_curvature)
    if len(total) == 1:  # binary: one row of parameters
        total, mean, variance = float(total[0]), mean_by_class[0], variance[0]
    elif by_class:  # each class its own scales
        mean = mean_by_class
    else:  # the classes' mean, each one's variance about it, their mean curvature
        mean = total @ mean_by_class / total.sum()
        variance = total @ (variance + (mean_by_class - mean) ** 2) / total.sum()
        total = float(total.mean())
    return Standardization.from_moments(
        (mean, variance),
        fit_intercept=objective.fit_intercept,
        curvature_bound=total,
        l2_strength=objective.penalty.l2_strength,
        dtype=objective.dtype,
        round_scales=round_scales,
    )


class _Refresh:
    """The monitor of a solver whose variables are refreshed: it stops the solver for a refresh.

    At the end of each phase (unless the solver is done) it builds the
    variables of the curvature there, and asks the solver to stop when their
    scales moved (:func:`scales_moved`), keeping them in ``refreshed``;
    otherwise the solver goes on undisturbed.  The caller's ``monitor`` sees
    every iteration, counted from the fit's start, in J's variables.
    """

    def __init__(self, assembly, solver, options, monitor):
        self.objective = objective = assembly.objective
        self.monitor = monitor
        self.tol, self.max_iter = options.tol, options.max_iter
        # sgd's lazy sparse passes need few distinct scales
        self.round_scales = solver is stochastic_gradient_descent and objective.is_sparse
        # Centring after a step is descent (LogisticObjective.centred) where g =
        # 0, which gd's line search and sgd's test of each epoch, tests of F
        # itself, accept; agd's test of a quadratic bound holds only for true
        # prox steps: its classes share scales, as rounded ones do.
        self.by_class = (
            solver is not accelerated_gradient_descent
            and objective.penalty.is_smooth
            and not self.round_scales
        )
        self.phase_end = FIRST_REFRESH
        self.phase_length = FIRST_REFRESH

    def watch(self, variables, offset):
        """Watch a solver run in ``variables`` after ``offset`` iterations."""
        self.variables, self.offset, self.refreshed = variables, offset, None

    def __call__(self, iteration, u, value, optimality, step):
        iteration += self.offset
        if self.monitor is not None and self.monitor(
            iteration, self.variables.to_original(u), value, optimality, step
        ):
            return True
        if iteration < self.phase_end or optimality <= self.tol or iteration >= self.max_iter:
            return False
        self.phase_length *= 2
        self.phase_end += self.phase_length
        refreshed = curvature_variables(
            self.objective, self.variables.to_original(u), self.by_class, self.round_scales
        )
        if scales_moved(self.variables, refreshed):
            self.refreshed = refreshed
            return True
        return False


def scales_moved(variables, refreshed):
    """Whether ``refreshed`` scales some feature ``RESCALE`` times more or less than the rest do."""
    change = np.log(refreshed.scale / variables.scale)
    return bool(np.max(np.abs(change - np.median(change)), initial=0.0) > np.log(RESCALE))
