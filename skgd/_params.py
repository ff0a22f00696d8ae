"""Validation of GDLogisticRegression's hyper-parameters.

scikit-learn's own validation framework lives in a private module, so skgd
checks its few parameters here, with messages in scikit-learn's phrasing
(``The 'C' parameter of GDLogisticRegression must be ... Got ... instead.``)
and scikit-learn's error class, so that code catching it keeps working.
"""

import math
import numbers

import numpy as np

from ._messages import warn

try:  # a ValueError and a TypeError, as scikit-learn's estimators raise
    from sklearn.utils._param_validation import InvalidParameterError
except ImportError:  # pragma: no cover - the module is private

    class InvalidParameterError(ValueError, TypeError):
        """A hyper-parameter of the wrong type or outside its range."""

# LogisticRegression's solvers, refused with advice on which of skgd's to use
LOGISTIC_REGRESSION_SOLVERS = {
    "lbfgs": "gd",
    "newton-cg": "gd",
    "newton-cholesky": "gd",
    "liblinear": "gd",
    "sag": "sgd",
    "saga": "sgd",
}
PENALTIES = ("l1", "l2", "elasticnet")


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _fail(estimator, name, requirement):
    value = getattr(estimator, name)
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be "
        f"{requirement}. Got {value!r} instead."
    )


def validate_params(estimator, solvers):
    """Raise InvalidParameterError naming the first invalid hyper-parameter of ``estimator``.

    Parameters
    ----------
    estimator : GDLogisticRegression
    solvers : iterable of str
        The valid solver names.
    """
    penalty = estimator.penalty
    if not (penalty is None or isinstance(penalty, str) and penalty in (*PENALTIES, "deprecated")):
        _fail(estimator, "penalty", f"a str among {sorted(PENALTIES)} or None")
    C = estimator.C
    if not (_is_real(C) and C > 0 and not np.isnan(C)):
        _fail(estimator, "C", "a float in the range (0.0, inf]")
    l1_ratio = estimator.l1_ratio
    if not (l1_ratio is None or _is_real(l1_ratio) and 0 <= l1_ratio <= 1):
        _fail(estimator, "l1_ratio", "a float in the range [0.0, 1.0]")
    if estimator.dual is not False and not (
        isinstance(estimator.dual, np.bool_) and not estimator.dual
    ):
        raise ValueError(
            f"dual={estimator.dual!r} asks for liblinear's dual formulation; gradient "
            "descent solves the primal problem, whose minimiser is the same model. "
            "Leave dual=False."
        )
    if not _is_bool(estimator.fit_intercept):
        _fail(estimator, "fit_intercept", "an instance of 'bool'")
    if not _is_bool(estimator.warm_start):
        _fail(estimator, "warm_start", "an instance of 'bool'")
    if not (_is_real(estimator.intercept_scaling) and estimator.intercept_scaling == 1):
        raise ValueError(
            f"intercept_scaling={estimator.intercept_scaling!r} is liblinear's way to "
            "lessen the penalty on its intercept; skgd never penalises the intercept, "
            "so it has no use here. Leave intercept_scaling=1."
        )
    class_weight = estimator.class_weight
    if not (class_weight is None or isinstance(class_weight, dict)
            or isinstance(class_weight, str) and class_weight == "balanced"):
        _fail(estimator, "class_weight", "a dict, 'balanced' or None")
    solver = estimator.solver
    if isinstance(solver, str) and solver in LOGISTIC_REGRESSION_SOLVERS:
        raise ValueError(
            f"solver={solver!r} is one of LogisticRegression's solvers. "
            f"GDLogisticRegression's are {sorted(solvers)}: use "
            f"solver={LOGISTIC_REGRESSION_SOLVERS[solver]!r} (gd is the default; sgd takes "
            "mini-batches, as sag and saga do), which fits the same model."
        )
    if solver not in solvers:
        _fail(estimator, "solver", f"a str among {sorted(solvers)}")
    rate = estimator.learning_rate
    if not (rate == "auto" if isinstance(rate, str) else _is_real(rate) and 0 < rate < np.inf):
        _fail(estimator, "learning_rate", "'auto' or a float in the range (0.0, inf)")
    if not (_is_int(estimator.max_iter) and estimator.max_iter >= 0):
        _fail(estimator, "max_iter", "an int in the range [0, inf)")
    tol = estimator.tol
    if not (_is_real(tol) and 0 <= tol < np.inf):
        _fail(estimator, "tol", "a float in the range [0.0, inf)")
    if not (_is_int(estimator.batch_size) and estimator.batch_size >= 1):
        _fail(estimator, "batch_size", "an int in the range [1, inf)")
    if not _is_bool(estimator.early_stopping):
        _fail(estimator, "early_stopping", "an instance of 'bool'")
    fraction = estimator.validation_fraction
    if not (_is_real(fraction) and 0 < fraction < 1):
        _fail(estimator, "validation_fraction", "a float in the range (0.0, 1.0)")
    if not (_is_int(estimator.n_iter_no_change) and estimator.n_iter_no_change >= 1):
        _fail(estimator, "n_iter_no_change", "an int in the range [1, inf)")
    if not (_is_bool(estimator.verbose) or _is_int(estimator.verbose) and estimator.verbose >= 0):
        _fail(estimator, "verbose", "an int in the range [0, inf) or a bool")
    if not (estimator.n_jobs is None or _is_int(estimator.n_jobs) and estimator.n_jobs != 0):
        _fail(estimator, "n_jobs", "None or an int other than 0")


def penalty_parameters(estimator):
    """The ``(C, l1_ratio)`` a fit uses, with LogisticRegression's warnings.

    ``penalty`` (deprecated in scikit-learn 1.8) overrides them as it does
    in LogisticRegression: "l2" is ``l1_ratio=0``, "l1" is ``l1_ratio=1``,
    "elasticnet" keeps ``l1_ratio``, None is ``C=inf``; ``l1_ratio=None``
    means 0.  The messages are scikit-learn's, so that code filtering them
    keeps working.
    """
    penalty, C, l1_ratio = estimator.penalty, estimator.C, estimator.l1_ratio
    if penalty == "deprecated":
        if l1_ratio is None:
            warn(
                "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                "in 1.10. Use 0<=l1_ratio<=1 instead.",
                FutureWarning,
            )
            return C, 0.0
        return C, l1_ratio
    warn(
        "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
        "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or "
        "'C' instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
        "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
        "penalty='elasticnet', and C=np.inf instead of penalty=None.",
        FutureWarning,
    )
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warn(
            f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})"
        )
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warn(
            f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}. penalty is "
            "deprecated. Please use l1_ratio only."
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if penalty is None:
        if C != 1.0:
            warn("Setting penalty=None will ignore the C and l1_ratio parameters")
        return math.inf, 0.0
    return C, {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)
