"""The objective J: a log-loss composed with ``X``, sample weights and a penalty.

This module is the one place where ``X`` appears.  Everything else refers to
the objective written down here.

With integer class codes ``y_i`` in ``0 .. K-1``, per-sample weights
``s_i = sample_weight_i * class_weight[y_i]`` and ``S = sum_i s_i``::

    J(W, b) = (1/S) sum_i s_i loss(x_i W^T + b, y_i)
              + 1/(C S) * [ (1 - l1_ratio)/2 ||W||_2^2 + l1_ratio ||W||_1 ]

- binary (K = 2): ``W`` has one row, ``loss(z, t) = log(1 + exp(z)) - t z``;
- K > 2: ``W`` has K rows (the symmetric parametrisation), and
  ``loss(z, t) = logsumexp(z) - z[t]``;
- the intercept ``b`` is never penalised; ``C = inf`` means no penalty.

This is scikit-learn's ``C * sum_i s_i loss_i + penalty`` divided by ``C S``,
so both have the same minimiser.  With unit weights and no penalty it is the
plain mean log-loss ``J = (1/m) sum_i loss_i``.

Parameter layout
----------------
The solvers work on one array ``params`` of shape
``(n_rows, n_features + fit_intercept)``, where ``n_rows`` is 1 for binary and
K otherwise; when ``fit_intercept`` is true the intercept is the last column.
"""

import math

import numpy as np
import scipy.sparse as sp

from ._losses import make_loss
from ._products import raw_of_rows, residual_times_rows
from ._rowblocks import RowBlocks, sparse_entries
from ._standardize import Standardized

# Bytes of the rows squared at a time when computing the variances of dense X
# (one buffer per thread): small next to X, large enough that the Python steps
# over the chunks cost little.
MOMENT_BYTES = 2**18
# Stored entries of sparse X squared at a time for its variances.
SPARSE_CHUNK_ENTRIES = 2**16
# Variances below ROUNDING * eps(X.dtype) * (second moment about the shift) are
# taken as 0.
ROUNDING = 16


class LogisticObjective:
    """J split into a smooth part ``f`` (data term + L2) and an L1 part ``g``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data, float32 or float64; never copied or modified.
    y : ndarray of shape (n_samples,)
        Integer class codes in ``0 .. n_classes - 1``.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights ``s_i`` (sample weight times class weight), ``sum > 0``;
        None for unit weights.
    n_classes : int
        Number of classes K >= 2.
    fit_intercept : bool
        Whether ``params`` carries an (unpenalised) intercept column.
    penalty : ElasticNet
        Penalty on the weights, with strength ``1 / (C * S)``.
    threads : RowThreads, default=None
        Worker threads to share the blocks of rows between; None computes in
        the caller's thread.  Results are the same bits either way.
    """

    def __init__(self, X, y, sample_weight, n_classes, fit_intercept, penalty, threads=None):
        self.X = X
        self.dtype = X.dtype
        # s_i / S: the objective is a weighted mean, whatever the weights' scale
        self.n_samples = n_samples = X.shape[0]
        if sample_weight is None:
            self.sample_weight = np.full(n_samples, 1.0 / n_samples, dtype=X.dtype)
        else:  # divided by the largest first, so that the sum cannot overflow
            self.sample_weight = np.divide(sample_weight, sample_weight.max(), dtype=np.float64)
            self.sample_weight /= self.sample_weight.sum()
            self.sample_weight = self.sample_weight.astype(X.dtype, copy=False)
        self.loss = make_loss(n_classes)
        self.targets = self.loss.encode_targets(y, X.dtype)
        self.fit_intercept = fit_intercept
        self.penalty = penalty
        self.n_features = X.shape[1]
        self.shape = (self.loss.n_raw_columns, self.n_features + int(fit_intercept))
        self.blocks = RowBlocks(X, self.targets, self.sample_weight)
        self.threads = threads

    def split(self, params):
        """Views of the coefficients ``W`` and the intercept ``b`` (None without one)."""
        coef = params[:, : self.n_features]
        intercept = params[:, self.n_features] if self.fit_intercept else None
        return coef, intercept

    def raw_predictions(self, params):
        """``X @ W.T + b``: shape ``(n_samples,)`` binary, ``(n_samples, K)`` else."""
        return raw_predictions(self.X, *self.split(params))

    def smooth_value(self, params):
        """f: weighted mean loss plus the squared-L2 part of the penalty."""
        raw_of_block = self._raw_of_block(params)

        def block_value(X, targets, weight):
            return self.loss.weighted_loss_and_residual(raw_of_block(X), targets, weight)[0]

        coef, _ = self.split(params)
        return sum(self.blocks.map(block_value, self.threads)) + self.penalty.smooth_value(coef)

    def smooth_value_and_gradient(self, params):
        """f and its gradient, in the layout of ``params``.

        One pass over the blocks of X computes the raw predictions, the loss,
        the residual and ``X^T residual`` while each block is in cache.
        """
        raw_of_block = self._raw_of_block(params)
        value = 0.0
        grad = np.zeros(self.shape, dtype=self.dtype)
        for block_value, block_grad in self.blocks.map(
            lambda X, targets, weight: self._data_term(raw_of_block, X, targets, weight),
            self.threads,
        ):
            value += block_value
            grad += block_grad
        return self._add_penalty(params, value, grad)

    def batch_gradient(self, params, rows, reference=None):
        """An unbiased estimate of the gradient of f from ``rows``.

        The data term over the rows is scaled by ``n_samples / len(rows)``,
        so its mean over uniformly drawn rows is the full data term.  With a
        ``reference``, the estimate of ``grad f(params) - grad f(reference)``
        from the same rows, as variance-reduced solvers use it: one product
        with the rows' ``X^T`` for both.

        Parameters
        ----------
        params : ndarray
            Parameters in the layout of ``params``.
        rows : ndarray of int
            Indices of the rows of the mini-batch.
        reference : ndarray, default=None
            Parameters to subtract the gradient at.

        Returns
        -------
        ndarray
            In the layout of ``params``.
        """
        X = self.X[rows]
        targets = self.targets[rows]
        weight = self.sample_weight[rows]
        weight *= self.n_samples / len(rows)

        def residual(params):
            return self.loss.weighted_residual(self._raw_of_block(params)(X), targets, weight)

        batch_residual = residual(params)
        coef = self.split(params)[0]
        if reference is not None:
            batch_residual -= residual(reference)
            coef = coef - self.split(reference)[0]  # the L2 gradient is linear in coef
        grad = self._gradient_of_residual(batch_residual, X)
        self.penalty.add_smooth_gradient(coef, grad[:, : self.n_features])
        return grad

    def _data_term(self, raw_of_block, X, targets, weight):
        """``sum_i weight_i loss_i`` over some rows and its gradient (no penalty)."""
        value, residual = self.loss.weighted_loss_and_residual(raw_of_block(X), targets, weight)
        return value, self._gradient_of_residual(residual, X)

    def _gradient_of_residual(self, residual, X):
        """The gradient of the data term from the weighted residual of the rows of X."""
        grad = np.empty(self.shape, dtype=self.dtype)
        # dJ/dW = (s * residual)^T X, dJ/db = sum_i s_i residual_i
        grad[:, : self.n_features] = residual_times_rows(residual, X)
        if self.fit_intercept:
            grad[:, self.n_features] = residual.sum(axis=0)
        return grad

    def _add_penalty(self, params, value, grad):
        """f and its gradient from the data term's: the L2 part of the penalty added."""
        coef, _ = self.split(params)
        self.penalty.add_smooth_gradient(coef, grad[:, : self.n_features])
        return value + self.penalty.smooth_value(coef), grad

    def _raw_of_block(self, params):
        """A function of a block of rows returning its raw predictions."""
        coef, intercept = self.split(params)
        binary = self.shape[0] == 1
        if binary:  # a matrix-vector product
            coef = coef[0]
            intercept = None if intercept is None else intercept[0]

        def raw_of_block(X):
            raw = raw_of_rows(X, coef)
            if intercept is not None:
                raw += intercept
            return raw

        return raw_of_block

    def nonsmooth_value(self, params):
        """g: the L1 part of the penalty."""
        return self.penalty.nonsmooth_value(self.split(params)[0])

    def value(self, params):
        """J = f + g (the solvers combine the parts themselves)."""
        return self.smooth_value(params) + self.nonsmooth_value(params)

    def prox(self, params, step):
        """Prox of ``step * g``: soft-threshold the weights, leave the intercept."""
        if self.penalty.is_smooth:
            return params
        out = params.copy()
        out[:, : self.n_features] = self.penalty.prox(out[:, : self.n_features], step)
        return out

    def preconditioned(self):
        """J in standardised variables, where gradient descent converges faster."""
        return Standardized(self)

    def lipschitz_bound(self):
        """An upper bound on the Lipschitz constant of the gradient of f.

        The Hessian of the loss in raw space is bounded by the loss's
        ``curvature_bound``, and the weighted Gram matrix by its trace
        ``sum_i w_i (||x_i||^2 + fit_intercept)``.  The bound is safe but can be
        loose; the solvers adapt the step from there.
        """
        mean, variance = self.feature_moments()
        trace = float(np.sum(variance + mean**2)) + float(self.fit_intercept)
        return self.loss.curvature_bound * trace + self.penalty.l2_strength

    def gradient_scale(self):
        """A bound on the size of the sums that make up the gradient.

        Residuals lie in [-1, 1] and the weights sum to 1, so by Cauchy-Schwarz
        ``sum_i w_i |residual_i x_ij| <= sqrt(sum_i w_i x_ij^2)``; the bound is
        the largest of these, or 1 for the intercept.
        """
        mean, variance = self.feature_moments()
        return max(float(np.sqrt(np.max(variance + mean**2, initial=0.0))), 1.0)

    def feature_moments(self):
        """Weighted means and variances of the features, as float64; cached.

        They choose the scaling that gradient descent works in, so they need
        a few correct digits, not all: chunks of rows are summed in X's own
        dtype (float32 stays as fast as it is), the chunks' sums in float64.
        Dense X is shifted by its first row before squaring, so a column
        whose mean is large next to its spread keeps an accurate variance
        (and a constant column gets exactly 0).  Sparse X is not shifted (that
        would fill it in); its columns are mostly zeros, whose means are
        small next to their spread.
        """
        if hasattr(self, "_moments"):
            return self._moments
        X = self.X
        if sp.issparse(X):
            first, second = _sparse_moments(X, self.sample_weight)
            return self._finish_moments(first, second, np.zeros(X.shape[1], dtype=X.dtype))
        shift = X[0].copy()

        def block_moments(X, targets, weight):
            first = second = 0.0
            chunk_rows = max(1, MOMENT_BYTES // (X.shape[1] * X.dtype.itemsize))
            buffer = np.empty((min(chunk_rows, X.shape[0]), X.shape[1]), dtype=X.dtype)
            for start in range(0, X.shape[0], chunk_rows):
                rows = slice(start, start + chunk_rows)
                shifted = np.subtract(X[rows], shift, out=buffer[: X[rows].shape[0]])
                first += residual_times_rows(weight[rows], shifted).astype(np.float64)
                squares = np.square(shifted, out=shifted)
                second += residual_times_rows(weight[rows], squares).astype(np.float64)
            return first, second

        moments = self.blocks.map(block_moments, self.threads)
        first = sum(np.asarray(block_first) for block_first, _ in moments)
        second = sum(np.asarray(block_second) for _, block_second in moments)
        return self._finish_moments(first, second, shift)

    def _finish_moments(self, first, second, shift):
        """Means and variances from ``E[x - shift]`` and ``E[(x - shift)^2]``; cached."""
        _check_squares_finite(self.X, second + (first + shift) ** 2)
        # the weights sum to 1; a variance at the rounding level of the difference
        # below is that of a constant
        variance = second - first**2
        variance[variance <= ROUNDING * np.finfo(self.dtype).eps * second] = 0.0
        self._moments = first + shift, variance
        return self._moments


def _sparse_moments(X, weight):
    """``(X^T w, (X*X)^T w)`` in float64, from X's entries a chunk at a time."""
    first = np.zeros(X.shape[1])
    second = np.zeros(X.shape[1])
    for rows, columns, values in sparse_entries(X, SPARSE_CHUNK_ENTRIES):
        weighted = values * weight[rows].astype(np.float64)
        first += np.bincount(columns, weights=weighted, minlength=X.shape[1])
        weighted *= values
        second += np.bincount(columns, weights=weighted, minlength=X.shape[1])
    return first, second


def _check_squares_finite(X, second_moments):
    """Raise ValueError when the features are too large for the sums of their squares."""
    if np.all(np.isfinite(second_moments)) and np.isfinite(np.sum(second_moments)):
        return
    float32 = X.dtype == np.float32
    raise ValueError(
        f"The features of X are too large for {X.dtype.name}: their squares, which "
        "gradient descent's step sizes are computed from, overflow. Divide X by a "
        "constant (e.g. with MaxAbsScaler)"
        + (", or pass float64 input." if float32 else ".")
    )


def penalty_strength(C, total_weight, weight_scale, dtype):
    """The penalty's strength ``1 / (C S)`` in J, with ``S = total_weight * weight_scale``.

    Divided step by step, so that no product of tiny numbers underflows to 0.
    A strength beyond ``1 / sqrt(tiny)`` of ``dtype`` (``C S`` below 1e-154 in
    float64, 1e-19 in float32) is taken as that: the penalised coefficients are
    then below the working precision, 0 in J's minimiser as in scikit-learn's,
    and the penalty's values and gradients stay finite.

    Parameters
    ----------
    C : float
        Inverse regularisation strength, in (0, inf].
    total_weight : float
        The sum of the (scaled) sample weights, > 0.
    weight_scale : float
        What the sample weights were divided by, > 0 (inf or 0 after an
        overflow or underflow of the product of scales).
    dtype : numpy dtype
        The dtype of the computation.

    Returns
    -------
    float
    """
    strength = 1.0 / C / total_weight
    strength = strength / weight_scale if weight_scale > 0 else math.inf
    return min(strength, 1.0 / math.sqrt(np.finfo(dtype).tiny))


def raw_predictions(X, coef, intercept):
    """``X @ coef.T + intercept``, squeezed to one column for a binary model.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    coef : ndarray of shape (n_rows, n_features)
    intercept : ndarray of shape (n_rows,) or None

    Returns
    -------
    raw : ndarray of shape (n_samples,) if ``n_rows == 1``, else (n_samples, n_rows)
    """
    raw = np.asarray(X @ coef[0] if coef.shape[0] == 1 else X @ coef.T)
    if intercept is not None:
        raw += intercept[0] if coef.shape[0] == 1 else intercept
    return raw
