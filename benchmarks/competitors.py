"""The competitors, and the objective J every one of them is judged on.

All fit the same objective, scikit-learn's default LogisticRegression one:
C=1, L2 penalty, an intercept (see skgd/_objective.py).  SGDClassifier's
``alpha`` is matched to it: ``alpha = 1 / (C n)``.  For more than two classes
SGDClassifier fits one-vs-rest; its coefficients are judged on the same
multinomial J, which is what they would be used for here.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import LabelEncoder

from skgd import GDLogisticRegression
from skgd._objective import LogisticObjective
from skgd._penalties import ElasticNet

C = 1.0
REFERENCE = "LogisticRegression()"


def recommended_solver(problem):
    """scikit-learn's advice for an L2 penalty: newton-cholesky when
    n_samples >> n_features on dense data, saga for large sparse data."""
    if sp.issparse(problem.X_train):
        return "saga"
    n_samples, n_features = problem.X_train.shape
    return "newton-cholesky" if n_samples >= 10 * n_features else None


def competitors(problem):
    """{name: factory(max_iter=None) -> unfitted estimator} for ``problem``."""
    n_samples = problem.X_train.shape[0]

    def make(cls, **fixed):
        def factory(max_iter=None):
            extra = {} if max_iter is None else {"max_iter": max_iter}
            return cls(**fixed, **extra)

        return factory

    models = {
        "skgd gd": make(GDLogisticRegression, C=C, solver="gd"),
        "skgd agd": make(GDLogisticRegression, C=C, solver="agd"),
        "skgd sgd": make(GDLogisticRegression, C=C, solver="sgd", random_state=0),
        # the default tol=1e-6 ends as close to J* as lbfgs's default; this is
        # what fitting J* tightly costs
        "skgd gd tol=1e-8": make(GDLogisticRegression, C=C, solver="gd", tol=1e-8),
        REFERENCE: make(LogisticRegression, C=C),
    }
    solver = recommended_solver(problem)
    if solver is not None:
        models[f"LogisticRegression({solver})"] = make(LogisticRegression, C=C, solver=solver)
    if problem.hard and solver != "saga":  # the stochastic solver to beat
        models["LogisticRegression(saga)"] = make(LogisticRegression, C=C, solver="saga")
    models["SGDClassifier(log_loss)"] = make(
        SGDClassifier, loss="log_loss", alpha=1.0 / (C * n_samples), random_state=0
    )
    return models


def objective_of(problem, native=False):
    """The objective J on the training part of ``problem``.

    In float64, where competitors are compared; in the data's own dtype with
    ``native=True``, where skgd's kernel is timed.
    """
    X = problem.X_train if native else problem.X_train.astype(np.float64, copy=False)
    codes = LabelEncoder().fit_transform(problem.y_train)
    n_classes = int(codes.max()) + 1
    weights = np.ones(problem.X_train.shape[0])
    penalty = ElasticNet(1.0 / (C * weights.sum()), 0.0)
    return LogisticObjective(X, codes, weights, n_classes, True, penalty)


def J(objective, model):
    """J at a fitted model's ``coef_`` and ``intercept_``."""
    params = np.hstack([model.coef_, np.reshape(model.intercept_, (-1, 1))])
    return objective.value(params.astype(np.float64))
