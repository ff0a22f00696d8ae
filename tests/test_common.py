"""scikit-learn's estimator checks, over the configurations users rely on."""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgd import GDLogisticRegression

# With C=inf the optimum on the checks' tiny separable data lies at infinity,
# so no solver can make two fits agree to 1e-7 there: LogisticRegression's
# own solvers fail these checks in that configuration for the same reason.
_UNBOUNDED_OPTIMUM = {
    name: "without a penalty the optimum on separable toy data lies at infinity"
    for name in (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    )
}

CONFIGURATIONS = [
    GDLogisticRegression(),
    GDLogisticRegression(solver="agd"),
    GDLogisticRegression(l1_ratio=0.5),
    GDLogisticRegression(solver="agd", l1_ratio=0.5),
    GDLogisticRegression(l1_ratio=1.0),
    GDLogisticRegression(solver="agd", l1_ratio=1.0),
    GDLogisticRegression(C=np.inf),
    GDLogisticRegression(solver="agd", C=np.inf),
]


def _expected_failures(estimator):
    return _UNBOUNDED_OPTIMUM if np.isinf(estimator.C) else {}


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
