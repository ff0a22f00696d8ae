"""Fits on arrays of other array-API namespaces (array_api_strict, torch): numpy's model, on device.

scikit-learn's own array-API checks run in tests/test_common.py (the
estimator sets the ``array_api_support`` tag); these test what they do not:
parity with the numpy fit at tight tolerances, every penalty and weighting,
where the fitted attributes live, how often data cross from the device.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.datasets import make_classification

from skgd import GDLogisticRegression

pytest.importorskip("array_api_compat")


def _namespace(name):
    """(namespace module, its CPU device) of an installed library, or skip."""
    if name == "torch":
        torch = pytest.importorskip("torch")
        return torch, torch.device("cpu")
    strict = pytest.importorskip("array_api_strict")
    return strict, strict.Device("CPU_DEVICE")


NAMESPACES = ["array_api_strict", "torch"]


def _to_numpy(array):
    return np.from_dlpack(array)


def _data(n_classes=2, seed=0):
    X, y = make_classification(400, 6, n_informative=6, n_redundant=0, n_classes=n_classes,
                               random_state=seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _fit_both(name, X, y, dtype=np.float64, sample_weight=None, **params):
    """The numpy fit and the fit on the namespace's arrays, with dispatch on."""
    xp, device = _namespace(name)
    X = X.astype(dtype)
    local = GDLogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    with config_context(array_api_dispatch=True):
        weight = None if sample_weight is None else xp.asarray(sample_weight, device=device)
        on_device = GDLogisticRegression(**params).fit(
            xp.asarray(X, device=device), xp.asarray(y, device=device), sample_weight=weight
        )
    return local, on_device, xp, device


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd"])
@pytest.mark.parametrize(
    "params", [{}, {"l1_ratio": 1.0, "C": 0.05}, {"l1_ratio": 0.5, "C": 0.1},
               {"fit_intercept": False}],
    ids=["l2", "l1", "elasticnet", "no-intercept"],
)
def test_the_fit_on_the_device_is_the_numpy_fit(name, n_classes, solver, params):
    X, y = _data(n_classes)
    local, on_device, xp, device = _fit_both(name, X, y, solver=solver, tol=1e-10, **params)
    assert on_device.converged_
    assert_allclose(_to_numpy(on_device.coef_), local.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(_to_numpy(on_device.intercept_), local.intercept_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 3.0, 1: 1.0, 2: 0.5}])
def test_sample_and_class_weights_on_the_device(name, class_weight):
    X, y = _data(3)
    weight = np.random.RandomState(0).uniform(0, 3, len(y))
    local, on_device, _, _ = _fit_both(name, X, y, sample_weight=weight, tol=1e-10,
                                       class_weight=class_weight)
    assert_allclose(_to_numpy(on_device.coef_), local.coef_, rtol=1e-6, atol=1e-9)


def test_float32_stays_float32_on_the_device():
    X, y = _data(3)
    local, on_device, xp, _ = _fit_both("torch", X, y, dtype=np.float32)
    assert on_device.coef_.dtype == xp.float32 and on_device.converged_
    assert_allclose(_to_numpy(on_device.coef_), local.coef_, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", NAMESPACES)
def test_fitted_attributes_and_predictions_stay_in_the_namespace(name):
    X, y = _data(3)
    local, on_device, xp, device = _fit_both(name, X, y)
    X_xp = xp.asarray(X, device=device)
    for attribute in ["coef_", "intercept_", "n_iter_"]:
        value = getattr(on_device, attribute)
        assert not isinstance(value, np.ndarray) and value.device == device
    # the curve is a record on the host, of the same J values as the numpy fit's
    assert all(type(value) is float for value in on_device.loss_curve_)
    assert_allclose(on_device.loss_curve_, local.loss_curve_, rtol=1e-9)
    with config_context(array_api_dispatch=True):
        for method in ["decision_function", "predict_proba", "predict_log_proba", "predict"]:
            result = getattr(on_device, method)(X_xp)
            assert not isinstance(result, np.ndarray)
            expected = getattr(local, method)(X)
            assert_allclose(_to_numpy(result), expected, rtol=1e-5, atol=1e-7)
        with pytest.raises(ValueError, match="must use the same namespace"):
            on_device.predict(X)  # numpy input to a model fitted on the device
    assert_array_equal(on_device.predict(X), local.predict(X))  # dispatch off: numpy


@pytest.mark.parametrize("name", NAMESPACES)
def test_sgd_early_stopping_and_partial_fit_on_the_device(name):
    X, y = _data(2)
    xp, device = _namespace(name)
    X_xp, y_xp = xp.asarray(X, device=device), xp.asarray(y, device=device)
    exact = GDLogisticRegression(tol=1e-10).fit(X, y)
    with config_context(array_api_dispatch=True):
        sgd = GDLogisticRegression(solver="sgd", random_state=0, tol=1e-6).fit(X_xp, y_xp)
        stopped = GDLogisticRegression(early_stopping=True, random_state=0).fit(X_xp, y_xp)
        stream = GDLogisticRegression(random_state=0)
        for _ in range(20):
            stream.partial_fit(X_xp, y_xp, classes=xp.asarray([0, 1], device=device))
    assert sgd.converged_ and sgd.loss_curve_[-1] - exact.loss_curve_[-1] < 1e-9
    local_stopped = GDLogisticRegression(early_stopping=True, random_state=0).fit(X, y)
    assert_allclose(_to_numpy(stopped.coef_), local_stopped.coef_, rtol=1e-5)
    local_stream = GDLogisticRegression(random_state=0)
    for _ in range(20):
        local_stream.partial_fit(X, y, classes=[0, 1])
    # the same row orders and steps: the same stream, to rounding
    assert_allclose(stream.loss_curve_, local_stream.loss_curve_, rtol=1e-9)
    assert_allclose(_to_numpy(stream.coef_), local_stream.coef_, rtol=1e-7)


def test_one_transfer_from_the_device_per_evaluation(monkeypatch):
    import skgd._array_api as array_api

    counts = dict(transfers=0, evaluations=0)
    to_numpy = array_api.to_numpy

    def counting_to_numpy(array):
        counts["transfers"] += 1
        return to_numpy(array)

    monkeypatch.setattr(array_api, "to_numpy", counting_to_numpy)
    for method in ["data_value", "data_value_and_gradient"]:
        evaluate = getattr(array_api.ArrayAPIObjective, method)

        def counting_evaluate(self, params, evaluate=evaluate):
            counts["evaluations"] += 1
            return evaluate(self, params)

        monkeypatch.setattr(array_api.ArrayAPIObjective, method, counting_evaluate)
    X, y = _data(3)
    _, on_device, _, _ = _fit_both("torch", X, y, solver="gd", max_iter=30)
    n_iter = int(on_device.n_iter_[0])
    # y once, the feature moments once, the curvature at most once per refresh check
    refresh_checks = 2  # after 10 and 30 iterations
    assert counts["transfers"] <= counts["evaluations"] + 2 + refresh_checks
    assert counts["evaluations"] <= 1.5 * n_iter + 2  # about one evaluation per iteration


def test_sparse_tensors_are_refused_clearly():
    torch = pytest.importorskip("torch")
    X, y = _data(2)
    with config_context(array_api_dispatch=True):
        with pytest.raises(TypeError, match="Sparse arrays of another namespace"):
            GDLogisticRegression().fit(torch.asarray(X).to_sparse(), torch.asarray(y))


def test_a_warm_start_from_a_fit_on_another_device():
    # the previous fit's coefficients live on the device: the start point fetches them
    strict = pytest.importorskip("array_api_strict")
    device = strict.Device("device1")  # not the CPU device: no implicit conversion
    X, y = _data(3)
    X_xp, y_xp = strict.asarray(X, device=device), strict.asarray(y, device=device)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(warm_start=True).fit(X_xp, y_xp)
        first = _to_numpy(strict.asarray(model.coef_, device=strict.Device("CPU_DEVICE")))
        model.fit(X_xp, y_xp)  # already optimal
        assert model.n_iter_[0] == 0 and model.coef_.device == device
        model.partial_fit(X_xp, y_xp)  # a stream goes on from the fitted model
    local = GDLogisticRegression(warm_start=True).fit(X, y)
    assert_allclose(first, local.coef_, rtol=1e-6)
    local.fit(X, y)
    local.partial_fit(X, y)
    coef = strict.asarray(model.coef_, device=strict.Device("CPU_DEVICE"))
    assert_allclose(_to_numpy(coef), local.coef_, rtol=1e-6)
