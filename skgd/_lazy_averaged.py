"""Averaged SGD passes (``partial_fit``) on sparse X at the cost of its stored entries.

Each step of :func:`skgd._streaming.averaged_sgd_pass` is
``u <- u - eta_n grad_B(u)`` with a step ``eta_n`` that changes from step to
step, and the model is the average of the iterates weighted by the step
count, ``A_n = sum_{i <= n} i U_i / sum_{i <= n} i``.  In the variables of
:class:`skgd._reparam.Standardization` (see :mod:`skgd._lazy`), a feature
that the batch does not touch moves by::

    U_j <- a_{g,n} U_j + eta_n rho_n m_j,        a_{g,n} = 1 - eta_n lam s_g^2

(the L2 penalty and the centring; ``rho_n`` sums the batch's weighted
residuals).  Per scale g, with ``Pi_g(n) = prod_{i <= n} a_{g,i}`` and
``Q_g(n) = sum_{i <= n} eta_i rho_i / Pi_g(i)``, such a feature is
``U_j(n) = Pi_g(n) (V_j + m_j Q_g(n))`` for a constant ``V_j`` fixed at its
last update, and the weighted sum behind the average grows between its
updates by ``V_j (E_g(n) - E_g(t)) + m_j (F_g(n) - F_g(t))`` with
``E_g(n) = sum_{i <= n} i Pi_g(i)`` and ``F_g(n) = sum_{i <= n} i Pi_g(i) Q_g(i)``.
So a feature is brought up to date only when a batch touches it, and every
feature at the end of the pass.  Where ``Pi_g`` falls below 1/2, every
feature is brought up to date and the products start again from 1, which
keeps the rounding of these sums at that of the dense pass.
"""

import numpy as np

from ._lazy import LazyPass

# Below this product of a_g, every feature is brought up to date and the
# products restart: V_j = U_j / Pi_g is multiplied by differences of sums of
# the size of the step count, whose rounding grows as 1 / Pi_g (at 1e-100, a
# strongly penalised stream lost 4e-2 of its average's digits).  Each step's
# a_g is at least 1/2 (LazyPasses.suit_averaged), so Pi_g stays above 1/4.
REBASE_BELOW = 0.5


class AveragedPass(LazyPass):
    """One lazy pass of averaged SGD.

    A feature's own quantities: ``V`` (K), the weighted sum ``Z = sum_i i U_i``
    behind its average (K), ``F_g`` at its last update (K), and ``E_g`` then.
    """

    def __init__(self, objective, variables, x, average, n_steps, steps, buffer):
        K = x.shape[0]
        super().__init__(objective, variables, K, buffer)
        n_features = objective.n_features
        self.n0 = n_steps
        self.steps = steps
        self.lam = objective.penalty.l2_strength
        n_groups = len(self.levels)
        self.Pi = np.ones(n_groups)
        self.Q = np.zeros((n_groups, K))
        self.E = np.zeros(n_groups)
        self.F = np.zeros((n_groups, K))
        total = n_steps * (n_steps + 1) / 2  # sum_{i <= n0} i
        U = x[:, :n_features].T.astype(np.float64)
        self.state[:, :K] = U  # V = U / Pi - m Q with Pi = 1, Q = 0
        self.state[:, K : 2 * K] = total * average[:, :n_features].T
        self.state[:, 2 * K : 3 * K + 1] = 0.0
        if objective.fit_intercept:
            self.v = x[:, n_features].astype(np.float64)
            self.Z_v = total * average[:, n_features].astype(np.float64)
        else:
            self.v = None
        if self.centred:
            self.M = self._sum_by_group(self.m * U, self.group)  # sum_j m_j U_j per scale
            self.M_e = self._sum_by_group(self.m**2, self.group)

    def _caught_up(self, state):
        """``U`` and ``Z`` of features (their ``state`` rows) after the last step."""
        K = self.K
        V, Z, F_last = state[:, :K], state[:, K : 2 * K], state[:, 2 * K : 3 * K]
        E_last = state[:, 3 * K : 3 * K + 1]
        groups, m = self._groups_and_m(state)
        Pi = self.Pi[groups][:, None]
        U = Pi * (V + m * self.Q[groups])
        Z = Z + V * (self.E[groups][:, None] - E_last) + m * (self.F[groups] - F_last)
        return U, Z

    def _keep(self, state, U, Z):
        """Write ``U`` and ``Z`` (after the last step) into features' ``state`` rows."""
        K = self.K
        groups, m = self._groups_and_m(state)
        state[:, :K] = U / self.Pi[groups][:, None] - m * self.Q[groups]
        state[:, K : 2 * K] = Z
        state[:, 2 * K : 3 * K] = self.F[groups]
        state[:, 3 * K] = self.E[groups]

    def step(self, t, rows):
        """Step ``t`` of the pass (``n0 + t + 1`` of the stream) on the mini-batch ``rows``."""
        n, eta = self.n0 + t + 1, self.steps[t]
        X_batch, features, state = self._batch(rows)
        groups, m = self._groups_and_m(state)
        scale = self.levels[groups][:, None]
        U, Z = self._caught_up(state)
        raw = np.asarray(X_batch @ (scale * U), dtype=np.float64)
        if self.v is not None:
            raw += self.c * self.v - (self.M.sum(axis=0) if self.centred else 0.0)
        residual = self._residual(raw, rows)
        rho = residual.sum(axis=0)
        batch_grad = scale * np.asarray(X_batch.T @ residual)
        a = 1.0 - eta * self.lam * self.levels**2
        # every coordinate's step; the batch's features add their data term
        U = a[groups][:, None] * U - eta * batch_grad
        if self.centred:
            U += eta * m * rho
            self.M = (
                a[:, None] * self.M + eta * self.M_e * rho
                - eta * self._sum_by_group(m * batch_grad, groups)
            )
        Z = Z + n * U
        self.Pi *= a
        self.Q += eta * rho / self.Pi[:, None]
        self.E += n * self.Pi
        self.F += n * self.Pi[:, None] * self.Q
        self._keep(state, U, Z)
        self._store(features, state)
        if self.v is not None:
            self.v -= eta * self.c * rho
            self.Z_v += n * self.v
        if self.Pi.min() < REBASE_BELOW:
            self._rebase()

    def _rebase(self):
        """Bring every feature up to date and restart the products from 1."""
        U, Z = self._caught_up(self.state)
        self.Pi[:] = 1.0
        self.Q[:] = 0.0
        self.E[:] = 0.0
        self.F[:] = 0.0
        self._keep(self.state, U, Z)

    def result(self, n_steps):
        """The iterate and the average after the pass's ``n_steps`` steps."""
        U, Z = self._caught_up(self.state)
        n = self.n0 + n_steps
        total = n * (n + 1) / 2
        x = self._parameters(U, self.v)
        average = self._parameters(Z / total, None if self.v is None else self.Z_v / total)
        return x, average
