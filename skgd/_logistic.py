"""GDLogisticRegression: the scikit-learn estimator, a thin facade.

The estimator validates input, encodes labels as integer codes
``0 .. K-1`` (indices into ``classes_``, :mod:`skgd._data`), builds the
objective J of :mod:`skgd._objective`, assembles it for the solvers
(:mod:`skgd._assemble`), runs one of :data:`skgd._solvers.SOLVERS` and
unpacks the result into scikit-learn's fitted attributes.
"""

import copy
from contextlib import contextmanager, nullcontext
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

# LogisticRegression's bases, so that code asking isinstance(model, ...) of a linear
# classifier finds one (skgd's own decision_function, predict and sparsify stand first)
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._assemble import Assembly
from ._callbacks import CallbackSupportMixin, with_callbacks
from ._data import (
    check_labels,
    encode_stream_labels,
    hold_out_rows,
    is_dask_collection,
    numpy_dtype,
    sample_weights,
    stream_classes,
)
from ._losses import make_loss
from ._messages import (
    early_stopping_kept_start_message,
    non_convergence_message,
    warn,
    worded_divergence,
)
from ._monitors import FitTask, ValidationMonitor, combine_monitors, progress_printer
from ._objective import LogisticObjective, penalty_strength, raw_predictions
from ._params import penalty_parameters, validate_params
from ._penalties import ElasticNet
from ._rowblocks import RowThreads
from ._solvers import SOLVERS, iteration_name
from ._streaming import StreamState


class _TrainingData(NamedTuple):
    """J on the rows to fit on, and what the fit's monitors and callbacks see."""

    objective: object  # LogisticObjective, or DistributedObjective for dask input
    classes: np.ndarray
    validation: object  # the early-stopping monitor, or None
    X: object  # the rows fitted on, as the callbacks see them
    codes: np.ndarray  # their class codes (None for dask input)


class _Stream(NamedTuple):
    """What partial_fit carries between calls."""

    state: StreamState  # iterate, average, step schedule
    moments: tuple  # the first chunk's (mean, variance): the variables of every step
    random_state: np.random.RandomState  # the row orders of all passes


class GDLogisticRegression(
    LinearClassifierMixin, SparseCoefMixin, CallbackSupportMixin, BaseEstimator
):
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
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        LogisticRegression's deprecated spelling of ``l1_ratio`` and ``C``,
        accepted with its FutureWarning: "l2" is ``l1_ratio=0``, "l1" is
        ``l1_ratio=1``, "elasticnet" uses ``l1_ratio`` (which must then be
        given), None is ``C=np.inf``.  Leave it unset and use ``l1_ratio``
        and ``C``.
    C : float, default=1.0
        Inverse of regularisation strength, as in LogisticRegression;
        ``np.inf`` means no penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing: 0 is L2, 1 is L1, in between a mix.  The L1 part
        is applied by a proximal (soft-thresholding) step, so ``coef_`` has
        exact zeros.  None is accepted as 0, with LogisticRegression's
        FutureWarning.
    dual : False, default=False
        Accepted for LogisticRegression's signature; the dual formulation is
        liblinear's, so only False is valid.
    fit_intercept : bool, default=True
        Whether to fit an intercept ``b``.
    intercept_scaling : 1, default=1
        Accepted for LogisticRegression's signature; it is liblinear's way to
        lessen the penalty on its intercept, and skgd never penalises the
        intercept, so only 1 is valid.
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
        Maximum number of iterations (epochs for ``"sgd"``); 0 returns the
        start point (zeros, or the previous fit's with ``warm_start``).
    tol : float, default=1e-6
        Stop when the largest absolute entry of the gradient of J (the
        gradient mapping when ``l1_ratio > 0``) is at most ``tol``: the
        criterion of LogisticRegression's lbfgs.  Its default is a hundred
        times smaller than lbfgs's 1e-4: lbfgs's last steps are superlinear
        and usually land well inside its tol, gradient descent converges
        linearly and lands just inside it, and at 1e-6 it ends at least as
        close to the optimum as lbfgs does at 1e-4 (see the README).  Use a
        smaller ``tol`` (e.g. 1e-10) to fit the optimum to near working
        precision.  A ``tol`` below what the input's dtype allows is raised to
        that.
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
    verbose : int or bool, default=0
        Print progress every 10 iterations (every iteration if >= 2).
    n_jobs : int, default=None
        Threads a fit shares the blocks of rows of dense X between (X of 4 MiB
        or more; smaller or sparse X is computed in one thread).  None uses
        as many as the BLAS thread limit in force and the usable CPUs allow;
        -1 all usable CPUs, -2 all but one, and so on.  The threads change
        the speed of a fit, never its result: every number of threads gives
        the same bits.  (LogisticRegression accepts ``n_jobs`` and ignores
        it; skgd uses it, so that, for example, ``n_jobs=1`` keeps fits
        inside a parallel grid search from competing for the cores.)

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
    loss_curve_ : list of float, of length n_iter_[0] + 1
        J at the start point and after each iteration; the last value is J at
        the last iterate (with early stopping, the returned coefficients are
        those of the lowest validation loss).  After :meth:`partial_fit`, J of
        the first call's rows at the start point, then J of each call's rows
        at the model after it.  A list, as MLPClassifier's ``loss_curve_``:
        a record of the fit on the host, whatever the namespace of X.
    validation_loss_curve_ : list of float, of length n_iter_[0] + 1, or None
        With early stopping, the validation log-loss at the start point and
        after each iteration; None otherwise.
    converged_ : bool
        Whether the stopping criterion was met within ``max_iter``.  After
        :meth:`partial_fit`, whether the model meets it on the last call's
        rows: the largest entry of the gradient (mapping) of their J is at
        most ``tol``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        solver="gd",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        batch_size=512,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
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
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent on J.

        An exception (bad input, a diverging learning rate, an error in a
        callback, KeyboardInterrupt) leaves the estimator as it was before
        the call.

        Dask arrays and DataFrames (with the ``dask`` extra) are fitted where
        their row partitions are, on the workers of the dask.distributed
        Client in use: each worker computes its partitions' part of J and
        its gradient, this process adds them and takes the steps.  The model
        is the one fitted in memory (the same iterations, to rounding);
        ``early_stopping`` is not available there, and ``n_jobs`` is the
        workers' business.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array or DataFrame} of shape (n_samples, n_features)
            Training data.  float32 stays float32; anything else becomes
            float64.  X is never modified, nor copied when already usable.
            A dask array's chunks may be dense or scipy CSR matrices.
        y : array-like or dask array of shape (n_samples,)
            Class labels of any type; cut into X's row partitions for dask X.
        sample_weight : array-like or dask array of shape (n_samples,), default=None
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
        penalty = penalty_parameters(self)
        warm = self.warm_start and hasattr(self, "coef_")
        random_state = check_random_state(self.random_state)
        distributed = any(is_dask_collection(v) for v in (X, y, sample_weight))
        if distributed and self.early_stopping:
            raise ValueError(
                "early_stopping=True is not available for dask input: its held-out rows "
                "would have to be split off every partition. Hold out a validation set "
                "yourself, or set early_stopping=False."
            )
        if distributed:
            training_data = self._distributed_data
        else:
            training_data = self._local_data
        with training_data(X, y, sample_weight, penalty, random_state) as data:
            objective, classes, validation = data.objective, data.classes, data.validation
            start = self._start_point(objective, classes, warm)
            if validation is not None:
                validation.start(start)
            task = self._fit_task(objective, classes, data.X, y, data.codes, sample_weight,
                                  start, validation, self.max_iter)
            result = self._solve(objective, start, [validation, task], random_state)
        self._unpack(objective, classes, result, validation)
        if _array_api_input(X):  # fitted attributes where X is
            from ._array_api import as_namespace

            for name in ["coef_", "intercept_", "n_iter_"]:
                setattr(self, name, as_namespace(getattr(self, name), X))
        task.end()  # the callbacks see the fitted model
        if not (result.converged or result.stopped):
            warn(non_convergence_message(self, objective, result), ConvergenceWarning)
        if validation is not None and validation.best_iteration == 0 < result.n_iter:
            warn(early_stopping_kept_start_message(self, result, warm))
        return self

    @contextmanager
    def _local_data(self, X, y, sample_weight, penalty, random_state):
        """J on data in this process, with the rows held out for early stopping.

        numpy arrays and scipy sparse matrices are computed by this process's
        threads; arrays of another array-API namespace (with
        ``array_api_dispatch`` on) where they are, on their device.
        """
        X, y, sample_weight, on_device = self._validated(X, y, sample_weight, reset=True)
        classes, codes = check_labels(y)
        weights, weight_scale = sample_weights(self.class_weight, classes, codes, sample_weight)
        with nullcontext() if on_device else RowThreads.for_data(X, self.n_jobs) as threads:
            objective_of = self._objective_maker(on_device, threads)
            X_fit, codes_fit, weights_fit, validation = self._hold_out(
                X, codes, weights, classes, random_state, objective_of
            )
            penalty = _elastic_net(penalty, len(codes_fit), weights_fit, weight_scale,
                                   numpy_dtype(X))
            objective = objective_of(X_fit, codes_fit, weights_fit, len(classes), penalty)
            yield _TrainingData(objective, classes, validation, X_fit, codes_fit)

    def _validated(self, X, y, sample_weight, reset):
        """X as the objective takes it, y and sample_weight as numpy, and where X is.

        Returns ``(X, y, sample_weight, on_device)``: ``on_device`` for arrays of
        another array-API namespace than numpy's, with dispatch on, which stay
        in their namespace and on their device (y and the weights come to the
        host, once).
        """
        if not _array_api_input(X):
            X, y = validate_data(
                self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                reset=reset,
            )
            return X, y, sample_weight, False
        from ._array_api import array_namespace, check_dense, to_numpy

        check_dense(X)
        xp = array_namespace(X)
        X, y = validate_data(self, X, y, dtype=[xp.float64, xp.float32], reset=reset)
        if _array_api_input(sample_weight):
            sample_weight = to_numpy(sample_weight)
        return X, to_numpy(y), sample_weight, True

    def _objective_maker(self, on_device, threads):
        """``objective_of(X, codes, weights, n_classes, penalty)``: J on those rows."""
        if on_device:
            from ._array_api import ArrayAPIObjective

            def objective_of(X, codes, weights, n_classes, penalty):
                return ArrayAPIObjective(X, codes, weights, n_classes, self.fit_intercept,
                                         penalty)
        else:
            def objective_of(X, codes, weights, n_classes, penalty):
                return LogisticObjective(X, codes, weights, n_classes, self.fit_intercept,
                                         penalty, threads)
        return objective_of

    @contextmanager
    def _distributed_data(self, X, y, sample_weight, penalty, random_state, reset=True,
                          classes=None):
        """J on dask collections, its partitions held by the cluster's workers.

        ``reset`` as scikit-learn's ``validate_data`` takes it: False where a
        stream goes on with the features it began with.
        """
        from ._dask import distributed_objective, feature_view

        validate_data(self, feature_view(X), skip_check_array=True, reset=reset)

        C, l1_ratio = penalty
        objective, classes = distributed_objective(
            X, y, sample_weight, classes=classes, class_weight=self.class_weight,
            fit_intercept=self.fit_intercept, C=C, l1_ratio=l1_ratio,
        )
        try:
            yield _TrainingData(objective, classes, None, X, None)
        finally:
            objective.partitions.release()

    def _solve(self, objective, start, monitors, random_state):
        """Run the solver on J from ``start``, reporting each iteration to ``monitors``.

        With ``verbose``, a progress printer watches too.
        """
        unit = iteration_name(self.solver)
        monitors = [progress_printer(self.verbose, unit), *monitors]
        with (
            np.errstate(over="ignore", under="ignore"),
            worded_divergence(self.learning_rate, unit),
        ):
            return Assembly(objective, self.learning_rate).solve(
                SOLVERS[self.solver], start, max_iter=self.max_iter, tol=self.tol,
                monitor=combine_monitors(monitors), batch_size=self.batch_size,
                random_state=random_state,
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
        ``loss_curve_``, ``n_iter_`` counts the calls since the stream began
        and ``converged_`` says whether the model meets the stopping rule on
        the call's rows (one evaluation of J and its gradient); a diverging
        fixed learning rate raises :class:`skgd.DivergenceError` (a
        ValueError) and leaves the model as it was.  Callbacks see each call
        as a fit of one iteration.  For dask input, the pass goes from one
        row partition to the next on their workers, carrying the iterate
        and its average; the rows do not move.
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

    @with_callbacks
    def _partial_fit(self, X, y, classes, sample_weight):
        validate_params(self, SOLVERS)
        penalty = penalty_parameters(self)
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class totals of all the data, which "
                "partial_fit cannot know. Pass a dict of class weights instead."
            )
        first = not hasattr(self, "classes_")
        fitted_classes = None if first else self.classes_
        if any(is_dask_collection(v) for v in (X, y, sample_weight)):
            data = self._distributed_data(
                X, y, sample_weight, penalty, None, reset=first,
                classes=stream_classes(classes, fitted_classes),
            )
        else:
            data = self._stream_data(X, y, classes, fitted_classes, sample_weight, penalty, first)
        with (
            data as data,
            np.errstate(over="ignore", under="ignore"),
            worded_divergence(self.learning_rate, "pass"),
        ):
            objective, classes = data.objective, data.classes
            stream = getattr(self, "_stream", None)
            if stream is None:
                assembly = Assembly(objective, self.learning_rate)
                start = self._start_point(objective, classes, warm=not first)
                stream = _Stream(
                    StreamState(start, start.copy()),
                    assembly.moments,
                    _stream_random_state(self.random_state),
                )
            else:  # every chunk is seen through the first one's moments
                assembly = Assembly(objective, self.learning_rate, moments=stream.moments)
            task = self._fit_task(objective, classes, data.X, y, data.codes, sample_weight,
                                  stream.state.average, None, max_iterations=1)
            # the pass draws from a copy, so that a pass that fails draws nothing
            random_state = copy.deepcopy(stream.random_state)
            state = assembly.stream_pass(
                stream.state, batch_size=self.batch_size, random_state=random_state
            )
            task(1, state.average)
        self._stream = stream._replace(state=state, random_state=random_state)
        self._set_coefficients(objective, classes, state.average)
        self.n_iter_ = np.array([state.n_passes], dtype=np.int32)
        self.loss_curve_ = _curve(state.loss_curve)
        self.converged_ = bool(state.optimality <= assembly.attainable_tol(self.tol))
        task.end()  # the callbacks see the updated model
        return self

    @contextmanager
    def _stream_data(self, X, y, classes, fitted_classes, sample_weight, penalty, first):
        """J on a chunk of a stream (in memory, or on its device)."""
        X, y, sample_weight, on_device = self._validated(X, y, sample_weight, reset=first)
        classes, codes = encode_stream_labels(y, classes, fitted_classes)
        weights, weight_scale = sample_weights(self.class_weight, classes, codes, sample_weight)
        with nullcontext() if on_device else RowThreads.for_data(X, self.n_jobs) as threads:
            penalty = _elastic_net(penalty, len(codes), weights, weight_scale, numpy_dtype(X))
            objective = self._objective_maker(on_device, threads)(
                X, codes, weights, len(classes), penalty
            )
            yield _TrainingData(objective, classes, None, X, codes)

    def _hold_out(self, X, codes, weights, classes, random_state, objective_of):
        """The rows to fit on, and a monitor of the log-loss of the held-out rest.

        Without early stopping, all the rows and no monitor.  ``objective_of``
        builds J as ``objective_of(X, codes, weights, n_classes, penalty)``.
        """
        if not self.early_stopping:
            return X, codes, weights, None
        fit_rows, validation_rows = hold_out_rows(
            codes, weights, classes, self.validation_fraction, random_state
        )

        def take(rows):
            return _take_rows(X, rows), codes[rows], None if weights is None else weights[rows]

        validation = objective_of(*take(validation_rows), len(classes), ElasticNet(0.0, 0.0))
        monitor = ValidationMonitor(validation, self.tol, self.n_iter_no_change)
        return (*take(fit_rows), monitor)

    def _fit_task(self, objective, classes, X, y, codes, sample_weight, start, validation,
                  max_iterations):
        """The callbacks' view of the fit, begun at ``start``.

        They see the rows fitted on (without the held-out ones), and the
        caller's sample weights as LogisticRegression passes them.
        """
        if validation is not None:
            y, sample_weight = classes[codes], None
        task = FitTask(
            self, X, y,
            None if sample_weight is None else {"sample_weight": sample_weight},
            lambda params: {**_coefficients(objective, params), "classes_": classes},
            max_iterations=max_iterations,
        )
        task.begin(start)
        return task

    def _unpack(self, objective, classes, result, validation):
        """The fitted attributes of a fit's result (the best iterate with early stopping)."""
        best = result.x if validation is None else validation.best_params
        self._set_coefficients(objective, classes, best)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.loss_curve_ = _curve(result.loss_curve)
        self.validation_loss_curve_ = None if validation is None else _curve(validation.curve)
        self.converged_ = result.converged
        self.__dict__.pop("_stream", None)  # partial_fit starts afresh from this model

    def _set_coefficients(self, objective, classes, params):
        """``classes_``, ``coef_`` and ``intercept_`` of the model at ``params``."""
        self.classes_ = classes
        fitted = _coefficients(objective, params)
        self.coef_, self.intercept_ = fitted["coef_"], fitted["intercept_"]

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
        if self.coef_.shape[1] != objective.n_features:
            raise ValueError(
                "warm_start=True needs the same features as the previous fit: it had "
                f"{self.coef_.shape[1]} features, the new data has {objective.n_features}. "
                "Set warm_start=False to start afresh."
            )
        coef = _as_numpy(self.coef_)  # a fit on a device left it there
        start[:, : objective.n_features] = coef.toarray() if sp.issparse(coef) else coef
        if objective.fit_intercept:
            start[:, objective.n_features] = _as_numpy(self.intercept_)
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
            For a binary problem, the score of ``classes_[1]``.  For dask
            X, a dask array, computed lazily block by block (as are the
            other predictions).
        """
        self._check_namespace(X, "decision_function")
        check_is_fitted(self)
        if _array_api_input(X):  # in X's namespace, on its device, where coef_ is
            from ._array_api import array_namespace, decision_function

            xp = array_namespace(X)
            X = validate_data(self, X, dtype=[xp.float64, xp.float32], reset=False)
            return decision_function(
                X, xp.astype(self.coef_, X.dtype), xp.astype(self.intercept_, X.dtype)
            )
        if is_dask_collection(X):  # lazily, block by block, where the rows are
            from ._dask import decision_function, feature_view

            validate_data(self, feature_view(X), skip_check_array=True, reset=False)
            return decision_function(X, self.coef_, self.intercept_)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )
        return raw_predictions(X, *(_as_numpy(a) for a in (self.coef_, self.intercept_)))

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
        self._check_namespace(X, "predict_proba")
        scores = self.decision_function(X)
        if _array_api_input(scores):
            from ._array_api import predict_proba

            return predict_proba(scores, len(self.classes_))
        return _of_scores(scores, make_loss(len(self.classes_)).predict_proba,
                          n_columns=len(self.classes_))

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
        self._check_namespace(X, "predict_log_proba")
        scores = self.decision_function(X)
        if _array_api_input(scores):
            from ._array_api import predict_log_proba

            return predict_log_proba(scores, len(self.classes_))
        return _of_scores(scores, make_loss(len(self.classes_)).predict_log_proba,
                          n_columns=len(self.classes_))

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
        self._check_namespace(X, "predict")
        scores = self.decision_function(X)
        classes = self.classes_
        if _array_api_input(scores):
            from ._array_api import predict

            return predict(scores, classes)

        def labels(scores):
            indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
            return classes[indices]

        return _of_scores(scores, labels, dtype=classes.dtype)

    def _check_namespace(self, X, method):
        """With array-API dispatch on, X must be where the fitted coefficients are."""
        check_is_fitted(self)
        if get_config()["array_api_dispatch"] and not is_dask_collection(X):
            from ._array_api import check_same_namespace

            check_same_namespace(X, self.coef_, f"{type(self).__name__}.{method}")

    def sparsify(self):
        """Store ``coef_`` as a scipy CSR matrix, as LogisticRegression does.

        Worth it when most coefficients are zero (e.g. after an L1 penalty):
        prediction then costs in proportion to the non-zeros.
        :meth:`densify` undoes it; a new fit stores a dense ``coef_``.

        Returns
        -------
        self : GDLogisticRegression
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before sparsifying.")
        self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self):
        """Store ``coef_`` as a numpy array again (the default after a fit).

        Returns
        -------
        self : GDLogisticRegression
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before densifying.")
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    def __sklearn_is_fitted__(self):
        # a fit that raised (e.g. on divergence) may have set n_features_in_ only
        return hasattr(self, "coef_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags


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


def _of_scores(scores, function, n_columns=None, dtype=None):
    """``function(scores)``; for dask scores, lazily, block by block.

    For dask, the result's ``n_columns`` (None: one-dimensional) and ``dtype``
    (None: the scores').
    """
    if not is_dask_collection(scores):
        return function(scores)
    from ._dask import map_rows

    return map_rows(scores, function, scores.dtype if dtype is None else dtype, n_columns)


def _curve(values):
    """A recorded curve as plain floats (solvers may record numpy scalars)."""
    return [float(value) for value in values]


def _array_api_input(X):
    """Whether X is to be computed in its own array-API namespace: not numpy, with dispatch on."""
    if not get_config()["array_api_dispatch"] or isinstance(X, np.ndarray) or sp.issparse(X):
        return False
    from ._array_api import is_other_namespace

    return is_other_namespace(X)


def _as_numpy(array):
    """``array`` as numpy (fitted attributes of a fit on another namespace)."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return array
    from ._array_api import to_numpy

    return to_numpy(array)


def _take_rows(X, rows):
    """The rows (numpy indices) of X, where X is."""
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return X[rows]
    from ._array_api import take_rows

    return take_rows(X, rows)


def _elastic_net(penalty, n_samples, weights, weight_scale, dtype):
    """The penalty ``(C, l1_ratio)`` of J on rows of these weights (None: unit weights)."""
    C, l1_ratio = penalty
    total = n_samples if weights is None else float(weights.sum())
    return ElasticNet(penalty_strength(C, total, weight_scale, dtype), l1_ratio)


def _coefficients(objective, params):
    """``coef_`` and ``intercept_`` of the parameters ``params`` of ``objective``."""
    coef, intercept = objective.split(params)
    return {
        "coef_": np.array(coef),
        "intercept_": (
            np.array(intercept) if intercept is not None
            else np.zeros(coef.shape[0], objective.dtype)
        ),
    }


def _stream_random_state(random_state):
    """The stream's own RandomState: seeded by an int, drawn from numpy's global one for None.

    The stream keeps it and draws each pass's row order from a copy, so a pass
    that fails draws nothing; a RandomState instance given is copied.
    """
    if random_state is None:
        return np.random.RandomState(np.random.randint(np.iinfo(np.int32).max))
    return copy.deepcopy(check_random_state(random_state))
