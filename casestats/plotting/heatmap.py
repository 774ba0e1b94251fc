"""Heatmap of shares with k/n in each cell."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    axis_title,
    count_label,
    display,
    display_labels,
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
        The `row` and `col` values to draw, in this order. By default the schema's
        order when the values are terms of one vocabulary (subtypes, body sites),
        else the frame's order; "not reported"-like values last.
    labels : mapping, optional
        Display text for row and column values; by default a schema term shows its
        label and other values show spaces for underscores.
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
        Passed to :meth:`matplotlib.axes.Axes.pcolormesh` (e.g. ``cmap``,
        ``linewidths``, ``edgecolor``).

    Returns
    -------
    matplotlib.axes.Axes
        Cells with a missing estimate stay blank. The colour scale runs from 0 to
        the largest share rounded up to 5 %, so that differences stay visible.
        Column labels that would overlap break over lines, or turn vertical when
        that is not enough.

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
    require(frame, [row, col, "estimate"], "share_heatmap")
    keyed = frame[frame[row].notna() & frame[col].notna()]
    duplicated = keyed.duplicated([row, col])
    if duplicated.any():
        first = keyed.loc[duplicated, [row, col]].iloc[0].tolist()
        raise ValueError(f"share_heatmap needs one row per ({row}, {col}); {first} repeats")
    rows, cols = ordered(keyed[row], order, "order"), ordered(keyed[col], hue_order, "hue_order")
    keyed = keyed[keyed[row].isin(rows) & keyed[col].isin(cols)]
    labels = display_labels([*rows, *cols], labels)
    shares, texts = _cells(keyed, row, col, rows, cols)

    with style_if_new(ax):
        if ax is None:
            ax = new_axes(
                (min(7.0, max(COLUMN_WIDTH, 1.4 + 0.7 * len(cols))), 0.9 + 0.24 * len(rows))
            )
        mesh_kwargs = {
            "vmin": 0.0,
            "vmax": share_limit(shares.ravel(), headroom=1.0),
            "cmap": SHARE_CMAP,
            "linewidths": 0.5,
            "edgecolor": "white",
            **kwargs,
        }
        mesh = ax.pcolormesh(np.ma.masked_invalid(shares), **mesh_kwargs)
        colorbar = ax.figure.colorbar(mesh, ax=ax, label=colorbar_title)
        colorbar.outline.set_linewidth(0)
        _cell_axes(ax, [display(r, labels) for r in rows], [display(c, labels) for c in cols])
        if annot:
            _annotate(ax, mesh, texts)
        ax.set_xlabel(axis_title(col, col_title))
        ax.set_ylabel(axis_title(row, row_title))
        ax.tick_params(axis="both", length=0)
        percent_axis(colorbar.ax.yaxis)
        add_note(ax, note)
    return ax


def _cell_axes(ax: Axes, row_labels: list[str], col_labels: list[str]) -> None:
    """Matrix orientation (first row on top), a label at each cell centre and no spines."""
    ax.set_xlim(0, len(col_labels))
    ax.set_ylim(len(row_labels), 0)
    ax.set_xticks(np.arange(len(col_labels)) + 0.5, col_labels)
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, row_labels, va="center")
    for spine in ax.spines.values():
        spine.set_visible(False)
    if not _overlap(ax, ax.get_xticklabels(), len(col_labels)):
        return
    # Long names first break over lines (three subsets read better level than turned);
    # only when that is not enough do the labels turn vertical, unbroken.
    wrapped = [textwrap.fill(c, width=max(len(w) for w in c.split() or [c])) for c in col_labels]
    ax.set_xticks(np.arange(len(col_labels)) + 0.5, wrapped)
    if _overlap(ax, ax.get_xticklabels(), len(col_labels)):
        ax.set_xticks(np.arange(len(col_labels)) + 0.5, col_labels, rotation="vertical")


def _overlap(ax: Axes, labels, cells: int) -> bool:
    """Whether neighbouring horizontal labels, one per cell across the axes, would touch.

    Measures the texts alone: laying out the whole figure for this would double its cost.
    """
    if cells < 2:
        return False
    renderer = ax.figure.canvas.get_renderer()
    widths = np.array([label.get_window_extent(renderer).width for label in labels])
    spacing = ax.get_window_extent(renderer).width / cells
    return bool(np.any((widths[:-1] + widths[1:]) / 2 > spacing))


def _annotate(ax: Axes, mesh, texts: np.ndarray) -> None:
    """Each drawn cell's text, dark on light cells and white on dark ones."""
    from matplotlib.colors import to_rgba_array

    mesh.update_scalarmappable()
    rgb = to_rgba_array(mesh.get_facecolors())[:, :3]
    # relative luminance (W3C) of each cell's colour
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    drawn = ~np.ma.getmaskarray(mesh.get_array()).ravel()
    n_cols = texts.shape[1]
    for k, (text, lum) in enumerate(zip(texts.ravel(), luminance, strict=True)):
        if drawn[k]:
            i, j = divmod(k, n_cols)
            colour = ".15" if lum > 0.408 else "w"
            ax.text(j + 0.5, i + 0.5, text, color=colour, ha="center", va="center", fontsize=6.5)


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
