"""A fit inside other people's programs: threads, BLAS limits, interrupts and forks.

The contract: a fit gives the same bits whatever else the process does, on
any number of threads, and leaves no process state changed after it returns,
raises, is interrupted or is forked from.  Every test that waits on another
thread or process does so with a timeout, so a deadlock fails instead of
hanging the suite.
"""

import _thread
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_info, threadpool_limits

from skgd import GDLogisticRegression, _rowblocks
from skgd._objective import LogisticObjective

TIMEOUT = 120
# the fits below stop at max_iter on purpose: bits are compared, not optima
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def large():
    # 6.4 MB of X: above MIN_PARALLEL_BYTES, so fits share the rows between threads
    X, y = make_classification(20_000, 40, n_informative=10, random_state=0)
    return X, y


def _blas_threads():
    return [info["num_threads"] for info in threadpool_info()]


def _skgd_threads():
    return [thread for thread in threading.enumerate() if thread.name.startswith("skgd-rows")]


def _fit(X, y, **params):
    return GDLogisticRegression(tol=1e-6, max_iter=100, **params).fit(X, y)


def _assert_same_model(model, reference):
    assert model.n_iter_[0] == reference.n_iter_[0]
    assert np.array_equal(model.coef_, reference.coef_)
    assert np.array_equal(model.intercept_, reference.intercept_)


class _Looping:
    """Runs ``work`` over and over on a thread until the block ends."""

    def __init__(self, work):
        self.work = work
        self.stop = threading.Event()
        self.rounds = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stop.is_set():
            self.work()
            self.rounds += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the background thread is stuck"


def test_fit_is_bit_identical_while_other_threads_fit(large):
    X, y = large
    alone = _fit(X, y)
    with _Looping(lambda: _fit(X, y, C=0.5)) as background:
        fits = [_fit(X, y) for _ in range(3)]
    assert background.rounds > 0
    for model in fits:
        _assert_same_model(model, alone)


@pytest.mark.parametrize("n_classes", [2, 5])  # multinomial products go through BLAS
def test_fit_is_bit_identical_while_other_threads_limit_blas(large, n_classes):
    X, y = large
    if n_classes > 2:
        y = np.digitize(X[:, 0] + X[:, 1], [-2.0, -0.5, 0.5, 2.0])
    before = _blas_threads()
    alone = _fit(X, y)

    def limit_blas():
        with threadpool_limits(1, user_api="blas"):
            time.sleep(0.001)

    with _Looping(limit_blas):
        fits = [_fit(X, y) for _ in range(3)]
    for model in fits:
        _assert_same_model(model, alone)
    assert _blas_threads() == before


def test_many_concurrent_fits_equal_sequential_ones():
    problems = [
        make_classification(3_000 + 500 * seed, 100 + 10 * seed, random_state=seed)
        for seed in range(8)
    ]
    sequential = [_fit(X, y) for X, y in problems]
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(_fit, X, y) for X, y in problems]
        concurrent = [future.result(timeout=TIMEOUT) for future in futures]
    for model, reference in zip(concurrent, sequential, strict=True):
        _assert_same_model(model, reference)


@pytest.mark.parametrize("solver", ["gd", "agd", "sgd"])
@pytest.mark.parametrize("n_classes", [2, 5])
def test_fit_is_bit_identical_on_one_thread_or_several(large, solver, n_classes):
    X, y = large
    if n_classes > 2:
        y = np.digitize(X[:, 0] + X[:, 1], [-2.0, -0.5, 0.5, 2.0])
    several = _fit(X, y, solver=solver, random_state=0)
    with threadpool_limits(1, user_api="blas"):  # skgd follows BLAS's limit
        one = _fit(X, y, solver=solver, random_state=0)
    _assert_same_model(one, several)


@pytest.mark.parametrize("shape", ["wide sparse", "narrow dense"])
def test_long_dot_products_do_not_depend_on_blas_threads(shape):
    # BLAS splits dot products longer than 10000 between its threads: over the
    # parameters of wide data, and over the rows of a block of narrow data
    rng = np.random.RandomState(0)
    if shape == "wide sparse":
        X = sp.random(1000, 12_000, density=0.004, format="csr", random_state=rng)
    else:
        X = rng.normal(size=(60_000, 8))
    y = (np.asarray(X[:, :4].sum(axis=1)).ravel() + rng.normal(size=X.shape[0]) > 0)
    several = _fit(X, y)
    with threadpool_limits(1, user_api="blas"):
        one = _fit(X, y)
    _assert_same_model(one, several)


def test_a_blas_threadpoolctl_cannot_see_leaves_the_cpus(monkeypatch, large):
    X, y = large
    reference = _fit(X, y)
    monkeypatch.setattr(_rowblocks, "threadpool_info", lambda: [])
    assert _rowblocks.available_threads() >= 1
    _assert_same_model(_fit(X, y), reference)


def test_threads_live_only_during_a_fit_and_blas_is_untouched(large):
    X, y = large
    before = _blas_threads()
    seen = []
    model = GDLogisticRegression(max_iter=5, verbose=0)
    objective_pass = LogisticObjective.smooth_value_and_gradient

    def watching(self, params):
        seen.append((len(_skgd_threads()), _blas_threads()))
        return objective_pass(self, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LogisticObjective, "smooth_value_and_gradient", watching)
        model.fit(X, y)
    if _rowblocks.available_threads() > 1:
        assert all(n_threads == _rowblocks.available_threads() for n_threads, _ in seen)
    assert all(blas == before for _, blas in seen)  # BLAS is never limited, even mid-fit
    assert _skgd_threads() == []
    assert _blas_threads() == before


class _Interrupt(Exception):
    pass


@pytest.mark.parametrize("where", ["worker", "caller"])
def test_an_exception_mid_pass_leaves_nothing_behind(large, where):
    X, y = large
    before = _blas_threads()
    reference = _fit(X, y)
    calls = []
    if where == "worker":  # raised in a worker thread, inside a block
        original = LogisticObjective._data_term

        def failing(self, *args):
            calls.append(1)
            if len(calls) == 7:
                raise KeyboardInterrupt
            return original(self, *args)

        target = "_data_term"
    else:  # raised in the fitting thread, between passes
        original = LogisticObjective.smooth_value_and_gradient

        def failing(self, params):
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return original(self, params)

        target = "smooth_value_and_gradient"
    model = GDLogisticRegression(tol=1e-6, max_iter=100)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LogisticObjective, target, failing)
        with pytest.raises(KeyboardInterrupt):
            model.fit(X, y)
    assert not hasattr(model, "coef_") and not hasattr(model, "n_features_in_")
    assert _skgd_threads() == []
    assert _blas_threads() == before
    _assert_same_model(_fit(X, y), reference)


def test_interrupts_at_random_moments_leave_nothing_behind(large):
    # Ctrl-C delivered to the fitting thread at 40 moments spread over a fit
    X, y = large
    before = _blas_threads()
    reference = _fit(X, y)
    started = time.perf_counter()
    _fit(X, y)
    duration = time.perf_counter() - started
    rng = np.random.RandomState(0)
    interrupted = 0
    for delay in rng.uniform(0, duration, size=40):
        timer = threading.Timer(delay, _thread.interrupt_main)
        model = GDLogisticRegression(tol=1e-6, max_iter=100)
        fitted = False
        try:
            timer.start()
            model.fit(X, y)
            fitted = True
            timer.join(TIMEOUT)  # an interrupt after the fit lands here
            time.sleep(0.01)
        except KeyboardInterrupt:
            interrupted += not fitted
        finally:
            timer.cancel()
        if fitted:
            _assert_same_model(model, reference)
        else:  # left as it was: unfitted
            assert not hasattr(model, "coef_") and not hasattr(model, "n_features_in_")
        assert _blas_threads() == before
    deadline = time.monotonic() + 10
    while _skgd_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _skgd_threads() == []
    assert interrupted > 0
    _assert_same_model(_fit(X, y), reference)


def _fit_in_child(X, y, queue):
    model = _fit(X, y)
    queue.put((model.coef_, model.intercept_, model.n_iter_, _blas_threads()))


def test_a_child_forked_mid_fit_fits_like_a_fresh_process(large):
    X, y = large
    before = _blas_threads()
    reference = _fit(X, y)
    context = multiprocessing.get_context("fork")
    with _Looping(lambda: _fit(X, y)) as background:
        time.sleep(0.05)  # the background thread is fitting when the child forks
        results = []
        for _ in range(3):
            queue = context.Queue()
            child = context.Process(target=_fit_in_child, args=(X, y, queue))
            child.start()
            try:
                results.append(queue.get(timeout=TIMEOUT))  # no answer means a deadlock
            finally:
                child.join(timeout=10)
                child.kill()
            assert child.exitcode == 0
    assert background.rounds > 0
    for coef, intercept, n_iter, blas in results:
        assert np.array_equal(coef, reference.coef_)
        assert np.array_equal(intercept, reference.intercept_)
        assert n_iter[0] == reference.n_iter_[0]
        assert blas == before
