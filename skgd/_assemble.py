"""J assembled for the solvers: objective, change of variables, composite problem.

The one place where the parts meet.  Data flow one way::

    estimator -> Assembly(objective, learning_rate) -> solver(problem, x0, options)
              -> result in the solver's variables -> Assembly maps it back

With ``learning_rate="auto"`` the solver runs in the variables of a
:class:`skgd._reparam.Standardization` built from the features' weighted
moments, starting at the step ``1 / L`` for the Lipschitz bound ``L`` of grad
f there, with step adaptation; with a float it runs in J's own variables
with that fixed step: the classic algorithm, in which feature scaling is up
to the user.  Either way, the stopping rule is measured in J's variables: the
*gradient mapping* ``G(x) = (x - prox(x - t grad f(x), t)) / t`` with ``t``
the reference step (``1 / L`` for J's own bound ``L``, or the fixed learning
rate), stop when ``max |G| <= tol``.  Without a non-smooth part ``G`` is the
gradient of J itself, so ``tol`` means what it means for L-BFGS.  A ``tol``
below the precision the gradient can be computed to in the problem's dtype
is raised to that precision, ``PRECISION_FACTOR * eps * gradient_scale``, so
a float32 problem converges rather than stalling.

Standardising scales each direction by a bound on its curvature.  Where the
fitted model is confident (rare categories, near-constant pixels, many
classes), the true curvature ``p (1 - p)`` falls far below that bound and
gradient descent crawls along those directions.  So the solvers refresh their
variables as they go: after ``FIRST_REFRESH`` iterations (sgd's are epochs),
then after phases twice as long each time, the variables are standardised
again by the Hessian's diagonal at the iterate
(:meth:`skgd._objective.LogisticObjective.curvature_moments`; for gd and sgd
on dense data, one set of scales per class).  Where that moved the scales
(``RESCALE``), the solver restarts from its iterate in the new variables with
the first step 1 (the curvature of every coordinate is 1 there); elsewhere it
goes on undisturbed.  Each refresh costs about two passes over X.  J and its
minimiser do not change, only the path; the curve of J, the iteration count
and the callbacks run on across the restarts.
"""

from dataclasses import replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ._lazy import LazyPasses, LazyVariables, supports_lazy_passes
from ._moments import feature_moments
from ._reparam import Identity, Standardization
from ._solvers import (
    CompositeProblem,
    DivergenceError,
    SolverOptions,
    accelerated_gradient_descent,
    gradient_descent,
    gradient_mapping_norm,
    stochastic_gradient_descent,
)
from ._streaming import averaged_sgd_pass, next_schedule

# The attainable tol, in units of eps times the problem's gradient scale.
PRECISION_FACTOR = 100
# The solvers whose variables are refreshed by the curvature (see above).
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


class Assembly:
    """J, seen by the solvers through a change of variables.

    Parameters
    ----------
    objective : LogisticObjective
        J on the rows fitted on.
    learning_rate : "auto" or float
        ``"auto"``: standardised variables and step adaptation; a float: J's
        own variables and that fixed step.
    moments : tuple of ndarray, default=None
        The weighted ``(mean, variance)`` of the features that the
        standardisation, the stopping rule's reference step and the attainable
        tol are built from; by default those of ``objective``'s data.  A
        backend whose data are spread out pools them from its parts; a stream
        keeps those of its first chunk, so that every later chunk is seen in
        the same variables.

    Attributes
    ----------
    variables : Standardization or Identity
        The solver's variables.
    step : float
        The solvers' first step (``1 / L`` in the variables), or the fixed one.
    line_search : bool
        Whether the solvers adapt the step.
    """

    def __init__(self, objective, learning_rate, *, moments=None):
        self.objective = objective
        if moments is not None:
            self.moments = moments
        self.line_search = learning_rate == "auto"
        if self.line_search:
            self.variables = Standardization.from_moments(
                self.moments,
                fit_intercept=objective.fit_intercept,
                curvature_bound=objective.loss.curvature_bound,
                l2_strength=objective.penalty.l2_strength,
                dtype=objective.dtype,
                round_scales=sp.issparse(objective.X),
            )
            self.step = 1.0 / self.variables.lipschitz_bound
        else:
            self.variables = Identity(objective.n_features, objective.fit_intercept)
            self.step = float(learning_rate)
        self.lazy_passes = self._lazy_passes()

    @cached_property
    def moments(self):
        """The weighted ``(mean, variance)`` of the features (see the class docstring)."""
        objective = self.objective
        return feature_moments(objective.X, objective.sample_weight, objective.compute)

    @cached_property
    def reference_step(self):
        """The step of the gradient mapping in the stopping rule, in J's variables."""
        if not self.line_search:
            return self.step
        return 1.0 / lipschitz_bound(self.objective, self.moments)

    def attainable_tol(self, tol):
        """``tol``, raised to the precision the gradient can be computed to."""
        eps = np.finfo(self.objective.dtype).eps
        return max(tol, PRECISION_FACTOR * eps * gradient_scale(self.moments))

    def solve(self, solver, start, *, max_iter, tol, monitor=None, batch_size, random_state):
        """Run ``solver`` on J from ``start``; the result is in J's variables.

        Parameters
        ----------
        solver : callable
            One of :data:`skgd._solvers.SOLVERS`.
        start : ndarray
            Start point in J's layout.
        max_iter, tol, batch_size, random_state
            As for :class:`skgd._solvers.SolverOptions`; ``tol`` is raised to
            the attainable precision.
        monitor : callable, default=None
            As for :class:`skgd._solvers.SolverOptions`, seeing iterates in
            J's variables.

        Returns
        -------
        SolverResult
        """
        options = SolverOptions(
            step=self.step,
            line_search=self.line_search,
            max_iter=max_iter,
            tol=self.attainable_tol(tol),
            monitor=None,
            batch_size=batch_size,
            random_state=random_state,
        )
        refreshed = solver in REFRESHED_SOLVERS and hasattr(self.objective, "curvature_moments")
        if not (self.line_search and refreshed):
            options = replace(options, monitor=self._in_original_variables(monitor))
            result = solver(self.problem(batch_size), self.variables.from_original(start), options)
            return replace(result, x=self.variables.to_original(result.x))
        return self._solve_refreshing(solver, start, options, monitor)

    def _solve_refreshing(self, solver, start, options, monitor):
        """:meth:`solve`, in variables refreshed by the curvature (module docstring)."""
        refresh = _Refresh(self, solver, options, monitor)
        variables, step, x = self.variables, self.step, start
        n_iter, loss_curve = 0, []
        while True:
            refresh.watch(variables, n_iter)
            phase_options = replace(
                options, step=step, max_iter=options.max_iter - n_iter, monitor=refresh
            )
            try:
                result = solver(self.problem(options.batch_size, variables),
                                variables.from_original(x), phase_options)
            except DivergenceError as error:  # counted from the fit's start
                start_value = loss_curve[0] if loss_curve else error.start_value
                raise DivergenceError(start_value, error.value, n_iter + error.iteration) from None
            x = variables.to_original(result.x)
            loss_curve += result.loss_curve[1:] if loss_curve else result.loss_curve
            n_iter += result.n_iter
            if refresh.refreshed is None:  # converged, stopped, at max_iter or rounding
                return replace(result, x=x, n_iter=n_iter, loss_curve=loss_curve)
            variables, step = refresh.refreshed, 1.0

    def curvature_variables(self, x, by_class, round_scales=False):
        """The variables standardised by the Hessian's diagonal at ``x`` (J's variables).

        ``round_scales`` as for :meth:`skgd._reparam.Standardization.from_moments`.

        With several classes and ``by_class``, each class has its own scales
        and centring: their curvatures differ by far where a class is rare or
        confidently told apart.  Steps scaled per class no longer keep the
        classes' coefficients summing to 0, so :meth:`problem` centres them
        after every step.  Otherwise the classes share one scale per feature,
        from the mean of their curvatures, which treats them alike.
        """
        objective = self.objective
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

    def stream_pass(self, state, *, batch_size, random_state):
        """One averaged SGD pass over the objective's rows, continuing ``state``.

        ``state`` (a :class:`skgd._streaming.StreamState` in J's variables) is
        not modified; the new state is returned, in J's variables.
        """
        variables = self.variables
        schedule = next_schedule(
            state, step=self.step, line_search=self.line_search,
            n_samples=self.objective.n_samples, batch_size=batch_size,
        )
        inner = replace(
            state,
            x=variables.from_original(state.x),
            average=variables.from_original(state.average),
        )
        state = averaged_sgd_pass(
            self.problem(batch_size), inner, schedule=schedule,
            batch_size=batch_size, random_state=random_state,
        )
        return replace(
            state,
            x=variables.to_original(state.x),
            average=variables.to_original(state.average),
        )

    def problem(self, batch_size, variables=None):
        """J in the solver's variables, as a :class:`skgd._solvers.CompositeProblem`.

        In ``self.variables`` by default, or in other ``variables`` (refreshed
        ones; with lazy passes only if their scales were rounded).
        """
        objective = self.objective
        if variables is None or variables is self.variables:
            lazy, variables = self.lazy_passes, self.variables
        else:
            lazy = self._lazy_passes(variables) if variables.levels is not None else None
        to_original = variables.to_original

        def value_and_grad(u):
            value, grad = objective.smooth_value_and_gradient(to_original(u))
            return value, variables.gradient_to_u(grad)

        def optimality(u, grad):
            return gradient_mapping_norm(
                objective.prox,
                to_original(u),
                variables.gradient_to_original(grad),
                self.reference_step,
            )

        def step_optimality(move, step):
            return float(np.max(np.abs(variables.gradient_to_original(move)))) / step

        def prox(u, step):
            return objective.prox(u, variables.coordinate_step(step))

        epoch = averaged_pass = None
        if lazy is not None and lazy.suit(batch_size):
            epoch = lazy.variance_reduced_epoch

            def averaged_pass(x, average, n_steps, steps, order, batch_size):
                if not lazy.suit(batch_size, largest_step=steps.max()):
                    return None
                return lazy.averaged_pass(x, average, n_steps, steps, order, batch_size)

        if variables.by_class:  # g = 0; steps scaled per class: centre the classes

            def prox(u, step):
                return variables.from_original(objective.centred(variables.to_original(u)))

        return CompositeProblem(
            value_and_grad=value_and_grad,
            value=lambda u: objective.smooth_value(to_original(u)),
            g=lambda u: objective.nonsmooth_value(to_original(u)),
            prox=_identity if objective.penalty.is_smooth and not variables.by_class else prox,
            optimality=optimality,
            step_optimality=step_optimality,
            n_samples=objective.n_samples,
            batch_gradient=_BatchGradient(objective, variables),
            epoch=epoch,
            averaged_pass=averaged_pass,
        )

    def _in_original_variables(self, monitor):
        """``monitor``, seeing the solver's iterates in J's variables."""
        if monitor is None:
            return None
        to_original = self.variables.to_original

        def in_original(iteration, u, *progress):
            return monitor(iteration, to_original(u), *progress)

        return in_original

    def _lazy_passes(self, variables=None):
        """Mini-batch passes at the cost of the entries they touch, where they apply.

        In ``variables`` (by default ``self.variables``).
        """
        objective = self.objective
        variables = self.variables if variables is None else variables
        if not supports_lazy_passes(objective):
            return None
        if isinstance(variables, Identity):  # every scale 1: one level, no centring
            n_features = objective.n_features
            return LazyPasses(objective, LazyVariables(
                np.zeros(n_features), 1.0, np.ones(1), np.zeros(n_features, dtype=np.intp)
            ))
        return LazyPasses(objective, LazyVariables(
            variables.mean, variables.intercept_scale, variables.levels, variables.group
        ))


class _Refresh:
    """The monitor of a solver whose variables are refreshed: it stops the solver for a refresh.

    At the end of each phase (unless the solver is done) it builds the
    variables of the curvature there, and asks the solver to stop when their
    scales moved (:func:`_scales_moved`), keeping them in ``refreshed``;
    otherwise the solver goes on undisturbed.  The caller's ``monitor`` sees
    every iteration, counted from the fit's start, in J's variables.
    """

    def __init__(self, assembly, solver, options, monitor):
        self.assembly = assembly
        self.monitor = monitor
        self.tol, self.max_iter = options.tol, options.max_iter
        # sgd's lazy sparse passes need few distinct scales
        self.round_scales = solver is stochastic_gradient_descent and sp.issparse(
            getattr(assembly.objective, "X", None)
        )
        # Centring after a step is descent (LogisticObjective.centred) where g =
        # 0, which gd's line search and sgd's test of each epoch, tests of F
        # itself, accept; agd's test of a quadratic bound holds only for true
        # prox steps: its classes share scales, as rounded ones do.
        self.by_class = (
            solver is not accelerated_gradient_descent
            and assembly.objective.penalty.is_smooth
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
        x = self.variables.to_original(u)
        self.phase_length *= 2
        self.phase_end += self.phase_length
        refreshed = self.assembly.curvature_variables(x, self.by_class, self.round_scales)
        if _scales_moved(self.variables, refreshed):
            self.refreshed = refreshed
            return True
        return False


def _scales_moved(variables, refreshed):
    """Whether ``refreshed`` scales some feature ``RESCALE`` times more or less than the rest do."""
    change = np.log(refreshed.scale / variables.scale)
    return bool(np.max(np.abs(change - np.median(change)), initial=0.0) > np.log(RESCALE))


def _identity(u, step):
    """The prox of g = 0."""
    return u


class _BatchGradient:
    """The objective's ``batch_gradient`` for points in the solver's variables."""

    def __init__(self, objective, variables):
        self.objective = objective
        self.variables = variables
        self.reference = self.reference_original = None

    def __call__(self, u, rows, reference=None):
        to_original = self.variables.to_original
        if reference is not None:
            # a variance-reduced epoch passes the same reference with every batch
            if reference is not self.reference:
                self.reference, self.reference_original = reference, to_original(reference)
            reference = self.reference_original
        grad = self.objective.batch_gradient(to_original(u), rows, reference)
        return self.variables.gradient_to_u(grad)


def lipschitz_bound(objective, moments):
    """An upper bound on the Lipschitz constant of grad f for J in its own variables.

    The Hessian of the loss in raw space is bounded by the loss's
    ``curvature_bound``, and the weighted Gram matrix by its trace
    ``sum_i w_i (||x_i||^2 + fit_intercept)``.  The bound is safe but can be
    loose; the solvers adapt the step from there.  (1 where J has no
    curvature at all.)
    """
    mean, variance = moments
    trace = float(np.sum(variance + mean**2)) + float(objective.fit_intercept)
    bound = objective.loss.curvature_bound * trace + objective.penalty.l2_strength
    return bound if bound > 0 else 1.0  # J flat in every direction: any step will do


def gradient_scale(moments):
    """A bound on the size of the sums that make up the gradient of J.

    Residuals lie in [-1, 1] and the weights sum to 1, so by Cauchy-Schwarz
    ``sum_i w_i |residual_i x_ij| <= sqrt(sum_i w_i x_ij^2)``; the bound is
    the largest of these, or 1 for the intercept.
    """
    mean, variance = moments
    return max(float(np.sqrt(np.max(variance + mean**2, initial=0.0))), 1.0)
