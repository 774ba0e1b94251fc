"""Heatmap of shares with k/n in each cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    axis_title,
    count_label,
    display,
    floats,
    new_axes,
    ordered,
    percent_axis,
    require,
    share_limit,
    style_if_new,
)
from casestats.plotting._style import COLUMN_WIDTH, SHARE_CMAP

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def share_heatmap(
    frame: pd.DataFrame,
    *,
    row: str = "level",
    col: str = "group",
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    annot: bool = True,
    row_title: str | None = None,
    col_title: str | None = None,
    colorbar_title: str = "share of patients",
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of shares (``estimate``) with ``k/n`` in each cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns `row`, `col` and ``estimate`` (in [0, 1]); ``events`` and
        ``total`` for the annotations (a cell without counts shows its percent).
        At most one row per (`row`, `col`) pair.
    row, col : str
        Columns giving the heatmap's rows and columns.
    order, hue_order : sequence, optional
        The `row` and `col` values to draw, in this order. By default the frame's
        order, with "not reported"-like values last.
    labels : mapping, optional
        Display text for row and column values; other values are shown with
        spaces for underscores.
    annot : bool
        Write ``k/n`` (events/total) in each cell.
    row_title, col_title, colorbar_title : str, optional
        Axis titles; by default `row` and `col` made readable, or none for the
        tidy ``level``/``group`` columns.
    note : str, optional
        A short subtitle, e.g. what is counted, n and the interval method.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    **kwargs
        Passed to :func:`seaborn.heatmap` (e.g. ``cmap``, ``linewidths``).

    Returns
    -------
    matplotlib.axes.Axes
        Cells with a missing estimate stay blank. The colour scale runs from 0 to
        the largest share rounded up to 5 %, so that differences stay visible.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["limited", "limited", "diffuse", "diffuse"],
    ...                       "level": ["hand", "elbow", "hand", "elbow"],
    ...                       "events": [12, 3, 4, 2], "total": [20, 20, 8, 8],
    ...                       "estimate": [0.6, 0.15, 0.5, 0.25]})
    >>> ax = share_heatmap(frame)
    >>> sorted(t.get_text() for t in ax.texts)
    ['12/20', '2/8', '3/20', '4/8']
    >>> plt.close(ax.figure)
    """
    import seaborn as sns

    require(frame, [row, col, "estimate"], "share_heatmap")
    keyed = frame[frame[row].notna() & frame[col].notna()]
    duplicated = keyed.duplicated([row, col])
    if duplicated.any():
        first = keyed.loc[duplicated, [row, col]].iloc[0].tolist()
        raise ValueError(f"share_heatmap needs one row per ({row}, {col}); {first} repeats")
    rows, cols = ordered(keyed[row], order, "order"), ordered(keyed[col], hue_order, "hue_order")
    keyed = keyed[keyed[row].isin(rows) & keyed[col].isin(cols)]
    shares, texts = _cells(keyed, row, col, rows, cols)

    with style_if_new(ax):
        if ax is None:
            ax = new_axes(
                (min(7.0, max(COLUMN_WIDTH, 1.4 + 0.7 * len(cols))), 0.9 + 0.24 * len(rows))
            )
        heatmap_kwargs = {
            "vmin": 0.0,
            "vmax": share_limit(shares.ravel(), headroom=1.0),
            "cmap": SHARE_CMAP,
            "linewidths": 0.5,
            "linecolor": "white",
            "cbar_kws": {"label": colorbar_title},
            **kwargs,
        }
        sns.heatmap(
            pd.DataFrame(shares, index=[display(r, labels) for r in rows],
                         columns=[display(c, labels) for c in cols]),
            mask=~np.isfinite(shares), annot=texts if annot else False, fmt="",
            annot_kws={"fontsize": 6.5}, ax=ax, **heatmap_kwargs,
        )  # fmt: skip
        ax.set_xlabel(axis_title(col, col_title))
        ax.set_ylabel(axis_title(row, row_title))
        ax.tick_params(axis="both", length=0)
        percent_axis(ax.collections[0].colorbar.ax.yaxis)
        add_note(ax, note)
    return ax


def _cells(keyed, row, col, rows, cols) -> tuple[np.ndarray, np.ndarray]:
    """The share and the ``k/n`` text (percent without counts) of every cell."""
    shares = np.full((len(rows), len(cols)), np.nan)
    texts = np.full((len(rows), len(cols)), "", dtype=object)
    r_index = {v: i for i, v in enumerate(rows)}
    c_index = {v: j for j, v in enumerate(cols)}
    estimate = floats(keyed["estimate"])
    has_counts = "events" in keyed.columns and "total" in keyed.columns
    for k, (r, c) in enumerate(zip(keyed[row], keyed[col], strict=True)):
        i, j = r_index[r], c_index[c]
        shares[i, j] = estimate[k]
        if np.isfinite(estimate[k]):
            text = None
            if has_counts:
                text = count_label(keyed["events"].iloc[k], keyed["total"].iloc[k])
            texts[i, j] = text if text is not None else f"{estimate[k]:.0%}"
    return shares, texts
