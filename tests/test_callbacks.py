"""Watching a fit: scikit-learn's callbacks, verbose output, LossCurveDisplay."""

import numpy as np
import pytest
from callback_helpers import OnIterationEnd
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDLogisticRegression, LossCurveDisplay

SOLVERS = ["gd", "agd", "sgd"]


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def pyplot():
    """matplotlib.pyplot on the Agg backend; every figure closed afterwards."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


class StopAfter(OnIterationEnd):
    """A callback asking the fit to stop when iteration ``n`` ends."""

    def __init__(self, n):
        self.n = n

    def on_iteration_end(self, n):
        return n == self.n


@pytest.mark.parametrize("solver", SOLVERS)
def test_scoring_monitor_logs_one_row_per_iteration(solver, data):
    callback = pytest.importorskip("sklearn.callback")
    X, y = data
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    # C=inf: J is the mean log-loss, the score ScoringMonitor computes
    model = GDLogisticRegression(solver=solver, C=np.inf, max_iter=30, random_state=0)
    model.set_callbacks(monitor)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "iteration"]
    assert [row["task_id"] for row in rows] == list(range(model.n_iter_[0]))
    scores = -np.array([row["neg_log_loss"] for row in rows])
    # log_loss works from probabilities: near J = 1e-4 their rounding shows at 1e-14
    assert_allclose(scores, model.loss_curve_[1:], rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_callback_that_asks_to_stop_ends_the_fit_at_that_iterate(solver, data):
    pytest.importorskip("sklearn.callback")
    X, y = data
    params = dict(solver=solver, random_state=0)
    stopped = GDLogisticRegression(**params).set_callbacks(StopAfter(4)).fit(X, y)
    assert stopped.n_iter_[0] == 4 and not stopped.converged_
    with pytest.warns(ConvergenceWarning):  # the same path, cut by max_iter
        cut = GDLogisticRegression(max_iter=4, **params).fit(X, y)
    assert_allclose(stopped.coef_, cut.coef_, rtol=1e-12)
    assert_allclose(stopped.loss_curve_, cut.loss_curve_, rtol=1e-12)


def test_progress_bar_in_a_pipeline_and_a_grid_search(data, capsys):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    X, y = data
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression())
    pipeline.set_callbacks(callback.ProgressBar()).fit(X, y)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDLogisticRegression()),
        {"gdlogisticregression__C": [0.1, 1.0]}, cv=2,
    )
    search.set_callbacks(callback.ProgressBar()).fit(X, y)
    shown = capsys.readouterr().out
    assert "GDLogisticRegression - fit" in shown
    assert search.best_estimator_[-1].converged_


def test_verbose_prints_progress_lines_and_silent_prints_nothing(data, capsys):
    X, y = data
    GDLogisticRegression().fit(X, y)
    assert capsys.readouterr().out == ""
    model = GDLogisticRegression(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_[0] // 10
    first = lines[0].split()
    assert first[:2] == ["iter", "10"] and first[2] == "J"
    assert float(first[3]) == pytest.approx(model.loss_curve_[10], rel=1e-9)
    assert "max|G|" in lines[0] and "step" in lines[0] and lines[0].endswith("s")


def test_loss_curve_display_plots_exactly_loss_curve(data, pyplot):
    X, y = data
    gd = GDLogisticRegression().fit(X, y)
    agd = GDLogisticRegression(solver="agd").fit(X, y)
    display = LossCurveDisplay.from_estimator(gd, name="gd")
    assert np.array_equal(display.line_.get_ydata(), gd.loss_curve_)
    assert np.array_equal(display.line_.get_xdata(), np.arange(len(gd.loss_curve_)))
    assert display.figure_ is display.ax_.figure
    # a second estimator on the same axes
    other = LossCurveDisplay.from_estimator(agd, ax=display.ax_, name="agd")
    assert other.ax_ is display.ax_ and len(display.ax_.get_lines()) == 2
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["gd", "agd"]
    # J - min J on a log scale; a pipeline's final step is plotted
    floor = min(gd.loss_curve_ + agd.loss_curve_) - 1e-9
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    gap = LossCurveDisplay.from_estimator(pipeline, log_gap=True, minimum=floor)
    assert gap.ax_.get_yscale() == "log"
    assert np.array_equal(gap.line_.get_ydata(), np.subtract(pipeline[-1].loss_curve_, floor))


def test_loss_curve_display_labels_solvers_and_draws_the_validation_curve(data, pyplot):
    from matplotlib.ticker import MaxNLocator

    X, y = data
    gd = GDLogisticRegression().fit(X, y)
    sgd = GDLogisticRegression(solver="sgd", early_stopping=True, random_state=0).fit(X, y)
    display = LossCurveDisplay.from_estimator(gd)
    LossCurveDisplay.from_estimator(sgd, ax=display.ax_)
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["gd", "sgd", "sgd (validation)"]  # told apart without name=
    validation = display.ax_.get_lines()[2]
    assert np.array_equal(validation.get_ydata(), sgd.validation_loss_curve_)
    assert isinstance(display.ax_.xaxis.get_major_locator(), MaxNLocator)
    assert all(float(tick).is_integer() for tick in display.ax_.get_xticks())


def test_loss_curve_display_counts_what_the_fit_counted(data, pyplot):
    X, y = data
    gd = GDLogisticRegression().fit(X, y)
    sgd = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    stream = GDLogisticRegression(random_state=0)
    for _ in range(3):
        stream.partial_fit(X, y, classes=np.unique(y))
    units = [LossCurveDisplay.from_estimator(model).ax_.get_xlabel()
             for model in (gd, sgd, stream)]
    assert units == ["iteration", "epoch", "partial_fit call"]
    refitted = stream.fit(X, y)  # fit starts afresh: iterations again
    assert LossCurveDisplay.from_estimator(refitted).ax_.get_xlabel() == "iteration"


def test_loss_curve_display_log_gap_keeps_the_last_point(data, pyplot):
    X, y = data
    model = GDLogisticRegression().fit(X, y)
    gap = LossCurveDisplay.from_estimator(model, log_gap=True).line_.get_ydata()
    assert np.all(np.isfinite(gap)) and np.all(gap > 0)
    assert gap[-1] == gap.min()  # the last point is drawn, lowest


def test_loss_curve_display_refuses_unfitted_and_foreign_estimators(data, pyplot):
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GDLogisticRegression())
    with pytest.raises(ValueError, match="LogisticRegression has no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(*data))


def test_callbacks_see_the_rows_fitted_on_under_early_stopping(data):
    callback = pytest.importorskip("sklearn.callback")
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = GDLogisticRegression(early_stopping=True, random_state=0).set_callbacks(monitor)
    model.fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "iteration"]
    assert len(rows) == model.n_iter_[0]
    assert all(0.5 < row["accuracy"] <= 1.0 for row in rows)
