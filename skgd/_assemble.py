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

With step adaptation, the solvers' variables are refreshed by the curvature as
they go (:mod:`skgd._refresh`).
"""

from dataclasses import replace
from functools import cached_property

import numpy as np

from ._lazy import LazyPasses, LazyVariables, supports_lazy_passes
from ._refresh import refreshes, solve_refreshing
from ._reparam import Identity, Standardization
from ._solvers import CompositeProblem, SolverOptions, gradient_mapping_norm
from ._streaming import averaged_sgd_pass, next_schedule, pass_steps

# The attainable tol, in units of eps times the problem's gradient scale.
PRECISION_FACTOR = 100


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
        self.learning_rate = learning_rate
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
                round_scales=objective.is_sparse,
            )
            self.step = 1.0 / self.variables.lipschitz_bound
        else:
            self.variables = Identity(objective.n_features, objective.fit_intercept)
            self.step = float(learning_rate)
        self.lazy_passes = self._lazy_passes()

    @cached_property
    def moments(self):
        """The weighted ``(mean, variance)`` of the features (see the class docstring)."""
        return self.objective.feature_moments()

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
        if self.line_search and refreshes(solver, self.objective):
            return solve_refreshing(self, solver, start, options, monitor)
        options = replace(options, monitor=self._in_original_variables(monitor))
        result = solver(self.problem(batch_size), self.variables.from_original(start), options)
        return replace(result, x=self.variables.to_original(result.x))

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
        if lazy is not None and lazy.suit_epochs(batch_size):
            epoch = lazy.variance_reduced_epoch
        if lazy is not None and lazy.suit_averaged(batch_size):

            def averaged_pass(x, average, n_steps, schedule, order, batch_size):
                _, steps = pass_steps(schedule, n_steps, len(order), batch_size)
                if not lazy.suit_averaged(batch_size, largest_step=steps.max()):
                    return None
                x, average = lazy.averaged_pass(x, average, n_steps, steps, order, batch_size)
                return x, average, n_steps + len(steps)

        travelling = getattr(objective, "travelling_passes", None)
        if travelling is not None:  # rows spread out: the passes go where they are
            epoch, averaged_pass = travelling(self, variables, batch_size)

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
