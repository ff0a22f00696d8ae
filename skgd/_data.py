"""Input checks of the estimator: labels, sample and class weights, held-out rows.

Labels become integer codes ``0 .. K-1``, indices into the sorted classes;
nothing here sees a parameter of the model.
"""

import math
import sys
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets


def is_dask_collection(value):
    """Whether ``value`` is a dask collection; dask is not imported to find out."""
    dask = sys.modules.get("dask")
    return dask is not None and dask.is_dask_collection(value)


def numpy_dtype(X):
    """X's dtype as numpy's, for arrays of any library (``torch.float32`` -> float32)."""
    return np.dtype(str(X.dtype).rsplit(".", 1)[-1])


def check_labels(y):
    """The sorted classes of classification labels ``y`` (at least two), and their codes."""
    check_classification_targets(y)
    classes, codes = encode_labels(y)
    check_two_classes(classes)
    return classes, codes


def encode_labels(y):
    """The sorted classes and the code (index into them) of every label.

    What LabelEncoder does, with fewer temporaries of the size of ``y``;
    small non-negative integer labels are counted instead of sorted.
    """
    if y.dtype.kind in "iu" and y.min() >= 0 and y.max() <= max(len(y), 1024):
        counts = np.bincount(y.astype(np.intp, copy=False))  # older numpy: no uint64
        present = counts > 0
        codes = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(y.dtype), codes[y]
    classes = np.unique(y)
    return classes, np.searchsorted(classes, y)


def encode_stream_labels(y, classes, fitted_classes):
    """The classes of a partial_fit stream and the code of every label of ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The labels of this call's rows.
    classes : array-like or None
        The ``classes`` argument of this call: required on the stream's first
        call, and then the same or None.
    fitted_classes : ndarray or None
        The stream's classes; None on its first call.
    """
    check_classification_targets(y)
    classes = stream_classes(classes, fitted_classes)
    codes = np.searchsorted(classes, y)
    if np.any(classes[np.minimum(codes, len(classes) - 1)] != y):
        raise ValueError(
            f"y contains labels {np.setdiff1d(y, classes)} not in classes {classes} "
            "given on the first call of partial_fit."
        )
    return classes, codes


def stream_classes(classes, fitted_classes):
    """The classes of a stream: those given on its first call, the same or None after."""
    if classes is None:
        if fitted_classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the stream's "
                "later chunks may hold classes that the first one lacks."
            )
        return fitted_classes
    classes = np.unique(classes)
    if fitted_classes is not None and not np.array_equal(classes, fitted_classes):
        raise ValueError(
            f"classes={classes} differs from the classes {fitted_classes} of the "
            "first call; the classes of a stream cannot change."
        )
    check_two_classes(classes)
    return classes


def check_two_classes(classes):
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}."
        )


def sample_weights(class_weight, classes, codes, sample_weight):
    """Sample weight times class weight per sample, divided by a common scale.

    Returns the weights (None without sample and class weights), at most 1, and the scale
    they were divided by, so that weights of any finite size (1e-320 or
    1e308, whose sum would overflow) give J exactly: J depends on the
    weights only through ``s_i / S`` and the penalty's ``1 / (C S)``.
    """
    weights = check_sample_weight(sample_weight, len(codes))
    top = 1.0
    if weights is not None:
        top = float(weights.max())
        weights = weights / top
    totals = np.bincount(codes, weights=weights, minlength=len(classes))
    weighting = Weighting.of(class_weights(class_weight, classes, totals), top)
    weights = weighting.scaled(codes, weights)
    if weights is not None:
        check_weight_total(weights.sum())
    return weights, weighting.scale


def check_weight_total(total):
    """Raise ValueError unless the rows' total weight ``total`` is positive."""
    if not total > 0:
        raise ValueError(
            "The class weights times the sample weights sum to zero: at least one "
            "sample must carry positive weight."
        )


class Weighting(NamedTuple):
    """How the weights ``s_i`` of the rows are formed, divided by a common scale.

    ``s_i / scale = (sample_weight_i / sample_scale) * of_class[code_i]``,
    each factor at most 1.  Rows held in several parts share one weighting.
    """

    of_class: np.ndarray  # the class weights divided by the largest; None if all 1
    sample_scale: float  # the largest sample weight (1 without sample weights)
    scale: float  # sample_scale times the largest class weight

    @classmethod
    def of(cls, weight_of_class, sample_scale):
        """The weighting of these class weights and the largest sample weight."""
        if np.all(weight_of_class == 1.0):
            return cls(None, sample_scale, sample_scale)
        top = float(weight_of_class.max())
        of_class = weight_of_class / top if top > 0 else weight_of_class
        return cls(of_class, sample_scale, sample_scale * top)  # a product past 1e308: inf

    def scaled(self, codes, scaled_sample_weight):
        """The weights ``s_i / scale`` of rows of these ``codes`` (None: unit weights).

        ``scaled_sample_weight`` is the rows' sample weights divided by
        ``sample_scale``, or None for unit sample weights.
        """
        if self.of_class is None:
            return scaled_sample_weight
        per_sample = self.of_class[codes]
        if scaled_sample_weight is not None:
            per_sample *= scaled_sample_weight
        return per_sample


def check_sample_weight(sample_weight, n_samples, require_positive=True):
    """Validated float64 sample weights, or None for unit weights.

    The caller's array is never modified.  ``require_positive=False`` accepts
    weights that are all zero (those of one part of the rows).
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight)
    if np.iscomplexobj(sample_weight):
        raise ValueError("Complex data not supported: sample_weight must be real.")
    sample_weight = sample_weight.astype(np.float64, copy=False)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, float(sample_weight))
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative; negative weights were given.")
    if require_positive and not np.any(sample_weight > 0):
        raise ValueError("sample_weight sums to zero: at least one weight must be positive.")
    return sample_weight


def class_weights(class_weight, classes, totals):
    """Weight of each class, indexed by code, with LogisticRegression's semantics.

    "balanced" gives class k the weight ``S / (n_classes * S_k)``, where
    ``S_k``, given in ``totals``, is the total sample weight of class k
    (scikit-learn >= 1.7 does the same; its helper lacks ``sample_weight`` in
    1.6, so it is computed here).
    """
    if class_weight == "balanced":
        with np.errstate(divide="ignore"):  # a class of zero total weight: any value works
            balanced = totals.sum() / (len(classes) * totals)
        return np.where(totals > 0, balanced, 1.0)
    # y=classes: only 'balanced' needs the labels, and it is handled above
    weights = np.asarray(compute_class_weight(class_weight, classes=classes, y=classes))
    if np.iscomplexobj(weights) or not np.all(np.isfinite(weights) & (weights >= 0)):
        raise ValueError(
            f"class_weight must map classes to finite non-negative numbers; got {class_weight}."
        )
    return weights.astype(np.float64)


def hold_out_rows(codes, weights, classes, validation_fraction, random_state):
    """The rows to fit on and the rows held out for early stopping, sorted.

    A stratified ``validation_fraction`` of the rows, at least one per class;
    every class must have a row for each part.
    """
    counts = np.bincount(codes, minlength=len(classes))
    if counts.min() < 2:
        rare = int(np.argmin(counts))
        raise ValueError(
            "early_stopping=True needs at least 2 samples of every class, one to fit on "
            f"and one to hold out; class {classes.tolist()[rare]!r} has {counts[rare]}. Use more "
            "data, or early_stopping=False."
        )
    n_validation = max(math.ceil(validation_fraction * len(codes)), len(classes))
    if len(codes) - n_validation < len(classes):
        raise ValueError(
            f"early_stopping=True needs more than {n_validation + len(classes) - 1} samples "
            f"to hold out validation_fraction={validation_fraction} of them and fit on the "
            f"rest (at least one of each class in each part); got {len(codes)}."
        )
    fit_rows, validation_rows = train_test_split(
        np.arange(len(codes)), test_size=n_validation, stratify=codes, random_state=random_state
    )
    fit_rows.sort()  # rows in their original order: X's blocks stay contiguous
    validation_rows.sort()
    for part, rows in [("validation", validation_rows), ("fitted", fit_rows)]:
        if weights is not None and not weights[rows].sum() > 0:
            raise ValueError(
                f"The {part} rows of early stopping carry no weight; change "
                "validation_fraction or random_state, or set early_stopping=False."
            )
    return fit_rows, validation_rows
