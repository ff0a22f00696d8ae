"""Habits of LogisticRegression that skgd honours, and what it adds in their place.

scikit-learn's own LogisticRegression tests, ported, are in test_sklearn_port.py;
this module covers what that port cannot: accuracy at defaults measured against
lbfgs's, skgd's answers to LogisticRegression-only parameters, n_jobs as skgd
uses it, and partial_fit's attributes and callbacks.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skgd import DivergenceError, GDLogisticRegression, _rowblocks
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet

SOLVERS = ["gd", "agd", "sgd"]


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", SOLVERS)
def test_defaults_end_as_close_to_the_optimum_as_lbfgs(solver):
    # scikit-learn's solver-agreement problem (test_logistic_regression_solvers)
    # over 20 seeds, every estimator at its default tol
    ours, lbfgs = [], []
    for seed in range(20):
        X, y = make_classification(n_samples=200, n_features=10, n_informative=5,
                                   random_state=seed)
        params = dict(C=0.1, fit_intercept=False)
        optimum = LogisticRegression(tol=1e-12, max_iter=10_000, **params).fit(X, y).coef_
        model = GDLogisticRegression(solver=solver, random_state=seed, **params).fit(X, y)
        # the agreement scikit-learn asks of its solvers, to the optimum itself
        assert_allclose(model.coef_, optimum, atol=1e-3, rtol=1e-4)
        ours.append(np.abs(model.coef_ - optimum).max())
        lbfgs.append(np.abs(LogisticRegression(**params).fit(X, y).coef_ - optimum).max())
    assert np.median(ours) <= np.median(lbfgs)
    assert np.max(ours) <= np.max(lbfgs)


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_iter_zero_returns_the_start_point(solver, data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="max_iter=0"):
        model = GDLogisticRegression(solver=solver, max_iter=0, random_state=0).fit(X, y)
    assert model.n_iter_[0] == 0 and not model.converged_
    assert np.all(model.coef_ == 0) and np.all(model.intercept_ == 0)
    assert len(model.loss_curve_) == 1 and model.loss_curve_[0] == pytest.approx(np.log(2))
    # with a warm start, the previous fit's coefficients, which already meet tol
    model.set_params(max_iter=1000, warm_start=True).fit(X, y)
    fitted = model.coef_.copy()
    model.set_params(max_iter=0).fit(X, y)
    assert np.array_equal(model.coef_, fitted) and model.converged_ and model.n_iter_[0] == 0


@pytest.mark.parametrize(
    "params, advice",
    [
        ({"solver": "lbfgs"}, r"solver='gd'"),
        ({"solver": "saga"}, r"solver='sgd'"),
        ({"dual": True}, "Leave dual=False"),
        ({"intercept_scaling": 10.0}, "Leave intercept_scaling=1"),
        ({"penalty": "l3"}, "'penalty' parameter of GDLogisticRegression must be"),
        ({"n_jobs": 0}, "'n_jobs' parameter of GDLogisticRegression must be"),
    ],
)
def test_logistic_regression_only_parameters_are_refused_with_advice(params, advice, data):
    with pytest.raises(ValueError, match=advice):
        GDLogisticRegression(**params).fit(*data)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_penalty_is_logistic_regressions_deprecated_spelling(data):
    X, y = data
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        l1 = GDLogisticRegression("l1", C=0.1, l1_ratio=1.0).fit(X, y)
    assert np.array_equal(l1.coef_, GDLogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y).coef_)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        none = GDLogisticRegression(penalty=None, max_iter=50).fit(X, y)
    assert np.array_equal(none.coef_, GDLogisticRegression(C=np.inf, max_iter=50).fit(X, y).coef_)
    with pytest.warns(FutureWarning, match="'l1_ratio=None' was deprecated"):
        default = GDLogisticRegression(l1_ratio=None).fit(X, y)
    assert np.array_equal(default.coef_, GDLogisticRegression().fit(X, y).coef_)


def test_n_jobs_sets_a_fits_threads_never_its_result(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20_000, 40))  # 6.4 MB: above MIN_PARALLEL_BYTES
    y = (X[:, 0] + rng.normal(size=20_000) > 0).astype(int)
    entered = []
    original = _rowblocks.RowThreads.__enter__

    def recording(self):
        entered.append(self.n_threads)
        return original(self)

    monkeypatch.setattr(_rowblocks.RowThreads, "__enter__", recording)
    fits = {n_jobs: GDLogisticRegression(n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 3, -1)}
    assert entered == [1, 3, _rowblocks.usable_cpus()]
    assert np.array_equal(fits[1].coef_, fits[3].coef_)
    assert np.array_equal(fits[1].coef_, fits[-1].coef_)


def test_divergence_error_is_public_and_counts_iterations_in_words(data):
    X, y = data
    with pytest.raises(DivergenceError, match=r"after 1 iteration\. Use a smaller") as raised:
        GDLogisticRegression(learning_rate=1e8).fit(X * 1e3, y)
    assert isinstance(raised.value, ValueError) and raised.value.iteration == 1
    copy = pickle.loads(pickle.dumps(raised.value))  # e.g. from a joblib worker
    assert str(copy) == str(raised.value) and copy.iteration == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sgd_verbose_lines_count_epochs(data, capsys):
    GDLogisticRegression(solver="sgd", verbose=2, max_iter=3, tol=0, random_state=0).fit(*data)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("epoch ") for line in lines)
    GDLogisticRegression(verbose=2, max_iter=2, tol=0).fit(*data)
    assert capsys.readouterr().out.startswith("iter ")


def _chunk_gradient(model, X, y):
    """The largest entry of the gradient of J on (X, y) at the model."""
    objective = LogisticObjective(X, y, None, 2, True, ElasticNet(1.0 / (model.C * len(y)), 0))
    params = np.hstack([model.coef_, model.intercept_[:, None]])
    return np.abs(objective.smooth_value_and_gradient(params)[1]).max()


def test_partial_fit_converged_is_the_stopping_rule_on_the_calls_rows(data):
    X, y = data
    chunks = np.array_split(np.arange(len(y)), 2)
    model = GDLogisticRegression(random_state=0)
    for chunk in chunks * 3:
        model.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert model.n_iter_[0] == 6
    gradient = _chunk_gradient(model, X[chunks[1]], y[chunks[1]])
    for tol, expected in [(gradient * 1.01, True), (gradient * 0.99, False)]:
        again = GDLogisticRegression(random_state=0, tol=tol)
        for chunk in chunks * 3:
            again.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        assert np.array_equal(again.coef_, model.coef_)  # tol does not change the passes
        assert again.converged_ is expected


def test_callbacks_see_each_partial_fit_call_as_a_fit(data):
    callback = pytest.importorskip("sklearn.callback")
    X, y = data
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    model = GDLogisticRegression(C=np.inf, random_state=0).set_callbacks(monitor)
    chunks = np.array_split(np.arange(len(y)), 3)
    for chunk in chunks:
        model.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    runs = monitor.get_logs(select="all")
    assert len(runs) == 3  # one run per call, one iteration in each
    rows = [row for run in runs for row in run.data if row["task_name"] == "iteration"]
    assert len(rows) == 3
    # each scores the model after its pass on that call's rows: J without a penalty
    assert_allclose([-row["neg_log_loss"] for row in rows], model.loss_curve_[1:], rtol=1e-9)
