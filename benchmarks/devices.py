"""skgd on an array library's device against numpy and scikit-learn's array-API lbfgs.

    python benchmarks/run.py --device cpu            # torch on the CPU
    python benchmarks/run.py --device cuda           # torch on an NVIDIA GPU
    python benchmarks/run.py --device cupy           # cupy on its GPU

On the suite's large dense problems (benchmarks/datasets.py; ``--quick`` for
the smaller ones), each fit is timed on the same arrays (median of the
repeats, interleaved; min-max beside it): skgd's default fit on numpy and on
the device (with scikit-learn's ``array_api_dispatch``), and
LogisticRegression() (lbfgs) the same two ways.  Each row also gives J - J*
of the fitted model (J* from a tight lbfgs solve in numpy, float64).  A fit
on the device includes bringing its coefficients to the host once, which is
what a GPU's asynchronous work has to wait for before it can be timed.
Needs torch (or cupy) and the array-api extra: ``pip install -e ".[bench,array-api]"``
and the array library.
Output: the table on stdout and in build/benchmarks/device-<device>-<mode>.md
(``--record``: benchmarks/results/, the recorded results).
"""

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path

# scikit-learn's array-API dispatch needs scipy's, which scipy reads when first
# imported: run.py --device runs this file in a process of its own with it set
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
from sklearn import clone, config_context  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skgd import GDLogisticRegression  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from competitors import J, objective_of  # noqa: E402
from datasets import load_problems  # noqa: E402
from run import REPEATS, commit, machine_line, mode_and_folder, write_report  # noqa: E402

PROBLEMS = ["dense-binary", "dense-float32", "dense-multinomial"]


def array_library(device):
    """``(namespace, device)`` for ``--device``: "cupy", or a torch device ("cpu", "cuda")."""
    if device == "cupy":
        import cupy

        return cupy, None
    import torch

    return torch, torch.device(device)


def to_numpy(array):
    from skgd._array_api import to_numpy

    return to_numpy(array)


def run_devices(problems, device, repeats):
    """Rows of the device table for the large dense problems."""
    xp, where = array_library(device)
    rows = []
    for problem in (p for p in problems if p.name in PROBLEMS):
        X, y = problem.X_train, problem.y_train
        X_device = xp.asarray(X, device=where) if where is not None else xp.asarray(X)
        y_device = xp.asarray(y, device=where) if where is not None else xp.asarray(y)
        objective = objective_of(problem)
        optimum = J(objective, LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y))
        fits = {}
        for name, make in [("skgd gd (default)", GDLogisticRegression),
                           ("LogisticRegression()", LogisticRegression)]:
            fits[name, "numpy"] = partial(_in_memory, make(), X, y)
            fits[name, device] = partial(_on_device, make(), X_device, y_device)
        for fit in fits.values():  # warm: the library's kernels loaded and compiled
            fit()
        seconds = {key: [] for key in fits}
        models = {}
        for _ in range(repeats):
            for key, fit in fits.items():
                start = time.perf_counter()
                models[key] = fit()
                seconds[key].append(time.perf_counter() - start)
        reference = np.median(seconds["skgd gd (default)", "numpy"])
        for (name, on), times in seconds.items():
            model = models[name, on]
            rows.append(dict(
                problem=problem.name, fit=name, on=on, median=float(np.median(times)),
                low=min(times), high=max(times), ratio=float(np.median(times)) / reference,
                gap=J(objective, _numpy_coefficients(model)) - optimum,
            ))
    return rows


def _in_memory(model, X, y):
    return clone(model).fit(X, y)


def _on_device(model, X, y):
    """Fit with dispatch on; the coefficients brought to the host end the timing."""
    model = clone(model)
    with config_context(array_api_dispatch=True):
        model.fit(X, y)
    model.coef_host_ = to_numpy(model.coef_)
    return model


class _Coefficients:
    """What J needs of a model: its coefficients and intercepts as numpy."""

    def __init__(self, coef, intercept):
        self.coef_, self.intercept_ = coef, intercept


def _numpy_coefficients(model):
    coef = getattr(model, "coef_host_", None)
    if coef is None:
        return model
    return _Coefficients(coef, to_numpy(model.intercept_))


def format_devices(rows):
    """The device table, in markdown."""
    lines = [
        "| problem | fit | on | seconds (median) | min-max | ratio to skgd on numpy "
        "| J - J* |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['problem']} | {row['fit']} | {row['on']} | {row['median']:.3g} "
            f"| {row['low']:.3g}-{row['high']:.3g} | {row['ratio']:.2f} | {row['gap']:.1e} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--device", required=True)
    known, rest = parser.parse_known_args(argv)
    mode, out = mode_and_folder(rest, __doc__.splitlines()[0], "the smaller problems")
    start, checkout, machine = time.perf_counter(), commit(), machine_line()
    print(f"# mode={mode}, device={known.device}: {machine}", flush=True)
    rows = run_devices(load_problems(mode), known.device, REPEATS[mode] + 2)
    table = format_devices(rows)
    write_report(out / f"device-{known.device}-{mode}.md", table, machine, start, checkout)


if __name__ == "__main__":
    main()
