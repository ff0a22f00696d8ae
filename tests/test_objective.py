"""The objective J: value against its formula, gradient against finite differences."""

import multiprocessing
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import logsumexp

from skgd import _rowblocks
from skgd._assemble import Assembly, lipschitz_bound
from skgd._moments import feature_moments
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet
from skgd._refresh import curvature_variables
from skgd._solvers import gradient_mapping_norm


def _moments(objective):
    return feature_moments(objective.X, objective.sample_weight, objective.compute)


def _assert_gradient_is_finite_differences(problem, u):
    """Check the problem's gradient at ``u`` against central differences; return it."""
    _, grad_u = problem.value_and_grad(u)
    eps = 1e-6
    for index in np.ndindex(u.shape):
        up, down = u.copy(), u.copy()
        up[index] += eps
        down[index] -= eps
        numeric = (problem.smooth_value(up) - problem.smooth_value(down)) / (2 * eps)
        assert numeric == pytest.approx(grad_u[index], rel=1e-6, abs=1e-9)
    return grad_u


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
    bound = lipschitz_bound(objective, _moments(objective))
    rng = np.random.RandomState(3)
    for _ in range(20):
        other = params + rng.normal(size=params.shape)
        gradient = objective.smooth_value_and_gradient
        change = gradient(other)[1] - gradient(params)[1]
        assert np.linalg.norm(change) <= bound * np.linalg.norm(other - params) * (1 + 1e-12)


def test_float32_objective_stays_float32():
    _, params, X, y, _ = _problem(3, True)
    objective32 = LogisticObjective(
        X.astype(np.float32), y, np.ones(20), 3, True, ElasticNet(0.1, 0.0)
    )
    params32 = params.astype(np.float32)
    _, grad = objective32.smooth_value_and_gradient(params32)
    assert grad.dtype == np.float32
    assert objective32.raw_predictions(params32).dtype == np.float32
    assert objective32.prox(params32, 0.5).dtype == np.float32


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_blocks_on_any_number_of_threads_give_the_same_bits(monkeypatch, n_classes, dtype):
    # blocks of 8 rows: 20 blocks shared between 1, 2 or 3 threads
    _, params, X, y, weights = _problem(n_classes, True)
    X = np.repeat(X, 8, axis=0).astype(dtype)
    y, weights = np.repeat(y, 8), np.repeat(weights, 8)
    params = params.astype(dtype)
    penalty = ElasticNet(0.1, 0.0)
    whole = LogisticObjective(X, y, weights, n_classes, True, penalty)
    assert len(whole.blocks.blocks) == 1
    monkeypatch.setattr(_rowblocks, "BLOCK_BYTES", 8 * X.shape[1] * X.itemsize)
    results = []
    for n_threads in (1, 2, 3):
        with _rowblocks.RowThreads(n_threads) as threads:
            blocked = LogisticObjective(X, y, weights, n_classes, True, penalty, threads)
            assert len(blocked.blocks.blocks) == 20
            results.append((
                *blocked.smooth_value_and_gradient(params),
                blocked.smooth_value(params),
                *_moments(blocked),
            ))
    for result in results[1:]:
        for got, expected in zip(result, results[0], strict=True):
            assert np.array_equal(got, expected)
    # and the blocks add up to one pass over all rows
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    value, grad = results[0][:2]
    expected_value, expected_grad = whole.smooth_value_and_gradient(params)
    assert value == pytest.approx(expected_value, rel=rtol)
    assert_allclose(grad, expected_grad, rtol=rtol, atol=rtol * np.abs(expected_grad).max())
    assert_allclose(results[0][3:], _moments(whole), rtol=rtol)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardized_variables_are_a_change_of_variables(n_classes, fit_intercept):
    objective, params, X, y, weights = _problem(n_classes, fit_intercept)
    X = X * [1.0, 10.0, 0.1, 3.0] + [5.0, -2.0, 0.0, 1.0]  # scales and means differ
    objective = LogisticObjective(X, y, weights, n_classes, fit_intercept, objective.penalty)
    assembly = Assembly(objective, "auto")
    standardization, problem = assembly.variables, assembly.problem(batch_size=8)
    u = standardization.from_original(params)
    assert_allclose(standardization.to_original(u), params, rtol=1e-12, atol=1e-14)
    # the model on standardised features is the model on the original ones
    mean = weights @ X / weights.sum()
    centred = X - mean if fit_intercept else X
    standardised_raw = (centred * standardization.scale) @ u[:, :4].T
    if fit_intercept:
        standardised_raw += standardization.intercept_scale * u[:, 4]
    assert_allclose(standardised_raw, X @ params[:, :4].T + (params[:, 4] if fit_intercept else 0))
    # values agree; the gradient in u is the chain rule of the one in x (finite differences)
    assert problem.smooth_value(u) == pytest.approx(objective.smooth_value(params), rel=1e-13)
    grad_u = _assert_gradient_is_finite_differences(problem, u)
    # and so is the stochastic gradient over all rows
    full_batch = problem.batch_gradient(u, np.arange(20))
    assert_allclose(full_batch, grad_u, rtol=1e-12, atol=1e-15)
    # every coordinate's curvature is at most 1: the bound is their count
    assert standardization.lipschitz_bound == 4 + fit_intercept
    assert assembly.step == 1 / (4 + fit_intercept)


def test_standardized_prox_and_optimality_are_those_of_the_original_variables():
    objective, params, *_ = _problem(3, True, l1_ratio=1.0)
    assembly = Assembly(objective, "auto")
    standardization, problem = assembly.variables, assembly.problem(batch_size=8)
    u = standardization.from_original(params)
    step = 0.3
    # prox of step * g(x(u)) in u: soft-threshold U_j at step * scale_j * l1_strength
    threshold = step * standardization.scale * objective.penalty.l1_strength
    expected = u.copy()
    expected[:, :4] = np.sign(u[:, :4]) * np.maximum(np.abs(u[:, :4]) - threshold, 0)
    assert_allclose(problem.prox(u, step), expected, rtol=1e-14)
    # the stopping rule is measured on (W, b), with the step 1 / L of J's own bound
    _, grad = objective.smooth_value_and_gradient(params)
    _, grad_u = problem.value_and_grad(u)
    reference_step = 1 / lipschitz_bound(objective, _moments(objective))
    reference = gradient_mapping_norm(objective.prox, params, grad, reference_step)
    assert problem.optimality(u, grad_u) == pytest.approx(reference, rel=1e-12)


def test_a_fixed_learning_rate_leaves_the_variables_as_they_are():
    objective, params, *_ = _problem(3, True, l1_ratio=0.5)
    assembly = Assembly(objective, 0.25)
    problem = assembly.problem(batch_size=8)
    assert assembly.step == 0.25 and not assembly.line_search
    value, grad = objective.smooth_value_and_gradient(params)
    assert problem.value_and_grad(params)[0] == value
    assert np.array_equal(problem.value_and_grad(params)[1], grad)
    assert np.array_equal(problem.prox(params, 0.1), objective.prox(params, 0.1))
    # the stopping rule's step is the learning rate
    expected = gradient_mapping_norm(objective.prox, params, grad, 0.25)
    assert problem.optimality(params, grad) == expected


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_an_objective_pickles_with_its_data(n_classes, sparse):
    objective, params, *_ = _problem(n_classes, True, sparse=sparse)
    with _rowblocks.RowThreads(2) as threads:
        objective.compute = threads
        copy = pickle.loads(pickle.dumps(objective))
    assert copy.compute is None  # threads do not travel: the copy computes in its caller's
    assert copy.smooth_value(params) == objective.smooth_value(params)
    value, grad = objective.smooth_value_and_gradient(params)
    copy_value, copy_grad = copy.smooth_value_and_gradient(params)
    assert copy_value == value
    assert np.array_equal(copy_grad, grad)
    assert copy.nonsmooth_value(params) == objective.nonsmooth_value(params)
    assert np.array_equal(copy.prox(params, 0.3), objective.prox(params, 0.3))
    rows = np.array([3, 1, 4])
    assert np.array_equal(copy.batch_gradient(params, rows), objective.batch_gradient(params, rows))


def test_a_pickled_objective_evaluates_the_same_in_another_process():
    objective, params, *_ = _problem(3, True)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing shared
    with context.Pool(1) as pool:
        value, grad = pool.apply(_value_and_gradient, (pickle.dumps(objective), params))
    expected_value, expected_grad = objective.smooth_value_and_gradient(params)
    assert value == expected_value
    assert np.array_equal(grad, expected_grad)


def _value_and_gradient(pickled, params):
    return pickle.loads(pickled).smooth_value_and_gradient(params)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_feature_moments_are_accurate_for_large_means_and_constants(dtype):
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(1000, 3)) * [1.0, 2.0, 0.0] + [1e4, 0.0, 3.0]).astype(dtype)
    weights = rng.uniform(0.5, 2.0, size=1000)
    objective = LogisticObjective(
        X, rng.randint(0, 2, 1000), weights, 2, True, ElasticNet(0.1, 0.0)
    )
    mean, variance = _moments(objective)
    exact = X.astype(np.float64)
    expected_mean = weights @ exact / weights.sum()
    expected_variance = weights @ (exact - expected_mean) ** 2 / weights.sum()
    # centring needs the means to a small part of each column's spread
    spread = np.sqrt(expected_variance[:2])
    np.testing.assert_array_less(np.abs(mean - expected_mean)[:2], 1e-6 * spread)
    assert_allclose(mean[2], expected_mean[2], rtol=1e-12)
    assert_allclose(variance[:2], expected_variance[:2], rtol=1e-5)
    assert variance[2] == 0.0  # a constant feature: exactly no spread


@pytest.mark.parametrize("sparse_format", [None, "csr"])
def test_feature_moments_that_overflow_raise_without_a_numpy_warning(sparse_format):
    # what a dask worker computes, outside any error state the fit sets
    X = np.array([[1e200, 1.0], [-1e200, 2.0], [3e200, 0.0]])
    X = X if sparse_format is None else sp.csr_matrix(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="too large"):
            feature_moments(X, np.full(3, 1 / 3))


def test_sparse_feature_moments_add_duplicate_entries_before_squaring():
    # (row 0, column 1) is stored twice: its value is 3, its square 9, not 1 + 4
    X = sp.csr_matrix((np.array([1.0, 2.0, 5.0]), np.array([1, 1, 0]), np.array([0, 2, 3])))
    assert not X.has_canonical_format
    objective = LogisticObjective(X, np.array([0, 1]), None, 2, True, ElasticNet(0.1, 0.0))
    dense = LogisticObjective(X.toarray(), np.array([0, 1]), None, 2, True, ElasticNet(0.1, 0.0))
    assert_allclose(_moments(objective), _moments(dense), rtol=1e-12)


@pytest.mark.parametrize("sparse_format", [None, "csr", "csc"])
def test_feature_moments_of_several_weightings_are_those_of_each(sparse_format):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(30, 5)) + [0.0, 4.0, -1.0, 0.0, 2.0]
    X[rng.uniform(size=X.shape) < 0.4] = 0.0
    weights = rng.uniform(size=(30, 3))
    weights /= weights.sum(axis=0)
    data = X if sparse_format is None else sp.csr_matrix(X).asformat(sparse_format)
    mean, variance = feature_moments(data, weights)
    assert mean.shape == variance.shape == (3, 5)
    for k in range(3):
        expected_mean, expected_variance = feature_moments(data, weights[:, k].copy())
        assert_allclose(mean[k], expected_mean, rtol=1e-12, atol=1e-14)
        assert_allclose(variance[k], expected_variance, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_curvature_moments_are_made_of_the_hessian_diagonal(n_classes, sparse):
    objective, params, X, y, weights = _problem(n_classes, True, sparse=sparse)
    raw = X @ params[:, :4].T + params[:, 4]
    if n_classes == 2:
        p = 1 / (1 + np.exp(-raw))
    else:
        p = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    curvature = (weights / weights.sum())[:, None] * p * (1 - p)
    least = 1e-3
    curvature = np.maximum(curvature, least * (weights / weights.sum())[:, None])
    total, (mean, variance) = objective.curvature_moments(params, least)
    assert_allclose(total, curvature.sum(axis=0), rtol=1e-12)
    # T_k variance_kj + l2 is the Hessian of f along W_kj once centred on the
    # curvature-weighted mean; T_k that along the intercept
    expected_mean = (curvature.T @ X) / total[:, None]
    assert_allclose(mean, expected_mean, rtol=1e-10)
    for k in range(objective.shape[0]):
        expected = curvature[:, k] @ (X - expected_mean[k]) ** 2
        assert_allclose(total[k] * variance[k], expected, rtol=1e-10, atol=1e-15)


def test_curvature_moments_at_zero_are_the_standardisation_moments():
    objective, params, *_ = _problem(2, True)
    total, (mean, variance) = objective.curvature_moments(np.zeros_like(params), 1e-6)
    expected_mean, expected_variance = _moments(objective)
    assert total == pytest.approx([objective.loss.curvature_bound], rel=1e-12)
    assert_allclose(mean[0], expected_mean, rtol=1e-12)
    assert_allclose(variance[0], expected_variance, rtol=1e-12)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_curvature_variables_are_a_change_of_variables(l1_ratio):
    objective, params, *_ = _problem(3, True, l1_ratio=l1_ratio)
    assembly = Assembly(objective, "auto")
    variables = curvature_variables(objective, params, by_class=l1_ratio == 0.0)
    # each class its own scales only where g = 0 (then steps are centred)
    assert variables.by_class == (l1_ratio == 0.0)
    problem = assembly.problem(batch_size=8, variables=variables)
    u = variables.from_original(params)
    assert_allclose(variables.to_original(u), params, rtol=1e-12, atol=1e-14)
    assert problem.smooth_value(u) == pytest.approx(objective.smooth_value(params), rel=1e-13)
    _assert_gradient_is_finite_differences(problem, u)


def test_centring_the_classes_keeps_the_model_and_lowers_an_l2_penalty():
    objective, params, X, *_ = _problem(3, True, l1_ratio=0.0)
    centred = objective.centred(params)
    assert_allclose(centred.sum(axis=0), 0.0, atol=1e-14)
    assert_allclose(objective.raw_predictions(centred) - objective.raw_predictions(centred)[:, :1],
                    objective.raw_predictions(params) - objective.raw_predictions(params)[:, :1],
                    rtol=1e-12, atol=1e-12)
    assert objective.value(centred) <= objective.value(params)
    binary, binary_params, *_ = _problem(2, True)
    assert binary.centred(binary_params) is binary_params
