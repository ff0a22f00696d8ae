"""GDLogisticRegression: the scikit-learn estimator, a thin facade.

The estimator validates input, encodes labels as integer codes
``0 .. K-1`` (indices into ``classes_``), assembles the objective of
:mod:`skgd._objective`, hands it to a solver of :mod:`skgd._solvers` and
unpacks the result into scikit-learn's fitted attributes.
"""

import copy
import math
import time
import warnings
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, FitTask, with_callbacks
from ._early_stopping import ValidationMonitor
from ._losses import make_loss
from ._objective import LogisticObjective, penalty_strength, raw_predictions
from ._params import validate_params
from ._penalties import ElasticNet
from ._rowblocks import RowThreads
from ._solvers import (
    SOLVERS,
    STOCHASTIC_SOLVERS,
    OriginalVariables,
    StreamState,
    averaged_sgd_pass,
)
from ._standardize import Standardized

# Iterations between two progress lines with verbose=1 (every one with verbose>=2).
VERBOSE_EVERY = 10


class _Stream(NamedTuple):
    """What partial_fit carries between calls."""

    state: StreamState  # iterate, average, step schedule
    moments: tuple | None  # the first chunk's (mean, variance): the scaling of every step
    random_state: np.random.RandomState  # the row orders of all passes


class GDLogisticRegression(ClassifierMixin, CallbackSupportMixin, BaseEstimator):
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
    solver : {"gd", "agd", "sgd"}, default="gd"
        ``"gd"``: batch gradient descent, every parameter updated at once
        from the full gradient; J never increases with ``learning_rate="auto"``.
        ``"agd"``: accelerated gradient descent (Nesterov momentum; FISTA
        with an L1 part) with backtracking and adaptive restart.
        ``"sgd"``: mini-batch stochastic gradient descent with variance
        reduction (SVRG): each epoch computes the full gradient at a
        snapshot, then steps through the rows in random mini-batches with
        gradient estimates corrected by it, so that a constant step
        converges to the optimum of J itself.  ``max_iter`` counts epochs.
    learning_rate : "auto" or float, default="auto"
        ``"auto"`` runs the solver on standardised features (a change of
        variables, X is not copied) and derives the step from the problem: a
        Lipschitz bound of the gradient, then Barzilai-Borwein steps or
        backtracking line search.  A float ``alpha`` is a fixed step on the
        features as given: ``w := w - alpha * dJ/dw``.  A step that makes J
        blow up raises an error naming it.
    max_iter : int, default=1000
        Maximum number of iterations (epochs for ``"sgd"``).
    tol : float, default=1e-4
        Stop when the largest absolute entry of the gradient of J (the
        gradient mapping when ``l1_ratio > 0``) is at most ``tol``: the
        criterion and default of LogisticRegression's lbfgs.  Use a smaller
        ``tol`` (e.g. 1e-10) to fit the optimum to near working precision.
        A ``tol`` below what the input's dtype allows is raised to that.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` and ``intercept_``.
    batch_size : int, default=512
        Rows per mini-batch of ``"sgd"`` and of :meth:`partial_fit`
        (at most the number of rows).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the rows, compute
        their log-loss after every iteration (epoch for ``"sgd"``), stop when
        it has not improved by more than ``tol`` for ``n_iter_no_change``
        iterations, and keep the coefficients with the lowest one.  J is then
        that of the remaining rows.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=5
        Iterations without improvement of the validation loss before early
        stopping stops.
    random_state : int, RandomState instance or None, default=None
        Seeds the row orders of ``"sgd"`` and :meth:`partial_fit` and the
        validation split; the same seed gives bit-identical results, on any
        number of threads.  Unused by "gd" and "agd" without early stopping.
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
        Number of iterations run; after :meth:`partial_fit`, the number of
        its calls since the stream began.
    loss_curve_ : ndarray of shape (n_iter_[0] + 1,)
        J at the start point and after each iteration; the last value is J at
        the last iterate (with early stopping, the returned coefficients are
        those of the lowest validation loss).  After :meth:`partial_fit`, J of
        the first call's rows at the start point, then J of each call's rows
        at the model after it.
    validation_loss_curve_ : ndarray of shape (n_iter_[0] + 1,) or None
        With early stopping, the validation log-loss at the start point and
        after each iteration; None otherwise.
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
        batch_size=512,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
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
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent on J.

        An exception (bad input, a diverging learning rate, an error in a
        callback, KeyboardInterrupt) leaves the estimator as it was before
        the call.

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
        # the rollback encloses the callbacks' context, which tears them down first
        with _rollback_on_error(self):
            return self._fit(X, y, sample_weight)

    @with_callbacks
    def _fit(self, X, y, sample_weight):
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
        _check_two_classes(classes)
        weights, weight_scale = self._sample_weights(classes, codes, sample_weight, X.shape[0])
        random_state = check_random_state(self.random_state)
        monitors = [_progress_printer(self.verbose)]
        with RowThreads.for_data(X) as threads:
            validation = None
            if self.early_stopping:
                X, codes, weights, validation = self._hold_out(
                    X, codes, weights, len(classes), random_state, threads
                )
                monitors.append(validation)
            objective = self._objective(X, codes, weights, weight_scale, len(classes), threads)
            start = self._start_point(objective, classes, warm)
            if validation is not None:
                validation.start(start)
            # the callbacks see the rows fitted on (without the held-out ones), and
            # the caller's sample weights as LogisticRegression passes them
            task = FitTask(
                self,
                X,
                y if validation is None else classes[codes],
                None if sample_weight is None or validation is not None
                else {"sample_weight": sample_weight},
                lambda params: {**_fitted_coefficients(objective, params), "classes_": classes},
            )
            task.begin(start)
            result = self._solve(objective, start, [*monitors, task], random_state)

        self.classes_ = classes
        best = result.x if validation is None else validation.best_params
        self.__dict__.update(_fitted_coefficients(objective, best))
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.loss_curve_ = np.array(result.loss_curve)
        self.validation_loss_curve_ = None if validation is None else np.array(validation.curve)
        self.converged_ = result.converged
        self.__dict__.pop("_stream", None)  # partial_fit starts afresh from this model
        task.end()  # the callbacks see the fitted model
        if not (result.converged or result.stopped):
            warnings.warn(_non_convergence_message(self, result, X.dtype), ConvergenceWarning)
        return self

    def _solve(self, objective, start, monitors, random_state):
        """Run the solver on J from ``start``, reporting each iteration to ``monitors``."""
        options = {}
        if self.solver in STOCHASTIC_SOLVERS:
            options = {"batch_size": self.batch_size, "random_state": random_state}
        with np.errstate(over="ignore", under="ignore"):
            return SOLVERS[self.solver](
                objective,
                start,
                learning_rate=self.learning_rate,
                max_iter=self.max_iter,
                tol=self.tol,
                monitor=_combine_monitors(monitors),
                **options,
            )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass of averaged mini-batch SGD over the given rows.

        For data that do not fit in memory: call it on one chunk of rows
        after another, and again over the chunks for more passes.  Each call
        takes ``ceil(n_rows / batch_size)`` stochastic steps on the J of its
        rows, continuing from the previous call's state; the model is the
        weighted average of the iterates, which converges to the optimum.
        The rows of the first call fix the feature scaling the steps run in.
        After the pass, J of the call's rows at the new model is appended to
        ``loss_curve_`` (one evaluation); a diverging fixed learning rate
        raises ``ValueError`` and leaves the model as it was.
        ``C`` applies per call, as :meth:`fit` would apply it to those rows:
        over chunks of equal size and weight, the model converges to that
        of :meth:`fit` on all rows with ``C`` times the number of chunks.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes of the stream; required on the first call
            (unless the model was fitted by :meth:`fit`), and then no other.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the chunk's samples.

        Returns
        -------
        self : GDLogisticRegression
            The updated estimator.
        """
        with _rollback_on_error(self):
            return self._partial_fit(X, y, classes, sample_weight)

    def _partial_fit(self, X, y, classes, sample_weight):
        validate_params(self, SOLVERS)
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class totals of all the data, which "
                "partial_fit cannot know. Pass a dict of class weights instead."
            )
        first = not hasattr(self, "classes_")
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
            reset=first,
        )
        check_classification_targets(y)
        classes = _stream_classes(self, classes, first)
        codes = np.searchsorted(classes, y)
        if np.any(classes[np.minimum(codes, len(classes) - 1)] != y):
            raise ValueError(
                f"y contains labels {np.setdiff1d(y, classes)} not in classes {classes} "
                "given on the first call of partial_fit."
            )
        weights, weight_scale = self._sample_weights(classes, codes, sample_weight, X.shape[0])
        with RowThreads.for_data(X) as threads, np.errstate(over="ignore", under="ignore"):
            objective = self._objective(X, codes, weights, weight_scale, len(classes), threads)
            stream = getattr(self, "_stream", None)
            if stream is None:
                start = self._start_point(objective, classes, warm=not first)
                stream = _Stream(
                    StreamState(start, start.copy()),
                    objective.feature_moments() if self.learning_rate == "auto" else None,
                    _stream_random_state(self.random_state),
                )
            if self.learning_rate == "auto":
                problem = Standardized(objective, stream.moments)
            else:
                problem = OriginalVariables(objective, float(self.learning_rate))
            # the pass draws from a copy, so that a pass that fails draws nothing
            random_state = copy.deepcopy(stream.random_state)
            state = averaged_sgd_pass(  # a new state; raises on divergence
                problem, stream.state, learning_rate=self.learning_rate,
                batch_size=self.batch_size, random_state=random_state,
            )
        self.classes_ = classes
        self._stream = stream._replace(state=state, random_state=random_state)
        self.__dict__.update(_fitted_coefficients(objective, state.average))
        self.n_iter_ = np.array([state.n_passes], dtype=np.int32)
        self.loss_curve_ = np.array(state.loss_curve)
        return self

    def _sample_weights(self, classes, codes, sample_weight, n_samples):
        """Sample weight times class weight per sample, divided by a common scale.

        Returns the weights (None when all are 1), at most 1, and the scale
        they were divided by, so that weights of any finite size (1e-320 or
        1e308, whose sum would overflow) give J exactly: J depends on the
        weights only through ``s_i / S`` and the penalty's ``1 / (C S)``.
        """
        weights = _check_sample_weight(sample_weight, n_samples)
        scale = 1.0
        if weights is not None:
            top = weights.max()
            weights, scale = weights / top, float(top)
        class_weight = _class_weights(self.class_weight, classes, codes, weights)
        if np.any(class_weight != 1.0):
            top = class_weight.max()
            per_sample = class_weight[codes]  # one new array, scaled in place
            if top > 0:
                per_sample /= top
            if weights is not None:
                per_sample *= weights
            weights, scale = per_sample, scale * float(top)  # a product past 1e308: inf
        if weights is not None and not weights.sum() > 0:
            raise ValueError(
                "The class weights times the sample weights sum to zero: at least one "
                "sample must carry positive weight."
            )
        return weights, scale

    def _objective(self, X, codes, weights, weight_scale, n_classes, threads=None):
        """J for this estimator's parameters on the rows of ``X``.

        ``weights`` are the samples' weights divided by ``weight_scale``.
        """
        total = X.shape[0] if weights is None else float(weights.sum())
        strength = penalty_strength(self.C, total, weight_scale, X.dtype)
        penalty = ElasticNet(strength, self.l1_ratio)
        return LogisticObjective(
            X, codes, weights, n_classes, self.fit_intercept, penalty, threads
        )

    def _hold_out(self, X, codes, weights, n_classes, random_state, threads=None):
        """The rows to fit on, and a monitor of the log-loss of a stratified rest."""
        # at least one validation row per class; stratified when every class can
        # give a row to both parts
        counts = np.bincount(codes, minlength=n_classes)
        n_validation = max(math.ceil(self.validation_fraction * len(codes)), n_classes)
        if n_validation >= len(codes):
            raise ValueError(
                f"early_stopping=True needs more than {n_validation} samples to hold out "
                f"validation_fraction={self.validation_fraction} of them (at least one per "
                f"class); got {len(codes)}."
            )
        fit_rows, validation_rows = train_test_split(
            np.arange(X.shape[0]),
            test_size=n_validation,
            stratify=codes if counts.min() >= 2 else None,
            random_state=random_state,
        )
        fit_rows.sort()  # rows in their original order: X's blocks stay contiguous
        validation_rows.sort()

        def take(rows):
            return X[rows], codes[rows], None if weights is None else weights[rows]

        validation_X, validation_codes, validation_weights = take(validation_rows)
        if validation_weights is not None and not validation_weights.sum() > 0:
            raise ValueError("The validation rows carry no weight; use a larger "
                             "validation_fraction.")
        no_penalty = ElasticNet(0.0, 0.0)
        validation = LogisticObjective(
            validation_X, validation_codes, validation_weights, n_classes,
            self.fit_intercept, no_penalty, threads,
        )
        monitor = ValidationMonitor(validation, self.tol, self.n_iter_no_change)
        return (*take(fit_rows), monitor)

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
    sample_weight = np.asarray(sample_weight)
    if np.iscomplexobj(sample_weight):
        raise ValueError("Complex data not supported: sample_weight must be real.")
    sample_weight = sample_weight.astype(np.float64, copy=False)
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
    if not np.any(sample_weight > 0):
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
    weights = np.asarray(compute_class_weight(class_weight, classes=classes, y=classes))
    if np.iscomplexobj(weights) or not np.all(np.isfinite(weights) & (weights >= 0)):
        raise ValueError(
            f"class_weight must map classes to finite non-negative numbers; got {class_weight}."
        )
    return weights.astype(np.float64)


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


@contextmanager
def _rollback_on_error(estimator):
    """Leave ``estimator`` exactly as it was if the block raises (or is interrupted).

    Fitted attributes are replaced, never modified in place, so a shallow
    copy of the instance's attributes is its whole state.
    """
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise


def _fitted_coefficients(objective, params):
    """``coef_`` and ``intercept_`` of the parameters ``params`` of ``objective``."""
    coef, intercept = objective.split(params)
    return {
        "coef_": np.array(coef),
        "intercept_": (
            np.array(intercept) if intercept is not None
            else np.zeros(coef.shape[0], objective.dtype)
        ),
    }


def _check_two_classes(classes):
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}."
        )


def _stream_classes(estimator, classes, first):
    """The classes of a partial_fit stream: given on the first call, the same after."""
    if classes is None:
        if first:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the stream's "
                "later chunks may hold classes that the first one lacks."
            )
        return estimator.classes_
    classes = np.unique(classes)
    if not first and not np.array_equal(classes, estimator.classes_):
        raise ValueError(
            f"classes={classes} differs from the classes {estimator.classes_} of the "
            "first call; the classes of a stream cannot change."
        )
    _check_two_classes(classes)
    return classes


def _stream_random_state(random_state):
    """The stream's own RandomState: seeded by an int, drawn from numpy's global one for None.

    The stream keeps it and draws each pass's row order from a copy, so a pass
    that fails draws nothing; a RandomState instance given is copied.
    """
    if random_state is None:
        return np.random.RandomState(np.random.randint(np.iinfo(np.int32).max))
    return copy.deepcopy(check_random_state(random_state))


def _combine_monitors(monitors):
    """One monitor calling each of ``monitors`` (None ones skipped); stops if any asks."""
    monitors = [monitor for monitor in monitors if monitor is not None]
    if not monitors:
        return None

    def monitor(*progress):
        return any([monitor(*progress) for monitor in monitors])  # every one runs

    return monitor


def _progress_printer(verbose):
    """A solver monitor printing progress lines, or None when ``verbose == 0``."""
    if not verbose:
        return None
    every = 1 if verbose >= 2 else VERBOSE_EVERY
    started = time.perf_counter()

    def monitor(iteration, params, value, optimality, step):
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
    advice = "Use a larger tol or float64 input." if dtype == np.float32 else "Use a larger tol."
    return (
        f"solver={estimator.solver!r} stopped after {result.n_iter} iterations because J "
        f"cannot decrease further in {np.dtype(dtype).name}: {reached}. {advice}"
    )
