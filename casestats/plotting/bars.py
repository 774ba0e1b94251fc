"""Bars of proportions with their confidence intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casestats.plotting._common import (
    add_note,
    axis_title,
    count_label,
    default_note,
    display,
    display_labels,
    floats,
    group_sizes,
    new_axes,
    ordered,
    percent_axis,
    require,
    share_limit,
    style_if_new,
)
from casestats.plotting._style import COLUMN_WIDTH, PALETTE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_ORIENTS = ("auto", "v", "h")


def interval_bars(
    frame: pd.DataFrame,
    *,
    x: str = "level",
    hue: str | None = "group",
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    orient: str = "auto",
    annot: bool = False,
    value_title: str = "share of patients",
    category_title: str | None = None,
    legend_title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Bars of proportions with their confidence intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns `x`, ``estimate``, ``ci_low``, ``ci_high`` (proportions in [0, 1]);
        `hue` if given; ``events`` and ``total`` when `annot` is true.
    x : str
        Column whose values label the bars.
    hue : str or None
        Column splitting each category into dodged, coloured bars with a legend
        outside the data. Ignored when absent from the frame or holding fewer than
        two values.
    order, hue_order : sequence, optional
        The `x` and `hue` values to draw, in this order (as in seaborn). By default
        the schema's order when the values are terms of one vocabulary (subtypes,
        SSc subsets, body sites), else the frame's order (sort it by meaning, e.g.
        ages ascending); "not reported"-like values last.
    labels : mapping, optional
        Display text for `x` and `hue` values; by default a schema term shows its
        label ("head and neck"; limb rows beside regions "upper limb, region not
        stated") and other values show spaces for underscores.
    orient : {"auto", "v", "h"}
        Vertical or horizontal bars; "auto" turns them horizontal when there are
        more than 8 categories or 16 bars, which keeps long labels level.
    annot : bool
        Write ``k/n`` (events/total) at the end of each interval.
    value_title, category_title, legend_title : str, optional
        Axis and legend titles. By default the category axis is titled by `x`
        and the legend by `hue` made readable, or not at all for the tidy
        ``level``/``group`` columns.
    note : str, optional
        A short subtitle. By default n and the interval method, as far as the
        frame's ``total``, ``method`` and ``confidence_level`` columns say them
        (groups of different sizes show their n in the legend); ``""`` for none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure when None.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.bar` (or ``barh``), e.g. ``color``,
        ``alpha``, ``edgecolor``.

    Returns
    -------
    matplotlib.axes.Axes
        Rows with a missing estimate draw no bar; their category keeps its place.
        The share axis runs from 0 to just above the highest interval.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"group": ["all", "all"], "level": ["dystrophic", "iatrogenic"],
    ...                       "events": [30, 5], "total": [40, 40], "estimate": [0.75, 0.125],
    ...                       "ci_low": [0.60, 0.05], "ci_high": [0.86, 0.26]})
    >>> ax = interval_bars(frame, annot=True, alpha=0.8)
    >>> len(ax.patches), [t.get_text() for t in ax.texts], float(ax.get_ylim()[1])
    (2, ['30/40', '5/40'], 1.0)
    >>> plt.close(ax.figure)
    >>> ax = interval_bars(frame)  # no labels to make room for: 86 % + headroom
    >>> float(ax.get_ylim()[1])
    0.95
    >>> plt.close(ax.figure)
    """
    require(frame, [x, "estimate", "ci_low", "ci_high"], "interval_bars")
    if annot:
        require(frame, ["events", "total"], "interval_bars(annot=True)")
    if orient not in _ORIENTS:
        raise ValueError(f"unknown orient {orient!r}; use one of {list(_ORIENTS)}")
    categories = ordered(frame[x], order, "order")
    groups: list[Any] = [None]
    if hue is not None and hue in frame.columns and frame[hue].nunique() > 1:
        groups = ordered(frame[hue], hue_order, "hue_order")
    labels = display_labels([*categories, *groups], labels)
    sizes = {}
    if note is None:
        note = default_note(frame, hue if groups != [None] else None)
        if groups != [None] and "n =" not in note:
            sizes = group_sizes(frame, hue)  # groups of different sizes: n in the legend
    if orient == "auto":
        orient = "h" if len(categories) > 8 or len(categories) * len(groups) > 16 else "v"
    horizontal = orient == "h"

    with style_if_new(ax):
        if ax is None:
            ax = new_axes(_figure_size(len(categories), len(groups), horizontal))
        tops = []
        for g, group in enumerate(groups):
            rows = frame if group is None else frame[frame[hue] == group]
            rows = rows[rows[x].isin(categories)]
            bar_kwargs = {"color": PALETTE[g % len(PALETTE)]}
            if group is not None:
                bar_kwargs["label"] = display(group, labels)
                if group in sizes:
                    bar_kwargs["label"] += f" (n = {sizes[group]})"
            tops.append(
                _draw_group(ax, rows, x, categories, (g, len(groups)), horizontal, annot,
                            {**bar_kwargs, **kwargs})
            )  # fmt: skip
        _finish_axes(ax, categories, labels, horizontal, share_limit(
            np.concatenate(tops) if tops else np.array([]), headroom=1.25 if annot else 1.08
        ))  # fmt: skip
        category_axis, value_axis = (ax.yaxis, ax.xaxis) if horizontal else (ax.xaxis, ax.yaxis)
        category_axis.set_label_text(axis_title(x, category_title))
        value_axis.set_label_text(value_title)
        if groups != [None]:
            ax.legend(title=axis_title(hue, legend_title) or None, loc="upper left",
                      bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)  # fmt: skip
        add_note(ax, note)
    return ax


def _figure_size(n_categories: int, n_groups: int, horizontal: bool) -> tuple[float, float]:
    if horizontal:
        # One text line per category at least; bars about 3 pt thick each.
        return COLUMN_WIDTH, max(2.2, 0.7 + n_categories * max(0.16, 0.06 + 0.05 * n_groups))
    width = max(COLUMN_WIDTH, 0.45 * n_categories * max(1, n_groups * 0.6))
    return min(width, 7.0), 2.6


def _draw_group(ax, rows, x, categories, slot_of, horizontal, annot, bar_kwargs) -> np.ndarray:
    """One group's bars, intervals and k/n labels; returns the interval tops drawn."""
    estimate = floats(rows["estimate"])
    drawn = np.isfinite(estimate)
    if not drawn.any():
        return np.array([])
    rows, estimate = rows[drawn], estimate[drawn]
    g, n_groups = slot_of
    slot = 0.8 / n_groups
    position = {category: i for i, category in enumerate(categories)}
    xs = np.array([position[v] for v in rows[x]], dtype=float) + (g - (n_groups - 1) / 2) * slot
    bar_kwargs.setdefault("height" if horizontal else "width", slot * 0.92)
    if horizontal:
        ax.barh(xs, estimate, **bar_kwargs)
    else:
        ax.bar(xs, estimate, **bar_kwargs)
    low, high = floats(rows["ci_low"]), floats(rows["ci_high"])
    has_ci = ~np.isnan(low) & ~np.isnan(high)
    if has_ci.any():
        at, value = xs[has_ci], estimate[has_ci]
        error = [value - low[has_ci], high[has_ci] - value]
        xy = {"x": value, "y": at, "xerr": error} if horizontal else {"x": at, "y": value,
                                                                       "yerr": error}  # fmt: skip
        ax.errorbar(**xy, fmt="none", ecolor="#333333", elinewidth=0.8, capsize=1.5)
    tops = np.where(has_ci, high, estimate)
    if annot:
        for pos, top, k, n in zip(xs, tops, rows["events"], rows["total"], strict=True):
            text = count_label(k, n)
            if text is None:
                continue
            where = {"xy": (top, pos), "xytext": (2, 0), "ha": "left", "va": "center"}
            if not horizontal:
                where = {"xy": (pos, top), "xytext": (0, 2), "ha": "center", "va": "bottom"}
            ax.annotate(text, textcoords="offset points", fontsize=6.5, **where)
    return tops


def _finish_axes(ax, categories, labels, horizontal, limit) -> None:
    ticks = [display(c, labels) for c in categories]
    span = (-0.6, len(categories) - 0.4)
    if horizontal:
        ax.set_yticks(range(len(categories)), ticks)
        ax.set_ylim(span[1], span[0])  # first category on top
        ax.set_xlim(0.0, limit)
        percent_axis(ax.xaxis)
        return
    ax.set_xticks(range(len(categories)), ticks)
    if len(categories) > 4:
        ax.tick_params(axis="x", labelrotation=40)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    ax.set_xlim(*span)
    ax.set_ylim(0.0, limit)
    percent_axis(ax.yaxis)
