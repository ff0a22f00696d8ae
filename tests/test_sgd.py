"""solver="sgd" and partial_fit: they land on the optimum of the same J."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from test_parity import data, objective, reference

from skgd import GDLogisticRegression


def J(model, X, y, **weights):
    """J of a fitted model on (X, y), from test_parity's independent formula."""
    return objective(X, y, model.classes_, model.coef_, model.intercept_, model.C,
                     model.l1_ratio, **weights)


def optimum(X, y, C=1.0, l1_ratio=0.0, **weights):
    """J* from scikit-learn's LogisticRegression at a tight tolerance."""
    return J(reference(X, y, C=C, l1_ratio=l1_ratio, **weights), X, y, **weights)


def scaled(loader, n_classes=None):
    X, y = loader(return_X_y=True)
    if n_classes is not None:
        X, y = X[y < n_classes], y[y < n_classes]
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "loader, n_classes", [(load_breast_cancer, None), (load_digits, 3), (load_digits, None)]
)
def test_sgd_defaults_reach_the_optimum(loader, n_classes):
    X, y = scaled(loader, n_classes)
    model = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    assert model.converged_
    j_star = optimum(X, y)
    assert J(model, X, y) - j_star <= 1e-3 * j_star
    assert_allclose(model.loss_curve_[-1], J(model, X, y), rtol=1e-10)


def test_sgd_with_weights_penalty_sparse_and_float32():
    X, y = data(3)
    rng = np.random.RandomState(0)
    weights = dict(
        sample_weight=rng.uniform(0.5, 2.0, len(y)), class_weight={0: 1.0, 1: 2.0, 2: 0.5}
    )
    j_star = optimum(X, y, C=0.5, l1_ratio=0.5, **weights)
    for train in (X, sp.csr_matrix(X), X.astype(np.float32)):
        model = GDLogisticRegression(
            solver="sgd", C=0.5, l1_ratio=0.5, class_weight=weights["class_weight"],
            random_state=0,
        ).fit(train, y, sample_weight=weights["sample_weight"])
        assert model.coef_.dtype == train.dtype
        assert J(model, X, y, **weights) - j_star <= 1e-3 * j_star
        assert np.any(model.coef_ == 0)  # the proximal step gives exact zeros


def test_sgd_is_bit_identical_for_a_seed_and_differs_across_seeds():
    X, y = scaled(load_breast_cancer)
    with pytest.warns(ConvergenceWarning):  # three epochs: short of tol on purpose
        fits = [GDLogisticRegression(solver="sgd", max_iter=3, random_state=seed).fit(X, y)
                for seed in (7, 7, 8)]
    assert np.array_equal(fits[0].coef_, fits[1].coef_)
    assert np.array_equal(fits[0].loss_curve_, fits[1].loss_curve_)
    assert not np.array_equal(fits[0].coef_, fits[2].coef_)


def test_sgd_fixed_learning_rate_is_a_constant_step_on_the_features_as_given():
    X, y = scaled(load_breast_cancer)
    fixed = dict(learning_rate=0.1, max_iter=1, tol=0.0)
    # one batch of every row: the correction cancels, leaving gd's classic step
    with pytest.warns(ConvergenceWarning):
        sgd = GDLogisticRegression(solver="sgd", batch_size=len(y), random_state=0, **fixed)
        sgd.fit(X, y)
        gd = GDLogisticRegression(**fixed).fit(X, y)
    assert_allclose(sgd.coef_, gd.coef_, rtol=1e-12)
    assert_allclose(sgd.intercept_, gd.intercept_, rtol=1e-12)


def _stream_problem():
    X, y = make_classification(4000, 10, n_informative=5, random_state=0)
    return X * [1, 10, 0.1, 1, 1, 5, 1, 1, 1, 1] + 3, y  # unscaled on purpose


def test_partial_fit_over_chunks_reaches_the_full_batch_optimum():
    X, y = _stream_problem()
    chunks = np.array_split(np.arange(len(y)), 4)
    # C applies per call: four chunks with C=4 are the J of all rows with C=1
    model = GDLogisticRegression(C=4.0, batch_size=64, random_state=0)
    for _ in range(20):
        for rows in chunks:
            model.partial_fit(X[rows], y[rows], classes=[0, 1])
    model.C = 1.0  # judge it on the full data's J
    j_star = optimum(X, y)
    assert J(model, X, y) - j_star <= 1e-3 * j_star
    assert model.n_iter_[0] == 80


def test_partial_fit_is_deterministic_and_continues_a_fit():
    X, y = _stream_problem()
    runs = []
    for _ in range(2):
        model = GDLogisticRegression(random_state=3)
        model.partial_fit(X[:2000], y[:2000], classes=np.array([0, 1]))
        model.partial_fit(X[2000:], y[2000:])
        runs.append(model.coef_)
    assert np.array_equal(runs[0], runs[1])
    # after fit, partial_fit starts from the fitted model and needs no classes
    fitted = GDLogisticRegression(random_state=0).fit(X, y)
    before = fitted.coef_.copy()
    fitted.partial_fit(X[:500], y[:500])
    assert 0 < np.abs(fitted.coef_ - before).max() < 0.5 * np.abs(before).max()
    assert fitted.n_iter_[0] == 1  # passes since the stream began


def test_partial_fit_input_errors():
    X, y = _stream_problem()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GDLogisticRegression().partial_fit(X, y)
    model = GDLogisticRegression().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="classes of a stream cannot change"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"labels \[5\] not in classes"):
        model.partial_fit(X[:3], np.array([0, 1, 5]))
    with pytest.raises(ValueError, match="class_weight='balanced'"):
        GDLogisticRegression(class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="10 features"):
        model.partial_fit(X[:, :3], y)
