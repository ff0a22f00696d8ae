"""scikit-learn's callback API (``set_callbacks``, scikit-learn >= 1.9), when it exists.

With an older scikit-learn the estimator has no ``set_callbacks``, and
:class:`skgd._monitors.FitTask` reports to no one.
"""

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin: no ``set_callbacks``."""

    def with_callbacks(method):
        return method
