"""Averaged mini-batch SGD for data that arrive in pieces (``partial_fit``).

No full gradient exists when the rows arrive a chunk at a time, so each pass
takes plain stochastic steps ``x <- prox(x - step_k grad f_B(x), step_k)`` on
the chunk's :class:`skgd._solvers.CompositeProblem`, and the model is the
average of the iterates with weights growing linearly in the step count k,
which converges to the optimum where the last iterate keeps hovering around
it (Polyak and Juditsky, 1992; Lacoste-Julien, Schmidt and Bach, 2012).  The
step sizes are a schedule: a plain function of k.  Everything a stream
carries from one pass to the next is a :class:`StreamState`.

References
----------
Lacoste-Julien, S., Schmidt, M. and Bach, F. (2012). A simpler approach to
    obtaining an O(1/t) convergence rate for the projected stochastic
    subgradient method. arXiv:1212.2002.
Polyak, B. T. and Juditsky, A. B. (1992). Acceleration of stochastic
    approximation by averaging. SIAM J. Control and Optimization, 30(4).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._solvers import check_divergence, mini_batches, n_batches

# With step adaptation, the stream starts at AVERAGED_FIRST_STEP times the
# first step of the batch solvers whatever the batch size, and its step decays
# by sqrt(2) over DECAY_PASSES passes over the first rows: averaging tolerates
# larger steps than SVRG's inner loop (measured on a 4000 x 10 problem streamed
# in 4 chunks: first steps of 1 to 16 times 1 / L with batches of 64 rows, 1 to
# 8 times with 512, decay over 1 to 100 passes).
AVERAGED_FIRST_STEP = 4.0
DECAY_PASSES = 10


@dataclass(frozen=True)
class ConstantSchedule:
    """The same step at every step count."""

    step: float

    def __call__(self, k):
        """The step sizes of the step counts ``k`` (an array)."""
        return np.full(np.shape(k), self.step)


@dataclass(frozen=True)
class DecayingSchedule:
    """``first_step / sqrt(1 + k / decay_steps)``: down by sqrt(2) after ``decay_steps``."""

    first_step: float
    decay_steps: int

    def __call__(self, k):
        """The step sizes of the step counts ``k`` (an array)."""
        return self.first_step / np.sqrt(1 + k / self.decay_steps)


@dataclass
class StreamState:
    """The state averaged SGD carries from one pass to the next.

    Attributes
    ----------
    x : ndarray
        The current iterate.
    average : ndarray
        The weighted average of the iterates: the model.
    n_steps : int
        Steps taken so far.
    n_passes : int
        Passes made so far.
    schedule : callable or None
        The step size as a function of the step count; None until a pass
        starts it.
    loss_curve : list of float
        F of the first pass's rows at the start point, then F of each pass's
        rows at the average after it.
    optimality : float
        The problem's optimality measure (``max |G|``) of the last pass's rows
        at the average after it; inf before the first pass.
    """

    x: np.ndarray
    average: np.ndarray
    n_steps: int = 0
    n_passes: int = 0
    schedule: object = None
    loss_curve: list = field(default_factory=list)
    optimality: float = math.inf


def next_schedule(state, *, step, line_search, n_samples, batch_size):
    """The step schedule of the next pass.

    Without step adaptation, ``step`` at every step (the value given now).
    With it, the stream's decaying schedule, started on its first such pass
    at ``AVERAGED_FIRST_STEP * step`` with a decay over ``DECAY_PASSES``
    passes over that pass's rows.
    """
    if not line_search:
        return ConstantSchedule(float(step))
    if isinstance(state.schedule, DecayingSchedule):
        return state.schedule
    return DecayingSchedule(
        AVERAGED_FIRST_STEP * step, DECAY_PASSES * n_batches(n_samples, batch_size)
    )


def averaged_sgd_pass(problem, state, *, schedule, batch_size, random_state):
    """One pass of averaged mini-batch SGD over the rows of ``problem``, continuing ``state``.

    After the pass, F of its rows at the average and its optimality measure
    are recorded (one evaluation of value and gradient).  ``state`` itself is
    never modified.

    Parameters
    ----------
    problem : CompositeProblem
        F on this pass's rows, with ``n_samples`` and ``batch_gradient``; its
        ``averaged_pass``, when given, computes the same pass faster.
    state : StreamState
        Where the previous pass ended, in the problem's variables.
    schedule : callable
        The step size of each step count (see :func:`next_schedule`).
    batch_size : int
    random_state : numpy.random.RandomState
        Source of the row order.

    Returns
    -------
    StreamState
        Where this pass ends.

    Raises
    ------
    DivergenceError
        When F at the average blows up.
    """
    loss_curve = state.loss_curve or [problem.composite_value(state.average)]
    order = random_state.permutation(problem.n_samples)
    x, average, n_steps = averaged_steps(
        problem, state.x, state.average.copy(), state.n_steps, schedule, order, batch_size
    )
    # one evaluation per pass: the streamed cost curve, a diverging step caught,
    # and the stopping rule's measure on these rows
    value, grad = problem.value_and_grad(average)
    value += problem.g(average)
    check_divergence(loss_curve[0], value, state.n_passes + 1)
    return StreamState(
        x=x,
        average=average,
        n_steps=n_steps,
        n_passes=state.n_passes + 1,
        schedule=schedule,
        loss_curve=[*loss_curve, value],
        optimality=problem.optimality(average, grad),
    )


def averaged_steps(problem, x, average, n_steps, schedule, order, batch_size):
    """The steps of an averaged SGD pass over the rows in ``order``, one mini-batch each.

    Continues from ``x``, the running ``average`` (updated in place) and the
    step count ``n_steps``; the problem's ``averaged_pass``, when it applies,
    takes the same steps faster.

    Returns
    -------
    x, average : ndarray
    n_steps : int
        The step count after the pass.
    """
    if problem.averaged_pass is not None:
        done = problem.averaged_pass(x, average, n_steps, schedule, order, batch_size)
        if done is not None:
            return done
    step_counts, steps = pass_steps(schedule, n_steps, len(order), batch_size)
    for t, rows in enumerate(mini_batches(order, batch_size)):
        step = float(steps[t])  # float32 stays float32
        x = problem.prox(x - step * problem.batch_gradient(x, rows), step)
        average += (x - average) * (2.0 / (step_counts[t] + 1))
    return x, average, n_steps + len(steps)


def pass_steps(schedule, n_steps, n_rows, batch_size):
    """The step counts and step sizes of a pass over ``n_rows`` rows after ``n_steps`` steps."""
    step_counts = n_steps + np.arange(1, n_batches(n_rows, batch_size) + 1)
    return step_counts, schedule(step_counts)
