"""Measurements: wall time, peak memory, the J-versus-time trace, kernel costs."""

import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


def fit_quietly(model, X, y):
    """Fit, ignoring convergence warnings (the trace stops fits on purpose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def timed_fit(model, X, y):
    """(seconds, fitted model)."""
    start = time.perf_counter()
    fit_quietly(model, X, y)
    return time.perf_counter() - start, model


def peak_fit_memory(model, X, y):
    """Peak bytes allocated during a fit, beyond what existed before (tracemalloc).

    numpy and scipy report their array buffers to tracemalloc; BLAS's own
    workspace is not seen.
    """
    tracemalloc.start()
    try:
        fit_quietly(model, X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def trace(factory, X, y, objective, J, limit):
    """Points (seconds, J) from fits with max_iter = 1, 2, 4, ... up to ``limit``.

    Each point is a fit from scratch, so its time is what a user would wait
    for that J.  A fit with a larger budget does the smaller one's work first,
    so its time cannot be shorter: times are kept non-decreasing, which
    removes timing noise.  Stops early once a fit converged before its budget.
    """
    points = []
    budget = 1
    slowest = 0.0
    while budget <= limit:
        seconds, model = timed_fit(factory(max_iter=budget), X, y)
        slowest = max(slowest, seconds)
        points.append((slowest, J(objective, model)))
        if int(np.max(model.n_iter_)) < budget:
            break
        budget *= 2
    return points


def time_to_reach(points, target, factory, X, y, objective, J):
    """Seconds of a fit with the fewest iterations whose J is at most ``target``, or None.

    ``points`` is the :func:`trace` of ``factory``: the first budget ``2^k``
    that reaches ``target`` brackets the fewest iterations between
    ``2^(k-1)`` and ``2^k``, which bisection then finds, each fit from
    scratch (for a solver whose J is not monotone in its budget, a budget that
    reaches it, not always the fewest).  Without the bisection the time would
    be up to twice too long, the same for every solver only by chance.
    """
    reached = [k for k, (_, value) in enumerate(points) if value <= target * (1 + 1e-12)]
    if not reached:
        return None
    k = reached[0]
    seconds = points[k][0]
    low, high = (2 ** (k - 1), 2**k) if k > 0 else (0, 1)
    while high - low > 1:
        budget = (low + high) // 2
        fit_seconds, model = timed_fit(factory(max_iter=budget), X, y)
        if J(objective, model) <= target * (1 + 1e-12):
            high, seconds = budget, min(fit_seconds, seconds)  # fewer iterations: no longer
        else:
            low = budget
    return seconds


def interleaved_medians(functions, repeat):
    """Median wall time of each of ``functions`` ({name: callable}), called in turn.

    One call of each per round, so drift of the machine's speed over the
    rounds hits them all alike, and their ratios stay fair.
    """
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(seconds)) for name, seconds in times.items()}
