"""Solvers in variables refreshed by the curvature: same optimum, fewer iterations."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skgd import GDLogisticRegression, _refresh
from skgd._assemble import Assembly
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet
from skgd._solvers import SOLVERS


def _one_hot_rare_positives(n_rows=3000, n_variables=4, levels=12, seed=0):
    """One-hot categories with power-law frequencies, 5% positives: curvature far from its bound."""
    rng = np.random.RandomState(seed)
    frequency = 1.0 / np.arange(1, levels + 1) ** 2.5
    frequency /= frequency.sum()
    columns = np.stack([block * levels + rng.choice(levels, size=n_rows, p=frequency)
                        for block in range(n_variables)], axis=1)
    rows = np.repeat(np.arange(n_rows), n_variables)
    X = sp.csr_matrix((np.ones(rows.size), (rows, columns.ravel())),
                      shape=(n_rows, n_variables * levels))
    score = X @ rng.normal(scale=2.0, size=X.shape[1]) + rng.logistic(size=n_rows)
    return X, (score > np.quantile(score, 0.95)).astype(int)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:600]), y[:600]


def _without_refresh(monkeypatch):
    monkeypatch.setattr(_refresh, "FIRST_REFRESH", 10**9)


@pytest.mark.parametrize("problem, solver", [
    ("rare", "gd"), ("rare", "agd"), ("rare", "sgd"), ("digits", "gd"), ("digits", "sgd"),
])
def test_refreshing_cuts_iterations_and_keeps_the_optimum(problem, solver, digits, monkeypatch):
    X, y = _one_hot_rare_positives() if problem == "rare" else digits
    # |grad J| <= 1e-10 with J's curvature >= 1/(C n) puts w within 1e-10 n of w*
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it converges
        refreshed = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(X, y)
    # Newton's method reaches w* to rounding (lbfgs stops on J's relative change first)
    reference = LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    assert_allclose(refreshed.coef_, reference.coef_, atol=1e-6)
    assert_allclose(refreshed.intercept_, reference.intercept_, atol=1e-6)
    _without_refresh(monkeypatch)
    with warnings.catch_warnings():  # sgd without refreshes needs > 1000 epochs on digits
        warnings.simplefilter("ignore", ConvergenceWarning)
        static = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(X, y)
    assert refreshed.n_iter_[0] < 0.7 * static.n_iter_[0]


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_the_curve_iterations_and_monitor_run_on_across_refreshes(solver):
    X, y = _one_hot_rare_positives()
    objective = LogisticObjective(X, y, None, 2, True, ElasticNet(1 / len(y), 0.0))
    seen = []
    result = Assembly(objective, "auto").solve(
        SOLVERS[solver], np.zeros(objective.shape), max_iter=500, tol=1e-8,
        monitor=lambda iteration, x, value, *rest: seen.append((iteration, value)),
        batch_size=64, random_state=np.random.RandomState(0),
    )
    assert result.converged and result.n_iter > _refresh.FIRST_REFRESH  # it did refresh
    assert [iteration for iteration, _ in seen] == list(range(1, result.n_iter + 1))
    assert len(result.loss_curve) == result.n_iter + 1
    assert_allclose(result.loss_curve[1:], [value for _, value in seen])
    rounding = 64 * np.finfo(float).eps * result.loss_curve[0]
    assert np.all(np.diff(result.loss_curve) <= rounding)  # descent stays monotone
    assert result.loss_curve[-1] == pytest.approx(objective.value(result.x), rel=1e-14)


@pytest.mark.parametrize("C", [1.0, np.inf])
def test_classes_scaled_apart_stay_centred(digits, C):
    X, y = digits
    model = GDLogisticRegression(C=C, max_iter=300).fit(X, y)
    assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-12)
    assert_allclose(model.intercept_.sum(), 0.0, atol=1e-12)


def test_a_warm_start_off_centre_reaches_the_centred_optimum(digits):
    X, y = digits
    cold = GDLogisticRegression(tol=1e-10).fit(X, y)
    warm = GDLogisticRegression(tol=1e-10, warm_start=True).fit(X, y)
    warm.coef_ += 0.5  # the same model's predictions, other parameters
    warm.intercept_ -= 2.0
    warm.fit(X, y)
    assert_allclose(warm.coef_, cold.coef_, atol=1e-6)  # both within 1e-10 n of w*
    assert_allclose(warm.intercept_, cold.intercept_, atol=1e-6)


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_where_the_curvature_barely_moves_the_scales_nothing_changes(solver, monkeypatch):
    # balanced, well-separated classes standardised: p (1 - p) is alike everywhere
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5))
    y = (X @ [0.5, -0.3, 0.2, 0.1, 0.0] + 0.5 * rng.logistic(size=2000) > 0).astype(int)
    refreshed = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(X, y)
    assert refreshed.n_iter_[0] > _refresh.FIRST_REFRESH  # it looked at the curvature
    _without_refresh(monkeypatch)
    static = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(X, y)
    assert refreshed.n_iter_[0] == static.n_iter_[0]
    assert np.array_equal(refreshed.coef_, static.coef_)
    assert np.array_equal(refreshed.loss_curve_, static.loss_curve_)


def test_sgd_on_wide_sparse_data_refreshes_to_rounded_scales_and_lazy_passes():
    rng = np.random.RandomState(0)
    n_rows, n_columns = 400, 20_000
    rows = np.repeat(np.arange(n_rows), 3)
    X = sp.csr_matrix((np.ones(rows.size), (rows, rng.randint(n_columns, size=rows.size))),
                      shape=(n_rows, n_columns))
    y = rng.randint(2, size=n_rows)
    objective = LogisticObjective(X, y, None, 2, True, ElasticNet(1 / n_rows, 0.0))
    assembly = Assembly(objective, "auto")
    params = np.zeros(objective.shape)
    params[0, :: 7] = 2.0
    variables = _refresh.curvature_variables(objective, params, by_class=False, round_scales=True)
    assert variables.levels is not None  # few distinct scales ...
    assert_allclose(variables.scale, variables.levels[variables.group])
    assert len(np.unique(variables.scale)) > 1
    assert assembly.problem(batch_size=8, variables=variables).epoch is not None  # ... lazy
