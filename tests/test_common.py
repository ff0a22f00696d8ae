"""scikit-learn's estimator checks, over the configurations users rely on.

Every check passes in every configuration without early stopping: the
sample-weight equivalence checks included (sgd's variance reduction lands on
the optimum, whatever its row order), also with C=inf, where the optimum
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
    GDLogisticRegression(solver="sgd", random_state=0),
    GDLogisticRegression(solver="sgd", l1_ratio=0.5, random_state=0),
    GDLogisticRegression(early_stopping=True, random_state=0),
    GDLogisticRegression(solver="sgd", early_stopping=True, random_state=0),
]

# Early stopping holds out rows: a repeated row may land on both sides of the
# split, where a weight of 2 puts it on one, so the models differ by design.
HELD_OUT_ROWS = "early stopping fits on a random part of the rows, which weights do not repeat"


def expected_failures(estimator):
    if not estimator.early_stopping:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": HELD_OUT_ROWS,
        "check_sample_weight_equivalence_on_sparse_data": HELD_OUT_ROWS,
    }


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
