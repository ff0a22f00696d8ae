"""Early stopping: validation log-loss per iteration, best coefficients restored."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

import skgd._logistic
from skgd import GDLogisticRegression
from skgd._monitors import ValidationMonitor


class _Quadratic:
    """A stand-in validation objective: the loss of params is params[0] ** 2."""

    def smooth_value(self, params):
        return float(params[0] ** 2)


def test_monitor_keeps_the_best_and_stops_after_n_iterations_without_improvement():
    monitor = ValidationMonitor(_Quadratic(), tol=0.01, n_iter_no_change=2)
    monitor.start(np.array([3.0]))
    stops = [monitor(i, np.array([x])) for i, x in enumerate([2.0, 1.0, 0.999, 1.5], 1)]
    # 0.999 improves on 1.0 by less than tol: it counts as no change, yet is the best
    assert stops == [False, False, False, True]
    assert monitor.curve == [9.0, 4.0, 1.0, 0.999**2, 2.25]
    assert monitor.best_params[0] == 0.999


def _overfitting_problem():
    # few rows, many noise features, no penalty: the validation loss turns up
    return make_classification(200, 60, n_informative=3, flip_y=0.2, random_state=0)


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_early_stopping_restores_the_best_iterate(solver, monkeypatch):
    monitors = []

    class RecordingMonitor(ValidationMonitor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            monitors.append(self)

    monkeypatch.setattr(skgd._logistic, "ValidationMonitor", RecordingMonitor)
    X, y = _overfitting_problem()
    model = GDLogisticRegression(
        solver=solver, C=np.inf, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    curve = model.validation_loss_curve_
    assert len(curve) == model.n_iter_[0] + 1 == len(model.loss_curve_)
    assert not model.converged_
    best = int(np.argmin(curve))
    assert best < len(curve) - 1 and curve[-1] > curve[best]  # it did turn up
    # the returned coefficients are the best iterate's, on the held-out rows
    (monitor,) = monitors
    params = np.hstack([model.coef_, model.intercept_[:, None]])
    assert monitor.objective.smooth_value(params) == pytest.approx(curve[best], rel=1e-12)
    held_out = len(monitor.objective.targets)
    assert held_out == int(np.ceil(0.1 * len(y)))
    # stratified: both classes are held out in proportion
    assert abs(np.mean(monitor.objective.targets == -1) - np.mean(y)) < 0.05


def test_without_early_stopping_there_is_no_validation_curve():
    X, y = _overfitting_problem()
    model = GDLogisticRegression().fit(X, y)
    assert model.validation_loss_curve_ is None


def test_early_stopping_is_reproducible_and_needs_enough_rows():
    X, y = _overfitting_problem()
    fits = [GDLogisticRegression(solver="sgd", early_stopping=True, random_state=1).fit(X, y)
            for _ in range(2)]
    assert np.array_equal(fits[0].coef_, fits[1].coef_)
    two_of_each = np.concatenate([np.flatnonzero(y == 0)[:2], np.flatnonzero(y == 1)[:2]])
    with pytest.raises(ValueError, match="early_stopping=True needs more than"):
        GDLogisticRegression(early_stopping=True, validation_fraction=0.9).fit(
            X[two_of_each], y[two_of_each]
        )


def test_early_stopping_refuses_a_class_it_cannot_both_fit_and_hold_out():
    X, y = _overfitting_problem()
    one_positive = np.concatenate([np.flatnonzero(y == 0)[:30], np.flatnonzero(y == 1)[:1]])
    with pytest.raises(ValueError, match="at least 2 samples of every class.*class 1 has 1"):
        GDLogisticRegression(early_stopping=True).fit(X[one_positive], y[one_positive])


def test_early_stopping_warns_when_it_keeps_the_start_point():
    # labels independent of X: no iterate predicts the held-out rows better than
    # the start, whose log-loss is already that of the best constant
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 5)), np.tile([0, 1], 20)
    model = GDLogisticRegression(early_stopping=True, fit_intercept=False, random_state=0)
    with pytest.warns(UserWarning, match="Early stopping kept the start point"):
        model.fit(X, y)
    assert np.all(model.coef_ == 0)


def test_early_stopping_refuses_held_out_or_fitted_rows_without_weight():
    X, y = _overfitting_problem()
    model = GDLogisticRegression(early_stopping=True, validation_fraction=0.5, random_state=0)
    fit_rows, validation_rows = _hold_out_split(model, y)
    for rows, part in [(validation_rows, "validation"), (fit_rows, "fitted")]:
        weight = np.zeros(len(y))
        weight[rows] = 1.0  # all the weight on one part, none on the other
        other = "fitted" if part == "validation" else "validation"
        with pytest.raises(ValueError, match=f"The {other} rows of early stopping carry no"):
            model.fit(X, y, sample_weight=weight)


def _hold_out_split(model, y):
    """The rows early stopping fits on and holds out, for ``model``'s parameters."""
    from skgd._data import hold_out_rows

    classes, codes = np.unique(y, return_inverse=True)
    random_state = np.random.RandomState(model.random_state)
    return hold_out_rows(codes, None, classes, model.validation_fraction, random_state)


def test_early_stopping_leaves_a_row_of_every_class_to_fit_on():
    X, y = _overfitting_problem()
    with pytest.raises(ValueError, match="and fit on the rest"):
        GDLogisticRegression(early_stopping=True, validation_fraction=0.9).fit(X[:10], y[:10])
