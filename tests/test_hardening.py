"""Bad input fails fast and clearly; extremes stay finite; nothing is lost or modified."""

import pickle
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from callback_helpers import OnIterationEnd
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skgd import GDLogisticRegression
from skgd._objective import LogisticObjective

SOLVERS = ["gd", "agd", "sgd"]


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(300, 5, n_informative=3, random_state=0)
    return X, y


# --------------------------------------------------------------------------
# Input errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), [0, 1], "NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), [0, 1], "infinity"),
        (np.empty((0, 3)), [], "0 sample"),
        (np.ones((4, 2)), [1, 1, 1, 1], "only one class"),
        (np.ones((4, 2)), [0.1, 0.2, 0.3, 0.4], "continuous"),
        (np.ones((4, 2)), [[0, 1], [1, 0], [0, 1], [1, 0]], "y should be a 1d array"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], "could not convert|numeric"),
    ],
)
def test_bad_data_raises_value_error_naming_the_problem(X, y, message):
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(X, np.asarray(y))


@pytest.mark.parametrize(
    "sample_weight, message",
    [
        (np.ones(3), r"sample_weight.shape == \(3,\), expected \(300,\)"),
        (-np.ones(300), "non-negative"),
        (np.zeros(300), "sums to zero"),
    ],
)
def test_bad_sample_weight_raises(sample_weight, message, binary):
    X, y = binary
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"C": 0.0}, "C"),
        ({"C": -1.0}, "C"),
        ({"l1_ratio": 1.5}, "l1_ratio"),
        ({"l1_ratio": -0.1}, "l1_ratio"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"max_iter": -1}, "max_iter"),
        ({"tol": -1e-4}, "tol"),
        ({"batch_size": 0}, "batch_size"),
        ({"solver": "newton"}, "solver"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"warm_start": "False"}, "warm_start"),  # a truthy string is no bool
        ({"fit_intercept": 1}, "fit_intercept"),
        ({"verbose": -1}, "verbose"),
        ({"class_weight": np.array([1.0, 2.0])}, "class_weight"),
        ({"class_weight": "auto"}, "class_weight"),
    ],
)
def test_invalid_hyper_parameters_follow_scikit_learn_conventions(params, name, binary):
    X, y = binary
    # scikit-learn's error class: a ValueError and a TypeError
    with pytest.raises(InvalidParameterError,
                       match=f"The '{name}' parameter of GDLogisticRegression must"):
        GDLogisticRegression(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_takes_a_bool_as_logistic_regression_does(binary, capsys):
    GDLogisticRegression(verbose=True, max_iter=10).fit(*binary)
    assert capsys.readouterr().out.startswith("iter    10  J ")  # every 10 iterations


def test_a_warm_refit_takes_the_new_datas_feature_names(binary):
    X, y = binary
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = GDLogisticRegression(warm_start=True).fit(X, y).fit(frame, y)
    assert_array_equal(model.feature_names_in_, frame.columns)
    model.fit(X, y)  # LogisticRegression forgets them on a fit without names, too
    assert not hasattr(model, "feature_names_in_")
    model.fit(frame, y)
    with pytest.raises(ValueError, match="same features as the previous fit: it had 5 features"):
        model.fit(frame.iloc[:, :3], y)
    assert_array_equal(model.feature_names_in_, frame.columns)  # the failed fit lost nothing
    assert model.n_features_in_ == 5


def test_warm_start_after_features_or_classes_changed_raises(binary):
    X, y = binary
    model = GDLogisticRegression(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="5 features"):
        model.fit(X[:, :3], y)
    with pytest.raises(ValueError, match="same classes"):
        model.fit(X, np.where(y == 1, 2, y))


def test_predict_before_fit_and_wrong_feature_count(binary):
    X, y = binary
    with pytest.raises(NotFittedError):
        GDLogisticRegression().predict(X)
    model = GDLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="5 features"):
        model.predict_proba(X[:, :4])


# --------------------------------------------------------------------------
# Numerics
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_features_spanning_1e_minus_3_to_1e6_stay_finite_without_overflow(solver):
    X, y = make_classification(500, 6, n_informative=4, random_state=1)
    X = X * np.logspace(-3, 6, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, no invalid value
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GDLogisticRegression(solver=solver, random_state=0).fit(X, y)
        proba = model.predict_proba(X)
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(proba))


def test_large_scores_give_exact_looking_probabilities(binary):
    X, y = binary
    model = GDLogisticRegression().fit(X, y)
    model.coef_ = np.array([[3000.0, 0, 0, 0, 0]])
    model.intercept_ = np.array([0.0])
    x = np.array([[1.0, 0, 0, 0, 0], [-1.0, 0, 0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = model.predict_proba(x)
        log_proba = model.predict_log_proba(x)
    assert_array_equal(proba, [[0.0, 1.0], [1.0, 0.0]])
    assert_allclose(log_proba[:, 0], [-3000.0, 0.0])  # not -inf: log-sigmoid, stably
    # multinomial: log-sum-exp of scores in the thousands
    three = GDLogisticRegression().fit(X, np.arange(300) % 3)
    three.coef_ = np.zeros((3, 5))
    three.coef_[:, 0] = [2000.0, 0.0, -2000.0]
    three.intercept_ = np.zeros(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        log_proba = three.predict_log_proba(x)
    assert_allclose(log_proba[0], [0.0, -2000.0, -4000.0])
    assert_allclose(three.predict_proba(x).sum(axis=1), 1.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_separable_data_without_penalty_stops_at_max_iter_finite(solver):
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    # the optimum is at infinity; tol=0 asks for it (tol is raised to the precision
    # floor, which gd reaches in about 45 iterations: stop it before)
    model = GDLogisticRegression(solver=solver, C=np.inf, max_iter=20, tol=0.0, random_state=0)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=20"):
        model.fit(X, y)
    assert model.n_iter_[0] == 20
    assert np.all(np.isfinite(model.coef_)) and model.coef_[0, 0] > 0


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_diverging_fixed_learning_rate_is_caught(solver):
    X, y = load_breast_cancer(return_X_y=True)  # unscaled: features up to 4000
    model = GDLogisticRegression(solver=solver, learning_rate=10.0, random_state=0)
    with pytest.raises(ValueError, match="diverged with learning_rate=10.0"):
        model.fit(X, y)
    assert not hasattr(model, "coef_")
    streamed = GDLogisticRegression(learning_rate=10.0, random_state=0)
    with pytest.raises(ValueError, match="diverged with learning_rate=10.0"):
        streamed.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(streamed, "coef_") and not hasattr(streamed, "classes_")
    # a model streamed so far is kept when a pass diverges
    streamed = GDLogisticRegression(random_state=0).partial_fit(X, y, classes=[0, 1])
    kept = streamed.coef_.copy(), streamed.loss_curve_.copy()
    with pytest.raises(ValueError, match="diverged with learning_rate=10.0"):
        streamed.set_params(learning_rate=10.0).partial_fit(X, y)
    assert_array_equal(streamed.coef_, kept[0])
    assert_array_equal(streamed.loss_curve_, kept[1])


# --------------------------------------------------------------------------
# Inputs are never modified; read-only, memory-mapped and shared use
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_caller_arrays_are_not_modified(solver, binary):
    X, y = binary
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    copies = X.copy(), y.copy(), weights.copy()
    model = GDLogisticRegression(solver=solver, early_stopping=True, random_state=0)
    model.fit(X, y, sample_weight=weights)
    model.partial_fit(X, y, sample_weight=weights)
    for original, copy in zip((X, y, weights), copies, strict=True):
        assert_array_equal(original, copy)


@pytest.mark.parametrize("solver", SOLVERS)
def test_read_only_and_memory_mapped_inputs(solver, binary, tmp_path):
    X, y = binary
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    read_only = X.copy()
    read_only.flags.writeable = False
    # at the optimum itself: sparse X is fitted in slightly different variables
    reference = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(X, y)
    for data in (mapped, read_only, sp.csr_matrix(X)):
        if sp.issparse(data):
            data.data.flags.writeable = False
        model = GDLogisticRegression(solver=solver, tol=1e-10, random_state=0).fit(data, y)
        assert_allclose(model.coef_, reference.coef_, rtol=1e-6)
        assert_allclose(model.predict_proba(data), reference.predict_proba(X), rtol=1e-6)


def test_concurrent_predict_proba_calls_agree(binary):
    X, y = binary
    model = GDLogisticRegression().fit(X, y)
    expected = model.predict_proba(X)
    results = [None] * 8

    def predict(i):
        results[i] = model.predict_proba(X)

    threads = [threading.Thread(target=predict, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert_array_equal(result, expected)


# --------------------------------------------------------------------------
# Invariances
# --------------------------------------------------------------------------
TIGHT = dict(tol=1e-10, max_iter=20_000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_row_order_does_not_change_the_model(solver, binary):
    X, y = binary
    order = np.random.RandomState(1).permutation(len(y))
    a = GDLogisticRegression(solver=solver, random_state=0, **TIGHT).fit(X, y)
    b = GDLogisticRegression(solver=solver, random_state=0, **TIGHT).fit(X[order], y[order])
    assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_duplicated_rows_equal_weight_two(solver, binary):
    X, y = binary
    twice = np.r_[np.arange(len(y)), np.arange(50)]
    weights = np.ones(len(y))
    weights[:50] = 2.0
    a = GDLogisticRegression(solver=solver, random_state=0, **TIGHT).fit(X[twice], y[twice])
    b = GDLogisticRegression(solver=solver, random_state=0, **TIGHT)
    b.fit(X, y, sample_weight=weights)
    assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)


def test_relabelled_classes_give_the_same_model():
    X, y = make_classification(300, 5, n_informative=3, n_classes=3, random_state=0)
    names = np.array(["cat", "dog", "emu"])[y]
    a = GDLogisticRegression(**TIGHT).fit(X, y)
    b = GDLogisticRegression(**TIGHT).fit(X, names)
    assert_allclose(a.coef_, b.coef_, rtol=1e-12)
    assert_array_equal(b.predict(X), np.array(["cat", "dog", "emu"])[a.predict(X)])


def test_a_constant_feature_gets_zero_weight_and_changes_nothing(binary):
    X, y = binary
    with_constant = np.c_[X, np.full(len(y), 7.0)]
    a = GDLogisticRegression(**TIGHT).fit(X, y)
    b = GDLogisticRegression(**TIGHT).fit(with_constant, y)
    assert abs(b.coef_[0, -1]) < 1e-9
    assert_allclose(b.coef_[:, :-1], a.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(b.predict_proba(with_constant), a.predict_proba(X), rtol=1e-7)


# --------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------
def test_pickle_round_trip_predicts_identically(binary):
    X, y = binary
    for model in (GDLogisticRegression().fit(X, y),
                  GDLogisticRegression().partial_fit(X, y, classes=[0, 1])):
        loaded = pickle.loads(pickle.dumps(model))
        assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_skops_round_trip_trusts_only_skgd_types(binary, tmp_path):
    sio = pytest.importorskip("skops.io")
    X, y = binary
    for model in (GDLogisticRegression().fit(X, y),
                  GDLogisticRegression().partial_fit(X, y, classes=[0, 1])):
        path = tmp_path / "model.skops"
        sio.dump(model, path)
        untrusted = sio.get_untrusted_types(file=path)
        assert untrusted and all(name.startswith("skgd.") for name in untrusted)
        loaded = sio.load(path, trusted=untrusted)
        assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
        # a partial_fit stream continues after loading
        loaded.partial_fit(X, y, classes=[0, 1])


# --------------------------------------------------------------------------
# A fit that fails leaves the estimator exactly as it was
# --------------------------------------------------------------------------
def _state(model):
    """Everything the estimator holds, deeply: equal pickles mean an equal state."""
    return pickle.dumps(vars(model))


class _FailingCallback(OnIterationEnd):
    """A callback raising when iteration ``n`` ends."""

    def __init__(self, n):
        self.n = n

    def on_iteration_end(self, n):
        if n == self.n:
            raise RuntimeError("callback failed")
        return False


def _interrupt_on_pass(patch, n, method="smooth_value_and_gradient"):
    """Make the n-th call of the objective's ``method`` raise KeyboardInterrupt."""
    original = getattr(LogisticObjective, method)
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    patch.setattr(LogisticObjective, method, interrupted)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("failure", ["divergence", "sample_weight", "interrupt", "callback"])
def test_a_failed_refit_leaves_the_model_as_it_was(solver, failure, binary):
    X_small, y_small = binary  # 5 features
    X, y = load_breast_cancer(return_X_y=True)  # 30 unscaled features
    model = GDLogisticRegression(solver=solver, random_state=0).fit(X_small, y_small)
    predictions = model.predict_proba(X_small)
    with pytest.MonkeyPatch.context() as patch:
        if failure == "divergence":
            model.set_params(learning_rate=10.0)
            expected = pytest.raises(ValueError, match="diverged")
        elif failure == "sample_weight":
            expected = pytest.raises(ValueError)
        elif failure == "interrupt":
            _interrupt_on_pass(patch, 3)
            expected = pytest.raises(KeyboardInterrupt)
        else:
            pytest.importorskip("sklearn.callback")
            model.set_callbacks(_FailingCallback(2))
            expected = pytest.raises(RuntimeError, match="callback failed")
        weights = np.array(["heavy"] * len(y)) if failure == "sample_weight" else None
        before = _state(model)  # with the parameters of the failing fit
        with expected, warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=weights)
    assert _state(model) == before
    assert model.n_features_in_ == 5 and model.coef_.shape == (1, 5)
    assert_array_equal(model.predict_proba(X_small), predictions)


def test_callbacks_are_torn_down_after_a_failed_fit(binary):
    pytest.importorskip("sklearn.callback")
    X, y = binary
    events = []

    class Recording(_FailingCallback):
        def setup(self, estimator, context):
            events.append("setup")

        def teardown(self, estimator, context):
            events.append("teardown")

    model = GDLogisticRegression(max_iter=10, tol=0).set_callbacks(Recording(2))
    with pytest.raises(RuntimeError, match="callback failed"):
        model.fit(X, y)
    assert events == ["setup", "teardown"]


def test_partial_fit_streams_without_a_seed_differ_and_draw_from_numpy(binary):
    X, y = binary
    _, keys, position, *_ = np.random.get_state()
    keys = keys.copy()
    first, second = (
        GDLogisticRegression(batch_size=16).partial_fit(X, y, classes=[0, 1]) for _ in range(2)
    )
    assert not np.array_equal(first.coef_, second.coef_)
    _, keys_after, position_after, *_ = np.random.get_state()
    assert position_after != position or not np.array_equal(keys_after, keys)


def test_partial_fit_on_huge_features_raises_without_warning_first(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="too large"):
            GDLogisticRegression().partial_fit(X * 1e200, y, classes=[0, 1])


def test_a_failed_first_fit_leaves_the_model_unfitted(binary):
    X, y = binary
    model = GDLogisticRegression(learning_rate=1e6)
    before = _state(model)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X * 1e3, y)
    assert _state(model) == before
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_a_failed_partial_fit_leaves_the_stream_as_it_was(binary):
    X, y = binary
    chunks = np.array_split(np.arange(len(y)), 3)
    streamed = GDLogisticRegression(random_state=0)
    untouched = GDLogisticRegression(random_state=0)
    for model in (streamed, untouched):
        model.partial_fit(X[chunks[0]], y[chunks[0]], classes=[0, 1])
    before = _state(streamed)
    with pytest.MonkeyPatch.context() as patch:
        _interrupt_on_pass(patch, 1, "batch_gradient")  # mid-pass, its row order drawn
        with pytest.raises(KeyboardInterrupt):
            streamed.partial_fit(X[chunks[1]], y[chunks[1]])
    assert _state(streamed) == before
    # the stream goes on as if the failed call never happened: same row orders
    for model in (streamed, untouched):
        model.partial_fit(X[chunks[1]], y[chunks[1]])
    assert_array_equal(streamed.coef_, untouched.coef_)


# --------------------------------------------------------------------------
# Extreme weights, C and features: the exact model, or a ValueError
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_weights_whose_sum_overflows_give_the_model_of_their_ratios(solver):
    X, y = make_classification(300, 5, n_redundant=0, random_state=0)  # a unique optimum
    # J depends on the weights through s_i / S and 1 / (C S): weights of 1e306
    # with C=1 are unit weights with C=1e306, and likewise for class weights
    fit = dict(solver=solver, tol=1e-10, max_iter=5000, random_state=0)
    expected = LogisticRegression(C=1e306, tol=1e-12, max_iter=10_000).fit(X, y)
    heavy = GDLogisticRegression(**fit).fit(X, y, sample_weight=np.full(len(y), 1e306))
    assert heavy.converged_
    assert_allclose(heavy.coef_, expected.coef_, rtol=1e-6)
    heavy_classes = GDLogisticRegression(class_weight={0: 1e308, 1: 1e308}, **fit).fit(X, y)
    assert_allclose(heavy_classes.coef_, expected.coef_, rtol=1e-6)
    assert np.abs(expected.coef_).max() > 0.1  # a real model, not zeros


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "C, weight", [(5e-324, 1.0), (1.0, 1e-320), (1e-300, 1e-12)]
)
def test_infinite_regularisation_fits_the_intercept_alone(solver, C, weight, binary):
    X, y = binary
    y = np.where(np.arange(len(y)) < 200, 1, 0)  # two thirds positive
    model = GDLogisticRegression(C=C, solver=solver, tol=1e-10, random_state=0)
    model.fit(X, y, sample_weight=np.full(len(y), weight))
    assert np.abs(model.coef_).max() < 1e-12
    assert model.intercept_[0] == pytest.approx(np.log(2.0), rel=1e-8)
    assert model.converged_


def test_complex_sample_weight_is_refused(binary):
    X, y = binary
    with pytest.raises(ValueError, match="Complex data not supported"):
        GDLogisticRegression().fit(X, y, sample_weight=np.ones(len(y)) * (1 + 1j))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", SOLVERS)
def test_features_whose_squares_overflow_raise_naming_the_problem(dtype, solver, binary):
    X, y = binary
    huge = 1e200 if dtype == np.float64 else 1e25
    with pytest.raises(ValueError, match="too large") as error:
        GDLogisticRegression(solver=solver).fit((X * huge).astype(dtype), y)
    # float64 advice only where it applies
    assert ("float64" in str(error.value).split("overflow")[-1]) == (dtype == np.float32)


def test_features_without_any_curvature_fit_zeros():
    # all-zero X, no penalty and no intercept: J is flat, as is its gradient
    model = GDLogisticRegression(C=np.inf, fit_intercept=False).fit(np.zeros((6, 3)), [0, 1] * 3)
    assert np.all(model.coef_ == 0) and model.converged_


def test_warnings_point_at_the_callers_line(binary):
    """A fit's warnings name the user's call of fit, not a line inside skgd."""
    X, y = binary
    with pytest.warns(ConvergenceWarning) as convergence:
        GDLogisticRegression(max_iter=1).fit(X, y)
    with pytest.warns(FutureWarning) as deprecation:
        GDLogisticRegression(penalty="l2").fit(X, y)
    for record in [*convergence, *deprecation]:
        assert record.filename == __file__
