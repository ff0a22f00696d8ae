"""scikit-learn's callback API (``set_callbacks``, scikit-learn >= 1.9), when it exists.

A fit is one task for the callbacks, and each iteration of the solver (an
epoch for sgd) one subtask, begun before it and ended after it with the
iterate reached, so that a callback can evaluate the model at every
iteration (``ScoringMonitor``), show progress (``ProgressBar``) or ask the
fit to stop, which ends it cleanly at that iterate.  With an older
scikit-learn the estimator has no ``set_callbacks`` and none of this runs.
"""

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin: no ``set_callbacks``."""

    def with_callbacks(method):
        return method


class FitTask:
    """Reports a fit and its iterations to the callbacks set on ``estimator``.

    Parameters
    ----------
    estimator : GDLogisticRegression
        The estimator being fitted, with ``classes_`` still unset.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The rows fitted on, as the callbacks see them.
    y : ndarray of shape (n_samples,)
        Their labels.
    metadata : dict or None
        ``{"sample_weight": ...}`` when the rows carry weights.
    reconstruction : callable
        Maps the solver's parameters to the fitted attributes of a model
        stopped there (``coef_``, ``intercept_``, ``classes_``).
    """

    def __init__(self, estimator, X, y, metadata, reconstruction):
        self.active = hasattr(estimator, "_skl_callbacks")
        if not self.active:
            return
        self.estimator = estimator
        self.data = dict(X=X, y=y, metadata=metadata)
        self.reconstruction = reconstruction
        self.context = estimator._init_callback_context(max_subtasks=estimator.max_iter + 1)
        self.context.call_on_fit_task_begin(estimator=estimator, **self.data)
        self.iteration = None

    def begin(self, params):
        """The first iteration begins at ``params``."""
        if self.active:
            self.iteration = self._begin_iteration(params)

    def __call__(self, iteration, params, *progress):
        """A solver monitor: end this iteration, begin the next; True asks to stop."""
        if not self.active:
            return False
        stop = self.iteration.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.reconstruction(params),
            **self.data,
        )
        self.iteration = self._begin_iteration(params)
        return stop

    def end(self):
        """The fit is over: the iteration begun last never ran."""
        if self.active:
            self.iteration.call_on_fit_task_end(estimator=self.estimator)
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )

    def _begin_iteration(self, params):
        context = self.context.subcontext(task_name="iteration")
        context.call_on_fit_task_begin(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.reconstruction(params),
            **self.data,
        )
        return context
