"""Scale on sparse data: sgd and partial_fit passes at few and many columns, a fit's memory.

At an equal number of stored entries, a pass of skgd's sgd or partial_fit
should cost about the same whether X has a thousand columns or a million
(lazy passes pay for the entries a mini-batch touches, not for every column),
and a fit should allocate no copy of X, whatever the order of X's indices.
"""

import time

import numpy as np
import scipy.sparse as sp
from measure import fit_quietly, peak_fit_memory
from sklearn.linear_model import SGDClassifier

from skgd import GDLogisticRegression

# rows of the sparse problems, and stored entries per row
ROWS = {"full": 1_000_000, "quick": 100_000, "smoke": 5_000}
ENTRIES_PER_ROW = 10
COLUMNS = (1_000, 1_000_000)


def sparse_problem(n_rows, n_columns, seed=0):
    """Binary labels from a linear model on random sparse rows, ENTRIES_PER_ROW each."""
    rng = np.random.RandomState(seed)
    columns = rng.randint(0, n_columns, n_rows * ENTRIES_PER_ROW)
    indptr = np.arange(0, n_rows * ENTRIES_PER_ROW + 1, ENTRIES_PER_ROW)
    X = sp.csr_matrix((rng.uniform(0.5, 1.5, len(columns)), columns, indptr),
                      shape=(n_rows, n_columns))
    X.sum_duplicates()
    weights = rng.normal(size=n_columns)
    y = (X @ weights + rng.logistic(size=n_rows) > 0).astype(int)
    return X, y


def shuffled_indices(X, seed=0):
    """X with every row's entries stored in a random order (not canonical)."""
    rng = np.random.RandomState(seed)
    row_of_entry = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    order = np.lexsort((rng.uniform(size=X.nnz), row_of_entry))
    shuffled = sp.csr_matrix((X.data[order], X.indices[order], X.indptr.copy()), shape=X.shape)
    shuffled.has_sorted_indices = False
    return shuffled


def nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def epoch_seconds(make_model, X, y, repeat):
    """Seconds of one epoch: (a 3-epoch fit - a 1-epoch fit) / 2, the smallest of ``repeat``."""
    def fit(epochs):
        start = time.perf_counter()
        fit_quietly(make_model(epochs), X, y)
        return time.perf_counter() - start

    return min((fit(3) - fit(1)) / 2 for _ in range(repeat))


def partial_fit_seconds(X, y, repeat):
    """Seconds of a partial_fit call on all of X after a first one, the least of ``repeat``."""
    model = GDLogisticRegression(random_state=0).partial_fit(X, y, classes=[0, 1])
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        model.partial_fit(X, y)
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def run_scale(mode, repeat):
    """Rows for the sparse-scale table."""
    rows = []
    for n_columns in COLUMNS:
        X, y = sparse_problem(ROWS[mode], n_columns)
        skgd_epoch = epoch_seconds(
            lambda epochs: GDLogisticRegression(
                solver="sgd", max_iter=epochs, tol=0, random_state=0
            ),
            X, y, repeat,
        )
        sgd_epoch = epoch_seconds(
            lambda epochs, n_rows=X.shape[0]: SGDClassifier(
                loss="log_loss", alpha=1 / n_rows, max_iter=epochs, tol=None, random_state=0
            ),
            X, y, repeat,
        )
        streamed = partial_fit_seconds(X, y, repeat)
        memory = {
            order: peak_fit_memory(GDLogisticRegression(max_iter=20), data, y) / nbytes(data)
            for order, data in [("sorted", X), ("unsorted", shuffled_indices(X))]
        }
        rows.append({"rows": X.shape[0], "columns": n_columns, "entries": X.nnz, "skgd": skgd_epoch,
                     "partial_fit": streamed, "SGDClassifier": sgd_epoch, **memory})
    return rows


def format_scale(rows):
    lines = [
        "| sparse CSR, 10 entries per row | columns | stored entries | skgd sgd s per epoch | "
        "skgd partial_fit s per pass | SGDClassifier s per epoch | "
        "skgd gd peak mem / X, sorted indices | unsorted |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['rows']} rows | {row['columns']} | {row['entries']} | "
            f"{row['skgd']:.3f} | {row['partial_fit']:.3f} | {row['SGDClassifier']:.3f} | "
            f"{row['sorted']:.1%} | "
            f"{row['unsorted']:.1%} |"
        )
    few, many = rows[0], rows[-1]
    skgd, streamed, sgd = (
        many[name] / few[name] for name in ("skgd", "partial_fit", "SGDClassifier")
    )
    lines.append(
        f"| epoch ratio, {many['columns']} over {few['columns']} columns | | | "
        f"{skgd:.2f} | {streamed:.2f} | {sgd:.2f} | | |"
    )
    return "\n".join(lines)
