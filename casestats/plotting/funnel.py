"""Funnel plot: study effects against their standard errors, with the pseudo-confidence region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import add_note, floats, new_axes, require, style_if_new
from casestats.plotting._style import COLUMN_WIDTH, PALETTE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Axis titles of the analysis scales (``measure`` codes as metafor's).
SCALE_TITLES = {
    "OR": "log odds ratio",
    "RR": "log risk ratio",
    "RD": "risk difference",
    "PLO": "logit proportion",
}


def funnel_plot(
    frame: pd.DataFrame,
    *,
    center: float,
    measure: str = "OR",
    confidence_level: float = 0.95,
    value_title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Funnel plot of study effects (analysis scale) against their standard errors.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``group == "study"`` (drawn filled) and optionally ``"filled"``
        (trim-and-fill studies, drawn open); columns ``estimate`` (analysis
        scale, e.g. log odds ratio) and ``se``.
    center : float
        The pooled estimate (analysis scale): the vertical line and the apex
        of the pseudo-confidence region ``center ± z se``.
    measure : str, default "OR"
        Names the axis (``"OR"``, ``"RR"``, ``"RD"``, ``"PLO"``).
    confidence_level : float, default 0.95
        Level of the pseudo-confidence region.
    value_title : str, optional
        Title of the effect axis instead of the one `measure` implies.
    note : str, optional
        A short subtitle.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` for the studies.

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids ``"studies"``, ``"filled studies"``, ``"pseudo ci"``
        and ``"center"``. The standard-error axis runs downwards from 0.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": "study", "estimate": [0.2, 0.5, 0.9, 0.4],
    ...                       "se": [0.1, 0.3, 0.5, 0.2]})
    >>> ax = funnel_plot(frame, center=0.3)
    >>> ax.get_xlabel(), bool(ax.yaxis_inverted())
    ('log odds ratio', True)
    >>> plt.close(ax.figure)
    """
    from scipy import stats

    require(frame, ["group", "estimate", "se"], "funnel_plot")
    studies = frame[frame["group"] == "study"]
    filled = frame[frame["group"] == "filled"]
    if studies.empty:
        raise ValueError('funnel_plot needs rows with group "study"')
    se_all = floats(frame.loc[frame["group"].isin(["study", "filled"]), "se"])
    top = float(np.nanmax(se_all)) * 1.08 if np.isfinite(se_all).any() else 1.0
    z = float(stats.norm.isf((1 - confidence_level) / 2))
    with style_if_new(ax):
        if ax is None:
            ax = new_axes((COLUMN_WIDTH, 2.8))
        ax.fill([center - z * top, center, center + z * top], [top, 0.0, top],
                color="#eeeeee", zorder=0, gid="pseudo ci")  # fmt: skip
        ax.plot([center - z * top, center, center + z * top], [top, 0.0, top],
                color="#888888", linewidth=0.6, linestyle="--", zorder=1)  # fmt: skip
        ax.axvline(center, color="#555555", linewidth=0.8, zorder=1, gid="center")
        marks = {"s": 18, "color": PALETTE[0], "zorder": 3, **kwargs}
        ax.scatter(floats(studies["estimate"]), floats(studies["se"]), **marks).set_gid("studies")
        if not filled.empty:
            ax.scatter(floats(filled["estimate"]), floats(filled["se"]), s=marks["s"],
                       facecolors="white", edgecolors=marks["color"], linewidths=0.8,
                       zorder=3).set_gid("filled studies")  # fmt: skip
        ax.set_ylim(top, 0.0)
        ax.set_ylabel("standard error")
        ax.set_xlabel(value_title or SCALE_TITLES.get(measure, "effect"))
        pct = f"{100 * confidence_level:g}%"
        legend = f"dashed: {pct} pseudo-confidence region"
        if not filled.empty:
            legend += "; open: filled studies"
        # Under the axis title, where no study can sit.
        ax.annotate(legend, xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -30),
                    textcoords="offset points", ha="left", va="top", fontsize=6,
                    color="#555555", gid="legend")  # fmt: skip
        add_note(ax, note)
    return ax
