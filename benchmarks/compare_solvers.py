"""Which solver should be GDLogisticRegression's default?  gd against agd.

Fits both solvers at their defaults, gd at LogisticRegression's tol=1e-4, and
LogisticRegression() for scale, on small and medium problems, repeated,
interleaved, and prints the median fit time, the spread, the iterations,
whether the fit converged and the final J.
This is the measurement behind the default ``solver="gd"`` in README.md.

Usage: python benchmarks/compare_solvers.py [--repeat N]
"""

import argparse
import platform
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skgd import GDLogisticRegression


def datasets():
    """(name, X, y) with fixed seeds; dense data standardised, sparse left as is."""
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast cancer 569x30", StandardScaler().fit_transform(X), y
    X, y = load_digits(return_X_y=True)
    yield "digits 1797x64, 10 classes", StandardScaler().fit_transform(X), y
    X, y = make_classification(50000, 50, n_informative=25, flip_y=0.05, random_state=0)
    yield "dense 50000x50", StandardScaler().fit_transform(X), y
    X, y = make_classification(
        50000, 50, n_informative=25, n_classes=5, flip_y=0.05, random_state=0
    )
    yield "dense 50000x50, 5 classes", StandardScaler().fit_transform(X), y
    rng = np.random.RandomState(0)
    X = sp.random(20000, 5000, density=0.005, format="csr", random_state=rng)
    y = (X @ rng.normal(size=5000) + 0.1 * rng.normal(size=20000) > 0).astype(int)
    yield "sparse 20000x5000", X, y


def time_fit(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, repeat={args.repeat}"
    )
    print("| data | model | median s (min-max) | iterations | converged | final J |")
    print("|---|---|---|---|---|---|")
    models = {
        "gd": lambda: GDLogisticRegression(solver="gd"),
        "agd": lambda: GDLogisticRegression(solver="agd"),
        # lbfgs's own tolerance: what the default tol=1e-12 costs
        "gd, tol=1e-4": lambda: GDLogisticRegression(solver="gd", tol=1e-4),
        "LogisticRegression()": lambda: LogisticRegression(),
    }
    for name, X, y in datasets():
        times = {key: [] for key in models}
        fitted = {}
        for _ in range(args.repeat):
            for key, make in models.items():
                fitted[key] = make()
                times[key].append(time_fit(fitted[key], X, y))
        for key, model in fitted.items():
            ours = hasattr(model, "loss_curve_")
            final = f"{model.loss_curve_[-1]:.10f}" if ours else "-"
            converged = str(model.converged_) if ours else "-"
            spread = f"{np.median(times[key]):.3f} ({min(times[key]):.3f}-{max(times[key]):.3f})"
            print(f"| {name} | {key} | {spread} | {model.n_iter_[0]} | {converged} | {final} |")


if __name__ == "__main__":
    main()
