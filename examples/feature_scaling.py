"""
Why feature scaling matters to gradient descent
===============================================

The breast-cancer measurements range from 0 to about 4000.  Classic
gradient descent with a fixed learning rate must take steps small enough for
the largest feature, and then crawls along the others; after StandardScaler
one rate suits every feature.  ``learning_rate="auto"`` scales the features
itself, by a change of variables, so it converges either way.

Run: ``python examples/feature_scaling.py`` (a few seconds); writes
``feature_scaling.png`` to ``--out`` (default: build/examples).
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skgd import GDLogisticRegression, LossCurveDisplay  # noqa: E402

# figures go to the ignored build/ folder; --out examples/figures refreshes those shown
# in the README
# sphinx-gallery runs the examples from their folder, without __file__
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
FIGURES = HERE.parent / "build" / "examples"
MAX_ITER = 4000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=FIGURES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    X, y = load_breast_cancer(return_X_y=True)
    print(f"feature ranges: {X.min(axis=0).min():.3g} to {X.max(axis=0).max():.3g}")
    models = {
        # on the raw features J already rises at some iterations with alpha=1e-5
        "raw, alpha=5e-6": GDLogisticRegression(learning_rate=5e-6, max_iter=MAX_ITER),
        "StandardScaler, alpha=1": make_pipeline(
            StandardScaler(), GDLogisticRegression(learning_rate=1.0, max_iter=MAX_ITER)
        ),
        "raw, auto": GDLogisticRegression(max_iter=MAX_ITER),
    }
    # J* of the features as given (a Pipeline's J is that of the scaled ones)
    j_star = {}
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    iterations = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        scaled = hasattr(model, "steps")
        key = "scaled" if scaled else "raw"
        if key not in j_star:
            data = StandardScaler().fit_transform(X) if scaled else X
            j_star[key] = GDLogisticRegression(tol=1e-10, max_iter=100_000).fit(
                data, y).loss_curve_[-1]
        LossCurveDisplay.from_estimator(model, ax=ax, name=name, log_gap=True,
                                        minimum=j_star[key] - 1e-12)
        final = model[-1] if scaled else model
        iterations[name] = (final.n_iter_[0], final.converged_)
        print(f"{name}: {final.n_iter_[0]} iterations, converged: {final.converged_}, "
              f"J - J* = {final.loss_curve_[-1] - j_star[key]:.2e}")
    ax.set_ylabel("J - J*")
    ax.set_title("Breast cancer: gradient descent with and without feature scaling")
    fig.tight_layout()
    path = args.out / "feature_scaling.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
    return iterations


if __name__ == "__main__":
    main()
