"""LossCurveDisplay: the cost J against iterations, in scikit-learn's Display style."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._solvers import iteration_name


def _check_matplotlib(caller):
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib: pip install matplotlib (from a clone of skgd: "
            'pip install -e ".[plot]").'
        ) from error


class LossCurveDisplay:
    """The cost curve of a fit: J at the start and after every iteration.

    The values plotted are exactly ``loss_curve_``, or ``loss_curve_ - minimum``
    on a log scale to watch J approach its minimum.  Create it with
    :meth:`from_estimator`; several displays can share one axes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iterations + 1,)
        J at the start point and after each iteration.
    name : str, default=None
        The curve's label in the legend.
    validation_loss_curve : array-like of shape (n_iterations + 1,), default=None
        With early stopping, the log-loss of the held-out rows at the start
        point and after each iteration; drawn dashed, in the same colour.
    unit : str, default="iteration"
        What the x-axis counts: "iteration", "epoch" (sgd) or
        "partial_fit call".

    Attributes
    ----------
    line_ : matplotlib Line2D
        The plotted curve.
    validation_line_ : matplotlib Line2D or None
        The validation curve, when there is one.
    ax_ : matplotlib Axes
        The axes it is drawn on.
    figure_ : matplotlib Figure
        The figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDLogisticRegression, LossCurveDisplay
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = GDLogisticRegression().fit(StandardScaler().fit_transform(X), y)
    >>> display = LossCurveDisplay.from_estimator(model)
    >>> bool((display.line_.get_ydata() == model.loss_curve_).all())
    True
    >>> display.line_.get_label()
    'gd'
    """

    def __init__(self, *, loss_curve, name=None, validation_loss_curve=None, unit="iteration"):
        self.loss_curve = np.asarray(loss_curve)
        self.name = name
        self.unit = unit
        self.validation_loss_curve = (
            None if validation_loss_curve is None else np.asarray(validation_loss_curve)
        )

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_gap=False, minimum=None,
                       **kwargs):
        """Plot the cost curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted GDLogisticRegression, or a Pipeline ending in one
            Its ``loss_curve_`` is plotted, and its ``validation_loss_curve_``
            when it has one, against iterations (epochs for sgd, calls after
            ``partial_fit``).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure's by default.
        name : str, default=None
            Label in the legend; the estimator's ``solver`` by default, so
            that curves of several solvers on one axes are told apart.
        log_gap : bool, default=False
            Plot ``J - minimum`` on a log scale instead of J.
        minimum : float, default=None
            The J subtracted with ``log_gap``; by default the curve's own
            minimum less its smallest decrease, so that the last point stays
            on the log scale.  Pass a common value (e.g. J* from a tight
            fit) to compare several curves on one axes.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(final)  # NotFittedError, as scikit-learn's displays raise
        if not hasattr(final, "loss_curve_"):
            raise ValueError(
                f"{type(final).__name__} has no loss_curve_: {cls.__name__} draws the cost "
                "curve that skgd's GDLogisticRegression records while it fits."
            )
        if name is None:
            name = getattr(final, "solver", type(final).__name__)
        if hasattr(final, "_stream"):  # fitted by partial_fit: one point per call
            unit = "partial_fit call"
        else:
            unit = iteration_name(getattr(final, "solver", None))
        display = cls(
            loss_curve=final.loss_curve_,
            name=name,
            validation_loss_curve=getattr(final, "validation_loss_curve_", None),
            unit=unit,
        )
        return display.plot(ax=ax, log_gap=log_gap, minimum=minimum, **kwargs)

    def plot(self, ax=None, *, name=None, log_gap=False, minimum=None, **kwargs):
        """Draw the curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure's by default.
        name : str, default=None
            Label in the legend; the one given at construction by default.
        log_gap : bool, default=False
            Plot ``J - minimum`` on a log scale instead of J (without the
            validation curve, which has another minimum).  Points where it is
            not positive are left out.
        minimum : float, default=None
            The J subtracted with ``log_gap``; by default the curve's own
            minimum less its smallest decrease, so that the last point stays
            on the log scale.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        values = self.loss_curve
        if log_gap:
            minimum = _default_minimum(values) if minimum is None else minimum
            ax.set_yscale("log")
        (self.line_,) = ax.plot(
            np.arange(len(values)), _gap(values, minimum) if log_gap else values,
            label=name, **kwargs,
        )
        self.validation_line_ = None
        if self.validation_loss_curve is not None and not log_gap:
            validation = self.validation_loss_curve
            (self.validation_line_,) = ax.plot(
                np.arange(len(validation)), validation, linestyle="--",
                color=self.line_.get_color(),
                label="validation" if name is None else f"{name} (validation)",
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(self.unit)
        ax.set_ylabel("J - min J" if log_gap else "cost J")
        if name is not None or self.validation_line_ is not None:
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _default_minimum(values):
    """The curve's minimum less its smallest decrease: every point stays above it."""
    decreases = -np.diff(values)
    decreases = decreases[decreases > 0]
    if len(decreases):
        return values.min() - decreases.min()
    return values.min() - np.finfo(float).eps * max(abs(values.min()), 1.0)


def _gap(values, minimum):
    """``values - minimum``, points that are not above it left out (a log scale has no 0)."""
    gap = values - minimum
    return np.where(gap > 0, gap, np.nan)
