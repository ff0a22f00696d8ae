"""LossCurveDisplay: the cost J against iterations, in scikit-learn's Display style."""

import numpy as np


def _check_matplotlib(caller):
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib: pip install matplotlib (or skgd[plot])."
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

    Attributes
    ----------
    line_ : matplotlib Line2D
        The plotted curve.
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
    >>> display = LossCurveDisplay.from_estimator(model, name="gd")
    >>> bool((display.line_.get_ydata() == model.loss_curve_).all())
    True
    """

    def __init__(self, *, loss_curve, name=None):
        self.loss_curve = np.asarray(loss_curve)
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_gap=False, minimum=None,
                       **kwargs):
        """Plot the cost curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted GDLogisticRegression, or a Pipeline ending in one
            Its ``loss_curve_`` is plotted.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure's by default.
        name : str, default=None
            Label in the legend; the estimator's class name by default.
        log_gap : bool, default=False
            Plot ``J - minimum`` on a log scale instead of J.
        minimum : float, default=None
            The J subtracted with ``log_gap``; the curve's own minimum by
            default.  Pass a common value (e.g. J* from a tight fit) to
            compare several curves on one axes.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        if not hasattr(final, "loss_curve_"):
            raise ValueError(f"{type(final).__name__} has no loss_curve_: fit it first.")
        name = type(final).__name__ if name is None else name
        display = cls(loss_curve=final.loss_curve_, name=name)
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
            Plot ``J - minimum`` on a log scale instead of J.  Points where it
            is not positive are left out.
        minimum : float, default=None
            The J subtracted with ``log_gap``; the curve's own minimum by
            default.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        values = self.loss_curve
        if log_gap:
            minimum = values.min() if minimum is None else minimum
            values = values - minimum
            values = np.where(values > 0, values, np.nan)  # log scale: leave them out
            ax.set_yscale("log")
        (self.line_,) = ax.plot(np.arange(len(values)), values, label=name, **kwargs)
        ax.set_xlabel("iteration")
        ax.set_ylabel("J - min J" if log_gap else "cost J")
        if name is not None:
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
