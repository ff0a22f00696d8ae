"""J on arrays of any array-API namespace (torch, cupy, array_api_strict), on their device.

With scikit-learn's ``array_api_dispatch`` on, X stays where it is: on a GPU,
or wherever its library keeps it.  :class:`ArrayAPIObjective` computes J's
data term there, in the namespace's own operations, written to be stable
(``logaddexp`` for the binary loss, a shifted log-sum-exp for the softmax).
The solvers are those of the numpy path, unchanged: their state, ``K x (p +
1)`` numbers, is on the host.  Each evaluation sends the parameters to the
device and brings back the value with the gradient in one transfer; the
feature moments and the curvature come back in one transfer each.  No row
block ever crosses.

The predictions of a fitted model on such arrays are computed in their
namespace too, and returned there.

This module imports array_api_compat; the estimator imports it only for
arrays of another namespace than numpy's.
"""

import array_api_compat
import numpy as np
from array_api_compat import array_namespace
from array_api_compat import device as device_of

from ._data import numpy_dtype
from ._losses import make_loss
from ._moments import finish_moments
from ._objective import Objective, normalised_weights

# Rows per block of the curvature moments, whose squares need a buffer of
# this many rows: small next to X on the device.
MOMENT_ROWS = 2**16


def is_other_namespace(X):
    """Whether X is an array of an array-API namespace other than numpy's."""
    if isinstance(X, np.ndarray) or not hasattr(X, "shape"):
        return False
    try:
        return not array_api_compat.is_numpy_namespace(array_namespace(X))
    except TypeError:  # not an array of a namespace array_api_compat knows
        return False


def check_dense(X):
    """Refuse sparse arrays of other namespaces (torch's sparse layouts, for one)."""
    if getattr(X, "is_sparse", False) or "sparse" in str(getattr(X, "layout", "")):
        raise TypeError(
            "Sparse arrays of another namespace than numpy's are not supported with "
            "array_api_dispatch=True: pass a dense array, or a scipy sparse matrix "
            "(fitted in memory)."
        )


def check_same_namespace(X, fitted, where):
    """Raise ValueError unless X and the ``fitted`` array share a namespace and a device."""
    def namespace_and_device(array):
        if not is_other_namespace(array):
            return "numpy", "cpu"
        return array_namespace(array).__name__, str(device_of(array))

    if namespace_and_device(X) != namespace_and_device(fitted):
        raise ValueError(
            f"Inputs passed to {where}() must use the same namespace and the same device "
            f"as those passed to fit(), {namespace_and_device(fitted)}; got "
            f"{namespace_and_device(X)}. Move them with the array library, or refit."
        )


def take_rows(X, rows):
    """The rows (numpy indices) of X, on X's device."""
    xp = array_namespace(X)
    return xp.take(X, xp.asarray(rows, device=device_of(X)), axis=0)


def to_numpy(array):
    """A numpy copy of ``array`` (one transfer from its device)."""
    try:
        return np.array(np.from_dlpack(array))
    except (BufferError, RuntimeError, TypeError, ValueError):  # not on the CPU
        return np.asarray(array_api_compat.to_device(array, "cpu"))


def as_namespace(array, like):
    """``array`` (numpy) in the namespace and on the device of ``like``."""
    xp = array_namespace(like)
    return xp.asarray(np.ascontiguousarray(array), device=device_of(like))


class ArrayAPIObjective(Objective):
    """J on X of an array-API namespace, computed on X's device.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        float32 or float64, in its namespace and on its device; never copied.
    codes : ndarray of shape (n_samples,)
        Integer class codes (numpy); they go to the device once.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights ``s_i`` (numpy), as for
        :class:`skgd._objective.LogisticObjective`.
    n_classes, fit_intercept, penalty
        As for :class:`skgd._objective.LogisticObjective`.
    """

    def __init__(self, X, codes, sample_weight, n_classes, fit_intercept, penalty):
        self.xp = array_namespace(X)
        self.X = X
        self.device = device_of(X)
        self.dtype = numpy_dtype(X)
        self.n_samples, self.n_features = X.shape
        self.is_sparse = False
        self.fit_intercept = fit_intercept
        self.penalty = penalty
        self.loss = make_loss(n_classes)
        self.shape = (self.loss.n_raw_columns, self.n_features + int(fit_intercept))
        self.weight = self._on_device(
            normalised_weights(sample_weight, self.n_samples, self.dtype)
        )
        if n_classes == 2:  # the flips 1 - 2 t: the loss is softplus(flip * raw)
            self.targets = self._on_device(1.0 - 2.0 * codes)
        else:  # one-hot
            self.targets = self._on_device(codes[:, None] == np.arange(n_classes))

    def data_value(self, params):
        """The data term: the weighted mean loss (one scalar back from the device)."""
        loss, _ = self._loss_and_residual(self._raw(params, self.X), self.targets)
        return float(to_numpy(self.xp.sum(loss * self.weight)))

    def data_value_and_gradient(self, params):
        """The data term and its gradient, computed on the device, back in one transfer."""
        xp = self.xp
        loss, residual = self._loss_and_residual(self._raw(params, self.X), self.targets)
        value = xp.sum(loss * self.weight)
        packed = self._gradient(residual * self.weight[:, None], self.X, value)
        return float(packed[0]), packed[1:].reshape(self.shape)

    def feature_moments(self):
        """The features' means and variances under the sample weights (one transfer)."""
        return self._moments(self.weight[:, None])[0]

    def curvature_moments(self, params, least_curvature):
        """As :meth:`skgd._objective.LogisticObjective.curvature_moments`, on the device."""
        xp = self.xp
        proba = self._probabilities(self._raw(params, self.X))
        floor = least_curvature * self.weight[:, None]
        curvature = xp.maximum(proba * (1 - proba) * self.weight[:, None], floor)
        total = xp.sum(curvature, axis=0)
        (mean, variance), total = self._moments(curvature / total, total)
        if self.shape[0] == 1:
            return total, (mean[None, :], variance[None, :])
        return total, (mean, variance)

    def batch_gradient(self, params, rows, reference=None):
        """As :meth:`skgd._objective.LogisticObjective.batch_gradient`, on the device.

        Each mini-batch sends its rows' indices and the parameters there and
        brings the gradient back: sgd and partial_fit on a GPU pay a round
        trip per batch, which the full-gradient solvers do not.
        """
        xp = self.xp
        rows = xp.asarray(np.asarray(rows), device=self.device)
        X = xp.take(self.X, rows, axis=0)
        weight = xp.take(self.weight, rows, axis=0) * (self.n_samples / rows.shape[0])
        targets = xp.take(self.targets, rows, axis=0)

        def weighted_residual(params):
            raw = self._raw(params, X)
            return self._loss_and_residual(raw, targets)[1] * weight[:, None]

        residual = weighted_residual(params)
        coef = self.split(params)[0]
        if reference is not None:
            residual = residual - weighted_residual(reference)
            coef = coef - self.split(reference)[0]  # the L2 gradient is linear in coef
        grad = self._gradient(residual, X)
        self.penalty.add_smooth_gradient(coef, grad[:, : self.n_features])
        return grad

    def _on_device(self, array):
        return self.xp.asarray(np.ascontiguousarray(array, dtype=self.dtype),
                               device=self.device)

    def _gradient(self, weighted_residual, X, *scalars):
        """``[*scalars, gradient]`` of the rows of X from their weighted residual.

        Computed on the device, brought back in one transfer: with scalars, as
        one flat array; without, in the parameters' layout.
        """
        xp = self.xp
        parts = [weighted_residual.T @ X]
        if self.fit_intercept:
            parts.append(xp.sum(weighted_residual, axis=0)[:, None])
        grad = xp.reshape(xp.concat(parts, axis=1), (-1,))
        packed = to_numpy(xp.concat([*(xp.reshape(s, (1,)) for s in scalars), grad]))
        packed = packed.astype(self.dtype, copy=False)
        return packed if scalars else packed.reshape(self.shape)

    def _raw(self, params, X):
        """``X @ W.T + b`` on the device, of shape (n_rows_of_X, n_rows)."""
        params = self._on_device(params)
        raw = X @ params[:, : self.n_features].T
        if self.fit_intercept:
            raw = raw + params[:, self.n_features]
        return raw

    def _probabilities(self, raw):
        """The model's probability of each row's classes (sigmoid or softmax)."""
        xp = self.xp
        if raw.shape[1] == 1:
            return 1 / (1 + xp.exp(-raw))  # exp overflowing to inf gives 0, exactly
        shifted = xp.exp(raw - xp.max(raw, axis=1, keepdims=True))
        return shifted / xp.sum(shifted, axis=1, keepdims=True)

    def _loss_and_residual(self, raw, targets):
        """Each row's loss and ``dloss/draw``, stably (``targets`` as ``self.targets``)."""
        xp = self.xp
        if raw.shape[1] == 1:  # softplus(u), u = flip * z: small losses keep their digits
            flip = targets[:, None]
            flipped = flip * raw
            loss = xp.logaddexp(xp.zeros_like(flipped), flipped)[:, 0]
            return loss, flip * self._probabilities(flipped)
        top = xp.max(raw, axis=1, keepdims=True)
        log_normaliser = top[:, 0] + xp.log(xp.sum(xp.exp(raw - top), axis=1))
        loss = log_normaliser - xp.sum(raw * targets, axis=1)
        return loss, self._probabilities(raw) - targets

    def _moments(self, weight, total=None):
        """Means and variances of the columns under each column of ``weight`` (summing to 1).

        Shifted by the first row, summed a block of rows at a time on the
        device, brought back with ``total`` in one transfer.  Returns
        ``((mean, variance), total)``, float64, of shape (K, n_features), or
        (n_features,) for one column of weights.
        """
        xp = self.xp
        shift = self.X[0, :]
        first = second = 0
        for start in range(0, self.n_samples, MOMENT_ROWS):
            stop = min(start + MOMENT_ROWS, self.n_samples)
            shifted = self.X[start:stop, :] - shift
            block_weight = weight[start:stop, :]
            first = first + block_weight.T @ shifted
            second = second + block_weight.T @ (shifted * shifted)
        parts = [first, second, shift] + ([] if total is None else [total])
        packed = to_numpy(xp.concat([xp.reshape(part, (-1,)) for part in parts]))
        n_rows, n_features = weight.shape[1], self.n_features
        first, second, shift, total = np.split(
            packed.astype(np.float64),
            np.cumsum([n_rows * n_features, n_rows * n_features, n_features]),
        )
        first = first.reshape(n_rows, n_features)
        second = second.reshape(n_rows, n_features)
        moments = finish_moments(self.dtype, first, second, shift)
        if n_rows == 1:
            moments = tuple(moment[0] for moment in moments)
        return moments, (total if total.size else None)


def decision_function(X, coef, intercept):
    """``X @ coef.T + intercept`` in X's namespace, squeezed to one column for binary."""
    raw = X @ coef.T + intercept
    return raw[:, 0] if coef.shape[0] == 1 else raw


def predict_proba(scores, n_classes):
    """The probability of each class from ``decision_function``'s scores, stably."""
    xp = array_namespace(scores)
    if n_classes == 2:
        positive = 1 / (1 + xp.exp(-scores))
        return xp.stack([1 - positive, positive], axis=1)
    shifted = xp.exp(scores - xp.max(scores, axis=1, keepdims=True))
    return shifted / xp.sum(shifted, axis=1, keepdims=True)


def predict_log_proba(scores, n_classes):
    """The log-probability of each class, without overflow or log(0)."""
    xp = array_namespace(scores)
    if n_classes == 2:
        zero = xp.zeros_like(scores)
        return xp.stack([-xp.logaddexp(zero, scores), -xp.logaddexp(zero, -scores)], axis=1)
    top = xp.max(scores, axis=1, keepdims=True)
    return scores - (top + xp.log(xp.sum(xp.exp(scores - top), axis=1, keepdims=True)))


def predict(scores, classes):
    """The most probable class of each row: numeric labels in the scores' namespace."""
    xp = array_namespace(scores)
    if scores.ndim == 1:
        indices = xp.astype(scores > 0, xp.int64)
    else:
        indices = xp.argmax(scores, axis=1)
    if classes.dtype.kind in "biuf":
        return xp.take(as_namespace(classes, scores), indices, axis=0)
    return classes[to_numpy(indices)]  # labels a namespace cannot hold stay numpy
