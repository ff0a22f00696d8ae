"""Weighted means and variances of the features: what feature scaling is built from."""

import numpy as np
import scipy.sparse as sp

from ._products import residual_times_rows
from ._rowblocks import RowBlocks, sparse_entries

# Bytes of the rows squared at a time when computing the variances of dense X
# (one buffer per thread): small next to X, large enough that the Python steps
# over the chunks cost little.
MOMENT_BYTES = 2**18
# Stored entries of sparse X squared at a time for its variances.
SPARSE_CHUNK_ENTRIES = 2**16
# Variances below ROUNDING * eps(X.dtype) * (second moment about the shift) are
# taken as 0.
ROUNDING = 16


def feature_moments(X, weight, compute=None):
    """Weighted means and variances of the columns of ``X``, as float64.

    They choose the scaling that gradient descent works in, so they need
    a few correct digits, not all: chunks of rows are summed in X's own
    dtype (float32 stays as fast as it is), the chunks' sums in float64.
    Dense X is shifted by its first row before squaring, so a column
    whose mean is large next to its spread keeps an accurate variance
    (and a constant column gets exactly 0).  Sparse X is not shifted (that
    would fill it in); its columns are mostly zeros, whose means are
    small next to their spread.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    weight : ndarray of shape (n_samples,) or (n_samples, K)
        Non-negative weights summing to 1, in X's dtype; with K columns, K
        sets of weights (each column summing to 1).
    compute : RowThreads, default=None
        Threads to share dense X's blocks between; None computes in the
        caller's thread (the same bits either way).

    Returns
    -------
    mean, variance : ndarray of shape (n_features,) or (K, n_features)

    Raises
    ------
    ValueError
        When the squares of the features overflow.
    """
    if sp.issparse(X):
        with _overflow_checked():
            first, second = _sparse_moments(X, weight)
        return finish_moments(X.dtype, first, second, np.zeros(X.shape[1], dtype=X.dtype))
    shift = X[0].copy()

    def block_moments(X, weight):
        first = second = 0.0
        chunk_rows = max(1, MOMENT_BYTES // (X.shape[1] * X.dtype.itemsize))
        buffer = np.empty((min(chunk_rows, X.shape[0]), X.shape[1]), dtype=X.dtype)
        with _overflow_checked():  # in each thread: numpy's error state is the thread's own
            for start in range(0, X.shape[0], chunk_rows):
                rows = slice(start, start + chunk_rows)
                shifted = np.subtract(X[rows], shift, out=buffer[: X[rows].shape[0]])
                first += residual_times_rows(weight[rows], shifted).astype(np.float64)
                squares = np.square(shifted, out=shifted)
                second += residual_times_rows(weight[rows], squares).astype(np.float64)
        return first, second

    moments = RowBlocks(X, weight).map(block_moments, compute)
    first = sum(np.asarray(block_first) for block_first, _ in moments)
    second = sum(np.asarray(block_second) for _, block_second in moments)
    return finish_moments(X.dtype, first, second, shift)


def _overflow_checked():
    """Silence numpy's overflow warning where an overflow is checked for (and explained)."""
    return np.errstate(over="ignore")


def finish_moments(dtype, first, second, shift):
    """Means and variances from ``E[x - shift]`` and ``E[(x - shift)^2]`` of X of ``dtype``."""
    with _overflow_checked():
        _check_squares_finite(dtype, second + (first + shift) ** 2)
    # the weights sum to 1; a variance at the rounding level of the difference
    # below is that of a constant
    variance = second - first**2
    variance[variance <= ROUNDING * np.finfo(dtype).eps * second] = 0.0
    return first + shift, variance


def _sparse_moments(X, weight):
    """``(X^T w, (X*X)^T w)`` in float64, from X's entries a chunk at a time."""
    if weight.ndim == 2:
        return _sparse_moments_by_column(X, weight)
    first = np.zeros(X.shape[1])
    second = np.zeros(X.shape[1])
    for rows, columns, values in sparse_entries(X, SPARSE_CHUNK_ENTRIES):
        weighted = values * weight[rows].astype(np.float64)
        first += np.bincount(columns, weights=weighted, minlength=X.shape[1])
        weighted *= values
        second += np.bincount(columns, weights=weighted, minlength=X.shape[1])
    return first, second


def _sparse_moments_by_column(X, weight):
    """:func:`_sparse_moments` for K sets of weights: arrays of shape ``(K, n_features)``."""
    weight = weight.astype(np.float64)
    first = np.zeros((weight.shape[1], X.shape[1]))
    second = np.zeros_like(first)
    for rows, columns, values in sparse_entries(X, SPARSE_CHUNK_ENTRIES):
        entries = sp.csr_matrix((values.astype(np.float64), (rows, columns)), shape=X.shape)
        first += np.asarray(entries.T @ weight).T
        entries.data **= 2
        second += np.asarray(entries.T @ weight).T
    return first, second


def _check_squares_finite(dtype, second_moments):
    """Raise ValueError when the features are too large for the sums of their squares."""
    if np.all(np.isfinite(second_moments)) and np.isfinite(np.sum(second_moments)):
        return
    float32 = dtype == np.float32
    raise ValueError(
        f"The features of X are too large for {np.dtype(dtype).name}: their squares, which "
        "gradient descent's step sizes are computed from, overflow. Divide X by a "
        "constant (e.g. with MaxAbsScaler)"
        + (", or pass float64 input." if float32 else ".")
    )


def pooled_moments(weights, means, variances):
    """The weighted means and variances of the union of parts of the rows, from each part's.

    Parameters
    ----------
    weights : ndarray of shape (n_parts,) or (n_parts, K)
        Each part's total weight (for K sets of weights, each set's).
    means, variances : ndarray of shape (n_parts, n_features) or (n_parts, K, n_features)
        Each part's moments under its weights normalised to sum to 1.

    Returns
    -------
    total : ndarray of shape () or (K,)
        The parts' total weight.
    mean, variance : ndarray of shape (n_features,) or (K, n_features)
        The moments of the union, each part's variance about the common mean
        (the law of total variance).
    """
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum(axis=0)
    share = (weights / total)[..., None]
    mean = np.sum(share * means, axis=0)
    variance = np.sum(share * (variances + (means - mean) ** 2), axis=0)
    return total, (mean, variance)
