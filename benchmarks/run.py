"""skgd against scikit-learn's solvers, side by side, in one command.

    python benchmarks/run.py            # the full suite (about 20 minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller problems, one repeat (about 4 minutes)
    python benchmarks/run.py --smoke    # seconds: CI runs it so the suite cannot rot
    python benchmarks/run.py --device cpu   # skgd on torch's device (cpu, cuda; or cupy)

For every problem (benchmarks/datasets.py) and competitor
(benchmarks/competitors.py), all on the same objective J, it reports the fit
wall time (median and min-max over repeats, competitors interleaved), its
ratio to LogisticRegression()'s, the iterations, the gap of J to the optimum
J* (J* from a tight lbfgs solve, or any competitor that got lower), the
largest distance of a coefficient or intercept from those of the lowest J
fitted (the tight solve's, or a competitor's that got lower), the time
to reach the J that LogisticRegression() reaches by default, held-out
accuracy and log-loss, and the peak memory a fit allocates beyond its input.
Per problem it also times one skgd loss-and-gradient evaluation against one
streaming pass over X (``X.sum()``), and it times skgd's default fit on the
dense binary data in float64 and in float32, interleaved, and (benchmarks/scale.py)
an sgd epoch and a gd fit's memory on sparse data with a thousand and a
million columns.  Output: a table on stdout, the same in
build/benchmarks/<mode>.md, and one plot of J - J* against time per problem
(``--record`` writes them to benchmarks/results/ instead: the recorded
results that the README and the documentation show).
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from threadpoolctl import threadpool_info

from skgd import GDLogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from competitors import REFERENCE, J, competitors, objective_of  # noqa: E402
from datasets import load_problems  # noqa: E402
from measure import (  # noqa: E402
    fit_quietly,
    interleaved_medians,
    peak_fit_memory,
    time_to_reach,
    timed_fit,
    trace,
)
from scale import format_scale, run_scale  # noqa: E402

REPEATS = {"full": 3, "quick": 1, "smoke": 1}
TRACE_LIMIT = {"full": 1024, "quick": 256, "smoke": 8}
# the recorded results, which the README and the documentation show
RESULTS = Path(__file__).resolve().parent / "results"
# where a run writes by default: ignored by git, so runs never dirty the checkout
OUTPUT = Path(__file__).resolve().parents[1] / "build" / "benchmarks"


def machine_line():
    """CPU, cores, BLAS and its threads, library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    blas = sorted(
        {f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)"
         for lib in threadpool_info() if lib["user_api"] == "blas"}
    )
    return (
        f"{cpu}, {os.cpu_count()} cores; BLAS: {', '.join(blas)}; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}; {datetime.date.today().isoformat()}"
    )


def commit():
    """The checkout's commit, marked "-dirty" if it has changes, or "unknown"."""
    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=Path(__file__).parent,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def optimum(problem, objective):
    """J* and the parameters (coefficients, then intercepts) of a tight lbfgs solve."""
    model = LogisticRegression(tol=1e-10, max_iter=10_000)
    model = fit_quietly(model, problem.X_train, problem.y_train)
    return J(objective, model), parameters(model)


def parameters(model):
    """A fitted model's coefficients and intercepts side by side, as float64."""
    coef = model.coef_.toarray() if hasattr(model.coef_, "toarray") else model.coef_
    return np.hstack([coef, np.reshape(model.intercept_, (-1, 1))]).astype(np.float64)


def kernel_costs(problem):
    """Seconds of one skgd loss-and-gradient evaluation and of one X.sum(), interleaved."""
    objective = objective_of(problem, native=True)
    params = np.zeros(objective.shape, dtype=objective.dtype)
    medians = interleaved_medians(
        {
            "evaluation": lambda: objective.smooth_value_and_gradient(params),
            "streaming": lambda: problem.X_train.sum(),
        },
        repeat=15,
    )
    return medians["evaluation"], medians["streaming"]


def float32_speedup(problems, mode):
    """skgd gd's fit seconds on the dense binary data in float64 and float32, interleaved."""
    by_name = {problem.name: problem for problem in problems}
    data = {dtype: by_name[name] for dtype, name in
            [("float64", "dense-binary"), ("float32", "dense-float32")]}
    fits = {
        dtype: (lambda p=problem: fit_quietly(GDLogisticRegression(), p.X_train, p.y_train))
        for dtype, problem in data.items()
    }
    return interleaved_medians(fits, repeat=REPEATS[mode] + 2)


def run_problem(problem, mode):
    """Rows of the table for one problem, and the traces for its plot."""
    objective = objective_of(problem)
    factories = competitors(problem)
    X, y = problem.X_train, problem.y_train

    # The memory fits come first and double as warm-up: first-call costs are
    # not the fit's.
    memory = {name: peak_fit_memory(factory(), X, y) for name, factory in factories.items()}
    times = {name: [] for name in factories}
    fitted = {}
    for _ in range(REPEATS[mode]):
        for name, factory in factories.items():  # interleaved against drift
            seconds, fitted[name] = timed_fit(factory(), X, y)
            times[name].append(seconds)

    values = {name: J(objective, model) for name, model in fitted.items()}
    traces = {
        name: trace(factory, X, y, objective, J, TRACE_LIMIT[mode])
        for name, factory in factories.items()
    }
    tight, tight_parameters = optimum(problem, objective)
    best = min([tight, *values.values()]
               + [value for points in traces.values() for _, value in points])
    # w*: the parameters of the lowest J at hand (the tight solve's, unless a
    # competitor got lower: lbfgs can stall on unscaled data)
    _, optimal_parameters = min(
        [(tight, tight_parameters)]
        + [(values[name], parameters(model)) for name, model in fitted.items()],
        key=lambda candidate: candidate[0],
    )
    target = values[REFERENCE]
    reference_time = np.median(times[REFERENCE])
    evaluation, streaming = kernel_costs(problem)

    rows = []
    for name, model in fitted.items():
        proba = model.predict_proba(problem.X_test)
        reached = time_to_reach(traces[name], target, factories[name], X, y, objective, J)
        rows.append({
            "problem": problem.name,
            "model": name,
            "fit s": np.median(times[name]),
            "spread": (min(times[name]), max(times[name])),
            "ratio": np.median(times[name]) / reference_time,
            "iterations": int(np.max(model.n_iter_)),
            "gap": (values[name] - best) / best,
            "distance": float(np.max(np.abs(parameters(model) - optimal_parameters))),
            "to LR J s": reached,
            "accuracy": accuracy_score(problem.y_test, model.predict(problem.X_test)),
            "log-loss": log_loss(problem.y_test, proba, labels=model.classes_),
            "memory": memory[name] / _nbytes(X),
        })
    return rows, traces, best, (evaluation, streaming)


def _nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if hasattr(X, "indptr") else X.nbytes


def format_table(rows, kernels, speedup):
    """The Markdown tables; ratio is fit time over LogisticRegression()'s."""
    header = (
        "| problem | model | fit s (min-max) | ratio | iter | J - J* (rel) | max \\|w - w*\\| | "
        "s to LR()'s J | test acc | test log-loss | peak mem / X |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in rows:
        low, high = row["spread"]
        reached = "-" if row["to LR J s"] is None else f"{row['to LR J s']:.3f}"
        lines.append(
            f"| {row['problem']} | {row['model']} | {row['fit s']:.3f} ({low:.3f}-{high:.3f}) | "
            f"{row['ratio']:.2f} | {row['iterations']} | {row['gap']:.1e} | "
            f"{row['distance']:.1e} | {reached} | "
            f"{row['accuracy']:.4f} | {row['log-loss']:.4f} | {row['memory']:.1%} |"
        )
    lines += ["", "| problem | skgd loss+gradient s | X.sum() s | ratio |", "|---|---|---|---|"]
    for name, (evaluation, streaming) in kernels.items():
        ratio = evaluation / streaming
        lines.append(f"| {name} | {evaluation:.4f} | {streaming:.4f} | {ratio:.2f} |")
    lines += [
        "",
        "| dense binary data, skgd gd | float64 fit s | float32 fit s | speedup |",
        "|---|---|---|---|",
        f"| interleaved fits | {speedup['float64']:.3f} | {speedup['float32']:.3f} | "
        f"{speedup['float64'] / speedup['float32']:.2f} |",
    ]
    return "\n".join(lines)


def plot(problem, traces, best, path):
    """J - J* against wall time, log scale, every competitor on one axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    floor = 1e-16 * abs(best)
    for name, points in traces.items():
        seconds, values = zip(*points, strict=True)
        ax.plot(seconds, np.maximum(np.array(values) - best, floor), marker="o", ms=3, label=name)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yscale("log")
    ax.set_xlabel("fit wall time (s)")
    ax.set_ylabel("J - J*")
    ax.set_title(f"{problem.name}: {problem.description}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(path, table, machine, start, checkout):
    """Print ``table`` with the run's duration and commit; write them and the machine to path."""
    minutes, seconds = divmod(round(time.perf_counter() - start), 60)
    run = f"Run: {minutes} min {seconds} s at commit {checkout}"
    print(f"{table}\n\n{run}")
    path.write_text(f"Machine: {machine}\n{run}\n\n{table}\n")


def mode_and_folder(argv, description, quick_help):
    """The run's mode ("full", "quick" or "smoke") and results folder, from the command line."""
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help=quick_help)
    group.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    folder = parser.add_mutually_exclusive_group()
    folder.add_argument("--out", type=Path, default=OUTPUT,
                        help="results folder (default: build/benchmarks, ignored by git)")
    folder.add_argument("--record", action="store_true",
                        help="write to benchmarks/results: refresh the recorded results")
    args = parser.parse_args(argv)
    out = RESULTS if args.record else args.out
    out.mkdir(parents=True, exist_ok=True)
    return "smoke" if args.smoke else "quick" if args.quick else "full", out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if any(arg.startswith("--device") for arg in argv):  # its own process: see devices.py
        devices = Path(__file__).resolve().parent / "devices.py"
        environment = {**os.environ, "SCIPY_ARRAY_API": "1"}
        sys.exit(subprocess.run([sys.executable, str(devices), *argv], env=environment).returncode)
    mode, out = mode_and_folder(argv, __doc__.splitlines()[0], "a tenth of the rows, one repeat")

    start, checkout = time.perf_counter(), commit()
    machine = machine_line()
    print(f"# mode={mode}: {machine}", flush=True)
    rows, kernels = [], {}
    problems = load_problems(mode)
    for problem in problems:
        problem_rows, traces, best, kernels[problem.name] = run_problem(problem, mode)
        rows += problem_rows
        plot(problem, traces, best, out / f"{mode}-{problem.name}.png")
        print(f"done {problem.name}", file=sys.stderr, flush=True)
    table = format_table(rows, kernels, float32_speedup(problems, mode))
    table += "\n\n" + format_scale(run_scale(mode, REPEATS[mode]))
    print("done sparse scale", file=sys.stderr, flush=True)
    write_report(out / f"{mode}.md", table, machine, start, checkout)


if __name__ == "__main__":
    main()
