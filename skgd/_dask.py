"""J over the partitions of dask collections, held on a dask.distributed cluster.

The rows stay where they are.  Each row partition p of X becomes an ordinary
:class:`skgd._objective.LogisticObjective` J_p, built on the worker that holds
the partition: its rows, their weights normalised within it, and J's whole
penalty.  With ``S_p`` the partition's total weight and ``S`` the sum of all::

    J = sum_p share_p J_p,    share_p = S_p / S

:class:`DistributedObjective` is J on the client.  It sends the parameters to
the workers, which evaluate their partitions' data terms, and adds the
results in partition order, so the bits do not depend on which worker
computed what; the penalty is added once.  The solvers run on the client,
unchanged.  A stochastic pass travels from partition to partition with the
small state (iterate, average, step count); the data never move.

Setting up takes three round trips: a summary of each partition (rows,
labels, weights), the objectives built with their feature moments, and
where they live.  Evaluations are pinned to the workers that hold the
objectives, so work stealing cannot move data.  When such a worker is lost,
its partitions are recomputed elsewhere from their lineage and the
evaluation is repeated: the fit goes on to the same result.

This module imports dask; the estimator imports it only for dask input.
"""

import math
from typing import NamedTuple

import dask
import dask.array as da
import numpy as np
from distributed import get_client, wait
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d

from ._assemble import Assembly
from ._data import (
    Weighting,
    check_sample_weight,
    check_two_classes,
    check_weight_total,
    class_weights,
    is_dask_collection,
)
from ._losses import make_loss
from ._moments import pooled_moments
from ._objective import LogisticObjective, Objective, penalty_strength, raw_predictions
from ._penalties import ElasticNet
from ._solvers import variance_reduced_epoch
from ._streaming import averaged_steps

# Seconds between checks that the workers an evaluation waits for are alive.
LIVENESS_POLL = 0.5


def distributed_objective(X, y, sample_weight, *, classes, class_weight, fit_intercept, C,
                          l1_ratio):
    """J on dask collections, as a :class:`DistributedObjective`, and its classes.

    Parameters
    ----------
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Rows in partitions (dense chunks or scipy CSR chunks); columns are
        brought into one chunk.
    y, sample_weight : dask or in-memory arrays of shape (n_samples,)
        Split into X's row partitions (sample_weight may be None or a scalar).
    classes : ndarray or None
        The classes (a stream's); None takes those present in ``y``.
    class_weight, fit_intercept, C, l1_ratio
        As for the estimator.

    Returns
    -------
    objective : DistributedObjective
    classes : ndarray
    """
    client = _client()
    X, y, sample_weight = _row_aligned(X, y, sample_weight)
    rows = client.compute(
        [dask.delayed(_checked_rows)(*part) for part in _partitions(X, y, sample_weight)]
    )
    summaries = client.gather(client.map(_summary, rows, pure=False))
    classes, weighting, weight_of_part = _weighting(summaries, classes, class_weight)
    total = float(sum(weight_of_part))
    check_weight_total(total)
    dtype = np.dtype(summaries[0].dtype)
    penalty = ElasticNet(penalty_strength(C, total, weighting.scale, dtype), l1_ratio)
    kept = [p for p, weight in enumerate(weight_of_part) if weight > 0]  # no rows: no part
    objectives = client.map(
        _objective_of_rows, [rows[p] for p in kept], pure=False, classes=classes,
        weighting=weighting, fit_intercept=fit_intercept, penalty=penalty,
    )
    del rows  # the objectives hold the rows; their lineage stays with the scheduler
    partitions = Partitions(
        client, objectives, [weight_of_part[p] / total for p in kept],
        [summaries[p].n_rows for p in kept],
    )
    moments = partitions.map(_feature_moments)
    objective = DistributedObjective(
        partitions,
        n_samples=sum(summaries[p].n_rows for p in kept),
        n_features=summaries[0].n_features,
        n_classes=len(classes),
        fit_intercept=fit_intercept,
        penalty=penalty,
        dtype=dtype,
        is_sparse=summaries[0].is_sparse,
        moments=partitions.pooled(moments)[1],
    )
    return objective, classes


class DistributedObjective(Objective):
    """J as the weighted sum of the objectives of partitions held on workers.

    Parameters
    ----------
    partitions : Partitions
        The partitions' objectives and their shares of J's weight.
    n_samples, n_features, n_classes, fit_intercept, penalty, dtype, is_sparse
        As the attributes of :class:`skgd._objective.Objective`.
    moments : tuple of ndarray
        The features' weighted (mean, variance) over all rows.
    """

    def __init__(self, partitions, *, n_samples, n_features, n_classes, fit_intercept,
                 penalty, dtype, is_sparse, moments):
        self.partitions = partitions
        self.n_samples = n_samples
        self.n_features = n_features
        self.fit_intercept = fit_intercept
        self.penalty = penalty
        self.dtype = dtype
        self.is_sparse = is_sparse
        self.loss = make_loss(n_classes)
        self.shape = (self.loss.n_raw_columns, n_features + int(fit_intercept))
        self._moments = moments

    def data_value(self, params):
        """The data term: the partitions' weighted mean losses, weighted by their shares."""
        return sum(self.partitions.weighted(self.partitions.map(_data_value, params)))

    def data_value_and_gradient(self, params):
        """The data term and its gradient, in the layout of ``params``."""
        value, grad = 0.0, np.zeros(self.shape, dtype=self.dtype)
        for part_value, part_grad in self.partitions.weighted(
            self.partitions.map(_data_value_and_gradient, params)
        ):
            value += part_value
            grad += part_grad
        return value, grad

    def feature_moments(self):
        """The features' means and variances under the sample weights, over all rows."""
        return self._moments

    def curvature_moments(self, params, least_curvature):
        """As :meth:`skgd._objective.LogisticObjective.curvature_moments`, over all rows."""
        parts = self.partitions.map(_curvature_moments, params, least_curvature)
        shares = self.partitions.shares
        totals = [total * share for (total, _), share in zip(parts, shares, strict=True)]
        return self.partitions.pooled([moments for _, moments in parts], totals)

    def batch_gradient(self, params, rows, reference=None):
        raise NotImplementedError(
            "Mini-batches of rows spread over workers are taken by travelling passes "
            "(DistributedObjective.travelling_passes), not one batch at a time."
        )

    def travelling_passes(self, assembly, variables, batch_size):
        """SVRG's epoch and an averaged SGD pass that go from partition to partition.

        Each partition's worker takes the steps of its rows on its own
        objective (in ``variables``, assembled as ``assembly``'s), in the
        order the pass's permutation of all rows gives them; the partitions
        are visited in the order of their first row in it.  Returns the
        callables of :class:`skgd._solvers.CompositeProblem`'s ``epoch`` and
        ``averaged_pass``.
        """
        spec = (assembly.learning_rate, assembly.moments, variables, batch_size)

        def epoch(snapshot, snapshot_grad, step, order, batch_size):
            return self.partitions.travel(
                _variance_reduced_hop, snapshot, self._orders(order),
                spec, snapshot, snapshot_grad, step,
            )

        def averaged_pass(x, average, n_steps, schedule, order, batch_size):
            return self.partitions.travel(
                _averaged_hop, (x, average, n_steps), self._orders(order), spec, schedule,
            )

        return epoch, averaged_pass

    def _orders(self, order):
        """The partitions in the order of their first row in ``order``, with their rows' order."""
        ends = np.cumsum(self.partitions.n_rows)
        part_of = np.searchsorted(ends, order, side="right")
        _, first = np.unique(part_of, return_index=True)
        visits = np.unique(part_of)[np.argsort(first)]
        starts = ends - self.partitions.n_rows
        return [(p, order[part_of == p] - starts[p]) for p in visits]


class Partitions:
    """Objectives held on workers: where they are, and their work, pinned there.

    Parameters
    ----------
    client : distributed.Client
    objectives : list of Future
        One :class:`skgd._objective.LogisticObjective` per partition.
    shares : list of float
        Each partition's share of J's total weight.
    n_rows : list of int
        Each partition's number of rows.
    """

    def __init__(self, client, objectives, shares, n_rows):
        self.client = client
        self.objectives = objectives
        self.shares = shares
        self.n_rows = np.array(n_rows)
        self._locate()

    def map(self, function, *args):
        """``[function(J_p, *args) for p]``, each partition's on its worker, in partition order."""
        while True:
            futures = {
                worker: self.client.submit(
                    _on_worker, function, args, *[self.objectives[p] for p in parts],
                    workers=[worker], allow_other_workers=False, pure=False,
                )
                for worker, parts in self.by_worker.items()
            }
            try:
                results = self._results(futures)
            except _WorkerLost:
                self._locate()
                continue
            by_part = {}
            for worker, parts in self.by_worker.items():
                by_part.update(zip(parts, results[worker], strict=True))
            return [by_part[p] for p in range(len(self.objectives))]

    def travel(self, hop, state, visits, *args):
        """``state = hop(J_p, state, order_p, *args)`` for each ``(p, order_p)`` of ``visits``.

        Each hop runs on partition p's worker; the state goes from one to the
        next without passing through the client.
        """
        while True:
            future = state
            for p, order in visits:
                future = self.client.submit(
                    hop, self.objectives[p], future, order, *args,
                    workers=[self.location[p]], allow_other_workers=False, pure=False,
                )
            try:
                return self._results({"last": future})["last"]
            except _WorkerLost:
                self._locate()

    def weighted(self, results):
        """Each partition's result (a value, or a tuple of them) times its share of J."""
        for share, result in zip(self.shares, results, strict=True):
            yield tuple(share * part for part in result) if isinstance(result, tuple) else (
                share * result)

    def pooled(self, moments, weights=None):
        """``(total, (mean, variance))`` over all rows from each partition's moments.

        Each partition's moments count with its ``weights`` (by default its
        share of J's weight); see :func:`skgd._moments.pooled_moments`.
        """
        means, variances = (np.array(parts) for parts in zip(*moments, strict=True))
        return pooled_moments(self.shares if weights is None else weights, means, variances)

    def release(self):
        """Let the cluster forget the partitions' objectives."""
        self.client.cancel(self.objectives)
        self.objectives = []

    def _locate(self):
        """Find the worker of every partition (once they are all in memory).

        A partition that cannot be computed again (its lineage failed, or its
        data were scattered by hand and lost) stops the fit with an error:
        never a model fitted without it.
        """
        wait(self.objectives)
        for future in self.objectives:
            if future.status == "error":
                future.result()  # raises the partition's error
            if future.status != "finished":
                raise RuntimeError(
                    f"A partition of the data was lost and cannot be computed again "
                    f"(its future is {future.status!r}); the fit stops rather than fit "
                    "a model without it."
                )
        who_has = self.client.who_has(self.objectives)
        self.location = [sorted(who_has[future.key])[0] for future in self.objectives]
        self.by_worker = {}
        for p, worker in enumerate(self.location):
            self.by_worker.setdefault(worker, []).append(p)

    def _results(self, futures):
        """The results of ``futures`` (a dict); _WorkerLost if a worker they need is gone."""
        pending = list(futures.values())
        while True:
            try:
                wait(pending, timeout=LIVENESS_POLL)
                break
            except TimeoutError:
                alive = set(self.client.scheduler_info(n_workers=-1)["workers"])
                if not set(self.location) <= alive:
                    self.client.cancel(pending)
                    raise _WorkerLost from None
        return dict(zip(futures, self.client.gather(pending), strict=True))


class _WorkerLost(Exception):
    """A worker holding a partition left the cluster: relocate and retry."""


def feature_view(X):
    """What scikit-learn's checks of n_features_in_ and feature_names_in_ need of dask X.

    An empty pandas DataFrame with a dask DataFrame's columns; X itself otherwise.
    """
    if hasattr(X, "columns"):
        import pandas

        return pandas.DataFrame(columns=X.columns)
    return X


def decision_function(X, coef, intercept):
    """``X @ coef.T + intercept`` of the row blocks of dask ``X``, lazily.

    Returns a dask array of shape (n_samples,) for one row of ``coef``,
    (n_samples, n_rows) otherwise.
    """
    X = _as_dask_array(X)
    dtype = np.result_type(X.dtype, coef.dtype, np.float32)
    if coef.shape[0] == 1:
        return X.map_blocks(raw_predictions, coef, intercept, drop_axis=1, dtype=dtype)
    return X.map_blocks(
        raw_predictions, coef, intercept, chunks=(X.chunks[0], (coef.shape[0],)), dtype=dtype
    )


def map_rows(scores, function, dtype, n_columns=None):
    """``function`` of each row block of the dask array ``scores``, lazily.

    The result has ``n_columns`` columns, or is one-dimensional for None.
    """
    if n_columns is None:
        drop = () if scores.ndim == 1 else 1
        return scores.map_blocks(function, drop_axis=drop, dtype=dtype)
    if scores.ndim == 1:
        return scores.map_blocks(
            function, new_axis=1, chunks=(scores.chunks[0], (n_columns,)), dtype=dtype
        )
    return scores.map_blocks(function, chunks=(scores.chunks[0], (n_columns,)), dtype=dtype)


class _Summary(NamedTuple):
    """What the client needs to know of a partition before building its objective."""

    n_rows: int
    n_features: int
    dtype: str
    is_sparse: bool
    labels: np.ndarray  # sorted
    weight_of_label: np.ndarray  # the labels' total sample weight
    largest_weight: float  # 0 without rows


def _client():
    """The dask.distributed Client in use, or a clear error."""
    try:
        return get_client()
    except ValueError:
        raise ValueError(
            "Fitting on dask collections needs a dask.distributed Client, whose workers "
            "hold the data: start one (for example `Client(LocalCluster())`, or connect "
            "to a cluster) before calling fit, or pass in-memory arrays."
        ) from None


def _as_dask_array(X, name="X"):
    """A dask array of the rows of X (a dask DataFrame's values), columns in one chunk."""
    if hasattr(X, "to_dask_array"):  # a DataFrame or Series
        X = X.to_dask_array()
    if not isinstance(X, da.Array):
        raise TypeError(
            f"{name} must be a dask array or DataFrame, not {type(X).__name__}: with dask "
            "input, X is one (y and sample_weight may also be in memory). Convert it with "
            "dask.array.from_array, or pass in-memory arrays only."
        )
    if X.ndim == 2 and X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    return X


def _row_aligned(X, y, sample_weight):
    """X, y and sample_weight as dask arrays with the same row chunks."""
    X = _as_dask_array(X)
    if X.ndim != 2:
        raise ValueError(f"Expected 2D array, got {X.ndim}D dask array instead.")
    vectors = [y, sample_weight]
    in_memory = [v is not None and np.ndim(v) > 0 and not is_dask_collection(v)
                 for v in vectors]
    if any(in_memory) and any(math.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()  # in-memory vectors are cut at X's row chunks
    aligned = []
    for vector, local, name in zip(vectors, in_memory, ["y", "sample_weight"], strict=True):
        if local:
            vector = np.asarray(vector)
            if vector.shape[0] != X.shape[0]:
                raise ValueError(
                    f"Found input variables with inconsistent numbers of samples: "
                    f"[{X.shape[0]}, {vector.shape[0]}]"
                )
            vector = da.from_array(vector, chunks=(X.chunks[0],) + vector.shape[1:])
        elif vector is not None and is_dask_collection(vector):
            vector = _as_dask_array(vector, name)
            if vector.numblocks[0] != X.numblocks[0] or (
                vector.chunks[0] != X.chunks[0]
                and not any(math.isnan(c) for c in vector.chunks[0] + X.chunks[0])
            ):
                vector = _rechunked_like(vector, X)
        aligned.append(vector)
    return X, *aligned


def _rechunked_like(vector, X):
    """``vector`` cut at X's row chunks (sizes computed where unknown)."""
    if any(math.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    if any(math.isnan(c) for c in vector.chunks[0]):
        vector = vector.compute_chunk_sizes()
    if vector.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {vector.shape[0]}]"
        )
    return vector.rechunk({0: X.chunks[0]})


def _partitions(X, y, sample_weight):
    """The delayed ``(X_p, y_p, weight_p)`` of each row partition."""
    x_parts = X.to_delayed().ravel()
    y_parts = y.to_delayed().ravel()
    if sample_weight is None or not is_dask_collection(sample_weight):
        w_parts = [sample_weight] * len(x_parts)
    else:
        w_parts = sample_weight.to_delayed().ravel()
    return zip(x_parts, y_parts, w_parts, strict=True)


def _checked_rows(X, y, sample_weight):
    """A partition's rows, checked as in-memory input is: float32 or float64, CSR, finite."""
    X = check_array(
        X, accept_sparse="csr", dtype=[np.float64, np.float32], ensure_min_samples=0
    )
    y = column_or_1d(y, warn=True)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"A partition of X has {X.shape[0]} rows and its part of y {y.shape[0]}: "
            "give y (and sample_weight) the row partitions of X."
        )
    if X.shape[0] == 0:
        return X, y, None
    return X, y, check_sample_weight(sample_weight, X.shape[0], require_positive=False)


def _summary(rows):
    X, y, sample_weight = rows
    labels, codes = np.unique(y, return_inverse=True)
    weight_of_label = np.bincount(codes, weights=sample_weight, minlength=len(labels))
    largest = 0.0 if X.shape[0] == 0 else (
        1.0 if sample_weight is None else float(sample_weight.max())
    )
    return _Summary(X.shape[0], X.shape[1], X.dtype.str, not isinstance(X, np.ndarray),
                    labels, weight_of_label, largest)


def _weighting(summaries, classes, class_weight):
    """The classes, the weighting of the rows and each partition's total (scaled) weight."""
    present = np.unique(np.concatenate([s.labels for s in summaries]))
    check_classification_targets(present)
    if classes is None:
        classes = present
        check_two_classes(classes)
    elif not np.all(np.isin(present, classes)):
        raise ValueError(
            f"y contains labels {np.setdiff1d(present, classes)} not in classes {classes} "
            "given on the first call of partial_fit."
        )
    sample_scale = max(s.largest_weight for s in summaries)
    check_weight_total(sample_scale)  # all sample weights zero
    by_part = np.zeros((len(summaries), len(classes)))
    for p, s in enumerate(summaries):
        by_part[p, np.searchsorted(classes, s.labels)] = s.weight_of_label / sample_scale
    weighting = Weighting.of(class_weights(class_weight, classes, by_part.sum(axis=0)),
                             sample_scale)
    of_class = np.ones(len(classes)) if weighting.of_class is None else weighting.of_class
    return classes, weighting, list(by_part @ of_class)


def _objective_of_rows(rows, classes, weighting, fit_intercept, penalty):
    """J_p: the partition's rows, their weights, J's penalty (built on the worker)."""
    X, y, sample_weight = rows
    codes = np.searchsorted(classes, y)
    scaled = None if sample_weight is None else sample_weight / weighting.sample_scale
    weights = weighting.scaled(codes, scaled)
    return LogisticObjective(X, codes, weights, len(classes), fit_intercept, penalty)


def _on_worker(function, args, *objectives):
    return [function(objective, *args) for objective in objectives]


def _feature_moments(objective):
    return objective.feature_moments()


def _data_value(objective, params):
    return objective.data_value(params)


def _data_value_and_gradient(objective, params):
    return objective.data_value_and_gradient(params)


def _curvature_moments(objective, params, least_curvature):
    return objective.curvature_moments(params, least_curvature)


def _partition_problem(objective, spec):
    """The partition's J_p as a composite problem in the solver's variables."""
    learning_rate, moments, variables, batch_size = spec
    return Assembly(objective, learning_rate, moments=moments).problem(batch_size, variables)


def _variance_reduced_hop(objective, x, order, spec, snapshot, snapshot_grad, step):
    problem = _partition_problem(objective, spec)
    return variance_reduced_epoch(
        problem, snapshot, snapshot_grad, step, order, spec[3], start=x
    )


def _averaged_hop(objective, state, order, spec, schedule):
    x, average, n_steps = state
    problem = _partition_problem(objective, spec)
    return averaged_steps(problem, x, average.copy(), n_steps, schedule, order, spec[3])
