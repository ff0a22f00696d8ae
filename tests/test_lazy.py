"""Lazy (just-in-time) passes on wide sparse X: the dense passes' steps, at O(entries)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skgd import GDLogisticRegression, _lazy, _lazy_averaged
from skgd._assemble import Assembly
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet
from skgd._solvers._svrg import variance_reduced_epoch
from skgd._streaming import DecayingSchedule, StreamState


def _wide_sparse(n_samples=400, n_features=60, density=0.08, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n_samples, n_features, density=density, format="csr", random_state=rng)
    X.data = 1.0 + 3.0 * X.data  # positive values: features with non-zero means
    return X, rng


def _problem(n_classes, fit_intercept, strength, variables, dtype):
    """J assembled for the solvers, and a random start in the solver's variables."""
    X, rng = _wide_sparse()
    X = X.astype(dtype)
    y = rng.randint(0, n_classes, X.shape[0])
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    objective = LogisticObjective(
        X, y, weights, n_classes, fit_intercept, ElasticNet(strength, 0.0)
    )
    assembly = Assembly(objective, "auto" if variables == "standardized" else 0.02)
    start = rng.normal(scale=0.3, size=objective.shape).astype(dtype)
    return assembly, assembly.variables.from_original(start), rng


def _assert_same(lazy, dense, start, dtype):
    assert lazy.dtype == dense.dtype == dtype
    assert np.abs(dense - start).max() > 1e-2  # the pass did move
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(lazy, dense, rtol=0, atol=tolerance * max(1.0, np.abs(dense).max()))


PARAMETRISATION = [
    pytest.mark.parametrize("n_classes", [2, 3]),
    pytest.mark.parametrize("fit_intercept", [True, False]),
    pytest.mark.parametrize("strength", [0.0, 0.05, 30.0]),  # 30: a step makes a_j < 0
    pytest.mark.parametrize("variables", ["standardized", "original"]),
    pytest.mark.parametrize("dtype", [np.float64, np.float32]),
]


def _parametrised(test):
    for mark in PARAMETRISATION:
        test = mark(test)
    return test


@_parametrised
def test_a_lazy_epoch_takes_the_dense_epochs_steps(
    n_classes, fit_intercept, strength, variables, dtype
):
    assembly, snapshot, rng = _problem(n_classes, fit_intercept, strength, variables, dtype)
    problem = assembly.problem(batch_size=16)
    _, snapshot_grad = problem.value_and_grad(snapshot)
    order = rng.permutation(problem.n_samples)
    step = 0.05 if variables == "standardized" else 0.02
    lazy = assembly.lazy_passes.variance_reduced_epoch(snapshot, snapshot_grad, step, order, 16)
    dense = variance_reduced_epoch(problem, snapshot, snapshot_grad, step, order, 16)
    _assert_same(lazy, dense, snapshot, dtype)


@_parametrised
def test_a_lazy_averaged_pass_takes_the_dense_passs_steps(
    monkeypatch, n_classes, fit_intercept, strength, variables, dtype
):
    assembly, start, rng = _problem(n_classes, fit_intercept, strength, variables, dtype)
    variables = assembly.variables
    # a stream 37 steps in, with its average elsewhere than its iterate
    state = StreamState(
        variables.to_original(start), variables.to_original(0.5 * start), n_steps=37,
        schedule=DecayingSchedule(0.05, 40),
    )
    rebases = []
    original_rebase = _lazy_averaged.AveragedPass._rebase

    def counting_rebase(self):
        rebases.append(1)
        original_rebase(self)

    monkeypatch.setattr(_lazy_averaged.AveragedPass, "_rebase", counting_rebase)
    monkeypatch.setattr(_lazy, "FEATURES_PER_BATCH_ENTRY", 0)  # lazy at any width
    lazy_passes = _count_calls(monkeypatch, "averaged_pass")
    passes = {}
    for kind in ("lazy", "dense"):
        if kind == "dense":
            monkeypatch.setattr(_lazy, "FEATURES_PER_BATCH_ENTRY", np.inf)
        passes[kind] = assembly.stream_pass(
            state, batch_size=16, random_state=np.random.RandomState(1)
        )
    for name in ("x", "average"):
        _assert_same(
            variables.from_original(getattr(passes["lazy"], name)),
            variables.from_original(getattr(passes["dense"], name)),
            start, dtype,
        )
    assert passes["lazy"].n_steps == passes["dense"].n_steps == 37 + 25
    if strength == 30.0 and not assembly.line_search:  # a step more than halves U_j
        assert not lazy_passes  # so the pass stays dense
    else:
        assert len(lazy_passes) == 1
    if strength == 30.0 and assembly.line_search:  # products of a_g fall below 1/2
        assert rebases


def test_lazy_passes_are_kept_for_features_far_outnumbering_a_batchs():
    X, rng = _wide_sparse(n_samples=400, n_features=60, density=0.05)  # 3 per row
    objective = LogisticObjective(X, rng.randint(0, 2, 400), None, 2, True, ElasticNet(0.1, 0))
    passes = Assembly(objective, "auto").lazy_passes
    # averaged passes: the features outnumber a batch's stored entries enough
    entries_per_row = X.nnz / X.shape[0]
    largest = int(60 / (_lazy.FEATURES_PER_BATCH_ENTRY * entries_per_row))
    assert passes.suit_averaged(largest) and not passes.suit_averaged(largest + 1)
    # the features a batch touches, expected, against those of random batches
    share = np.bincount(X.indices, minlength=60) / 400
    for batch_size in (1, 4, 50):
        expected = np.sum(1 - (1 - share) ** batch_size)
        assert passes.touched_features(batch_size) == pytest.approx(expected, rel=1e-12)
        drawn = [len(np.unique(X[rng.choice(400, batch_size, replace=False)].indices))
                 for _ in range(2000)]
        assert np.mean(drawn) == pytest.approx(expected, rel=0.03)
    # lazy up to the widest batch whose touched features the features outnumber
    # enough; with more rows of parameters a dense step costs more, so that is wider
    widest = {}
    for n_classes in (2, 5, 20):
        objective = LogisticObjective(X, rng.randint(0, n_classes, 400), None, n_classes, True,
                                      ElasticNet(0.1, 0))
        passes = Assembly(objective, "auto").lazy_passes
        ratio = _lazy.FEATURES_PER_TOUCHED / objective.shape[0] ** _lazy.CLASS_EXPONENT
        suits = [passes.suit_epochs(b) for b in range(1, 40)]
        assert suits == [60 >= ratio * passes.touched_features(b) for b in range(1, 40)]
        widest[n_classes] = suits.index(False)
    assert widest[2] < widest[5] < widest[20]
    # a feature every row stores is touched by every batch (and warns nothing)
    everywhere = sp.hstack([X, np.ones((400, 1))], format="csr")
    objective = LogisticObjective(everywhere, rng.randint(0, 2, 400), None, 2, True,
                                  ElasticNet(0.1, 0))
    passes = Assembly(objective, "auto").lazy_passes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert passes.touched_features(8) == pytest.approx(
            1 + np.sum(1 - (1 - share) ** 8), rel=1e-12
        )
    # none with an L1 part, or for CSC or dense X
    l1 = LogisticObjective(X, rng.randint(0, 2, 400), None, 2, True, ElasticNet(0.1, 0.5))
    assert Assembly(l1, "auto").lazy_passes is None
    for other in (X.tocsc(), X.toarray()):
        labels = rng.randint(0, 2, 400)
        objective = LogisticObjective(other, labels, None, 2, True, ElasticNet(0, 0))
        assert Assembly(objective, "auto").lazy_passes is None


def _count_calls(monkeypatch, name):
    calls = []
    original = getattr(_lazy.LazyPasses, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_lazy.LazyPasses, name, counting)
    return calls


def _wide_problem(n_classes):
    # 3000 features, about 3 entries per row: batches of 16 rows take lazy passes
    X, rng = _wide_sparse(n_samples=600, n_features=3000, density=0.001)
    X = sp.hstack([X, sp.random(600, 5, density=0.5, random_state=rng)]).tocsr()
    return X, rng.randint(0, n_classes, 600)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_sgd_with_lazy_epochs_reaches_logistic_regressions_optimum(monkeypatch, n_classes, C):
    X, y = _wide_problem(n_classes)
    epochs = _count_calls(monkeypatch, "variance_reduced_epoch")
    model = GDLogisticRegression(
        solver="sgd", C=C, batch_size=16, tol=1e-9, max_iter=3000, random_state=0
    ).fit(X, y)
    assert model.converged_ and len(epochs) >= model.n_iter_[0] > 0  # and retried epochs
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    assert_allclose(model.intercept_, reference.intercept_, atol=1e-5)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_partial_fit_with_lazy_passes_equals_dense_passes(monkeypatch, n_classes):
    X, y = _wide_problem(n_classes)
    chunks = np.array_split(np.arange(600), 3)
    models = {}
    for kind in ("lazy", "dense"):
        if kind == "dense":
            monkeypatch.setattr(_lazy, "FEATURES_PER_BATCH_ENTRY", np.inf)
        passes = _count_calls(monkeypatch, "averaged_pass")
        model = GDLogisticRegression(C=0.5, batch_size=16, random_state=0)
        for _ in range(4):
            for chunk in chunks:
                model.partial_fit(X[chunk], y[chunk], classes=np.arange(n_classes))
        assert len(passes) == (12 if kind == "lazy" else 0)
        models[kind] = model
    assert_allclose(models["lazy"].coef_, models["dense"].coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(models["lazy"].intercept_, models["dense"].intercept_, rtol=1e-9)
    assert_allclose(models["lazy"].loss_curve_, models["dense"].loss_curve_, rtol=1e-9)


def test_batches_of_rows_without_entries(monkeypatch):
    # a wide CSR whose first rows store nothing, in batches of one row
    X, y = _wide_problem(2)
    X = sp.vstack([sp.csr_matrix((3, X.shape[1])), X]).tocsr()
    y = np.concatenate([[0, 1, 0], y])
    epochs = _count_calls(monkeypatch, "variance_reduced_epoch")
    passes = _count_calls(monkeypatch, "averaged_pass")
    model = GDLogisticRegression(solver="sgd", batch_size=1, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    GDLogisticRegression(batch_size=1, random_state=0).partial_fit(X, y, classes=[0, 1])
    assert epochs and passes
