"""GDLogisticRegression: the scikit-learn estimator, a thin facade.

The estimator validates input, encodes labels as integer codes
``0 .. K-1`` (indices into ``classes_``), assembles the objective of
:mod:`skgd._objective`, hands it to a solver of :mod:`skgd._solvers` and
unpacks the result into scikit-learn's fitted attributes.
"""

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._losses import make_loss
from ._objective import LogisticObjective, raw_predictions
from ._params import validate_params
from ._penalties import ElasticNet
from ._solvers import SOLVERS

# Iterations between two progress lines with verbose=1 (every one with verbose>=2).
VERBOSE_EVERY = 10


class GDLogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression trained by explicit gradient descent.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression`: it
    minimises the same objective, so it finds the same model, with parameter
    names shared where they overlap.  With ``s_i`` the sample weight times the
    class weight of sample i and ``S = sum_i s_i``, it minimises::

        J(W, b) = (1/S) sum_i s_i loss_i(W, b)
                  + 1/(C S) [ (1 - l1_ratio)/2 ||W||_2^2 + l1_ratio ||W||_1 ]

    where ``loss_i`` is the binary log-loss for two classes and the
    multinomial (softmax) log-loss for more.  The intercept is not penalised.

    Parameters
    ----------
    C : float, default=1.0
        Inverse of regularisation strength, as in LogisticRegression;
        ``np.inf`` means no penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing: 0 is L2, 1 is L1, in between a mix.  The L1 part
        is applied by a proximal (soft-thresholding) step, so ``coef_`` has
        exact zeros.
    fit_intercept : bool, default=True
        Whether to fit an intercept ``b``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, with LogisticRegression's semantics;
        "balanced" uses ``S / (n_classes * S_k)`` (weighted class totals).
    solver : {"gd", "agd"}, default="gd"
        ``"gd"``: batch gradient descent, every parameter updated at once
        from the full gradient; J never increases with ``learning_rate="auto"``.
        ``"agd"``: accelerated gradient descent (Nesterov momentum; FISTA
        with an L1 part) with backtracking and adaptive restart.
    learning_rate : "auto" or float, default="auto"
        ``"auto"`` runs the solver on standardised features (a change of
        variables, X is not copied) and derives the step from the problem: a
        Lipschitz bound of the gradient, then Barzilai-Borwein steps or
        backtracking line search.  A float ``alpha`` is a fixed step on the
        features as given: ``w := w - alpha * dJ/dw``.  A step that makes J
        blow up raises an error naming it.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-4
        Stop when the largest absolute entry of the gradient of J (the
        gradient mapping when ``l1_ratio > 0``) is at most ``tol``: the
        criterion and default of LogisticRegression's lbfgs.  Use a smaller
        ``tol`` (e.g. 1e-10) to fit the optimum to near working precision.
        A ``tol`` below what the input's dtype allows is raised to that.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` and ``intercept_``.
    random_state : int, RandomState instance or None, default=None
        Unused by the deterministic solvers "gd" and "agd"; kept so that
        parameter grids written for LogisticRegression transfer.
    verbose : int, default=0
        Print progress every 10 iterations (every iteration if >= 2).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for a binary problem (for ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts; zeros when ``fit_intercept=False``.
    n_iter_ : ndarray of shape (1,)
        Number of iterations run.
    loss_curve_ : ndarray of shape (n_iter_[0] + 1,)
        J at the start point and after each iteration; the last value is J at
        the returned coefficients.
    converged_ : bool
        Whether the stopping criterion was met within ``max_iter``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model, fitted by
        quasi-Newton and other solvers.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDLogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    >>> round(model.score(X, y), 3)
    0.988
    """

    def __init__(
        self,
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        class_weight=None,
        solver="gd",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent on J.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  float32 stays float32; anything else becomes
            float64.  X is never modified, nor copied when already usable.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : GDLogisticRegression
            The fitted estimator.
        """
        validate_params(self, SOLVERS)
        warm = self.warm_start and hasattr(self, "coef_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=not warm,  # a warm start needs the features it was fitted on
        )
        check_classification_targets(y)
        classes, codes = _encode_labels(y)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {classes[0]!r}."
            )
        objective = self._objective(X, classes, codes, sample_weight)
        start = self._start_point(objective, classes, warm)
        solve = SOLVERS[self.solver]
        with np.errstate(over="ignore", under="ignore"):
            result = solve(
                objective,
                start,
                learning_rate=self.learning_rate,
                max_iter=self.max_iter,
                tol=self.tol,
                monitor=_progress_printer(self.verbose),
            )

        self.classes_ = classes
        coef, intercept = objective.split(result.x)
        self.coef_ = np.array(coef)
        self.intercept_ = (
            np.array(intercept) if intercept is not None else np.zeros(coef.shape[0], X.dtype)
        )
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.loss_curve_ = np.array(result.loss_curve)
        self.converged_ = result.converged
        if not result.converged:
            warnings.warn(_non_convergence_message(self, result, X.dtype), ConvergenceWarning)
        return self

    def _objective(self, X, classes, codes, sample_weight):
        """J for this estimator's parameters; weights are built here and then freed."""
        weights = _check_sample_weight(sample_weight, X.shape[0])
        class_weight = _class_weights(self.class_weight, classes, codes, weights)
        if np.any(class_weight != 1.0):
            per_sample = class_weight[codes]  # one new array, multiplied in place
            if weights is not None:
                per_sample *= weights
            weights = per_sample
        total = X.shape[0] if weights is None else weights.sum()
        if not total > 0:
            raise ValueError(
                "The class weights times the sample weights sum to zero: at least one "
                "sample must carry positive weight."
            )
        strength = 1.0 / (self.C * total)  # 0.0 for C = inf
        penalty = ElasticNet(strength, self.l1_ratio)
        return LogisticObjective(X, codes, weights, len(classes), self.fit_intercept, penalty)

    def _start_point(self, objective, classes, warm):
        """Zeros, or the previous solution when warm-starting a compatible fit."""
        start = np.zeros(objective.shape, dtype=objective.dtype)
        if not warm:
            return start
        if not np.array_equal(self.classes_, classes):
            raise ValueError(
                "warm_start=True needs the same classes as the previous fit: it had "
                f"{self.classes_}, the new data has {classes}. Set warm_start=False "
                "to start afresh."
            )
        start[:, : objective.n_features] = self.coef_
        if objective.fit_intercept:
            start[:, objective.n_features] = self.intercept_
        return start

    def decision_function(self, X):
        """Raw scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For a binary problem, the score of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )
        return raw_predictions(X, self.coef_, self.intercept_)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        return make_loss(len(self.classes_)).predict_proba(scores)

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class, computed stably.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        return make_loss(len(self.classes_)).predict_log_proba(scores)

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Predicted labels, drawn from ``classes_``.
        """
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[indices]

    def __sklearn_is_fitted__(self):
        # a fit that raised (e.g. on divergence) may have set n_features_in_ only
        return hasattr(self, "coef_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _check_sample_weight(sample_weight, n_samples):
    """Validated float64 sample weights, or None for unit weights.

    The caller's array is never modified.
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, float(sample_weight))
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative; negative weights were given.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to zero: at least one weight must be positive.")
    return sample_weight


def _class_weights(class_weight, classes, codes, sample_weight):
    """Weight of each class, indexed by code, with LogisticRegression's semantics.

    "balanced" gives class k the weight ``S / (n_classes * S_k)``, where ``S_k``
    totals the sample weights of class k (scikit-learn >= 1.7 does the same;
    its helper lacks ``sample_weight`` in 1.6, so it is computed here).
    ``sample_weight`` None means unit weights.
    """
    if class_weight == "balanced":
        totals = np.bincount(codes, weights=sample_weight, minlength=len(classes))
        with np.errstate(divide="ignore"):  # a class of zero total weight: any value works
            balanced = totals.sum() / (len(classes) * totals)
        return np.where(totals > 0, balanced, 1.0)
    # y=classes: only 'balanced' needs the labels, and it is handled above
    return compute_class_weight(class_weight, classes=classes, y=classes)


def _encode_labels(y):
    """The sorted classes and the code (index into them) of every label.

    What LabelEncoder does, with fewer temporaries of the size of ``y``;
    small non-negative integer labels are counted instead of sorted.
    """
    if y.dtype.kind in "iu" and y.min() >= 0 and y.max() <= max(len(y), 1024):
        counts = np.bincount(y.astype(np.intp, copy=False))  # older numpy: no uint64
        present = counts > 0
        codes = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(y.dtype), codes[y]
    classes = np.unique(y)
    return classes, np.searchsorted(classes, y)


def _progress_printer(verbose):
    """A solver monitor printing progress lines, or None when ``verbose == 0``."""
    if not verbose:
        return None
    every = 1 if verbose >= 2 else VERBOSE_EVERY
    started = time.perf_counter()

    def monitor(iteration, value, optimality, step):
        if iteration % every == 0:
            print(
                f"iter {iteration:5d}  J {value:.10g}  max|G| {optimality:.3e}  "
                f"step {step:.3e}  {time.perf_counter() - started:.2f}s"
            )

    return monitor


def _non_convergence_message(estimator, result, dtype):
    """Why a fit stopped short of ``tol``, and what to try."""
    gradient = "gradient mapping" if estimator.l1_ratio > 0 else "gradient"
    reached = (
        f"the largest entry of the {gradient} is {result.optimality:.3e} > tol={result.tol:.3g}"
    )
    if result.n_iter >= estimator.max_iter:
        # tol is measured on the features as given, so their scale matters even
        # when learning_rate="auto" runs the solver on standardised ones
        return (
            f"solver={estimator.solver!r} did not converge in max_iter={estimator.max_iter} "
            f"iterations: {reached}. Scale the features (e.g. StandardScaler in a "
            "Pipeline), increase max_iter, or use a larger tol."
        )
    return (
        f"solver={estimator.solver!r} stopped after {result.n_iter} iterations because J "
        f"cannot decrease further in {np.dtype(dtype).name}: {reached}. "
        "Use a larger tol or float64 input."
    )
