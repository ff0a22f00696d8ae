"""
Tumour diagnosis: logistic regression by gradient descent on the breast-cancer data
===================================================================================

A Pipeline scales the 30 measurements of each tumour and fits
GDLogisticRegression; cross-validation scores it, a new patient gets a
probability of malignancy, and the cost curve shows gradient descent at work.

Run: ``python examples/tumour_diagnosis.py`` (a few seconds); writes
``tumour_cost_curve.png`` to ``--out`` (default: build/examples).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skgd import GDLogisticRegression, LossCurveDisplay  # noqa: E402

# figures go to the ignored build/ folder; --out examples/figures refreshes those shown
# in the README
# sphinx-gallery runs the examples from their folder, without __file__
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
FIGURES = HERE.parent / "build" / "examples"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=FIGURES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    data = load_breast_cancer()
    X_train, X_new, y_train, y_new = train_test_split(
        data.data, data.target, test_size=1, random_state=0
    )
    model = make_pipeline(StandardScaler(), GDLogisticRegression())
    scores = cross_val_score(model, X_train, y_train, cv=5)
    print(f"5-fold accuracy: {scores.mean():.3f} +/- {scores.std():.3f}")

    model.fit(X_train, y_train)
    gd = model[-1]
    print(f"gradient descent: {gd.n_iter_[0]} iterations, converged: {gd.converged_}, "
          f"J from {gd.loss_curve_[0]:.4f} to {gd.loss_curve_[-1]:.4f}")
    # classes_ is [0, 1] = [malignant, benign]
    malignant = model.predict_proba(X_new)[0, 0]
    truth = data.target_names[y_new[0]]
    print(f"new patient: probability of a malignant tumour {malignant:.3f} (truth: {truth})")

    fig, ax = plt.subplots(figsize=(6, 4))
    LossCurveDisplay.from_estimator(model, ax=ax, name="GDLogisticRegression", marker=".")
    ax.set_title("Breast cancer: the cost J falls with every iteration")
    fig.tight_layout()
    path = args.out / "tumour_cost_curve.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
    return scores.mean(), malignant


if __name__ == "__main__":
    main()
