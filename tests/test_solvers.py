"""Solvers on toy problems built from a few plain functions."""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgd._penalties import soft_threshold
from skgd._solvers import (
    SOLVERS,
    CompositeProblem,
    DivergenceError,
    SolverOptions,
    gradient_descent,
    gradient_mapping_norm,
)
from skgd._solvers._common import ROUNDING
from skgd._streaming import (
    ConstantSchedule,
    DecayingSchedule,
    StreamState,
    averaged_sgd_pass,
    next_schedule,
)


def quadratic(eigenvalues, lam=0.0, seed=0):
    """F(x) = 1/2 x^T A x - b^T x + lam |x|_1, and its minimiser.

    f is also a mean over ``8 d`` rows ``m_i`` with ``A = M^T M / n``:
    ``f(x) = (1/n) sum_i (m_i . x)^2 / 2 - b^T x``, for the stochastic solvers.
    """
    rng = np.random.RandomState(seed)
    d = len(eigenvalues)
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = basis @ np.diag(eigenvalues) @ basis.T
    b = rng.normal(size=d)
    n = 8 * d
    rows, _ = np.linalg.qr(rng.normal(size=(n, d)))  # orthonormal columns
    M = np.sqrt(n) * rows @ np.diag(np.sqrt(eigenvalues)) @ basis.T
    L = float(np.trace(A))  # loose on purpose, as the solvers' real bound can be

    def prox(x, step):
        return soft_threshold(x, step * lam) if lam else x

    def batch_gradient(x, rows, reference=None):
        if reference is not None:  # the linear term cancels
            return M[rows].T @ (M[rows] @ (x - reference)) / len(rows)
        return M[rows].T @ (M[rows] @ x) / len(rows) - b

    problem = CompositeProblem(
        value_and_grad=lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b),
        g=lambda x: lam * np.abs(x).sum(),
        prox=prox,
        optimality=lambda x, grad: gradient_mapping_norm(prox, x, grad, 1 / L),
        n_samples=n,
        batch_gradient=batch_gradient,
    )
    return problem, _minimiser(A, b, prox), L


def _minimiser(A, b, prox):
    if prox(b, 1.0) is b:
        return np.linalg.solve(A, b)
    x = np.zeros_like(b)  # many tiny ISTA steps: an independent reference
    step = 1.0 / np.linalg.eigvalsh(A).max()
    for _ in range(200000):
        x = prox(x - step * (A @ x - b), step)
    return x


def options(step, line_search=True, **more):
    more = {"max_iter": 5000, "tol": 1e-10, "batch_size": 4,
            "random_state": np.random.RandomState(0), **more}
    return SolverOptions(step=step, line_search=line_search, **more)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_solvers_reach_the_minimiser(solver, lam):
    problem, minimiser, L = quadratic(np.logspace(0, 2, 8), lam=lam)
    result = SOLVERS[solver](problem, np.zeros(8), options(1 / L))
    assert result.converged
    assert result.optimality <= 1e-10
    assert_allclose(result.x, minimiser, atol=1e-8)
    assert len(result.loss_curve) == result.n_iter + 1
    assert result.loss_curve[-1] == pytest.approx(problem.composite_value(result.x), rel=1e-14)


def test_gd_with_line_search_never_increases_the_objective():
    problem, _, L = quadratic(np.logspace(0, 3, 10), lam=0.1)
    result = gradient_descent(problem, np.zeros(10), options(1 / L, max_iter=2000, tol=1e-9))
    curve = np.array(result.loss_curve)
    # Near the optimum F's changes fall below its rounding error; steps there are
    # accepted on a convexity certificate, so F may only wobble within rounding.
    assert np.all(np.diff(curve) <= ROUNDING * np.finfo(float).eps * np.abs(curve[:-1]))
    assert np.count_nonzero(np.diff(curve) < 0) > 10
    assert curve[-1] < curve[0]


def test_one_fixed_step_is_the_classic_update():
    problem, _, _ = quadratic(np.array([1.0, 2.0, 3.0]))
    x0 = np.array([0.5, -0.5, 1.0])
    alpha = 0.1
    result = gradient_descent(problem, x0, options(alpha, line_search=False, max_iter=1, tol=0))
    expected = x0 - alpha * problem.value_and_grad(x0)[1]  # simultaneous update of every x_j
    assert_allclose(result.x, expected, rtol=1e-15)
    assert result.n_iter == 1
    assert_allclose(x0, [0.5, -0.5, 1.0])  # the start point is not modified


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_too_large_fixed_step_raises_a_typed_error(solver):
    problem, _, _ = quadratic(np.array([1.0, 10.0]))
    with pytest.raises(DivergenceError) as raised:
        SOLVERS[solver](problem, np.zeros(2), options(1.0, line_search=False, tol=1e-8))
    error = raised.value
    assert error.iteration >= 1
    assert not error.value <= 1e3 * max(error.start_value, 1.0)


def test_stops_at_max_iter_without_converging():
    problem, _, L = quadratic(np.logspace(0, 4, 10))
    result = gradient_descent(problem, np.zeros(10), options(1 / L, max_iter=3, tol=1e-12))
    assert result.n_iter == 3
    assert not result.converged
    assert result.optimality > 1e-12


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_the_monitor_sees_every_iteration_and_can_stop_it(solver):
    problem, _, L = quadratic(np.logspace(0, 2, 6))
    seen = []

    def monitor(iteration, x, value, optimality, step):
        seen.append((iteration, value))
        return iteration == 3

    result = SOLVERS[solver](problem, np.zeros(6), options(1 / L, monitor=monitor, tol=0))
    assert result.stopped and result.n_iter == 3
    assert [iteration for iteration, _ in seen] == [1, 2, 3]
    assert [value for _, value in seen] == result.loss_curve[1:]


def test_toy_rows_average_to_the_quadratic():
    problem, _, _ = quadratic(np.logspace(0, 2, 5), seed=3)
    x = np.random.RandomState(1).normal(size=5)
    full = problem.batch_gradient(x, np.arange(problem.n_samples))
    assert_allclose(full, problem.value_and_grad(x)[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_sgd_with_step_adaptation_never_increases_the_objective_between_epochs(lam):
    problem, _, L = quadratic(np.logspace(0, 2, 10), lam=lam)
    result = SOLVERS["sgd"](problem, np.zeros(10), options(1 / L, max_iter=1000, tol=1e-9))
    assert result.converged
    curve = np.array(result.loss_curve)
    assert np.all(np.diff(curve) <= ROUNDING * np.finfo(float).eps * np.abs(curve[:-1]))


def test_sgd_is_determined_by_its_random_state():
    problem, _, L = quadratic(np.logspace(0, 2, 6))

    def run(seed):
        random_state = np.random.RandomState(seed)
        return SOLVERS["sgd"](problem, np.zeros(6), options(
            1 / L, max_iter=3, tol=0, random_state=random_state)).x

    assert np.array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))


def test_a_faster_epoch_replaces_sgds_own():
    problem, _, L = quadratic(np.logspace(0, 2, 6))
    calls = []

    def epoch(snapshot, snapshot_grad, step, order, batch_size):
        calls.append(batch_size)
        return snapshot - step * snapshot_grad  # any rule: sgd must use it as given

    faster = dataclasses.replace(problem, epoch=epoch)
    result = SOLVERS["sgd"](faster, np.zeros(6), options(1 / L, max_iter=4, tol=0))
    assert calls and set(calls) == {4} and result.n_iter == 4


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_averaged_sgd_passes_approach_the_minimiser(lam):
    # 1000 passes over 32 rows in batches of 4: the noisiest regime
    problem, minimiser, L = quadratic(np.logspace(0, 1, 4), lam=lam)
    state = StreamState(np.zeros(4), np.zeros(4))
    rng = np.random.RandomState(0)
    gaps = []
    for passes in (10, 100, 1000):
        while state.n_steps < passes * problem.n_samples // 4:
            schedule = next_schedule(state, step=1 / L, line_search=True,
                                     n_samples=problem.n_samples, batch_size=4)
            state = averaged_sgd_pass(problem, state, schedule=schedule, batch_size=4,
                                      random_state=rng)
        gaps.append(problem.composite_value(state.average) - problem.composite_value(minimiser))
    # the averaged iterate keeps approaching the optimum, at a rate (gap
    # divided by more than 2 per tenfold passes), where a constant step hovers
    assert 0 < gaps[2] < gaps[1] / 2 < gaps[0] / 4


def test_step_schedules_are_functions_of_the_step_count():
    decaying = DecayingSchedule(first_step=0.4, decay_steps=10)
    assert_allclose(decaying(np.array([0, 10, 30])), [0.4, 0.4 / np.sqrt(2), 0.2])
    assert_allclose(ConstantSchedule(0.1)(np.arange(3)), [0.1, 0.1, 0.1])
    # a stream keeps its decaying schedule; a fixed step is the one given now
    state = StreamState(np.zeros(2), np.zeros(2), schedule=decaying)
    assert next_schedule(state, step=9.0, line_search=True, n_samples=8, batch_size=4) is decaying
    assert next_schedule(state, step=0.3, line_search=False, n_samples=8,
                         batch_size=4) == ConstantSchedule(0.3)
    fresh = next_schedule(StreamState(np.zeros(2), np.zeros(2)), step=0.5, line_search=True,
                          n_samples=10, batch_size=4)
    assert fresh == DecayingSchedule(4 * 0.5, 10 * 3)  # 10 passes of 3 batches


def test_averaged_sgd_pass_leaves_its_state_alone_and_raises_on_divergence():
    problem, _, _ = quadratic(np.array([1.0, 10.0]))
    state = StreamState(np.ones(2), np.ones(2))
    passed = averaged_sgd_pass(problem, state, schedule=ConstantSchedule(0.01), batch_size=4,
                               random_state=np.random.RandomState(0))
    assert np.array_equal(state.x, np.ones(2)) and np.array_equal(state.average, np.ones(2))
    assert passed.n_passes == 1 and passed.n_steps == 4 and len(passed.loss_curve) == 2
    with pytest.raises(DivergenceError):
        for _ in range(50):
            passed = averaged_sgd_pass(problem, passed, schedule=ConstantSchedule(5.0),
                                       batch_size=4, random_state=np.random.RandomState(0))
