"""Passes over the rows of ``X`` in cache-sized blocks, on a few threads.

A gradient of J needs two products with ``X``: ``X @ coef`` and
``X.T @ residual``.  Done one after the other over the whole of a large
``X``, each reads ``X`` from memory.  Done block by block, the second product
reads a block that the first has just brought into cache, and no temporary
is larger than a block.  The blocks are shared between threads, as numpy's
ufuncs and BLAS release the GIL; meanwhile BLAS itself is held to one thread
so that the two levels of threading do not compete.  The threads are started
once and kept for later passes (a forked child starts its own).

Each thread owns a fixed, contiguous range of rows, and results come back in
row order, so sums over them do not depend on thread timing: with the same
number of threads a result repeats bit for bit.  (Another number of threads,
e.g. under ``threadpool_limits``, splits the rows differently, which changes
results at the level of rounding.)

BLAS's thread count is process-wide, so only one pass at a time limits it:
a pass that starts while another holds the limit runs its blocks in the
calling thread instead: the same blocks, so the same result up to the
rounding of BLAS's own threads.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

# Each block is read twice in a row.  At this size the second read comes from
# cache (L2 and L3) on the benchmark machine, and blocks are few enough that
# the Python overhead per block stays small (0.5 to 16 MiB measured alike,
# within the machine's noise).
BLOCK_BYTES = 2**21
# Below this size of X, one block on one thread: threads would cost more than
# they save.
MIN_PARALLEL_BYTES = 2**22
# Held by the pass that has limited BLAS to one thread (and so uses the pool).
_BLAS_LIMIT_LOCK = threading.Lock()
# The worker threads, kept between passes: starting threads for every pass
# costs about a millisecond, as much as a tenth of a pass over a large X.
_pool = None
_pool_size = 0


class RowBlocks:
    """Maps a function over the row blocks of ``X`` and of arrays aligned with it.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The data.  Dense ``X`` is split into views of consecutive rows; a
        sparse matrix is handled as one block, because slicing it copies.
    *row_arrays : ndarrays of shape (n_samples, ...)
        Per-row arrays (targets, weights) split along with ``X``.
    """

    def __init__(self, X, *row_arrays):
        arrays = (X, *row_arrays)
        n_samples = X.shape[0]
        n_bytes = 0 if sp.issparse(X) else X.size * X.dtype.itemsize
        if n_bytes < MIN_PARALLEL_BYTES:
            self.n_threads = 1
            self._blocks = [[arrays]]
            return
        # made per fit: BLAS libraries may be loaded, or limited, after import
        self._controller = ThreadpoolController()
        self.n_threads = _blas_threads(self._controller)
        block_rows = max(1, BLOCK_BYTES // (X.shape[1] * X.dtype.itemsize))
        bounds = np.linspace(0, n_samples, self.n_threads + 1).astype(int)
        self._blocks = [
            [
                tuple(array[start : min(start + block_rows, stop)] for array in arrays)
                for start in range(lo, stop, block_rows)
            ]
            for lo, stop in pairwise(bounds)
        ]

    def map(self, function):
        """``[function(X_block, *row_array_blocks) for every block]``, in row order.

        Worker threads compute under the caller's numpy error settings.
        """
        if self.n_threads == 1 or not _BLAS_LIMIT_LOCK.acquire(blocking=False):
            return [function(*block) for blocks in self._blocks for block in blocks]
        errors = np.geterr()

        def work(blocks):
            with np.errstate(**errors):
                return [function(*block) for block in blocks]

        try:
            with self._controller.limit(limits=1, user_api="blas"):
                pool = _worker_pool(self.n_threads)
                return [result for results in pool.map(work, self._blocks) for result in results]
        finally:
            _BLAS_LIMIT_LOCK.release()


def _worker_pool(n_threads):
    """The shared pool of worker threads, grown to ``n_threads`` if smaller.

    Only the pass holding ``_BLAS_LIMIT_LOCK`` calls this, so the pool is
    never shared by two passes at once.
    """
    global _pool, _pool_size
    if _pool is None or _pool_size < n_threads:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(n_threads, thread_name_prefix="skgd-rows")
        _pool_size = n_threads
    return _pool


def _forget_pool():
    """In a forked child the parent's worker threads do not exist: start afresh."""
    global _pool, _pool_size
    _pool, _pool_size = None, 0


os.register_at_fork(after_in_child=_forget_pool)


def _blas_threads(controller):
    """The number of threads BLAS may use now (it honours threadpool limits)."""
    counts = [info["num_threads"] for info in controller.select(user_api="blas").info()]
    return max(1, min(counts) if counts else os.cpu_count() or 1)
