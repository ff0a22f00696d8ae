"""
Train on data that never sits in memory: partial_fit over chunks read from disk
===============================================================================

The rows live in a memory-mapped file; each call of ``partial_fit`` reads one
chunk of them.  A few passes over the chunks reach the model that ``fit``
finds with all rows in memory.

Run: ``python examples/stream_from_disk.py`` (about 10 s).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

from skgd import GDLogisticRegression

C = 1.0


def write_dataset(folder, n_rows, n_features):
    """A classification problem saved as .npy files, returned as memory maps."""
    X, y = make_classification(
        n_rows, n_features, n_informative=n_features // 2, flip_y=0.05, random_state=0
    )
    X = X * np.linspace(0.1, 10.0, n_features) + 5.0  # unscaled, as raw data often is
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", y)
    return np.load(folder / "X.npy", mmap_mode="r"), np.load(folder / "y.npy", mmap_mode="r")


def chunks(n_rows, chunk_rows):
    """Row ranges of consecutive chunks."""
    return [slice(start, min(start + chunk_rows, n_rows)) for start in range(0, n_rows, chunk_rows)]


def objective(model, X, y):
    """J of ``model`` on all rows at C: mean log-loss plus the L2 penalty."""
    z = np.asarray(X @ model.coef_[0] + model.intercept_[0])
    loss = np.logaddexp(0.0, z) - y * z
    return loss.mean() + 0.5 * np.sum(model.coef_**2) / (C * len(y))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--passes", type=int, default=8)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        X, y = write_dataset(Path(tmp), args.rows, 20)
        parts = chunks(args.rows, args.chunk_rows)

        # C applies per call: with k chunks of equal size, C * k per chunk is
        # the penalty that fit puts on all rows with C
        stream = GDLogisticRegression(C=C * len(parts), random_state=0)
        started = time.perf_counter()
        for n_pass in range(1, args.passes + 1):
            for rows in parts:  # each chunk is read from disk here, then dropped
                stream.partial_fit(np.asarray(X[rows]), np.asarray(y[rows]), classes=[0, 1])
            print(f"pass {n_pass}: J = {objective(stream, X, y):.6f}")
        stream_seconds = time.perf_counter() - started

        X_memory, y_memory = np.asarray(X), np.asarray(y)
        started = time.perf_counter()
        in_memory = GDLogisticRegression(C=C).fit(X_memory, y_memory)
        memory_seconds = time.perf_counter() - started
        j_star = objective(in_memory, X_memory, y_memory)
        gap = (objective(stream, X_memory, y_memory) - j_star) / j_star
        agreement = np.mean(stream.predict(X_memory) == in_memory.predict(X_memory))

    print(f"in-memory fit: J* = {j_star:.6f} in {memory_seconds:.2f} s")
    print(f"streamed: {args.passes} passes over {len(parts)} chunks in {stream_seconds:.2f} s")
    print(f"relative J gap to the in-memory model: {gap:.1e}")
    print(f"same prediction on {agreement:.2%} of the rows")
    return gap


if __name__ == "__main__":
    main()
