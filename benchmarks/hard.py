"""Hard problems for the suite: generated, each modelled on a kind of real data.

Gradient descent is fast where a problem is well conditioned; these are the
kinds of real data where it is not (measured on public data sets of each
kind, none downloaded here):

- ``rare-binary``: one-hot encoded categorical variables whose levels' frequencies
  follow a power law (from a handful of rows to three quarters of them), 3%
  positives;
- ``tfidf-20``: tf-idf rows over a power-law vocabulary, 20 topics, many more
  terms than documents;
- ``letters-26``: 26 classes in 16 dense features;
- ``images-10``: 28 x 28 "images" of 10 classes (standardised by the suite),
  many of whose pixels (the border) are almost always 0;
- ``collinear``: a dense problem whose features are mostly linear
  combinations of a few (make_classification's redundant features).
"""

import numpy as np
import scipy.sparse as sp
from scipy.ndimage import gaussian_filter
from sklearn.datasets import make_classification
from sklearn.preprocessing import normalize

# (rows, columns) per mode
RARE_BINARY = {"full": (40_000, 300), "quick": (10_000, 300), "smoke": (1_000, 100)}
TFIDF = {"full": (11_000, 60_000), "quick": (3_000, 20_000), "smoke": (400, 2_000)}
LETTERS = {"full": 20_000, "quick": 5_000, "smoke": 1_000}
IMAGES = {"full": 4_000, "quick": 2_000, "smoke": 400}
COLLINEAR = {"full": 50_000, "quick": 10_000, "smoke": 1_000}


def rare_binary(mode, rng, n_variables=10):
    """One-hot categorical variables with power-law level frequencies; 3% positives.

    Each variable's levels are a block of 0/1 columns with exactly one 1 per
    row, so every block adds up to the intercept's column: the collinearity
    that makes one-hot data hard for gradient descent.
    """
    n_rows, n_columns = RARE_BINARY[mode]
    levels = n_columns // n_variables
    frequency = 1.0 / np.arange(1, levels + 1) ** 2.5  # from 75% of rows to 0.015%
    frequency /= frequency.sum()
    columns = np.stack(
        [block * levels + rng.choice(levels, size=n_rows, p=frequency)
         for block in range(n_variables)], axis=1,
    )
    rows = np.repeat(np.arange(n_rows), n_variables)
    X = sp.csr_matrix((np.ones(rows.size), (rows, columns.ravel())),
                      shape=(n_rows, n_variables * levels))
    truth = rng.normal(scale=2.0, size=X.shape[1])
    score = X @ truth + rng.logistic(size=n_rows)
    y = (score > np.quantile(score, 0.97)).astype(int)
    return X, y


def tfidf(mode, rng, n_classes=20, words_per_document=100):
    """L2-normalised tf-idf rows: power-law vocabulary, a topic per class."""
    n_rows, n_columns = TFIDF[mode]
    popularity = 1.0 / np.arange(1, n_columns + 1) ** 1.05
    y = rng.randint(n_classes, size=n_rows)
    # each topic boosts its own few hundred words
    topic_words = [rng.choice(n_columns, size=300, replace=False) for _ in range(n_classes)]
    rows, columns = [], []
    for topic in range(n_classes):
        p = popularity.copy()
        p[topic_words[topic]] *= 20
        p /= p.sum()
        members = np.flatnonzero(y == topic)
        drawn = rng.choice(n_columns, size=(len(members), words_per_document), p=p)
        rows.append(np.repeat(members, words_per_document))
        columns.append(drawn.ravel())
    rows, columns = np.concatenate(rows), np.concatenate(columns)
    counts = sp.csr_matrix((np.ones(rows.size), (rows, columns)), shape=(n_rows, n_columns))
    counts.sum_duplicates()
    document_frequency = np.bincount(counts.indices, minlength=n_columns)
    idf = np.log((1 + n_rows) / (1 + document_frequency)) + 1
    X = counts.multiply(idf).tocsr()
    X.data = np.log1p(X.data)
    return normalize(X), y


def letters(mode, rng):
    """26 classes in 16 dense features."""
    return make_classification(
        LETTERS[mode], 16, n_informative=12, n_redundant=2, n_classes=26,
        n_clusters_per_class=1, class_sep=1.5, random_state=rng,
    )


def images(mode, rng, side=28, n_classes=10):
    """Blurred class templates with noise; the border pixels are almost always 0."""
    n_rows = IMAGES[mode]
    templates = []
    for _ in range(n_classes):
        canvas = np.zeros((side, side))
        strokes = rng.randint(6, side - 6, size=(40, 2))
        canvas[strokes[:, 0], strokes[:, 1]] = 1.0
        templates.append(gaussian_filter(canvas, 1.5))
    y = rng.randint(n_classes, size=n_rows)
    shifts = rng.randint(-2, 3, size=(n_rows, 2))
    X = np.empty((n_rows, side * side))
    for i in range(n_rows):
        image = np.roll(templates[y[i]], tuple(shifts[i]), axis=(0, 1))
        image = image * rng.uniform(0.7, 1.3) + 0.05 * rng.normal(size=image.shape)
        X[i] = np.clip(image, 0, None).ravel()
    X[X < 0.02] = 0.0  # paper is white: most border pixels are exactly 0
    return X, y


def collinear(mode, rng):
    """100 features, 80 of them linear combinations of 10 informative ones."""
    return make_classification(
        COLLINEAR[mode], 100, n_informative=10, n_redundant=80, flip_y=0.05,
        random_state=rng,
    )
