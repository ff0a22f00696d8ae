"""GDLogisticRegression as users meet it: attributes, inputs, pipelines, searches."""

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

from skgd import GDLogisticRegression
from skgd._data import encode_labels


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=1
    )
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_fitted_attributes(solver, binary, multiclass):
    for (X, y), n_rows in [(binary, 1), (multiclass, 3)]:
        model = GDLogisticRegression(solver=solver).fit(X, y)
        assert model.coef_.shape == (n_rows, X.shape[1])
        assert model.intercept_.shape == (n_rows,)
        assert model.n_iter_.shape == (1,) and model.n_iter_.dtype.kind == "i"
        assert model.converged_ is True
        curve = model.loss_curve_  # a record on the host, as MLPClassifier's
        assert isinstance(curve, list) and all(type(value) is float for value in curve)
        assert len(curve) == model.n_iter_[0] + 1
        assert_array_equal(model.classes_, np.unique(y))
        proba = model.predict_proba(X)
        assert_allclose(proba.sum(axis=1), 1.0)
        assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)
        assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])


def test_loss_curve_ends_at_objective_of_returned_coefficients(binary):
    X, y = binary
    C = 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GDLogisticRegression(C=C, max_iter=5).fit(X, y)
    z = X @ model.coef_[0] + model.intercept_[0]
    J = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(model.coef_**2) / (C * len(y))
    assert model.loss_curve_[-1] == pytest.approx(J, rel=1e-12)
    assert model.loss_curve_[0] == pytest.approx(np.log(2), rel=1e-12)  # start at w = 0, b = 0


def test_gd_never_increases_cost(binary):
    curve = np.asarray(GDLogisticRegression(C=10.0).fit(*binary).loss_curve_)
    rounding = 64 * np.finfo(float).eps * curve[:-1]  # the solvers' rounding allowance
    assert np.all(np.diff(curve) <= rounding)


def test_one_fixed_step_is_the_seeds_update(binary):
    """w_j := w_j - alpha dJ/dw_j and b := b - alpha dJ/db, all at once, from w = 0, b = 0."""
    X, y = binary
    alpha = 0.3
    model = GDLogisticRegression(C=np.inf, learning_rate=alpha, max_iter=1, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    error = expit(X @ np.zeros(5) + 0.0) - y  # f(x_i) - y_i at w = 0, b = 0
    w = 0 - alpha * (X.T @ error) / len(y)
    b = 0 - alpha * error.mean()
    assert_allclose(model.coef_[0], w, rtol=1e-14)
    assert model.intercept_[0] == pytest.approx(b, rel=1e-14)


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_diverging_learning_rate_raises_and_keeps_no_nan(solver):
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    X = X * 1000.0  # unscaled: a step of 10 overshoots wildly
    model = GDLogisticRegression(solver=solver, learning_rate=10.0)
    with pytest.raises(ValueError, match=r"learning_rate=10\.0"):
        model.fit(X, y)
    assert not hasattr(model, "coef_")


def test_convergence_warning_names_gradient_tol_and_hint(binary):
    message = r"max_iter=2 iterations: .* > tol=1e-06\. Scale the features"
    with pytest.warns(ConvergenceWarning, match=message):
        model = GDLogisticRegression(max_iter=2).fit(*binary)
    assert model.converged_ is False
    assert model.n_iter_[0] == 2


def test_l1_gives_exact_zeros(binary):
    X, y = binary
    X = np.hstack([X, np.random.RandomState(0).normal(size=(len(y), 10))])  # noise features
    model = GDLogisticRegression(C=0.05, l1_ratio=1.0).fit(X, y)
    assert np.count_nonzero(model.coef_ == 0.0) >= 5


def test_float32_stays_float32(multiclass):
    X, y = multiclass
    model = GDLogisticRegression().fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32
    reference = GDLogisticRegression().fit(X, y)
    assert_allclose(model.coef_, reference.coef_, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "container", [np.asfortranarray, sp.csr_matrix, sp.csc_matrix, sp.coo_matrix]
)
def test_input_containers_give_the_same_model(container, multiclass):
    X, y = multiclass
    # at the optimum itself: sparse X is fitted in slightly different variables
    # (scales rounded for lazy mini-batch steps), so paths differ within tol
    expected = GDLogisticRegression(tol=1e-10).fit(X, y)
    model = GDLogisticRegression(tol=1e-10).fit(container(X), y)
    assert_allclose(model.coef_, expected.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(model.predict_proba(container(X)), expected.predict_proba(X), rtol=1e-8)


def test_inputs_are_not_modified_nor_copied(binary):
    X, y = binary
    X_before, y_before = X.copy(), y.copy()
    weight = np.linspace(0.5, 2.0, len(y))
    weight_before = weight.copy()
    X.setflags(write=False)  # any write into X would raise
    try:
        GDLogisticRegression(l1_ratio=0.5, class_weight="balanced").fit(X, y, sample_weight=weight)
    finally:
        X.setflags(write=True)
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)
    assert_array_equal(weight, weight_before)


@pytest.mark.parametrize("sample_weight, message", [
    (-1.0, "non-negative"),
    (np.nan, "NaN or infinity"),
    (0.0, "sums to zero"),
    ("wrong length", r"sample_weight.shape == \(3,\), expected \(120,\)"),
])
def test_invalid_sample_weight_raises(sample_weight, message, binary):
    X, y = binary
    if isinstance(sample_weight, str):
        sample_weight = np.ones(3)
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(X, y, sample_weight=sample_weight)


def test_zero_class_weights_raise(binary):
    with pytest.raises(ValueError, match="sum to zero"):
        GDLogisticRegression(class_weight={0: 0.0, 1: 0.0}).fit(*binary)


@pytest.mark.parametrize(
    "container", [np.ascontiguousarray, np.asfortranarray, sp.csr_matrix, sp.csc_matrix]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_usable_X_reaches_the_objective_uncopied(container, dtype, binary, monkeypatch):
    from skgd import _logistic

    seen = []

    class Spy(_logistic.LogisticObjective):
        def __init__(self, X, *args):
            seen.append(X)
            super().__init__(X, *args)

    monkeypatch.setattr(_logistic, "LogisticObjective", Spy)
    X = container(binary[0].astype(dtype))
    GDLogisticRegression(tol=1e-4).fit(X, binary[1])
    data = X.data if sp.issparse(X) else X
    received = seen[0].data if sp.issparse(seen[0]) else seen[0]
    assert np.shares_memory(received, data)


def test_diverged_fit_is_not_fitted():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    model = GDLogisticRegression(learning_rate=1e3)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X * 1000.0, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_string_labels_and_dataframe(multiclass):
    X, y = multiclass
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = GDLogisticRegression().fit(frame, labels)
    assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    assert_array_equal(model.feature_names_in_, frame.columns)
    reference = LogisticRegression(tol=1e-10, max_iter=1000).fit(frame, labels)
    assert_array_equal(model.predict(frame), reference.predict(frame))


def test_warm_start_continues_from_previous_solution(binary):
    X, y = binary
    model = GDLogisticRegression(warm_start=True).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_[0] == 0  # already optimal
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="same features as the previous fit: it had 5 features"):
        model.fit(X[:, :3], y)
    with pytest.raises(ValueError, match="warm_start=True needs the same classes"):
        model.fit(X, np.where(y == 1, 2, y))
    assert_array_equal(model.coef_, coef)  # the failed fits lost nothing
    assert_array_equal(model.predict(X), GDLogisticRegression().fit(X, y).predict(X))


def test_unfitted_and_invalid_parameters(binary):
    X, y = binary
    with pytest.raises(NotFittedError):
        GDLogisticRegression().predict(X)
    for params, name in [
        ({"C": 0}, "C"),
        ({"l1_ratio": 1.5}, "l1_ratio"),
        ({"solver": "newton"}, "solver"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"max_iter": -1}, "max_iter"),
        ({"tol": -1.0}, "tol"),
    ]:
        with pytest.raises(ValueError, match=f"The '{name}' parameter"):
            GDLogisticRegression(**params).fit(X, y)


def test_sample_weight_routes_through_metadata_routing(binary):
    X, y = binary
    weight = np.random.RandomState(0).uniform(0.1, 3.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scaled = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            GDLogisticRegression().set_fit_request(sample_weight=True),
        )
        routed = scaled.fit(X, y, sample_weight=weight)[-1]
    direct = GDLogisticRegression().fit(StandardScaler().fit_transform(X), y, sample_weight=weight)
    assert_allclose(routed.coef_, direct.coef_, rtol=1e-10)


# The seed's tumour diagnosis (binary) and handwritten digits (10 classes).
@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits])
def test_pipeline_and_cross_validation_match_scikit_learn(loader):
    X, y = loader(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    tight = {"max_iter": 5000, "tol": 1e-8}
    ours = make_pipeline(StandardScaler(), GDLogisticRegression(**tight))
    theirs = make_pipeline(StandardScaler(), LogisticRegression(**tight))
    ours, theirs = (cross_val_score(model, X, y, cv=cv) for model in (ours, theirs))
    # The same objective at the same optimum: the same held-out accuracy, fold by fold.
    assert_allclose(ours, theirs, atol=1e-12)
    # At both defaults (tol=1e-4), the scores may differ by a sample here and there.
    ours = cross_val_score(make_pipeline(StandardScaler(), GDLogisticRegression()), X, y, cv=cv)
    theirs = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=cv)
    assert_allclose(ours, theirs, atol=0.01)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits])
def test_grid_search_over_C_and_l1_ratio(loader):
    X, y = loader(return_X_y=True)
    grid = {"model__C": [0.1, 1.0], "model__l1_ratio": [0.0, 0.5]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", GDLogisticRegression())])
    ours = GridSearchCV(pipeline, grid, cv=cv, n_jobs=2).fit(X, y)
    # saga is scikit-learn's solver for elastic-net; at its default tol it takes
    # minutes on digits, and 1e-3 already settles held-out accuracy.
    saga = LogisticRegression(solver="saga", tol=1e-3, max_iter=2000)
    reference = Pipeline([("scale", StandardScaler()), ("model", saga)])
    theirs = GridSearchCV(reference, grid, cv=cv, n_jobs=2).fit(X, y)
    assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.01
    )
    assert ours.best_score_ >= theirs.best_score_ - 0.005


@pytest.mark.parametrize(
    "labels",
    [
        np.array([3, 0, 3, 7, 0]),  # small non-negative integers: counted
        np.array([3, 0, 3, 7, 0], dtype=np.uint64),
        np.array([3, -1, 3, 10**9, -1]),  # negative or large integers: sorted
        np.array([2.5, -1.0, 2.5]),
        np.array(["b", "a", "c", "a"], dtype=object),
        np.array([True, False, True]),
    ],
)
def test_labels_are_encoded_as_label_encoder_does(labels):
    classes, codes = encode_labels(labels)
    encoder = LabelEncoder().fit(labels)
    assert_array_equal(classes, encoder.classes_)
    assert classes.dtype == encoder.classes_.dtype
    assert_array_equal(codes, encoder.transform(labels))


def _peak_memory_of_fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GDLogisticRegression(**params).fit(X[:100], y[:100])  # imports and first-call caches
        tracemalloc.start()
        try:
            GDLogisticRegression(**params).fit(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
def test_fit_allocates_no_copy_of_large_X(solver):
    # 32 MB of X: the blocked, threaded path; its temporaries are of block size,
    # so what a fit allocates is a few per-sample vectors (1% of X each here)
    X, y = make_classification(40_000, 100, random_state=0)
    assert _peak_memory_of_fit(X, y, solver=solver, max_iter=20) < 0.1 * X.nbytes


def _shuffle_indices_within_rows(X, seed=0):
    """The same matrix with each row's (column's) entries stored in random order."""
    X = X.copy()
    rng = np.random.RandomState(seed)
    for start, stop in zip(X.indptr[:-1], X.indptr[1:], strict=True):
        order = start + rng.permutation(stop - start)
        X.indices[start:stop], X.data[start:stop] = X.indices[order], X.data[order]
    X.has_sorted_indices = False
    return X


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
@pytest.mark.parametrize("layout", ["csr", "csr unsorted", "csc", "csc unsorted"])
def test_sparse_fit_allocates_no_copy_of_X(solver, layout):
    # 1.2e6 stored entries (14 MB), about 20 times the chunks the moments take
    rng = np.random.RandomState(0)
    entries = rng.normal(size=1_200_000), rng.randint(0, (40_000, 3_000), (1_200_000, 2)).T
    X = sp.coo_matrix((entries[0], tuple(entries[1])), shape=(40_000, 3_000)).asformat(layout[:3])
    if layout.endswith("unsorted"):
        X = _shuffle_indices_within_rows(X)
        assert not X.has_canonical_format
    row_sums = np.asarray(X.sum(axis=1)).ravel()
    y = (row_sums > np.median(row_sums)).astype(int)
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    assert _peak_memory_of_fit(X, y, solver=solver, max_iter=5) < 1.2 * nbytes
