"""The elastic-net penalty and its proximal operator against their definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar

from skgd._penalties import ElasticNet, soft_threshold


def test_soft_threshold_values():
    w = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    assert_allclose(soft_threshold(w, 1.0), [-2.0, 0.0, 0.0, 0.0, 2.0])


@pytest.mark.parametrize("l1_ratio", [0.25, 1.0])
@pytest.mark.parametrize("step", [0.1, 2.0])
def test_prox_solves_its_defining_problem(l1_ratio, step):
    """prox(w, step) = argmin_v l1_strength |v| + (v - w)^2 / (2 step), entry by entry."""
    penalty = ElasticNet(strength=0.7, l1_ratio=l1_ratio)
    w = np.array([-2.0, -0.3, 0.0, 0.05, 1.5])
    prox = penalty.prox(w, step)
    for w_j, prox_j in zip(w, prox, strict=True):
        def objective(v, w_j=w_j):
            return penalty.l1_strength * abs(v) + (v - w_j) ** 2 / (2 * step)
        best = minimize_scalar(
            objective, bounds=(-5, 5), method="bounded", options={"xatol": 1e-12}
        )
        assert prox_j == pytest.approx(best.x, abs=1e-6)
        assert objective(prox_j) <= best.fun + 1e-12


def test_prox_gives_exact_zeros():
    penalty = ElasticNet(strength=1.0, l1_ratio=1.0)
    prox = penalty.prox(np.array([0.2, -0.4, 3.0]), step=0.5)
    assert np.count_nonzero(prox == 0.0) == 2


def test_values_and_smooth_gradient():
    penalty = ElasticNet(strength=2.0, l1_ratio=0.25)
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert penalty.smooth_value(w) == pytest.approx(0.5 * 2.0 * 0.75 * 5.25)
    assert penalty.nonsmooth_value(w) == pytest.approx(2.0 * 0.25 * 3.5)
    grad = np.zeros_like(w)
    penalty.add_smooth_gradient(w, grad)
    assert_allclose(grad, 2.0 * 0.75 * w)


def test_pure_l2_has_identity_prox():
    penalty = ElasticNet(strength=1.0, l1_ratio=0.0)
    w = np.array([0.1, -0.2])
    assert penalty.is_smooth
    assert penalty.prox(w, 10.0) is w
    assert penalty.nonsmooth_value(w) == 0.0
