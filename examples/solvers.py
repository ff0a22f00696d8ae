"""
gd, agd and sgd against LogisticRegression's lbfgs, on one objective J
======================================================================

Each skgd solver is fitted at its defaults; its cost curve is drawn as
J - J* (J* from a tight fit) against iterations (epochs for sgd), next to
the J that scikit-learn's default LogisticRegression() ends at.

Run: ``python examples/solvers.py`` (about 10 s); writes ``solvers.png`` to
``--out`` (default: build/examples).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skgd import GDLogisticRegression, LossCurveDisplay  # noqa: E402

# figures go to the ignored build/ folder; --out examples/figures refreshes those shown
# in the README
# sphinx-gallery runs the examples from their folder, without __file__
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
FIGURES = HERE.parent / "build" / "examples"


def objective(model, X, y):
    """J at C=1: mean log-loss plus the L2 penalty over n."""
    z = X @ model.coef_[0] + model.intercept_[0]
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(model.coef_**2) / len(y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=FIGURES)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    X, y = make_classification(args.rows, 40, n_informative=20, flip_y=0.05, random_state=0)
    X = StandardScaler().fit_transform(X)
    j_star = objective(LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y), X, y)
    started = time.perf_counter()
    lbfgs = LogisticRegression().fit(X, y)
    print(f"LogisticRegression(): {time.perf_counter() - started:.2f} s, "
          f"J - J* = {objective(lbfgs, X, y) - j_star:.1e}")

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    gaps = {}
    for solver in ["gd", "agd", "sgd"]:
        started = time.perf_counter()
        model = GDLogisticRegression(solver=solver, random_state=0).fit(X, y)
        seconds = time.perf_counter() - started
        gaps[solver] = objective(model, X, y) - j_star
        unit = "epochs" if solver == "sgd" else "iterations"
        print(f"{solver}: {seconds:.2f} s, {model.n_iter_[0]} {unit}, J - J* = {gaps[solver]:.1e}")
        LossCurveDisplay.from_estimator(model, ax=ax, name=f"{solver} ({seconds:.2f} s)",
                                        log_gap=True, minimum=j_star - 1e-15, marker=".")
    ax.axhline(objective(lbfgs, X, y) - j_star, color="gray", linestyle=":",
               label="LogisticRegression() final J")
    ax.legend()
    ax.set_xlabel("iteration (epoch for sgd)")
    ax.set_ylabel("J - J*")
    ax.set_title(f"{args.rows} x 40, binary: skgd's solvers at their defaults")
    fig.tight_layout()
    path = args.out / "solvers.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
    return gaps


if __name__ == "__main__":
    main()
