"""The objective J: value against its formula, gradient against finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import logsumexp

from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet


def _problem(n_classes, fit_intercept, sparse=False, l1_ratio=0.5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(20, 4))
    X[X < -0.5] = 0.0
    y = rng.randint(0, n_classes, size=20)
    weights = rng.uniform(0.5, 2.0, size=20)
    penalty = ElasticNet(strength=1.0 / (0.8 * weights.sum()), l1_ratio=l1_ratio)
    data = sp.csr_matrix(X) if sparse else X
    objective = LogisticObjective(data, y, weights, n_classes, fit_intercept, penalty)
    params = rng.normal(size=objective.shape)
    return objective, params, X, y, weights


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_value_matches_formula(n_classes, fit_intercept):
    objective, params, X, y, weights = _problem(n_classes, fit_intercept)
    coef = params[:, :4]
    raw = X @ coef.T + (params[:, 4] if fit_intercept else 0)
    if n_classes == 2:
        losses = np.log1p(np.exp(raw[:, 0])) - y * raw[:, 0]
    else:
        losses = logsumexp(raw, axis=1) - raw[np.arange(20), y]
    strength = 1.0 / (0.8 * weights.sum())
    penalty = strength * (0.25 * np.sum(coef**2) + 0.5 * np.abs(coef).sum())
    expected = weights @ losses / weights.sum() + penalty
    assert objective.value(params) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_matches_finite_differences(n_classes, fit_intercept, sparse):
    objective, params, *_ = _problem(n_classes, fit_intercept, sparse)
    value, grad = objective.smooth_value_and_gradient(params)
    assert value == pytest.approx(objective.smooth_value(params), rel=1e-14)
    eps = 1e-6
    numeric = np.empty_like(params)
    for index in np.ndindex(params.shape):
        up, down = params.copy(), params.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = (objective.smooth_value(up) - objective.smooth_value(down)) / (2 * eps)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_dense_and_sparse_agree():
    dense, params, *_ = _problem(3, True)
    sparse, *_ = _problem(3, True, sparse=True)
    value_dense, grad_dense = dense.smooth_value_and_gradient(params)
    value_sparse, grad_sparse = sparse.smooth_value_and_gradient(params)
    assert value_dense == pytest.approx(value_sparse, rel=1e-14)
    assert_allclose(grad_dense, grad_sparse, rtol=1e-12, atol=1e-15)


def test_intercept_is_not_penalised():
    objective, params, *_ = _problem(2, True, l1_ratio=1.0)
    step = 1e3
    proxed = objective.prox(params, step)
    assert proxed[0, 4] == params[0, 4]
    assert np.all(proxed[0, :4] == 0.0)  # so large a step zeroes every weight


@pytest.mark.parametrize("n_classes", [2, 3])
def test_lipschitz_bound_is_an_upper_bound(n_classes):
    objective, params, *_ = _problem(n_classes, True, l1_ratio=0.0)
    bound = objective.lipschitz_bound()
    rng = np.random.RandomState(3)
    for _ in range(20):
        other = params + rng.normal(size=params.shape)
        change = objective.smooth_value_and_gradient(other)[1] - objective.smooth_value_and_gradient(params)[1]
        assert np.linalg.norm(change) <= bound * np.linalg.norm(other - params) * (1 + 1e-12)


def test_float32_objective_stays_float32():
    objective, params, *_ = _problem(3, True)
    X32 = objective.X.astype(np.float32)
    objective32 = LogisticObjective(
        X32, objective.y, np.ones(20), 3, True, ElasticNet(0.1, 0.0)
    )
    params32 = params.astype(np.float32)
    _, grad = objective32.smooth_value_and_gradient(params32)
    assert grad.dtype == np.float32
    assert objective32.raw_predictions(params32).dtype == np.float32
    assert objective32.prox(params32, 0.5).dtype == np.float32
