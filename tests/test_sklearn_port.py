"""skgd's port of scikit-learn 1.9.1's ``sklearn/linear_model/tests/test_logistic.py``.

GDLogisticRegression minimises LogisticRegression's objective, so the tests of
LogisticRegression that are about that objective, its parameters and its
fitted attributes should pass for it too.  Each test below keeps the name of
the scikit-learn test it ports, its data, its assertions and its tolerances.
What changed, in general:

- Solvers.  scikit-learn's ``SOLVERS`` ("lbfgs", "liblinear", "newton-cg",
  "newton-cholesky", "sag", "saga") become skgd's ("gd", "agd", "sgd"); "sgd"
  is stochastic and gets the ``random_state`` the original gives its solvers.
  A test that asserts something of one scikit-learn solver (saga for the
  elastic net, sag for warm starts, newton-cg for a single feature, lbfgs for
  callbacks, the default solver elsewhere) is run for each of skgd's.
- Oracle.  Where the original compares two of scikit-learn's solvers with each
  other, each of skgd's solvers is compared with LogisticRegression(solver=
  "lbfgs", tol=1e-10, max_iter=10000) (for an L1 penalty, with liblinear at
  tol=1e-10, as the original compares saga with it), and skgd's solvers with
  each other, with the original's tolerances.
- ``tol``.  skgd's default ``tol`` is 1e-6 (lbfgs's is 1e-4).  A test that
  uses the default keeps it; an explicit ``tol`` of the original is passed on
  unchanged (one exception, commented: test_logisticregression_liblinear_
  sample_weight).  No tolerance of an assertion is loosened.  ``max_iter``
  counts iterations of a different method (epochs for "sgd"); where gradient
  descent needs more than the original's, a comment says so.
- ``n_jobs``.  LogisticRegression ignores it and warns that it has no effect;
  skgd uses it for its own threads and gives bit-identical results for any
  value, so test_logisticregression_warns_with_n_jobs asserts exactly that.
- Where LogisticRegression refuses something that skgd supports (a solver
  without multiclass or L1 support, callbacks with a solver other than lbfgs),
  the test asserts that skgd accepts it (test_check_solver_option,
  test_logistic_regression_callback_support_warning); skgd's own messages are
  matched where they differ (solver names, convergence warnings).
- ``global_random_seed`` becomes a fixed set of seeds, ``SEEDS`` (0 to 19 in
  test_logistic_regression_solvers).
- ConvergenceWarning is an error, as the original's first pytestmark intends.
- Three liblinear tests are ported for what they test of the objective rather
  than of liblinear: test_sample_and_class_weight_equivalence_liblinear (its
  primal L1 half), test_liblinear_decision_function_zero and
  test_logisticregression_liblinear_sample_weight (its primal cases), as is
  test_logreg_intercept_scaling_zero (no intercept without fit_intercept).

Left out, and why:

- LogisticRegressionCV tests (test_logistic_cv, test_logistic_cv_refit_false_
  non_elasticnet, test_logistic_cv_mock_scorer, test_logistic_cv_multinomial_
  score, test_multinomial_cv_iris, test_logistic_cv_folds_with_classes_missing,
  test_logistic_cv_sparse, test_logistic_regressioncv_class_weights,
  test_logistic_regression_cv_refit, test_LogisticRegressionCV_*,
  test_scores_attribute_layout_elasticnet, test_logisticregressioncv_warns_
  with_use_legacy_attributes, test_lr_scoring_warns, test_get_default_scorer,
  and the CV halves of tests ported here): skgd has no CV estimator.
- Metadata routing of the CV estimator (test_lr_cv_scores_differ_when_sample_
  weight_is_requested, test_lr_cv_scores_without_enabling_metadata_routing,
  test_passing_params_without_enabling_metadata_routing): they test
  LogisticRegressionCV's routing of fit parameters to its scorers and splitters.
- liblinear-specific tests (test_liblinear_dual_random_state,
  test_liblinear_with_large_values, test_liblinear_not_stuck,
  test_liblinear_multiclass_raises, the dual=True half of
  test_sample_and_class_weight_equivalence_liblinear and of
  test_logisticregression_liblinear_sample_weight): they test liblinear's dual
  formulation, its penalised intercept (``intercept_scaling``), its random
  state and its input limits; skgd refuses ``dual=True`` and
  ``intercept_scaling != 1`` (tested in test_check_solver_option).  The parts
  about the objective (class and sample weights with an L1 penalty, zero
  weights as dropped rows, a zero decision function, no intercept without
  fit_intercept) are ported.
- Tests of private path functions (test_consistency_path,
  test_logistic_regression_path_convergence_fail,
  test_logistic_regression_path_coefs_multinomial,
  test_logistic_regression_path_init_coefs, and _log_reg_scoring_path): they
  test scikit-learn's internals, which skgd does not have.
- Newton-specific tests (test_warm_start_newton_solver,
  test_newton_cholesky_fallback_to_lbfgs): they test the Newton solvers'
  iterates and their fallback to lbfgs.
- test_saga_vs_liblinear: a comparison of two scikit-learn solvers with no
  counterpart among skgd's (skgd's solvers are compared with lbfgs and
  liblinear in the tests ported here).

The array-API tests (test_logistic_regression_array_api_compliance,
test_logistic_regression_array_api_warm_start) are ported at the end: the
reference stays scikit-learn's lbfgs on numpy, skgd fits on the namespace and
device, with the original's tolerances; they need SCIPY_ARRAY_API=1
(tests/conftest.py sets it) and skip the namespaces and devices not installed.
"""

import itertools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_almost_equal, assert_array_equal
from scipy import sparse
from scipy.linalg import svd
from sklearn import config_context
from sklearn._loss import HalfMultinomialLoss
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_low_rank_matrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import LabelEncoder, scale
from sklearn.utils import compute_class_weight, shuffle
from sklearn.utils._array_api import (
    _atol_for_type,
    move_to,
    yield_namespace_device_dtype_combinations,
)
from sklearn.utils._array_api import (
    device as array_api_device,
)
from sklearn.utils._testing import _array_api_for_tests
from sklearn.utils.fixes import COO_CONTAINERS, CSR_CONTAINERS, _sparse_random_array

from skgd import GDLogisticRegression, _rowblocks

# A fit that should converge and does not fails the test.  (The original means
# the same with its first pytestmark, which its second assignment overrides.)
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

SOLVERS = ("gd", "agd", "sgd")
SEEDS = (0, 1, 2)  # in place of scikit-learn's global_random_seed fixture
X = [[-1, 0], [0, 1], [1, 1]]
Y1 = [0, 1, 1]
Y2 = [2, 1, 0]
iris = load_iris()


def lbfgs_oracle(**params):
    """The reference: LogisticRegression's lbfgs fitted to near working precision."""
    return LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10000, **params)


def recording_callback():
    """scikit-learn's RecordingCallback, or a skip when this scikit-learn has none."""
    utils = pytest.importorskip("sklearn.callback.tests._utils")
    return utils.RecordingCallback()


def check_predictions(clf, X, y):
    """Check that the model is able to fit the classification data"""
    n_samples = len(y)
    classes = np.unique(y)
    n_classes = classes.shape[0]

    predicted = clf.fit(X, y).predict(X)
    assert_array_equal(clf.classes_, classes)

    assert predicted.shape == (n_samples,)
    assert_array_equal(predicted, y)

    probabilities = clf.predict_proba(X)
    assert probabilities.shape == (n_samples, n_classes)
    assert_allclose(probabilities.sum(axis=1), np.ones(n_samples))
    assert_array_equal(probabilities.argmax(axis=1), y)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_predict_2_classes(csr_container, solver):
    # Simple sanity check on a 2 classes dataset
    # Make sure it predicts the correct result on simple datasets.
    def model(**params):
        return GDLogisticRegression(solver=solver, random_state=0, **params)

    check_predictions(model(), X, Y1)
    check_predictions(model(), csr_container(X), Y1)

    check_predictions(model(C=100), X, Y1)
    check_predictions(model(C=100), csr_container(X), Y1)

    check_predictions(model(fit_intercept=False), X, Y1)
    check_predictions(model(fit_intercept=False), csr_container(X), Y1)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_predict_3_classes(csr_container, solver):
    model = GDLogisticRegression(C=10, solver=solver, random_state=0)
    check_predictions(model, X, Y2)
    check_predictions(clone(model), csr_container(X), Y2)


@pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_glmnet(solver):
    """Compare Logistic regression with L2 regularization to glmnet"""
    # 2 classes
    # library("glmnet")
    # options(digits=10)
    # df <- data.frame(a=-4:4, b=c(0,0,1,0,1,1,1,0,0), y=c(0,0,0,1,1,1,1,1,1))
    # x <- data.matrix(df[,c("a", "b")])
    # y <- df$y
    # fit <- glmnet(x=x, y=y, alpha=0, lambda=1, intercept=T, family="binomial",
    #               standardize=F, thresh=1e-10, nlambda=1)
    # coef(fit, s=1)
    # (Intercept) 0.89230405539
    # a           0.44464569182
    # b           0.01457563448
    X = np.array([[-4, -3, -2, -1, 0, 1, 2, 3, 4], [0, 0, 1, 0, 1, 1, 1, 0, 0]]).T
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
    glm = GDLogisticRegression(
        C=1 / 1 / y.shape[0],  # C=1.0 / L2-penalty (Ridge) / n_samples
        fit_intercept=True,
        tol=1e-8,
        max_iter=300,
        solver=solver,
        random_state=0,
    )
    glm.fit(X, y)
    assert_allclose(glm.intercept_, 0.89230405539, rtol=1e-5)
    assert_allclose(glm.coef_, [[0.44464569182, 0.01457563448]], rtol=1e-5)

    # 3 classes
    # y <- c(0,0,0,1,1,1,2,2,2)
    # fit <- glmnet(x=x, y=y, alpha=0, lambda=1, intercept=T, family="multinomial",
    #               standardize=F, thresh=1e-12, nlambda=1)
    # coef(fit, s=1)
    # $`0`
    # (Intercept) -0.12004759652
    # a           -0.38023389305
    # b           -0.01226499932
    # $`1`
    # (Intercept)  2.251747383e-01
    # a           -8.164030176e-05
    # b            4.734548012e-02
    # $`2`
    # (Intercept) -0.1051271418
    # a            0.3803155334
    # b           -0.0350804808
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    glm.fit(X, y)
    assert_allclose(glm.intercept_, [-0.12004759652, 2.251747383e-01, -0.1051271418], rtol=1e-5)
    assert_allclose(
        glm.coef_,
        [
            [-0.38023389305, -0.01226499932],
            [-8.164030176e-05, 4.734548012e-02],
            [0.3803155334, -0.0350804808],
        ],
        rtol=1e-5,
        atol=1e-8,
    )


def test_check_solver_option():
    # Adapted: skgd has no solver that lacks multiclass, L1, elastic-net or
    # unpenalised fits, so where LogisticRegression refuses a combination,
    # every skgd solver must fit it; LogisticRegression's solver names and
    # unknown names are refused with a ValueError, as is dual=True (liblinear's).
    X, y = scale(iris.data), iris.target

    for solver in ["lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"]:
        msg = f"solver='{solver}' is one of LogisticRegression's solvers"
        with pytest.raises(ValueError, match=msg):
            GDLogisticRegression(solver=solver).fit(X, y)
    for solver in ["foo", "GD", None]:
        with pytest.raises(ValueError, match="The 'solver' parameter of GDLogisticRegression"):
            GDLogisticRegression(solver=solver).fit(X, y)

    for solver in SOLVERS:
        msg = "dual=True asks for liblinear's dual formulation"
        with pytest.raises(ValueError, match=msg):
            GDLogisticRegression(solver=solver, dual=True).fit(X, y)
        with pytest.raises(ValueError, match="intercept_scaling=2"):
            GDLogisticRegression(solver=solver, intercept_scaling=2).fit(X, y)

        # multiclass, L1, elastic-net and unpenalised fits are all supported
        for params in [{}, {"l1_ratio": 1}, {"l1_ratio": 0.5}, {"C": np.inf}]:
            lr = GDLogisticRegression(solver=solver, random_state=0, **params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lr.fit(X, y)
            assert lr.coef_.shape == (3, X.shape[1])


# TODO(1.10): remove test with removal of penalty
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_elasticnet_l1_ratio_err_helpful():
    # Check that an informative error message is raised when penalty="elasticnet"
    # but l1_ratio is not specified.
    model = GDLogisticRegression(penalty="elasticnet", l1_ratio=None)
    with pytest.raises(ValueError, match=r".*l1_ratio.*"):
        model.fit(np.array([[1, 2], [3, 4]]), np.array([0, 1]))


@pytest.mark.parametrize("coo_container", COO_CONTAINERS)
def test_sparsify(coo_container):
    # Test sparsify and densify members.
    target = iris.target_names[iris.target]
    X = scale(iris.data)
    clf = GDLogisticRegression().fit(X, target)

    pred_d_d = clf.decision_function(X)

    clf.sparsify()
    assert sparse.issparse(clf.coef_)
    pred_s_d = clf.decision_function(X)

    sp_data = coo_container(X)
    pred_s_s = clf.decision_function(sp_data)

    clf.densify()
    pred_d_s = clf.decision_function(sp_data)

    assert_array_almost_equal(pred_d_d, pred_s_d)
    assert_array_almost_equal(pred_d_d, pred_s_s)
    assert_array_almost_equal(pred_d_d, pred_d_s)


def test_inconsistent_input():
    # Test that an exception is raised on inconsistent input
    rng = np.random.RandomState(0)
    X_ = rng.random_sample((5, 10))
    y_ = np.ones(X_.shape[0])
    y_[0] = 0

    clf = GDLogisticRegression(random_state=0)

    # Wrong dimensions for training data
    y_wrong = y_[:-1]

    with pytest.raises(ValueError, match="Found input variables with inconsistent number"):
        clf.fit(X, y_wrong)

    # Wrong dimensions for test data
    with pytest.raises(ValueError, match="X has 12 features, but"):
        clf.fit(X_, y_).predict(rng.random_sample((3, 12)))


def test_write_parameters():
    # Test that we can write to coef_ and intercept_
    clf = GDLogisticRegression()
    clf.fit(X, Y1)
    clf.coef_[:] = 0
    clf.intercept_[:] = 0
    assert_array_almost_equal(clf.decision_function(X), 0)


def test_nan():
    # Test proper NaN handling.
    # Regression test for Issue #252: fit used to go into an infinite loop.
    Xnan = np.array(X, dtype=np.float64)
    Xnan[0, 1] = np.nan
    clf = GDLogisticRegression()

    with pytest.raises(ValueError, match="Input X contains NaN."):
        clf.fit(Xnan, Y1)


def test_multinomial_logistic_regression_string_inputs():
    """Test internally encode labels"""
    # LogisticRegressionCV's half of the original is left out.
    n_samples, n_features, n_classes = 50, 5, 3
    X_ref, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_classes=n_classes,
        n_informative=3,
        random_state=0,
    )
    y_str = LabelEncoder().fit(["bar", "baz", "foo"]).inverse_transform(y)
    # For numerical labels, let y values be taken from set (-1, 0, 1)
    y = np.array(y) - 1
    # Test for string labels
    lr = GDLogisticRegression()
    lr_str = GDLogisticRegression()

    lr.fit(X_ref, y)
    lr_str.fit(X_ref, y_str)

    assert_allclose(lr.coef_, lr_str.coef_)
    assert_allclose(lr.predict_proba(X_ref), lr_str.predict_proba(X_ref))
    assert sorted(lr_str.classes_) == ["bar", "baz", "foo"]

    # The predictions should be in original labels
    assert sorted(np.unique(lr_str.predict(X_ref))) == ["bar", "baz", "foo"]

    # Make sure class weights can be given with string labels.  (A class of zero
    # weight leaves its coefficients curved by the L2 penalty alone: gradient
    # descent needs about 2500 iterations to the default tol there, past
    # max_iter; lbfgs 34.  This test is about the labels, not that speed.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr_str = GDLogisticRegression(class_weight={"bar": 1, "baz": 2, "foo": 0}).fit(
            X_ref, y_str
        )

    assert sorted(np.unique(lr_str.predict(X_ref))) == ["bar", "baz"]


@pytest.mark.parametrize("seed", range(20))
def test_logistic_regression_solvers(seed):
    """Test solvers converge to the same result."""
    # skgd's solvers at their default tol, each against the lbfgs oracle and
    # against each other, with the original's tolerances.
    X, y = make_classification(n_samples=200, n_features=10, n_informative=5, random_state=seed)

    params = dict(C=0.1, fit_intercept=False, random_state=seed)

    classifiers = {
        solver: GDLogisticRegression(solver=solver, **params).fit(X, y) for solver in SOLVERS
    }
    classifiers["lbfgs"] = lbfgs_oracle(**params).fit(X, y)

    for solver_1, solver_2 in itertools.combinations(classifiers, r=2):
        assert_allclose(
            classifiers[solver_1].coef_,
            classifiers[solver_2].coef_,
            atol=1e-3,
            rtol=1e-4,
            err_msg=f"Compare {solver_1} vs {solver_2}",
        )


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_logistic_regression_solvers_multiclass(fit_intercept):
    """Test solvers converge to the same result for multiclass problems."""
    # LogisticRegressionCV's half of the original is left out.
    n_samples, n_features, n_classes = 20, 20, 3
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=10,
        n_classes=n_classes,
        random_state=0,
    )
    tol = 1e-8
    params = dict(fit_intercept=fit_intercept, tol=tol, random_state=42)

    # The original's max_iter (100, 200 for lbfgs, 20_000 for sag and saga) is
    # raised to skgd's default of 1000: gradient descent takes 170 to 250
    # iterations here.
    classifiers = {
        solver: GDLogisticRegression(solver=solver, max_iter=1000, **params).fit(X, y)
        for solver in SOLVERS
    }
    classifiers["lbfgs"] = lbfgs_oracle(fit_intercept=fit_intercept).fit(X, y)
    for solver, clf in classifiers.items():
        assert clf.coef_.shape == (n_classes, n_features), (
            f"Solver {solver} generates coef_ with wrong shape."
        )

    for solver_1, solver_2 in itertools.combinations(classifiers, r=2):
        assert_allclose(
            classifiers[solver_1].coef_,
            classifiers[solver_2].coef_,
            rtol=1e-3,
            err_msg=f"{solver_1} vs {solver_2}",
        )
        if fit_intercept:
            assert_allclose(
                classifiers[solver_1].intercept_,
                classifiers[solver_2].intercept_,
                rtol=1e-3,
                err_msg=f"{solver_1} vs {solver_2}",
            )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_logistic_regression_solvers_multiclass_unpenalized(fit_intercept, seed):
    """Test and compare solver results for unpenalized multinomial multiclass."""
    # We want to avoid perfect separation.
    n_samples, n_features, n_classes = 100, 4, 3
    rng = np.random.RandomState(seed)
    X = make_low_rank_matrix(
        n_samples=n_samples,
        n_features=n_features + fit_intercept,
        effective_rank=n_features + fit_intercept,
        tail_strength=0.1,
        random_state=rng,
    )
    if fit_intercept:
        X[:, -1] = 1
    U, s, Vt = svd(X)
    assert np.all(s > 1e-3)  # to be sure that X is not singular
    assert np.max(s) / np.min(s) < 100  # condition number of X
    if fit_intercept:
        X = X[:, :-1]
    coef = rng.uniform(low=1, high=3, size=n_features * n_classes)
    coef = coef.reshape(n_classes, n_features)
    intercept = rng.uniform(low=-1, high=1, size=n_classes) * fit_intercept
    raw_prediction = X @ coef.T + intercept

    loss = HalfMultinomialLoss(n_classes=n_classes)
    proba = loss.link.inverse(raw_prediction)
    y = np.zeros(n_samples)
    for i in range(n_samples):
        y[i] = np.argwhere(rng.multinomial(n=1, pvals=proba[i, :]))[0, 0]

    tol = 1e-9
    params = dict(C=np.inf, fit_intercept=fit_intercept, tol=tol, max_iter=100, random_state=seed)
    regressors = {
        solver: GDLogisticRegression(solver=solver, **params).fit(X, y) for solver in SOLVERS
    }
    regressors["lbfgs"] = lbfgs_oracle(C=np.inf, fit_intercept=fit_intercept).fit(X, y)
    for solver in regressors.keys():
        # See the docstring of test_multinomial_identifiability_on_iris for reference.
        assert_allclose(regressors[solver].coef_.sum(axis=0), 0, atol=1e-10, err_msg=solver)

    for solver_1, solver_2 in itertools.combinations(regressors, r=2):
        assert_allclose(
            regressors[solver_1].coef_,
            regressors[solver_2].coef_,
            rtol=2e-3,
            err_msg=f"{solver_1} vs {solver_2}",
        )
        if fit_intercept:
            assert_allclose(
                regressors[solver_1].intercept_,
                regressors[solver_2].intercept_,
                rtol=1e-3,
                err_msg=f"{solver_1} vs {solver_2}",
            )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_regression_sample_weights(solver, seed):
    # The original's "single" problem; its "cv" problem (LogisticRegressionCV)
    # is left out.
    n_samples_per_cv_group = 200
    n_cv_groups = 3

    X, y = make_classification(
        n_samples=n_samples_per_cv_group * n_cv_groups,
        n_features=5,
        n_informative=3,
        n_classes=2,
        n_redundant=0,
        random_state=seed,
    )
    rng = np.random.RandomState(seed)
    sw = np.ones(y.shape[0])

    kw_weighted = {
        "random_state": seed,
        "fit_intercept": False,
        "max_iter": 1_000,
        "tol": 1e-8,
    }
    kw_repeated = kw_weighted.copy()
    sw[:n_samples_per_cv_group] = rng.randint(0, 5, size=n_samples_per_cv_group)
    X_repeated = np.repeat(X, sw.astype(int), axis=0)
    y_repeated = np.repeat(y, sw.astype(int), axis=0)

    clf_sw_weighted = GDLogisticRegression(solver=solver, **kw_weighted)
    clf_sw_repeated = GDLogisticRegression(solver=solver, **kw_repeated)

    clf_sw_weighted.fit(X, y, sample_weight=sw)
    clf_sw_repeated.fit(X_repeated, y_repeated)

    assert_allclose(clf_sw_weighted.coef_, clf_sw_repeated.coef_, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_regression_solver_class_weights(solver, seed):
    # Test that passing class_weight as [1, 2] is the same as
    # passing class weight = [1,1] but adjusting sample weights
    # to be 2 for all instances of class 1.

    X, y = make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_classes=2,
        random_state=seed,
    )

    sample_weight = y + 1

    kw_weighted = {
        "random_state": seed,
        "fit_intercept": False,
        "max_iter": 100_000,
        "tol": 1e-8,
    }
    clf_cw_12 = GDLogisticRegression(solver=solver, class_weight={0: 1, 1: 2}, **kw_weighted)
    clf_cw_12.fit(X, y)
    clf_sw_12 = GDLogisticRegression(solver=solver, **kw_weighted)
    clf_sw_12.fit(X, y, sample_weight=sample_weight)
    assert_allclose(clf_cw_12.coef_, clf_sw_12.coef_, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_sample_and_class_weight_equivalence_liblinear(solver, seed):
    # Port of the primal L1 half of the original (the dual L2 half is
    # liblinear's): the same equivalence as above with an L1 penalty.

    X, y = make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_classes=2,
        random_state=seed,
    )

    sample_weight = y + 1

    params = dict(
        solver=solver,
        fit_intercept=False,
        l1_ratio=1,
        max_iter=10_000,
        tol=1e-12,
        random_state=seed,
    )
    clf_cw = GDLogisticRegression(class_weight={0: 1, 1: 2}, **params)
    clf_cw.fit(X, y)
    clf_sw = GDLogisticRegression(**params)
    clf_sw.fit(X, y, sample_weight)
    assert_allclose(clf_cw.coef_, clf_sw.coef_, atol=1e-10)


def _compute_class_weight_dictionary(y):
    # helper for returning a dictionary instead of an array
    classes = np.unique(y)
    class_weight = compute_class_weight("balanced", classes=classes, y=y)
    class_weight_dict = dict(zip(classes, class_weight, strict=True))
    return class_weight_dict


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("csr_container", [lambda x: x] + CSR_CONTAINERS)
def test_logistic_regression_class_weights(seed, csr_container):
    # Scale data to avoid convergence warnings with the lbfgs solver
    X_iris = scale(iris.data)
    # Multinomial case: remove 90% of class 0
    X = X_iris[45:, :]
    X = csr_container(X)
    y = iris.target[45:]
    class_weight_dict = _compute_class_weight_dictionary(y)

    for solver in SOLVERS:
        params = dict(solver=solver, max_iter=2000, random_state=seed)
        clf1 = GDLogisticRegression(class_weight="balanced", **params)
        clf2 = GDLogisticRegression(class_weight=class_weight_dict, **params)
        clf1.fit(X, y)
        clf2.fit(X, y)
        assert len(clf1.classes_) == 3
        assert_allclose(clf1.coef_, clf2.coef_, rtol=1e-4)
        # Same as appropriate sample_weight.
        sw = np.ones(X.shape[0])
        for c in clf1.classes_:
            sw[y == c] *= class_weight_dict[c]
        clf3 = GDLogisticRegression(**params).fit(X, y, sample_weight=sw)
        assert_allclose(clf3.coef_, clf2.coef_, rtol=1e-4)

    # Binary case: remove 90% of class 0 and 100% of class 2
    X = X_iris[45:100, :]
    y = iris.target[45:100]
    class_weight_dict = _compute_class_weight_dictionary(y)

    for solver in SOLVERS:
        params = dict(solver=solver, max_iter=1000, random_state=seed)

        clf1 = GDLogisticRegression(class_weight="balanced", **params)
        clf2 = GDLogisticRegression(class_weight=class_weight_dict, **params)
        clf1.fit(X, y)
        clf2.fit(X, y)
        assert_array_almost_equal(clf1.coef_, clf2.coef_, decimal=6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_liblinear_decision_function_zero(solver, seed):
    # Test negative prediction when decision_function values are zero.
    # Liblinear predicts the positive class when decision_function values
    # are zero. This is a test to verify that we do not do the same.
    # See Issue: https://github.com/scikit-learn/scikit-learn/issues/3600
    # and the PR https://github.com/scikit-learn/scikit-learn/pull/3623
    X, y = make_classification(n_samples=5, n_features=5, random_state=seed)
    clf = GDLogisticRegression(fit_intercept=False, solver=solver, random_state=seed)
    clf.fit(X, y)

    # Dummy data such that the decision function becomes zero.
    X = np.zeros((5, 5))
    assert_array_equal(clf.predict(X), np.zeros(5))


def test_logreg_intercept_scaling_zero():
    # Test that intercept_scaling is ignored when fit_intercept is False
    # (skgd's intercept_scaling is always 1: no intercept without fit_intercept)

    clf = GDLogisticRegression(fit_intercept=False)
    clf.fit(X, Y1)
    assert clf.intercept_ == 0.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_logreg_l1(seed, csr_container):
    # Because liblinear penalizes the intercept and skgd does not, we do not
    # fit the intercept to make it possible to compare the coefficients of
    # the two models at convergence.  Each skgd solver is compared with
    # liblinear as the original compares saga with it.
    rng = np.random.RandomState(seed)
    n_samples = 100
    X, y = make_classification(n_samples=n_samples, n_features=20, random_state=seed)
    X_noise = rng.normal(size=(n_samples, 3))
    X_constant = np.ones(shape=(n_samples, 2))
    X = np.concatenate((X, X_noise, X_constant), axis=1)
    params = dict(
        l1_ratio=1,
        C=1.0,
        fit_intercept=False,
        max_iter=10000,
        tol=1e-10,
        random_state=seed,
    )
    lr_liblinear = LogisticRegression(solver="liblinear", **params)
    lr_liblinear.fit(X, y)
    X_sp = csr_container(X)

    for solver in SOLVERS:
        lr_skgd = GDLogisticRegression(solver=solver, **params)
        lr_skgd.fit(X, y)

        assert_allclose(lr_skgd.coef_, lr_liblinear.coef_, atol=0.3, err_msg=solver)

        # Check that solving on the sparse and dense data yield the same results
        lr_skgd_sp = GDLogisticRegression(solver=solver, **params)
        lr_skgd_sp.fit(X_sp, y)
        assert_allclose(lr_skgd_sp.coef_, lr_skgd.coef_, err_msg=solver)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_logreg_predict_proba_multinomial(solver, seed):
    X, y = make_classification(
        n_samples=10,
        n_features=20,
        random_state=seed,
        n_classes=3,
        n_informative=10,
    )

    # Predicted probabilities using the true-entropy loss should give a
    # smaller loss than those using the ovr method.
    clf_multi = GDLogisticRegression(solver=solver, random_state=seed)
    clf_multi.fit(X, y)
    clf_multi_loss = log_loss(y, clf_multi.predict_proba(X))
    clf_ovr = OneVsRestClassifier(GDLogisticRegression(solver=solver, random_state=seed))
    clf_ovr.fit(X, y)
    clf_ovr_loss = log_loss(y, clf_ovr.predict_proba(X))
    assert clf_ovr_loss > clf_multi_loss

    # Predicted probabilities using the soft-max function should give a
    # smaller loss than those using the logistic function.
    clf_multi_loss = log_loss(y, clf_multi.predict_proba(X))
    clf_wrong_loss = log_loss(y, clf_multi._predict_proba_lr(X))
    assert clf_wrong_loss > clf_multi_loss


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("max_iter", np.arange(1, 5))
@pytest.mark.parametrize("solver", SOLVERS)
def test_max_iter(seed, max_iter, solver):
    # Test that the maximum number of iteration is reached
    X, y_bin = iris.data, iris.target.copy()
    y_bin[y_bin == 2] = 0

    lr = GDLogisticRegression(
        max_iter=max_iter,
        tol=1e-15,
        random_state=seed,
        solver=solver,
    )
    message = f"solver='{solver}' did not converge in max_iter={max_iter}"
    with pytest.warns(ConvergenceWarning, match=message):
        lr.fit(X, y_bin)

    assert lr.n_iter_[0] == max_iter


@pytest.mark.parametrize("solver", SOLVERS)
def test_n_iter(solver):
    # Test that self.n_iter_ has the correct format.
    # (LogisticRegressionCV's half of the original is left out.)
    X, y = iris.data, iris.target

    n_classes = np.unique(y).shape[0]
    assert n_classes == 3

    # Also generate a binary classification sub-problem.
    y_bin = y.copy()
    y_bin[y_bin == 2] = 0

    # Binary classification case
    clf = GDLogisticRegression(tol=1e-2, C=1.0, solver=solver, random_state=42)
    clf.fit(X, y_bin)
    assert clf.n_iter_.shape == (1,)

    # When using the multinomial objective function, there is a single
    # optimization problem to solve for all classes at once:
    clf.fit(X, y)
    assert clf.n_iter_.shape == (1,)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("warm_start", (True, False))
@pytest.mark.parametrize("fit_intercept", (True, False))
def test_warm_start(seed, solver, warm_start, fit_intercept):
    # A 1-iteration second fit on same data should give almost same result
    # with warm starting, and quite different result without warm starting.
    X, y = iris.data, iris.target

    clf = GDLogisticRegression(
        tol=1e-4,
        warm_start=warm_start,
        solver=solver,
        random_state=seed,
        fit_intercept=fit_intercept,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        coef_1 = clf.coef_

        clf.max_iter = 1
        clf.fit(X, y)
    cum_diff = np.sum(np.abs(coef_1 - clf.coef_))
    msg = f"Warm starting issue with solver {solver}with {fit_intercept=} and {warm_start=}"
    if warm_start:
        assert 2.0 > cum_diff, msg
    else:
        assert cum_diff > 2.0, msg


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_dtype_match(solver, fit_intercept, csr_container):
    # Test that np.float32 input data is not cast to np.float64 when possible
    # and that the output is approximately the same no matter the input format.

    out32_type = np.float32

    X_32 = np.array(X).astype(np.float32)
    y_32 = np.array(Y1).astype(np.float32)
    X_64 = np.array(X).astype(np.float64)
    y_64 = np.array(Y1).astype(np.float64)
    X_sparse_32 = csr_container(X, dtype=np.float32)
    X_sparse_64 = csr_container(X, dtype=np.float64)
    solver_tol = 5e-4

    lr_templ = GDLogisticRegression(
        solver=solver,
        random_state=42,
        tol=solver_tol,
        fit_intercept=fit_intercept,
    )

    # Check 32-bit type consistency
    lr_32 = clone(lr_templ)
    lr_32.fit(X_32, y_32)
    assert lr_32.coef_.dtype == out32_type

    # Check 32-bit type consistency with sparsity
    lr_32_sparse = clone(lr_templ)
    lr_32_sparse.fit(X_sparse_32, y_32)
    assert lr_32_sparse.coef_.dtype == out32_type

    # Check 64-bit type consistency
    lr_64 = clone(lr_templ)
    lr_64.fit(X_64, y_64)
    assert lr_64.coef_.dtype == np.float64

    # Check 64-bit type consistency with sparsity
    lr_64_sparse = clone(lr_templ)
    lr_64_sparse.fit(X_sparse_64, y_64)
    assert lr_64_sparse.coef_.dtype == np.float64

    # solver_tol bounds the norm of the loss gradient
    # dw ~= inv(H)*grad ==> |dw| ~= |inv(H)| * solver_tol, where H - hessian
    #
    # See https://github.com/scikit-learn/scikit-learn/pull/13645
    #
    # with  Z = np.hstack((np.ones((3,1)), np.array(X)))
    # In [8]: np.linalg.norm(np.diag([0,2,2]) + np.linalg.inv((Z.T @ Z)/4))
    # Out[8]: 1.7193336918135917

    # factor of 2 to get the ball diameter
    atol = 2 * 1.72 * solver_tol

    # Check accuracy consistency
    assert_allclose(lr_32.coef_, lr_64.coef_.astype(np.float32), atol=atol)
    assert_allclose(lr_32.coef_, lr_32_sparse.coef_, atol=atol)
    assert_allclose(lr_64.coef_, lr_64_sparse.coef_, atol=atol)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_warm_start_converge_LR(solver, seed):
    # Test to see that the logistic regression converges on warm start on
    # a multiclass/multinomial problem. Non-regressive test for #10836
    # (the original runs sag; here each of skgd's solvers)

    rng = np.random.RandomState(seed)
    X = np.concatenate((rng.randn(100, 2) + [1, 1], rng.randn(100, 2)))
    y = np.array([1] * 100 + [-1] * 100)
    lr_no_ws = GDLogisticRegression(solver=solver, warm_start=False, tol=1e-6, random_state=seed)
    lr_ws = GDLogisticRegression(solver=solver, warm_start=True, tol=1e-6, random_state=seed)

    lr_no_ws_loss = log_loss(y, lr_no_ws.fit(X, y).predict_proba(X))
    for _ in range(5):
        lr_ws.fit(X, y)
    lr_ws_loss = log_loss(y, lr_ws.predict_proba(X))
    assert_allclose(lr_no_ws_loss, lr_ws_loss, rtol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_elastic_net_coeffs(solver, seed):
    # make sure elasticnet penalty gives different coefficients from l1 and l2
    # with each of skgd's solvers (the original runs saga) (l1_ratio different
    # from 0 or 1)
    X, y = make_classification(random_state=seed)

    C = 2.0
    coeffs = list()
    for l1_ratio in (0.5, 1, 0):  # enet, l1, l2
        lr = GDLogisticRegression(
            C=C,
            l1_ratio=l1_ratio,
            solver=solver,
            random_state=seed,
            tol=1e-3,
            max_iter=500,
        )
        lr.fit(X, y)
        coeffs.append(lr.coef_)

    elastic_net_coeffs, l1_coeffs, l2_coeffs = coeffs

    # make sure coeffs differ by at least .1
    assert not np.allclose(elastic_net_coeffs, l1_coeffs, rtol=0, atol=1e-3)
    assert not np.allclose(elastic_net_coeffs, l2_coeffs, rtol=0, atol=1e-3)
    assert not np.allclose(l2_coeffs, l1_coeffs, rtol=0, atol=1e-3)


# TODO(1.10): remove whole test with the removal of penalty
@pytest.mark.filterwarnings("ignore:.*'penalty' was deprecated.*:FutureWarning")
# penalty="l1" with the default l1_ratio=0 warns, in LogisticRegression too
@pytest.mark.filterwarnings("ignore:Inconsistent values:UserWarning")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("C", [0.001, 0.1, 1, 10, 100, 1000, 1e6])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1), ("l2", 0)])
def test_elastic_net_l1_l2_equivalence(seed, solver, C, penalty, l1_ratio):
    # Make sure elasticnet is equivalent to l1 when l1_ratio=1 and to l2 when
    # l1_ratio=0.
    X, y = make_classification(random_state=seed)

    lr_enet = GDLogisticRegression(
        penalty="elasticnet",
        C=C,
        l1_ratio=l1_ratio,
        solver=solver,
        random_state=seed,
        tol=1e-2,
    )
    lr_expected = GDLogisticRegression(
        penalty=penalty, C=C, solver=solver, random_state=seed, tol=1e-2
    )
    lr_enet.fit(X, y)
    lr_expected.fit(X, y)

    assert_array_almost_equal(lr_enet.coef_, lr_expected.coef_)


# FIXME: Random state is fixed in order to make the test pass
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("C", [0.001, 1, 100, 1e6])
def test_elastic_net_vs_l1_l2(C, solver):
    # Make sure that elasticnet with grid search on l1_ratio gives same or
    # better results than just l1 or just l2.

    X, y = make_classification(500, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    # skgd: tol=1e-4, not 1e-2: at 1e-2 the models compared stop far enough from
    # their optima that which of them classifies one more test row right
    # depends on the solver's path (agd at C=1 flipped one row of 125)
    tol = 1e-4

    param_grid = {"l1_ratio": np.linspace(0, 1, 5)}

    enet_clf = GDLogisticRegression(
        l1_ratio=0.5,
        C=C,
        solver=solver,
        random_state=0,
        tol=tol,
    )
    gs = GridSearchCV(enet_clf, param_grid, refit=True)

    l1_clf = GDLogisticRegression(l1_ratio=1, C=C, solver=solver, random_state=0, tol=tol)
    l2_clf = GDLogisticRegression(l1_ratio=0, C=C, solver=solver, random_state=0, tol=tol)

    for clf in (gs, l1_clf, l2_clf):
        clf.fit(X_train, y_train)

    assert gs.score(X_test, y_test) >= l1_clf.score(X_test, y_test)
    assert gs.score(X_test, y_test) >= l2_clf.score(X_test, y_test)


# FIXME: Random state is fixed in order to make the test pass
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("C", np.logspace(-3, 2, 4))
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_LogisticRegression_elastic_net_objective(C, l1_ratio, solver):
    # Check that training with a penalty matching the objective leads
    # to a lower objective.
    # Here we train a logistic regression with l2 (a) and elasticnet (b)
    # penalties, and compute the elasticnet objective. That of a should be
    # greater than that of b (both objectives are convex).
    X, y = make_classification(
        n_samples=1000,
        n_classes=2,
        n_features=20,
        n_informative=10,
        n_redundant=0,
        n_repeated=0,
        random_state=0,
    )
    X = scale(X)

    lr_enet = GDLogisticRegression(
        l1_ratio=l1_ratio,
        C=C,
        solver=solver,
        random_state=0,
        fit_intercept=False,
    )
    lr_l2 = GDLogisticRegression(
        l1_ratio=0, solver=solver, random_state=0, C=C, fit_intercept=False
    )
    lr_enet.fit(X, y)
    lr_l2.fit(X, y)

    def enet_objective(lr):
        coef = lr.coef_.ravel()
        obj = C * log_loss(y, lr.predict_proba(X))
        obj += l1_ratio * np.sum(np.abs(coef))
        obj += (1.0 - l1_ratio) * 0.5 * np.dot(coef, coef)
        return obj

    assert enet_objective(lr_enet) < enet_objective(lr_l2)


# TODO(1.10): remove whole test with the removal of penalty
@pytest.mark.filterwarnings("ignore:.*'penalty' was deprecated.*:FutureWarning")
# penalty="l1" with l1_ratio=0.5 also warns "Inconsistent values", in LogisticRegression too
@pytest.mark.filterwarnings("ignore:Inconsistent values:UserWarning")
def test_l1_ratio_non_elasticnet():
    msg = r"l1_ratio parameter is only used when penalty is 'elasticnet'\. Got \(penalty=l1\)"
    with pytest.warns(UserWarning, match=msg):
        GDLogisticRegression(penalty="l1", l1_ratio=0.5).fit(X, Y1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("C", np.logspace(-3, 2, 4))
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_elastic_net_versus_sgd(seed, C, l1_ratio):
    # Compare elasticnet penalty in GDLogisticRegression() and SGD(loss='log_loss')
    n_samples = 500
    X, y = make_classification(
        n_samples=n_samples,
        n_classes=2,
        n_features=5,
        n_informative=5,
        n_redundant=0,
        n_repeated=0,
        random_state=seed,
    )
    X = scale(X)

    sgd = SGDClassifier(
        penalty="elasticnet",
        l1_ratio=l1_ratio,
        random_state=seed,
        fit_intercept=False,
        tol=None,
        max_iter=2000,
        alpha=1.0 / C / n_samples,
        loss="log_loss",
    )
    sgd.fit(X, y)

    for solver in SOLVERS:
        log = GDLogisticRegression(
            l1_ratio=l1_ratio,
            random_state=seed,
            fit_intercept=False,
            tol=1e-5,
            max_iter=1000,
            C=C,
            solver=solver,
        )
        log.fit(X, y)

        assert_allclose(sgd.coef_, log.coef_, atol=0.35, err_msg=solver)


# TODO(1.10): remove whole test with the removal of penalty
@pytest.mark.filterwarnings("ignore:.*'penalty' was deprecated.*:FutureWarning")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_penalty_none(seed, solver):
    # - Make sure warning is raised if penalty=None and C is set to a
    #   non-default value.
    # - Make sure setting penalty=None is equivalent to setting C=np.inf with
    #   l2 penalty.
    X, y = make_classification(n_samples=1000, n_redundant=0, random_state=seed)

    msg = "Setting penalty=None will ignore the C"
    lr = GDLogisticRegression(penalty=None, solver=solver, C=4, random_state=seed)
    with pytest.warns(UserWarning, match=msg):
        lr.fit(X, y)

    lr_none = GDLogisticRegression(penalty=None, solver=solver, max_iter=300, random_state=seed)
    lr_l2_C_inf = GDLogisticRegression(
        penalty="l2",
        C=np.inf,
        solver=solver,
        max_iter=300,
        random_state=seed,
    )
    pred_none = lr_none.fit(X, y).predict(X)
    pred_l2_C_inf = lr_l2_C_inf.fit(X, y).predict(X)
    assert_array_equal(pred_none, pred_l2_C_inf)


@pytest.mark.parametrize("solver", SOLVERS)
def test_c_inf_no_warning(solver):
    """Test that C=np.inf (recommended approach) produces no warnings.

    Non-regression test for:
    https://github.com/scikit-learn/scikit-learn/issues/32927
    """
    X, y = make_classification(n_samples=100, n_redundant=0, random_state=42)

    lr = GDLogisticRegression(C=np.inf, solver=solver, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        lr.fit(X, y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "params",
    [
        # tol=1e-12 where the original has 1e-6 for liblinear's L1 solver: the
        # original passes 1e-12 in its other cases, and assert_allclose's
        # rtol=1e-7 needs a converged fit unless the solver takes the same path
        # with and without the zero-weight rows, which sgd does not (its step
        # scales with the number of rows, as sag's does).
        {"l1_ratio": 1, "tol": 1e-12, "max_iter": 1000},
        {"l1_ratio": 0, "tol": 1e-12, "max_iter": 1000},
    ],
)
def test_logisticregression_liblinear_sample_weight(seed, solver, params):
    # Port of the primal cases of the original (its dual case is liblinear's):
    # rows of zero weight are as good as absent, with L1 and L2 penalties.
    X = np.array(
        [[1, 3]] * 4 + [[2, 1]] * 4 + [[3, 3]] * 4 + [[4, 1]] * 4,
        dtype=np.dtype("float"),
    )
    y = np.array([1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2], dtype=np.dtype("int"))

    X2 = np.vstack([X, X])
    y2 = np.hstack([y, 3 - y])
    sample_weight = np.ones(shape=len(y) * 2)
    sample_weight[len(y) :] = 0
    X2, y2, sample_weight = shuffle(X2, y2, sample_weight, random_state=seed)

    base_clf = GDLogisticRegression(solver=solver, random_state=seed)
    base_clf.set_params(**params)
    clf_no_weight = clone(base_clf).fit(X, y)
    clf_with_weight = clone(base_clf).fit(X2, y2, sample_weight=sample_weight)

    for method in ("predict", "predict_proba", "decision_function"):
        X_clf_no_weight = getattr(clf_no_weight, method)(X)
        X_clf_with_weight = getattr(clf_with_weight, method)(X)
        assert_allclose(X_clf_no_weight, X_clf_with_weight)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_multinomial_identifiability_on_iris(solver, fit_intercept):
    """Test that the multinomial classification is identifiable.

    A multinomial with c classes can be modeled with
    probability_k = exp(X@coef_k) / sum(exp(X@coef_l), l=1..c) for k=1..c.
    This is not identifiable, unless one chooses a further constraint.
    According to [1], the maximum of the L2 penalized likelihood automatically
    satisfies the symmetric constraint:
    sum(coef_k, k=1..c) = 0

    Further details can be found in [2].

    Reference
    ---------
    .. [1] :doi:`Zhu, Ji and Trevor J. Hastie. "Classification of gene microarrays by
           penalized logistic regression". Biostatistics 5 3 (2004): 427-43.
           <10.1093/biostatistics/kxg046>`

    .. [2] :arxiv:`Noah Simon and Jerome Friedman and Trevor Hastie. (2013)
           "A Blockwise Descent Algorithm for Group-penalized Multiresponse and
           Multinomial Regression". <1311.6529>`
    """
    # Test logistic regression with the iris dataset
    target = iris.target_names[iris.target]

    clf = GDLogisticRegression(
        C=len(iris.data),
        solver=solver,
        fit_intercept=fit_intercept,
        random_state=0,
    )
    # Scaling X to ease convergence.
    X_scaled = scale(iris.data)
    clf.fit(X_scaled, target)

    # axis=0 is sum over classes
    assert_allclose(clf.coef_.sum(axis=0), 0, atol=1e-10)
    if fit_intercept:
        assert clf.intercept_.sum(axis=0) == pytest.approx(0, abs=1e-11)


@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 10.0, 2: 1.0}, "balanced"])
def test_sample_weight_not_modified(class_weight):
    X, y = load_iris(return_X_y=True)
    n_features = len(X)
    W = np.ones(n_features)
    W[: n_features // 2] = 2

    expected = W.copy()

    clf = GDLogisticRegression(
        class_weight=class_weight,
        max_iter=200,
    )
    clf.fit(X, y, sample_weight=W)
    assert_allclose(expected, W)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_large_sparse_matrix(solver, csr_container):
    # Solvers either accept large sparse matrices, or raise helpful error.
    # Non-regression test for pull-request #21093.  (All of skgd's accept them.)

    # generate sparse matrix with int64 indices
    X = csr_container(_sparse_random_array((20, 10), random_state=42))
    for attr in ["indices", "indptr"]:
        setattr(X, attr, getattr(X, attr).astype("int64"))
    rng = np.random.RandomState(42)
    y = rng.randint(2, size=X.shape[0])

    GDLogisticRegression(solver=solver, random_state=0).fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_single_feature_newton_cg(solver):
    # Test that skgd's solvers work with a single feature and intercept
    # (the original tests newton-cg; non-regression test for its issue #23605).

    X = np.array([[0.5, 0.65, 1.1, 1.25, 0.8, 0.54, 0.95, 0.7]]).T
    y = np.array([1, 1, 0, 0, 1, 1, 0, 1])
    assert X.shape[1] == 1
    GDLogisticRegression(solver=solver, fit_intercept=True, random_state=0).fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_max_iter(solver):
    # Make sure we can inspect the state of GDLogisticRegression right after
    # initialization (before the first weight update).  Unlike sag, saga and
    # lbfgs, none of skgd's solvers is exempted from any assertion.
    X, y = load_iris(return_X_y=True)
    y = y == 2
    with pytest.warns(ConvergenceWarning):
        clf = GDLogisticRegression(solver=solver, max_iter=0, random_state=0).fit(X, y)
    assert clf.n_iter_ == 0

    assert_allclose(clf.coef_, np.zeros_like(clf.coef_))
    assert_allclose(
        clf.decision_function(X),
        np.full(shape=X.shape[0], fill_value=clf.intercept_),
    )
    assert_allclose(
        clf.predict_proba(X),
        np.full(shape=(X.shape[0], 2), fill_value=0.5),
    )
    assert clf.score(X, y) < 0.7


# TODO(1.10): remove after deprecation cycle of penalty.
def test_penalty_deprecated():
    """Check that penalty in GDLogisticRegression is deprecated."""
    X, y = make_classification(n_classes=2, n_samples=20, n_informative=6)
    lr = GDLogisticRegression(penalty="l2")
    msg = "'penalty' was deprecated"
    with pytest.warns(FutureWarning, match=msg):
        lr.fit(X, y)


# TODO(1.10): remove after deprecation cycle.
def test_l1_ratio_None_deprecated():
    """Check that l1_ratio=None in GDLogisticRegression is deprecated."""
    # LogisticRegressionCV's part of the original is left out.
    X, y = make_classification(n_classes=2, n_samples=20, n_informative=6)

    lr = GDLogisticRegression(l1_ratio=None)
    msg = "'l1_ratio=None' was deprecated"
    with pytest.warns(FutureWarning, match=msg):
        lr.fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_logisticregression_warns_with_n_jobs(solver, monkeypatch):
    # Adapted: LogisticRegression ignores n_jobs and warns that it has no
    # effect; skgd uses it for its own threads, so it must not warn, and the
    # number of threads must not change a single bit of the result.
    X, y = make_classification(n_classes=3, n_samples=50, n_informative=6, random_state=0)
    # Threads and blocks of rows are only used for X of 4 MiB or more: lower
    # both limits so that this X is cut into blocks that two threads share.
    monkeypatch.setattr(_rowblocks, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(_rowblocks, "BLOCK_BYTES", 8 * X.shape[1] * X.itemsize)
    shared = []  # (threads, blocks) of every pass over the rows
    original_map = _rowblocks.RowThreads.map

    def recording_map(self, function, blocks):
        shared.append((self.n_threads, len(blocks)))
        return original_map(self, function, blocks)

    monkeypatch.setattr(_rowblocks.RowThreads, "map", recording_map)
    fits = {}
    for n_jobs in (1, 2):
        lr = GDLogisticRegression(solver=solver, n_jobs=n_jobs, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            fits[n_jobs] = lr.fit(X, y)
    assert (2, 7) in shared  # two threads shared the 7 blocks of 8 rows
    assert_array_equal(fits[1].coef_, fits[2].coef_, strict=True)
    assert_array_equal(fits[1].intercept_, fits[2].intercept_, strict=True)
    assert_array_equal(fits[1].loss_curve_, fits[2].loss_curve_, strict=True)


# TODO(1.10): remove when penalty is removed
@pytest.mark.filterwarnings("ignore:'penalty' was deprecated")
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 0.0), ("l2", 1.0)])
def test_lr_penalty_l1ratio_incompatible(penalty, l1_ratio):
    """Check that incompatible penalty and l1_ratio raise a warning."""
    X, y = make_classification(n_samples=20)
    lr = GDLogisticRegression(penalty=penalty, l1_ratio=l1_ratio)
    msg = f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}"
    with pytest.warns(UserWarning, match=msg):
        lr.fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("max_iter", [0, 2, 1000])
def test_logistic_regression_callback_support(max_iter, solver):
    """Test the callback support for GDLogisticRegression."""
    X, y = make_classification(n_features=4, random_state=0)

    cb = recording_callback()
    lr = GDLogisticRegression(solver=solver, max_iter=max_iter, random_state=0)
    lr.set_callbacks(cb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr.fit(X, y)

    assert cb.count_hooks("setup") == 1
    assert cb.count_hooks("teardown") == 1
    # 1 root for fit + number of iterations + 1 empty task.  (lbfgs always
    # runs at least one iteration, hence the original's max(n_iter_, 1);
    # skgd runs none with max_iter=0.)
    assert cb.count_hooks("on_fit_task_begin") == 1 + lr.n_iter_[0] + 1
    assert cb.count_hooks("on_fit_task_end") == 1 + lr.n_iter_[0] + 1


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_logistic_regression_callback_fitted_estimator(n_classes, fit_intercept, solver):
    """Check the fitted_estimator in callback hooks.

    It is able to predict, with learned parameters identical to the ones obtained if the
    owner estimator had been fitted with the same number of iterations.
    """
    X, y = make_classification(
        n_features=4,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=0,
    )
    cb = recording_callback()

    lr_params = {"solver": solver, "fit_intercept": fit_intercept, "random_state": 0}
    lr = GDLogisticRegression(**lr_params).set_callbacks(cb).fit(X, y)
    n_iter = lr.n_iter_[0]

    iter_begins = [
        rec
        for rec in cb.record
        if rec["name"] == "on_fit_task_begin" and "iter" in rec["context"].task_name
    ]
    iter_ends = [
        rec
        for rec in cb.record
        if rec["name"] == "on_fit_task_end" and "iter" in rec["context"].task_name
    ]

    assert len(iter_begins) == len(iter_ends) == n_iter + 1

    def fit_with_max_iter(max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return GDLogisticRegression(**lr_params, max_iter=max_iter).fit(X, y)

    for i, (iter_begin, iter_end) in enumerate(zip(iter_begins, iter_ends, strict=True)):
        assert iter_begin["context"].task_id == i
        assert iter_end["context"].task_id == i

        if i > 0:
            est = iter_begin["kwargs"]["fitted_estimator"]
            expected_lr = fit_with_max_iter(i)
            assert_allclose(est.coef_, expected_lr.coef_)
            assert_allclose(est.intercept_, expected_lr.intercept_)
            assert_allclose(est.predict(X), expected_lr.predict(X))

        if i < n_iter:
            est = iter_end["kwargs"]["fitted_estimator"]
            expected_lr = fit_with_max_iter(i + 1)
            assert_allclose(est.coef_, expected_lr.coef_)
            assert_allclose(est.intercept_, expected_lr.intercept_)
            assert_allclose(est.predict(X), expected_lr.predict(X))
        else:
            # The extra empty task after the last iteration.
            assert iter_end["kwargs"]["fitted_estimator"] is None


@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_regression_callback_support_warning(solver):
    """Adapted: every skgd solver supports callbacks, so setting them does not warn.

    (LogisticRegression warns that callbacks are only supported with lbfgs.)
    """
    cb = recording_callback()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GDLogisticRegression(solver=solver).set_callbacks(cb)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("use_str_y", [False, True])
@pytest.mark.parametrize("use_sample_weight", [False, True])
@pytest.mark.parametrize("class_weight", [None, "balanced", "dict"])
@pytest.mark.parametrize(
    "array_namespace, device_name, dtype_name", yield_namespace_device_dtype_combinations()
)
def test_logistic_regression_array_api_compliance(
    binary, use_str_y, use_sample_weight, class_weight, array_namespace, device_name, dtype_name
):
    # skgd on the namespace and device, against scikit-learn on numpy (the
    # original compares lbfgs on both).  The reference is newton-cg: lbfgs at
    # tol=1e-12 stops on its function tolerance, 1.2e-7 from the optimum with
    # sample and class weights (newton-cg and skgd agree to 3e-13 there).  It
    # fits float64 copies: in float32 its line search warns of rounding.
    xp, device = _array_api_for_tests(array_namespace, device_name, dtype_name)
    X_np = iris.data.astype(dtype_name, copy=True)
    n_samples, _ = X_np.shape
    X_xp = xp.asarray(X_np, device=device)
    if use_str_y:
        if binary:
            target = (iris.target > 0).astype(np.int64)
            target = np.array(["setosa", "not-setosa"])[target]
            if class_weight == "dict":
                class_weight = {"setosa": 1.0, "not-setosa": 3.0}
        else:
            target = iris.target_names[iris.target]
            if class_weight == "dict":
                class_weight = {"virginica": 1.0, "setosa": 2.0, "versicolor": 3.0}
        y_np = target.copy()
        y_xp_or_np = np.asarray(y_np, copy=True)
    else:
        if binary:
            target = (iris.target > 0).astype(np.int64)
            if class_weight == "dict":
                class_weight = {0: 1.0, 1: 3.0}
        else:
            target = iris.target
            if class_weight == "dict":
                class_weight = {0: 1.0, 1: 2.0, 2: 3.0}
        y_np = target.astype(dtype_name)
        y_xp_or_np = xp.asarray(y_np, device=device)

    if use_sample_weight:
        sample_weight = (
            np.random.default_rng(0).uniform(-1, 5, size=n_samples).clip(0, None)
            .astype(dtype_name)
        )
    else:
        sample_weight = None

    lr_params = dict(C=1e-2, tol=1e-12, max_iter=500, class_weight=class_weight)
    X_64 = X_np.astype(np.float64)
    lr_np = LogisticRegression(solver="newton-cg", **lr_params).fit(
        X_64, y_np, sample_weight=sample_weight
    )
    assert lr_np.n_iter_ < lr_np.max_iter
    assert np.abs(lr_np.coef_).max() > 0.1  # C is not too small for the test to mean much

    atol = _atol_for_type(dtype_name) * 10
    rtol = 5e-3 if dtype_name == "float32" else 1e-5
    with config_context(array_api_dispatch=True):
        lr_xp = GDLogisticRegression(**lr_params).fit(X_xp, y_xp_or_np,
                                                        sample_weight=sample_weight)
        assert lr_xp.n_iter_.shape == lr_np.n_iter_.shape
        assert int(lr_xp.n_iter_[0]) < lr_xp.max_iter
        for attr_name in ("coef_", "intercept_"):
            attr_xp = getattr(lr_xp, attr_name)
            assert_allclose(move_to(attr_xp, xp=np, device="cpu"), getattr(lr_np, attr_name),
                            rtol=rtol, atol=atol)
            assert attr_xp.dtype == X_xp.dtype
            assert array_api_device(attr_xp) == array_api_device(X_xp)
        for method in ("predict_proba", "predict_log_proba"):
            result = getattr(lr_xp, method)(X_xp)
            assert_allclose(move_to(result, xp=np, device="cpu"), getattr(lr_np, method)(X_64),
                            rtol=rtol, atol=atol)
            assert result.dtype == X_xp.dtype
            assert array_api_device(result) == array_api_device(X_xp)
        prediction_xp = lr_xp.predict(X_xp)
        if not use_str_y:
            prediction_xp = move_to(prediction_xp, xp=np, device="cpu")
        assert_array_equal(prediction_xp, lr_np.predict(X_64))


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize(
    "array_namespace, device_name, dtype_name", yield_namespace_device_dtype_combinations()
)
def test_logistic_regression_array_api_warm_start(binary, array_namespace, device_name,
                                                  dtype_name):
    """Test that warm_start=True works with array API inputs across
    multiple fit calls for both binary and multiclass classification."""
    xp, device_ = _array_api_for_tests(array_namespace, device_name, dtype_name)
    X_np = iris.data.astype(dtype_name, copy=True)
    if binary:
        y_np = (iris.target > 0).astype(dtype_name)
    else:
        y_np = iris.target.astype(dtype_name)
    X_xp = xp.asarray(X_np, device=device_)
    y_xp = xp.asarray(y_np, device=device_)
    with config_context(array_api_dispatch=True):
        lr = GDLogisticRegression(C=1e-2, max_iter=300, warm_start=True)
        lr.fit(X_xp, y_xp)
        lr.predict(X_xp)
        lr.fit(X_xp, y_xp)
