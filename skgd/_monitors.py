"""What watches a fit: solver monitors.

A solver calls its monitor as ``monitor(iteration, params, value,
optimality, step)`` after every iteration (epoch for sgd), with the new
iterate in J's variables; a true return value stops it there.  The monitors
of a fit:

- :func:`progress_printer`: ``verbose`` progress lines;
- :class:`ValidationMonitor`: early stopping, the loss on held-out rows,
  keeping the best iterate;
- :class:`FitTask`: scikit-learn's callbacks.  A fit is one task for them,
  and each iteration one subtask, begun before it and ended after it with the
  iterate reached, so that a callback can evaluate the model at every
  iteration (``ScoringMonitor``), show progress (``ProgressBar``) or ask the
  fit to stop, which ends it cleanly at that iterate.

:func:`combine_monitors` makes them one.
"""

import time

import numpy as np

# Iterations between two progress lines with verbose=1 (every one with verbose>=2).
VERBOSE_EVERY = 10


def combine_monitors(monitors):
    """One monitor calling each of ``monitors`` (None ones skipped); stops if any asks."""
    monitors = [monitor for monitor in monitors if monitor is not None]
    if not monitors:
        return None

    def monitor(*progress):
        return any([monitor(*progress) for monitor in monitors])  # every one runs

    return monitor


def progress_printer(verbose, unit="iteration"):
    """A monitor printing progress lines, or None when ``verbose == 0``.

    ``unit`` names what the solver iterates: "iteration" or "epoch".
    """
    if not verbose:
        return None
    every = 1 if verbose >= 2 else VERBOSE_EVERY
    label = {"iteration": "iter"}.get(unit, unit)
    started = time.perf_counter()

    def monitor(iteration, params, value, optimality, step):
        if iteration % every == 0:
            print(
                f"{label} {iteration:5d}  J {value:.10g}  max|G| {optimality:.3e}  "
                f"step {step:.3e}  {time.perf_counter() - started:.2f}s"
            )

    return monitor


class ValidationMonitor:
    """Validation log-loss after each iteration; stops when it stalls.

    Parameters
    ----------
    validation_objective : LogisticObjective
        J on the validation rows without a penalty: its smooth value is their
        weighted mean log-loss.
    tol : float
        An iteration improves when it lowers the best loss so far by more
        than ``tol``.
    n_iter_no_change : int
        Iterations without improvement after which to stop.

    Attributes
    ----------
    curve : list of float
        The validation loss at the start point and after each iteration.
    best_params : ndarray
        The iterate with the lowest validation loss.
    best_iteration : int
        Its iteration (0 for the start point).
    """

    def __init__(self, validation_objective, tol, n_iter_no_change):
        self.objective = validation_objective
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.curve = []
        self.best_loss = np.inf
        self.best_params = None
        self.best_iteration = None
        self.iterations_without_improvement = 0

    def start(self, params):
        """Record the start point."""
        self(0, params)

    def __call__(self, iteration, params, *progress):
        loss = float(self.objective.smooth_value(params))
        self.curve.append(loss)
        if loss < self.best_loss - self.tol:
            self.iterations_without_improvement = 0
        else:
            self.iterations_without_improvement += 1
        if loss < self.best_loss:
            self.best_loss = loss
            self.best_params = params.copy()
            self.best_iteration = iteration
        return self.iterations_without_improvement >= self.n_iter_no_change


class FitTask:
    """Reports a fit and its iterations to the callbacks set on ``estimator``.

    Parameters
    ----------
    estimator : GDLogisticRegression
        The estimator being fitted.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The rows fitted on, as the callbacks see them.
    y : ndarray of shape (n_samples,)
        Their labels.
    metadata : dict or None
        ``{"sample_weight": ...}`` when the rows carry weights.
    reconstruction : callable
        Maps the solver's parameters to the fitted attributes of a model
        stopped there (``coef_``, ``intercept_``, ``classes_``).
    max_iterations : int
        Iterations the fit may take (one for a ``partial_fit`` pass).
    """

    def __init__(self, estimator, X, y, metadata, reconstruction, max_iterations):
        self.active = hasattr(estimator, "_skl_callbacks")
        if not self.active:
            return
        self.estimator = estimator
        self.data = dict(X=X, y=y, metadata=metadata)
        self.reconstruction = reconstruction
        self.context = estimator._init_callback_context(max_subtasks=max_iterations + 1)
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
