"""Gradient descent on standardised features, without standardising ``X``.

Gradient descent is fast when every direction has about the same curvature;
for a linear model, that is what StandardScaler in front of it buys.  This
module buys the same by a change of variables instead of a copy of ``X``.
In the layout of :mod:`skgd._objective` (coefficients ``W``, intercept ``b``),
the variables ``u = (U, v)`` give::

    W = U * scale                 scale_j = 1 / sqrt(h_j)
    b = v * intercept_scale - W @ mean

so that ``X W^T + b = ((X - mean) * scale) U^T + intercept_scale * v``: the
model on centred, scaled features.  ``h_j = curvature_bound * variance_j +
l2_strength`` bounds the curvature of J along ``U_j``, so in ``u`` every
coordinate's curvature is at most 1 and one step size suits them all (for
sparse X, ``scale_j`` is rounded down to one of a few values).  Without
an intercept nothing is centred, and ``h_j`` uses the second moment.  Means and
variances are weighted by the sample weights, as J is.

J, and so its minimiser, does not change; only the path of gradient descent
does.  The L1 part of the penalty stays separable (``|W_j| = scale_j |U_j|``).
"""

import numpy as np
import scipy.sparse as sp

from ._lazy import LazyPasses, LazyVariables, supports_lazy_passes
from ._solvers import gradient_mapping_norm

# For sparse X, scales are powers of 2^(1/SCALE_STEPS): each coordinate's
# curvature bound in u then lies in (2^(-2/SCALE_STEPS), 1] (0.84 to 1).
SCALE_STEPS = 8


class Standardized:
    """A :class:`skgd._objective.LogisticObjective` in standardised variables.

    It offers the interface the solvers run on (see :mod:`skgd._solvers`) for
    ``u``, and maps iterates and gradients back to the original variables,
    where the stopping rule is measured.

    Parameters
    ----------
    objective : LogisticObjective
    moments : tuple of ndarray, default=None
        The ``(mean, variance)`` that define the variables; by default the
        objective's own.  Streaming fits keep those of their first rows, so
        that every later batch of rows is seen in the same variables.
    """

    def __init__(self, objective, moments=None):
        self.objective = objective
        self.dtype = objective.dtype
        self.n_samples = objective.n_samples
        n_features = objective.n_features
        mean, variance = objective.feature_moments() if moments is None else moments
        if not objective.fit_intercept:  # nothing to centre against: the second moment
            mean, variance = np.zeros(n_features), variance + mean**2
        # h_j, computed in place: with a million features every temporary counts
        curvature = variance * objective.loss.curvature_bound
        curvature += objective.penalty.l2_strength
        # the trace of the Hessian bound in u (each coordinate's is at most 1),
        # per row of the layout
        self._lipschitz_bound = float(np.count_nonzero(curvature) + objective.fit_intercept)
        # a feature without curvature (constant and unpenalised) keeps scale 1
        curvature[curvature <= 0] = 1.0
        scale = np.divide(1.0, np.sqrt(curvature, out=curvature), out=curvature)
        levels = group = None
        if sp.issparse(objective.X):
            # rounded down to a power of 2^(1/SCALE_STEPS): features then share
            # few distinct scales, which lets sparse mini-batch steps be
            # applied lazily (skgd._lazy)
            steps = np.floor(np.log2(scale, out=scale) * SCALE_STEPS, out=scale)
            lowest = steps.min(initial=0.0)
            steps -= lowest
            group = steps.astype(np.uint8 if steps.max(initial=0) < 256 else np.intp)
            levels = np.exp2((lowest + np.arange(group.max(initial=0) + 1)) / SCALE_STEPS)
            scale = levels[group]
        self.scale = scale.astype(self.dtype, copy=False)
        self.intercept_scale = self.dtype.type(
            1.0 / np.sqrt(objective.loss.curvature_bound)
        )
        self.mean = mean.astype(self.dtype, copy=False)
        self._reference = self._reference_original = None
        if group is not None and supports_lazy_passes(objective):
            variables = LazyVariables(self.mean, self.intercept_scale, levels, group)
            self.lazy_passes = LazyPasses(objective, variables)

    @property
    def reference_step(self):
        """The step of the gradient mapping in the stopping rule, in (W, b)."""
        return 1.0 / self.objective.lipschitz_bound()

    def to_original(self, u):
        """The parameters ``(W, b)`` of the variables ``u``."""
        n_features = self.objective.n_features
        x = np.empty_like(u)
        x[:, :n_features] = u[:, :n_features] * self.scale
        if self.objective.fit_intercept:
            x[:, n_features] = (
                u[:, n_features] * self.intercept_scale
                - np.einsum("kj,j->k", x[:, :n_features], self.mean)  # not BLAS: see _products
            )
        return x

    def from_original(self, x):
        """The variables ``u`` of the parameters ``(W, b)``."""
        n_features = self.objective.n_features
        u = np.empty_like(x)
        u[:, :n_features] = x[:, :n_features] / self.scale
        if self.objective.fit_intercept:
            u[:, n_features] = (
                x[:, n_features] + np.einsum("kj,j->k", x[:, :n_features], self.mean)
            ) / self.intercept_scale
        return u

    def _gradient_to_u(self, grad):
        """The chain rule: the gradient in ``u`` of a gradient in ``(W, b)``."""
        n_features = self.objective.n_features
        if self.objective.fit_intercept:
            intercept_grad = grad[:, n_features].copy()
            grad[:, :n_features] -= intercept_grad[:, None] * self.mean
            grad[:, n_features] = intercept_grad * self.intercept_scale
        grad[:, :n_features] *= self.scale
        return grad

    def _gradient_to_original(self, grad):
        """The inverse of :meth:`_gradient_to_u`."""
        n_features = self.objective.n_features
        grad = grad.copy()
        grad[:, :n_features] /= self.scale
        if self.objective.fit_intercept:
            grad[:, n_features] /= self.intercept_scale
            grad[:, :n_features] += grad[:, n_features, None] * self.mean
        return grad

    def smooth_value(self, u):
        return self.objective.smooth_value(self.to_original(u))

    def smooth_value_and_gradient(self, u):
        value, grad = self.objective.smooth_value_and_gradient(self.to_original(u))
        return value, self._gradient_to_u(grad)

    def batch_gradient(self, u, rows, reference=None):
        """The objective's :meth:`batch_gradient` for points in ``u``, as a gradient in ``u``."""
        if reference is not None:
            # a variance-reduced epoch passes the same reference with every batch
            if reference is not self._reference:
                self._reference, self._reference_original = reference, self.to_original(reference)
            reference = self._reference_original
        grad = self.objective.batch_gradient(self.to_original(u), rows, reference)
        return self._gradient_to_u(grad)

    def nonsmooth_value(self, u):
        return self.objective.nonsmooth_value(self.to_original(u))

    def prox(self, u, step):
        """Soft-threshold ``U`` with the threshold ``step * scale * l1_strength``; keep ``v``."""
        penalty = self.objective.penalty
        if penalty.is_smooth:
            return u
        n_features = self.objective.n_features
        out = u.copy()
        # |W_j| = scale_j |U_j|: the L1 prox with the step ``step * scale_j``
        out[:, :n_features] = penalty.prox(u[:, :n_features], step * self.scale)
        return out

    def lipschitz_bound(self):
        return self._lipschitz_bound

    def optimality(self, u, grad):
        """``max |G|`` in the original variables, for the stopping rule."""
        return gradient_mapping_norm(
            self.objective,
            self.to_original(u),
            self._gradient_to_original(grad),
            self.reference_step,
        )

    def step_optimality(self, move, step):
        """An estimate of ``max |G|`` in the original variables from a step's move in ``u``."""
        return float(np.max(np.abs(self._gradient_to_original(move)))) / step
