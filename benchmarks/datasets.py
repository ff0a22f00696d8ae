"""The benchmark problems: generated or shipped with scikit-learn, fixed seeds.

Each problem is split once into a training and a held-out part (80/20,
stratified).  Sizes depend on the mode: "full" (the suite), "quick" (a tenth
of the rows, for a run of a few minutes) and "smoke" (seconds, for CI).
"""

from dataclasses import dataclass

import hard
import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 0
# rows of the large problems per mode
LARGE_ROWS = {"full": 300_000, "quick": 30_000, "smoke": 2_000}
SPARSE_ROWS = {"full": 40_000, "quick": 10_000, "smoke": 1_000}
UNSCALED_ROWS = {"full": 20_000, "quick": 5_000, "smoke": 500}
SPARSE_COLUMNS = {"full": 20_000, "quick": 10_000, "smoke": 1_000}


@dataclass
class Problem:
    """A training/held-out split with a name and a one-line description.

    ``hard`` marks the ill-conditioned problems of benchmarks/hard.py.
    """

    name: str
    description: str
    X_train: object
    X_test: object
    y_train: np.ndarray
    y_test: np.ndarray
    hard: bool = False


def _split(name, description, X, y, scale, hard=False):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=SEED
    )
    if scale:  # fitted on the training part only, as in a Pipeline
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return Problem(name, description, X_train, X_test, y_train, y_test, hard)


def _sparse_text_like(n_rows, n_columns, nnz_per_row, rng):
    """CSR counts with Zipf-like column frequencies, as bag-of-words data."""
    popularity = 1.0 / np.arange(1, n_columns + 1) ** 0.8
    popularity /= popularity.sum()
    columns = rng.choice(n_columns, size=(n_rows, nnz_per_row), p=popularity)
    rows = np.repeat(np.arange(n_rows), nnz_per_row)
    X = sp.csr_matrix(
        (np.ones(rows.size), (rows, columns.ravel())), shape=(n_rows, n_columns)
    )
    X.sum_duplicates()
    X.data = np.log1p(X.data)  # sublinear term frequencies
    truth = rng.normal(size=n_columns) * (rng.uniform(size=n_columns) < 0.1)
    score = X @ truth
    y = (score + 0.5 * rng.normal(size=n_rows) > np.median(score)).astype(int)
    return X, y


def load_problems(mode):
    """All problems of the suite for ``mode`` in {"full", "quick", "smoke"}."""
    rng = np.random.RandomState(SEED)
    problems = []
    X, y = load_breast_cancer(return_X_y=True)
    problems.append(_split("breast-cancer", "569 x 30, binary (scaled)", X, y, scale=True))
    X, y = load_digits(return_X_y=True)
    problems.append(_split("digits", "1797 x 64, 10 classes (scaled)", X, y, scale=True))

    n = LARGE_ROWS[mode]
    X, y = make_classification(
        n, 80, n_informative=40, flip_y=0.05, class_sep=0.8, random_state=SEED
    )
    dense = _split("dense-binary", f"{n} x 80, binary (scaled)", X, y, scale=True)
    problems.append(dense)
    problems.append(
        Problem(
            "dense-float32",
            f"{n} x 80, binary, float32 (scaled)",
            dense.X_train.astype(np.float32),
            dense.X_test.astype(np.float32),
            dense.y_train,
            dense.y_test,
        )
    )
    X, y = make_classification(
        n // 2, 60, n_informative=30, n_classes=5, flip_y=0.05, random_state=SEED
    )
    problems.append(
        _split("dense-multinomial", f"{n // 2} x 60, 5 classes (scaled)", X, y, scale=True)
    )

    n_sparse, n_columns = SPARSE_ROWS[mode], SPARSE_COLUMNS[mode]
    X, y = _sparse_text_like(n_sparse, n_columns, 40, rng)
    problems.append(
        _split("sparse-text", f"{n_sparse} x {n_columns} CSR, ~40 nnz/row, binary", X, y,
               scale=False)
    )

    n_unscaled = UNSCALED_ROWS[mode]
    X, y = make_classification(n_unscaled, 30, n_informative=15, flip_y=0.05, random_state=SEED)
    X *= np.logspace(-3, 6, 30)  # feature scales from 1e-3 to 1e6
    problems.append(
        _split("unscaled", f"{n_unscaled} x 30, scales 1e-3..1e6 (not scaled)", X, y, scale=False)
    )
    return problems + hard_problems(mode)


def hard_problems(mode):
    """The ill-conditioned problems of benchmarks/hard.py, split and scaled."""
    rng = np.random.RandomState(SEED)
    problems = []
    for name, generate, scale, kind in [
        ("rare-binary", hard.rare_binary, False, "one-hot CSR, 3% positives"),
        ("tfidf-20", hard.tfidf, False, "tf-idf CSR, 20 classes"),
        ("letters-26", hard.letters, True, "26 classes (scaled)"),
        ("images-10", hard.images, True, "10 classes, near-constant pixels (scaled)"),
        ("collinear", hard.collinear, True, "binary, 80 redundant features (scaled)"),
    ]:
        X, y = generate(mode, rng)
        description = f"{X.shape[0]} x {X.shape[1]}, {kind}"
        problems.append(_split(name, description, X, y, scale=scale, hard=True))
    return problems
