"""First-order solvers for ``min_x F(x) = f(x) + g(x)``, f smooth, g with a prox.

A solver is a function ``solver(problem, x0, options) -> SolverResult`` of a
:class:`CompositeProblem` (plain callables: f's value and gradient, g's value
and prox, the optimality measure ``tol`` is defined on), a start point and
:class:`SolverOptions`; :data:`SOLVERS` names them.  Solvers import nothing
from the rest of skgd but its dot product: they know no data, labels,
change of variables or estimator, and a blow-up of F is a
:class:`DivergenceError` for the caller to word.

Stopping rule, shared by every solver: stop at the first iterate whose
``problem.optimality`` is at most ``options.tol``.

References
----------
Barzilai, J. and Borwein, J. M. (1988). Two-point step size gradient methods.
    IMA Journal of Numerical Analysis, 8(1), 141-148.
Beck, A. and Teboulle, M. (2009). A fast iterative shrinkage-thresholding
    algorithm for linear inverse problems. SIAM J. Imaging Sciences, 2(1).
Johnson, R. and Zhang, T. (2013). Accelerating stochastic gradient descent
    using predictive variance reduction. Advances in NIPS 26.
Nesterov, Y. (1983). A method for solving the convex programming problem
    with convergence rate O(1/k^2). Soviet Mathematics Doklady, 27, 372-376.
O'Donoghue, B. and Candes, E. (2015). Adaptive restart for accelerated
    gradient schemes. Foundations of Computational Mathematics, 15, 715-732.
Tan, C., Ma, S., Dai, Y.-H. and Qian, Y. (2016). Barzilai-Borwein step size
    for stochastic gradient descent. Advances in NIPS 29.
Wright, S. J., Nowak, R. D. and Figueiredo, M. A. T. (2009). Sparse
    reconstruction by separable approximation. IEEE Trans. Signal Processing.
Xiao, L. and Zhang, T. (2014). A proximal stochastic gradient method with
    progressive variance reduction. SIAM J. Optimization, 24(4).
"""

from ._batch import accelerated_gradient_descent, gradient_descent
from ._common import check_divergence, mini_batches, n_batches
from ._problem import (
    CompositeProblem,
    DivergenceError,
    SolverOptions,
    SolverResult,
    gradient_mapping_norm,
)
from ._svrg import stochastic_gradient_descent, variance_reduced_epoch

SOLVERS = {
    "gd": gradient_descent,
    "agd": accelerated_gradient_descent,
    "sgd": stochastic_gradient_descent,
}


def iteration_name(solver):
    """What one iteration of the solver named ``solver`` is called: "epoch" or "iteration"."""
    return "epoch" if SOLVERS.get(solver) is stochastic_gradient_descent else "iteration"


__all__ = [
    "SOLVERS",
    "CompositeProblem",
    "DivergenceError",
    "SolverOptions",
    "SolverResult",
    "accelerated_gradient_descent",
    "check_divergence",
    "gradient_descent",
    "gradient_mapping_norm",
    "iteration_name",
    "mini_batches",
    "n_batches",
    "stochastic_gradient_descent",
    "variance_reduced_epoch",
]
