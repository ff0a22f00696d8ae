"""
The learning rate: too small, good, too large, and caught, on one plot
======================================================================

Classic gradient descent, ``w := w - alpha * dJ/dw``, on the standardised
breast-cancer data with fixed learning rates alpha, and with
``learning_rate="auto"``.  Too small crawls; a good one converges; too large
makes J jump around; far too large makes J blow up in one step, which
GDLogisticRegression catches with an error naming the rate.

Run: ``python examples/learning_rates.py`` (a few seconds); writes
``learning_rates.png`` to ``--out`` (default: build/examples).
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skgd import GDLogisticRegression, LossCurveDisplay  # noqa: E402

# figures go to the ignored build/ folder; --out examples/figures refreshes those shown
# in the README
# sphinx-gallery runs the examples from their folder, without __file__
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
FIGURES = HERE.parent / "build" / "examples"
MAX_ITER = 100
RATES = [(0.01, "too small"), (1.0, "good"), (300.0, "too large")]
CAUGHT = 1000.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=FIGURES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    fig, ax = plt.subplots(figsize=(8.4, 4.2))
    finals = {}
    for alpha, label in RATES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = GDLogisticRegression(learning_rate=alpha, max_iter=MAX_ITER).fit(X, y)
        LossCurveDisplay.from_estimator(model, ax=ax, name=f"alpha={alpha:g} ({label})")
        finals[alpha] = model.loss_curve_[-1]
        print(f"alpha={alpha:g}: J after {model.n_iter_[0]} iterations = {finals[alpha]:.4f}")
    auto = GDLogisticRegression().fit(X, y)
    LossCurveDisplay.from_estimator(auto, ax=ax, name="auto (line search)", color="black",
                                    linestyle="--")
    print(f"auto: J = {auto.loss_curve_[-1]:.4f} after {auto.n_iter_[0]} iterations")
    try:
        GDLogisticRegression(learning_rate=CAUGHT).fit(X, y)
        caught = None
    except ValueError as error:
        caught = error
        print(f"alpha={CAUGHT:g}: {error}")
        fig.text(0.01, 0.01, f"alpha={CAUGHT:g}: J blew up at once, caught (ValueError)",
                 fontsize=8)
    ax.set_yscale("log")
    ax.set_title("Fixed learning rates on standardised breast-cancer data")
    # the legend beside the curves, the note under them: neither hides a curve
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = args.out / "learning_rates.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
    return finals, caught


if __name__ == "__main__":
    main()
