"""Solvers on toy problems: they see only value, gradient and prox."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgd._penalties import soft_threshold
from skgd._solvers import (
    ROUNDING,
    SOLVERS,
    STOCHASTIC_SOLVERS,
    DivergenceError,
    OriginalVariables,
    StreamState,
    averaged_sgd_pass,
    gradient_descent,
)


def solve(solver, problem, x0, **options):
    """``SOLVERS[solver]``, with mini-batches of 4 rows for the stochastic ones."""
    if solver in STOCHASTIC_SOLVERS:
        options.update(batch_size=4, random_state=np.random.RandomState(0))
    return SOLVERS[solver](problem, x0, **options)


class Quadratic:
    """f(x) = 1/2 x^T A x - b^T x, optionally with g(x) = lam |x|_1.

    f is also a mean over ``n_samples`` rows ``m_i`` with ``A = M^T M / n``:
    ``f(x) = (1/n) sum_i (m_i . x)^2 / 2 - b^T x``, for the stochastic solvers.
    """

    dtype = np.dtype(np.float64)

    def __init__(self, eigenvalues, lam=0.0, seed=0):
        rng = np.random.RandomState(seed)
        d = len(eigenvalues)
        basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
        self.A = basis @ np.diag(eigenvalues) @ basis.T
        self.b = rng.normal(size=d)
        self.lam = lam
        self.evaluations = 0
        self.n_samples = 8 * d
        rows, _ = np.linalg.qr(rng.normal(size=(self.n_samples, d)))  # orthonormal columns
        self.M = np.sqrt(self.n_samples) * rows @ np.diag(np.sqrt(eigenvalues)) @ basis.T

    def batch_gradient(self, x, rows, reference=None):
        M = self.M[rows]
        if reference is not None:  # the linear term cancels
            return M.T @ (M @ (x - reference)) / len(rows)
        return M.T @ (M @ x) / len(rows) - self.b

    def smooth_value(self, x):
        self.evaluations += 1
        return 0.5 * x @ self.A @ x - self.b @ x

    def smooth_value_and_gradient(self, x):
        return self.smooth_value(x), self.A @ x - self.b

    def nonsmooth_value(self, x):
        return self.lam * np.abs(x).sum()

    def prox(self, x, step):
        return soft_threshold(x, step * self.lam) if self.lam else x

    def lipschitz_bound(self):
        return float(np.trace(self.A))  # loose on purpose, as the solvers' real bound can be

    def preconditioned(self):
        return OriginalVariables(self, 1.0 / self.lipschitz_bound())

    def gradient_scale(self):
        return 1.0

    def minimiser(self):
        if not self.lam:
            return np.linalg.solve(self.A, self.b)
        x = np.zeros_like(self.b)  # many tiny ISTA steps: an independent reference
        step = 1.0 / np.linalg.eigvalsh(self.A).max()
        for _ in range(200000):
            x = self.prox(x - step * (self.A @ x - self.b), step)
        return x


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_solvers_reach_the_minimiser(solver, lam):
    problem = Quadratic(np.logspace(0, 2, 8), lam=lam)
    result = solve(solver, problem, np.zeros(8), learning_rate="auto", max_iter=5000, tol=1e-10)
    assert result.converged
    assert result.optimality <= 1e-10
    assert_allclose(result.x, problem.minimiser(), atol=1e-8)
    assert len(result.loss_curve) == result.n_iter + 1
    final = problem.smooth_value(result.x) + problem.nonsmooth_value(result.x)
    assert result.loss_curve[-1] == pytest.approx(final, rel=1e-14)


def test_gd_auto_never_increases_the_objective():
    problem = Quadratic(np.logspace(0, 3, 10), lam=0.1)
    result = gradient_descent(problem, np.zeros(10), learning_rate="auto", max_iter=2000, tol=1e-9)
    curve = np.array(result.loss_curve)
    # Near the optimum F's changes fall below its rounding error; steps there are
    # accepted on a convexity certificate, so F may only wobble within rounding.
    assert np.all(np.diff(curve) <= ROUNDING * np.finfo(float).eps * np.abs(curve[:-1]))
    assert np.count_nonzero(np.diff(curve) < 0) > 10
    assert curve[-1] < curve[0]


def test_one_fixed_step_is_the_classic_update():
    problem = Quadratic(np.array([1.0, 2.0, 3.0]))
    x0 = np.array([0.5, -0.5, 1.0])
    alpha = 0.1
    result = gradient_descent(problem, x0, learning_rate=alpha, max_iter=1, tol=0.0)
    expected = x0 - alpha * (problem.A @ x0 - problem.b)  # simultaneous update of every x_j
    assert_allclose(result.x, expected, rtol=1e-15)
    assert result.n_iter == 1
    assert_allclose(x0, [0.5, -0.5, 1.0])  # the start point is not modified


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_too_large_fixed_step_raises_naming_it(solver):
    problem = Quadratic(np.array([1.0, 10.0]))
    with pytest.raises(DivergenceError, match="learning_rate=1.0"):
        solve(solver, problem, np.zeros(2), learning_rate=1.0, max_iter=1000, tol=1e-8)


def test_stops_at_max_iter_without_converging():
    problem = Quadratic(np.logspace(0, 4, 10))
    result = gradient_descent(problem, np.zeros(10), learning_rate="auto", max_iter=3, tol=1e-12)
    assert result.n_iter == 3
    assert not result.converged
    assert result.optimality > 1e-12


def test_toy_rows_average_to_the_quadratic():
    problem = Quadratic(np.logspace(0, 2, 5), seed=3)
    x = np.random.RandomState(1).normal(size=5)
    full = problem.batch_gradient(x, np.arange(problem.n_samples))
    assert_allclose(full, problem.smooth_value_and_gradient(x)[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_sgd_auto_never_increases_the_objective_between_epochs(lam):
    problem = Quadratic(np.logspace(0, 2, 10), lam=lam)
    result = solve("sgd", problem, np.zeros(10), learning_rate="auto", max_iter=1000, tol=1e-9)
    assert result.converged
    curve = np.array(result.loss_curve)
    assert np.all(np.diff(curve) <= ROUNDING * np.finfo(float).eps * np.abs(curve[:-1]))


def test_sgd_is_determined_by_its_random_state():
    problem = Quadratic(np.logspace(0, 2, 6))
    runs = [
        solve("sgd", problem, np.zeros(6), learning_rate="auto", max_iter=3, tol=0.0).x
        for _ in range(2)
    ]
    assert np.array_equal(runs[0], runs[1])
    other = SOLVERS["sgd"](problem, np.zeros(6), learning_rate="auto", max_iter=3, tol=0.0,
                           batch_size=4, random_state=np.random.RandomState(1)).x
    assert not np.array_equal(runs[0], other)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_averaged_sgd_passes_approach_the_minimiser(lam):
    # 1000 passes over 32 rows in batches of 4: the noisiest regime
    problem = Quadratic(np.logspace(0, 1, 4), lam=lam)
    state = StreamState(np.zeros(4), np.zeros(4))
    rng = np.random.RandomState(0)
    x_star = problem.minimiser()
    F = lambda x: problem.smooth_value(x) + problem.nonsmooth_value(x)  # noqa: E731
    gaps = []
    for passes in (10, 100, 1000):
        while state.n_steps < passes * problem.n_samples // 4:
            state = averaged_sgd_pass(OriginalVariables(problem, None), state,
                                      learning_rate="auto", batch_size=4, random_state=rng)
        gaps.append(F(state.average) - F(x_star))
    # the averaged iterate keeps approaching the optimum, at a rate (gap
    # divided by more than 2 per tenfold passes), where a constant step hovers
    assert 0 < gaps[2] < gaps[1] / 2 < gaps[0] / 4
