"""The elastic-net penalty, split into a smooth and a non-smooth part.

The penalty on the weights ``W`` (never the intercept) is::

    P(W) = strength * [ (1 - l1_ratio) / 2 * ||W||_2^2 + l1_ratio * ||W||_1 ]

with ``strength = 1 / (C * S)`` (see :mod:`skgd._objective`).  The squared L2
part is smooth, so it joins the data term's gradient: with ``l1_ratio == 0``
a proximal-gradient step is exactly the classic gradient step.  The L1 part is
handled by its proximal operator, soft-thresholding, which produces exact zeros.
"""

import numpy as np

from ._products import dot


def soft_threshold(w, threshold):
    """Return ``sign(w) * max(|w| - threshold, 0)``, the prox of ``threshold * |w|``."""
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0)


class ElasticNet:
    """Elastic-net penalty of a given ``strength`` and ``l1_ratio``.

    Parameters
    ----------
    strength : float
        Overall multiplier, ``1 / (C * S)``; 0 means no penalty (``C=np.inf``).
    l1_ratio : float in [0, 1]
        Share of the L1 term: 0 is pure L2, 1 is pure L1 (lasso).
    """

    def __init__(self, strength, l1_ratio):
        # Python floats, so that float32 coefficients are never promoted
        self.strength = float(strength)
        self.l1_ratio = float(l1_ratio)
        self.l2_strength = self.strength * (1 - self.l1_ratio)
        self.l1_strength = self.strength * self.l1_ratio

    @property
    def is_smooth(self):
        """True when there is no L1 term, so the prox is the identity."""
        return self.l1_strength == 0

    def smooth_value(self, w):
        """Value of the squared-L2 part."""
        return 0.5 * self.l2_strength * dot(w, w)

    def add_smooth_gradient(self, w, grad):
        """Add the gradient of the squared-L2 part, ``l2_strength * w``, to ``grad``."""
        if self.l2_strength:
            grad += self.l2_strength * w

    def nonsmooth_value(self, w):
        """Value of the L1 part."""
        if self.is_smooth:
            return 0.0
        return self.l1_strength * float(np.abs(w).sum())

    def prox(self, w, step):
        """Proximal operator of ``step`` times the L1 part: soft-thresholding.

        Returns ``argmin_v  l1_strength * ||v||_1 + ||v - w||^2 / (2 * step)``.
        """
        if self.is_smooth:
            return w
        return soft_threshold(w, step * self.l1_strength)
