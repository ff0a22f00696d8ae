"""skgd on a dask.distributed cluster against skgd in memory and dask-ml, in one command.

    python benchmarks/cluster.py            # 1e6 x 50 (about 10 minutes on 2 cores)
    python benchmarks/cluster.py --quick    # 1e5 x 50, the same fits (about a minute)
    python benchmarks/cluster.py --smoke    # seconds: CI runs it so it cannot rot

A LocalCluster of two single-threaded worker processes generates standardised
binary data chunk by chunk (X ~ N(0, 1), labels from a logistic model), so
the client never holds X; the in-memory fits get a copy.  It reports each
fit's wall time (median and min-max over repeats, skgd's fits interleaved),
its ratio to skgd's in-memory default fit, the iterations and the gap of the
objective to its optimum, per row: skgd's J (scikit-learn's objective, C=1)
for skgd, and dask-ml's own objective for dask-ml, which penalises the
intercept (``sum_i loss_i + ||(w, b)||^2 / (2 C)``, divided by n here); each
optimum comes from a tight newton-cholesky solve in memory.  Then the time
of one loss-and-gradient evaluation on the cluster and in memory, and the
client's peak traced memory during a dask fit as a share of X's bytes,
measured on a second cluster whose scheduler runs in a process of its own
(in a LocalCluster the scheduler shares the client's process).  dask-ml is
optional (``pip install -e ".[bench]"``); without it its rows say so.
Output: the table on stdout and in build/benchmarks/cluster-<mode>.md
(``--record``: benchmarks/results/, the recorded results).
"""

import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, wait
from scipy.special import log_expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skgd import GDLogisticRegression
from skgd._objective import LogisticObjective, penalty_strength
from skgd._penalties import ElasticNet

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import commit, machine_line, mode_and_folder, write_report  # noqa: E402

SIZES = {"full": (1_000_000, 50, 10), "quick": (100_000, 50, 10), "smoke": (20_000, 10, 4)}
REPEATS = {"full": 3, "quick": 3, "smoke": 1}
C = 1.0


def make_data(client, n_rows, n_features, n_chunks, seed=0):
    """Persisted dask arrays X, y, generated on the workers chunk by chunk."""
    rows = n_rows // n_chunks
    truth = np.random.RandomState(seed).randn(n_features) / np.sqrt(n_features) * 3

    def chunk(index):
        rng = np.random.RandomState([seed, index])
        X = rng.randn(rows, n_features)
        y = (X @ truth + rng.logistic(size=rows) > 0).astype(np.int64)
        return X, y

    parts = [dask.delayed(chunk)(i) for i in range(n_chunks)]
    X = da.concatenate([da.from_delayed(p[0], (rows, n_features), np.float64) for p in parts])
    y = da.concatenate([da.from_delayed(p[1], (rows,), np.int64) for p in parts])
    X, y = client.persist([X, y])
    wait([X, y])
    return X, y


def quietly(function):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function()


def timed(function):
    start = time.perf_counter()
    result = quietly(function)
    return time.perf_counter() - start, result


def skgd_gap(X, y, model, optimum):
    """J at the model minus J*, both skgd's J (mean log-loss + ||w||^2 / (2 C n))."""
    return _skgd_J(X, y, model.coef_[0], model.intercept_[0]) - optimum


def _skgd_J(X, y, coef, intercept):
    z = X @ coef + intercept
    return float(np.mean(-log_expit(np.where(y == 1, z, -z))) + coef @ coef / (2 * C * len(y)))


def dask_ml_J(X, y, beta):
    """dask-ml's objective per row: (sum_i loss_i + ||beta||^2 / (2 C)) / n, intercept in beta."""
    z = X @ beta[:-1] + beta[-1]
    return float(np.mean(-log_expit(np.where(y == 1, z, -z))) + beta @ beta / (2 * C * len(y)))


def optima(X, y):
    """J* of skgd's objective and of dask-ml's, from tight newton-cholesky solves."""
    tight = dict(solver="newton-cholesky", tol=1e-12, max_iter=100)
    skgd_model = LogisticRegression(C=C, **tight).fit(X, y)
    ones = np.ones((len(y), 1))
    penalised = LogisticRegression(C=C, fit_intercept=False, **tight).fit(np.hstack([X, ones]), y)
    return (_skgd_J(X, y, skgd_model.coef_[0], skgd_model.intercept_[0]),
            dask_ml_J(X, y, penalised.coef_[0]))


def skgd_rows(X_dask, y_dask, X, y, optimum, repeats):
    """skgd gd and agd, in memory and on the cluster, interleaved."""
    def fitted(solver, data):
        return GDLogisticRegression(C=C, solver=solver).fit(*data)

    fits = {
        (solver, where): (lambda s=solver, data=data: fitted(s, data))
        for solver in ["gd", "agd"]
        for where, data in [("in memory", (X, y)), ("dask", (X_dask, y_dask))]
    }
    times = {key: [] for key in fits}
    models = {}
    quietly(fits["gd", "dask"])  # a warm cluster: workers' imports done
    for _ in range(repeats):
        for key, fit in fits.items():
            seconds, models[key] = timed(fit)
            times[key].append(seconds)
    return [
        dict(fit=f"skgd {solver}", where=where, times=times[solver, where],
             n_iter=int(models[solver, where].n_iter_[0]),
             gap=skgd_gap(X, y, models[solver, where], optimum))
        for solver, where in fits
    ]


def dask_ml_rows(X_dask, y_dask, X, y, optimum):
    """dask-ml's LogisticRegression with lbfgs and with its default solver, admm."""
    try:
        from dask_ml.linear_model import LogisticRegression as DaskMLLogisticRegression
    except ImportError:
        return [dict(fit="dask-ml", where="not installed", times=[], n_iter=None, gap=None)]
    rows = []
    for solver in ["lbfgs", "admm"]:
        model = DaskMLLogisticRegression(C=C, solver=solver)
        seconds, _ = timed(lambda m=model: m.fit(X_dask, y_dask))
        beta = np.append(np.ravel(model.coef_), model.intercept_)
        name = "dask-ml lbfgs" if solver == "lbfgs" else "dask-ml admm (its default)"
        rows.append(dict(fit=name, where="dask", times=[seconds], n_iter=None,
                         gap=dask_ml_J(X, y, beta) - optimum))
    return rows


def evaluation_times(X_dask, y_dask, X, y, repeats):
    """Seconds of one loss-and-gradient evaluation on the cluster and in memory (medians)."""
    from skgd._dask import distributed_objective

    objective, _ = distributed_objective(
        X_dask, y_dask, None, classes=None, class_weight=None, fit_intercept=True, C=C,
        l1_ratio=0.0,
    )
    local = LogisticObjective(
        X, y, None, 2, True, ElasticNet(penalty_strength(C, len(y), 1.0, X.dtype), 0.0)
    )
    params = np.zeros(objective.shape)
    times = {"dask": [], "in memory (one thread)": []}
    try:
        for _ in range(5 * repeats):
            times["dask"].append(timed(lambda: objective.smooth_value_and_gradient(params))[0])
            times["in memory (one thread)"].append(
                timed(lambda: local.smooth_value_and_gradient(params))[0])
    finally:
        objective.partitions.release()
    return {where: float(np.median(seconds)) for where, seconds in times.items()}


def client_memory(n_rows, n_features, n_chunks):
    """Peak bytes the client allocates during a dask gd fit, and X's bytes.

    On a cluster whose scheduler has a process of its own, so that what is
    traced is the client's alone.
    """
    from distributed.deploy.subprocess import SubprocessCluster

    cluster = SubprocessCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        X, y = make_data(client, n_rows, n_features, n_chunks)
        quietly(lambda: GDLogisticRegression().fit(X, y))  # the workers' imports
        tracemalloc.start()
        try:
            quietly(lambda: GDLogisticRegression().fit(X, y))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak, X.nbytes


def format_report(rows, evaluations, memory, shape):
    reference = np.median(next(r["times"] for r in rows
                               if r["fit"] == "skgd gd" and r["where"] == "in memory"))
    lines = [
        f"Problem: {shape[0]} x {shape[1]} standardised binary, {shape[2]} row chunks; "
        "LocalCluster(n_workers=2, threads_per_worker=1, processes=True), warm.",
        "",
        "| fit | where | seconds (median) | min-max | ratio to skgd gd in memory "
        "| iterations | J - J* (own objective, per row) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        times = row["times"]
        if not times:
            lines.append(f"| {row['fit']} | {row['where']} | - | - | - | - | - |")
            continue
        median = float(np.median(times))
        lines.append(
            f"| {row['fit']} | {row['where']} | {median:.3g} | {min(times):.3g}-{max(times):.3g} "
            f"| {median / reference:.2f} | {row['n_iter'] if row['n_iter'] else '-'} "
            f"| {row['gap']:.1e} |"
        )
    lines += [
        "",
        "| one loss-and-gradient evaluation | seconds (median) |",
        "|---|---|",
        *(f"| {where} | {seconds:.3g} |" for where, seconds in evaluations.items()),
        "",
        f"Client memory during a dask gd fit: peak {memory[0] / 2**20:.2f} MiB traced, "
        f"{100 * memory[0] / memory[1]:.2f}% of X's {memory[1] / 2**20:.0f} MiB.",
    ]
    return "\n".join(lines)


def main(argv=None):
    mode, out = mode_and_folder(argv, __doc__.splitlines()[0], "1e5 rows")
    start, checkout, machine = time.perf_counter(), commit(), machine_line()
    print(f"# mode={mode}: {machine}", flush=True)
    shape = SIZES[mode]
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    with cluster, Client(cluster) as client:
        X_dask, y_dask = make_data(client, *shape)
        X, y = client.compute([X_dask, y_dask], sync=True)
        skgd_optimum, dask_ml_optimum = optima(X, y)
        rows = skgd_rows(X_dask, y_dask, X, y, skgd_optimum, REPEATS[mode])
        rows += dask_ml_rows(X_dask, y_dask, X, y, dask_ml_optimum)
        evaluations = evaluation_times(X_dask, y_dask, X, y, REPEATS[mode])
    memory = client_memory(*shape)
    report = format_report(rows, evaluations, memory, shape)
    write_report(out / f"cluster-{mode}.md", report, machine, start, checkout)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ConvergenceWarning)
    main()
