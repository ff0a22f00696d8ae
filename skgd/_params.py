"""Validation of GDLogisticRegression's hyper-parameters.

scikit-learn's own validation framework lives in a private module, so skgd
checks its few parameters here, with messages in scikit-learn's phrasing
(``The 'C' parameter of GDLogisticRegression must be ... Got ... instead.``).
"""

import numbers

import numpy as np


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _fail(estimator, name, requirement):
    value = getattr(estimator, name)
    raise ValueError(
        f"The {name!r} parameter of {type(estimator).__name__} must be "
        f"{requirement}. Got {value!r} instead."
    )


def validate_params(estimator, solvers):
    """Raise ValueError naming the first invalid hyper-parameter of ``estimator``.

    Parameters
    ----------
    estimator : GDLogisticRegression
    solvers : iterable of str
        The valid solver names.
    """
    C = estimator.C
    if not (_is_real(C) and C > 0 and not np.isnan(C)):
        _fail(estimator, "C", "a float in the range (0.0, inf]")
    l1_ratio = estimator.l1_ratio
    if not (_is_real(l1_ratio) and 0 <= l1_ratio <= 1):
        _fail(estimator, "l1_ratio", "a float in the range [0.0, 1.0]")
    if not isinstance(estimator.fit_intercept, (bool, np.bool_)):
        _fail(estimator, "fit_intercept", "an instance of 'bool'")
    class_weight = estimator.class_weight
    if not (class_weight is None or class_weight == "balanced" or isinstance(class_weight, dict)):
        _fail(estimator, "class_weight", "a dict, 'balanced' or None")
    if estimator.solver not in solvers:
        _fail(estimator, "solver", f"a str among {sorted(solvers)}")
    rate = estimator.learning_rate
    if not (rate == "auto" if isinstance(rate, str) else _is_real(rate) and 0 < rate < np.inf):
        _fail(estimator, "learning_rate", "'auto' or a float in the range (0.0, inf)")
    if not (_is_int(estimator.max_iter) and estimator.max_iter >= 1):
        _fail(estimator, "max_iter", "an int in the range [1, inf)")
    tol = estimator.tol
    if not (_is_real(tol) and 0 <= tol < np.inf):
        _fail(estimator, "tol", "a float in the range [0.0, inf)")
    if not (_is_int(estimator.batch_size) and estimator.batch_size >= 1):
        _fail(estimator, "batch_size", "an int in the range [1, inf)")
    if not isinstance(estimator.early_stopping, (bool, np.bool_)):
        _fail(estimator, "early_stopping", "an instance of 'bool'")
    fraction = estimator.validation_fraction
    if not (_is_real(fraction) and 0 < fraction < 1):
        _fail(estimator, "validation_fraction", "a float in the range (0.0, 1.0)")
    if not (_is_int(estimator.n_iter_no_change) and estimator.n_iter_no_change >= 1):
        _fail(estimator, "n_iter_no_change", "an int in the range [1, inf)")
    if not (_is_int(estimator.verbose) and estimator.verbose >= 0):
        _fail(estimator, "verbose", "an int in the range [0, inf)")
