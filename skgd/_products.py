"""The two products of a gradient pass, with results that do not depend on threads.

``X @ coef`` and ``residual^T @ X`` are computed for dense ``X`` by
:func:`numpy.einsum`'s own vectorised loops, not BLAS: BLAS's thread count is
process-wide state that other code may change at any moment, some of its
products sum in an order that depends on it (a matrix product with 2 threads
differs from one with 1 in the last bits here), and BLAS's threads compete
with skgd's own.  On a cache-sized block of rows these loops measured as
fast as single-threaded BLAS for one column of coefficients (faster in
float64) and about 1.3 times slower for five.  Sparse ``X`` goes through
scipy's single-threaded products.

Shapes follow :mod:`skgd._objective`: ``coef`` is ``(n_features,)`` for a
binary model and ``(K, n_features)`` otherwise; multinomial raw predictions
are ``(n_samples, K)`` laid out class by class (a transposed C array), so
that the loss's reductions over classes run along contiguous memory.
"""

import numpy as np
import scipy.sparse as sp


def raw_of_rows(X, coef):
    """``X @ coef`` (binary) or ``(coef @ X.T).T`` (multinomial), in a new array."""
    if sp.issparse(X):
        return np.asarray(X @ coef) if coef.ndim == 1 else np.asarray(coef @ X.T).T
    if coef.ndim == 1:
        return np.einsum("ij,j->i", X, coef)
    return np.einsum("kj,ij->ki", coef, X).T


def residual_times_rows(residual, X):
    """``residual^T @ X``: shape ``(n_features,)`` binary, ``(K, n_features)`` else."""
    if sp.issparse(X):
        return np.asarray(residual.T @ X)
    if residual.ndim == 1:
        return np.einsum("i,ij->j", residual, X)
    return np.einsum("ki,ij->kj", residual.T, X)
