"""Passes over the rows of ``X`` in cache-sized blocks, optionally on worker threads.

A gradient of J needs two products with ``X``: ``X @ coef`` and
``X.T @ residual``.  Done one after the other over the whole of a large
``X``, each reads ``X`` from memory.  Done block by block, the second product
reads a block that the first has just brought into cache, and no temporary
is larger than a block.

Determinism.  The blocks depend on nothing but ``X``'s shape and dtype; each
block's products are computed by :mod:`skgd._products`, which keeps BLAS's
threads out of them; and the caller combines the blocks' results in row
order.  So a pass gives the same bits on one thread or several, whatever
other threads of the process do (BLAS's thread count is process-wide state
that any other code may change, and some of BLAS's sums change with it).

Threads.  :class:`RowThreads` owns the worker threads of one fit: started
when the fit enters it, joined when the fit leaves it, however it leaves
(return, exception, KeyboardInterrupt).  Nothing is shared between fits or
kept in the process, so concurrent fits, forks and interrupts leave no state
behind, and a forked child starts with no threads to miss.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_info

# Each block is read twice in a row.  At this size the second read comes from
# cache (L2 and L3) on the benchmark machine, and blocks are few enough that
# the Python overhead per block stays small (0.5 to 16 MiB measured alike,
# within the machine's noise).
BLOCK_BYTES = 2**21
# Below this size of X, one thread: starting threads would cost more than
# they save.
MIN_PARALLEL_BYTES = 2**22


class RowBlocks:
    """The rows of ``X``, and of arrays aligned with it, cut into fixed blocks.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The data.  Dense ``X`` is cut into views of ``BLOCK_BYTES`` of
        consecutive rows; a sparse matrix is one block, because slicing it
        copies.
    *row_arrays : ndarrays of shape (n_samples, ...)
        Per-row arrays (targets, weights) cut along with ``X``.

    Attributes
    ----------
    blocks : list of tuple
        ``(X_block, *row_array_blocks)`` in row order.
    starts : list of int
        The first row of each block.
    """

    def __init__(self, X, *row_arrays):
        arrays = (X, *row_arrays)
        if sp.issparse(X) or X.shape[0] == 0:
            self.blocks, self.starts = [arrays], [0]
            return
        block_rows = max(1, BLOCK_BYTES // max(1, X.shape[1] * X.dtype.itemsize))
        self.starts = list(range(0, X.shape[0], block_rows))
        self.blocks = [
            tuple(array[start : start + block_rows] for array in arrays) for start in self.starts
        ]

    def map(self, function, threads=None):
        """``[function(*block) for block in self.blocks]``, on ``threads`` if given."""
        if threads is None:
            return [function(*block) for block in self.blocks]
        return threads.map(function, self.blocks)

    def fill(self, out, function, threads=None):
        """``out[rows of the block] = function(*block)`` for each block, on ``threads`` if given.

        Each block's result goes straight to its rows of ``out``, so that the
        blocks' results are never held in a list beside it.
        """

        def write(start, *block):
            out[start : start + block[0].shape[0]] = function(*block)

        tasks = [(start, *block) for start, block in zip(self.starts, self.blocks, strict=True)]
        if threads is None:
            for task in tasks:
                write(*task)
        else:
            threads.map(write, tasks)


def sparse_entries(X, max_entries):
    """The stored entries of sparse ``X``, a chunk of rows (CSR) or columns (CSC) at a time.

    Yields ``(rows, columns, values)`` of about ``max_entries`` entries, with
    duplicate entries added up.  Only a chunk's worth of memory is taken,
    whatever X's index order (scipy would copy all of X to sort it; even a
    view of a few of its rows is copied by scipy's constructors).
    """
    by_rows = X.format == "csr"
    n_major = X.shape[0] if by_rows else X.shape[1]
    canonical = X.has_canonical_format
    cuts = np.searchsorted(X.indptr, np.arange(max_entries, X.nnz, max_entries))
    bounds = np.unique(np.concatenate([[0], cuts, [n_major]]))
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        begin, end = X.indptr[start], X.indptr[stop]
        major = np.repeat(np.arange(start, stop), np.diff(X.indptr[start : stop + 1]))
        minor, values = X.indices[begin:end], X.data[begin:end]
        rows, columns = (major, minor) if by_rows else (minor, major)
        if not canonical:  # duplicates add up before anything is computed from them
            summed = sp.coo_matrix((values, (rows, columns)), shape=X.shape)
            summed.sum_duplicates()
            rows, columns, values = summed.row, summed.col, summed.data
        yield rows, columns, values


class RowThreads:
    """The worker threads of one fit, as a context manager.

    Parameters
    ----------
    n_threads : int
        Threads to share the blocks between; 1 computes in the caller's
        thread and starts none.

    Examples
    --------
    >>> with RowThreads(2) as threads:
    ...     threads.map(lambda a, b: a + b, [(1, 2), (3, 4), (5, 6)])
    [3, 7, 11]
    """

    def __init__(self, n_threads):
        self.n_threads = max(1, int(n_threads))
        self._executor = None

    @classmethod
    def for_data(cls, X, n_jobs=None):
        """Threads suited to ``X``: one below ``MIN_PARALLEL_BYTES`` or for sparse ``X``.

        Otherwise ``n_jobs`` threads, by joblib's convention (-1 all usable
        CPUs, -2 all but one, ...); by default as many as BLAS may use now
        (which honours ``threadpoolctl`` limits and ``OMP_NUM_THREADS``) and
        the process may run on.  The number changes the speed of a fit,
        never its result.
        """
        if sp.issparse(X) or X.size * X.dtype.itemsize < MIN_PARALLEL_BYTES:
            return cls(1)
        if n_jobs is None:
            return cls(available_threads())
        return cls(n_jobs if n_jobs > 0 else usable_cpus() + 1 + n_jobs)

    def __enter__(self):
        if self.n_threads > 1:
            self._executor = ThreadPoolExecutor(self.n_threads, thread_name_prefix="skgd-rows")
        return self

    def __exit__(self, *exc_info):
        executor, self._executor = self._executor, None
        if executor is not None:  # runs not started are dropped; running ones end
            # (a second Ctrl-C meanwhile leaves the threads to end by themselves,
            # after their current run)
            executor.shutdown(wait=True, cancel_futures=True)

    def map(self, function, blocks):
        """``[function(*block) for block in blocks]``, in order.

        The blocks are cut into one run of consecutive blocks per thread.
        Workers compute under the caller's numpy error settings.
        """
        executor = self._executor
        if executor is None or len(blocks) < 2:
            return [function(*block) for block in blocks]
        errors = np.geterr()

        def work(run):
            with np.errstate(**errors):
                return [function(*block) for block in run]

        bounds = np.linspace(0, len(blocks), min(self.n_threads, len(blocks)) + 1).astype(int)
        runs = [blocks[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
        futures = [executor.submit(work, run) for run in runs]
        try:
            return [result for future in futures for result in future.result()]
        finally:  # after an exception or interrupt, runs not yet started never start
            for future in futures:
                future.cancel()

    def __getstate__(self):
        # threads do not travel: a copy computes in its caller's thread until entered
        return {"n_threads": self.n_threads, "_executor": None}


def available_threads():
    """Threads a fit may use: the BLAS thread limit in force, at most the usable CPUs."""
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(1, min([usable_cpus(), *counts]))  # a BLAS threadpoolctl cannot see: the CPUs


def usable_cpus():
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1
