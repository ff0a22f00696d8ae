"""Parity of GDLogisticRegression with scikit-learn's LogisticRegression.

GDLogisticRegression minimises the objective of LogisticRegression, divided
by ``C S``::

    J(W, b) = (1/S) sum_i s_i loss_i
              + 1/(C S) [ (1 - l1_ratio)/2 ||W||^2 + l1_ratio ||W||_1 ]

with ``s_i = sample_weight_i * class_weight[y_i]`` and ``S = sum_i s_i``.  So
LogisticRegression, solved tightly, is an oracle: skgd's J must be no larger
than the reference's (up to rounding), and predictions must agree.

J is evaluated by :func:`objective` below, written from the formula with numpy
and scipy only, so that a mistake in skgd's own objective cannot hide itself.

The reference is lbfgs for smooth problems (``l1_ratio == 0`` or ``C == inf``)
and saga for an L1 part; saga is run on standardised data, which it needs to
converge.  All data sets carry label noise (``flip_y``) so that even the
unpenalised optimum (``C = inf``) is finite and unique.
"""

import warnings
from functools import lru_cache

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import log_expit, logsumexp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skgd import GDLogisticRegression

# J of a tight skgd fit may exceed the reference's only by rounding.
J_RTOL = 1e-6
# float32: skgd raises tol to the attainable 100 * eps32 * max_j sqrt(E[x_j^2])
# (~1.2e-5 here), as gradients cannot be computed more precisely, so it stops short of
# the optimum.  J's excess is of order |grad|^2 / curvature, ~1e-7 relative
# here (observed <= 1.4e-7); 1e-5 keeps a margin without hiding a real gap.
J_RTOL_FLOAT32 = 1e-5
# The same early stop, against the smallest curvature of J (~1e-2 on this
# data), leaves coefficient errors ~1e-3 and probability errors up to ~5e-4
# (observed 4.6e-4); no solver can do better from float32 gradients.
PROBA_ATOL_FLOAT32 = 2e-3
# Both models are solved to a gradient of ~1e-10 (saga: tol=1e-10 on the
# coefficient change, on standardised data); observed probability differences
# are <= 1e-7, so 1e-6 still leaves a margin.
PROBA_ATOL = 1e-6
SKGD_MAX_ITER = 20000


# --------------------------------------------------------------------------
# The objective, written independently from the formula.
# --------------------------------------------------------------------------
def _weights(y, classes, sample_weight=None, class_weight=None):
    """s_i = sample_weight_i * class_weight[y_i]; "balanced" is S / (K * S_k)."""
    codes = np.searchsorted(classes, y)
    assert_array_equal(np.asarray(classes)[codes], y)
    n_classes = len(classes)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    if class_weight is None:
        cw = np.ones(n_classes)
    elif class_weight == "balanced":
        totals = np.bincount(codes, weights=sw, minlength=n_classes)
        cw = sw.sum() / (n_classes * totals)
    else:
        cw = np.array([class_weight[c] for c in classes], dtype=float)
    return sw * cw[codes]


def objective(X, y, classes, coef, intercept, C, l1_ratio, sample_weight=None,
              class_weight=None):
    """J(W, b) in float64, from the formula in the module docstring.

    ``y`` holds labels from ``classes``; ``class_weight`` is None, "balanced"
    (``S / (K * S_k)`` with weighted class totals ``S_k``) or a dict.
    """
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X = X.astype(np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    codes = np.searchsorted(classes, y)
    n_classes = len(classes)
    s = _weights(y, classes, sample_weight, class_weight)
    S = s.sum()

    if n_classes == 2:
        assert coef.shape[0] == 1
        z = X @ coef[0] + intercept[0]
        # log(1 + exp(z)) - t z == -log_expit(z) if t = 1, -log_expit(-z) if t = 0
        loss = -log_expit(np.where(codes == 1, z, -z))
    else:
        assert coef.shape[0] == n_classes
        Z = X @ coef.T + intercept
        loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), codes]
    data_term = s @ loss / S
    if np.isinf(C):
        return data_term
    penalty = (1 - l1_ratio) / 2 * np.sum(coef**2) + l1_ratio * np.sum(np.abs(coef))
    return data_term + penalty / (C * S)


# --------------------------------------------------------------------------
# Data and fits
# --------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _data(n_classes, seed=0, n_samples=120, n_features=6):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.2,  # label noise: no separation, a finite optimum even for C=inf
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X)  # saga needs standardised features
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def data(n_classes, **kwargs):
    X, y = _data(n_classes, **kwargs)
    return X.copy(), y.copy()


def reference(X, y, *, C, l1_ratio, fit_intercept=True, class_weight=None,
              sample_weight=None):
    """A tightly converged LogisticRegression; a ConvergenceWarning is an error."""
    if l1_ratio == 0 or np.isinf(C):
        solver, max_iter = "lbfgs", 10000
    else:
        solver, max_iter = "saga", 100000
    model = LogisticRegression(
        C=C,
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        solver=solver,
        tol=1e-10,
        max_iter=max_iter,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return model.fit(X, y, sample_weight=sample_weight)


def skgd_fit(X, y, *, solver, sample_weight=None, **params):
    """A skgd fit that must converge (ConvergenceWarning is an error)."""
    model = GDLogisticRegression(solver=solver, max_iter=SKGD_MAX_ITER, tol=1e-10, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    assert model.converged_
    return model


# The reference does not depend on skgd's solver: fit it once per setting.
@lru_cache(maxsize=None)
def _cached_reference(n_classes, C, l1_ratio, fit_intercept):
    X, y = data(n_classes)
    return reference(X, y, C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept)


def assert_parity(ours, ref, X, y, *, C, l1_ratio, sample_weight=None, class_weight=None,
                  j_rtol=J_RTOL, proba_atol=PROBA_ATOL):
    """J no worse than the reference's, same classes, predictions and probabilities."""
    assert_array_equal(ours.classes_, ref.classes_)
    n_rows = 1 if len(ref.classes_) == 2 else len(ref.classes_)
    assert ours.coef_.shape == ref.coef_.shape == (n_rows, X.shape[1])
    assert ours.intercept_.shape == ref.intercept_.shape == (n_rows,)

    kwargs = dict(C=C, l1_ratio=l1_ratio, sample_weight=sample_weight,
                  class_weight=class_weight)
    j_ours = objective(X, y, ours.classes_, ours.coef_, ours.intercept_, **kwargs)
    j_ref = objective(X, y, ref.classes_, ref.coef_, ref.intercept_, **kwargs)
    assert j_ours > 0 and j_ref > 0
    assert j_ours <= j_ref * (1 + j_rtol), (j_ours, j_ref)

    if ref.solver == "saga" and ref.fit_intercept and not np.any(ref.coef_):
        # saga's stopping test looks at the change of coef_ only, not of the
        # intercept: when L1 keeps every coefficient at 0 it stops after a few
        # epochs with the intercept far from optimal (observed: probabilities
        # 5e-3 off; more max_iter does not help).  With W = 0 the optimum is
        # known in closed form: the unpenalised intercept's optimality
        # condition sum_i s_i (p_i - onehot(y_i)) = 0 makes every predicted
        # probability the weighted class frequency.  Check against that.
        assert not np.any(ours.coef_)
        codes = np.searchsorted(ref.classes_, y)
        s = _weights(y, ref.classes_, sample_weight, class_weight)
        freq = np.bincount(codes, weights=s, minlength=len(ref.classes_)) / s.sum()
        expected = np.tile(freq, (X.shape[0], 1))
    else:
        expected = ref.predict_proba(X)
    proba = ours.predict_proba(X)
    assert_allclose(proba, expected, rtol=0, atol=proba_atol)
    # Predictions must agree wherever the reference is not within the
    # probability tolerance of a tie (a sample that close to the boundary may
    # fall either side; here only float32 fits have such samples, besides
    # the exact ties of W = 0 without intercept).
    top_two = np.sort(expected, axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] > 2 * proba_atol
    assert_array_equal(ours.predict(X)[clear], ref.predict(X)[clear])
    return j_ours, j_ref


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
SETTINGS = [(C, l1) for C in (0.01, 1.0, 100.0) for l1 in (0.0, 0.5, 1.0)] + [(np.inf, 0.0)]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("C, l1_ratio", SETTINGS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_parity_dense(solver, n_classes, C, l1_ratio, fit_intercept):
    X, y = data(n_classes)
    ref = _cached_reference(n_classes, C, l1_ratio, fit_intercept)
    ours = skgd_fit(X, y, solver=solver, C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    j_ours, _ = assert_parity(ours, ref, X, y, C=C, l1_ratio=l1_ratio)
    # skgd's reported J is the formula's J at the returned coefficients.
    assert ours.loss_curve_[-1] == pytest.approx(j_ours, rel=1e-10)
    if not fit_intercept:
        assert_array_equal(ours.intercept_, 0.0)


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_l1_zero_pattern_matches(solver):
    # A small C where L1 zeroes some, but not all, coefficients: skgd's prox
    # step yields exact zeros, and on the same entries as saga's.
    X, y = data(3, n_features=8)
    C = 0.05
    ref = reference(X, y, C=C, l1_ratio=1.0)
    ours = skgd_fit(X, y, solver=solver, C=C, l1_ratio=1.0)
    assert_parity(ours, ref, X, y, C=C, l1_ratio=1.0)
    ref_zero = ref.coef_ == 0
    assert 0 < ref_zero.sum() < ref_zero.size  # the check is not vacuous
    assert_array_equal(ours.coef_ == 0, ref_zero)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_parity_sample_weight(solver, n_classes, l1_ratio):
    X, y = data(n_classes)
    rng = np.random.RandomState(1)
    sample_weight = rng.randint(0, 4, size=len(y)).astype(float)  # includes zeros
    assert (sample_weight == 0).any()
    C = 1.0
    ref = reference(X, y, C=C, l1_ratio=l1_ratio, sample_weight=sample_weight)
    ours = skgd_fit(X, y, solver=solver, C=C, l1_ratio=l1_ratio)
    ours_w = skgd_fit(X, y, solver=solver, C=C, l1_ratio=l1_ratio, sample_weight=sample_weight)
    assert_parity(ours_w, ref, X, y, C=C, l1_ratio=l1_ratio, sample_weight=sample_weight)
    # The weights matter: the unweighted fit is a different model.
    assert not np.allclose(ours.coef_, ours_w.coef_, atol=1e-3)


@pytest.mark.parametrize("with_sample_weight", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_parity_class_weight_balanced(solver, n_classes, with_sample_weight):
    # Unbalanced classes, so "balanced" weights differ from 1.
    X, y = data(n_classes)
    keep = (y != 0) | (np.arange(len(y)) % 3 == 0)
    X, y = X[keep], y[keep]
    sample_weight = None
    if with_sample_weight:
        sample_weight = np.random.RandomState(2).randint(1, 4, size=len(y)).astype(float)
    C = 1.0
    ref = reference(X, y, C=C, l1_ratio=0.0, class_weight="balanced",
                    sample_weight=sample_weight)
    ours = skgd_fit(X, y, solver=solver, C=C, class_weight="balanced",
                    sample_weight=sample_weight)
    assert_parity(ours, ref, X, y, C=C, l1_ratio=0.0, class_weight="balanced",
                  sample_weight=sample_weight)


@pytest.mark.parametrize(
    "fmt, n_classes, l1_ratio",
    [("csr", 2, 0.0), ("csr", 3, 0.0), ("csr", 2, 1.0), ("csr", 3, 0.5), ("csc", 3, 0.0)],
)
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_sparse_matches_dense(solver, fmt, n_classes, l1_ratio):
    X, y = data(n_classes)
    X[np.abs(X) < 0.5] = 0.0  # a genuinely sparse matrix
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    assert X_sparse.format == fmt and X_sparse.nnz < 0.75 * X.size
    params = dict(C=1.0, l1_ratio=l1_ratio)
    # At tol=1e-12 both fits land on the optimum to far below 1e-8.
    fit = dict(solver=solver, max_iter=SKGD_MAX_ITER, tol=1e-12)
    dense = GDLogisticRegression(**fit, **params).fit(X, y)
    sparse = GDLogisticRegression(**fit, **params).fit(X_sparse, y)
    # atol only for coefficients at/near an exact L1 zero.
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-8, atol=1e-12)
    assert_array_equal(sparse.coef_ == 0, dense.coef_ == 0)
    assert_allclose(sparse.predict_proba(X_sparse), dense.predict_proba(X), rtol=1e-8)
    # ... and the sparse fit is at the reference optimum.
    ref = reference(X_sparse, y, **params)
    assert_parity(sparse, ref, X_sparse, y, **params)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_parity_float32(solver, n_classes, l1_ratio):
    X, y = data(n_classes)
    X32 = X.astype(np.float32)
    C = 1.0
    # The reference is fitted on the same (float32-representable) values in
    # float64, so it is the exact optimum of the problem skgd solves in float32.
    ref = reference(X32.astype(np.float64), y, C=C, l1_ratio=l1_ratio)
    ours = skgd_fit(X32, y, solver=solver, C=C, l1_ratio=l1_ratio)
    assert ours.coef_.dtype == np.float32
    assert ours.intercept_.dtype == np.float32
    assert ours.predict_proba(X32).dtype == np.float32
    assert_parity(ours, ref, X32, y, C=C, l1_ratio=l1_ratio,
                  j_rtol=J_RTOL_FLOAT32, proba_atol=PROBA_ATOL_FLOAT32)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_parity_string_labels(solver, n_classes):
    X, y = data(n_classes)
    names = np.array(["emu", "cat", "dog"])[:n_classes]  # not in sorted order
    labels = names[y]
    C = 1.0
    ref = reference(X, labels, C=C, l1_ratio=0.0)
    ours = skgd_fit(X, labels, solver=solver, C=C)
    assert_array_equal(ours.classes_, ref.classes_)
    assert_array_equal(ours.classes_, np.sort(names))
    assert_parity(ours, ref, X, labels, C=C, l1_ratio=0.0)
    assert set(ours.predict(X)) <= set(names)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_weighted_equals_repeated(solver, n_classes, l1_ratio):
    # Integer weight k on a row is the same objective as k copies of the row
    # (S counts the copies too, so the penalty weight 1/(C S) matches as well).
    X, y = data(n_classes)
    weights = np.random.RandomState(3).randint(0, 4, size=len(y))
    assert (weights == 0).any()
    X_rep, y_rep = np.repeat(X, weights, axis=0), np.repeat(y, weights)
    # tol=1e-12: the two fits' paths differ (for sgd, in the rows of its batches)
    params = dict(solver=solver, C=1.0, l1_ratio=l1_ratio, max_iter=SKGD_MAX_ITER, tol=1e-12)
    weighted = GDLogisticRegression(**params).fit(X, y, sample_weight=weights)
    repeated = GDLogisticRegression(**params).fit(X_rep, y_rep)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8, atol=1e-8)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-8, atol=1e-8)
