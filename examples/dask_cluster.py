"""
Fit on a dask cluster: the data stay on the workers, the model is the in-memory one
===================================================================================

A local cluster of two worker processes stands in for a real one (to use
one, pass its scheduler's address: ``--scheduler tcp://host:8786``).  Each
worker generates its row chunks of a binary problem and keeps them; skgd
builds one objective per chunk where it lives, sums their losses and
gradients on this process every iteration, and runs gradient descent here.
The fitted coefficients are those of the same fit in memory, and prediction
stays lazy, chunk by chunk on the workers.

Run: ``pip install -e ".[dask]"`` then ``python examples/dask_cluster.py``
(a few seconds; ``--rows`` sets the size).
"""

import argparse
import time

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

from skgd import GDLogisticRegression


def make_data(n_rows, n_features, n_chunks, seed=0):
    """dask arrays X, y whose chunks are generated where they are computed."""
    rows = n_rows // n_chunks
    truth = np.random.RandomState(seed).randn(n_features)

    def chunk(index):
        rng = np.random.RandomState([seed, index])
        X = rng.randn(rows, n_features)
        return X, (X @ truth + rng.logistic(size=rows) > 0).astype(np.int64)

    chunks = [dask.delayed(chunk)(i) for i in range(n_chunks)]
    X = da.concatenate([da.from_delayed(c[0], (rows, n_features), np.float64) for c in chunks])
    y = da.concatenate([da.from_delayed(c[1], (rows,), np.int64) for c in chunks])
    return X, y


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--scheduler", help="address of a running cluster's scheduler")
    args = parser.parse_args(argv)

    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    try:
        X, y = client.persist(make_data(args.rows, args.features, args.chunks))
        start = time.perf_counter()
        model = GDLogisticRegression().fit(X, y)
        seconds = time.perf_counter() - start
        print(f"fit on {X.shape[0]} x {X.shape[1]} in {X.numblocks[0]} chunks on "
              f"{len(client.scheduler_info()['workers'])} workers: {seconds:.2f} s, "
              f"{model.n_iter_[0]} iterations, J = {model.loss_curve_[-1]:.6f}")

        X_local, y_local = client.compute([X, y], sync=True)
        local = GDLogisticRegression().fit(X_local, y_local)
        difference = float(np.max(np.abs(model.coef_ - local.coef_)))
        print(f"in memory: {local.n_iter_[0]} iterations; largest coefficient "
              f"difference {difference:.1e}")

        accuracy = float((model.predict(X) == y).mean().compute())  # lazy until here
        print(f"training accuracy, computed on the workers: {accuracy:.4f}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return difference, accuracy


if __name__ == "__main__":
    main()
