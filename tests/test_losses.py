"""Losses in raw-prediction space against their definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgd._losses import BinaryLogLoss, MultinomialLogLoss


def test_binary_loss_matches_definition():
    raw = np.linspace(-5, 5, 11)
    y = np.arange(11) % 2
    expected = np.log1p(np.exp(raw)) - y * raw
    assert_allclose(BinaryLogLoss().loss(raw, y), expected, rtol=1e-12)


def test_multinomial_loss_matches_definition():
    rng = np.random.RandomState(0)
    raw = rng.normal(size=(7, 4))
    y = rng.randint(0, 4, size=7)
    expected = np.log(np.exp(raw).sum(axis=1)) - raw[np.arange(7), y]
    assert_allclose(MultinomialLogLoss(4).loss(raw, y), expected, rtol=1e-12)


@pytest.mark.parametrize("loss, raw_shape", [(BinaryLogLoss(), (6,)), (MultinomialLogLoss(3), (6, 3))])
def test_residual_is_derivative_of_loss(loss, raw_shape):
    rng = np.random.RandomState(1)
    raw = rng.normal(size=raw_shape)
    y = rng.randint(0, 2 if raw.ndim == 1 else 3, size=6)
    values, residual = loss.loss_and_residual(raw.copy(), y)
    assert_allclose(values, loss.loss(raw, y), rtol=1e-12)
    eps = 1e-6
    for index in np.ndindex(raw.shape):
        shifted_up, shifted_down = raw.copy(), raw.copy()
        shifted_up[index] += eps
        shifted_down[index] -= eps
        row = index[0]
        numeric = (loss.loss(shifted_up, y)[row] - loss.loss(shifted_down, y)[row]) / (2 * eps)
        assert numeric == pytest.approx(residual[index], abs=1e-8)


@pytest.mark.parametrize("loss, raw", [
    (BinaryLogLoss(), np.array([-3000.0, 3000.0])),
    (MultinomialLogLoss(3), np.array([[3000.0, 0.0, -3000.0], [-3000.0, 0.0, 3000.0]])),
])
def test_extreme_raw_predictions_stay_finite(loss, raw):
    y = np.array([0, 1])
    # underflow to 0 is the correct result; overflow or NaN would be a bug
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values, residual = loss.loss_and_residual(raw, y)
        proba = loss.predict_proba(raw)
        log_proba = loss.predict_log_proba(raw)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(residual))
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isfinite(log_proba))
    assert_allclose(np.exp(log_proba), proba, atol=1e-300)


def test_float32_stays_float32():
    raw = np.array([0.5, -1.0], dtype=np.float32)
    y = np.array([1, 0])
    values, residual = BinaryLogLoss().loss_and_residual(raw, y)
    assert values.dtype == np.float32 and residual.dtype == np.float32
    assert BinaryLogLoss().predict_proba(raw).dtype == np.float32
