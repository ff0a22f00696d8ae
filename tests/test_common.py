"""scikit-learn's estimator checks, over the configurations users rely on.

Every check passes in every configuration, with no expected failures: the
sample-weight equivalence checks included, also with C=inf, where the optimum
on the checks' separable toy data lies at infinity and two fits can only
agree by following the same path (gd caps its Barzilai-Borwein steps, so
rounding is not amplified along it).
"""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgd import GDLogisticRegression

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


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
