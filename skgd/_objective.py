"""The objective J: a log-loss composed with ``X``, sample weights and a penalty.

This module writes J down once; everything else refers to it.  It is the
objective and nothing more: how its blocks of rows are computed (threads or
not) is passed in, its feature moments are :mod:`skgd._moments`' (it
only weights them by its curvature) and its change of variables
:mod:`skgd._reparam`'s, and an objective pickles with
its data, so that it can be rebuilt in another process.

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
from ._moments import feature_moments
from ._products import raw_of_rows, residual_times_rows
from ._rowblocks import RowBlocks


class Objective:
    """J's parameter layout and penalty; a subclass computes its data term.

    The data term is the weighted mean loss ``(1/S) sum_i s_i loss_i``; the
    penalty and the parameter layout are the same wherever the rows are held,
    so they are written once, here.  A subclass sets the attributes below
    and implements ``data_value(params)`` and
    ``data_value_and_gradient(params)``.

    Attributes
    ----------
    dtype : numpy dtype
        float32 or float64: the dtype of the parameters and of the arithmetic.
    n_samples : int
        Number of rows J is a mean over.
    n_features : int
    fit_intercept : bool
    loss : BinaryLogLoss or MultinomialLogLoss
    penalty : ElasticNet
    shape : tuple of int
        ``(n_rows, n_features + fit_intercept)``: the layout of ``params``.
    is_sparse : bool
        Whether X is a sparse matrix.
    """

    def split(self, params):
        """Views of the coefficients ``W`` and the intercept ``b`` (None without one)."""
        coef = params[:, : self.n_features]
        intercept = params[:, self.n_features] if self.fit_intercept else None
        return coef, intercept

    def smooth_value(self, params):
        """f: weighted mean loss plus the squared-L2 part of the penalty."""
        coef, _ = self.split(params)
        return self.data_value(params) + self.penalty.smooth_value(coef)

    def smooth_value_and_gradient(self, params):
        """f and its gradient, in the layout of ``params``."""
        value, grad = self.data_value_and_gradient(params)
        coef, _ = self.split(params)
        self.penalty.add_smooth_gradient(coef, grad[:, : self.n_features])
        return value + self.penalty.smooth_value(coef), grad

    def nonsmooth_value(self, params):
        """g: the L1 part of the penalty."""
        return self.penalty.nonsmooth_value(self.split(params)[0])

    def value(self, params):
        """J = f + g (the solvers combine the parts themselves)."""
        return self.smooth_value(params) + self.nonsmooth_value(params)

    def prox(self, params, step):
        """Prox of ``step * g``: soft-threshold the weights, leave the intercept.

        ``step`` is a float, or one step per feature (of shape ``(n_features,)``)
        for the prox in variables where the features are scaled.
        """
        if self.penalty.is_smooth:
            return params
        out = params.copy()
        out[:, : self.n_features] = self.penalty.prox(out[:, : self.n_features], step)
        return out

    def centred(self, params):
        """The same model, with coefficients and intercepts summing to 0 over the classes.

        The softmax does not change when one vector is added to every class's
        coefficients and one number to every intercept, so the data term is
        the same, and a squared-L2 penalty can only fall: with ``g = 0``,
        centring is free descent.  Without a penalty J has many minimisers;
        scikit-learn reports the centred one.  Binary parameters are
        returned as they are.
        """
        if params.shape[0] == 1:
            return params
        return params - params.mean(axis=0)


class LogisticObjective(Objective):
    """J on rows in memory, split into a smooth part ``f`` (data term + L2) and an L1 part ``g``.

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
    compute : RowThreads, default=None
        How the blocks of rows are computed: on the worker threads of a
        :class:`skgd._rowblocks.RowThreads`, or (None) in the caller's thread.
        Results are the same bits either way.  A pickled objective carries
        its data but not its threads: it computes in the caller's thread.
    """

    def __init__(self, X, y, sample_weight, n_classes, fit_intercept, penalty, compute=None):
        self.X = X
        self.dtype = X.dtype
        # s_i / S: the objective is a weighted mean, whatever the weights' scale
        self.n_samples = n_samples = X.shape[0]
        self.sample_weight = normalised_weights(sample_weight, n_samples, X.dtype)
        self.loss = make_loss(n_classes)
        self.targets = self.loss.encode_targets(y, X.dtype)
        self.fit_intercept = fit_intercept
        self.penalty = penalty
        self.n_features = X.shape[1]
        self.is_sparse = sp.issparse(X)
        self.shape = (self.loss.n_raw_columns, self.n_features + int(fit_intercept))
        self.blocks = RowBlocks(X, self.targets, self.sample_weight)
        self.compute = compute

    def raw_predictions(self, params):
        """``X @ W.T + b``: shape ``(n_samples,)`` binary, ``(n_samples, K)`` else."""
        return raw_predictions(self.X, *self.split(params))

    def data_value(self, params):
        """The data term: the weighted mean loss."""
        raw_of_block = self._raw_of_block(params)

        def block_value(X, targets, weight):
            return self.loss.weighted_loss_and_residual(raw_of_block(X), targets, weight)[0]

        return sum(self.blocks.map(block_value, self.compute))

    def data_value_and_gradient(self, params):
        """The data term and its gradient, in the layout of ``params``.

        One pass over the blocks of X computes the raw predictions, the loss,
        the residual and ``X^T residual`` while each block is in cache.
        """
        raw_of_block = self._raw_of_block(params)
        value = 0.0
        grad = np.zeros(self.shape, dtype=self.dtype)
        for block_value, block_grad in self.blocks.map(
            lambda X, targets, weight: self._data_term(raw_of_block, X, targets, weight),
            self.compute,
        ):
            value += block_value
            grad += block_grad
        return value, grad

    def feature_moments(self):
        """The features' means and variances under the sample weights (see :mod:`skgd._moments`)."""
        return feature_moments(self.X, self.sample_weight, self.compute)

    def curvature_moments(self, params, least_curvature):
        """What the diagonal of the Hessian of f at ``params`` is made of.

        For each row ``k`` of the parameters, the curvature weights ``c_ik =
        s_i p_ik (1 - p_ik)`` (the loss's second derivatives), each at least
        ``least_curvature * s_i``, give the Hessian's diagonal for the
        intercept, ``T_k = sum_i c_ik``, and for the weights after centring
        each feature on its curvature-weighted mean, ``T_k variance_kj +
        l2_strength`` (:class:`skgd._reparam.Standardization`).  At ``params =
        0`` of a binary problem the weights are those of the curvature bound:
        the moments are the sample-weighted ones.

        Parameters
        ----------
        params : ndarray
        least_curvature : float
            The floor of the second derivatives, which keeps directions where
            the model already fits every row from being scaled without bound.

        Returns
        -------
        total : ndarray of shape (n_rows,)
            ``T_k``.
        moments : tuple of ndarray of shape (n_rows, n_features)
            The features' means and variances under the weights ``c_ik / T_k``.
        """
        raw_of_block = self._raw_of_block(params)
        # a class's weights contiguous: the sums over rows below run along them
        curvature = np.empty((self.n_samples, self.shape[0]), dtype=self.dtype, order="F")
        self.blocks.fill(
            curvature,
            lambda X, targets, weight: self.loss.weighted_curvature(
                raw_of_block(X), targets, weight),
            self.compute,
        )
        np.maximum(curvature, least_curvature * self.sample_weight[:, None], out=curvature)
        total = curvature.sum(axis=0, dtype=np.float64)
        curvature /= total.astype(self.dtype)
        return total, feature_moments(self.X, curvature, self.compute)

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

    def __getstate__(self):
        # the data travel, the blocks (views of them) are cut again, threads stay
        state = dict(self.__dict__)
        del state["blocks"]
        state["compute"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.blocks = RowBlocks(self.X, self.targets, self.sample_weight)


def normalised_weights(sample_weight, n_samples, dtype):
    """The weights ``s_i / S`` of J's rows in ``dtype``; ``1 / n`` each for None.

    Divided by the largest first, so that the sum cannot overflow.
    """
    if sample_weight is None:
        return np.full(n_samples, 1.0 / n_samples, dtype=dtype)
    weight = np.divide(sample_weight, sample_weight.max(), dtype=np.float64)
    weight /= weight.sum()
    return weight.astype(dtype, copy=False)


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
    coef : {ndarray, sparse matrix} of shape (n_rows, n_features)
        Sparse after ``sparsify()``.
    intercept : ndarray of shape (n_rows,) or None

    Returns
    -------
    raw : ndarray of shape (n_samples,) if ``n_rows == 1``, else (n_samples, n_rows)
    """
    if sp.issparse(coef):
        raw = X @ coef.T
        raw = raw.toarray() if sp.issparse(raw) else np.asarray(raw)
        if coef.shape[0] == 1:
            raw = raw[:, 0]
    else:
        raw = np.asarray(X @ coef[0] if coef.shape[0] == 1 else X @ coef.T)
    if intercept is not None:
        raw += intercept[0] if coef.shape[0] == 1 else intercept
    return raw
