"""The two products of a gradient pass, with results that do not depend on threads.

BLAS's thread count is process-wide state that other code may change at any
moment, and some BLAS products sum in an order that depends on it (a matrix
product with 2 threads differs from one with 1 in the last bits here), so
``X @ coef`` and ``residual^T @ X`` on a block of dense rows avoid letting
it in:

- one column of coefficients (binary): :func:`numpy.einsum`'s own vectorised
  loops, not BLAS, which measured as fast as single-threaded BLAS here;
- several (multinomial): OpenBLAS on slices of rows small enough that it
  computes their products on the calling thread whatever its thread setting
  (its threshold is ``65536 * GEMM_MULTITHREAD_THRESHOLD`` multiply-adds, a
  build option of at least 1), summed in row order: 3.5 to 7 times faster
  than ``einsum`` on 5 to 26 classes here; with another BLAS, or X so wide
  that a slice would hold few rows, ``einsum``.

Sparse ``X`` goes through scipy's single-threaded products.

Shapes follow :mod:`skgd._objective`: ``coef`` is ``(n_features,)`` for a
binary model and ``(K, n_features)`` otherwise; multinomial raw predictions
are ``(n_samples, K)`` laid out class by class (a transposed C array), so
that the loss's reductions over classes run along contiguous memory.
"""

import numpy as np
import scipy.sparse as sp

# Multiply-adds of the largest product OpenBLAS is given (see above).
SINGLE_THREAD_PRODUCT = 65536
# Rows of the smallest slice worth a call to BLAS.
MIN_ROWS = 16


def _numpy_blas_is_openblas():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except (TypeError, KeyError):  # an older numpy: no build information
        return False
    return "openblas" in str(blas).lower()


# a fact of the numpy build, fixed when numpy is imported
SMALL_BLAS_PRODUCTS = _numpy_blas_is_openblas()


def raw_of_rows(X, coef):
    """``X @ coef`` (binary) or ``(coef @ X.T).T`` (multinomial), in a new array."""
    if sp.issparse(X):
        return np.asarray(X @ coef) if coef.ndim == 1 else np.asarray(coef @ X.T).T
    if coef.ndim == 1:
        return np.einsum("ij,j->i", X, coef)
    slices = _row_slices(X, coef.shape[0])
    if slices is None:
        return np.einsum("kj,ij->ki", coef, X).T
    raw = np.empty((coef.shape[0], X.shape[0]), dtype=np.result_type(X, coef))
    for rows in slices:
        np.matmul(coef, X[rows].T, out=raw[:, rows])
    return raw.T


def residual_times_rows(residual, X):
    """``residual^T @ X``: shape ``(n_features,)`` binary, ``(K, n_features)`` else."""
    if sp.issparse(X):
        return np.asarray(residual.T @ X)
    if residual.ndim == 1:
        return np.einsum("i,ij->j", residual, X)
    by_class = residual.T
    slices = _row_slices(X, by_class.shape[0])
    if slices is None:
        return np.einsum("ki,ij->kj", by_class, X)
    product = np.zeros((by_class.shape[0], X.shape[1]), dtype=np.result_type(X, residual))
    for rows in slices:
        product += by_class[:, rows] @ X[rows]
    return product


def _row_slices(X, n_columns):
    """Slices of X's rows whose products with ``n_columns`` columns BLAS runs on one thread.

    None where BLAS is not OpenBLAS, or where fewer than MIN_ROWS rows would
    fit (X is so wide that the Python steps over the slices would cost more).
    """
    rows = SINGLE_THREAD_PRODUCT // (n_columns * X.shape[1])
    if not SMALL_BLAS_PRODUCTS or rows < MIN_ROWS:
        return None
    return [slice(start, start + rows) for start in range(0, X.shape[0], rows)]
