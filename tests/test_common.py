"""scikit-learn's estimator checks, over the configurations users rely on.

Every check passes for gd and agd: the sample-weight equivalence checks
included, also with C=inf, where the optimum on the checks' separable toy
data lies at infinity and two fits can only agree by following the same
path (gd caps its Barzilai-Borwein steps, so rounding is not amplified along
it).  sgd and early stopping fail those two checks by design (see below).
"""

import numpy as np
import pytest
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
# sgd's mini-batches are random rows: repeated rows and weights take different
# paths, which agree to the stopping tolerance, not to the check's 1e-7.
RANDOM_PATH = (
    "sgd draws random mini-batches, so weighted and repeated rows follow different "
    "paths that agree to tol (1e-4 by default), not to the check's rtol=1e-7"
)
WEIGHT_CHECKS = [
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
]


def expected_failures(estimator):
    if estimator.early_stopping:
        return dict.fromkeys(WEIGHT_CHECKS, HELD_OUT_ROWS)
    if estimator.solver == "sgd":
        return dict.fromkeys(WEIGHT_CHECKS, RANDOM_PATH)
    return {}


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    keywords = str(getattr(check, "keywords", ""))
    if "cuda" in keywords and not _cuda_available():
        pytest.skip("no usable CUDA device (torch may be built with CUDA but lack a driver)")
    check(estimator)


def _cuda_available():
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()
