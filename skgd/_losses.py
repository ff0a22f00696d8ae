"""Pointwise log-losses in raw-prediction space.

A loss here never sees ``X``: it receives the raw predictions
``raw = X @ coef.T + intercept`` and the integer-coded targets, and returns the
per-sample loss and its derivative with respect to ``raw`` (the *residual*).
:class:`skgd._objective.LogisticObjective` composes a loss with ``X``.

Targets are always integer codes ``0 .. n_classes - 1`` (indices into
``classes_``).  The binary loss takes ``raw`` of shape ``(n_samples,)`` and the
code 1 as the positive class; the multinomial loss takes ``raw`` of shape
``(n_samples, n_classes)``.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp, softmax


class BinaryLogLoss:
    """Binary logistic loss ``log(1 + exp(z)) - t z`` with ``t`` in {0, 1}.

    Its second derivative ``p (1 - p)`` never exceeds 1/4, which bounds the
    curvature used to pick a first step size.
    """

    n_raw_columns = 1
    curvature_bound = 0.25

    def loss(self, raw, y):
        """Per-sample loss, computed without overflow for any ``raw``."""
        # log(1 + exp(z)) - t z = -log_expit(z) for t = 1, -log_expit(-z) for t = 0
        signed = np.where(y == 1, raw, -raw)
        return -log_expit(signed)

    def loss_and_residual(self, raw, y):
        """Per-sample loss and its derivative ``expit(raw) - t``."""
        residual = expit(raw)
        residual -= y
        return self.loss(raw, y), residual

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

    def loss(self, raw, y):
        """Per-sample loss, computed without overflow for any ``raw``."""
        return logsumexp(raw, axis=1) - _true_class_raw(raw, y)

    def loss_and_residual(self, raw, y):
        """Per-sample loss and its derivative ``softmax(raw) - onehot(t)``."""
        log_norm = logsumexp(raw, axis=1)
        residual = np.exp(raw - log_norm[:, None])  # softmax, sharing log_norm with the loss
        residual[np.arange(raw.shape[0]), y] -= 1
        return log_norm - _true_class_raw(raw, y), residual

    def predict_proba(self, raw):
        """Class probabilities, shape ``(n_samples, n_classes)``."""
        return softmax(raw, axis=1)

    def predict_log_proba(self, raw):
        """Log-probabilities, accurate even where a probability underflows."""
        return raw - logsumexp(raw, axis=1, keepdims=True)


def _true_class_raw(raw, y):
    """``raw[i, y[i]]`` for every row i."""
    return np.take_along_axis(raw, y[:, None], axis=1)[:, 0]


def make_loss(n_classes):
    """Return the loss for ``n_classes`` classes: binary for 2, softmax above."""
    return BinaryLogLoss() if n_classes == 2 else MultinomialLogLoss(n_classes)
