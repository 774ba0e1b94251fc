"""Figures of meta-analysis diagnostics: leave-one-out, influence and meta-regression."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import floats, new_axes, require, style_if_new
from casestats.plotting._style import COLUMN_WIDTH, PALETTE
from casestats.plotting.forest import forest_plot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_NATURAL = {"OR": "odds ratio", "RR": "risk ratio", "PLO": "proportion"}


def leave_one_out_plot(
    frame: pd.DataFrame, *, measure: str = "OR", ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Forest-style plot of leave-one-out estimates, the all-studies estimate below.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``group == "omitted"`` (``level`` names the study left out;
        ``estimate``, ``ci_low``, ``ci_high`` on the natural scale) and one
        ``"pooled"`` row, as :meth:`LeaveOneOutResult.to_frame` gives.
    measure : {"OR", "RR", "PLO"}, default "OR"
        Log axis for ratios, a 0-100 % axis for proportions.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to the squares' :meth:`~matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["omitted", "omitted", "pooled"],
    ...                       "level": ["Lee 2010", "Ito 2015", "all studies"],
    ...                       "estimate": [2.0, 2.4, 2.2], "ci_low": [1.1, 1.3, 1.4],
    ...                       "ci_high": [3.6, 4.4, 3.5]})
    >>> ax = leave_one_out_plot(frame)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['without Lee 2010', 'without Ito 2015', 'all studies']
    >>> plt.close(ax.figure)
    """
    require(frame, ["group", "level", "estimate", "ci_low", "ci_high"], "leave_one_out_plot")
    if measure not in _NATURAL:
        raise ValueError(f"unknown measure {measure!r}; use one of {list(_NATURAL)}")
    rows = frame[frame["group"].isin(["omitted", "pooled"])].copy()
    omitted = rows["group"] == "omitted"
    rows.loc[omitted, "level"] = "without " + rows.loc[omitted, "level"].astype(str)
    rows["group"] = rows["group"].replace({"omitted": "study"})
    rows = rows.drop(columns=[c for c in ("weight", "pi_low", "pi_high") if c in rows])
    scale = "proportion" if measure == "PLO" else "odds ratio"
    title = None if measure != "RR" else "risk ratio (log scale)"
    return forest_plot(rows, scale=scale, value_title=title,
                       note="leave-one-out: pooled estimate without each study", ax=ax,
                       **kwargs)  # fmt: skip


def influence_plot(frame: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Cook's distance per study, influential studies (metafor's rule) highlighted.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``level`` (study), ``cook_d`` and ``influential``, as
        :meth:`InfluenceResult.to_frame` gives.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` for the points.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"level": ["A", "B", "C"], "cook_d": [0.1, 1.2, 0.05],
    ...                       "influential": [False, True, False]})
    >>> ax = influence_plot(frame)
    >>> ax.get_xlabel()
    "Cook's distance"
    >>> plt.close(ax.figure)
    """
    from scipy import stats

    require(frame, ["level", "cook_d", "influential"], "influence_plot")
    cook = floats(frame["cook_d"])
    flag = frame["influential"].to_numpy(dtype=bool)
    ys = -np.arange(len(frame), dtype=float)
    threshold = float(stats.chi2.ppf(0.5, 1))
    with style_if_new(ax):
        if ax is None:
            ax = new_axes((COLUMN_WIDTH, 1.0 + 0.22 * len(frame)))
        ax.hlines(ys, 0, cook, color="#999999", linewidth=0.8, zorder=1)
        # A caller's colour is for the ordinary studies; influential ones keep the highlight.
        base = kwargs.pop("color", PALETTE[0])
        colours = np.where(flag, PALETTE[5], base)
        ax.scatter(cook, ys, **{"s": 18, "c": colours, "zorder": 3, **kwargs}).set_gid("cook")
        ax.axvline(threshold, color="#666666", linewidth=0.6, linestyle="--")
        ax.set_yticks(ys, [str(v) + (" *" if f else "") for v, f in
                           zip(frame["level"], flag, strict=True)])  # fmt: skip
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, max(threshold, float(np.nanmax(cook)) if len(cook) else 1.0) * 1.1)
        ax.set_xlabel("Cook's distance")
        ax.set_title("dashed: median of chi²(1); * influential (metafor's rule)", loc="left",
                     fontsize=7, color="#333333")  # fmt: skip
    return ax


def bubble_plot(
    x, y, weights, *, coef: Sequence[float], vb, crit: float, x_title: str, y_title: str,
    ax: Axes | None = None, **kwargs: Any,
) -> Axes:
    """Studies against one moderator, areas by weight, with the fitted line and its interval.

    Parameters
    ----------
    x, y, weights : array-like
        Moderator, effect (analysis scale) and weight (percent) per study.
    coef : (float, float)
        Intercept and slope.
    vb : array (2, 2)
        Their covariance matrix.
    crit : float
        Quantile for the confidence band of the fitted line.
    x_title, y_title : str
        Axis titles.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = bubble_plot([1, 2, 3], [0.1, 0.4, 0.5], [30, 30, 40], coef=[0.0, 0.2],
    ...                  vb=np.eye(2) * 0.01, crit=1.96, x_title="year", y_title="log OR")
    >>> ax.get_xlabel()
    'year'
    >>> plt.close(ax.figure)
    """
    x, y, weights = (np.asarray(a, dtype=float) for a in (x, y, weights))
    vb = np.asarray(vb, dtype=float)
    grid = np.linspace(x.min(), x.max(), 100)
    design = np.column_stack([np.ones_like(grid), grid])
    fitted = design @ np.asarray(coef, dtype=float)
    half = crit * np.sqrt(np.einsum("ij,jk,ik->i", design, vb, design))
    with style_if_new(ax):
        if ax is None:
            ax = new_axes((COLUMN_WIDTH, 2.6))
        ax.fill_between(grid, fitted - half, fitted + half, color=PALETTE[0], alpha=0.15,
                        linewidth=0, gid="band")  # fmt: skip
        ax.plot(grid, fitted, color=PALETTE[0], linewidth=1.0, gid="fit")
        sizes = 10 + 150 * weights / weights.max()
        marks = {"s": sizes, "facecolors": "none", "edgecolors": "#333333", "zorder": 3, **kwargs}
        ax.scatter(x, y, **marks).set_gid("studies")
        ax.set_xlabel(x_title)
        ax.set_ylabel(y_title)
    return ax
