"""First-order solvers for ``min_x F(x) = f(x) + g(x)``, f smooth, g with a prox.

A solver sees only a *problem*: an object with

- ``smooth_value(x)`` and ``smooth_value_and_gradient(x)``: f and its gradient;
- ``nonsmooth_value(x)`` and ``prox(x, step)``: g and ``argmin_v g(v) + |v - x|^2/(2 step)``;
- ``lipschitz_bound()``: an upper bound on the Lipschitz constant of grad f;
- ``dtype`` and ``gradient_scale()``: the precision of the computation, and a
  bound on the magnitude of the terms that make up the gradient;
- ``preconditioned()``: the same problem in variables u where gradient
  descent converges faster;
- for the stochastic solvers, ``n_samples`` and
  ``batch_gradient(x, rows, reference=None)``: f is a mean over rows, and
  this estimates its gradient from some of them.

The solvers run on such a problem in its variables: ``smooth_value``,
``smooth_value_and_gradient``, ``nonsmooth_value``, ``prox`` and (for the
first step with ``learning_rate="auto"``) ``lipschitz_bound`` for u, plus
``to_original(u)``, ``from_original(x)``,
``optimality(u, grad)`` (``max |G|`` below, in the original variables) and
``step_optimality(move, step)`` (its estimate from a prox-gradient step that
moved u by ``move``).  :class:`OriginalVariables` leaves a problem as it is.

It never sees data, labels or the estimator, so it can be tested on a toy
quadratic.  ``x`` is an ndarray of any shape; solvers return a
:class:`SolverResult`.

With ``learning_rate="auto"`` the solvers run on ``problem.preconditioned()``
(for J, gradient descent on standardised features: :mod:`skgd._standardize`);
the minimiser is the same, and iterates are reported in the original
variables.  With a float ``learning_rate`` the variables are left as they
are: the classic algorithm, in which feature scaling is up to the user.

Stopping rule, shared by every solver: stop at the first iterate whose
*gradient mapping* ``G(x) = (x - prox(x - t grad f(x), t)) / t`` has
``max |G| <= tol``, with ``t`` the reference step (``1 / lipschitz_bound()``,
or the fixed learning rate), in the original variables.  Without a non-smooth
part ``G`` is the gradient of F itself, so ``tol`` means what it means for
L-BFGS.  A ``tol`` below the
precision the gradient can be computed to in the problem's dtype is raised to
that precision, ``PRECISION_FACTOR * eps * gradient_scale()``, so a float32
problem converges rather than stalling.

References
----------
Barzilai, J. and Borwein, J. M. (1988). Two-point step size gradient methods.
    IMA Journal of Numerical Analysis, 8(1), 141-148.
Beck, A. and Teboulle, M. (2009). A fast iterative shrinkage-thresholding
    algorithm for linear inverse problems. SIAM J. Imaging Sciences, 2(1).
Johnson, R. and Zhang, T. (2013). Accelerating stochastic gradient descent
    using predictive variance reduction. Advances in NIPS 26.
Lacoste-Julien, S., Schmidt, M. and Bach, F. (2012). A simpler approach to
    obtaining an O(1/t) convergence rate for the projected stochastic
    subgradient method. arXiv:1212.2002.
Nesterov, Y. (1983). A method for solving the convex programming problem
    with convergence rate O(1/k^2). Soviet Mathematics Doklady, 27, 372-376.
O'Donoghue, B. and Candes, E. (2015). Adaptive restart for accelerated
    gradient schemes. Foundations of Computational Mathematics, 15, 715-732.
Polyak, B. T. and Juditsky, A. B. (1992). Acceleration of stochastic
    approximation by averaging. SIAM J. Control and Optimization, 30(4).
Tan, C., Ma, S., Dai, Y.-H. and Qian, Y. (2016). Barzilai-Borwein step size
    for stochastic gradient descent. Advances in NIPS 29.
Wright, S. J., Nowak, R. D. and Figueiredo, M. A. T. (2009). Sparse
    reconstruction by separable approximation. IEEE Trans. Signal Processing.
Xiao, L. and Zhang, T. (2014). A proximal stochastic gradient method with
    progressive variance reduction. SIAM J. Optimization, 24(4).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._lazy import LazyPasses, LazyVariables, supports_lazy_passes
from ._products import dot

# Sufficient decrease for the monotone line search of gd:
# F(x_new) <= F(x) - SUFFICIENT_DECREASE / (2 step) * |x_new - x|^2.
SUFFICIENT_DECREASE = 1e-4
# A backtracking step is multiplied by BACKTRACK; agd first tries GROW * step.
BACKTRACK = 0.5
GROW = 1.1
# Halvings after which a line search gives up: the iterate is at rounding level.
MAX_BACKTRACKS = 60
# Barzilai-Borwein steps are capped at MAX_STEP_RATIO / lipschitz_bound().  They
# only approach the cap where J's curvature vanishes (C=inf on separable data,
# optimum at infinity); unbounded, they amplify rounding there.
MAX_STEP_RATIO = 1e6
# Changes of f smaller than ROUNDING * eps * |f| are treated as rounding noise.
ROUNDING = 64
# The attainable tol, in units of eps times the problem's gradient scale.
PRECISION_FACTOR = 100
# sgd's first step is 1 / lipschitz_bound() for mini-batches of this many rows,
# and grows in proportion with larger ones (from 64 to 1024 rows on the
# benchmark problems, the best constant step grew about linearly with the
# batch size, and 1 / lipschitz_bound() was about best at 256 rows).
STEP_BATCH_SIZE = 256
# Averaged SGD (partial_fit) starts at AVERAGED_FIRST_STEP / lipschitz_bound()
# whatever the batch size, and its step decays by sqrt(2) over DECAY_PASSES
# passes over the first rows: averaging tolerates larger steps than SVRG's
# inner loop (measured on a 4000 x 10 problem streamed in 4 chunks: first steps
# of 1 to 16 times 1 / lipschitz_bound() with batches of 64 rows, 1 to 8 times
# with 512, decay over 1 to 100 passes).
AVERAGED_FIRST_STEP = 4.0
DECAY_PASSES = 10
# With a fixed learning rate, J above this multiple of max(J_0, 1) is divergence.
DIVERGENCE_FACTOR = 1e3


class DivergenceError(ValueError):
    """Raised when a fixed learning rate makes the objective blow up."""


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
        Whether ``max |G(x)| <= tol`` at ``x``.
    optimality : float
        ``max |G(x)|`` at ``x``.
    tol : float
        The tolerance applied: the requested one, or the attainable precision.
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


def gradient_mapping_norm(problem, x, grad, step):
    """``max |G(x)|`` for the gradient mapping at ``step`` (the gradient if g = 0)."""
    shifted = x - step * grad
    mapped = problem.prox(shifted, step)
    if mapped is shifted:  # identity prox: G is the gradient itself
        return float(np.max(np.abs(grad)))
    return float(np.max(np.abs(x - mapped))) / step


class OriginalVariables:
    """A problem left in its own variables, with the interface the solvers run on.

    Parameters
    ----------
    problem : object
        The problem (see the module docstring).
    reference_step : float
        The step of the gradient mapping in the stopping rule.
    """

    def __init__(self, problem, reference_step):
        self.problem = problem
        self.reference_step = reference_step
        self.smooth_value = problem.smooth_value
        self.smooth_value_and_gradient = problem.smooth_value_and_gradient
        self.nonsmooth_value = problem.nonsmooth_value
        self.prox = problem.prox
        self.lipschitz_bound = problem.lipschitz_bound
        if hasattr(problem, "batch_gradient"):  # what the stochastic solvers use
            self.n_samples = problem.n_samples
            self.batch_gradient = problem.batch_gradient
        if supports_lazy_passes(problem):
            n_features = problem.n_features  # every scale 1: one level, no centring
            variables = LazyVariables(
                np.zeros(n_features), 1.0, np.ones(1), np.zeros(n_features, dtype=np.intp)
            )
            self.lazy_passes = LazyPasses(problem, variables)

    def to_original(self, x):
        return x

    def from_original(self, x):
        return x.copy()

    def optimality(self, x, grad):
        """``max |G(x)|``, the measure of the stopping rule."""
        return gradient_mapping_norm(self.problem, x, grad, self.reference_step)

    def step_optimality(self, move, step):
        """``max |G|`` at the start of a prox-gradient step that moved x by ``move``."""
        return float(np.max(np.abs(move))) / step


def _prepare(problem, learning_rate, tol):
    """The problem in the variables the solver runs in, its first step, and the tol."""
    tol = attainable_tol(problem, tol)
    if learning_rate == "auto":
        problem = problem.preconditioned()
        return problem, 1.0 / problem.lipschitz_bound(), tol
    learning_rate = float(learning_rate)
    return OriginalVariables(problem, learning_rate), learning_rate, tol


def check_divergence(value0, value, learning_rate, iteration):
    """Raise DivergenceError when F is not finite or above ``DIVERGENCE_FACTOR * max(F_0, 1)``."""
    if np.isfinite(value) and value <= DIVERGENCE_FACTOR * max(value0, 1.0):
        return
    if learning_rate == "auto":  # steps chosen by line search: the numbers overflowed
        advice = "Its numbers overflowed: scale the features (e.g. StandardScaler)."
    else:
        advice = (
            "Use a smaller learning_rate, scale the features (e.g. StandardScaler), "
            "or set learning_rate='auto', which chooses the step by line search."
        )
    raise DivergenceError(
        f"Gradient descent diverged with learning_rate={learning_rate!r}: J rose from "
        f"{value0:.4g} to {value:.4g} after {iteration} iterations. {advice}"
    )


class _Progress:
    """Bookkeeping shared by the solvers: curve, divergence test, reporting."""

    def __init__(self, problem, value0, learning_rate, monitor):
        self.problem = problem
        self.loss_curve = [value0]
        self.learning_rate = learning_rate
        self.monitor = monitor
        self.stopped = False

    def record(self, iteration, x, value, optimality, step):
        """Record an iteration; True when the monitor asks the solver to stop."""
        check_divergence(self.loss_curve[0], value, self.learning_rate, iteration)
        self.loss_curve.append(value)
        if self.monitor is not None:
            params = self.problem.to_original(x)
            self.stopped = bool(self.monitor(iteration, params, value, optimality, step))
        return self.stopped

    def result(self, x, n_iter, optimality, tol):
        """The solver's result at ``x``, in the original variables."""
        return SolverResult(
            self.problem.to_original(x), n_iter, optimality <= tol, optimality, tol,
            self.loss_curve, self.stopped,
        )


def _start(problem, x0):
    """The start point in the solver's variables, F there, and the gradient of f."""
    x = problem.from_original(x0)
    f, grad = problem.smooth_value_and_gradient(x)
    return x, f + problem.nonsmooth_value(x), grad


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
    _, grad_new = problem.smooth_value_and_gradient(x_new)
    return dot(grad_new - grad_y, move) <= squared_move / (2 * step)


def attainable_tol(problem, tol):
    """``tol``, raised to the precision the gradient can be computed to."""
    precision = PRECISION_FACTOR * np.finfo(problem.dtype).eps * problem.gradient_scale()
    return max(tol, precision)


def gradient_descent(problem, x0, *, learning_rate, max_iter, tol, monitor=None):
    """Proximal gradient descent; every parameter is updated at once.

    With a float ``learning_rate`` alpha this is the classic algorithm,
    ``x <- prox(x - alpha grad f(x), alpha)``, which for g = 0 is
    ``x <- x - alpha grad F(x)``.  With ``"auto"``, in the variables of
    ``problem.preconditioned()``, the step starts at ``1 / lipschitz_bound()``,
    then follows Barzilai and Borwein's short rule ``<s, y> / |y|^2`` (s the
    last move, y the change of gradient; at most ``MAX_STEP_RATIO`` times the
    first step), backtracked until F decreases sufficiently (Wright et al.,
    2009), so F never increases beyond its rounding error.  Of their two
    rules, the short one is rejected by the line search least often: on the
    benchmark problems it needs 1.0 to 1.15 evaluations per iteration, the
    long one ``|s|^2 / <s, y>`` 1.3 to 1.7.

    Parameters
    ----------
    problem : object
        The composite problem (see the module docstring).
    x0 : ndarray
        Start point; not modified.
    learning_rate : "auto" or float
    max_iter : int
    tol : float
    monitor : callable, default=None
        Called as ``monitor(iteration, params, value, optimality, step)`` after
        each iteration, with the new iterate in the original variables, F and
        ``max |G|`` there (for agd, at the extrapolated point, until the
        stopping rule is checked at the iterate).  A true return value stops
        the solver at that iterate.

    Returns
    -------
    SolverResult
    """
    fixed = learning_rate != "auto"
    problem, step, tol = _prepare(problem, learning_rate, tol)
    first_step = step

    x, value, grad = _start(problem, x0)
    progress = _Progress(problem, value, learning_rate, monitor)
    optimality = problem.optimality(x, grad)
    n_iter = 0
    while optimality > tol and n_iter < max_iter:
        for _ in range(MAX_BACKTRACKS):
            x_new = problem.prox(x - step * grad, step)
            f_new, grad_new = problem.smooth_value_and_gradient(x_new)
            value_new = f_new + problem.nonsmooth_value(x_new)
            move = x_new - x
            if fixed or _sufficient_decrease(value, value_new, move, grad_new - grad, step):
                break
            step *= BACKTRACK
        else:  # no decrease at any step: x is optimal to rounding precision
            break
        n_iter += 1
        optimality = problem.optimality(x_new, grad_new)
        if not fixed:
            change = grad_new - grad
            curvature = dot(move, change)
            if curvature > 0:  # the short Barzilai-Borwein step <s, y> / <y, y>
                step = min(float(curvature / dot(change, change)), MAX_STEP_RATIO * first_step)
        x, grad, value = x_new, grad_new, value_new
        if progress.record(n_iter, x, value, optimality, step):
            break
    return progress.result(x, n_iter, optimality, tol)


def accelerated_gradient_descent(problem, x0, *, learning_rate, max_iter, tol, monitor=None):
    """Accelerated proximal gradient (Nesterov momentum; FISTA with an L1 part).

    Each iteration takes a proximal gradient step from the extrapolated point
    y, then moves y along the momentum direction.  With ``"auto"`` the step is
    first grown by ``GROW`` and then backtracked until f satisfies the
    quadratic upper bound at y (Beck and Teboulle, 2009); with a float
    ``learning_rate`` the step is fixed.  Momentum restarts whenever it points
    against the last step (O'Donoghue and Candes, 2015).

    Parameters and return value are those of :func:`gradient_descent`.
    """
    fixed = learning_rate != "auto"
    problem, step, tol = _prepare(problem, learning_rate, tol)

    x = problem.from_original(x0)
    f, grad = problem.smooth_value_and_gradient(x)
    progress = _Progress(problem, f + problem.nonsmooth_value(x), learning_rate, monitor)
    optimality = problem.optimality(x, grad)
    y, f_y, grad_y = x, f, grad
    momentum = 1.0
    n_iter = 0
    while optimality > tol and n_iter < max_iter:
        if not fixed:
            step *= GROW
        for _ in range(MAX_BACKTRACKS):
            x_new = problem.prox(y - step * grad_y, step)
            move = x_new - y
            f_new = problem.smooth_value(x_new)
            if fixed or _below_quadratic_bound(problem, f_y, f_new, grad_y, x_new, move, step):
                break
            step *= BACKTRACK
        else:  # no step satisfies the bound: x is optimal to rounding precision
            _, grad = problem.smooth_value_and_gradient(x)
            optimality = problem.optimality(x, grad)
            break
        n_iter += 1
        value_new = f_new + problem.nonsmooth_value(x_new)

        # max |G(y)| <= tol is a cheap sign that x_new is near optimal; only
        # then pay for the gradient at x_new to apply the stopping rule there.
        estimate = problem.step_optimality(move, step)
        if estimate <= tol or n_iter == max_iter:
            _, grad_new = problem.smooth_value_and_gradient(x_new)
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
        f_y, grad_y = problem.smooth_value_and_gradient(y)
    return progress.result(x, n_iter, optimality, tol)


def stochastic_gradient_descent(
    problem, x0, *, learning_rate, max_iter, tol, monitor=None, batch_size, random_state
):
    """Mini-batch stochastic gradient descent with variance reduction (SVRG).

    Each iteration is an epoch.  It starts at a snapshot ``s`` where the full
    gradient is computed (and the stopping rule applied, as for the other
    solvers), then runs through the rows in a fresh random order, one
    mini-batch B at a time::

        x <- prox(x - step * (grad f_B(x) - grad f_B(s) + grad f(s)), step)

    The correction makes the estimate's variance vanish as x and s approach
    the optimum, so a constant step converges to the optimum itself rather
    than to a neighbourhood of it (Johnson and Zhang, 2013; with the prox,
    Xiao and Zhang, 2014).  With ``"auto"``, in the preconditioned
    variables, the first epoch's step is ``batch_size / (STEP_BATCH_SIZE *
    lipschitz_bound())``; later epochs take the larger of that and the
    Barzilai-Borwein step between the last two snapshots divided by the
    number of batches (Tan et al., 2016), which lets few large batches move
    as far per epoch as a step of gd.  An epoch that would increase F is
    retried from its snapshot with half the step (and half the lower
    bound), so F never increases beyond its rounding error.  A float
    ``learning_rate`` is a constant step.

    Parameters
    ----------
    problem, x0, learning_rate, max_iter, tol, monitor
        As for :func:`gradient_descent`; ``max_iter`` counts epochs.  The
        problem also offers ``n_samples`` and ``batch_gradient(x, rows,
        reference=None)``: an unbiased estimate of grad f(x) from ``rows``, or
        of ``grad f(x) - grad f(reference)`` from the same rows.
    batch_size : int
        Rows per mini-batch.
    random_state : numpy.random.RandomState
        Source of the row orders.

    Returns
    -------
    SolverResult
    """
    fixed = learning_rate != "auto"
    problem, step, tol = _prepare(problem, learning_rate, tol)
    if not fixed:  # the linear scaling of the step with the batch size
        step *= min(batch_size, problem.n_samples) / STEP_BATCH_SIZE
    # the step never falls below this floor, which halves with every retry
    first_step = floor = step

    x, value, grad = _start(problem, x0)
    progress = _Progress(problem, value, learning_rate, monitor)
    optimality = problem.optimality(x, grad)
    n_iter = retries = 0
    while optimality > tol and n_iter < max_iter and retries < MAX_BACKTRACKS:
        order = random_state.permutation(problem.n_samples)
        x_new = _variance_reduced_epoch(problem, x, grad, step, order, batch_size)
        f_new, grad_new = problem.smooth_value_and_gradient(x_new)
        value_new = f_new + problem.nonsmooth_value(x_new)
        # (an epoch whose J is not a number failed too: its step was too large)
        if not fixed and not value_new <= value + ROUNDING * np.finfo(x.dtype).eps * abs(value):
            step *= BACKTRACK
            floor *= BACKTRACK
            retries += 1
            continue
        n_iter += 1
        retries = 0
        if not fixed:
            move, change = x_new - x, grad_new - grad
            curvature = dot(move, change)
            if curvature > 0:  # Barzilai-Borwein over the epoch, shared by its steps
                n_batches = -(-problem.n_samples // batch_size)
                bb_step = float(curvature / dot(change, change)) / n_batches
                step = min(max(bb_step, floor), MAX_STEP_RATIO * first_step)
        x, grad, value = x_new, grad_new, value_new
        optimality = problem.optimality(x, grad)
        if progress.record(n_iter, x, value, optimality, step):
            break
    return progress.result(x, n_iter, optimality, tol)


def _variance_reduced_epoch(problem, snapshot, snapshot_grad, step, order, batch_size):
    """One pass of SVRG's inner loop over the rows in ``order``; returns the last iterate.

    A problem may offer ``lazy_passes`` (:class:`skgd._lazy.LazyPasses`): the
    same epoch, computed at the cost of the rows it touches, used where
    ``lazy_passes.suit(batch_size)``.
    """
    lazy = getattr(problem, "lazy_passes", None)
    if lazy is not None and lazy.suit(batch_size):
        return lazy.variance_reduced_epoch(snapshot, snapshot_grad, step, order, batch_size)
    x = snapshot
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        estimate = problem.batch_gradient(x, rows, reference=snapshot)
        estimate += snapshot_grad
        x = problem.prox(x - step * estimate, step)
    return x


@dataclass
class StreamState:
    """The state averaged SGD carries from one batch of rows to the next.

    Attributes
    ----------
    x : ndarray
        The current iterate, in the original variables.
    average : ndarray
        The weighted average of the iterates: the model.
    n_steps : int
        Steps taken so far.
    n_passes : int
        Passes made so far.
    first_step : float or None
        The step size of the first step; None until the first pass sets it.
    decay_steps : int or None
        Steps over which the step size decays by a factor sqrt(2); None for
        a fixed learning rate.
    loss_curve : list of float
        F of the first pass's rows at the start point, then F of each pass's
        rows at the average after it.
    """

    x: np.ndarray
    average: np.ndarray
    n_steps: int = 0
    n_passes: int = 0
    first_step: float | None = None
    decay_steps: int | None = None
    loss_curve: list = field(default_factory=list)


def averaged_sgd_pass(problem, state, *, learning_rate, batch_size, random_state):
    """One pass of averaged mini-batch SGD over the rows of ``problem``, continuing ``state``.

    For data that arrive in pieces, where no full gradient exists: plain
    stochastic steps ``x <- prox(x - step_k grad f_B(x), step_k)``.  With
    ``"auto"`` the step starts at ``AVERAGED_FIRST_STEP / lipschitz_bound()``
    of the first problem's preconditioned variables and decays as
    ``1 / sqrt(1 + k / decay_steps)``, with ``decay_steps`` the steps of
    ``DECAY_PASSES`` passes over the first rows; the model is the average of the
    iterates with weights growing linearly in k, which converges to the
    optimum where the last iterate keeps hovering around it (Polyak and
    Juditsky, 1992; Lacoste-Julien, Schmidt and Bach, 2012).  A float
    ``learning_rate`` is a constant step.  After the pass, F of its rows at
    the average is recorded (one evaluation), and a diverging step raises
    :class:`DivergenceError`.  ``state`` itself is never modified.

    Parameters
    ----------
    problem : object
        The problem on this pass's rows, in the variables the steps run in
        (see the module docstring); it offers ``batch_gradient``.
    state : StreamState
        Where the previous pass ended.
    learning_rate : "auto" or float
    batch_size : int
    random_state : numpy.random.RandomState

    Returns
    -------
    StreamState
        Where this pass ends.
    """
    first_step, decay_steps = state.first_step, state.decay_steps
    if learning_rate != "auto":  # the rate given now, without decay
        first_step, decay_steps = float(learning_rate), None
    elif first_step is None or decay_steps is None:  # the schedule starts here
        first_step = AVERAGED_FIRST_STEP / problem.lipschitz_bound()
        decay_steps = DECAY_PASSES * -(-problem.n_samples // batch_size)
    x = problem.from_original(state.x)
    average = problem.from_original(state.average)
    loss_curve = state.loss_curve or [_value(problem, average)]
    order = random_state.permutation(problem.n_samples)
    n_batches = -(-len(order) // batch_size)
    n_steps = state.n_steps + np.arange(1, n_batches + 1)  # the stream's count of each step
    steps = np.full(n_batches, first_step)
    if decay_steps is not None:
        steps /= np.sqrt(1 + n_steps / decay_steps)
    lazy = getattr(problem, "lazy_passes", None)  # as in _variance_reduced_epoch
    if lazy is not None and lazy.suit(batch_size, largest_step=steps.max()):
        x, average = lazy.averaged_pass(x, average, state.n_steps, steps, order, batch_size)
    else:
        for t, start in enumerate(range(0, len(order), batch_size)):
            rows, step = order[start : start + batch_size], float(steps[t])  # float32 stays
            x = problem.prox(x - step * problem.batch_gradient(x, rows), step)
            average += (x - average) * (2.0 / (n_steps[t] + 1))
    # one evaluation per pass: the streamed cost curve, and a diverging step caught
    value = _value(problem, average)
    check_divergence(loss_curve[0], value, learning_rate, state.n_passes + 1)
    return StreamState(
        x=problem.to_original(x),
        average=problem.to_original(average),
        n_steps=state.n_steps + n_batches,
        n_passes=state.n_passes + 1,
        first_step=first_step,
        decay_steps=decay_steps,
        loss_curve=[*loss_curve, value],
    )


def _value(problem, x):
    return problem.smooth_value(x) + problem.nonsmooth_value(x)


SOLVERS = {
    "gd": gradient_descent,
    "agd": accelerated_gradient_descent,
    "sgd": stochastic_gradient_descent,
}
# Solvers that draw mini-batches: they take ``batch_size`` and ``random_state``.
STOCHASTIC_SOLVERS = {"sgd"}
