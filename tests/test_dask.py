"""Fits on dask collections across a dask.distributed cluster: the in-memory model, in place.

One LocalCluster of two single-threaded worker processes serves the module
(processes, so that whatever travels to a worker must pickle).
"""

import os
import signal
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skgd import GDLogisticRegression

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

PARITY = dict(rtol=1e-12, atol=1e-15)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _well_conditioned(n_classes=2, n_samples=1200, n_features=8, seed=0):
    X, y = make_classification(
        n_samples, n_features, n_informative=n_features, n_redundant=0,
        n_classes=n_classes, random_state=seed,
    )
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _sparse(X, seed=0):
    """X with about half its entries set to 0, as CSR."""
    keep = np.random.RandomState(seed).rand(*X.shape) < 0.5
    return sp.csr_matrix(X * keep)


def _in_chunks(X, y, rows=250):
    """Dask arrays of X and y, row chunks of ``rows`` (CSR chunks for sparse X)."""
    if sp.issparse(X):
        Xd = da.from_array(X.toarray(), chunks=(rows, -1)).map_blocks(sp.csr_matrix)
    else:
        Xd = da.from_array(X, chunks=(rows, -1))
    return Xd, da.from_array(y, chunks=rows)


def _assert_same_fit(local, distributed):
    assert distributed.n_iter_[0] == local.n_iter_[0]
    assert_allclose(distributed.coef_, local.coef_, **PARITY)
    assert_allclose(distributed.intercept_, local.intercept_, **PARITY)
    assert_allclose(distributed.loss_curve_, local.loss_curve_, **PARITY)
    assert_array_equal(distributed.classes_, local.classes_)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["gd", "agd"])
@pytest.mark.parametrize("sparse", [False, True])
def test_fit_on_dask_is_the_in_memory_fit(client, n_classes, solver, sparse):
    X, y = _well_conditioned(n_classes)
    if sparse:
        X = _sparse(X)
    local = GDLogisticRegression(solver=solver).fit(X, y)
    model = GDLogisticRegression(solver=solver).fit(*_in_chunks(X, y))
    _assert_same_fit(local, model)


@pytest.mark.parametrize(
    "params",
    [dict(l1_ratio=1.0, C=0.05), dict(l1_ratio=0.5, C=0.1), dict(C=np.inf),
     dict(fit_intercept=False), dict(learning_rate=2.0)],
    ids=["l1", "elasticnet", "no-penalty", "no-intercept", "fixed-step"],
)
def test_penalties_and_options_match_in_memory(client, params):
    X, y = _well_conditioned(3)
    local = GDLogisticRegression(**params).fit(X, y)
    _assert_same_fit(local, GDLogisticRegression(**params).fit(*_in_chunks(X, y)))


@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 3.0, 1: 0.5}])
def test_sample_and_class_weights_match_in_memory(client, class_weight):
    X, y = _well_conditioned(2)
    weight = np.random.RandomState(1).uniform(0, 4, len(y))
    local = GDLogisticRegression(class_weight=class_weight).fit(X, y, sample_weight=weight)
    Xd, yd = _in_chunks(X, y)
    as_dask = GDLogisticRegression(class_weight=class_weight).fit(
        Xd, yd, sample_weight=da.from_array(weight, chunks=300)  # other chunks than X's
    )
    _assert_same_fit(local, as_dask)
    in_memory_weight = GDLogisticRegression(class_weight=class_weight).fit(
        Xd, yd, sample_weight=weight
    )
    _assert_same_fit(local, in_memory_weight)


def test_float32_stays_float32(client):
    X, y = _well_conditioned(2)
    X = X.astype(np.float32)
    local = GDLogisticRegression().fit(X, y)
    model = GDLogisticRegression().fit(*_in_chunks(X, y))
    assert model.coef_.dtype == np.float32 and model.converged_
    # float32 sums in another order, and both stop at the tol float32 attains
    # (1e-5 here): the same model to that precision
    assert_allclose(model.loss_curve_[-1], local.loss_curve_[-1], rtol=1e-6)
    assert_allclose(model.coef_, local.coef_, rtol=1e-3, atol=1e-4)


def test_warm_start_continues_from_the_previous_fit(client):
    X, y = _well_conditioned(3)
    Xd, yd = _in_chunks(X, y)
    local = GDLogisticRegression(warm_start=True, C=0.5).fit(X, y)
    model = GDLogisticRegression(warm_start=True, C=0.5).fit(Xd, yd)
    local.set_params(C=2.0).fit(X, y)
    model.set_params(C=2.0).fit(Xd, yd)
    _assert_same_fit(local, model)


def test_dataframe_input_keeps_feature_names(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y = _well_conditioned(2)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    frame_d = dd.from_pandas(frame, npartitions=4)
    y_d = dd.from_pandas(pd.Series(y), npartitions=4)
    local = GDLogisticRegression().fit(frame, y)
    model = GDLogisticRegression().fit(frame_d, y_d)
    _assert_same_fit(local, model)
    assert_array_equal(model.feature_names_in_, local.feature_names_in_)
    assert_allclose(model.predict_proba(frame_d).compute(), local.predict_proba(frame),
                    rtol=1e-12)


def test_unaligned_and_column_chunks_are_rechunked(client):
    X, y = _well_conditioned(2)
    Xd = da.from_array(X, chunks=(300, 3))  # columns in three chunks
    yd = da.from_array(y, chunks=170)  # rows cut elsewhere than X's
    _assert_same_fit(GDLogisticRegression().fit(X, y), GDLogisticRegression().fit(Xd, yd))


def test_prediction_is_lazy_and_equals_in_memory(client):
    X, y = _well_conditioned(3)
    Xd, yd = _in_chunks(X, y)
    model = GDLogisticRegression().fit(Xd, yd)
    for method in ["decision_function", "predict_proba", "predict_log_proba", "predict"]:
        lazy = getattr(model, method)(Xd)
        assert isinstance(lazy, da.Array)
        assert_allclose(lazy.compute(), getattr(model, method)(X), rtol=1e-13)
    binary = GDLogisticRegression().fit(Xd, yd % 2)
    assert binary.decision_function(Xd).shape == (len(y),)
    assert_array_equal(binary.predict(Xd).compute(), binary.predict(X))
    sparse_model = GDLogisticRegression(l1_ratio=1.0).fit(Xd, yd).sparsify()
    assert_allclose(sparse_model.predict_proba(Xd).compute(), sparse_model.predict_proba(X))


def test_sgd_travels_the_partitions_to_the_optimum(client):
    X, y = _well_conditioned(2, n_samples=800)
    Xd, yd = _in_chunks(X, y, rows=200)
    exact = GDLogisticRegression(tol=1e-10).fit(X, y)
    model = GDLogisticRegression(solver="sgd", tol=1e-5, random_state=0).fit(Xd, yd)
    assert model.converged_  # max |grad J| <= 1e-5: J within about 1e-10 of J*
    assert model.loss_curve_[-1] - exact.loss_curve_[-1] < 1e-9
    assert_allclose(model.coef_, exact.coef_, rtol=1e-3)
    again = GDLogisticRegression(solver="sgd", tol=1e-5, random_state=0).fit(Xd, yd)
    assert_array_equal(again.coef_, model.coef_)  # the seed fixes the passes


def test_partial_fit_passes_travel_like_a_stream_of_the_partitions(client):
    X, y = _well_conditioned(3, n_samples=800)
    Xd, yd = _in_chunks(X, y, rows=200)
    optimum = GDLogisticRegression(tol=1e-10).fit(X, y).loss_curve_[-1]
    model = GDLogisticRegression(random_state=0, batch_size=32)
    stream = GDLogisticRegression(random_state=0, batch_size=32)
    for _ in range(12):
        model.partial_fit(Xd, yd, classes=[0, 1, 2])
        for rows in np.split(np.arange(len(y)), 4):  # the partitions, one call each
            stream.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    assert model.n_iter_[0] == 12 and len(model.loss_curve_) == 13
    assert_allclose(model.loss_curve_[-1], _J(model, X, y), rtol=1e-12)  # J of all rows
    gap, stream_gap = model.loss_curve_[-1] - optimum, _J(stream, X, y) - optimum
    assert 0 < gap < 2 * stream_gap


def _J(model, X, y):
    """J of the rows (X, y) at the fitted model's coefficients."""
    start = GDLogisticRegression(warm_start=True, max_iter=0)
    start.classes_, start.coef_, start.intercept_ = model.classes_, model.coef_, model.intercept_
    with pytest.warns(ConvergenceWarning):
        return start.fit(X, y).loss_curve_[0]


def test_early_stopping_is_refused_clearly(client):
    Xd, yd = _in_chunks(*_well_conditioned(2))
    with pytest.raises(ValueError, match="early_stopping=True is not available for dask"):
        GDLogisticRegression(early_stopping=True).fit(Xd, yd)


def test_bad_partitions_raise_the_in_memory_errors(client):
    X, y = _well_conditioned(2)
    X[700, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GDLogisticRegression().fit(*_in_chunks(X, y))
    with pytest.raises(ValueError, match="continuous"):
        GDLogisticRegression().fit(*_in_chunks(np.nan_to_num(X), y + 0.5))


def test_bad_input_gets_a_clear_error_and_no_numpy_warning(client):
    X, y = _well_conditioned(2)
    Xd, yd = _in_chunks(X, y)
    with pytest.raises(TypeError, match="X must be a dask array or DataFrame, not ndarray"):
        GDLogisticRegression().fit(X, yd)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 0/0 or overflow on the way
        with pytest.raises(ValueError, match="sample weights sum to zero"):
            GDLogisticRegression().fit(Xd, yd, sample_weight=np.zeros(len(y)))
        with pytest.raises(ValueError, match="too large"):
            GDLogisticRegression().fit(*_in_chunks(X * 1e200, y))


def test_evaluations_run_where_the_partitions_are(client):
    X, y = _well_conditioned(2, n_samples=4000)
    Xd, yd = client.persist(_in_chunks(X, y, rows=500))
    with distributed.get_task_stream(client) as stream:
        GDLogisticRegression(solver="agd").fit(Xd, yd)
    evaluations = [task for task in stream.data if "_on_worker" in str(task["key"])]
    assert len(evaluations) > 10
    for task in evaluations:  # their objectives were never fetched from elsewhere
        assert not any(part["action"] == "transfer" for part in task["startstops"])


def test_a_worker_killed_mid_fit_leaves_the_result_unchanged(client):
    pytest.importorskip("sklearn.callback")
    from callback_helpers import OnIterationEnd

    X, y = _well_conditioned(3, n_samples=2000)
    Xd, yd = _in_chunks(X, y, rows=250)
    reference = GDLogisticRegression(solver="agd").fit(Xd, yd)
    pids = client.run(os.getpid)

    class KillAWorker(OnIterationEnd):
        def on_iteration_end(self, n):
            if n == 5:
                os.kill(sorted(pids.values())[0], signal.SIGKILL)
            return False

    model = GDLogisticRegression(solver="agd").set_callbacks(KillAWorker()).fit(Xd, yd)
    assert_array_equal(model.coef_, reference.coef_)
    assert_array_equal(model.loss_curve_, reference.loss_curve_)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it
    assert set(client.run(os.getpid).values()) != set(pids.values())  # it was killed


def test_the_client_never_holds_x():
    # the scheduler in a process of its own: the memory traced is the client's
    subprocess_cluster = pytest.importorskip("distributed.deploy.subprocess")
    n_rows, n_features, parts = 400_000, 20, 8

    def block(block_id):
        rng = np.random.RandomState(block_id[0])
        return rng.randn(n_rows // parts, n_features)

    Xd = da.map_blocks(block, chunks=((n_rows // parts,) * parts, (n_features,)),
                       dtype=np.float64)
    yd = (Xd[:, 0] + Xd[:, 1] > 0).astype(np.int64)
    cluster = subprocess_cluster.SubprocessCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        Xd, yd = client.persist([Xd, yd])
        distributed.wait([Xd, yd])
        tracemalloc.start()
        try:
            model = GDLogisticRegression().fit(Xd, yd)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert model.converged_
    assert peak < 0.05 * Xd.nbytes


def test_fit_without_a_client_says_what_is_needed():
    code = (
        "import dask.array as da, numpy as np, pytest\n"
        "from skgd import GDLogisticRegression\n"
        "X = da.ones((10, 2), chunks=5); y = da.from_array(np.arange(10) % 2, chunks=5)\n"
        "with pytest.raises(ValueError, match='needs a dask.distributed Client'):\n"
        "    GDLogisticRegression().fit(X, y)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_numpy_fit_never_imports_dask():
    code = (
        "import sys, numpy as np\n"
        "from skgd import GDLogisticRegression\n"
        "X = np.random.RandomState(0).randn(50, 3); y = np.arange(50) % 2\n"
        "GDLogisticRegression().fit(X, y).predict(X)\n"
        "assert not any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
