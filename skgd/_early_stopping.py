"""Early stopping: watch the loss on held-out rows, keep the best iterate.

A solver calls its monitor after every iteration (epoch for sgd) with the
new iterate; :class:`ValidationMonitor` computes the validation loss there
and asks the solver to stop once it has not improved for a while.
"""

import numpy as np


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
    """

    def __init__(self, validation_objective, tol, n_iter_no_change):
        self.objective = validation_objective
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.curve = []
        self.best_loss = np.inf
        self.best_params = None
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
        return self.iterations_without_improvement >= self.n_iter_no_change
