"""Standardisation as a change of variables: gradient descent on scaled features, X untouched.

Gradient descent is fast when every direction has about the same curvature;
for a linear model, that is what StandardScaler in front of it buys.
:class:`Standardization` buys the same by a diagonal affine map between the
solver's variables and J's, instead of a copy of ``X``.  In the layout of
:mod:`skgd._objective` (coefficients ``W``, intercept ``b``), the variables
``u = (U, v)`` give::

    W = U * scale                 scale_j = 1 / sqrt(h_j)
    b = v * intercept_scale - W @ mean

so that ``X W^T + b = ((X - mean) * scale) U^T + intercept_scale * v``: the
model on centred, scaled features.  ``h_j = curvature_bound * variance_j +
l2_strength`` bounds the curvature of J along ``U_j``, so in ``u`` every
coordinate's curvature is at most 1 and one step size suits them all.  Without
an intercept nothing is centred, and ``h_j`` uses the second moment.  Means and
variances are weighted by the sample weights, as J is
(:func:`skgd._moments.feature_moments`).

J, and so its minimiser, does not change; only the path of gradient descent
does.  The L1 part of the penalty stays separable (``|W_j| = scale_j |U_j|``),
so its prox in ``u`` soft-thresholds ``U_j`` with the step ``step * scale_j``.
:class:`Identity` is the same interface for the variables left as they are.
"""

import numpy as np

# Scales rounded to powers of 2^(1/SCALE_STEPS) (for sparse X, see
# Standardization): each coordinate's curvature bound in u then lies in
# (2^(-2/SCALE_STEPS), 1] (0.84 to 1).
SCALE_STEPS = 8


class Identity:
    """The variables of J themselves: every map is the identity.

    Parameters
    ----------
    n_features : int
    fit_intercept : bool
    """

    def __init__(self, n_features, fit_intercept):
        self.n_features = n_features
        self.fit_intercept = fit_intercept
        self.by_class = False

    def to_original(self, u):
        return u

    def from_original(self, x):
        return x.copy()

    def gradient_to_u(self, grad):
        return grad

    def gradient_to_original(self, grad):
        return grad

    def coordinate_step(self, step):
        """The step of each weight's L1 prox for a step ``step`` in ``u``."""
        return step


class Standardization:
    """The diagonal affine map ``W = U * scale``, ``b = v * intercept_scale - W @ mean``.

    Build it with :meth:`from_moments`.

    Parameters
    ----------
    mean, scale : ndarray of shape (n_features,) or (n_rows, n_features)
        In the dtype of the computation; one row per row of the parameters,
        or one for them all.
    intercept_scale : scalar or ndarray of shape (n_rows,)
    fit_intercept : bool
    lipschitz_bound : float
        A bound on the Lipschitz constant of grad f in ``u`` (for variables
        built from the curvature at an iterate, at that iterate only).
    levels, group : ndarray or None
        When the scales were rounded to few values: ``scale = levels[group]``.

    Attributes
    ----------
    The parameters, ``n_features``, and ``by_class``: whether each row of the
    parameters has its own scales.
    """

    def __init__(self, mean, scale, intercept_scale, fit_intercept, lipschitz_bound,
                 levels=None, group=None):
        self.mean = mean
        self.scale = scale
        self.intercept_scale = intercept_scale
        self.fit_intercept = fit_intercept
        self.lipschitz_bound = lipschitz_bound
        self.levels = levels
        self.group = group
        self.n_features = scale.shape[-1]
        self.by_class = scale.ndim == 2

    @classmethod
    def from_moments(cls, moments, *, fit_intercept, curvature_bound, l2_strength, dtype,
                     round_scales=False):
        """The standardisation for J with these feature moments.

        Parameters
        ----------
        moments : tuple of ndarray
            The weighted ``(mean, variance)`` of the features, of shape
            ``(n_features,)``, or ``(n_rows, n_features)`` for one set per
            row of the parameters.
        fit_intercept : bool
            Whether J has an intercept; without one nothing is centred.
        curvature_bound : float or ndarray of shape (n_rows,)
            A bound on the loss's second derivative in raw-prediction space,
            with moments weighted by the sample weights.  For variables
            refreshed at an iterate (:mod:`skgd._refresh`), the loss's total
            curvature there instead, one per row with per-row moments, as
            :meth:`skgd._objective.LogisticObjective.curvature_moments` gives
            it with the moments weighted by that curvature: the scales then
            equalise the Hessian's diagonal at the iterate.
        l2_strength : float
            The strength of J's squared-L2 penalty.
        dtype : numpy dtype
            The dtype of the computation.
        round_scales : bool, default=False
            Round each scale down to a power of ``2^(1/SCALE_STEPS)``, so that
            features share few distinct scales (which lets sparse mini-batch
            steps be applied lazily, :mod:`skgd._lazy`); for one set of moments.

        Returns
        -------
        Standardization
        """
        mean, variance = moments
        if not fit_intercept:  # nothing to centre against: the second moment
            mean, variance = np.zeros_like(mean), variance + mean**2
        per_row = np.ndim(curvature_bound) > 0
        # h_j, computed in place: with a million features every temporary counts
        curvature = variance * (curvature_bound[:, None] if per_row else curvature_bound)
        curvature += l2_strength
        # the trace of the Hessian bound in u (each coordinate's is at most 1),
        # per row of the layout
        # (at least 1: with no curvature at all, J is flat in u and any step will do)
        coordinates = np.count_nonzero(np.atleast_2d(curvature), axis=1).max(initial=0)
        lipschitz_bound = float(max(coordinates + fit_intercept, 1))
        # a feature without curvature (constant and unpenalised) keeps scale 1
        curvature[curvature <= 0] = 1.0
        scale = np.divide(1.0, np.sqrt(curvature, out=curvature), out=curvature)
        levels = group = None
        if round_scales:
            steps = np.floor(np.log2(scale, out=scale) * SCALE_STEPS, out=scale)
            lowest = steps.min(initial=0.0)
            steps -= lowest
            group = steps.astype(np.uint8 if steps.max(initial=0) < 256 else np.intp)
            levels = np.exp2((lowest + np.arange(group.max(initial=0) + 1)) / SCALE_STEPS)
            scale = levels[group]
        dtype = np.dtype(dtype)
        intercept_scale = 1.0 / np.sqrt(curvature_bound)
        return cls(
            mean=mean.astype(dtype, copy=False),
            scale=scale.astype(dtype, copy=False),
            intercept_scale=(
                intercept_scale.astype(dtype) if per_row else dtype.type(intercept_scale)
            ),
            fit_intercept=fit_intercept,
            lipschitz_bound=lipschitz_bound,
            levels=levels,
            group=group,
        )

    def to_original(self, u):
        """The parameters ``(W, b)`` of the variables ``u``."""
        n_features = self.n_features
        x = np.empty_like(u)
        x[:, :n_features] = u[:, :n_features] * self.scale
        if self.fit_intercept:
            x[:, n_features] = (
                u[:, n_features] * self.intercept_scale - self._centring(x[:, :n_features])
            )
        return x

    def from_original(self, x):
        """The variables ``u`` of the parameters ``(W, b)``."""
        n_features = self.n_features
        u = np.empty_like(x)
        u[:, :n_features] = x[:, :n_features] / self.scale
        if self.fit_intercept:
            u[:, n_features] = (
                x[:, n_features] + self._centring(x[:, :n_features])
            ) / self.intercept_scale
        return u

    def _centring(self, coef):
        """``coef @ mean`` per row of ``coef`` (not BLAS: see :mod:`skgd._products`)."""
        if self.mean.ndim == 1:
            return np.einsum("kj,j->k", coef, self.mean)
        return np.einsum("kj,kj->k", coef, self.mean)

    def gradient_to_u(self, grad):
        """The chain rule: the gradient in ``u`` of a gradient in ``(W, b)``, in place."""
        n_features = self.n_features
        if self.fit_intercept:
            intercept_grad = grad[:, n_features].copy()
            grad[:, :n_features] -= intercept_grad[:, None] * self.mean
            grad[:, n_features] = intercept_grad * self.intercept_scale
        grad[:, :n_features] *= self.scale
        return grad

    def gradient_to_original(self, grad):
        """The inverse of :meth:`gradient_to_u`, in a new array."""
        n_features = self.n_features
        grad = grad.copy()
        grad[:, :n_features] /= self.scale
        if self.fit_intercept:
            grad[:, n_features] /= self.intercept_scale
            grad[:, :n_features] += grad[:, n_features, None] * self.mean
        return grad

    def coordinate_step(self, step):
        """The step of each weight's L1 prox for a step ``step`` in ``u``."""
        return step * self.scale
