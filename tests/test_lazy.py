"""Lazy (just-in-time) SVRG epochs on sparse X: the dense epoch's iterates, at O(entries)."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from skgd import GDLogisticRegression, _lazy, _solvers
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet


def _wide_sparse(n_samples=400, n_features=60, density=0.08, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n_samples, n_features, density=density, format="csr", random_state=rng)
    X.data = 1.0 + 3.0 * X.data  # positive values: features with non-zero means
    return X, rng


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("strength", [0.0, 0.05, 30.0])  # 30: a step makes a_j < 0
@pytest.mark.parametrize("variables", ["standardized", "original"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_lazy_epoch_takes_the_dense_epochs_steps(
    n_classes, fit_intercept, strength, variables, dtype
):
    X, rng = _wide_sparse()
    X = X.astype(dtype)
    y = rng.randint(0, n_classes, X.shape[0])
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    objective = LogisticObjective(
        X, y, weights, n_classes, fit_intercept, ElasticNet(strength, 0.0)
    )
    if variables == "standardized":
        problem = objective.preconditioned()
    else:
        problem = _solvers.OriginalVariables(objective, 0.1)
    snapshot = problem.from_original(rng.normal(scale=0.3, size=objective.shape).astype(dtype))
    _, snapshot_grad = problem.smooth_value_and_gradient(snapshot)
    order = rng.permutation(X.shape[0])
    step = 0.05 if variables == "standardized" else 0.02
    lazy = problem.lazy_epoch(snapshot, snapshot_grad, step, order, 16)
    del problem.lazy_epoch
    dense = _solvers._variance_reduced_epoch(problem, snapshot, snapshot_grad, step, order, 16)
    assert lazy.dtype == dense.dtype == dtype
    moved = np.abs(dense - snapshot).max()
    assert moved > 1e-2  # the epoch did move
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(lazy, dense, rtol=0, atol=rtol * max(1.0, np.abs(dense).max()))


def test_lazy_epochs_are_kept_for_features_far_outnumbering_a_batchs_entries():
    X, rng = _wide_sparse(n_samples=400, n_features=60, density=0.05)  # 3 per row
    objective = LogisticObjective(X, rng.randint(0, 2, 400), None, 2, True, ElasticNet(0.1, 0))
    epochs = objective.preconditioned().lazy_epoch
    entries_per_row = X.nnz / X.shape[0]
    assert epochs.suit(int(60 / (_lazy.FEATURES_PER_BATCH_ENTRY * entries_per_row)))
    assert not epochs.suit(int(60 / (_lazy.FEATURES_PER_BATCH_ENTRY * entries_per_row)) + 1)
    # no lazy epochs with an L1 part, or for CSC or dense X
    l1 = LogisticObjective(X, rng.randint(0, 2, 400), None, 2, True, ElasticNet(0.1, 0.5))
    assert not hasattr(l1.preconditioned(), "lazy_epoch")
    for other in (X.tocsc(), X.toarray()):
        labels = rng.randint(0, 2, 400)
        objective = LogisticObjective(other, labels, None, 2, True, ElasticNet(0, 0))
        assert not hasattr(objective.preconditioned(), "lazy_epoch")


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_sgd_with_lazy_epochs_reaches_logistic_regressions_optimum(monkeypatch, n_classes, C):
    # 3000 features, about 3 entries per row, batches of 16 rows: lazy epochs
    X, rng = _wide_sparse(n_samples=600, n_features=3000, density=0.001)
    X = sp.hstack([X, sp.random(600, 5, density=0.5, random_state=rng)]).tocsr()
    y = rng.randint(0, n_classes, 600)
    lazy_epochs = []
    original = _lazy.lazy_variance_reduced_epoch

    def counting(*args, **kwargs):
        lazy_epochs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_lazy, "lazy_variance_reduced_epoch", counting)
    model = GDLogisticRegression(
        solver="sgd", C=C, batch_size=16, tol=1e-9, max_iter=3000, random_state=0
    ).fit(X, y)
    assert model.converged_ and len(lazy_epochs) >= model.n_iter_[0] > 0  # and retries
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    assert_allclose(model.intercept_, reference.intercept_, atol=1e-5)
