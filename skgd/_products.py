"""The two products of a gradient pass, with results that do not depend on threads.

BLAS's thread count is process-wide state that other code may change at any
moment, and some BLAS products sum in an order that depends on it (a matrix
product with 2 threads differs from one with 1 in the last bits here), so
``X @ coef`` and ``residual^T @ X`` on a block of dense rows avoid letting
it in:

- one column of coefficients (binary): :func:`numpy.einsum`'s own vectorised
  loops, not BLAS, which measured as fast as single-threaded BLAS here;
- several (multinomial): OpenBLAS on tiles of X small enough that it
  computes their products on the calling thread whatever its thread setting
  (its threshold is ``65536 * GEMM_MULTITHREAD_THRESHOLD`` multiply-adds, a
  build option of at least 1), summed in a fixed order: 2 to 4 times
  faster than ``einsum`` on 3 to 26 classes here; with another BLAS, or more
  than 256 classes, ``einsum``.

Sparse ``X`` goes through scipy's single-threaded products.  The same
holds for the solvers' and the loss's dot products (:func:`dot`).

Shapes follow :mod:`skgd._objective`: ``coef`` is ``(n_features,)`` for a
binary model and ``(K, n_features)`` otherwise; multinomial raw predictions
are ``(n_samples, K)`` laid out class by class (a transposed C array), so
that the loss's reductions over classes run along contiguous memory.
"""

import math

import numpy as np
import scipy.sparse as sp

# Multiply-adds of the largest product OpenBLAS is given (see above).
SINGLE_THREAD_PRODUCT = 65536
# The smallest side of a tile worth a call to BLAS.
MIN_TILE = 16


def _numpy_blas_is_openblas():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except (TypeError, KeyError):  # an older numpy: no build information
        return False
    return "openblas" in str(blas).lower()


# a fact of the numpy build, fixed when numpy is imported
SMALL_BLAS_PRODUCTS = _numpy_blas_is_openblas()


def dot(a, b):
    """``sum(a * b)`` over all entries, by numpy's own loop.

    Not ``np.vdot``: BLAS splits a long dot product between its threads and
    adds the parts, so its rounding depends on their number.
    """
    return float(np.einsum("i,i->", np.ravel(a), np.ravel(b)))


def raw_of_rows(X, coef):
    """``X @ coef`` (binary) or ``(coef @ X.T).T`` (multinomial), in a new array."""
    if sp.issparse(X):
        return np.asarray(X @ coef) if coef.ndim == 1 else np.asarray(coef @ X.T).T
    if coef.ndim == 1:
        return np.einsum("ij,j->i", X, coef)
    tiles = _tiles(X, coef.shape[0])
    if tiles is None:
        return np.einsum("kj,ij->ki", coef, X).T
    raw = np.empty((coef.shape[0], X.shape[0]), dtype=np.result_type(X, coef))
    for rows, columns in tiles:
        if columns.start == 0:  # a row slice's first tile
            np.matmul(coef[:, columns], X[rows, columns].T, out=raw[:, rows])
        else:
            raw[:, rows] += coef[:, columns] @ X[rows, columns].T
    return raw.T


def residual_times_rows(residual, X):
    """``residual^T @ X``: shape ``(n_features,)`` binary, ``(K, n_features)`` else."""
    if sp.issparse(X):
        return np.asarray(residual.T @ X)
    if residual.ndim == 1:
        return np.einsum("i,ij->j", residual, X)
    by_class = residual.T
    tiles = _tiles(X, by_class.shape[0])
    if tiles is None:
        return np.einsum("ki,ij->kj", by_class, X)
    product = np.zeros((by_class.shape[0], X.shape[1]), dtype=np.result_type(X, residual))
    for rows, columns in tiles:
        product[:, columns] += by_class[:, rows] @ X[rows, columns]
    return product


def _tiles(X, n_classes):
    """Tiles of X (row and column slices, rows first) whose products BLAS runs on one thread.

    Each tile's product with ``n_classes`` rows of coefficients or residuals
    has at most SINGLE_THREAD_PRODUCT multiply-adds; the tiles are summed in
    a fixed order.  None where BLAS is not OpenBLAS, or with so many classes
    (over 256) that a tile would have fewer than MIN_TILE rows or columns.
    """
    n_samples, n_features = X.shape
    # about square tiles, or all of a narrow X's columns
    columns = min(n_features, max(MIN_TILE, math.isqrt(SINGLE_THREAD_PRODUCT // n_classes)))
    rows = SINGLE_THREAD_PRODUCT // (n_classes * columns)
    if not SMALL_BLAS_PRODUCTS or rows < MIN_TILE:
        return None
    return [
        (slice(row, row + rows), slice(column, column + columns))
        for row in range(0, n_samples, rows)
        for column in range(0, n_features, columns)
    ]
