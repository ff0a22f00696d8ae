"""Mini-batch passes over sparse X at the cost of its stored entries.

This module holds what lazy passes share (:class:`LazyPasses`, which
:mod:`skgd._assemble` hands to the solvers as a problem's ``epoch`` and
``averaged_pass``, and :class:`LazyPass`) and SVRG's epoch;
:mod:`skgd._lazy_averaged` holds ``partial_fit``'s averaged SGD pass.

A mini-batch touches only the features its rows store, but each step of
:func:`skgd._solvers.stochastic_gradient_descent` moves every coordinate:
the snapshot's full gradient, the L2 penalty and, in centred variables, the
intercept's share of the batch's gradient are dense.  Between two batches
that touch feature j, though, those dense parts move ``U_j`` by a known
affine recurrence, so it can be brought up to date in one step when a batch
next needs it ("just in time", as SAG-style solvers do), and every feature at
the end of the epoch.  An epoch then costs O(stored entries + features)
instead of O(batches x features), and its iterates are those of the dense
epoch up to rounding.

In the variables of :class:`skgd._reparam.Standardization` (``W = U * s``,
``b = c v - W @ mean``), with ``m = s * mean``, step ``eta``, L2 strength
``lam``, snapshot ``(S, S_v)`` and its full gradient ``(mu, mu_v)``, one
step on batch B with weighted residual differences ``dr`` (the batch's
residuals at ``u`` minus those at the snapshot) and ``rho = sum(dr)`` is::

    U_j <- a_j U_j + beta_j + eta m_j rho - eta s_j (X_B^T dr)_j
    v   <- v - eta (c rho + mu_v)

with ``a_j = 1 - eta lam s_j^2`` and ``beta_j = eta (lam s_j^2 S_j - mu_j)``.
The last term is zero off the batch's features.  Over k steps without it::

    U_j(t + k) = a_j^k U_j(t) + beta_j (1 - a_j^k) / (1 - a_j)
                 + eta m_j (P_g(t + k) - a_j^k P_g(t))

where ``P_g(t) = sum_{t' < t} a_g^(t - 1 - t') rho_t'`` is kept for each of the
few distinct scales g (sparse X's scales are rounded so that features share
them), and ``sum_j m_j U_j``, which every raw prediction needs, is kept per
scale by the same recurrence.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._solvers import mini_batches, n_batches


def supports_lazy_passes(objective):
    """Whether lazy passes apply: J on CSR ``X`` with no L1 part in the penalty."""
    X = getattr(objective, "X", None)  # a backend's objective may hold no X
    return sp.issparse(X) and X.format == "csr" and objective.penalty.is_smooth


# Lazy passes are used when the features outnumber those a mini-batch touches
# FEATURES_PER_TOUCHED times, divided by K**CLASS_EXPONENT for K rows of
# parameters: a dense step moves K x n_features coordinates, a lazy one brings
# up to date a state row of 3K + 3 numbers per touched feature, so the lazy
# step gains with K.  Measured on SVRG epochs over 20000 rows with 20 stored
# entries each (power-law columns, batches of 512, 3100 to 7500 features
# touched): dense and lazy epochs cost the same at about 20, 7.5 and 3.7 times
# for 1, 5 and 20 rows of parameters (binary, 5 and 20 classes); a lazy epoch
# was 4.3 times faster at 20 classes and 200000 features, 1.8 times slower at
# 5000.  (Uniform columns, measured binary before: 15 to 23 times.)
FEATURES_PER_TOUCHED = 20
CLASS_EXPONENT = 0.6
# partial_fit's averaged passes are lazy when the features outnumber a
# mini-batch's stored entries this many times, whatever the classes.  Measured
# binary on 50000 rows with 5 and 40 entries per row, batches of 512: dense and
# lazy passes cost the same at about 23 and 15 times.  (With 20 classes on a
# 60000-term tf-idf problem, lazy averaged passes at 5.4 times were 1.25 times
# slower than dense ones, where lazy SVRG epochs were faster.)
FEATURES_PER_BATCH_ENTRY = 20


class LazyVariables(NamedTuple):
    """The change of variables ``W = U * scale``, ``b = intercept_scale * v - W @ mean``.

    ``scale`` takes few distinct values, ``levels``: ``scale = levels[group]``.
    """

    mean: np.ndarray
    intercept_scale: float
    levels: np.ndarray
    group: np.ndarray


class LazyPasses:
    """Lazy passes over the rows of one fit's J: SVRG epochs and averaged SGD passes.

    Parameters
    ----------
    objective : LogisticObjective
        J, with CSR ``X`` and a smooth penalty (:func:`supports_lazy_passes`).
    variables : LazyVariables
        The variables the solver runs in.
    """

    def __init__(self, objective, variables):
        self.objective = objective
        self.variables = variables
        self.buffer = None
        self.column_share = None

    def suit_epochs(self, batch_size):
        """Whether lazy SVRG epochs beat dense ones: features far outnumber those a batch touches.

        A dense step costs a few vectorised passes over every coordinate; a
        lazy one a few dozen over the batch's entries and the features it
        touches (see ``FEATURES_PER_TOUCHED``).
        """
        n_rows = self.objective.shape[0]
        ratio = FEATURES_PER_TOUCHED / n_rows**CLASS_EXPONENT
        return self.objective.n_features >= ratio * self.touched_features(batch_size)

    def suit_averaged(self, batch_size, largest_step=None):
        """Whether lazy averaged passes beat dense ones and, given its largest step, apply.

        The features must far outnumber a batch's stored entries (see
        ``FEATURES_PER_BATCH_ENTRY``), and each step shrink no coordinate by
        more than half (``1 - largest_step * lam * s^2 >= 1/2``; see
        :mod:`skgd._lazy_averaged`).
        """
        X = self.objective.X
        batch_entries = min(batch_size, X.shape[0]) * X.nnz / max(X.shape[0], 1)
        if X.shape[1] < FEATURES_PER_BATCH_ENTRY * batch_entries:
            return False
        if largest_step is None:
            return True
        largest_scale = self.variables.levels.max()
        return largest_step * self.objective.penalty.l2_strength * largest_scale**2 <= 0.5

    def touched_features(self, batch_size):
        """The number of features a mini-batch of ``batch_size`` random rows stores, expected.

        ``sum_j 1 - (1 - f_j)^batch_size``, with ``f_j`` the share of rows that
        store feature j (counted once per fit, O(stored entries)).
        """
        X = self.objective.X
        if self.column_share is None:
            counts = np.bincount(X.indices, minlength=X.shape[1])
            self.column_share = np.minimum(counts / max(X.shape[0], 1), 1.0)
        rows = min(batch_size, X.shape[0])
        return float(np.sum(1.0 - np.power(1.0 - self.column_share, rows)))

    def _buffer(self, n_rows):
        """Memory for a pass's per-feature state, reused from one pass to the next.

        (Writing fresh pages costs as much as a tenth of an epoch.)
        """
        size = self.objective.n_features * (3 * n_rows + 3)
        if self.buffer is None or self.buffer.size != size:
            self.buffer = np.empty(size)
        return self.buffer

    def variance_reduced_epoch(self, snapshot, snapshot_grad, step, order, batch_size):
        """One epoch of SVRG's inner loop from ``snapshot``; returns its last iterate.

        Parameters
        ----------
        snapshot, snapshot_grad : ndarray
            The snapshot, in the variables ``u``, and the full gradient of f there.
        step : float
        order : ndarray of int
            The rows, in the order the mini-batches take them.
        batch_size : int

        Returns
        -------
        ndarray
            The iterate after the last mini-batch, in ``u``.
        """
        epoch = _VarianceReducedEpoch(
            self.objective, self.variables, snapshot, snapshot_grad, step,
            self._buffer(snapshot.shape[0]),
        )
        return epoch.run(order, batch_size)

    def averaged_pass(self, x, average, n_steps, steps, order, batch_size):
        """One pass of averaged SGD: ``x <- x - steps[t] grad_B(x)``, linearly weighted average.

        Parameters
        ----------
        x, average : ndarray
            The iterate and the average of the iterates so far, in ``u``.
        n_steps : int
            Steps taken before this pass (the average's weights count them).
        steps : ndarray of float
            The step size of each of this pass's mini-batches.
        order : ndarray of int
            The rows, in the order the mini-batches take them.
        batch_size : int

        Returns
        -------
        x, average : ndarray
            After the pass, in ``u``.
        """
        from ._lazy_averaged import AveragedPass  # the sibling pass, built on this module

        averaged = AveragedPass(
            self.objective, self.variables, x, average, n_steps, steps,
            self._buffer(x.shape[0]),
        )
        return averaged.run(order, batch_size)


class LazyPass:
    """What lazy passes share: per-feature state rows, batch gathering, group sums.

    Everything a feature carries through a pass is one row of
    ``self.state``: ``3 K + 1`` quantities of the pass's own, then ``m_j``
    and the index g of the feature's scale.  A batch gathers and writes back each
    of its features in one cache line: with a million features, most accesses
    miss the cache, and one miss per feature costs less than one per quantity.

    Parameters
    ----------
    objective : LogisticObjective
    variables : LazyVariables
    n_rows : int
        K, the rows of the parameters.
    buffer : ndarray
        Memory for ``self.state``.
    """

    def __init__(self, objective, variables, n_rows, buffer):
        self.objective = objective
        self.levels = variables.levels
        n_features = objective.n_features
        self.K = K = n_rows
        self.c = variables.intercept_scale
        self.group = variables.group
        self.scale = self.levels[self.group][:, None]
        self.m = self.scale * variables.mean.astype(np.float64)[:, None]
        self.centred = bool(objective.fit_intercept and np.any(self.m != 0))
        self.state = buffer.reshape(n_features, 3 * K + 3)
        self.state[:, 3 * K + 1] = self.m[:, 0]
        self.state[:, 3 * K + 2] = self.group
        self.rows_view = self.state.view(np.dtype((np.void, self.state.itemsize * (3 * K + 3))))
        # a batch's features get positions 0, 1, ... here (written per batch)
        self.position = np.empty(n_features, dtype=np.int32 if n_features < 2**31 else np.intp)

    def run(self, order, batch_size):
        """Steps over the rows in ``order``, ``batch_size`` at a time; the pass's result."""
        for t, rows in enumerate(mini_batches(order, batch_size)):
            self.step(t, rows)
        return self.result(n_batches(len(order), batch_size))

    def _sum_by_group(self, values, groups):
        """``sum_{j in g} values[j]`` for each scale g: shape (n_groups, columns)."""
        n_groups = len(self.levels)
        return np.stack(
            [np.bincount(groups, weights=column, minlength=n_groups) for column in values.T],
            axis=1,
        )

    def _batch(self, rows):
        """The rows' X on their own features, those features, and their state rows."""
        indptr, data, indices = _rows_of(self.objective.X, rows)
        features, columns = self._compact(indices)
        X_batch = sp.csr_matrix((data, columns, indptr), shape=(len(rows), len(features)))
        state = np.take(self.rows_view, features).view(np.float64)
        state = state.reshape(len(features), self.state.shape[1])  # rows with no entries: 0
        return X_batch, features, state

    def _store(self, features, state):
        np.put(self.rows_view, features, state.view(self.rows_view.dtype).ravel())

    def _groups_and_m(self, state):
        """The scale groups and ``m`` of features, from their state rows."""
        K = self.K
        return state[:, 3 * K + 2].astype(np.intp), state[:, 3 * K + 1 : 3 * K + 2]

    def _compact(self, indices):
        """The distinct ``indices`` (in no order) and the position of each among them.

        O(len(indices)), where sorting them would cost a logarithm more.
        """
        position, dtype = self.position, self.position.dtype
        entries = np.arange(len(indices), dtype=dtype)
        np.put(position, indices, entries)  # one of the entries of each feature wins
        features = np.compress(np.take(position, indices) == entries, indices)
        np.put(position, features, np.arange(len(features), dtype=dtype))
        return features, np.take(position, indices)

    def _residual(self, raw, rows):
        """The weighted residual of the rows' raw predictions (overwritten), shape (rows, K).

        The weights are scaled by ``n_samples / len(rows)``, so that a batch's
        gradient estimates the full one.
        """
        objective = self.objective
        weight = objective.sample_weight[rows] * (objective.n_samples / len(rows))
        targets = objective.targets[rows]
        if raw.shape[1] == 1:
            return objective.loss.weighted_residual(raw[:, 0], targets, weight)[:, None]
        return objective.loss.weighted_residual(raw, targets, weight)

    def _parameters(self, U, v):
        """The layout of ``params`` from ``U`` (features by rows) and ``v``."""
        parts = [U.T] if v is None else [U.T, v[:, None]]
        return np.hstack(parts).astype(self.objective.dtype)


class _VarianceReducedEpoch(LazyPass):
    """One lazy SVRG epoch (see the module docstring for the recurrences).

    A feature's own quantities: U (K), P_g at its last update (K), ``beta``
    (K) and the step of its last update.
    """

    def __init__(self, objective, variables, snapshot, snapshot_grad, step, buffer):
        K = snapshot.shape[0]
        super().__init__(objective, variables, K, buffer)
        n_features = objective.n_features
        self.step_size = step
        lam = objective.penalty.l2_strength
        # 1 - a_g, accurate when eta * lam * s^2 is tiny (and never 0 with a
        # penalty, so that (1 - a^k) / (1 - a) is k where a rounds to 1), and a_g
        self.decay = step * lam * self.levels**2
        if lam > 0:
            self.decay = np.maximum(self.decay, np.finfo(np.float64).tiny)
        self.a = 1.0 - self.decay
        # a^k from log(a) where a is near 1 (accurate), from powers of a where
        # a step is large enough to make a small or negative
        self.near_one = self.decay < 0.5
        self.log_a = np.log1p(-np.where(self.near_one, self.decay, 0.0))
        S = snapshot[:, :n_features].T
        beta = step * (lam * self.scale**2 * S - snapshot_grad[:, :n_features].T)
        self.state[:, :K] = S
        self.state[:, K : 2 * K] = 0.0
        self.state[:, 2 * K : 3 * K] = beta
        self.state[:, 3 * K] = 0.0
        self.v = snapshot[:, n_features].astype(np.float64) if objective.fit_intercept else None
        self.mu_v = snapshot_grad[:, n_features] if objective.fit_intercept else None
        self.P = np.zeros((len(self.levels), K))
        if self.centred:
            self.M = self._sum_by_group(self.m * S, self.group)
            self.M_beta = self._sum_by_group(self.m * beta, self.group)
            self.M_e = step * self._sum_by_group(self.m**2, self.group)
        # raw predictions at the snapshot, for every row: one pass over X
        self.raw_snapshot = np.asarray(objective.X @ (self.scale * S), dtype=np.float64)
        if self.v is not None:
            self.raw_snapshot += self._intercept_term()

    def _intercept_term(self):
        """``c v - sum_j m_j U_j``: what every raw prediction adds now, shape (K,)."""
        term = self.c * self.v
        return term - self.M.sum(axis=0) if self.centred else term

    def _caught_up(self, state, t):
        """``U`` of features (their ``state`` rows) brought to step ``t``."""
        K = self.K
        U, P_last, beta = state[:, :K], state[:, K : 2 * K], state[:, 2 * K : 3 * K]
        groups, m = self._groups_and_m(state)
        k = t - state[:, 3 * K : 3 * K + 1]
        if self.decay.any():
            shrink = np.expm1(k * self.log_a[groups][:, None])  # a^k - 1
            if not self.near_one.all():
                far = ~self.near_one[groups]
                shrink[far] = np.power(self.a[groups][far, None], k[far]) - 1.0
            geometric = shrink / -self.decay[groups][:, None]  # (1 - a^k) / (1 - a)
            U = U + shrink * U + geometric * beta
        else:
            shrink = 0.0
            U = U + k * beta
        if self.centred:
            U += self.step_size * m * (self.P[groups] - P_last - shrink * P_last)
        return U

    def step(self, t, rows):
        """Step ``t`` on the mini-batch ``rows``."""
        K = self.K
        X_batch, features, state = self._batch(rows)
        groups, m = self._groups_and_m(state)
        scale = self.levels[groups][:, None]
        U = self._caught_up(state, t)
        raw = np.asarray(X_batch @ (scale * U), dtype=np.float64)
        if self.v is not None:
            raw += self._intercept_term()
        residual = self._residual(raw, rows)
        residual -= self._residual(self.raw_snapshot[rows], rows)
        rho = residual.sum(axis=0)
        batch_grad = scale * np.asarray(X_batch.T @ residual)
        # the step every coordinate takes; the batch's features add their data term
        U = self.a[groups][:, None] * U + state[:, 2 * K : 3 * K] - self.step_size * batch_grad
        if self.centred:
            U += self.step_size * m * rho
            self.M = (
                self.a[:, None] * self.M + self.M_beta + self.M_e * rho
                - self.step_size * self._sum_by_group(m * batch_grad, groups)
            )
        self.P = self.a[:, None] * self.P + rho
        state[:, :K] = U
        state[:, K : 2 * K] = self.P[groups]
        state[:, 3 * K] = t + 1
        self._store(features, state)
        if self.v is not None:
            self.v -= self.step_size * (self.c * rho + self.mu_v)

    def result(self, n_steps):
        """The iterate after ``n_steps`` steps, every feature brought up to date."""
        return self._parameters(self._caught_up(self.state, n_steps), self.v)


def _rows_of(X, rows):
    """``indptr, data, indices`` of the CSR rows ``rows`` of X (what ``X[rows]`` copies)."""
    starts = X.indptr[rows]
    lengths = X.indptr[rows + 1] - starts
    indptr = np.zeros(len(rows) + 1, dtype=X.indptr.dtype)
    np.cumsum(lengths, out=indptr[1:])
    entries = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
    return indptr, np.take(X.data, entries), np.take(X.indices, entries)
