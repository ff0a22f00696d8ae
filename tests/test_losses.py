"""Losses in raw-prediction space against their definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgd._losses import BinaryLogLoss, MultinomialLogLoss


def _per_sample_loss(raw, y):
    """The definitions, written independently: softplus(z) - t z and logsumexp(z) - z[t]."""
    if raw.ndim == 1:
        return np.logaddexp(0, raw) - y * raw
    return np.logaddexp.reduce(raw, axis=1) - raw[np.arange(len(y)), y]


def _weighted(loss, raw, y, weight):
    targets = loss.encode_targets(y, raw.dtype)
    return loss.weighted_loss_and_residual(raw.copy(), targets, weight)


def _central_difference(function, raw, index, eps=1e-6):
    """The derivative of ``function`` along the entry ``index`` of ``raw``."""
    up, down = raw.copy(), raw.copy()
    up[index] += eps
    down[index] -= eps
    return (function(up) - function(down)) / (2 * eps)


def _random_rows(raw_shape, seed, scale=1.0):
    """Seeded raw predictions of ``raw_shape``, labels of as many classes, and weights."""
    rng = np.random.RandomState(seed)
    raw = scale * rng.normal(size=raw_shape)
    n_rows, n_classes = raw_shape[0], (2 if len(raw_shape) == 1 else raw_shape[1])
    return raw, rng.randint(0, n_classes, size=n_rows), rng.uniform(size=n_rows)


@pytest.mark.parametrize(
    "loss, raw_shape", [(BinaryLogLoss(), (11,)), (MultinomialLogLoss(4), (11, 4))]
)
def test_weighted_loss_matches_definition(loss, raw_shape):
    raw, y, weight = _random_rows(raw_shape, seed=0, scale=5)
    value, _ = _weighted(loss, raw, y, weight)
    assert value == pytest.approx(weight @ _per_sample_loss(raw, y), rel=1e-13)


def test_small_binary_losses_keep_their_relative_precision():
    # well-classified samples: loss ~ exp(-40); a difference softplus(z) - t z
    # would round it to 0
    raw = np.array([40.0, -40.0])
    value, residual = _weighted(BinaryLogLoss(), raw, np.array([1, 0]), np.ones(2))
    assert value == pytest.approx(2 * np.exp(-40), rel=1e-14)
    assert_allclose(residual, [-np.exp(-40), np.exp(-40)], rtol=1e-14)


@pytest.mark.parametrize(
    "loss, raw_shape", [(BinaryLogLoss(), (6,)), (MultinomialLogLoss(3), (6, 3))]
)
def test_residual_is_derivative_of_weighted_loss(loss, raw_shape):
    raw, y, weight = _random_rows(raw_shape, seed=1)
    _, residual = _weighted(loss, raw, y, weight)
    for index in np.ndindex(raw.shape):
        numeric = _central_difference(lambda z: _weighted(loss, z, y, weight)[0], raw, index)
        assert numeric == pytest.approx(residual[index], abs=1e-8)


@pytest.mark.parametrize("loss, raw", [
    (BinaryLogLoss(), np.array([-3000.0, 3000.0])),
    (MultinomialLogLoss(3), np.array([[3000.0, 0.0, -3000.0], [-3000.0, 0.0, 3000.0]])),
])
def test_extreme_raw_predictions_stay_finite(loss, raw):
    y = np.array([0, 1])
    # underflow to 0 is the correct result; overflow or NaN would be a bug
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values, residual = _weighted(loss, raw, y, np.ones(2))
        proba = loss.predict_proba(raw)
        log_proba = loss.predict_log_proba(raw)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(residual))
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isfinite(log_proba))
    assert_allclose(np.exp(log_proba), proba, atol=1e-300)


def test_float32_stays_float32():
    raw = np.array([0.5, -1.0], dtype=np.float32)
    y = np.array([1, 0])
    _, residual = _weighted(BinaryLogLoss(), raw, y, np.ones(2, dtype=np.float32))
    assert residual.dtype == np.float32
    assert BinaryLogLoss().predict_proba(raw).dtype == np.float32


@pytest.mark.parametrize(
    "loss, raw_shape", [(BinaryLogLoss(), (6,)), (MultinomialLogLoss(3), (6, 3))]
)
def test_curvature_is_the_diagonal_second_derivative_of_weighted_loss(loss, raw_shape):
    raw, y, weight = _random_rows(raw_shape, seed=2)
    targets = loss.encode_targets(y, raw.dtype)
    curvature = loss.weighted_curvature(raw.copy(), targets, weight)
    assert curvature.shape == (6, loss.n_raw_columns)
    for index in np.ndindex(raw.shape):
        numeric = _central_difference(
            lambda z, index=index: _weighted(loss, z, y, weight)[1][index], raw, index
        )
        column = index[1] if raw.ndim == 2 else 0
        assert numeric == pytest.approx(curvature[index[0], column], abs=1e-9)
