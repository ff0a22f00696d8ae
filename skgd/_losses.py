"""Pointwise log-losses in raw-prediction space.

A loss here never sees ``X``: it receives the raw predictions
``raw = X @ coef.T + intercept`` of some rows, their targets and weights, and
returns the weighted sum of the per-sample losses and the weighted derivative
with respect to ``raw`` (the *residual*), written over ``raw`` so that no
temporary of that size outlives the call.
:class:`skgd._objective.LogisticObjective` composes a loss with ``X``.

Labels are integer codes ``0 .. n_classes - 1`` (indices into ``classes_``);
``encode_targets`` turns them into the form the loss computes with, once per
fit.  The binary loss takes ``raw`` of shape ``(n_samples,)`` and the code 1
as the positive class; the multinomial loss takes ``raw`` of shape
``(n_samples, n_classes)``.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp, softmax

from ._products import dot


class BinaryLogLoss:
    """Binary logistic loss ``log(1 + exp(z)) - t z`` with ``t`` in {0, 1}.

    Its second derivative ``p (1 - p)`` never exceeds 1/4, which bounds the
    curvature used to pick a first step size.
    """

    n_raw_columns = 1
    curvature_bound = 0.25

    def encode_targets(self, y, dtype):
        """The flips ``1 - 2 t``: the loss is ``softplus(flip * raw)``."""
        flips = np.multiply(y, -2, out=np.empty(len(y), dtype=dtype), casting="unsafe")
        flips += 1
        return flips

    def weighted_loss_and_residual(self, raw, flips, weight):
        """``sum_i weight_i loss_i``, and ``weight_i * dloss/draw_i`` in place of ``raw``.

        With ``u = flip * raw``, the loss is ``softplus(u) =
        log1p(exp(-|u|)) + max(u, 0)`` and its derivative
        ``flip * expit(u) = flip * exp(u - softplus(u))``: neither overflows,
        and small losses keep their relative precision.

        Parameters
        ----------
        raw : ndarray of shape (n_samples,)
            Raw predictions; overwritten with the weighted residual.
        flips : ndarray of shape (n_samples,)
            Targets as :meth:`encode_targets` returns them.
        weight : ndarray of shape (n_samples,)

        Returns
        -------
        value : float
        residual : ndarray of shape (n_samples,)
            ``raw`` itself.
        """
        u = np.multiply(raw, flips, out=raw)
        loss = np.abs(u)
        np.negative(loss, out=loss)
        np.exp(loss, out=loss)
        np.log1p(loss, out=loss)
        loss += np.maximum(u, 0)
        value = dot(weight, loss)
        expit_u = np.subtract(u, loss, out=loss)
        np.exp(expit_u, out=expit_u)
        expit_u *= weight
        return value, np.multiply(expit_u, flips, out=raw)

    def weighted_residual(self, raw, flips, weight):
        """``weight_i * dloss/draw_i`` in place of ``raw``, without the loss.

        For mini-batch steps, which need no value: ``flip * expit(flip * raw)``.
        """
        u = np.multiply(raw, flips, out=raw)
        expit(u, out=u)
        u *= weight
        return np.multiply(u, flips, out=u)

    def weighted_curvature(self, raw, flips, weight):
        """``weight_i * d^2loss/draw_i^2 = weight_i p_i (1 - p_i)`` in place of ``raw``.

        Shape ``(n_samples, 1)``: one column per row of the parameters.  The
        curvature does not depend on the target (``flips`` is unused).
        """
        p = expit(raw)
        np.negative(raw, out=raw)
        expit(raw, out=raw)
        raw *= p
        raw *= weight
        return raw[:, None]

    def predict_proba(self, raw):
        """Probabilities of ``(class 0, class 1)``, shape ``(n_samples, 2)``."""
        return np.column_stack([expit(-raw), expit(raw)])

    def predict_log_proba(self, raw):
        """Log-probabilities, accurate even where a probability underflows."""
        return np.column_stack([log_expit(-raw), log_expit(raw)])


class MultinomialLogLoss:
    """Multinomial (softmax) loss ``logsumexp(z) - z[t]`` over ``n_classes``.

    The Hessian of the softmax loss is bounded by 1/2 (Böhning, 1992), which
    bounds the curvature used to pick a first step size.
    """

    curvature_bound = 0.5

    def __init__(self, n_classes):
        self.n_raw_columns = n_classes

    def encode_targets(self, y, dtype):
        """The class codes themselves."""
        return y

    def weighted_loss_and_residual(self, raw, y, weight):
        """``sum_i weight_i loss_i``, and ``weight_i * dloss/draw_i`` in place of ``raw``.

        The derivative is ``softmax(raw) - onehot(t)``; the row maximum is
        subtracted first, so ``exp`` cannot overflow.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_classes)
            Raw predictions; overwritten with the weighted residual.
        y : ndarray of shape (n_samples,)
            Class codes.
        weight : ndarray of shape (n_samples,)

        Returns
        -------
        value : float
        residual : ndarray of shape (n_samples, n_classes)
            ``raw`` itself.
        """
        rows = np.arange(raw.shape[0])
        raw -= raw.max(axis=1, keepdims=True)
        true_raw = raw[rows, y]
        np.exp(raw, out=raw)
        norm = raw.sum(axis=1)
        value = dot(weight, np.log(norm) - true_raw)
        raw *= (weight / norm)[:, None]
        raw[rows, y] -= weight
        return value, raw

    def weighted_residual(self, raw, y, weight):
        """``weight_i * dloss/draw_i`` in place of ``raw`` (the loss costs little more)."""
        return self.weighted_loss_and_residual(raw, y, weight)[1]

    def weighted_curvature(self, raw, y, weight):
        """The diagonal ``weight_i p_ik (1 - p_ik)`` of each row's Hessian, in place of ``raw``.

        ``p = softmax(raw)``; the curvature does not depend on the target.
        """
        raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)
        raw *= 1 - raw
        raw *= weight[:, None]
        return raw

    def predict_proba(self, raw):
        """Class probabilities, shape ``(n_samples, n_classes)``."""
        return softmax(raw, axis=1)

    def predict_log_proba(self, raw):
        """Log-probabilities, accurate even where a probability underflows."""
        return raw - logsumexp(raw, axis=1, keepdims=True)


def make_loss(n_classes):
    """Return the loss for ``n_classes`` classes: binary for 2, softmax above."""
    return BinaryLogLoss() if n_classes == 2 else MultinomialLogLoss(n_classes)
